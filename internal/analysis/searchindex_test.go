package analysis_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestSearchIndexMatchesSQL: searches without a scope answered by the
// index in memory equal those answered by SQL — matches, order, totals
// and every page — for listings, patterns, exact ids, address patterns
// and CIDR blocks, over the test corpus and a generated organization.
func TestSearchIndexMatchesSQL(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, db *sql.DB, queries []analysis.SearchRequest) {
		t.Helper()
		plain := analysis.New(db, analysis.Options{})
		indexed := analysis.New(db, analysis.Options{})
		if err := indexed.IndexSearches(ctx); err != nil {
			t.Fatal(err)
		}
		if !indexed.SearchIndexed(ctx) {
			t.Fatal("index not current right after it was built")
		}
		nonEmpty := 0
		for _, q := range queries {
			for _, limit := range []int{1, 3, 50} {
				req := q
				req.Limit = limit
				for page := 0; page < 30; page++ {
					want, werr := plain.Search(ctx, req)
					got, gerr := indexed.Search(ctx, req)
					if (werr == nil) != (gerr == nil) {
						t.Fatalf("%+v: SQL error %v, index error %v", req, werr, gerr)
					}
					if werr != nil {
						break
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("%+v page %d (-SQL +index):\n%s", req, page, diff)
					}
					if len(got.Results) > 0 {
						nonEmpty++
					}
					if req.Cursor = got.Cursor; req.Cursor == "" {
						break
					}
				}
			}
		}
		if nonEmpty < len(queries) {
			t.Errorf("only %d non-empty pages for %d queries: the comparison proves little", nonEmpty, len(queries))
		}
	}
	base := []analysis.SearchRequest{
		{}, {Type: trailhound.IPAddress}, {Type: trailhound.AwsRole}, {Type: trailhound.AccessKey}, {Type: trailhound.AwsAccount},
		{Q: "*"}, {Q: "*admin*"}, {Q: "*ADMIN*"}, {Q: "a?i*"}, {Q: "*.*"}, {Q: "1*"}, {Q: "10.*"}, {Q: "*:*"},
		{Q: "10.0.0.0/8"}, {Q: "0.0.0.0/0", Type: trailhound.IPAddress}, {Q: "198.51.100.0/24"}, {Q: "::/0"},
		{Q: "*", Type: trailhound.IPAddress}, {Q: "arn:aws:iam::*"}, {Q: "*/*"}, {Q: "i-*", Type: trailhound.Ec2Instance},
		{Q: "10.0.0.0/8", Type: trailhound.AwsUser},
	}
	t.Run("corpus", func(t *testing.T) {
		st, _ := corpusStore(t)
		queries := append(base, analysis.SearchRequest{Q: "AIDAEXAMPLEBACKDOOR1"}, analysis.SearchRequest{Q: "aidaexamplebackdoor1"},
			analysis.SearchRequest{Q: "89.160.20.112"}, analysis.SearchRequest{Q: "89.160.*.*"}, analysis.SearchRequest{Q: "111122223333"})
		check(t, st.DB(), queries)
	})
	t.Run("generated", func(t *testing.T) {
		if testing.Short() {
			t.Skip("generates and ingests an organization")
		}
		scen := synth.AllScenarios()
		_, truth, st, _ := analysistest.Organization(t, synth.Config{Seed: 11, Days: 1, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			EventsPerDay: 3000, FlowsPerDay: 3000, Scenarios: scen})
		queries := base
		for _, a := range truth.Accounts {
			queries = append(queries, analysis.SearchRequest{Q: a.ID})
		}
		check(t, st.DB(), queries)
	})
}

// TestSearchIndexFollowsWrites: WarmUp builds the index; a write makes it
// stale, so searches answer with SQL (and see the write) while a new
// index is built, which then answers with the write too.
func TestSearchIndexFollowsWrites(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	write := func(n int) {
		t.Helper()
		b := graph.NewBatch()
		for i := range 5 {
			c := &trailhound.APICall{EventID: fmt.Sprintf("e%d-%d", n, i), Time: time.Date(2026, 11, 1, n, i, 0, 0, time.UTC),
				Source: "iam.amazonaws.com", Name: "ListUsers", SourceIP: fmt.Sprintf("198.51.100.%d", n),
				Identity: trailhound.Identity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDAEXAMPLEUSER%d", n), AccountID: "111122223333"}}
			if err := b.APICall(c); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("o%d", n)
		obj := graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceCloudTrail, Batch: b}
		if _, err := st.Write(ctx, []graph.ObjectWrite{obj}, func(string) graph.IPInfo { return graph.IPInfo{Class: "public"} }); err != nil {
			t.Fatal(err)
		}
	}
	users := func(eng *analysis.Engine) int64 {
		t.Helper()
		res, err := eng.Search(ctx, analysis.SearchRequest{Q: "aidaexampleuser*"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	waitIndexed := func(eng *analysis.Engine) {
		t.Helper()
		for range 500 {
			if eng.SearchIndexed(ctx) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the index was not built")
	}
	write(1)
	eng := analysis.New(st.DB(), analysis.Options{})
	stop := eng.WarmUp(ctx, 0, nil)
	defer stop()
	waitIndexed(eng)
	if n := users(eng); n != 1 {
		t.Fatalf("%d users found, want 1", n)
	}
	write(2)
	if n := users(eng); n != 2 {
		t.Fatalf("after a write, %d users found, want 2", n)
	}
	waitIndexed(eng)
	if n := users(eng); n != 2 {
		t.Fatalf("from the rebuilt index, %d users found, want 2", n)
	}
}
