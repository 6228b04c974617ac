package evidence_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/evidence"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
	"github.com/trailhound/trailhound/internal/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	alice = it.User(it.AccountA, "AIDAEXAMPLEALICE00001", "alice", "AKIAEXAMPLEALICE0001")
	bob   = it.User(it.AccountA, "AIDAEXAMPLEBOB0000001", "bob", "AKIAEXAMPLEBOB000001")
	dave  = it.User(it.AccountB, "AIDAEXAMPLEDAVE000001", "dave", "AKIAEXAMPLEDAVE00001")
	s1    = it.RoleSession(it.AccountA, "AROAEXAMPLEDEPLOY0001", "Deploy", "s1", "ASIAEXAMPLESESSION01")
	s2    = it.RoleSession(it.AccountA, "AROAEXAMPLEDEPLOY0001", "Deploy", "s2", "ASIAEXAMPLESESSION02")
)

const cli, sdk = "aws-cli/2.15.0 Python/3.11.6", "Boto3/1.34.11 <script>"

// fixture is a day of baseline and a day of scope: alice moves from London
// to Linköping (where bob works, so the account knows it) and Suva (new
// for everyone) with a new client and a new API; the Deploy role's new
// session calls from Tokyo over IPv6; dave, of another account, first
// appears in the scope, from a private and an unknown address.
func fixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	var b it.Builder
	b.Repeat(3, time.Hour, it.Call{Time: it.At(0, 9), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: cli})
	b.Call(it.Call{Time: it.At(0, 9.5), By: alice, API: "iam:GetUser", IP: it.London, UserAgent: cli})
	b.Repeat(2, time.Hour, it.Call{Time: it.At(0, 10), By: bob, API: "s3:ListBuckets", IP: it.Linkoping, UserAgent: cli})
	b.Call(it.Call{Time: it.At(0, 11), By: s1, API: "ec2:DescribeRegions", IP: it.London, UserAgent: cli})

	b.Call(it.Call{Time: it.At(1, 8), By: alice, API: "s3:ListBuckets", IP: it.Linkoping, UserAgent: cli},
		it.Call{Time: it.At(1, 8.5), By: alice, API: "iam:CreateAccessKey", IP: it.Linkoping, UserAgent: sdk},
		it.Call{Time: it.At(1, 9), By: alice, API: "s3:ListBuckets", IP: it.Suva, UserAgent: sdk, Error: "AccessDenied"},
		it.Call{Time: it.At(1, 10), By: s2, API: "ec2:DescribeRegions", IP: it.Tokyo6, UserAgent: cli},
		it.Call{Time: it.At(1, 10.5), By: s2, API: "ec2:DescribeInstances", IP: it.Tokyo6, UserAgent: cli},
		it.Call{Time: it.At(1, 11), By: dave, API: "s3:ListBuckets", IP: it.Private, UserAgent: cli},
		it.Call{Time: it.At(1, 11.5), By: dave, API: "s3:ListBuckets", IP: it.Unlocated, UserAgent: cli})
	return b.Ingest(t).DB()
}

func TestComputeGolden(t *testing.T) {
	db := fixtureDB(t)
	scope := trailhound.Scope{Start: it.At(1, 0).Unix(), End: it.At(2, 0).Unix()}
	items, err := evidence.Compute(context.Background(), db, scope, evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "fixture", items)

	type key struct {
		kind  evidence.Kind
		who   string
		value string
		acct  bool
	}
	var got []key
	for _, x := range items {
		got = append(got, key{x.Kind, x.Entity.ID, x.Value, x.IsNewForEntireAccount})
	}
	want := []key{
		{evidence.NewGeolocation, alice.UserID, "Linköping, Östergötland County, SE", false},
		{evidence.NewGeolocationAllAccounts, alice.UserID, "Suva, Central, FJ", true},
		{evidence.NewGeolocation, alice.UserID, "Suva, Central, FJ", true},
		{evidence.NewGeolocationAllAccounts, s2.RoleID, "Tokyo, Tokyo, JP", true},
		{evidence.NewGeolocation, s2.RoleID, "Tokyo, Tokyo, JP", true},
		{evidence.NewASOAllAccounts, alice.UserID, "Fiji Intl Telecom (AS9241)", true},
		{evidence.NewASO, alice.UserID, "Fiji Intl Telecom (AS9241)", true},
		{evidence.NewASO, alice.UserID, "Bredband2 AB (AS29518)", false},
		{evidence.NewASOAllAccounts, s2.RoleID, "KDDI CORPORATION (AS2516)", true},
		{evidence.NewASO, s2.RoleID, "KDDI CORPORATION (AS2516)", true},
		{evidence.NewUserAgentAllAccounts, alice.UserID, sdk, true},
		{evidence.NewUserAgent, alice.UserID, sdk, true},
		{evidence.NewAPICallAllAccounts, alice.UserID, "iam.amazonaws.com:CreateAccessKey", true},
		{evidence.NewAPICall, alice.UserID, "iam.amazonaws.com:CreateAccessKey", true},
		{evidence.NewAPICallAllAccounts, s2.RoleID, "ec2.amazonaws.com:DescribeInstances", true},
		{evidence.NewAPICall, s2.RoleID, "ec2.amazonaws.com:DescribeInstances", true},
		{evidence.NewPrincipalAllAccounts, dave.UserID, "arn:aws:iam::444455556666:user/dave", true},
		{evidence.NewUserAgent, dave.UserID, cli, true},
		{evidence.NewAPICall, dave.UserID, "s3.amazonaws.com:ListBuckets", true},
	}
	less := func(a, b key) int {
		return cmpStrings(string(a.kind)+a.who+a.value, string(b.kind)+b.who+b.value)
	}
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	for _, x := range items {
		if x.Kind == evidence.NewGeolocation && x.Value == "Suva, Central, FJ" {
			if x.Time != it.At(1, 9).Unix() || x.Failure != 1 || x.Success != 0 || len(x.Addresses) != 1 || x.Addresses[0].Entity.ID != it.Suva {
				t.Errorf("Suva item: %+v", x)
			}
			if x.Location.Latitude == nil || *x.Location.Longitude < 178 || x.Location.CountryName != "Fiji" {
				t.Errorf("Suva location: %+v", x.Location)
			}
			if x.Baseline.Start != scope.Start-45*86400 || x.Baseline.End != scope.Start {
				t.Errorf("baseline %+v", x.Baseline)
			}
		}
		if x.Kind == evidence.NewGeolocationAllAccounts && len(x.Principals) != 1 {
			t.Errorf("principals of %s: %v", x.Value, x.Principals)
		}
	}
}

func TestComputeOptions(t *testing.T) {
	ctx := context.Background()
	db := fixtureDB(t)
	scope := trailhound.Scope{Start: it.At(1, 0).Unix(), End: it.At(2, 0).Unix()}

	t.Run("callers", func(t *testing.T) {
		// Only the new session's calls: items are about its role.
		items, err := evidence.Compute(ctx, db, scope, evidence.Options{Callers: []trailhound.EntityRef{{Type: trailhound.AwsRoleSession, ID: s2.RoleID + ":s2"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Fatal("no items")
		}
		for _, x := range items {
			if x.Entity.ID != s2.RoleID || x.Entity.Type != trailhound.AwsRole {
				t.Errorf("item of %v", x.Entity)
			}
		}
	})
	t.Run("access key", func(t *testing.T) {
		items, err := evidence.Compute(ctx, db, scope, evidence.Options{Callers: []trailhound.EntityRef{{Type: trailhound.AccessKey, ID: alice.AccessKey}},
			Kinds: []evidence.Kind{evidence.NewUserAgentAllAccounts}})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []evidence.Kind
		for _, x := range items {
			kinds = append(kinds, x.Kind)
		}
		if !slices.Equal(kinds, []evidence.Kind{evidence.NewUserAgentAllAccounts, evidence.NewUserAgent}) {
			t.Errorf("kinds %v", kinds)
		}
	})
	t.Run("bad caller", func(t *testing.T) {
		_, err := evidence.Compute(ctx, db, scope, evidence.Options{Callers: []trailhound.EntityRef{{Type: trailhound.IPAddress, ID: it.London}}})
		if trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("err %v", err)
		}
	})
	t.Run("no baseline", func(t *testing.T) {
		// The first day has nothing before it: nothing is called new.
		items, err := evidence.Compute(ctx, db, trailhound.Scope{Start: it.At(0, 0).Unix(), End: it.At(1, 0).Unix()}, evidence.Options{})
		if err != nil || len(items) != 0 {
			t.Errorf("items %v, err %v", items, err)
		}
	})
	t.Run("short baseline", func(t *testing.T) {
		// A baseline of the two hours before noon on the first day holds
		// calls of alice, bob and the role: only dave is new.
		items, err := evidence.Compute(ctx, db, trailhound.Scope{Start: it.At(0, 12).Unix(), End: it.At(2, 0).Unix()}, evidence.Options{Baseline: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		var fresh []string
		for _, x := range items {
			if x.Kind == evidence.NewPrincipalAllAccounts {
				fresh = append(fresh, x.Entity.ID)
			}
		}
		if !slices.Equal(fresh, []string{dave.UserID}) {
			t.Errorf("new principals %v", fresh)
		}
	})
	t.Run("invalid scope", func(t *testing.T) {
		_, err := evidence.Compute(ctx, db, trailhound.Scope{Start: 10, End: 10}, evidence.Options{})
		if trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("err %v", err)
		}
	})
}

// TestAgreesWithPanels checks that the evidence of every user and role
// says what their profile panels say, on the fixture (places,
// organizations, user agents, APIs) and on a generated organization.
func TestAgreesWithPanels(t *testing.T) {
	ctx := context.Background()
	t.Run("fixture", func(t *testing.T) {
		db := fixtureDB(t)
		agree(t, ctx, db, trailhound.Scope{Start: it.At(1, 0).Unix(), End: it.At(2, 0).Unix()})
	})
	t.Run("organization", func(t *testing.T) {
		if testing.Short() {
			t.Skip("generates and ingests an organization")
		}
		scen, err := synth.ParseScenarios("compromised-access-key,cross-account-lateral-movement")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		_, truth, st, _ := analysistest.Organization(t, synth.Config{Seed: 3, Days: 2, Accounts: 4, Start: start, EventsPerDay: 3000, FlowsPerDay: 100, Scenarios: scen})
		agree(t, ctx, st.DB(), trailhound.Scope{Start: truth.End.Unix() - 86400, End: truth.End.Unix()})
	})
}

func agree(t *testing.T, ctx context.Context, db *sql.DB, scope trailhound.Scope) {
	t.Helper()
	items, err := evidence.Compute(ctx, db, scope, evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := analysis.New(db, analysis.Options{})
	type key struct {
		kind  evidence.Kind
		value string
	}
	type facts struct {
		success, failure int64
		account          bool
	}
	got := map[trailhound.EntityRef]map[key]facts{}
	for _, x := range items {
		if x.Kind == evidence.NewPrincipalAllAccounts || x.Kind == evidence.NewGeolocationAllAccounts || x.Kind == evidence.NewASOAllAccounts ||
			x.Kind == evidence.NewUserAgentAllAccounts || x.Kind == evidence.NewAPICallAllAccounts {
			continue
		}
		r := trailhound.EntityRef{Type: x.Entity.Type, ID: x.Entity.ID}
		if got[r] == nil {
			got[r] = map[key]facts{}
		}
		v := x.Value
		if x.Kind == evidence.NewASO {
			v = fmt.Sprint(x.ASN)
		}
		got[r][key{x.Kind, v}] = facts{x.Success, x.Failure, x.IsNewForEntireAccount}
	}
	// Every principal with calls in the scope, whether it has items or
	// not: a missing item is as wrong as an extra one.
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT n.namespace, n.id FROM events e JOIN entities n
ON n.key = CASE WHEN e.role_key <> 0 THEN e.role_key ELSE e.principal_key END
WHERE n.namespace IN ('AwsUser', 'AwsRole') AND e.event_time >= make_timestamp(CAST(? AS BIGINT) * 1000000) AND e.event_time < make_timestamp(CAST(? AS BIGINT) * 1000000)`, scope.Start, scope.End)
	if err != nil {
		t.Fatal(err)
	}
	var principals []trailhound.EntityRef
	for rows.Next() {
		var ns, id string
		rows.Scan(&ns, &id)
		principals = append(principals, trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id})
	}
	rows.Close()
	if len(principals) == 0 {
		t.Fatal("no principals")
	}
	checked := 0
	for _, p := range principals {
		want := map[key]facts{}
		for _, panel := range []string{analysis.PanelNewAPICalls, analysis.PanelNewUserAgents, analysis.PanelNewASOs} {
			res, err := eng.Panel(ctx, analysis.PanelRequest{Entity: p, Panel: panel, Start: scope.Start, End: scope.End})
			if err != nil {
				t.Fatal(err)
			}
			kind := map[string]evidence.Kind{analysis.PanelNewAPICalls: evidence.NewAPICall, analysis.PanelNewUserAgents: evidence.NewUserAgent, analysis.PanelNewASOs: evidence.NewASO}[panel]
			for _, x := range res.(*analysis.NewlyObserved).Items {
				v := x.Label
				if kind == evidence.NewASO {
					v = fmt.Sprint(x.ASN)
				}
				want[key{kind, v}] = facts{x.Success, x.Failure, x.IsNewForEntireAccount}
			}
		}
		res, err := eng.Panel(ctx, analysis.PanelRequest{Entity: p, Panel: analysis.PanelNewGeolocations, Start: scope.Start, End: scope.End})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range res.(*analysis.NewGeolocations).Locations {
			l := evidence.Location{Country: g.Country, Region: g.Region, City: g.City}
			want[key{evidence.NewGeolocation, l.String()}] = facts{g.Success, g.Failure, g.IsNewForEntireAccount}
		}
		if diff := cmp.Diff(want, got[p], cmp.AllowUnexported(facts{}, key{})); diff != "" && !(len(want) == 0 && len(got[p]) == 0) {
			t.Errorf("%s: panels vs evidence (-panels +evidence):\n%s", p, diff)
		}
		checked += len(want)
	}
	if checked == 0 {
		t.Error("no newly observed value checked")
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func cmpStrings(a, b string) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
