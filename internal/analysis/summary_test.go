package analysis_test

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

// placeOfIP is the test's own geolocation of the incident's addresses:
// the two networks of the test GeoIP databases.
func placeOfIP(ip string) (city string, ok bool) {
	switch {
	case strings.HasPrefix(ip, "81.2.69."):
		return "London", true
	case strings.HasPrefix(ip, "89.160.20."):
		return "Linköping", true
	}
	return "", false
}

// callerRef is the entity a record's caller is, from the record alone.
func callerRef(r analysistest.Record) (trailhound.EntityRef, bool) {
	switch r.Type {
	case "IAMUser", "Root":
		return ref(trailhound.AwsUser, r.PrincipalID), true
	case "AssumedRole":
		return ref(trailhound.AwsRoleSession, r.PrincipalID), true
	}
	return trailhound.EntityRef{}, false
}

func countsOf(rs []analysistest.Record) analysis.Counts {
	var c analysis.Counts
	for _, r := range rs {
		if r.Failed {
			c.Failure++
		} else {
			c.Success++
		}
	}
	return c
}

func TestSummaryGeolocationsAndPrincipals(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	records := analysistest.Records(t)
	scopes := []trailhound.Scope{
		{Start: unix("2026-11-01T10:00:00Z"), End: unix("2026-11-01T11:00:00Z")},
		{Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:00:00Z")},
		{Start: unix("2026-11-01T10:05:00Z"), End: unix("2026-11-01T10:25:00Z")},
		{Start: unix("2026-10-31T00:00:00Z"), End: unix("2026-11-02T00:00:00Z")},
	}
	for _, s := range scopes {
		got, err := e.Summary(ctx, analysis.SummaryRequest{Start: s.Start, End: s.End})
		if err != nil {
			t.Fatal(err)
		}
		in := func(r analysistest.Record, a, b int64) bool { return r.Time.Unix() >= a && r.Time.Unix() < b }
		// Places seen during the baseline (45 days before the scope).
		old := map[string]bool{}
		for _, r := range records {
			if city, ok := placeOfIP(r.SourceIP); ok && in(r, s.Start-45*86400, s.Start) {
				old[city] = true
			}
		}
		type want struct {
			c      analysis.Counts
			people map[trailhound.EntityRef][]analysistest.Record
		}
		places := map[string]*want{}
		roles := map[string][]analysistest.Record{}
		users := map[string][]analysistest.Record{}
		for _, r := range records {
			if !in(r, s.Start, s.End) {
				continue
			}
			if r.Type == "AssumedRole" {
				roles[r.IssuerID] = append(roles[r.IssuerID], r)
			}
			if r.Type == "IAMUser" || r.Type == "Root" {
				users[r.PrincipalID] = append(users[r.PrincipalID], r)
			}
			city, ok := placeOfIP(r.SourceIP)
			if !ok || old[city] {
				continue
			}
			w := places[city]
			if w == nil {
				w = &want{people: map[trailhound.EntityRef][]analysistest.Record{}}
				places[city] = w
			}
			if r.Failed {
				w.c.Failure++
			} else {
				w.c.Success++
			}
			if p, ok := callerRef(r); ok {
				w.people[p] = append(w.people[p], r)
			}
		}
		if len(got.NewGeolocations) != len(places) {
			t.Errorf("scope %v: %d new places, want %d: %+v", s, len(got.NewGeolocations), len(places), got.NewGeolocations)
		}
		for _, g := range got.NewGeolocations {
			w := places[g.City]
			if w == nil {
				t.Errorf("scope %v: unexpected new place %q", s, g.City)
				continue
			}
			if (analysis.Counts{Success: g.Success, Failure: g.Failure}) != w.c {
				t.Errorf("scope %v: %s counts %d/%d, want %+v", s, g.City, g.Success, g.Failure, w.c)
			}
			if g.Latitude == nil || g.Longitude == nil || g.Country == "" {
				t.Errorf("scope %v: %s lacks coordinates or country: %+v", s, g.City, g)
			}
			if len(g.Principals) != len(w.people) {
				t.Errorf("scope %v: %s principals %+v, want %d", s, g.City, g.Principals, len(w.people))
			}
			for _, p := range g.Principals {
				if c := countsOf(w.people[ref(p.Entity.Type, p.Entity.ID)]); c != (analysis.Counts{Success: p.Success, Failure: p.Failure}) {
					t.Errorf("scope %v: %s principal %v counts %d/%d, want %+v", s, g.City, p.Entity, p.Success, p.Failure, c)
				}
				if p.Account != "111122223333" {
					t.Errorf("scope %v: %s principal %v account %q, want the corpus's account", s, g.City, p.Entity, p.Account)
				}
			}
		}
		check := func(kind string, got []analysis.SummaryPrincipal, want map[string][]analysistest.Record) {
			if len(got) != len(want) {
				t.Errorf("scope %v: %d top %s, want %d", s, len(got), kind, len(want))
			}
			for _, p := range got {
				rs := want[p.Entity.ID]
				if c := countsOf(rs); c != (analysis.Counts{Success: p.Success, Failure: p.Failure}) {
					t.Errorf("scope %v: %s %s counts %d/%d, want %+v", s, kind, p.Entity.ID, p.Success, p.Failure, c)
				}
				// The daily series covers the 7 days before the scope's
				// end, which may reach before the scope's start.
				days := make([]analysis.SummaryDay, 7)
				for i := range days {
					days[i].Start = s.End - int64(7-i)*86400
				}
				for _, r := range records {
					match := (kind == "roles" && r.Type == "AssumedRole" && r.IssuerID == p.Entity.ID) ||
						(kind == "users" && (r.Type == "IAMUser" || r.Type == "Root") && r.PrincipalID == p.Entity.ID)
					if !match || r.Time.Unix() >= s.End || r.Time.Unix() < s.End-7*86400 {
						continue
					}
					i := (r.Time.Unix() - (s.End - 7*86400)) / 86400
					if r.Failed {
						days[i].Failure++
					} else {
						days[i].Success++
					}
				}
				if diff := cmp.Diff(days, p.Series); diff != "" {
					t.Errorf("scope %v: %s %s series (-want +got):\n%s", s, kind, p.Entity.ID, diff)
				}
			}
		}
		check("roles", got.TopRoles, roles)
		check("users", got.TopUsers, users)
	}
}

// summaryFlow is a VPC flow log line read by the test.
type summaryFlow struct {
	instance, direction, action string
	bytes, end                  int64
}

func summaryFlows(t *testing.T) []summaryFlow {
	var out []summaryFlow
	for _, f := range analysistest.Incident {
		if !strings.Contains(f.Path, "/vpcflowlogs/") {
			continue
		}
		header := strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
		sc := bufio.NewScanner(strings.NewReader(f.Content))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 0 && fields[0] == "version" {
				header = fields
				continue
			}
			get := map[string]string{}
			for i, h := range header {
				get[h] = fields[i]
			}
			b, _ := strconv.ParseInt(get["bytes"], 10, 64)
			end, _ := strconv.ParseInt(get["end"], 10, 64)
			out = append(out, summaryFlow{instance: get["instance-id"], direction: get["flow-direction"], action: get["action"], bytes: b, end: end})
		}
	}
	return out
}

func TestSummaryDefaultScope(t *testing.T) {
	e := newEngine(t)
	got, err := e.Summary(context.Background(), analysis.SummaryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The latest observation of the incident is the finding's last
	// sighting, 11:30; the scope ends at the end of that hour.
	want := analysis.ScopeJSON{Start: unix("2026-10-31T12:00:00Z"), End: unix("2026-11-01T12:00:00Z")}
	if got.Scope != want {
		t.Errorf("scope %+v, want %+v", got.Scope, want)
	}
	// Instances: only records naming their instance are attributed.
	var inst analysis.SummaryInstance
	inst.Entity = analysis.Ref{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID}
	inst.Account = analysistest.Account
	flows := summaryFlows(t)
	for _, f := range flows {
		if f.instance != analysistest.InstanceID {
			continue
		}
		if f.direction == "ingress" {
			inst.BytesIn += f.bytes
		} else {
			inst.BytesOut += f.bytes
		}
		if f.action == "ACCEPT" {
			inst.AcceptedBytes += f.bytes
		} else {
			inst.RejectedBytes += f.bytes
		}
	}
	inst.Total = inst.BytesIn + inst.BytesOut
	if diff := cmp.Diff([]analysis.SummaryInstance{inst}, got.TopInstances); diff != "" {
		t.Errorf("top instances (-want +got):\n%s", diff)
	}
	// Findings: one finding (two versions), severity 8, last seen 11:30.
	if got.Findings.High.Count != 1 || got.Findings.Medium.Count != 0 || got.Findings.Low.Count != 0 {
		t.Errorf("findings by severity %+v", got.Findings)
	}
	if l := got.Findings.High.Latest; len(l) != 1 || l[0].ID != analysistest.FindingID || l[0].Severity != 8 ||
		l[0].LastSeen != unix("2026-11-01T11:30:00Z") || l[0].Account != analysistest.Account || !l[0].Archived {
		t.Errorf("latest high findings %+v", l)
	}
	// Freshness per account and source.
	records := analysistest.Records(t)
	var lastEvent, lastFlow int64
	for _, r := range records {
		lastEvent = max(lastEvent, r.Time.Unix())
	}
	for _, f := range flows {
		lastFlow = max(lastFlow, f.end)
	}
	wantFresh := []analysis.Freshness{
		{Account: analysistest.Account, Source: trailhound.SourceCloudTrail, Records: int64(len(records)), LatestRecord: lastEvent},
		{Account: analysistest.Account, Source: trailhound.SourceGuardDuty, Records: 2, LatestRecord: unix("2026-11-01T11:35:00Z")},
		{Account: analysistest.Account, Source: trailhound.SourceVPCFlow, Records: int64(len(flows)), LatestRecord: lastFlow},
	}
	if diff := cmp.Diff(wantFresh, got.Freshness, cmpopts.IgnoreFields(analysis.Freshness{}, "LatestIngest")); diff != "" {
		t.Errorf("freshness (-want +got):\n%s", diff)
	}
	for _, f := range got.Freshness {
		if d := time.Since(time.Unix(f.LatestIngest, 0)); d < 0 || d > time.Hour {
			t.Errorf("freshness %s latest ingest %d is not the recent ingest", f.Source, f.LatestIngest)
		}
	}
}

func TestSummaryBadScope(t *testing.T) {
	e := newEngine(t)
	_, err := e.Summary(context.Background(), analysis.SummaryRequest{Start: 2000, End: 1000})
	if trailhound.ErrorCode(err) != trailhound.EINVALID || !strings.Contains(trailhound.ErrorMessage(err), "scopeEnd") {
		t.Errorf("err = %v, want EINVALID naming scopeEnd", err)
	}
}

func TestSeverityLevel(t *testing.T) {
	for _, c := range []struct {
		sev  float64
		want string
	}{{0, "low"}, {3.9, "low"}, {3.99, "low"}, {4, "medium"}, {6.9, "medium"}, {6.99, "medium"}, {7, "high"}, {8.9, "high"}, {10, "high"}} {
		if got := analysis.SeverityLevel(c.sev); got != c.want {
			t.Errorf("SeverityLevel(%v) = %q, want %q", c.sev, got, c.want)
		}
	}
}
