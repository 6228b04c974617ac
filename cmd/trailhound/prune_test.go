package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// archived counts the archived copies of objects in a data directory.
func archived(t *testing.T, data string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(data, "objects"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".gz") {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneCommand prunes the first day of two generated ones: a run
// without --yes removes nothing, the run with it removes the day's
// records and their archived copies, and ingesting the same logs again
// brings nothing back.
func TestPruneCommand(t *testing.T) {
	out, data := t.TempDir(), t.TempDir()
	if code, _, errOut := run(t, "gen", "--out", out, "--days", "2", "--start", "2026-04-06", "--scale", "2000", "--accounts", "3"); code != exitOK {
		t.Fatalf("gen: %s", errOut)
	}
	if code, _, errOut := run(t, "ingest", "--data", data, out); code != exitOK && code != exitFailed {
		t.Fatalf("ingest: %s", errOut)
	}
	stats := func() (events int64) {
		t.Helper()
		code, stdout, errOut := run(t, "stats", "--data", data, "--json")
		var s struct{ Events map[string]int64 }
		if code != exitOK || json.Unmarshal([]byte(stdout), &s) != nil {
			t.Fatalf("stats %d: %s%s", code, stdout, errOut)
		}
		return s.Events["cloudtrail"] + s.Events["vpcflow"]
	}
	events, copies := stats(), archived(t, data)

	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "either --before TIME or --keep-days N"},
		{[]string{"--before", "2026-04-07", "--keep-days", "3"}, "either --before"},
		{[]string{"--keep-days", "-2"}, "negative"},
		{[]string{"--before", "soon"}, "--before"},
		{[]string{"--before", "2026-04-07", "extra"}, "extra"},
	} {
		code, _, errOut := run(t, append([]string{"prune", "--data", data}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d %q, want %d %q", c.args, code, errOut, exitUsage, c.msg)
		}
	}

	code, stdout, errOut := run(t, "prune", "--data", data, "--before", "2026-04-07T00:20:00Z")
	if code != exitOK || !strings.Contains(stdout, "Would remove the data before 2026-04-07T00:00:00Z") || !strings.Contains(stdout, "run again with --yes") {
		t.Fatalf("dry run %d: %s%s", code, stdout, errOut)
	}
	if stats() != events || archived(t, data) != copies {
		t.Fatal("a run without --yes removed something")
	}

	code, stdout, errOut = run(t, "prune", "--data", data, "--before", "2026-04-07", "--yes", "--json")
	var res struct {
		Before          string
		DryRun          bool
		Rows            map[string]int64
		ArchivedObjects int
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != exitOK || res.DryRun || res.Before != "2026-04-07T00:00:00Z" {
		t.Fatalf("prune %d %v: %s%s", code, err, stdout, errOut)
	}
	removed := res.Rows["events"] + res.Rows["flows"]
	left := stats()
	if res.Rows["events"] == 0 || left >= events || res.ArchivedObjects == 0 || archived(t, data) != copies-res.ArchivedObjects {
		t.Errorf("removed %d event and flow rows (%d records of %d left) and %d of %d archived copies (%d left)",
			removed, left, events, res.ArchivedObjects, copies, archived(t, data))
	}

	// The same logs again: every object is known, nothing comes back.
	code, stdout, errOut = run(t, "ingest", "--data", data, "--json", out)
	var sum struct{ Objects, Stored, Unchanged int }
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Stored != 0 || sum.Unchanged == 0 {
		t.Errorf("ingest again %d %v: %+v %s", code, err, sum, errOut)
	}
	if stats() != left {
		t.Errorf("ingesting the same logs again brought records back")
	}
	if _, stdout, _ := run(t, "stats", "--data", data); !strings.Contains(stdout, "Pruned:    the records before 2026-04-07T00:00:00Z were removed") {
		t.Errorf("stats does not say what was pruned:\n%s", stdout)
	}
}
