package duckdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		st, err := duckdb.Open(context.Background(), t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatalf("reopening an existing store: %v", err)
	}
	defer st.Close()
	if _, err := st.Stats(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDuplicatesAfterReopen checks that events stored by an earlier
// process are recognized: the filter of stored ids is read from the file.
func TestDuplicatesAfterReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	object := func(name string, ids ...string) graph.ObjectWrite {
		b := graph.NewBatch()
		for _, id := range ids {
			// A redelivered event has its time, which the look-up uses.
			c := &trailhound.APICall{EventID: id, Time: time.Date(2026, 11, 1, 10, int(id[1]-'0'), 0, 0, time.UTC), Source: "iam.amazonaws.com", Name: "ListUsers",
				Identity: trailhound.Identity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", AccountID: "111122223333"}}
			if err := b.APICall(c); err != nil {
				t.Fatal(err)
			}
		}
		return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceCloudTrail, Batch: b}
	}
	st, err := duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(ctx, []graph.ObjectWrite{object("a", "e1", "e2")}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Write(ctx, []graph.ObjectWrite{object("b", "e2", "e3")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].New[trailhound.SourceCloudTrail] != 1 || res[0].Duplicates != 1 {
		t.Errorf("result = %+v, want 1 new event and 1 duplicate", res[0])
	}
	// And within the process, across writes.
	res, err = st.Write(ctx, []graph.ObjectWrite{object("c", "e1", "e3", "e4")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].New[trailhound.SourceCloudTrail] != 1 || res[0].Duplicates != 2 {
		t.Errorf("result = %+v, want 1 new event and 2 duplicates", res[0])
	}
	if s, err := st.Stats(ctx); err != nil || s.Events[trailhound.SourceCloudTrail] != 4 {
		t.Errorf("stats = %+v, %v; want 4 events", s, err)
	}
}
