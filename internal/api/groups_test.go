package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/groups/groupstest"
)

// noEvidence keeps the group tests to the groups.
type noEvidence struct{}

func (noEvidence) Evidence(context.Context, []trailhound.EntityRef, trailhound.Scope) ([]any, error) {
	return []any{}, nil
}

// groupsServer serves the first delivery of the groups fixture.
func groupsServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, _ := groupstest.Open(t)
	groupstest.Ingest(t, st, groupstest.Files("batch1", groupstest.Batch1, true))
	svc := groups.New(st.DB(), groups.Options{Evidence: noEvidence{}})
	if _, err := svc.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := api.New(analysis.New(st.DB(), analysis.Options{}), nil)
	s.SetGroups(svc)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, method, u, contentType, body string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s %s: content type %q", method, u, ct)
	}
	return resp.StatusCode, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func TestGroupRoutes(t *testing.T) {
	srv := groupsServer(t)
	base := srv.URL + "/api/v1/groups"

	status, body := call(t, "GET", base, "", "", nil)
	list := decode[groups.List](t, body)
	if status != 200 || list.Total != 3 || len(list.Groups) != 3 {
		t.Fatalf("list %d %s", status, body)
	}
	// The scope keeps the groups active in it: every group in a window
	// from the earliest first seen to the latest last seen, none after.
	first, last := list.Groups[0].FirstSeen, list.Groups[0].LastSeen
	for _, g := range list.Groups {
		first, last = min(first, g.FirstSeen), max(last, g.LastSeen)
	}
	for _, c := range []struct {
		start, end int64
		want       int64
	}{
		{first, last + 1, 3},
		{last + 1, last + 3600, 0},
		{first - 3600, first, 0},
	} {
		status, body = call(t, "GET", base+"?scopeStart="+itoa(c.start)+"&scopeEnd="+itoa(c.end), "", "", nil)
		if l := decode[groups.List](t, body); status != 200 || l.Total != c.want {
			t.Errorf("scope %d-%d: %d %s, want %d groups", c.start, c.end, status, body, c.want)
		}
	}
	alice := url.QueryEscape("AwsUser/" + groupstest.AliceID)
	status, body = call(t, "GET", base+"?severity=high,critical&tactic=Impact&entity="+alice+"&sort=-lastSeen", "", "", nil)
	filtered := decode[groups.List](t, body)
	if status != 200 || filtered.Total != 1 {
		t.Fatalf("filtered %d %s", status, body)
	}
	id := filtered.Groups[0].ID

	status, body = call(t, "GET", base+"/"+id, "", "", nil)
	d := decode[groups.Detail](t, body)
	if status != 200 || len(d.Findings) != 2 || len(d.Tactics) != 2 || d.Tactics[0].Name != "Discovery" || d.Tactics[1].ID != "TA0040" {
		t.Fatalf("detail %d %s", status, body)
	}

	// A member finding links to its group.
	status, body = call(t, "GET", srv.URL+"/api/v1/findings/"+url.PathEscape(d.Findings[0].ID), "", "", nil)
	f := decode[struct {
		ID     string            `json:"id"`
		Groups []groups.GroupRef `json:"groups"`
	}](t, body)
	if status != 200 || f.ID != d.Findings[0].ID || len(f.Groups) == 0 || f.Groups[0].ID != id || f.Groups[0].Status != "active" {
		t.Fatalf("finding %d %s", status, body)
	}
	if r := d.Findings[1].Reasons; len(r) != 1 || r[0].Kind != groups.ReasonRelatedEntity || r[0].Text == "" {
		t.Errorf("reasons %+v", r)
	}
	if len(d.Ignored) == 0 || len(d.Entities) == 0 || d.Evidence == nil {
		t.Errorf("entities %v ignored %v evidence %v", d.Entities, d.Ignored, d.Evidence)
	}

	status, body = call(t, "GET", base+"/"+id+"/graph?aggregate=false&maxNodes=50", "", "", nil)
	g := decode[groups.Graph](t, body)
	if status != 200 || len(g.Nodes) < 4 || len(g.Edges) < 3 {
		t.Errorf("graph %d %s", status, body)
	}

	// Split the miner out, as an analyst whose name holds markup.
	hdr := map[string]string{api.UserHeader: `ana <b>"x"</b>`}
	status, body = call(t, "POST", base+"/"+id+"/split", "application/json", `{"finding":"f2-mining"}`, hdr)
	split := decode[groups.EditResult](t, body)
	if status != 200 || len(split.Groups) != 2 || split.Edit.Who != `ana <b>"x"</b>` {
		t.Fatalf("split %d %s", status, body)
	}
	if strings.Contains(string(body), "<b>") {
		t.Errorf("markup not escaped: %s", body)
	}
	status, body = call(t, "POST", base+"/"+split.Groups[0].ID+"/merge", "application/json; charset=utf-8",
		`{"group":"`+split.Groups[1].ID+`"}`, nil)
	merged := decode[groups.EditResult](t, body)
	if status != 200 || len(merged.Groups) != 1 || merged.Edit.Who != "anonymous" || merged.Groups[0].FindingCount != 2 {
		t.Fatalf("merge %d %s", status, body)
	}
	status, body = call(t, "GET", base+"/"+merged.Groups[0].ID+"/audit", "", "", nil)
	audit := decode[groups.Audit](t, body)
	if status != 200 || len(audit.Edits) != 1 || audit.Edits[0].Action != "merge" {
		t.Errorf("audit %d %s", status, body)
	}
	status, body = call(t, "GET", base+"/"+id+"/audit", "", "", nil)
	if audit := decode[groups.Audit](t, body); status != 200 || len(audit.Edits) != 1 || audit.Edits[0].Action != "split" {
		t.Errorf("audit of the split group %d %s", status, body)
	}
	status, body = call(t, "GET", base+"?status=inactive", "", "", nil)
	if l := decode[groups.List](t, body); status != 200 || l.Total != 3 {
		t.Errorf("inactive %d %s", status, body)
	}
}

func TestGroupErrors(t *testing.T) {
	srv := groupsServer(t)
	base := srv.URL + "/api/v1/groups"
	_, body := call(t, "GET", base, "", "", nil)
	list := decode[groups.List](t, body)
	a, b := list.Groups[0].ID, list.Groups[1].ID
	cases := []struct {
		method, path, ctype, body string
		status                    int
		code, names               string
	}{
		{"GET", "?bogus=1", "", "", 400, trailhound.EINVALID, "bogus"},
		{"GET", "?entity=nonsense", "", "", 400, trailhound.EINVALID, "entity"},
		{"GET", "?severity=huge", "", "", 400, trailhound.EINVALID, "severity"},
		{"GET", "?tactic=Hacking", "", "", 400, trailhound.EINVALID, "tactic"},
		{"GET", "?status=open", "", "", 400, trailhound.EINVALID, "status"},
		{"GET", "?sort=id", "", "", 400, trailhound.EINVALID, "sort"},
		{"GET", "?limit=0x10", "", "", 400, trailhound.EINVALID, "limit"},
		{"GET", "?cursor=zzz", "", "", 400, trailhound.EINVALID, "cursor"},
		{"GET", "?scopeStart=soon", "", "", 400, trailhound.EINVALID, "scopeStart"},
		{"GET", "?scopeStart=1700003600&scopeEnd=1700000000", "", "", 400, trailhound.EINVALID, "scopeEnd"},
		{"GET", "/nope", "", "", 404, trailhound.ENOTFOUND, "nope"},
		{"GET", "/" + a + "?x=1", "", "", 400, trailhound.EINVALID, "x"},
		{"GET", "/nope/graph", "", "", 404, trailhound.ENOTFOUND, "nope"},
		{"GET", "/" + a + "/graph?aggregate=maybe", "", "", 400, trailhound.EINVALID, "aggregate"},
		{"GET", "/" + a + "/graph?maxNodes=-1", "", "", 400, trailhound.EINVALID, "maxNodes"},
		{"GET", "/nope/audit", "", "", 404, trailhound.ENOTFOUND, "nope"},
		{"POST", "/" + a + "/split", "text/plain", `{"finding":"f1-discovery"}`, 400, trailhound.EINVALID, "application/json"},
		{"POST", "/" + a + "/split", "application/json", ``, 400, trailhound.EINVALID, "empty"},
		{"POST", "/" + a + "/split", "application/json", `{"finding":"x","extra":1}`, 400, trailhound.EINVALID, "extra"},
		{"POST", "/" + a + "/split", "application/json", `{}`, 400, trailhound.EINVALID, "finding"},
		{"POST", "/" + a + "/split", "application/json", `{"finding":"not-a-member"}`, 400, trailhound.EINVALID, "not-a-member"},
		{"POST", "/nope/split", "application/json", `{"finding":"f1-discovery"}`, 404, trailhound.ENOTFOUND, "nope"},
		{"POST", "/" + a + "/merge", "application/json", `{"group":"` + a + `"}`, 400, trailhound.EINVALID, "itself"},
		{"POST", "/" + a + "/merge", "application/json", `{}`, 400, trailhound.EINVALID, "group"},
		{"POST", "/" + a + "/merge", "application/json", `{"group":"nope"}`, 404, trailhound.ENOTFOUND, "nope"},
		{"GET", "/" + a + "/split", "", "", 404, trailhound.ENOTFOUND, "route"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			e := decode[api.ErrorBody](t, body)
			if e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.names) {
				t.Errorf("%+v, want %s naming %q", e.Error, c.code, c.names)
			}
		})
	}
	// Editing an inactive group is a conflict.
	if status, _ := call(t, "POST", base+"/"+a+"/merge", "application/json", `{"group":"`+b+`"}`, nil); status != 200 {
		t.Fatalf("merge %d", status)
	}
	status, body := call(t, "POST", base+"/"+a+"/merge", "application/json", `{"group":"`+b+`"}`, nil)
	if e := decode[api.ErrorBody](t, body); status != 409 || e.Error.Code != trailhound.ECONFLICT || !strings.Contains(e.Error.Message, a) {
		t.Errorf("conflict %d %s", status, body)
	}
}

// TestGroupsUnset: a server without groups says so on every group route.
func TestGroupsUnset(t *testing.T) {
	srv := httptest.NewServer(api.New(analysis.New(nil, analysis.Options{}), nil))
	defer srv.Close()
	for _, p := range []string{"", "/x", "/x/graph", "/x/audit"} {
		status, body := call(t, "GET", srv.URL+"/api/v1/groups"+p, "", "", nil)
		if e := decode[api.ErrorBody](t, body); status != 404 || !strings.Contains(e.Error.Message, "not available") {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	status, body := call(t, "POST", srv.URL+"/api/v1/groups/x/split", "application/json", `{"finding":"f"}`, nil)
	if status != 404 || !strings.Contains(string(body), "not available") {
		t.Errorf("split: %d %s", status, body)
	}
}
