package groups_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/groups/groupstest"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestSyntheticScenarios groups the findings of a generated organization
// with every attack scenario and measures the groups against the ground
// truth: each scenario's findings must land in one group, and no group
// may hold findings of two scenarios. Findings of no scenario (GuardDuty's
// background noise) may join a scenario's group when they share its
// entities; purity counts them.
func TestSyntheticScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	for _, c := range []struct {
		seed int64
		days int
	}{{7, 3}, {11, 4}} {
		t.Run(fmt.Sprintf("seed%d", c.seed), func(t *testing.T) {
			checkScenarios(t, c.seed, c.days)
		})
	}
}

func checkScenarios(t *testing.T, seed int64, days int) {
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, truth, st, _ := analysistest.Organization(t, synth.Config{Seed: seed, Days: days, Start: start, EventsPerDay: 4000, FlowsPerDay: 2000, Scenarios: scen})
	svc := groups.New(st.DB(), groups.Options{})
	r, err := svc.Update(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scenarioOf := map[string]string{}
	for _, s := range truth.Scenarios {
		for _, id := range s.FindingIDs {
			scenarioOf[id] = s.Name
		}
	}
	list, err := svc.List(ctx, groups.ListRequest{Limit: groups.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	groupsOf := map[string]map[string]bool{} // scenario → its groups
	var inScenarioGroups, scenarioFindings, total int
	for _, g := range list.Groups {
		d, err := svc.Group(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		own := 0
		for _, m := range d.Findings {
			total++
			if n := scenarioOf[m.ID]; n != "" {
				names[n] = true
				own++
				if groupsOf[n] == nil {
					groupsOf[n] = map[string]bool{}
				}
				groupsOf[n][g.ID] = true
			}
		}
		if len(names) > 1 {
			var ns []string
			for n := range names {
				ns = append(ns, n)
			}
			sort.Strings(ns)
			t.Errorf("group %q merges scenarios %v", d.Title, ns)
		}
		if len(names) > 0 {
			inScenarioGroups += len(d.Findings)
			scenarioFindings += own
		}
		for _, m := range d.Findings {
			for _, rs := range m.Reasons {
				if rs.Text == "" {
					t.Errorf("group %s member %s: reason without text", g.ID, m.ID)
				}
			}
		}
	}
	for _, s := range truth.Scenarios {
		if len(s.FindingIDs) == 0 {
			continue
		}
		if n := len(groupsOf[s.Name]); n != 1 {
			t.Errorf("scenario %s: %d findings in %d groups", s.Name, len(s.FindingIDs), n)
		}
	}
	purity := float64(scenarioFindings) / float64(max(inScenarioGroups, 1))
	t.Logf("seed %d: %d findings in %d active groups (%d placed); %d scenarios; purity of scenario groups %.2f (%d of %d members belong to the scenario)",
		seed, total, r.Active, r.Findings, len(truth.Scenarios), purity, scenarioFindings, inScenarioGroups)
	for _, g := range list.Groups {
		t.Logf("  %s  %s", g.ID[:8], g.Title)
	}
}

// TestSyntheticIncremental delivers a generated organization's logs a day
// at a time, updating the groups after each day as ingest does, and checks
// that the groups end up holding the same findings as a rebuild from
// scratch: incremental grouping loses nothing.
func TestSyntheticIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	out := t.TempDir()
	cfg := synth.Config{Seed: 5, Days: 3, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), EventsPerDay: 3000, FlowsPerDay: 1500, Scenarios: scen}
	if _, err := synth.Generate(ctx, cfg, synth.DirWriter{Root: out}, nil); err != nil {
		t.Fatal(err)
	}
	// The objects of each day, by the date in their key.
	day := regexp.MustCompile(`/(\d{4}/\d{2}/\d{2})/`)
	byDay := map[string][]string{}
	err := filepath.WalkDir(filepath.Join(out, "AWSLogs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		m := day.FindStringSubmatch(filepath.ToSlash(p))
		if m == nil {
			return fmt.Errorf("no date in %s", p)
		}
		byDay[m[1]] = append(byDay[m[1]], p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	days := make([]string, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Strings(days)

	st, _ := groupstest.Open(t)
	svc := groups.New(st.DB(), groups.Options{Evidence: &stubEvidence{}})
	for _, d := range days {
		dir := t.TempDir()
		for _, p := range byDay[d] {
			rel, _ := filepath.Rel(out, p)
			dst := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(p, dst); err != nil {
				t.Fatal(err)
			}
		}
		groupstest.IngestDir(t, st, dir)
		r, err := svc.Update(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("day %s: %d objects, %d findings placed, %d groups made, %d grown, %d closed, %d active",
			d, len(byDay[d]), r.Findings, r.Created, r.Changed, r.Closed, r.Active)
	}
	incremental := partition(t, svc)
	if _, err := svc.Rebuild(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if rebuilt := partition(t, svc); !cmp.Equal(incremental, rebuilt) {
		t.Errorf("incremental groups differ from a rebuild:\n%s", cmp.Diff(rebuilt, incremental))
	}
}
