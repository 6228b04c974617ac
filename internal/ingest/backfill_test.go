package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestBackfillConns empties the connection table of an ingested store as
// if the store predated it, and checks that backfilling writes back
// exactly what the ingest wrote: by parts (a time range, then the rest),
// resuming after an object it could not read, and leaving the store as
// complete as a fresh ingest (same fingerprint, no bookkeeping left).
func TestBackfillConns(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	out := t.TempDir()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(ctx, synth.Config{Seed: 3, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 20_000},
		synth.DirWriter{Root: out}, nil); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	st := openStore(t, data)
	arch, err := archive.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, st, locations(t, filepath.Join(out, "AWSLogs")), Options{Archive: arch}); err != nil {
		t.Fatal(err)
	}
	want, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := st.DB()
	count := func(q string) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rows := count(`SELECT count(*) FROM flow_conns`)
	if rows < 1000 {
		t.Fatalf("%d connection rows: the test data is too thin", rows)
	}

	// Nothing to do on a store ingested with the table.
	sum, err := Backfill(ctx, st, BackfillOptions{Archive: arch})
	if err != nil || sum.Objects != 0 || !sum.Complete {
		t.Fatalf("backfill of a complete store: %+v, %v", sum, err)
	}

	// The store as an earlier version left it: without the connection
	// table, which migration 006 then adds, empty, with every object to
	// backfill.
	for _, q := range []string{`DROP TABLE flow_conns`, `DROP TABLE flow_conns_backfilled`,
		`DELETE FROM store_state WHERE name LIKE 'flow_conns.%'`, `DELETE FROM schema_migrations WHERE version = 6`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	st = openStore(t, data)
	db = st.DB()
	if n := count(`SELECT count(*) FROM flow_conns`); n != 0 {
		t.Fatalf("%d connection rows after the migration", n)
	}
	todo, err := st.ConnBackfillTodo(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	flowObjects := count(`SELECT count(DISTINCT object_id) FROM flows`)
	if int64(len(todo)) != flowObjects {
		t.Fatalf("%d objects to backfill, want the %d flow log objects", len(todo), flowObjects)
	}

	// One object's archived copy is gone.
	lost := todo[len(todo)/2]
	copyPath := filepath.Join(data, "objects", lost.SHA256[:2], lost.SHA256+".gz")
	if err := os.Rename(copyPath, copyPath+".away"); err != nil {
		t.Fatal(err)
	}

	// The morning first.
	var progress []Progress
	sum, err = Backfill(ctx, st, BackfillOptions{Archive: arch, From: start, To: start.Add(6 * time.Hour), CommitRecords: 2000,
		Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Objects == 0 || sum.Complete || sum.Remaining == 0 || sum.Objects+sum.Remaining != len(todo) {
		t.Fatalf("first part: %+v of %d objects", sum, len(todo))
	}
	if len(progress) < 3 || !progress[len(progress)-1].Done {
		t.Errorf("progress reported %d times, last %+v", len(progress), progress[len(progress)-1])
	}

	// Then the rest: all but the lost object.
	sum, err = Backfill(ctx, st, BackfillOptions{Archive: arch, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failed) != 1 || sum.Failed[0].Path != lost.URI || sum.Complete || sum.Remaining != 1 {
		t.Fatalf("second part: %+v, want %s failed and left", sum, lost.URI)
	}

	// The copy comes back: the last run completes the table.
	if err := os.Rename(copyPath+".away", copyPath); err != nil {
		t.Fatal(err)
	}
	sum, err = Backfill(ctx, st, BackfillOptions{Archive: arch})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Objects != 1 || !sum.Complete || sum.Remaining != 0 || sum.Optimized != nil {
		t.Fatalf("last part: %+v", sum)
	}
	if got, err := st.Fingerprint(ctx); err != nil || got != want {
		t.Errorf("after the backfill the store differs from the ingest (%v)", err)
	}
	if n := count(`SELECT count(*) FROM flow_conns`); n != rows {
		t.Errorf("%d connection rows, the ingest wrote %d", n, rows)
	}
	if n := count(`SELECT count(*) FROM flow_conns_backfilled`) + count(`SELECT max(value) FROM store_state WHERE name = 'flow_conns.missing_through_object'`); n != 0 {
		t.Errorf("bookkeeping left after completing: %d", n)
	}
}
