package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
)

// TestRequests checks the paths and parameters the client sends and how
// it turns error answers into coded errors.
func TestRequests(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/search":
			w.Write([]byte(`{"results":[],"total":0}`))
		case "/api/v1/findings/gone":
			w.WriteHeader(404)
			w.Write([]byte(`{"error":{"code":"not_found","message":"no finding with id \"gone\""}}`))
		case "/api/v1/findings/broken":
			w.WriteHeader(502)
			w.Write([]byte(`bad gateway`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	c, err := client.New(srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ua := trailhound.EntityRef{Type: trailhound.UserAgent, ID: `Mozilla/5.0 (x) "q" <b>?#%`}
	if _, err := c.Entity(ctx, ua); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ActivityDetails(ctx, trailhound.EntityRef{Type: trailhound.AwsRoleSession, ID: "AROAX:alice"}, client.Scope{Start: 60, End: 180}, client.ActivityOptions{Bucket: 120, Filters: map[string]string{"apiContains": "List,Get"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Search(ctx, client.SearchParams{Q: "10.0.*.*", Type: trailhound.IPAddress, Limit: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Entity(ctx, trailhound.EntityRef{Type: trailhound.UserAgent, ID: ".."}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/api/v1/entities/UserAgent/Mozilla%2F5.0%20%28x%29%20%22q%22%20%3Cb%3E%3F%23%25",
		"/api/v1/entities/AwsRoleSession/AROAX:alice/panels/activity-details?apiContains=List%2CGet&bucket=120&scopeEnd=180&scopeStart=60",
		"/api/v1/search?limit=5&q=10.0.%2A.%2A&type=IpAddress",
		"/api/v1/entities/UserAgent/%2E%2E",
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, got, want[i])
		}
	}
	_, err = c.Finding(ctx, "gone")
	if trailhound.ErrorCode(err) != trailhound.ENOTFOUND || trailhound.ErrorMessage(err) != `no finding with id "gone"` {
		t.Errorf("coded error: %v", err)
	}
	if _, err = c.Finding(ctx, "broken"); err == nil || trailhound.ErrorCode(err) != trailhound.EINTERNAL {
		t.Errorf("uncoded error: %v", err)
	}
	if _, err := client.New("localhost:8080", nil); trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("bad URL: %v", err)
	}
}
