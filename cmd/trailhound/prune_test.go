package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
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

// storedRecords counts the CloudTrail events and flow records stored.
func storedRecords(t *testing.T, data string) int64 {
	t.Helper()
	code, stdout, errOut := run(t, "stats", "--data", data, "--json")
	var s struct{ Events map[string]int64 }
	if code != exitOK || json.Unmarshal([]byte(stdout), &s) != nil {
		t.Fatalf("stats %d: %s%s", code, stdout, errOut)
	}
	return s.Events["cloudtrail"] + s.Events["vpcflow"]
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
	stats := func() int64 { return storedRecords(t, data) }
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

	// A prune that committed and then crashed before it removed the
	// archived copies it freed: the next prune removes them too.
	{
		st, err := duckdb.Open(context.Background(), data, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Prune(context.Background(), time.Date(2026, 4, 6, 12, 0, 0, 0, time.UTC), false)
		st.Close()
		if err != nil || len(res.Unreferenced) == 0 {
			t.Fatalf("the interrupted prune freed no copy: %+v %v", res, err)
		}
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

	// No archived copy of a pruned content is left.
	{
		st, err := duckdb.Open(context.Background(), data, nil)
		if err != nil {
			t.Fatal(err)
		}
		shas, err := st.PrunedContents(context.Background())
		st.Close()
		arch, aerr := archive.Open(filepath.Join(data, "objects"))
		if err != nil || aerr != nil || len(shas) == 0 {
			t.Fatalf("pruned contents %d: %v %v", len(shas), err, aerr)
		}
		for _, sha := range shas {
			if arch.Has(sha) {
				t.Errorf("the archived copy of pruned content %s is left", sha)
			}
		}
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

	// Compacting gives the space back and keeps every record: the same
	// graph, the same objects known.
	// The graph, and the schema's view and constraints, which come along.
	state := func() string {
		t.Helper()
		st, err := duckdb.Open(context.Background(), data, nil)
		if err != nil {
			t.Fatal(err)
		}
		var findings, keys int64
		err = st.DB().QueryRow(`SELECT (SELECT count(*) FROM latest_findings), (SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY')`).Scan(&findings, &keys)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(fingerprint(t, data), findings, keys)
	}
	file := filepath.Join(data, duckdb.FileName)
	size := func() int64 {
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	fp, before := state(), size()
	// A copy left by an interrupted run is replaced.
	if err := os.WriteFile(file+".compact", []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut = run(t, "compact", "--data", data, "--json")
	var comp struct{ BytesBefore, BytesAfter int64 }
	if err := json.Unmarshal([]byte(stdout), &comp); err != nil || code != exitOK || comp.BytesBefore != before || comp.BytesAfter >= before || size() != comp.BytesAfter {
		t.Fatalf("compact %d %v: %s%s (file %d bytes before, %d after)", code, err, stdout, errOut, before, size())
	}
	if state() != fp || storedRecords(t, data) != left {
		t.Error("compacting changed the graph")
	}
	if _, err := os.Stat(file + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the copy is left beside the store: %v", err)
	}
	code, stdout, errOut = run(t, "ingest", "--data", data, "--json", out)
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Stored != 0 || sum.Unchanged == 0 {
		t.Errorf("ingest after compacting %d %v: %+v %s", code, err, sum, errOut)
	}
}

// TestServeKeepDays starts serve with --keep-days 1 over three days of
// logs ending today: it removes what is older than a day while it serves.
func TestServeKeepDays(t *testing.T) {
	if code, _, errOut := run(t, "serve", "--keep-days", "-1"); code != exitUsage || !strings.Contains(errOut, "--keep-days") {
		t.Errorf("negative --keep-days: exit %d %s", code, errOut)
	}
	out, data := t.TempDir(), t.TempDir()
	start := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	if code, _, errOut := run(t, "gen", "--out", out, "--days", "3", "--start", start, "--scale", "2000", "--accounts", "3"); code != exitOK {
		t.Fatalf("gen: %s", errOut)
	}
	if code, _, errOut := run(t, "ingest", "--data", data, out); code != exitOK && code != exitFailed {
		t.Fatalf("ingest: %s", errOut)
	}
	records, copies := storedRecords(t, data), archived(t, data)
	srv := startServe(t, data, "--keep-days", "1")
	var pruned struct {
		Msg             string
		Rows            int64
		ArchivedObjects int `json:"archived_objects"`
	}
	for deadline := time.Now().Add(60 * time.Second); pruned.Msg == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, line := range strings.Split(srv.stderr.String(), "\n") {
			if strings.Contains(line, `"msg":"pruned"`) {
				if err := json.Unmarshal([]byte(line), &pruned); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if code := srv.stop(t); code != exitOK {
		t.Fatalf("serve exit %d: %s", code, srv.stderr.String())
	}
	if pruned.Msg == "" || pruned.Rows == 0 || pruned.ArchivedObjects == 0 {
		t.Fatalf("no prune logged that removed rows and archived copies: %+v\n%s", pruned, srv.stderr.String())
	}
	left := storedRecords(t, data)
	if left == 0 || left >= records || archived(t, data) != copies-pruned.ArchivedObjects {
		t.Errorf("%d of %d records left, %d of %d archived copies, %d removed", left, records, archived(t, data), copies, pruned.ArchivedObjects)
	}
	if _, stdout, _ := run(t, "stats", "--data", data); !strings.Contains(stdout, "Pruned:") {
		t.Errorf("stats does not say what was pruned:\n%s", stdout)
	}
}
