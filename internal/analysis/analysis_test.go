package analysis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/synth"
)

var (
	engineOnce sync.Once
	engineDir  string
)

// newEngine ingests the incident once per test binary and opens an
// engine on it; every test reads the same store.
func newEngine(t *testing.T) *analysis.Engine {
	t.Helper()
	st, arch := corpusStore(t)
	return analysis.New(st.DB(), analysis.Options{Archive: arch})
}

// engineOver opens the store and the object archive of data directory
// data for the rest of the test, and returns an engine over them.
func engineOver(t *testing.T, data string) *analysis.Engine {
	t.Helper()
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	arch, err := archive.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	return analysis.New(st.DB(), analysis.Options{Archive: arch})
}

// corpusStore opens the store of the test corpus (ingested once).
func corpusStore(t *testing.T) (*duckdb.Store, *archive.Archive) {
	t.Helper()
	engineOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			t.Fatal(err)
		}
		engineDir = dir
		analysistest.Ingest(t, engineDir)
	})
	st, err := duckdb.Open(context.Background(), engineDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	arch, err := archive.Open(filepath.Join(engineDir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	return st, arch
}

func ref(ns trailhound.Namespace, id string) trailhound.EntityRef {
	return trailhound.EntityRef{Type: ns, ID: id}
}

func unix(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

// attributed says whether the store should attribute a record to an
// entity, from the record alone: its caller, the role behind a session,
// its account, address, user agent, access key or bucket.
// caller is the id of the caller an account's activity details show for
// a record: the role behind a session, else the principal.
func caller(r analysistest.Record) string {
	if r.IssuerID != "" {
		return r.IssuerID
	}
	return r.PrincipalID
}

func attributed(r analysistest.Record, e trailhound.EntityRef) bool {
	switch e.Type {
	case trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.FederatedUser:
		return r.PrincipalID == e.ID
	case trailhound.AwsRole:
		return r.IssuerID == e.ID
	case trailhound.AwsAccount:
		// A call by another account (identity type AWSAccount) counts for
		// the caller and for the account it was made in.
		return r.Account == e.ID || (r.Type == "AWSAccount" && r.Recipient == e.ID)
	case trailhound.IPAddress:
		return r.SourceIP == e.ID
	case trailhound.UserAgent:
		return r.UserAgent == e.ID
	case trailhound.AccessKey:
		return r.AccessKey == e.ID
	case trailhound.S3Bucket:
		return r.Name == "GetObject" && e.ID == "finance-reports"
	}
	return false
}

// expectedVolume counts the records of an entity per bucket and in total.
func expectedVolume(t *testing.T, e trailhound.EntityRef, s trailhound.Scope, width int64) (map[int64]analysis.Counts, analysis.Counts) {
	per := map[int64]analysis.Counts{}
	var total analysis.Counts
	for _, r := range analysistest.Records(t) {
		u := r.Time.Unix()
		if !attributed(r, e) || u < s.Start || u >= s.End {
			continue
		}
		b := s.Start + (u-s.Start)/width*width
		c := per[b]
		if r.Failed {
			c.Failure++
			total.Failure++
		} else {
			c.Success++
			total.Success++
		}
		per[b] = c
	}
	return per, total
}

var day = trailhound.Scope{Start: unix("2026-11-01T00:00:00Z"), End: unix("2026-11-02T00:00:00Z")}

func TestAPICallVolume(t *testing.T) {
	eng := newEngine(t)
	entities := []trailhound.EntityRef{
		ref(trailhound.AwsUser, analysistest.AliceID),
		ref(trailhound.AwsUser, analysistest.HostileID),
		ref(trailhound.AwsRoleSession, analysistest.SessionID),
		ref(trailhound.AwsRole, analysistest.AdminRoleID),
		ref(trailhound.AwsAccount, analysistest.Account),
		ref(trailhound.IPAddress, "89.160.20.112"),
		ref(trailhound.IPAddress, "2001:67c:2e8::1"),
		ref(trailhound.UserAgent, "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22"),
		ref(trailhound.UserAgent, "Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>"),
		ref(trailhound.UserAgent, analysistest.HostileUA),
		ref(trailhound.AccessKey, "ASIAEXAMPLESESSION01"),
		ref(trailhound.S3Bucket, "finance-reports"),
	}
	scopes := []struct {
		name  string
		scope trailhound.Scope
		basis string
		width int64
	}{
		{"day", day, "relationships", analysis.Hour},
		{"odd minutes", trailhound.Scope{Start: unix("2026-11-01T09:29:00Z"), End: unix("2026-11-01T10:41:00Z")}, "events", analysis.Minute},
		{"month", trailhound.Scope{Start: unix("2026-10-15T00:00:00Z"), End: unix("2026-11-15T00:00:00Z")}, "relationships", analysis.Day},
		{"one minute", trailhound.Scope{Start: unix("2026-11-01T10:11:00Z"), End: unix("2026-11-01T10:12:00Z")}, "events", analysis.Minute},
	}
	for _, e := range entities {
		for _, sc := range scopes {
			t.Run(e.String()+"/"+sc.name, func(t *testing.T) {
				got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: e, Panel: analysis.PanelAPICallVolume, Start: sc.scope.Start, End: sc.scope.End})
				if err != nil {
					t.Fatal(err)
				}
				v := got.(*analysis.APICallVolume)
				basis := sc.basis
				if e.Type == trailhound.S3Bucket {
					basis = "events"
				}
				if v.BucketSeconds != sc.width || v.Basis != basis {
					t.Errorf("bucket %d basis %s, want %d %s", v.BucketSeconds, v.Basis, sc.width, basis)
				}
				per, total := expectedVolume(t, e, sc.scope, sc.width)
				if v.Totals != total {
					t.Errorf("totals %+v, want %+v", v.Totals, total)
				}
				if want := int((sc.scope.End - sc.scope.Start + sc.width - 1) / sc.width); len(v.Buckets) != want {
					t.Errorf("%d buckets, want %d", len(v.Buckets), want)
				}
				for _, b := range v.Buckets {
					if w := per[b.Start]; b.Success != w.Success || b.Failure != w.Failure {
						t.Errorf("bucket %d: %d/%d, want %d/%d", b.Start, b.Success, b.Failure, w.Success, w.Failure)
					}
				}
				if total.Success+total.Failure == 0 && e.ID == analysistest.AliceID && sc.name == "day" {
					t.Error("the day scope should hold alice's calls")
				}
			})
		}
	}
}

// TestBaseline puts the scope after the incident: the baseline holds all
// of it, averaged over every bucket of the baseline.
func TestBaseline(t *testing.T) {
	eng := newEngine(t)
	alice := ref(trailhound.AwsUser, analysistest.AliceID)
	scope := trailhound.Scope{Start: unix("2026-11-03T00:00:00Z"), End: unix("2026-11-04T00:00:00Z")}
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: alice, Panel: analysis.PanelAPICallVolume, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	v := got.(*analysis.APICallVolume)
	_, total := expectedVolume(t, alice, scope.Baseline(trailhound.DefaultBaseline), analysis.Hour)
	if v.BaselineTotals != total || total.Success == 0 {
		t.Fatalf("baseline totals %+v, want %+v", v.BaselineTotals, total)
	}
	perBucket := float64(total.Success) / (45 * 24)
	if b := v.Buckets[0]; b.BaselineSuccess != perBucket || b.BaselineFailure != 0 {
		t.Errorf("baseline per bucket %v/%v, want %v/0", b.BaselineSuccess, b.BaselineFailure, perBucket)
	}
	if v.Baseline.Start != scope.Start-45*86400 || v.Baseline.End != scope.Start {
		t.Errorf("baseline %+v", v.Baseline)
	}
	if v.Totals != (analysis.Counts{}) {
		t.Errorf("scope totals %+v, want none", v.Totals)
	}
}

func TestPanelErrors(t *testing.T) {
	eng := newEngine(t)
	alice := ref(trailhound.AwsUser, analysistest.AliceID)
	cases := []struct {
		name string
		req  analysis.PanelRequest
		code string
	}{
		{"unknown panel", analysis.PanelRequest{Entity: alice, Panel: "no-such-panel"}, trailhound.EINVALID},
		{"unknown entity", analysis.PanelRequest{Entity: ref(trailhound.AwsUser, "AIDANOBODY"), Panel: analysis.PanelAPICallVolume}, trailhound.ENOTFOUND},
		{"end before start", analysis.PanelRequest{Entity: alice, Panel: analysis.PanelAPICallVolume, Start: day.End, End: day.Start}, trailhound.EINVALID},
		{"under a minute", analysis.PanelRequest{Entity: alice, Panel: analysis.PanelAPICallVolume, Start: day.Start, End: day.Start + 59}, trailhound.EINVALID},
		{"panel of another type", analysis.PanelRequest{Entity: ref(trailhound.AutonomousSystem, "AS20712"), Panel: analysis.PanelVPCFlowVolume}, trailhound.EINVALID},
		{"bad bucket", analysis.PanelRequest{Entity: alice, Panel: analysis.PanelActivityDetails, Start: day.Start, End: day.End, Params: map[string]string{"bucket": "17"}}, trailhound.EINVALID},
		{"api namespace", analysis.PanelRequest{Entity: ref("Api", "iam.amazonaws.com:CreateUser"), Panel: analysis.PanelAPICallVolume}, trailhound.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := eng.Panel(context.Background(), c.req)
			if got := trailhound.ErrorCode(err); got != c.code {
				t.Errorf("code %q (%v), want %q", got, err, c.code)
			}
		})
	}
}

func TestDefaultScope(t *testing.T) {
	eng := newEngine(t)
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.AwsUser, analysistest.AliceID), Panel: analysis.PanelAPICallVolume})
	if err != nil {
		t.Fatal(err)
	}
	v := got.(*analysis.APICallVolume)
	// alice was last seen at 10:40: the scope is the 24 hours up to 11:00.
	want := analysis.ScopeJSON{Start: unix("2026-10-31T11:00:00Z"), End: unix("2026-11-01T11:00:00Z")}
	if v.Scope != want {
		t.Errorf("default scope %+v, want %+v", v.Scope, want)
	}
}

func TestScopeRules(t *testing.T) {
	cases := []struct {
		dur   int64
		width int64
	}{
		{60, analysis.Minute}, {200 * 60, analysis.Minute}, {200*60 + 1, analysis.Hour}, {86400, analysis.Hour},
		{200 * 3600, analysis.Hour}, {200*3600 + 1, analysis.Day}, {200 * 86400, analysis.Day}, {400 * 86400, 2 * analysis.Day},
		{401 * 86400, 3 * analysis.Day},
	}
	for _, c := range cases {
		if got := analysis.BucketSeconds(trailhound.Scope{Start: 1000, End: 1000 + c.dur}); got != c.width {
			t.Errorf("BucketSeconds(%d s) = %d, want %d", c.dur, got, c.width)
		}
	}
	def := trailhound.Scope{Start: 3600, End: 7200}
	for _, c := range []struct {
		start, end int64
		want       trailhound.Scope
		code       string
	}{
		{0, 0, def, ""},
		{100, 200, trailhound.Scope{Start: 100, End: 200}, ""},
		{100, 0, trailhound.Scope{Start: 100, End: 100 + 86400}, ""},
		{200, 100, trailhound.Scope{}, trailhound.EINVALID},
		{100, 100, trailhound.Scope{}, trailhound.EINVALID},
		{100, 159, trailhound.Scope{}, trailhound.EINVALID},
	} {
		got, err := analysis.ResolveScope(c.start, c.end, def)
		if trailhound.ErrorCode(err) != c.code || (c.code == "" && got != c.want) {
			t.Errorf("ResolveScope(%d, %d) = %+v, %v; want %+v, %q", c.start, c.end, got, err, c.want, c.code)
		}
	}
}

func TestActivityDetails(t *testing.T) {
	eng := newEngine(t)
	session := ref(trailhound.AwsRoleSession, analysistest.SessionID)
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: session, Panel: analysis.PanelActivityDetails, Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	d := got.(*analysis.ActivityDetails)
	// Independent answer: IP → API → access key, from the records.
	type path struct{ ip, api, key string }
	want := map[path]analysis.Counts{}
	for _, r := range analysistest.Records(t) {
		if r.PrincipalID != analysistest.SessionID {
			continue
		}
		c := want[path{r.SourceIP, r.API(), r.AccessKey}]
		if r.Failed {
			c.Failure++
		} else {
			c.Success++
		}
		want[path{r.SourceIP, r.API(), r.AccessKey}] = c
	}
	gotPaths := map[path]analysis.Counts{}
	for _, ip := range d.ByIP {
		for _, api := range ip.Children {
			for _, caller := range api.Children {
				if caller.Entity == nil || caller.Entity.Type != trailhound.AccessKey {
					t.Errorf("caller %+v is not an access key", caller)
					continue
				}
				gotPaths[path{ip.Entity.ID, api.Label, caller.Entity.ID}] = analysis.Counts{Success: caller.Success, Failure: caller.Failure}
			}
		}
	}
	if diff := cmp.Diff(want, gotPaths); diff != "" {
		t.Errorf("by IP (-want +got):\n%s", diff)
	}
	if d.CallerType != "accessKey" {
		t.Errorf("caller type %q", d.CallerType)
	}
	// The failed AttachUserPolicy, by API.
	var attach *analysis.ActivityRow
	for _, r := range d.ByAPI {
		if r.API == "AttachUserPolicy" {
			attach = r
		}
	}
	if attach == nil || attach.Failure != 1 || attach.Success != 0 || attach.Service != "iam.amazonaws.com" {
		t.Fatalf("AttachUserPolicy row %+v", attach)
	}
	if ip := attach.Children[0]; ip.Entity.ID != "89.160.20.112" || ip.Location == nil || ip.Location.City != "Linköping" {
		t.Errorf("AttachUserPolicy address row %+v", ip)
	}
	if d.Totals != (analysis.Counts{Success: 2, Failure: 1}) {
		t.Errorf("totals %+v", d.Totals)
	}
	// The bucket of 10:00 holds everything; the bucket of 09:00 nothing.
	for _, c := range []struct {
		bucket string
		total  analysis.Counts
	}{{"1793523600", analysis.Counts{}}, {"1793527200", analysis.Counts{Success: 2, Failure: 1}}} {
		got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: session, Panel: analysis.PanelActivityDetails,
			Start: day.Start, End: day.End, Params: map[string]string{"bucket": c.bucket}})
		if err != nil {
			t.Fatal(err)
		}
		if d := got.(*analysis.ActivityDetails); d.Totals != c.total {
			t.Errorf("bucket %s: totals %+v, want %+v", c.bucket, d.Totals, c.total)
		}
	}
}

// TestActivityCallers checks the caller level of each type, and that a
// source that is not an address keeps its recorded text.
func TestActivityCallers(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		entity     trailhound.EntityRef
		callerType string
		callers    []string
	}{
		{ref(trailhound.AwsAccount, analysistest.Account), "principal", []string{"AwsRole/" + analysistest.AdminRoleID, "AwsService/ec2.amazonaws.com", "AwsUser/" + analysistest.AliceID, "AwsUser/" + analysistest.HostileID}},
		{ref(trailhound.AwsRole, analysistest.AdminRoleID), "session", []string{"AwsRoleSession/" + analysistest.SessionID}},
		{ref(trailhound.AwsUser, analysistest.AliceID), "accessKey", []string{"", "AccessKey/AKIAEXAMPLEALICE0001"}},
		{ref(trailhound.IPAddress, "89.160.20.112"), "principal", []string{"AwsRoleSession/" + analysistest.SessionID, "AwsUser/" + analysistest.AliceID}},
	}
	for _, c := range cases {
		t.Run(c.entity.String(), func(t *testing.T) {
			got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelActivityDetails, Start: day.Start, End: day.End})
			if err != nil {
				t.Fatal(err)
			}
			d := got.(*analysis.ActivityDetails)
			var callers []string
			for _, r := range d.ByCaller {
				s := ""
				if r.Entity != nil {
					s = trailhound.EntityRef{Type: r.Entity.Type, ID: r.Entity.ID}.String()
				}
				callers = append(callers, s)
			}
			sort.Strings(callers)
			if d.CallerType != c.callerType || !cmp.Equal(callers, c.callers) {
				t.Errorf("callers %s %q, want %s %q", d.CallerType, callers, c.callerType, c.callers)
			}
		})
	}
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.AwsAccount, analysistest.Account), Panel: analysis.PanelActivityDetails, Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range got.(*analysis.ActivityDetails).ByIP {
		if r.Label == "ec2.amazonaws.com" && r.Entity == nil && r.Success == 1 {
			found = true
		}
	}
	if !found {
		t.Error("the service source ec2.amazonaws.com is missing from the account's addresses")
	}
}

func TestSearch(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		name string
		req  analysis.SearchRequest
		want []string
		code string
	}{
		// alice has more calls than her session, so she comes first.
		{"exact label, every type", analysis.SearchRequest{Q: "alice"}, []string{"AwsUser/" + analysistest.AliceID, "AwsRoleSession/" + analysistest.SessionID}, ""},
		{"case and wildcard", analysis.SearchRequest{Type: trailhound.AwsUser, Q: "*ALICE*"}, []string{"AwsUser/" + analysistest.AliceID}, ""},
		{"question mark", analysis.SearchRequest{Type: trailhound.AccessKey, Q: "ASIAEXAMPLESESSION0?"}, []string{"AccessKey/ASIAEXAMPLESESSION01"}, ""},
		{"arn", analysis.SearchRequest{Q: "arn:aws:iam::111122223333:role/Admin"}, []string{"AwsRole/" + analysistest.AdminRoleID}, ""},
		{"hostile arn", analysis.SearchRequest{Q: analysistest.HostileARN}, []string{"AwsUser/" + analysistest.HostileID}, ""},
		{"hostile user agent", analysis.SearchRequest{Type: trailhound.UserAgent, Q: analysistest.HostileUA}, []string{"UserAgent/" + analysistest.HostileUA}, ""},
		{"like wildcards are literal", analysis.SearchRequest{Q: "%"}, nil, ""},
		{"quotes are data", analysis.SearchRequest{Q: "' OR 1=1 --"}, nil, ""},
		{"backslash is literal", analysis.SearchRequest{Type: trailhound.UserAgent, Q: `*\back`}, []string{"UserAgent/" + analysistest.HostileUA}, ""},
		// As a LIKE wildcard, "_" would match the space of "Linux x86_64".
		{"underscore is literal", analysis.SearchRequest{Type: trailhound.UserAgent, Q: "*Linux_x86*"}, nil, ""},
		{"question mark matches one character", analysis.SearchRequest{Type: trailhound.UserAgent, Q: "*Linux?x86*"}, []string{"UserAgent/Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>"}, ""},
		{"cidr", analysis.SearchRequest{Q: "10.0.0.0/16"}, []string{"IpAddress/10.0.2.7", "IpAddress/10.0.1.25"}, ""},
		{"cidr v6", analysis.SearchRequest{Q: "2001:67c::/32"}, []string{"IpAddress/2001:67c:2e8::1"}, ""},
		{"cidr without addresses", analysis.SearchRequest{Q: "192.0.2.0/24"}, nil, ""},
		{"dotted wildcard", analysis.SearchRequest{Type: trailhound.IPAddress, Q: "10.0.*.*"}, []string{"IpAddress/10.0.2.7", "IpAddress/10.0.1.25"}, ""},
		{"address, every type", analysis.SearchRequest{Q: "10.0.2.7"}, []string{"IpAddress/10.0.2.7"}, ""},
		{"address wildcard, every type", analysis.SearchRequest{Q: "*.2.7"}, []string{"IpAddress/10.0.2.7"}, ""},
		{"ipv6 in capitals", analysis.SearchRequest{Q: "2001:67C:*"}, []string{"IpAddress/2001:67c:2e8::1"}, ""},
		{"api names are not entities", analysis.SearchRequest{Q: "iam.amazonaws.com:CreateUser"}, nil, ""},
		{"bad cidr", analysis.SearchRequest{Q: "10.0.0.0/33"}, nil, trailhound.EINVALID},
		{"cidr of another type", analysis.SearchRequest{Type: trailhound.AwsUser, Q: "10.0.0.0/8"}, nil, trailhound.EINVALID},
		{"unknown type", analysis.SearchRequest{Type: "Nope"}, nil, trailhound.EINVALID},
		{"api type", analysis.SearchRequest{Type: "Api"}, nil, trailhound.EINVALID},
		{"bad cursor", analysis.SearchRequest{Cursor: "zz"}, nil, trailhound.EINVALID},
		{"bad limit", analysis.SearchRequest{Limit: 5000}, nil, trailhound.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := eng.Search(context.Background(), c.req)
			if code := trailhound.ErrorCode(err); code != c.code {
				t.Fatalf("code %q (%v), want %q", code, err, c.code)
			}
			if err != nil {
				return
			}
			var ids []string
			for _, r := range got.Results {
				ids = append(ids, trailhound.EntityRef{Type: r.Type, ID: r.ID}.String())
			}
			if !cmp.Equal(ids, c.want) || got.Total != int64(len(c.want)) {
				t.Errorf("got %q (total %d), want %q", ids, got.Total, c.want)
			}
		})
	}
}

// TestSearchCIDRPages pages through a block holding every IPv4 address.
func TestSearchCIDRPages(t *testing.T) {
	eng := newEngine(t)
	var ids []string
	cursor := ""
	for range 5 {
		got, err := eng.Search(context.Background(), analysis.SearchRequest{Q: "0.0.0.0/0", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 7 {
			t.Errorf("total %d, want the 7 IPv4 addresses", got.Total)
		}
		for _, r := range got.Results {
			ids = append(ids, r.ID)
		}
		if cursor = got.Cursor; cursor == "" {
			break
		}
	}
	if len(ids) != 7 || ids[0] != "89.160.20.112" {
		t.Errorf("addresses %q", ids)
	}
}

// TestSearchList lists every address by activity, a page at a time, and
// checks the activity against the records.
func TestSearchList(t *testing.T) {
	eng := newEngine(t)
	calls := map[string]int64{}
	for _, r := range analysistest.Records(t) {
		calls[r.SourceIP]++
	}
	var all []analysis.SearchResult
	cursor := ""
	for pages := 0; ; pages++ {
		got, err := eng.Search(context.Background(), analysis.SearchRequest{Type: trailhound.IPAddress, Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 8 {
			t.Errorf("total %d, want 8", got.Total)
		}
		all = append(all, got.Results...)
		if cursor = got.Cursor; cursor == "" || pages > 5 {
			break
		}
	}
	if len(all) != 8 {
		t.Fatalf("%d addresses over the pages, want 8", len(all))
	}
	for i, r := range all {
		if r.Activity != calls[r.ID] {
			t.Errorf("%s: activity %d, want %d", r.ID, r.Activity, calls[r.ID])
		}
		if i > 0 && r.Activity > all[i-1].Activity {
			t.Errorf("not sorted by activity at %s", r.ID)
		}
	}
}

// TestSearchActivityByType: listing a type counts each entity's activity
// as a search over every type does.
func TestSearchActivityByType(t *testing.T) {
	eng := newEngine(t)
	ctx := context.Background()
	every, err := eng.Search(ctx, analysis.SearchRequest{Q: "*", Limit: analysis.MaxSearchLimit})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	types := map[trailhound.Namespace]bool{}
	active := 0
	for _, r := range every.Results {
		want[string(r.Type)+"/"+r.ID] = r.Activity
		types[r.Type] = true
		if r.Activity > 0 {
			active++
		}
	}
	if active < 10 || len(types) < 8 {
		t.Fatalf("%d active entities of %d types", active, len(types))
	}
	for ns := range types {
		got, err := eng.Search(ctx, analysis.SearchRequest{Type: ns, Limit: analysis.MaxSearchLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got.Results {
			if k := string(r.Type) + "/" + r.ID; r.Activity != want[k] {
				t.Errorf("%s: activity %d listing %s, %d over every type", k, r.Activity, ns, want[k])
			}
		}
	}
}

// TestSearchListingMatchesPattern: listing without a pattern (ranked
// apart) pages through the same entities in the same order, with the same
// totals, as the pattern "*" (which matches every entity), for every type
// and for all types, in pages small enough to cross from the active
// entities to the inactive ones.
func TestSearchListingMatchesPattern(t *testing.T) {
	eng := newEngine(t)
	pages := func(req analysis.SearchRequest) ([]analysis.SearchResult, int64) {
		return searchPages(t, eng, req, 400)
	}
	types := []trailhound.Namespace{"", trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession,
		trailhound.FederatedUser, trailhound.AwsService, trailhound.AccessKey, trailhound.IPAddress, trailhound.UserAgent,
		trailhound.AutonomousSystem, trailhound.Ec2Instance, trailhound.S3Bucket, trailhound.FindingEntity}
	for _, ns := range types {
		for _, limit := range []int{1, 2, 7} {
			list, lt := pages(analysis.SearchRequest{Type: ns, Limit: limit})
			pat, pt := pages(analysis.SearchRequest{Type: ns, Q: "*", Limit: limit})
			if lt != pt || len(list) != len(pat) || int64(len(list)) != lt {
				t.Fatalf("%q limit %d: listed %d of %d, pattern %d of %d", ns, limit, len(list), lt, len(pat), pt)
			}
			for i := range list {
				if list[i] != pat[i] {
					t.Errorf("%q limit %d, #%d: listed %+v, pattern %+v", ns, limit, i, list[i], pat[i])
					break
				}
			}
		}
	}
}

func TestEntity(t *testing.T) {
	eng := newEngine(t)
	ctx := context.Background()
	backdoor, err := eng.Entity(ctx, ref(trailhound.AwsUser, "AIDAEXAMPLEBACKDOOR1"))
	if err != nil {
		t.Fatal(err)
	}
	var createdBy *analysis.Fact
	for i, f := range backdoor.Facts {
		if f.Name == "created_by" {
			createdBy = &backdoor.Facts[i]
		}
	}
	if createdBy == nil || createdBy.Entity == nil || *createdBy.Entity != (analysis.Ref{Type: trailhound.AwsRoleSession, ID: analysistest.SessionID}) ||
		createdBy.Time != unix("2026-11-01T10:10:00Z") || createdBy.EventID != "e0000000-0000-4000-8000-000000000003" {
		t.Errorf("created_by %+v", createdBy)
	}
	if !cmp.Equal(backdoor.Panels, []string{"associated-findings", "api-call-volume", "activity-details", "new-geolocations", "resource-interaction",
		"new-api-calls", "new-user-agents", "new-asos", "increased-volume"}) {
		t.Errorf("panels %q", backdoor.Panels)
	}

	ip, err := eng.Entity(ctx, ref(trailhound.IPAddress, "81.2.69.160"))
	if err != nil {
		t.Fatal(err)
	}
	if ip.IP == nil || ip.IP.City != "London" || ip.IP.ASN != 20712 || ip.IP.ASOrg != "Andrews & Arnold Ltd" || ip.IP.Class != "public" ||
		*ip.IP.AutonomousSystem != (analysis.Ref{Type: trailhound.AutonomousSystem, ID: "AS20712"}) {
		t.Errorf("ip info %+v", ip.IP)
	}

	hostile, err := eng.Entity(ctx, ref(trailhound.AwsUser, analysistest.HostileID))
	if err != nil {
		t.Fatal(err)
	}
	if hostile.ARN != analysistest.HostileARN || hostile.FirstSeen != unix("2026-11-01T09:30:00Z") || hostile.LastSeen != unix("2026-11-01T09:31:00Z") ||
		hostile.Account != analysistest.Account {
		t.Errorf("hostile user %+v", hostile)
	}

	inst, err := eng.Entity(ctx, ref(trailhound.Ec2Instance, analysistest.InstanceID))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(inst.Panels, []string{"associated-findings", "api-call-volume", "activity-details", "new-geolocations", "resource-interaction", "new-api-calls", "new-user-agents", "new-asos",
		"vpc-flow-volume", "increased-volume", "vpc-flow-details", "vpc-flow-service-ports"}) || len(inst.Facts) != 8 {
		t.Errorf("instance %+v", inst)
	}

	for _, r := range []trailhound.EntityRef{ref(trailhound.AwsUser, "AIDANOBODY"), ref("Api", "iam.amazonaws.com:CreateUser"), ref(trailhound.AwsRole, analysistest.AliceID)} {
		if _, err := eng.Entity(ctx, r); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
			t.Errorf("%s: %v, want not found", r, err)
		}
	}
}

func TestFinding(t *testing.T) {
	eng := newEngine(t)
	f, err := eng.Finding(context.Background(), analysistest.FindingID)
	if err != nil {
		t.Fatal(err)
	}
	var involved []string
	for _, e := range f.Entities {
		involved = append(involved, string(e.Type)+"/"+e.ID)
	}
	want := []string{"AwsAccount/111122223333", "Ec2Instance/i-0abc1234def567890", "IpAddress/10.0.1.25", "IpAddress/198.51.100.77"}
	if !cmp.Equal(involved, want) {
		t.Errorf("involved %q, want %q", involved, want)
	}
	if f.Versions != 2 || !f.Archived || f.Count != 7 || f.DefaultScope != (analysis.ScopeJSON{Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:30:01Z")}) {
		t.Errorf("finding %+v", f)
	}
	var detail struct{ Service struct{ Count int } }
	if err := json.Unmarshal(f.Detail, &detail); err != nil || detail.Service.Count != 7 {
		t.Errorf("detail is not the latest version: %v %s", err, f.Detail)
	}
	// The incident's only finding has no related findings; its account
	// would relate every finding of the account, so it does not count.
	if len(f.Related) != 0 || f.RelatedTotal != 0 || len(f.RelatedIgnored) != 1 || f.RelatedIgnored[0].Type != trailhound.AwsAccount || f.RelatedIgnored[0].Reason != "common-type" {
		t.Errorf("related %+v ignored %+v", f.Related, f.RelatedIgnored)
	}
	if _, err := eng.Finding(context.Background(), "nope"); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
		t.Errorf("unknown finding: %v", err)
	}
}

// TestEvents reads the raw records behind the session's numbers from the
// archive: they are the input records, byte for byte, oldest first.
func TestEvents(t *testing.T) {
	eng := newEngine(t)
	// In one batch, and in batches of two records read ahead of fn.
	for _, batch := range []int{0, 2} {
		if batch > 0 {
			defer analysis.SetEventBatch(batch)()
		}
		testEventsOf(t, eng, batch)
	}
	// fn's error stops the stream, batches read ahead or not.
	defer analysis.SetEventBatch(2)()
	stream, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: ref(trailhound.AwsAccount, analysistest.Account), Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	if err := stream.Each(context.Background(), func(*trailhound.APICall) error {
		calls++
		if calls == 5 {
			return stop
		}
		return nil
	}); err != stop || calls != 5 {
		t.Errorf("stopped stream: %v after %d records, want %v after 5", err, calls, stop)
	}
}

func testEventsOf(t *testing.T, eng *analysis.Engine, batch int) {
	for _, e := range []trailhound.EntityRef{
		ref(trailhound.AwsRoleSession, analysistest.SessionID),
		ref(trailhound.AwsAccount, analysistest.Account),
		ref(trailhound.UserAgent, analysistest.HostileUA),
		ref(trailhound.S3Bucket, "finance-reports"),
	} {
		t.Run(fmt.Sprintf("%s/batch=%d", e, batch), func(t *testing.T) {
			stream, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: e, Start: day.Start, End: day.End})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if err := stream.Each(context.Background(), func(c *trailhound.APICall) error {
				got = append(got, string(c.Raw))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range analysistest.Records(t) {
				if attributed(r, e) {
					want = append(want, string(r.Raw))
				}
			}
			if len(want) == 0 {
				t.Fatal("no records expected: the test is wrong")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("raw records (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: ref(trailhound.AutonomousSystem, "AS20712"), Source: trailhound.SourceCloudTrail}); trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("autonomous system events: %v", err)
	}
	// Filtered records match the filtered panel.
	account := ref(trailhound.AwsAccount, analysistest.Account)
	for _, c := range []struct {
		filters map[string]string
		ids     []string
	}{
		{map[string]string{"ipClass": "private"}, []string{"e0000000-0000-4000-8000-000000000009", "e0000000-0000-4000-8000-000000000010"}},
		{map[string]string{"apiContains": "attach", "ip": "89.160.20.112"}, []string{"e0000000-0000-4000-8000-000000000004"}},
		{map[string]string{"notService": "iam,sts,signin,ec2"}, []string{"e0000000-0000-4000-8000-000000000007", "e0000000-0000-4000-8000-000000000008"}},
	} {
		stream, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: account, Start: day.Start, End: day.End, Filters: c.filters})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		stream.Each(context.Background(), func(call *trailhound.APICall) error {
			ids = append(ids, call.EventID)
			return nil
		})
		if !cmp.Equal(ids, c.ids) {
			t.Errorf("%v: %q, want %q", c.filters, ids, c.ids)
		}
	}
	for _, f := range []map[string]string{{"bucket": "1"}, {"nope": "x"}} {
		if _, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: account, Filters: f}); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("%v: %v", f, err)
		}
	}
}

func TestAssociatedFindings(t *testing.T) {
	eng := newEngine(t)
	finding := analysis.AssociatedFinding{ID: analysistest.FindingID, Title: "EC2 instance i-0abc1234def567890 is querying a domain name that is associated with Bitcoin-related activity.",
		Type: "CryptoCurrency:EC2/BitcoinTool.B", Severity: 8, Account: analysistest.Account, Region: "ap-southeast-7",
		FirstSeen: unix("2026-11-01T10:30:00Z"), LastSeen: unix("2026-11-01T11:30:00Z"), Archived: true,
		Finding: analysis.Ref{Type: trailhound.FindingEntity, ID: analysistest.FindingID},
		Scope:   analysis.ScopeJSON{Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:30:01Z")}}
	cases := []struct {
		entity trailhound.EntityRef
		scope  trailhound.Scope
		want   []analysis.AssociatedFinding
	}{
		{ref(trailhound.Ec2Instance, analysistest.InstanceID), day, []analysis.AssociatedFinding{finding}},
		{ref(trailhound.IPAddress, "198.51.100.77"), day, []analysis.AssociatedFinding{finding}},
		// The last observation is inside a scope that starts at it.
		{ref(trailhound.Ec2Instance, analysistest.InstanceID), trailhound.Scope{Start: unix("2026-11-01T11:30:00Z"), End: unix("2026-11-01T12:00:00Z")}, []analysis.AssociatedFinding{finding}},
		{ref(trailhound.Ec2Instance, analysistest.InstanceID), trailhound.Scope{Start: unix("2026-11-01T11:31:00Z"), End: unix("2026-11-01T12:00:00Z")}, []analysis.AssociatedFinding{}},
		{ref(trailhound.Ec2Instance, analysistest.InstanceID), trailhound.Scope{Start: unix("2026-11-01T09:00:00Z"), End: unix("2026-11-01T10:30:00Z")}, []analysis.AssociatedFinding{}},
		{ref(trailhound.AwsUser, analysistest.AliceID), day, []analysis.AssociatedFinding{}},
	}
	for _, c := range cases {
		got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelFindings, Start: c.scope.Start, End: c.scope.End})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, got.(*analysis.AssociatedFindings).Findings); diff != "" {
			t.Errorf("%s %+v (-want +got):\n%s", c.entity, c.scope, diff)
		}
	}
}

// TestActivityFilters checks each filter against counts taken from the
// records of the account, and the errors of bad filters.
func TestActivityFilters(t *testing.T) {
	eng := newEngine(t)
	account := ref(trailhound.AwsAccount, analysistest.Account)
	private := func(ip string) bool { return strings.HasPrefix(ip, "10.") }
	cases := []struct {
		params map[string]string
		keep   func(r analysistest.Record) bool
	}{
		{map[string]string{"api": "AttachUserPolicy"}, func(r analysistest.Record) bool { return r.Name == "AttachUserPolicy" }},
		{map[string]string{"api": "iam.amazonaws.com:createuser,ListBuckets"}, func(r analysistest.Record) bool { return r.Name == "CreateUser" || r.Name == "ListBuckets" }},
		{map[string]string{"notApi": "AssumeRole"}, func(r analysistest.Record) bool { return r.Name != "AssumeRole" }},
		{map[string]string{"apiContains": "List,Attach"}, func(r analysistest.Record) bool {
			return strings.Contains(r.Name, "List") || strings.Contains(r.Name, "Attach")
		}},
		{map[string]string{"service": "iam"}, func(r analysistest.Record) bool { return r.Source == "iam.amazonaws.com" }},
		{map[string]string{"notService": "iam,sts"}, func(r analysistest.Record) bool {
			return r.Source != "iam.amazonaws.com" && r.Source != "sts.amazonaws.com"
		}},
		{map[string]string{"ip": "89.160.20.0/24,2001:67c:2e8::1"}, func(r analysistest.Record) bool {
			return r.SourceIP == "89.160.20.112" || r.SourceIP == "2001:67c:2e8::1"
		}},
		{map[string]string{"notIp": "10.0.0.0/8"}, func(r analysistest.Record) bool { return !private(r.SourceIP) }},
		{map[string]string{"ipClass": "private"}, func(r analysistest.Record) bool { return private(r.SourceIP) }},
		{map[string]string{"service": "iam", "ipClass": "public"}, func(r analysistest.Record) bool {
			return r.Source == "iam.amazonaws.com" && r.SourceIP == "89.160.20.112"
		}},
		{map[string]string{"resource": strings.ToLower(analysistest.AliceID)}, func(r analysistest.Record) bool { return caller(r) == analysistest.AliceID }},
		{map[string]string{"notResource": analysistest.AliceID}, func(r analysistest.Record) bool { return caller(r) != analysistest.AliceID }},
		{map[string]string{"match": "any", "api": "AttachUserPolicy", "ipClass": "private"}, func(r analysistest.Record) bool {
			return r.Name == "AttachUserPolicy" || private(r.SourceIP)
		}},
		{map[string]string{"match": "any", "resource": analysistest.AliceID, "service": "ec2"}, func(r analysistest.Record) bool {
			return caller(r) == analysistest.AliceID || r.Source == "ec2.amazonaws.com"
		}},
		{map[string]string{"match": "all", "resource": analysistest.AliceID, "notApi": "CreateUser"}, func(r analysistest.Record) bool {
			return caller(r) == analysistest.AliceID && r.Name != "CreateUser"
		}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.params), func(t *testing.T) {
			got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: account, Panel: analysis.PanelActivityDetails, Start: day.Start, End: day.End, Params: c.params})
			if err != nil {
				t.Fatal(err)
			}
			var want analysis.Counts
			for _, r := range analysistest.Records(t) {
				if attributed(r, account) && c.keep(r) {
					if r.Failed {
						want.Failure++
					} else {
						want.Success++
					}
				}
			}
			d := got.(*analysis.ActivityDetails)
			if d.Totals != want || want == (analysis.Counts{}) {
				t.Errorf("totals %+v, want %+v", d.Totals, want)
			}
			var sum analysis.Counts
			for _, r := range d.ByAPI {
				sum.Success += r.Success
				sum.Failure += r.Failure
			}
			if sum != want || !cmp.Equal(d.Filters, c.params) {
				t.Errorf("rows sum to %+v, filters %v", sum, d.Filters)
			}
			// The raw records behind the filtered panel are as many.
			stream, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: account, Start: day.Start, End: day.End, Filters: c.params})
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := stream.Each(context.Background(), func(*trailhound.APICall) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if n != want.Success+want.Failure {
				t.Errorf("%d raw records, want %d", n, want.Success+want.Failure)
			}
		})
	}
	for _, params := range []map[string]string{{"ip": "10.0.0.0/33"}, {"notIp": "host"}, {"apiContain": "List"}, {"match": "some"}} {
		_, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: account, Panel: analysis.PanelActivityDetails, Params: params})
		if trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("%v: %v", params, err)
		}
	}
	_, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: account, Panel: analysis.PanelAPICallVolume, Params: map[string]string{"api": "x"}})
	if trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("api-call-volume with a filter: %v", err)
	}
}

// TestNewGeolocations compares the places of a scope with those of its
// baseline, from the records and the test's GeoIP networks.
func TestNewGeolocations(t *testing.T) {
	eng := newEngine(t)
	places := map[string]string{"81.2.69.160": "GB/England/London", "89.160.20.112": "SE/Östergötland County/Linköping"}
	// expected computes the panel from the records: places of the scope
	// absent from the entity's (and the account's) baseline.
	expected := func(e trailhound.EntityRef, s trailhound.Scope) (map[string]analysis.Counts, map[string]bool, analysis.Counts) {
		base := s.Baseline(trailhound.DefaultBaseline)
		seen, seenAccount := map[string]bool{}, map[string]bool{}
		scoped := map[string]analysis.Counts{}
		var unlocated analysis.Counts
		for _, r := range analysistest.Records(t) {
			u, p := r.Time.Unix(), places[r.SourceIP]
			if u >= base.Start && u < base.End && p != "" {
				if attributed(r, e) {
					seen[p] = true
				}
				if attributed(r, ref(trailhound.AwsAccount, analysistest.Account)) {
					seenAccount[p] = true
				}
			}
			if u < s.Start || u >= s.End || !attributed(r, e) {
				continue
			}
			c := analysis.Counts{Success: 1}
			if r.Failed {
				c = analysis.Counts{Failure: 1}
			}
			if p == "" {
				unlocated.Success += c.Success
				unlocated.Failure += c.Failure
				continue
			}
			sc := scoped[p]
			sc.Success += c.Success
			sc.Failure += c.Failure
			scoped[p] = sc
		}
		newPlaces := map[string]analysis.Counts{}
		newForAccount := map[string]bool{}
		for p, c := range scoped {
			if !seen[p] {
				newPlaces[p] = c
				newForAccount[p] = !seenAccount[p]
			}
		}
		return newPlaces, newForAccount, unlocated
	}
	cases := []struct {
		entity trailhound.EntityRef
		scope  trailhound.Scope
		places int
	}{
		{ref(trailhound.AwsUser, analysistest.AliceID), day, 2},
		{ref(trailhound.AwsUser, analysistest.AliceID), trailhound.Scope{Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:30:00Z")}, 1},
		{ref(trailhound.AwsRoleSession, analysistest.SessionID), trailhound.Scope{Start: unix("2026-11-01T10:15:00Z"), End: unix("2026-11-01T11:00:00Z")}, 0},
		{ref(trailhound.AwsAccount, analysistest.Account), day, 2},
		{ref(trailhound.S3Bucket, "finance-reports"), day, 1},
	}
	for _, c := range cases {
		t.Run(c.entity.String()+fmt.Sprint(c.scope), func(t *testing.T) {
			got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelNewGeolocations, Start: c.scope.Start, End: c.scope.End})
			if err != nil {
				t.Fatal(err)
			}
			g := got.(*analysis.NewGeolocations)
			wantPlaces, wantNewForAccount, wantUnlocated := expected(c.entity, c.scope)
			gotPlaces, gotNewForAccount := map[string]analysis.Counts{}, map[string]bool{}
			for _, l := range g.Locations {
				p := l.Country + "/" + l.Region + "/" + l.City
				gotPlaces[p] = analysis.Counts{Success: l.Success, Failure: l.Failure}
				gotNewForAccount[p] = l.IsNewForEntireAccount
				var sum analysis.Counts
				for _, a := range l.Addresses {
					if places[a.Entity.ID] != p || a.Entity.Type != trailhound.IPAddress {
						t.Errorf("address %+v under %s", a.Entity, p)
					}
					sum.Success += a.Success
					sum.Failure += a.Failure
				}
				if sum != gotPlaces[p] || l.Latitude == nil {
					t.Errorf("%s: addresses sum to %+v of %+v", p, sum, gotPlaces[p])
				}
			}
			if len(wantPlaces) != c.places || !cmp.Equal(gotPlaces, wantPlaces) || !cmp.Equal(gotNewForAccount, wantNewForAccount) || g.Unlocated != wantUnlocated {
				t.Errorf("got %v %v unlocated %+v\nwant %v %v unlocated %+v", gotPlaces, gotNewForAccount, g.Unlocated, wantPlaces, wantNewForAccount, wantUnlocated)
			}
		})
	}
}

func TestResourceInteraction(t *testing.T) {
	eng := newEngine(t)
	adminRole := &analysis.Ref{Type: trailhound.AwsRole, ID: analysistest.AdminRoleID}
	aliceRef := &analysis.Ref{Type: trailhound.AwsUser, ID: analysistest.AliceID}
	session := analysis.Ref{Type: trailhound.AwsRoleSession, ID: analysistest.SessionID}
	cases := []struct {
		entity trailhound.EntityRef
		want   []analysis.Interaction
	}{
		{ref(trailhound.AwsUser, analysistest.AliceID), []analysis.Interaction{
			{Relation: "started-session", Entity: session, Label: "alice", Role: adminRole, Started: 1,
				FirstSeen: unix("2026-11-01T10:05:00Z"), LastSeen: unix("2026-11-01T10:05:00Z")}}},
		{ref(trailhound.AwsRole, analysistest.AdminRoleID), []analysis.Interaction{
			// Three calls of the session (10:10 to 10:20) and the AssumeRole
			// that started it at 10:05.
			{Relation: "session-of-role", Entity: session, Label: "alice", StartedBy: aliceRef, Calls: 3, Started: 1,
				FirstSeen: unix("2026-11-01T10:05:00Z"), LastSeen: unix("2026-11-01T10:20:00Z")}}},
		{ref(trailhound.AwsRoleSession, analysistest.SessionID), []analysis.Interaction{
			{Relation: "role", Entity: *adminRole, Label: "Admin", Started: 1, FirstSeen: unix("2026-11-01T10:05:00Z"), LastSeen: unix("2026-11-01T10:20:00Z")},
			{Relation: "started-by", Entity: *aliceRef, Label: "alice", Started: 1, FirstSeen: unix("2026-11-01T10:05:00Z"), LastSeen: unix("2026-11-01T10:05:00Z")}}},
		{ref(trailhound.IPAddress, "89.160.20.112"), []analysis.Interaction{
			{Relation: "caller", Entity: session, Label: "alice", Calls: 3, FirstSeen: unix("2026-11-01T10:10:00Z"), LastSeen: unix("2026-11-01T10:20:00Z")},
			{Relation: "caller", Entity: *aliceRef, Label: "alice", Calls: 1, FirstSeen: unix("2026-11-01T10:40:00Z"), LastSeen: unix("2026-11-01T10:40:00Z")}}},
		{ref(trailhound.UserAgent, analysistest.HostileUA), []analysis.Interaction{
			{Relation: "caller", Entity: analysis.Ref{Type: trailhound.AwsUser, ID: analysistest.HostileID}, Label: `"quoted"<b>&x`, Calls: 2,
				FirstSeen: unix("2026-11-01T09:30:00Z"), LastSeen: unix("2026-11-01T09:31:00Z")}}},
	}
	for _, c := range cases {
		t.Run(c.entity.String(), func(t *testing.T) {
			got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelInteraction, Start: day.Start, End: day.End})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got.(*analysis.ResourceInteraction).Rows); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.IPAddress, "10.0.1.25"), Panel: analysis.PanelInteraction, Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	// Only the custom-format flow records name the instance: 5,000 bytes
	// out and 40 in, between their start (1793527400) and end (1793527460).
	want := []analysis.Interaction{{Relation: "instance", Entity: analysis.Ref{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID},
		Label: analysistest.InstanceID, Bytes: 5040, FirstSeen: 1793527400, LastSeen: 1793527460}}
	if diff := cmp.Diff(want, got.(*analysis.ResourceInteraction).Rows); diff != "" {
		t.Errorf("instance rows (-want +got):\n%s", diff)
	}
	// The incident's instance has no instance profile: it assumed no role.
	if got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Panel: analysis.PanelInteraction}); err != nil ||
		len(got.(*analysis.ResourceInteraction).Rows) != 0 {
		t.Errorf("instance: %+v, %v", got, err)
	}
}

// TestNewlyObserved checks the newly observed API calls, user agents and
// autonomous systems against the records: items of the scope absent from
// the entity's baseline, and whether the account's baseline has them.
func TestNewlyObserved(t *testing.T) {
	eng := newEngine(t)
	asns := map[string]string{"81.2.69.160": "20712", "89.160.20.112": "29518"}
	kinds := map[string]func(r analysistest.Record) string{
		analysis.PanelNewAPICalls:   func(r analysistest.Record) string { return r.API() },
		analysis.PanelNewUserAgents: func(r analysistest.Record) string { return r.UserAgent },
		analysis.PanelNewASOs:       func(r analysistest.Record) string { return asns[r.SourceIP] },
	}
	label := func(panel string, it analysis.NewlyItem) string {
		if panel == analysis.PanelNewASOs {
			return fmt.Sprint(it.ASN)
		}
		return it.Label
	}
	scopes := []trailhound.Scope{day, {Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:30:00Z")}, {Start: unix("2026-11-01T10:15:00Z"), End: unix("2026-11-01T10:45:00Z")}}
	entities := []trailhound.EntityRef{ref(trailhound.AwsUser, analysistest.AliceID), ref(trailhound.AwsRoleSession, analysistest.SessionID), ref(trailhound.AwsRole, analysistest.AdminRoleID)}
	nonEmpty := 0
	for panel, key := range kinds {
		for _, e := range entities {
			for _, s := range scopes {
				base := s.Baseline(trailhound.DefaultBaseline)
				account := ref(trailhound.AwsAccount, analysistest.Account)
				seen, seenAccount, want := map[string]bool{}, map[string]bool{}, map[string]analysis.Counts{}
				for _, r := range analysistest.Records(t) {
					k, u := key(r), r.Time.Unix()
					if k == "" {
						continue
					}
					if u >= base.Start && u < base.End {
						seen[k] = seen[k] || attributed(r, e)
						seenAccount[k] = seenAccount[k] || attributed(r, account)
					}
					if u >= s.Start && u < s.End && attributed(r, e) {
						c := want[k]
						if r.Failed {
							c.Failure++
						} else {
							c.Success++
						}
						want[k] = c
					}
				}
				wantNew := map[string]bool{}
				for k := range want {
					if seen[k] {
						delete(want, k)
					} else {
						wantNew[k] = !seenAccount[k]
					}
				}
				req := analysis.PanelRequest{Entity: e, Panel: panel, Start: s.Start, End: s.End}
				got, err := eng.Panel(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if panel == analysis.PanelNewASOs {
					// Addresses are mapped one by one, or, when many,
					// by a join: the same answer.
					restore := analysis.MapAddressesBySQL()
					bySQL, err := eng.Panel(context.Background(), req)
					restore()
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(got, bySQL); diff != "" {
						t.Errorf("%s %+v (-by address +join):\n%s", e, s, diff)
					}
				}
				gotCounts, gotNew := map[string]analysis.Counts{}, map[string]bool{}
				for _, it := range got.(*analysis.NewlyObserved).Items {
					gotCounts[label(panel, it)] = analysis.Counts{Success: it.Success, Failure: it.Failure}
					gotNew[label(panel, it)] = it.IsNewForEntireAccount
				}
				if !cmp.Equal(gotCounts, want) || !cmp.Equal(gotNew, wantNew) {
					t.Errorf("%s %s %+v: got %v %v, want %v %v", panel, e, s, gotCounts, gotNew, want, wantNew)
				}
				if len(want) > 0 {
					nonEmpty++
				}
			}
		}
	}
	if nonEmpty < 10 {
		t.Errorf("only %d non-empty answers: the cases test too little", nonEmpty)
	}
	// The autonomous system rows name their organization.
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.AwsUser, analysistest.AliceID), Panel: analysis.PanelNewASOs, Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	items := got.(*analysis.NewlyObserved).Items
	if len(items) != 2 || items[0].Label != "Andrews & Arnold Ltd" || *items[0].Entity != (analysis.Ref{Type: trailhound.AutonomousSystem, ID: "AS20712"}) {
		t.Errorf("autonomous systems %+v", items)
	}
}

// flowRecord is one flow log line of the incident, read by the test.
type flowRecord struct {
	local, remote, instance string
	egress, accept          bool
	bytes                   int64
}

// incidentFlows reads the incident's flow log lines: the default format
// and the custom one with its header, taking the private address as the
// local side when the line has no flow-direction, as the store does.
func incidentFlows(t *testing.T) []flowRecord {
	var out []flowRecord
	for _, f := range analysistest.Incident {
		if !strings.Contains(f.Path, "/vpcflowlogs/") {
			continue
		}
		lines := strings.Split(strings.TrimSpace(f.Content), "\n")
		header := strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
		if strings.HasPrefix(lines[0], "version") {
			header, lines = strings.Fields(lines[0]), lines[1:]
		}
		for _, l := range lines {
			v := map[string]string{}
			for i, field := range strings.Fields(l) {
				v[header[i]] = field
			}
			if v["log-status"] != "OK" {
				continue
			}
			var r flowRecord
			fmt.Sscan(v["bytes"], &r.bytes)
			r.accept = v["action"] == "ACCEPT"
			if v["instance-id"] != "-" {
				r.instance = v["instance-id"]
			}
			src, dst := v["srcaddr"], v["dstaddr"]
			switch {
			case v["flow-direction"] == "egress" || (v["flow-direction"] == "" && strings.HasPrefix(src, "10.")):
				r.local, r.remote, r.egress = src, dst, true
			default:
				r.local, r.remote = dst, src
			}
			out = append(out, r)
		}
	}
	return out
}

func TestVPCFlowVolume(t *testing.T) {
	eng := newEngine(t)
	flows := incidentFlows(t)
	expected := func(e trailhound.EntityRef) analysis.FlowTotals {
		var tot analysis.FlowTotals
		for _, f := range flows {
			var in bool
			switch {
			case e.Type == trailhound.Ec2Instance && f.instance == e.ID, e.Type == trailhound.IPAddress && f.local == e.ID:
				in = !f.egress
			case e.Type == trailhound.IPAddress && f.remote == e.ID:
				in = f.egress
			default:
				continue
			}
			if in {
				tot.Inbound += f.bytes
			} else {
				tot.Outbound += f.bytes
			}
		}
		return tot
	}
	cases := []struct {
		entity trailhound.EntityRef
		rows   int
	}{
		{ref(trailhound.Ec2Instance, analysistest.InstanceID), 2},
		{ref(trailhound.IPAddress, "10.0.1.25"), 4},
		{ref(trailhound.IPAddress, "198.51.100.77"), 2},
		{ref(trailhound.IPAddress, "45.155.205.233"), 1},
	}
	for _, c := range cases {
		for _, s := range []trailhound.Scope{day, {Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T10:31:00Z")}} {
			got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelVPCFlowVolume, Start: s.Start, End: s.End})
			if err != nil {
				t.Fatal(err)
			}
			v := got.(*analysis.VPCFlowVolume)
			want := expected(c.entity)
			var sum analysis.FlowTotals
			for _, b := range v.Buckets {
				sum.Inbound += b.Inbound
				sum.Outbound += b.Outbound
			}
			var rowSum analysis.FlowTotals
			for _, r := range v.Rows {
				if r.Direction == "inbound" {
					rowSum.Inbound += r.Bytes
				} else {
					rowSum.Outbound += r.Bytes
				}
			}
			if v.Totals != want || sum != want || rowSum != want || len(v.Rows) != c.rows || v.BucketSeconds != analysis.Hour {
				t.Errorf("%s %+v: totals %+v buckets %+v rows %+v (%d), want %+v", c.entity, s, v.Totals, sum, rowSum, len(v.Rows), want)
			}
		}
	}
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Panel: analysis.PanelVPCFlowVolume, Start: day.Start, End: day.End})
	if err != nil {
		t.Fatal(err)
	}
	rows := got.(*analysis.VPCFlowVolume).Rows
	want := []analysis.FlowRow{
		{Peer: &analysis.Ref{Type: trailhound.IPAddress, ID: "185.220.101.4"}, PeerLabel: "185.220.101.4", Port: 14444, Protocol: 6, Direction: "outbound", Action: "ACCEPT",
			Bytes: 5000, Packets: 10, Records: 1, FirstSeen: 1793527400, LastSeen: 1793527460},
		{Peer: &analysis.Ref{Type: trailhound.IPAddress, ID: "45.155.205.233"}, PeerLabel: "45.155.205.233", Port: 22, Protocol: 6, Direction: "inbound", Action: "REJECT",
			Bytes: 40, Packets: 1, Records: 1, FirstSeen: 1793527400, LastSeen: 1793527460},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("instance rows (-want +got):\n%s", diff)
	}
}

func TestIncreasedVolume(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		entity   trailhound.EntityRef
		scope    trailhound.Scope
		minScore string
	}{
		{ref(trailhound.AwsUser, analysistest.AliceID), day, ""},
		{ref(trailhound.AwsUser, analysistest.AliceID), day, "0.5"},
		{ref(trailhound.AwsRoleSession, analysistest.SessionID), trailhound.Scope{Start: unix("2026-11-01T10:11:00Z"), End: unix("2026-11-01T10:31:00Z")}, "0.9"},
		{ref(trailhound.AwsRole, analysistest.AdminRoleID), trailhound.Scope{Start: unix("2026-11-01T10:11:00Z"), End: unix("2026-11-01T10:12:00Z")}, "0.99"},
	}
	listed := 0
	for _, c := range cases {
		params := map[string]string{}
		threshold := analysis.MinIncreaseZ
		if c.minScore != "" {
			params["minScore"] = c.minScore
			fmt.Sscan(c.minScore, &threshold)
		}
		got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: c.entity, Panel: analysis.PanelIncreasedVolume, Start: c.scope.Start, End: c.scope.End, Params: params})
		if err != nil {
			t.Fatal(err)
		}
		// The statistic from the records: calls in the scope against the
		// baseline's calls scaled to the scope's length.
		base := c.scope.Baseline(trailhound.DefaultBaseline)
		now, before := map[string]float64{}, map[string]float64{}
		for _, r := range analysistest.Records(t) {
			if !attributed(r, c.entity) {
				continue
			}
			if u := r.Time.Unix(); u >= c.scope.Start && u < c.scope.End {
				now[r.API()]++
			} else if u >= base.Start && u < base.End {
				before[r.API()]++
			}
		}
		want := map[string]float64{}
		for api, n := range now {
			exp := before[api] * float64(c.scope.End-c.scope.Start) / float64(base.End-base.Start)
			if z := (n - exp) / math.Sqrt(math.Max(exp, 1)); z >= threshold && n > exp {
				want[api] = z
			}
		}
		gotScores := map[string]float64{}
		for _, a := range got.(*analysis.IncreasedVolume).APIs {
			gotScores[a.Label] = a.Score
		}
		if !cmp.Equal(gotScores, want, cmpopts.EquateApprox(0, 1e-9)) {
			t.Errorf("%s %+v minScore %s: %v, want %v", c.entity, c.scope, c.minScore, gotScores, want)
		}
		listed += len(want)
	}
	if listed == 0 {
		t.Error("no case lists an API: the cases test too little")
	}
	_, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.AwsUser, analysistest.AliceID), Panel: analysis.PanelIncreasedVolume, Params: map[string]string{"minScore": "high"}})
	if trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("bad minScore: %v", err)
	}
}

// searchPages follows a search's cursor through at most max pages and
// returns every result and the total.
func searchPages(t *testing.T, eng *analysis.Engine, req analysis.SearchRequest, max int) (out []analysis.SearchResult, total int64) {
	t.Helper()
	for range max {
		got, err := eng.Search(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		total = got.Total
		out = append(out, got.Results...)
		if req.Cursor = got.Cursor; req.Cursor == "" {
			return out, total
		}
	}
	t.Fatal("too many pages")
	return nil, 0
}

// TestSearchListingRepeatedRows lists the addresses of a store whose
// entities table holds each of them several times, as it does for the
// entities written since it was last rewritten in order: every address
// once, in the order the pattern "*" gives, across pages that cross from
// the active addresses to the inactive ones.
func TestSearchListingRepeatedRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 8, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 2000})
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO entities SELECT * FROM entities WHERE namespace = 'IpAddress'`); err != nil {
		t.Fatal(err)
	}
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	pages := func(req analysis.SearchRequest) ([]analysis.SearchResult, int64) {
		return searchPages(t, eng, req, 1000)
	}
	var distinct int64
	if err := st.DB().QueryRowContext(ctx, `SELECT count(DISTINCT key) FROM entities WHERE namespace = 'IpAddress'`).Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{7, 50} {
		list, lt := pages(analysis.SearchRequest{Type: trailhound.IPAddress, Limit: limit})
		pat, pt := pages(analysis.SearchRequest{Type: trailhound.IPAddress, Q: "*", Limit: limit})
		if lt != distinct || pt != distinct || int64(len(list)) != distinct || len(pat) != len(list) {
			t.Fatalf("limit %d: listed %d of %d, pattern %d of %d, want %d", limit, len(list), lt, len(pat), pt, distinct)
		}
		if diff := cmp.Diff(pat, list); diff != "" {
			t.Errorf("limit %d: listing differs from the pattern (-pattern +listed):\n%s", limit, diff)
		}
	}
}
