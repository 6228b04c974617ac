package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

func TestFindingsRoute(t *testing.T) {
	tests := []struct {
		path  string
		total int64
	}{
		// The corpus's one finding was archived by its latest update.
		{"/api/v1/findings", 0},
		{"/api/v1/findings?archived=true", 1},
		{"/api/v1/findings?archived=any&severity=high,critical", 1},
		{"/api/v1/findings?archived=any&severity=low&severity=medium", 0},
		{"/api/v1/findings?archived=any&type=cryptocurrency:*", 1},
		{"/api/v1/findings?archived=any&type=Recon:*", 0},
		{"/api/v1/findings?archived=any&q=BITCOIN", 1},
		{"/api/v1/findings?archived=any&sort=-lastSeen", 1},
		{"/api/v1/findings?archived=any&scopeStart=1700000000&scopeEnd=1700003600", 0},
	}
	for _, tt := range tests {
		resp, body := get(t, tt.path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", tt.path, resp.StatusCode, body)
		}
		var l analysis.FindingsList
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		if l.Total != tt.total || int64(len(l.Findings)) != tt.total {
			t.Errorf("%s: total %d, %d rows, want %d", tt.path, l.Total, len(l.Findings), tt.total)
		}
		if tt.total == 1 && (l.Findings[0].ID != analysistest.FindingID || l.Findings[0].Finding.Type != trailhound.FindingEntity) {
			t.Errorf("%s: %+v", tt.path, l.Findings[0])
		}
	}
	for path, param := range map[string]string{
		"/api/v1/findings?severity=urgent": "severity", "/api/v1/findings?sort=-bogus": "sort",
		"/api/v1/findings?limit=5000": "limit", "/api/v1/findings?archived=maybe": "archived",
	} {
		resp, body := get(t, path)
		if resp.StatusCode != 400 || !strings.Contains(string(body), param) {
			t.Errorf("%s: status %d, body %s; want 400 naming %s", path, resp.StatusCode, body, param)
		}
	}

	c, err := client.New(serve(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.Findings(context.Background(), client.FindingsParams{Archived: "any", Severity: []string{"high"}, Types: []string{"*Bitcoin*"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != 1 || l.Facets["severity"][0] != (analysis.Facet{Value: "high", Count: 1}) {
		t.Errorf("client: %+v", l)
	}
}
