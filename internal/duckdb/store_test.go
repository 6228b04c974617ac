package duckdb_test

import (
	"context"
	"testing"

	"github.com/trailhound/trailhound/internal/duckdb"
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
