package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/groups/groupstest"
)

// TestGroupsCommand ingests two deliveries with the command, which
// groups their findings, then lists, shows and rebuilds the groups.
func TestGroupsCommand(t *testing.T) {
	data := t.TempDir()
	in1, in2 := t.TempDir(), t.TempDir()
	analysistest.WriteFiles(t, in1, groupstest.Files("batch1", groupstest.Batch1, true))
	analysistest.WriteFiles(t, in2, groupstest.Files("batch2", groupstest.Batch2, false))

	code, stdout, stderr := run(t, "ingest", "--data", data, in1)
	if code != 0 || !strings.Contains(stdout, "Finding groups: 4 findings placed; 3 groups made, 0 grown, 0 closed; 3 active") {
		t.Fatalf("ingest %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "ingest", "--data", data, "--json", in2)
	var sum struct{ Groups groups.UpdateResult }
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || code != 0 || sum.Groups.Findings != 3 {
		t.Fatalf("ingest --json %d %+v %v: %s%s", code, sum, err, stdout, stderr)
	}

	code, stdout, stderr = run(t, "groups", "--data", data)
	if code != 0 || !strings.Contains(stdout, "Discovery → Impact: 3 findings, 1 principal, 1 instance") || !strings.Contains(stdout, "TITLE") {
		t.Fatalf("groups %d: %s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "groups", "list", "--json", "--data", data, "--severity", "high")
	var list groups.List
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || code != 0 || list.Total != 1 {
		t.Fatalf("groups list --json %d %v: %s", code, err, stdout)
	}
	id := list.Groups[0].ID
	code, stdout, _ = run(t, "groups", "--data", data, "show", id)
	for _, want := range []string{"Group " + id + " (active, grouped)", "Tactics: Discovery (TA0007) → Impact (TA0040)", "was created by",
		"Not used to relate findings", "AwsAccount " + groupstest.Account + ": the account"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, stdout)
		}
	}
	if code != 0 {
		t.Errorf("show exit %d", code)
	}
	code, stdout, _ = run(t, "groups", "--data", data, "rebuild", "--json")
	var res groups.UpdateResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 || res.Findings != 6 || res.Active != 3 {
		t.Errorf("rebuild %d %+v %v", code, res, err)
	}
	if code, _, _ := run(t, "groups", "--data", data, "show", id); code != 0 {
		t.Errorf("the group's id changed in the rebuild")
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"groups", "--data", data, "show", "nope"}, exitFailed, `no finding group with id "nope"`},
		{[]string{"groups", "--data", data, "show"}, exitUsage, "want list, show ID or rebuild"},
		{[]string{"groups", "--data", data, "frobnicate"}, exitUsage, "frobnicate"},
		{[]string{"groups", "--data", data, "--limit", "0"}, exitUsage, "--limit"},
		{[]string{"groups", "--data", data, "--status", "open"}, exitUsage, "status"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: %d %q, want %d %q", c.args, code, stderr, c.code, c.msg)
		}
	}
	t.Setenv("TRAILHOUND_GROUP_WINDOW", "soon")
	if code, _, stderr := run(t, "groups", "--data", data); code != exitUsage || !strings.Contains(stderr, "TRAILHOUND_GROUP_WINDOW") {
		t.Errorf("bad window: %d %q", code, stderr)
	}
}

// TestServeGroups: serve groups findings that were stored without
// groups, and answers the group routes.
func TestServeGroups(t *testing.T) {
	data := t.TempDir()
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	groupstest.Ingest(t, st, groupstest.Files("batch1", groupstest.Batch1, true))
	st.Close()
	srv := startServe(t, data)
	defer func() {
		if code := srv.stop(t); code != 0 {
			t.Errorf("serve exit %d: %s", code, srv.stderr.String())
		}
	}()
	ctx := context.Background()
	c, err := client.New(srv.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	var list *client.GroupList
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if list, err = c.Groups(ctx, client.GroupsParams{}); err == nil && list.Total == 3 {
			break
		}
	}
	if err != nil || list == nil || list.Total != 3 {
		t.Fatalf("groups %+v %v: %s", list, err, srv.stderr.String())
	}
	// The update is logged after its transaction commits, so the
	// groups can be served a moment before the line is written.
	logged := func() bool { return strings.Contains(srv.stderr.String(), `"msg":"groups_updated"`) }
	for deadline := time.Now().Add(10 * time.Second); !logged() && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if !logged() {
		t.Errorf("no update logged: %s", srv.stderr.String())
	}
}
