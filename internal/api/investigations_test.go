package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/investigate"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
)

var (
	invAlice = it.User(it.AccountA, "AIDAEXAMPLEALICE00001", "alice", "AKIAEXAMPLEALICE0001")
	invUA    = `sqlmap/1.7 "<img src=x onerror=alert(1)>"`
)

// investigationsServer serves the API with investigations over a small
// store: alice's ordinary day, then a day on which her key is used from
// Suva with a hostile client to create credentials.
func investigationsServer(t *testing.T) (*httptest.Server, *investigate.Service) {
	t.Helper()
	var b it.Builder
	b.Repeat(3, time.Hour, it.Call{Time: it.At(0, 9), By: invAlice, API: "s3:ListBuckets", IP: it.London, UserAgent: "aws-cli/2.15.0"})
	b.Call(it.Call{Time: it.At(1, 8), By: invAlice, API: "iam:CreateAccessKey", IP: it.Suva, UserAgent: invUA},
		it.Call{Time: it.At(1, 8.1), By: invAlice, API: "iam:ListUsers", IP: it.Suva, UserAgent: invUA, Error: "AccessDenied"})
	b.Finding("f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1", "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", 8, it.AccountA, it.At(1, 8), it.At(1, 8.1),
		invAlice.UserID, invAlice.UserName, invAlice.AccessKey, "", it.Suva)
	st := b.Ingest(t)
	svc, err := investigate.NewService(context.Background(), st.DB(), investigate.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	srv := api.New(analysis.New(st.DB(), analysis.Options{}), nil)
	srv.SetInvestigations(svc)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs, svc
}

func invCall(t *testing.T, method, u, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestInvestigationRoutes(t *testing.T) {
	hs, svc := investigationsServer(t)
	base := hs.URL + api.Prefix + "/investigations"
	scope := `"scopeStart":` + itoa(it.At(1, 0).Unix()) + `,"scopeEnd":` + itoa(it.At(2, 0).Unix())

	resp, body := invCall(t, "POST", base, `{"entity":{"type":"AwsUser","id":"`+invAlice.UserID+`"},`+scope+`}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	var started struct{ ID, Status string }
	json.Unmarshal(body, &started)
	if started.ID == "" || started.Status != "RUNNING" || resp.Header.Get("Location") != api.Prefix+"/investigations/"+started.ID {
		t.Fatalf("%s, Location %q", body, resp.Header.Get("Location"))
	}
	svc.Wait()

	resp, body = invCall(t, "GET", base+"/"+started.ID, "")
	var inv investigate.Investigation
	if err := json.Unmarshal(body, &inv); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if inv.Status != investigate.Successful || inv.Severity.Rank() < investigate.High.Rank() {
		t.Errorf("%s %s", inv.Status, inv.Severity)
	}
	persistence := false
	for _, in := range inv.Indicators {
		if in.Type == investigate.TTPObserved && in.Tactic == "Persistence" && in.TechniqueID == "T1098.001" && in.APIName == "iam.amazonaws.com:CreateAccessKey" {
			persistence = true
		}
	}
	if !persistence {
		t.Errorf("no Persistence TTP in %s", body)
	}
	if strings.Contains(string(body), "<img") {
		t.Error("markup in a JSON answer is not escaped")
	}

	t.Run("list", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			total int
		}{
			{"", 1},
			{"?entity=AwsUser/" + invAlice.UserID, 1},
			{"?entity=AwsUser/nobody", 0},
			{"?severity=informational,low", 0},
			{"?status=SUCCESSFUL&state=ACTIVE&sort=-severity", 1},
		} {
			resp, body := invCall(t, "GET", base+tc.query, "")
			var l investigate.List
			if json.Unmarshal(body, &l); resp.StatusCode != 200 || l.Total != tc.total {
				t.Errorf("%s: %d %s", tc.query, resp.StatusCode, body)
			}
		}
	})
	t.Run("archive", func(t *testing.T) {
		resp, body := invCall(t, "PATCH", base+"/"+started.ID, `{"state":"archived"}`)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"ARCHIVED"`) {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		resp, body = invCall(t, "GET", base+"?state=ARCHIVED", "")
		if !strings.Contains(string(body), started.ID) {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		invCall(t, "PATCH", base+"/"+started.ID, `{"state":"ACTIVE"}`)
	})
	t.Run("reports", func(t *testing.T) {
		for format, ctype := range map[string]string{"": "application/json", "json": "application/json", "html": "text/html", "md": "text/markdown"} {
			resp, body := invCall(t, "GET", base+"/"+started.ID+"/report?format="+format, "")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment; filename=\"investigation-"+started.ID+".") ||
				resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("%q: %d %v", format, resp.StatusCode, resp.Header)
			}
			if format == "html" && (strings.Contains(string(body), "<img") || !strings.Contains(string(body), "&lt;img")) {
				t.Error("the HTML report does not escape the user agent")
			}
		}
	})
	t.Run("recommended", func(t *testing.T) {
		resp, body := invCall(t, "GET", base+"/recommended", "")
		var rec investigate.Recommendations
		if json.Unmarshal(body, &rec); resp.StatusCode != 200 || len(rec.Recommendations) != 2 || rec.Recommendations[0].Investigation == nil &&
			rec.Recommendations[1].Investigation == nil {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, body string
			status             int
			says               string
		}{
			{"POST", "", `{"entity":{"type":"AwsUser","id":"AIDANOBODY"}}`, 404, "no AwsUser entity"},
			{"POST", "", `{"entity":{"type":"IpAddress","id":"` + it.Suva + `"}}`, 400, "cannot investigate"},
			{"POST", "", `{"entity":{"type":"AwsUser"}}`, 400, "entity must name"},
			{"POST", "", `{"entity":{"type":"AwsUser","id":"x"},"scope":1}`, 400, "unknown field"},
			{"POST", "", `{"entity":`, 400, "not valid JSON"},
			{"POST", "", `{"entity":{"type":"AwsUser","id":"` + invAlice.UserID + `"},"scopeStart":"yesterday"}`, 400, "scopeStart"},
			{"POST", "", `{"entity":{"type":"AwsUser","id":"` + invAlice.UserID + `"},"scopeStart":20,"scopeEnd":10}`, 400, "scopeEnd"},
			{"GET", "/nope", "", 404, "no investigation"},
			{"GET", "?severity=bad", "", 400, "severity"},
			{"GET", "?status=DONE", "", 400, "status"},
			{"GET", "?sort=name", "", 400, "sort"},
			{"GET", "?colour=red", "", 400, "colour"},
			{"PATCH", "/" + started.ID, `{"state":"DONE"}`, 400, "ACTIVE or ARCHIVED"},
			{"GET", "/" + started.ID + "/report?format=pdf", "", 400, "format"},
			{"GET", "/recommended?at=soon", "", 400, "at"},
			{"DELETE", "/" + started.ID, "", 404, "no API route"},
		} {
			resp, body := invCall(t, tc.method, base+tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.says) {
				t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, resp.StatusCode, body)
			}
		}
	})
}

func TestInvestigationRoutesDisabled(t *testing.T) {
	hs := httptest.NewServer(api.New(analysis.New(nil, analysis.Options{}), nil))
	defer hs.Close()
	for _, r := range []struct{ method, path string }{{"GET", ""}, {"POST", ""}, {"GET", "/1"}, {"GET", "/recommended"}, {"GET", "/1/report"}, {"PATCH", "/1"}} {
		resp, body := invCall(t, r.method, hs.URL+api.Prefix+"/investigations"+r.path, `{}`)
		if resp.StatusCode != 404 || !strings.Contains(string(body), "investigations are not enabled") {
			t.Errorf("%s %s: %d %s", r.method, r.path, resp.StatusCode, body)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
