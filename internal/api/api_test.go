package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
)

var (
	once    sync.Once
	server  *httptest.Server
	store   *duckdb.Store
	dataDir string
)

// TestMain removes the shared data directory after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if server != nil {
		server.Close()
		store.Close()
	}
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	os.Exit(code)
}

// serve ingests the incident once, with the first test's helpers, and
// serves it to every test.
func serve(t *testing.T) string {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "trailhound-api-")
		if err != nil {
			t.Fatal(err)
		}
		dataDir = dir
		analysistest.Ingest(t, dir)
		if store, err = duckdb.Open(context.Background(), dir, nil); err != nil {
			t.Fatal(err)
		}
		arch, err := archive.Open(filepath.Join(dir, "objects"))
		if err != nil {
			t.Fatal(err)
		}
		server = httptest.NewServer(api.New(analysis.New(store.DB(), analysis.Options{Archive: arch}), nil))
	})
	if server == nil {
		t.Fatal("no server")
	}
	return server.URL
}

func get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(serve(t) + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func entityPath(ns trailhound.Namespace, id string) string {
	return "/api/v1/entities/" + string(ns) + "/" + url.PathEscape(id)
}

// TestErrors checks the status and code of every kind of bad request,
// and that messages name the parameter at fault.
func TestErrors(t *testing.T) {
	alice := entityPath(trailhound.AwsUser, analysistest.AliceID)
	cases := []struct {
		path   string
		status int
		code   string
		names  string
	}{
		{entityPath(trailhound.AwsUser, "AIDANOBODY"), 404, trailhound.ENOTFOUND, "AIDANOBODY"},
		{alice + "/panels/api-call-volume?scopeStart=1793530000&scopeEnd=1793520000", 400, trailhound.EINVALID, "scopeEnd"},
		{alice + "/panels/api-call-volume?scopeStart=yesterday", 400, trailhound.EINVALID, "scopeStart"},
		{alice + "/panels/no-such-panel", 400, trailhound.EINVALID, "panel"},
		{"/api/v1/search?q=10.0.0.0/33", 400, trailhound.EINVALID, "CIDR"},
		{"/api/v1/search?type=Bogus", 400, trailhound.EINVALID, "type"},
		{"/api/v1/search?q=10.0.0.0/8&type=AwsUser", 400, trailhound.EINVALID, "type"},
		{"/api/v1/search?limit=0x10", 400, trailhound.EINVALID, "limit"},
		{"/api/v1/findings/nope", 404, trailhound.ENOTFOUND, "nope"},
		{"/api/v1/events?entity=nonsense", 400, trailhound.EINVALID, "entity"},
		{"/api/v1/events?entity=AwsUser/" + analysistest.AliceID + "&format=xml", 400, trailhound.EINVALID, "format"},
		{"/api/v1/events?entity=AwsUser/AIDANOBODY", 404, trailhound.ENOTFOUND, "AIDANOBODY"},
		{"/api/v1/nothing-here", 404, trailhound.ENOTFOUND, "route"},
		// Dot segments escaped as %2E are ids, not path navigation.
		{"/api/v1/entities/UserAgent/%2E%2E", 404, trailhound.ENOTFOUND, `".."`},
		{"/api/v1/entities/UserAgent/%2E", 404, trailhound.ENOTFOUND, `"."`},
		{"/api/v1/entities/UserAgent/a%2F..%2F..%2Fb%3Fc%23d%25", 404, trailhound.ENOTFOUND, `"a/../../b?c#d%"`},
		// Or named in the query, where browsers leave them alone.
		{"/api/v1/entity?type=UserAgent&id=..", 404, trailhound.ENOTFOUND, `".."`},
		{"/api/v1/entity/panels/no-such-panel?type=AwsUser&id=" + analysistest.AliceID, 400, trailhound.EINVALID, "panel"},
		{"/api/v1/entity/panels/api-call-volume?type=AwsUser&id=" + analysistest.AliceID + "&bogus=1", 400, trailhound.EINVALID, "bogus"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, body := get(t, c.path)
			var e api.ErrorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not a JSON error: %s", body)
			}
			if resp.StatusCode != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.names) {
				t.Errorf("%d %+v, want %d %s naming %q", resp.StatusCode, e.Error, c.status, c.code, c.names)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestStatusMapping(t *testing.T) {
	for code, want := range map[string]int{trailhound.EINVALID: 400, trailhound.ENOTFOUND: 404, trailhound.ECONFLICT: 409,
		trailhound.EUNAUTHORIZED: 401, trailhound.EINTERNAL: 500, "other": 500} {
		if got := api.Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

// TestEntityRoutes reaches entities whose ids hold colons, slashes,
// spaces, quotes and markup, escaped as one path segment, and checks the
// id comes back exactly.
func TestEntityRoutes(t *testing.T) {
	cases := []struct {
		ns trailhound.Namespace
		id string
	}{
		{trailhound.AwsRoleSession, analysistest.SessionID},
		{trailhound.UserAgent, "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22"},
		{trailhound.UserAgent, analysistest.HostileUA},
		{trailhound.UserAgent, "Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>"},
		{trailhound.IPAddress, "2001:67c:2e8::1"},
		{trailhound.AwsUser, analysistest.HostileID},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			// The entity in the path, and in the query.
			inQuery := "type=" + url.QueryEscape(string(c.ns)) + "&id=" + url.QueryEscape(c.id)
			for _, path := range []string{entityPath(c.ns, c.id), entityPath(c.ns, c.id) + "/panels/api-call-volume?scopeStart=1793491200&scopeEnd=1793577600",
				"/api/v1/entity?" + inQuery, "/api/v1/entity/panels/api-call-volume?scopeStart=1793491200&scopeEnd=1793577600&" + inQuery} {
				resp, body := get(t, path)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
				}
				if bytes.Contains(body, []byte("<")) {
					t.Errorf("%s: answer holds a raw '<': %s", path, body)
				}
				var got struct {
					ID     string
					Entity struct{ ID string }
				}
				json.Unmarshal(body, &got)
				if got.ID != c.id && got.Entity.ID != c.id {
					t.Errorf("%s: id %q / %q, want %q", path, got.ID, got.Entity.ID, c.id)
				}
			}
		})
	}
	// Unescaped slashes are accepted for the details route.
	resp, body := get(t, "/api/v1/entities/UserAgent/aws-cli/2.15.0")
	var got analysis.Entity
	json.Unmarshal(body, &got)
	if resp.StatusCode != 200 || got.ID != "aws-cli/2.15.0" {
		t.Errorf("raw slashes: %d %s", resp.StatusCode, body)
	}
	// The hostile user's ARN comes back exactly.
	_, body = get(t, entityPath(trailhound.AwsUser, analysistest.HostileID))
	json.Unmarshal(body, &got)
	if got.ARN != analysistest.HostileARN {
		t.Errorf("arn %q, want %q", got.ARN, analysistest.HostileARN)
	}
}

func TestAPICallVolumeRoute(t *testing.T) {
	_, body := get(t, entityPath(trailhound.AwsUser, analysistest.AliceID)+"/panels/api-call-volume?scopeStart=1793491200&scopeEnd=1793577600")
	var v analysis.APICallVolume
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Totals != (analysis.Counts{Success: 4}) || len(v.Buckets) != 24 || v.BucketSeconds != 3600 {
		t.Errorf("alice: %+v", v)
	}
	// The panel's own parameter: one bucket of the activity details.
	_, body = get(t, entityPath(trailhound.AwsRoleSession, analysistest.SessionID)+"/panels/activity-details?scopeStart=1793491200&scopeEnd=1793577600&bucket=1793527200")
	var d analysis.ActivityDetails
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Totals != (analysis.Counts{Success: 2, Failure: 1}) || d.Window != (analysis.ScopeJSON{Start: 1793527200, End: 1793530800}) {
		t.Errorf("session details: %+v", d)
	}
}

func TestSearchRoute(t *testing.T) {
	_, body := get(t, "/api/v1/search?q="+url.QueryEscape("10.0.*.*"))
	var res analysis.SearchResults
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range res.Results {
		ids = append(ids, r.ID)
	}
	if !cmp.Equal(ids, []string{"10.0.2.7", "10.0.1.25"}) {
		t.Errorf("search: %s", body)
	}
}

func TestFindingRoute(t *testing.T) {
	resp, body := get(t, "/api/v1/findings/"+analysistest.FindingID)
	var f analysis.Finding
	if err := json.Unmarshal(body, &f); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if len(f.Entities) != 4 || f.Type != "CryptoCurrency:EC2/BitcoinTool.B" || !bytes.Contains(f.Detail, []byte(`"count":7`)) {
		t.Errorf("finding: %s", body)
	}
}

func TestEventsFormats(t *testing.T) {
	var want []analysistest.Record
	for _, r := range analysistest.Records(t) {
		if r.UserAgent == analysistest.HostileUA {
			want = append(want, r)
		}
	}
	base := "/api/v1/events?entity=" + url.QueryEscape("UserAgent/"+analysistest.HostileUA) + "&scopeStart=1793491200&scopeEnd=1793577600"

	resp, body := get(t, base)
	var arr []json.RawMessage
	if err := json.Unmarshal(body, &arr); err != nil || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("json: %v %s", err, body)
	}
	if len(arr) != len(want) || string(arr[0]) != string(want[0].Raw) {
		t.Errorf("json records differ: %s", body)
	}

	_, body = get(t, base+"&format=ndjson")
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != len(want) || lines[1] != string(want[1].Raw) {
		t.Errorf("ndjson records differ: %s", body)
	}

	_, body = get(t, base+"&format=csv")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != len(want)+1 {
		t.Fatalf("csv: %v %s", err, body)
	}
	if rows[1][1] != want[0].EventID || rows[1][8] != analysistest.HostileARN || rows[1][11] != analysistest.HostileUA || rows[2][12] != "AccessDenied" {
		t.Errorf("csv row %q", rows[1])
	}
}
