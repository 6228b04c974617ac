package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestSyntheticSummaryPrincipals checks the summary's most active roles
// and users on a generated organization against counts taken from the
// generated CloudTrail files: over the whole span (hourly relationship
// rows) and over a scope shifted by a minute (events).
func TestSyntheticSummaryPrincipals(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	logs, truth, st, arch := analysistest.Organization(t, synth.Config{Seed: 11, Days: 2, Start: start, EventsPerDay: 3000, FlowsPerDay: 500, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	records := readGenerated(t, logs)
	span := trailhound.Scope{Start: truth.Start.Unix(), End: truth.End.Unix()}
	for _, sc := range []trailhound.Scope{span, {Start: span.Start + 60, End: span.End - 60}} {
		got, err := eng.Summary(ctx, analysis.SummaryRequest{Start: sc.Start, End: sc.End})
		if err != nil {
			t.Fatal(err)
		}
		roles, users := map[string]analysis.Counts{}, map[string]analysis.Counts{}
		add := func(m map[string]analysis.Counts, id string, failed bool) {
			c := m[id]
			if failed {
				c.Failure++
			} else {
				c.Success++
			}
			m[id] = c
		}
		for _, r := range records {
			if u := r.Time.Unix(); u < sc.Start || u >= sc.End {
				continue
			}
			switch r.Type {
			case "AssumedRole":
				if r.IssuerID != "" {
					add(roles, r.IssuerID, r.Failed)
				}
			case "IAMUser", "Root":
				// The root user is a user whose id is its principal id
				// (the account's number), as Detective shows it.
				id := r.PrincipalID
				if id == "" {
					id = r.Account
				}
				add(users, id, r.Failed)
			}
		}
		check := func(kind string, got []analysis.SummaryPrincipal, want map[string]analysis.Counts) {
			var totals []int64
			for _, c := range want {
				totals = append(totals, c.Success+c.Failure)
			}
			slices.Sort(totals)
			slices.Reverse(totals)
			totals = totals[:min(len(totals), analysis.SummaryTop)]
			if len(got) != len(totals) {
				t.Errorf("scope %v: %d top %s, want %d", sc, len(got), kind, len(totals))
				return
			}
			for i, p := range got {
				if c := want[p.Entity.ID]; c != (analysis.Counts{Success: p.Success, Failure: p.Failure}) {
					t.Errorf("scope %v: %s %s counts %d/%d, want %+v", sc, kind, p.Entity.ID, p.Success, p.Failure, c)
				}
				if p.Success+p.Failure != totals[i] {
					t.Errorf("scope %v: %s rank %d has %d calls, want %d", sc, kind, i, p.Success+p.Failure, totals[i])
				}
				var sum int64
				for _, d := range p.Series {
					sum += d.Success + d.Failure
				}
				if sum < p.Success+p.Failure && sc.End-sc.Start <= analysis.SummarySeriesDays*analysis.Day {
					t.Errorf("scope %v: %s %s series sums to %d, fewer than its %d calls", sc, kind, p.Entity.ID, sum, p.Success+p.Failure)
				}
			}
		}
		check("roles", got.TopRoles, roles)
		check("users", got.TopUsers, users)
		if len(got.TopRoles) == 0 || len(got.TopUsers) == 0 {
			t.Errorf("scope %v: no roles or users ranked", sc)
		}
	}

	// Usage: the bytes of every generated log file, by the account,
	// service folder and region of its path.
	usage, err := eng.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type group struct{ account, region, source string }
	want := map[group]int64{}
	err = filepath.Walk(logs, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(logs), p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) > 1 && strings.HasPrefix(parts[1], "o-") {
			parts = append(parts[:1], parts[2:]...)
		}
		src := map[string]string{"CloudTrail": "cloudtrail", "vpcflowlogs": "vpcflow", "GuardDuty": "guardduty"}[parts[2]]
		if src == "" {
			return nil // digests and other files that are not data
		}
		want[group{parts[1], parts[3], src}] += fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gotBytes := map[group]int64{}
	for _, s := range usage.Series {
		var days int64
		for _, d := range s.Days {
			days += d.Bytes
		}
		if days != s.Bytes {
			t.Errorf("%s/%s/%s: days sum to %d bytes, total %d", s.Account, s.Region, s.Source, days, s.Bytes)
		}
		gotBytes[group{s.Account, s.Region, string(s.Source)}] = s.Bytes
	}
	if diff := cmp.Diff(want, gotBytes, cmp.AllowUnexported(group{})); diff != "" {
		t.Errorf("usage bytes (-want +got):\n%s", diff)
	}
	if usage.CoveredDays != 2 {
		t.Errorf("covered days %d, want 2", usage.CoveredDays)
	}
}
