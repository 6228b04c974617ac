package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/api"
)

func TestSummaryRoute(t *testing.T) {
	// The incident's scope 10:00-11:00: alice's and her session's calls
	// from London and Linköping, none located during the baseline.
	resp, body := get(t, "/api/v1/summary?scopeStart=1793527200&scopeEnd=1793530800")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var s analysis.Summary
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if s.Scope != (analysis.ScopeJSON{Start: 1793527200, End: 1793530800}) {
		t.Errorf("scope %+v", s.Scope)
	}
	cities := map[string]analysis.Counts{}
	for _, g := range s.NewGeolocations {
		cities[g.City] = analysis.Counts{Success: g.Success, Failure: g.Failure}
	}
	want := map[string]analysis.Counts{"London": {Success: 2}, "Linköping": {Success: 3, Failure: 1}}
	if len(cities) != len(want) || cities["London"] != want["London"] || cities["Linköping"] != want["Linköping"] {
		t.Errorf("new geolocations %v, want %v", cities, want)
	}
	if len(s.TopRoles) != 1 || s.TopRoles[0].Entity.ID != analysistest.AdminRoleID || s.TopRoles[0].Success != 2 || s.TopRoles[0].Failure != 1 {
		t.Errorf("top roles %+v", s.TopRoles)
	}
	if len(s.TopUsers) != 1 || s.TopUsers[0].Entity.ID != analysistest.AliceID || s.TopUsers[0].Success != 4 {
		t.Errorf("top users %+v", s.TopUsers)
	}
	if len(s.TopInstances) != 1 || s.TopInstances[0].BytesOut != 5000 || s.TopInstances[0].BytesIn != 40 {
		t.Errorf("top instances %+v", s.TopInstances)
	}
	if s.Findings.High.Count != 1 {
		t.Errorf("findings %+v", s.Findings)
	}
}

func TestUsageRoute(t *testing.T) {
	resp, body := get(t, "/api/v1/usage")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var u analysis.Usage
	if err := json.Unmarshal(body, &u); err != nil {
		t.Fatal(err)
	}
	// us-east-1 and ap-southeast-7 CloudTrail, VPC flows and GuardDuty.
	if len(u.Series) != 4 || len(u.Charges) != 2 || len(u.Tiers) != 4 {
		t.Errorf("usage %d series, %d charges, %d tiers", len(u.Series), len(u.Charges), len(u.Tiers))
	}
}

func TestSummaryUsageErrors(t *testing.T) {
	for _, c := range []struct{ path, names string }{
		{"/api/v1/summary?scopeStart=1793530000&scopeEnd=1793520000", "scopeEnd"},
		{"/api/v1/summary?scopeStart=soon", "scopeStart"},
		{"/api/v1/summary?scope=1", "scope"},
		{"/api/v1/usage?days=7", "days"},
	} {
		resp, body := get(t, c.path)
		var e api.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: not a JSON error: %s", c.path, body)
		}
		if resp.StatusCode != 400 || e.Error.Code != trailhound.EINVALID || !strings.Contains(e.Error.Message, c.names) {
			t.Errorf("%s: %d %+v, want 400 naming %q", c.path, resp.StatusCode, e.Error, c.names)
		}
	}
}
