package duckdb_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trailhound/trailhound/internal/duckdb"
)

// TestMigrationsAllApplied checks that opening a store applies every
// migration file, and that reopening applies none twice.
func TestMigrationsAllApplied(t *testing.T) {
	var want []int
	err := filepath.WalkDir("migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		v, err := strconv.Atoi(strings.SplitN(d.Name(), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: name must start with its version number", p)
		}
		want = append(want, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	for range 2 {
		st, err := duckdb.Open(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		rows, err := st.DB().QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v int
			rows.Scan(&v)
			got = append(got, v)
		}
		rows.Close()
		st.Close()
		if len(got) != len(want) {
			t.Fatalf("applied %v, files %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("applied %v, files %v", got, want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "trailhound.duckdb")); err != nil {
		t.Fatal(err)
	}
}
