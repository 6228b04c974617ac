package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailhound/trailhound/internal/duckdb"
)

// TestBackfill runs the backfill command on a store whose connection
// table lacks the flows of its objects (as a store created by an earlier
// version does): by part with --from/--to, then to completion, in text
// and JSON; and its usage errors.
func TestBackfill(t *testing.T) {
	out, data := t.TempDir(), t.TempDir()
	if code, _, errOut := run(t, "gen", "--out", out, "--days", "1", "--start", "2026-04-06", "--scale", "2000", "--accounts", "3"); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, errOut)
	}
	if code, _, errOut := run(t, "ingest", "--data", data, "--json", filepath.Join(out, "AWSLogs")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM flow_conns`,
		`INSERT OR REPLACE INTO store_state SELECT 'flow_conns.missing_through_object', max(object_id) FROM objects`} {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	type summary struct {
		Objects   int   `json:"objects"`
		Records   int64 `json:"records"`
		Remaining int   `json:"remaining"`
		Complete  bool  `json:"complete"`
		Failed    []any `json:"failed"`
	}
	code, stdout, errOut := run(t, "backfill", "--data", data, "--json", "--from", "2026-04-06T06:00Z", "--to", "2026-04-06T12:00:00Z")
	var part summary
	if err := json.Unmarshal([]byte(stdout), &part); code != exitOK || err != nil {
		t.Fatalf("backfill by part: exit %d, %v: %s %s", code, err, stdout, errOut)
	}
	if part.Objects == 0 || part.Records == 0 || part.Complete || part.Remaining == 0 || part.Failed == nil {
		t.Errorf("backfill by part: %+v", part)
	}
	code, stdout, errOut = run(t, "backfill", "--data", data)
	if code != exitOK || !strings.Contains(stdout, "The store is complete") || !strings.Contains(stdout, "Backfilled") {
		t.Errorf("backfill: exit %d: %s %s", code, stdout, errOut)
	}
	code, stdout, _ = run(t, "backfill", "--data", data, "--json")
	var again summary
	if err := json.Unmarshal([]byte(stdout), &again); code != exitOK || err != nil || again.Objects != 0 || !again.Complete {
		t.Errorf("backfill of a complete store: exit %d, %v: %s", code, err, stdout)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "yesterday"}, "--from"},
		{[]string{"--from", "2026-04-07", "--to", "2026-04-06"}, "--to must be after --from"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		code, _, errOut := run(t, append([]string{"backfill", "--data", data}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, errOut)
		}
	}
}
