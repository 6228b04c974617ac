package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

// TestProfileCommand runs profile against a server over the incident and
// compares its tables with golden files: every panel of a user, a
// session, a role, an address and an instance.
func TestProfileCommand(t *testing.T) {
	url := incidentServer(t)
	day := []string{"--scope-start", "2026-11-01", "--scope-end", "2026-11-02"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"profile_user", append([]string{"AwsUser/" + analysistest.AliceID}, day...)},
		{"profile_user_default_scope", []string{"awsuser/" + analysistest.AliceID, "--panel", "api-call-volume,new-geolocations"}},
		{"profile_session_activity", append([]string{"AwsRoleSession/" + analysistest.SessionID, "--panel", "activity-details"}, day...)},
		{"profile_session_filtered", []string{"AwsRoleSession", analysistest.SessionID, "--panel", "activity-details", "--depth", "2",
			"--param", "apiContains=Attach,Put", "--param", "ip=89.160.20.0/24", "--scope-end", "2026-11-01T11:00Z", "--since", "1h"}},
		{"profile_role", append([]string{"AwsRole/" + analysistest.AdminRoleID, "--rows", "1"}, day...)},
		{"profile_ip", append([]string{"IpAddress/89.160.20.112"}, day...)},
		{"profile_instance", append([]string{"Ec2Instance/" + analysistest.InstanceID}, day...)},
		{"profile_user_agent", append([]string{"UserAgent/" + analysistest.HostileUA, "--panel", "resource-interaction"}, day...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"profile", "--server", url}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, tc.name, out)
		})
	}

	t.Run("json holds the API's answers", func(t *testing.T) {
		ref := trailhound.EntityRef{Type: trailhound.AwsUser, ID: analysistest.AliceID}
		code, out, errOut := run(t, append([]string{"profile", "--server", url, "--json", ref.String()}, day...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got struct {
			Entity json.RawMessage
			Scope  client.Scope
			Panels map[string]json.RawMessage
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("not one JSON line: %v\n%s", err, out)
		}
		c, err := client.New(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ent, err := c.EntityRaw(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, got.Entity, ent) {
			t.Errorf("entity %s, want %s", got.Entity, ent)
		}
		var e client.Entity
		json.Unmarshal(ent, &e)
		var ids []string
		for id := range got.Panels {
			ids = append(ids, id)
		}
		if !cmp.Equal(ids, e.Panels, cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
			t.Errorf("panels %q, want %q", ids, e.Panels)
		}
		scope := client.Scope{Start: 1793491200, End: 1793577600}
		for _, p := range e.Panels {
			want, err := c.PanelRaw(ctx, ref, p, scope, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got.Panels[p], want) {
				t.Errorf("panel %s: %s, want %s", p, got.Panels[p], want)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			args []string
			code int
			msg  string
		}{
			{"unknown entity", []string{"AwsUser/AIDANOBODY"}, exitFailed, `no AwsUser entity with id "AIDANOBODY" in the data`},
			{"scope under a minute", []string{"AwsUser/" + analysistest.AliceID, "--scope-start", "1793527200", "--scope-end", "1793527230"}, exitUsage, "scopeEnd (1793527230) must be at least 60 seconds after scopeStart"},
			{"end before start", []string{"AwsUser/" + analysistest.AliceID, "--scope-start", "2026-11-02", "--scope-end", "2026-11-01"}, exitUsage, "is not after --scope-start"},
			{"panel of another type", []string{"AwsUser/" + analysistest.AliceID, "--panel", "vpc-flow-volume"}, exitUsage, `AwsUser entities have no panel "vpc-flow-volume"; theirs are: associated-findings, api-call-volume`},
			{"bad filter", []string{"AwsUser/" + analysistest.AliceID, "--panel", "activity-details", "--param", "ip=10.0.0.0/40"}, exitUsage, "ip"},
			{"unknown parameter", []string{"AwsUser/" + analysistest.AliceID, "--panel", "api-call-volume", "--param", "colour=red"}, exitUsage, `unknown parameter "colour"`},
			{"param without one panel", []string{"AwsUser/" + analysistest.AliceID, "--param", "api=ListBuckets"}, exitUsage, "--param applies to one panel"},
			{"unknown type", []string{"Wizard/merlin"}, exitUsage, `unknown entity type "Wizard"`},
			{"no entity", nil, exitUsage, "want one entity"},
			{"not a ref", []string{"alice"}, exitUsage, `"alice" is not TYPE/ID`},
			{"bad depth", []string{"AwsUser/x", "--depth", "4"}, exitUsage, "--depth 1 to 3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := run(t, append([]string{"profile", "--server", url}, tc.args...)...)
				if code != tc.code || !strings.Contains(errOut, tc.msg) || out != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.msg)
				}
			})
		}
	})
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return cmp.Equal(va, vb)
}
