package analysis_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// generatedFinding is what the findings list test reads from the
// generated GuardDuty exports with encoding/json, independently of the
// decoder and the store.
type generatedFinding struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	Title     string  `json:"title"`
	Severity  float64 `json:"severity"`
	AccountID string  `json:"accountId"`
	Region    string  `json:"region"`
	UpdatedAt string  `json:"updatedAt"`
	Service   struct {
		Archived bool `json:"archived"`
	} `json:"service"`
}

func readGeneratedFindings(t *testing.T, logs string) map[string]generatedFinding {
	t.Helper()
	latest := map[string]generatedFinding{}
	err := filepath.WalkDir(logs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "/GuardDuty/") || !strings.HasSuffix(p, ".jsonl.gz") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var g generatedFinding
			if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
				return err
			}
			if old, ok := latest[g.ID]; !ok || g.UpdatedAt > old.UpdatedAt {
				latest[g.ID] = g
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return latest
}

// TestFindingsList checks the findings list of a generated organization
// with every scenario against the GuardDuty exports read directly:
// totals, facets, each filter, sorting and paging.
func TestFindingsList(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	logs, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 11, Days: 1,
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), EventsPerDay: 2000, FlowsPerDay: 500, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	gen := readGeneratedFindings(t, logs)
	if len(gen) < 5 {
		t.Fatalf("the generated organization has %d findings; the test needs several", len(gen))
	}

	// want returns the ids of generated findings that pass keep, sorted
	// by the list's default order's first key (severity, descending),
	// as a set for comparison.
	want := func(keep func(generatedFinding) bool) []string {
		var ids []string
		for _, g := range gen {
			if !g.Service.Archived && keep(g) {
				ids = append(ids, g.ID)
			}
		}
		sort.Strings(ids)
		return ids
	}
	// all pages through the list and returns the ids seen, sorted, and
	// checks that no id is returned twice and Total matches.
	all := func(req analysis.FindingsRequest) []string {
		t.Helper()
		req.Limit = 3
		var ids []string
		seen := map[string]bool{}
		var total int64 = -1
		for {
			page, err := eng.Findings(ctx, req)
			if err != nil {
				t.Fatalf("%+v: %v", req, err)
			}
			if total >= 0 && page.Total != total {
				t.Fatalf("total changed between pages: %d then %d", total, page.Total)
			}
			total = page.Total
			for _, f := range page.Findings {
				if seen[f.ID] {
					t.Fatalf("%s returned twice", f.ID)
				}
				seen[f.ID] = true
				ids = append(ids, f.ID)
			}
			if page.Cursor == "" {
				break
			}
			req.Cursor = page.Cursor
		}
		if int64(len(ids)) != total {
			t.Fatalf("paged %d findings, total says %d", len(ids), total)
		}
		sort.Strings(ids)
		return ids
	}

	anyType := gen[want(func(generatedFinding) bool { return true })[0]].Type
	family, _, _ := strings.Cut(anyType, ":")
	tests := []struct {
		name string
		req  analysis.FindingsRequest
		keep func(generatedFinding) bool
	}{
		{"all", analysis.FindingsRequest{}, func(generatedFinding) bool { return true }},
		{"high", analysis.FindingsRequest{Severity: []string{"high", "critical"}}, func(g generatedFinding) bool { return g.Severity >= 7 }},
		{"low or medium", analysis.FindingsRequest{Severity: []string{"LOW", "medium"}}, func(g generatedFinding) bool { return g.Severity < 7 }},
		{"type family", analysis.FindingsRequest{Types: []string{strings.ToLower(family) + ":*"}}, func(g generatedFinding) bool { return strings.HasPrefix(g.Type, family+":") }},
		{"text", analysis.FindingsRequest{Q: strings.ToUpper(family)}, func(g generatedFinding) bool {
			f := strings.ToLower(family)
			return strings.Contains(strings.ToLower(g.Type+g.Title+g.ID), f)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := want(tt.keep)
			if len(w) == 0 {
				t.Fatalf("no generated finding passes the filter; the case tests nothing")
			}
			if diff := cmp.Diff(w, all(tt.req)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	// Default order: severity descending.
	page, err := eng.Findings(ctx, analysis.FindingsRequest{Limit: analysis.MaxFindingsLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(page.Findings); i++ {
		if page.Findings[i-1].Severity < page.Findings[i].Severity {
			t.Fatalf("not sorted by severity: %v before %v", page.Findings[i-1].Severity, page.Findings[i].Severity)
		}
	}
	// Facets add up to the total and match the generated bands.
	bands := map[string]int64{}
	for _, id := range want(func(generatedFinding) bool { return true }) {
		bands[analysis.Band(gen[id].Severity)]++
	}
	got := map[string]int64{}
	for _, f := range page.Facets["severity"] {
		got[f.Value] = f.Count
	}
	if diff := cmp.Diff(bands, got); diff != "" {
		t.Errorf("severity facet (-want +got):\n%s", diff)
	}
	// Sorting by an allowed field, ascending.
	asc, err := eng.Findings(ctx, analysis.FindingsRequest{Sort: "lastSeen", Limit: analysis.MaxFindingsLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(asc.Findings); i++ {
		if asc.Findings[i-1].LastSeen > asc.Findings[i].LastSeen {
			t.Fatalf("not sorted by lastSeen")
		}
	}
	// Bad parameters name themselves.
	for _, req := range []analysis.FindingsRequest{
		{Severity: []string{"urgent"}}, {Sort: "severity; DROP TABLE findings"}, {Archived: "maybe"},
		{Limit: analysis.MaxFindingsLimit + 1}, {Cursor: "x"}, {Start: 100, End: 50},
	} {
		if _, err := eng.Findings(ctx, req); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("%+v: error %v, want EINVALID", req, err)
		}
	}
}
