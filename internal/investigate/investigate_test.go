package investigate_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The fixture's principals.
var (
	alice   = it.User(it.AccountA, "AIDAEXAMPLEALICE00001", "alice", "AKIAEXAMPLEALICE0001")
	bob     = it.User(it.AccountA, "AIDAEXAMPLEBOB0000001", "bob", "AKIAEXAMPLEBOB000001")
	dave    = it.User(it.AccountB, "AIDAEXAMPLEDAVE000001", "dave", "AKIAEXAMPLEDAVE00001")
	deploy1 = it.RoleSession(it.AccountA, "AROAEXAMPLEDEPLOY0001", "Deploy", "s1", "ASIAEXAMPLESESSION01")
	admin   = it.RoleSession(it.AccountB, "AROAEXAMPLEADMINB0001", "Admin", "alice-x", "ASIAEXAMPLESESSIONB1")
	worker  = it.RoleSession(it.AccountA, "AROAEXAMPLEWORKER0001", "worker", instanceID, "ASIAEXAMPLEWORKER001")
)

const (
	instanceID = "i-0abc1234def567890"
	cli        = "aws-cli/2.15.0 Python/3.11.6"
	hostile    = `python-requests/2.31 "><script>alert(1)</script> [x](javascript:alert(1)) ` + "\x1b[31m"
	findingID  = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"
)

// scope is the fixture's second day, the one investigated.
var scope = trailhound.Scope{Start: it.At(1, 0).Unix(), End: it.At(2, 0).Unix()}

// fixture is a day of ordinary activity, then a day on which alice's key
// is used from Suva with a hostile client: new credentials, a denied
// sweep, a bulk download, a hop to Apia across the antimeridian ten
// minutes later, a role in another account that reads a secret and
// launches instances in a region that account never used; and a
// GuardDuty finding about it. The instance's flows show password
// guessing, a session, SSH to a neighbour and mining-pool traffic; its
// profile credentials are used from Singapore.
func fixture(t *testing.T) *sql.DB {
	t.Helper()
	var b it.Builder
	addFixture(&b)
	return b.Ingest(t).DB()
}

func addFixture(b *it.Builder) {
	// The baseline day.
	b.Repeat(3, time.Hour, it.Call{Time: it.At(0, 9), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: cli})
	b.Call(it.Call{Time: it.At(0, 9.5), By: alice, API: "iam:GetUser", IP: it.London, UserAgent: cli},
		it.Call{Time: it.At(0, 10), By: bob, API: "s3:ListBuckets", IP: it.Linkoping, UserAgent: cli},
		it.Call{Time: it.At(0, 11), By: deploy1, API: "ec2:DescribeRegions", IP: it.London, UserAgent: cli},
		it.Call{Time: it.At(0, 11), By: dave, API: "s3:ListBuckets", IP: it.Sydney, UserAgent: cli},
		it.Call{Time: it.At(0, 12), By: worker, API: "s3:GetObject", IP: "3.250.1.9", UserAgent: cli})
	b.Flow(it.At(0, 3), it.AccountA, instanceID, it.Private, "10.0.3.3", 8080, 40000, true, 10, 4000, "ACCEPT")

	// The scope day: routine first.
	b.Call(it.Call{Time: it.At(1, 8), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: cli})
	// Then from Suva with a hostile client.
	b.Call(it.Call{Time: it.At(1, 8.1), By: alice, API: "iam:CreateAccessKey", IP: it.Suva, UserAgent: hostile})
	b.Repeat(3, time.Minute, it.Call{Time: it.At(1, 8.2), By: alice, API: "iam:ListUsers", IP: it.Suva, UserAgent: hostile})
	b.Repeat(2, time.Minute, it.Call{Time: it.At(1, 8.25), By: alice, API: "iam:ListUsers", IP: it.Suva, UserAgent: hostile, Error: "AccessDenied"})
	b.Repeat(120, 2*time.Second, it.Call{Time: it.At(1, 8.3), By: alice, API: "s3:GetObject", IP: it.Suva, UserAgent: hostile})
	// Ten minutes later, from Apia, 1,150 km away across the antimeridian.
	b.Call(it.Call{Time: it.At(1, 8.5), By: alice, API: "ec2:DescribeInstances", IP: it.Apia, UserAgent: hostile})
	// A role in the other account, assumed from Suva.
	b.Call(it.Call{Time: it.At(1, 8.6), By: alice, API: "sts:AssumeRole", IP: it.Suva, UserAgent: hostile, Assumes: &admin})
	b.Call(it.Call{Time: it.At(1, 8.7), By: admin, API: "secretsmanager:GetSecretValue", IP: it.Suva, UserAgent: hostile},
		it.Call{Time: it.At(1, 8.8), By: admin, API: "ec2:RunInstances", IP: it.Suva, UserAgent: hostile, Region: "ap-south-2"})
	// Ordinary calls of the same day from elsewhere.
	b.Call(it.Call{Time: it.At(1, 20), By: alice, API: "s3:ListBuckets", IP: it.Tokyo6, UserAgent: cli},
		it.Call{Time: it.At(1, 21), By: alice, API: "s3:ListBuckets", IP: it.Private, UserAgent: cli},
		it.Call{Time: it.At(1, 22), By: alice, API: "s3:ListBuckets", IP: it.Unlocated, UserAgent: cli})
	b.Finding(findingID, "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", 8, it.AccountA, it.At(1, 8.1), it.At(1, 8.6),
		alice.UserID, alice.UserName, alice.AccessKey, "", it.Suva)

	// The instance: its profile credentials used from Singapore.
	b.Call(it.Call{Time: it.At(1, 12), By: worker, API: "secretsmanager:GetSecretValue", IP: it.Singapore, UserAgent: hostile})
	// Password guessing on SSH from Singapore, then a session.
	for i := 0; i < 30; i++ {
		at := it.At(1, 11).Add(time.Duration(i) * 10 * time.Second)
		b.Flow(at, it.AccountA, instanceID, it.Private, it.Singapore, 22, 50000+i, true, 12, 1500, "ACCEPT")
		b.Flow(at, it.AccountA, instanceID, it.Private, it.Singapore, 22, 50000+i, false, 10, 2000, "ACCEPT")
	}
	b.Flow(it.At(1, 11.5), it.AccountA, instanceID, it.Private, it.Singapore, 22, 51000, false, 900, 3<<20, "ACCEPT")
	// SSH to a neighbour, and a mining pool.
	b.Flow(it.At(1, 11.8), it.AccountA, instanceID, it.Private, "10.0.2.9", 41000, 22, false, 40, 7400, "ACCEPT")
	for i := 0; i < 4; i++ {
		b.Flow(it.At(1, 13+float64(i)/6), it.AccountA, instanceID, it.Private, it.Sydney, 42000, 3333, false, 400, 50000, "ACCEPT")
	}
}

func newInvestigator(t *testing.T, db *sql.DB, opts investigate.Options) *investigate.Investigator {
	t.Helper()
	if opts.ThreatIntel == nil {
		ti, err := investigate.ParseThreatIntel(strings.NewReader("202.62.10.5 known botnet controller\n"), "intel.txt")
		if err != nil {
			t.Fatal(err)
		}
		opts.ThreatIntel = ti
	}
	return investigate.NewInvestigator(db, opts)
}

func run(t *testing.T, iv *investigate.Investigator, ref trailhound.EntityRef) *investigate.Investigation {
	t.Helper()
	inv, err := iv.Investigate(context.Background(), investigate.Request{Entity: ref, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func find(inv *investigate.Investigation, keep func(investigate.Indicator) bool) []investigate.Indicator {
	var out []investigate.Indicator
	for _, in := range inv.Indicators {
		if keep(in) {
			out = append(out, in)
		}
	}
	return out
}

func ofType(t investigate.IndicatorType) func(investigate.Indicator) bool {
	return func(in investigate.Indicator) bool { return in.Type == t }
}

func TestInvestigateUser(t *testing.T) {
	db := fixture(t)
	iv := newInvestigator(t, db, investigate.Options{})
	inv := run(t, iv, trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
	golden(t, "alice", inv)

	if inv.Severity != investigate.Critical || inv.Status != investigate.Successful {
		t.Errorf("severity %s, status %s", inv.Severity, inv.Status)
	}
	var tactics []string
	for _, ta := range inv.Tactics {
		tactics = append(tactics, ta.Tactic)
	}
	for _, want := range []string{"Initial Access", "Persistence", "Privilege Escalation", "Defense Evasion", "Credential Access", "Discovery",
		"Lateral Movement", "Collection", "Exfiltration", "Impact", "Execution"} {
		if !slices.Contains(tactics, want) {
			t.Errorf("tactic %s missing from %v", want, tactics)
		}
	}
	t.Run("TTP fields", func(t *testing.T) {
		got := find(inv, func(in investigate.Indicator) bool {
			return in.Type == investigate.TTPObserved && in.APIName == "iam.amazonaws.com:ListUsers"
		})
		if len(got) != 1 {
			t.Fatalf("%d ListUsers indicators", len(got))
		}
		in := got[0]
		if in.Tactic != "Discovery" || in.TechniqueID != "T1087.004" || in.IPAddress != it.Suva || *in.APISuccessCount != 3 ||
			*in.APIFailureCount != 2 || in.Severity != investigate.High || in.Principal.ID != alice.UserID {
			t.Errorf("%+v", in)
		}
		routine := find(inv, func(in investigate.Indicator) bool {
			return in.Type == investigate.TTPObserved && in.APIName == "s3.amazonaws.com:ListBuckets" && in.IPAddress == it.London
		})
		if len(routine) != 1 || routine[0].Severity != investigate.Informational {
			t.Errorf("routine ListBuckets from London: %+v", routine)
		}
	})
	t.Run("role chaining across accounts", func(t *testing.T) {
		lat := find(inv, func(in investigate.Indicator) bool { return in.TechniqueID == "T1550.001" })
		if len(lat) != 1 || lat[0].Principal.ID != admin.RoleID+":"+admin.Session || lat[0].Severity != investigate.High {
			t.Errorf("%+v", lat)
		}
		region := find(inv, func(in investigate.Indicator) bool { return in.TechniqueID == "T1535" })
		if len(region) != 1 || !strings.Contains(region[0].Procedure, "ap-south-2") {
			t.Errorf("%+v", region)
		}
		var roles []string
		for _, e := range inv.Involved {
			roles = append(roles, e.Role+" "+e.Entity.ID)
		}
		if !slices.Contains(roles, "started session "+admin.RoleID+":"+admin.Session) {
			t.Errorf("involved %v", roles)
		}
	})
	t.Run("impossible travel across the antimeridian", func(t *testing.T) {
		// London at 08:00 then Suva at 08:06; Suva and Apia, either
		// side of the antimeridian, alternate minutes apart.
		tr := find(inv, ofType(investigate.ImpossibleTravel))
		if len(tr) != 2 {
			t.Fatalf("%+v", tr)
		}
		for _, in := range tr {
			if in.Severity != investigate.High || *in.HourlyTimeDelta > 0.2 {
				t.Errorf("%+v", in)
			}
		}
		if in := tr[1]; in.StartingIPAddress != it.Apia || in.EndingIPAddress != it.Suva || *in.DistanceKm < 1100 || *in.DistanceKm > 1200 ||
			in.StartingLocation.Country != "WS" || in.EndingLocation.City != "Suva" || in.Count != 2 {
			t.Errorf("%+v", in)
		}
		if in := tr[0]; in.StartingIPAddress != it.London || *in.DistanceKm < 16000 {
			t.Errorf("%+v", in)
		}
	})
	t.Run("flagged address", func(t *testing.T) {
		fl := find(inv, ofType(investigate.FlaggedIPAddress))
		if len(fl) != 1 || fl[0].IPAddress != it.Suva || fl[0].Reason != "known botnet controller" || fl[0].ListSource != "intel.txt:1" ||
			fl[0].Severity != investigate.High {
			t.Errorf("%+v", fl)
		}
	})
	t.Run("new values", func(t *testing.T) {
		geo := map[string]bool{}
		for _, in := range find(inv, ofType(investigate.NewGeolocation)) {
			geo[in.Location.City+" "+in.IPAddress] = *in.IsNewForEntireAccount
		}
		want := map[string]bool{"Suva " + it.Suva: true, "Apia " + it.Apia: true, "Tokyo " + it.Tokyo6: true}
		if diff := cmp.Diff(want, geo); diff != "" {
			t.Errorf("new geolocations (-want +got):\n%s", diff)
		}
		// The hostile client is new for alice and for the role of the
		// other account.
		ua := find(inv, ofType(investigate.NewUserAgent))
		if len(ua) != 2 || ua[0].UserAgent != hostile || !*ua[0].IsNewForEntireAccount || ua[0].Severity != investigate.Low ||
			ua[1].Principal.ID != admin.RoleID {
			t.Errorf("%+v", ua)
		}
		if n := len(find(inv, ofType(investigate.NewASO))); n != 4 {
			t.Errorf("%d new ASOs", n)
		}
	})
	t.Run("related finding", func(t *testing.T) {
		rf := find(inv, ofType(investigate.RelatedFinding))
		if len(rf) != 1 || rf[0].FindingID != findingID || rf[0].Severity != investigate.High || rf[0].IPAddress != it.Suva ||
			rf[0].Tactic != "Initial Access" || !strings.HasPrefix(rf[0].Arn, "arn:aws:guardduty:") {
			t.Errorf("%+v", rf)
		}
	})
	t.Run("addresses", func(t *testing.T) {
		fam := map[string]string{}
		for _, a := range inv.Addresses {
			fam[a.IP] = a.Familiarity
		}
		// Tokyo's network is new for the account too; the unlocated
		// address is new, with nothing to corroborate it.
		want := map[string]string{it.London: "known", it.Suva: "unfamiliar", it.Apia: "unfamiliar", it.Tokyo6: "unfamiliar",
			it.Private: "internal", it.Unlocated: "new"}
		if diff := cmp.Diff(want, fam); diff != "" {
			t.Errorf("familiarity (-want +got):\n%s", diff)
		}
	})
	t.Run("notes and next steps", func(t *testing.T) {
		notes := strings.Join(inv.Notes, "\n")
		if !strings.Contains(notes, "1 public source address has no known place") || !strings.Contains(notes, "No finding-group source") {
			t.Errorf("notes: %s", notes)
		}
		steps := strings.Join(inv.NextSteps, "\n")
		for _, want := range []string{"Deactivate access key " + alice.AccessKey, "Revoke the active sessions of role " + admin.RoleID,
			"Block ", "ap-south-2", "/entities/AwsUser/" + alice.UserID + "?scopeStart="} {
			if !strings.Contains(steps, want) {
				t.Errorf("next steps lack %q:\n%s", want, steps)
			}
		}
	})
}

func TestInvestigateOtherTypes(t *testing.T) {
	db := fixture(t)
	iv := newInvestigator(t, db, investigate.Options{})
	t.Run("access key", func(t *testing.T) {
		inv := run(t, iv, trailhound.EntityRef{Type: trailhound.AccessKey, ID: alice.AccessKey})
		if inv.Severity != investigate.Critical || len(find(inv, ofType(investigate.RelatedFinding))) != 1 {
			t.Errorf("severity %s, %d indicators", inv.Severity, len(inv.Indicators))
		}
	})
	t.Run("role session", func(t *testing.T) {
		inv := run(t, iv, trailhound.EntityRef{Type: trailhound.AwsRoleSession, ID: admin.RoleID + ":" + admin.Session})
		got := find(inv, func(in investigate.Indicator) bool { return in.Tactic == "Credential Access" && in.Source == "api" })
		if len(got) != 1 || got[0].Severity.Rank() < investigate.High.Rank() {
			t.Errorf("%+v", got)
		}
	})
	t.Run("instance", func(t *testing.T) {
		inv := run(t, iv, trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instanceID})
		byTech := map[string]investigate.Severity{}
		for _, in := range inv.Indicators {
			if in.Type == investigate.TTPObserved {
				byTech[in.TechniqueID] = in.Severity
			}
		}
		for tech, sev := range map[string]investigate.Severity{
			"T1110.001": investigate.Medium, // password guessing
			"T1133":     investigate.High,   // the session that followed
			"T1021.004": investigate.High,   // SSH to a neighbour after it
			"T1496":     investigate.High,   // mining pool
			"T1552.005": investigate.High,   // profile credentials used from outside
		} {
			if byTech[tech] != sev {
				t.Errorf("%s: %q, want %s (all: %v)", tech, byTech[tech], sev, byTech)
			}
		}
		if inv.Involved[0].Entity.ID != instanceID || inv.Involved[1].Role != "instance session" {
			t.Errorf("involved %+v", inv.Involved)
		}
	})
	t.Run("user agent of a benign principal", func(t *testing.T) {
		inv := run(t, iv, trailhound.EntityRef{Type: trailhound.AwsUser, ID: bob.UserID})
		if len(inv.Indicators) != 0 || inv.Severity != investigate.Informational {
			t.Errorf("bob, idle in the scope: %s %+v", inv.Severity, inv.Indicators)
		}
	})
	t.Run("by ARN", func(t *testing.T) {
		inv := run(t, iv, trailhound.EntityRef{Type: trailhound.AwsUser, ID: "arn:aws:iam::111122223333:user/alice"})
		if inv.Entity.ID != alice.UserID {
			t.Errorf("entity %v", inv.Entity)
		}
	})
}

func TestInvestigateErrors(t *testing.T) {
	db := fixture(t)
	iv := newInvestigator(t, db, investigate.Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  investigate.Request
		code string
	}{
		{"type", investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.IPAddress, ID: it.Suva}}, trailhound.EINVALID},
		{"unknown", investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.AwsUser, ID: "AIDANOBODY"}}, trailhound.ENOTFOUND},
		{"empty id", investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.AwsUser}}, trailhound.EINVALID},
		{"scope", investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID}, Start: 2000, End: 1000}, trailhound.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iv.Investigate(ctx, tc.req)
			if trailhound.ErrorCode(err) != tc.code {
				t.Errorf("err %v, want code %s", err, tc.code)
			}
		})
	}
}

// TestInvestigateEdgeCases checks the indicators at their limits: no
// threat list, addresses without a place, a private address on a threat
// list, a baseline-less store, a slow trip across the antimeridian.
func TestInvestigateEdgeCases(t *testing.T) {
	ctx := context.Background()
	t.Run("no threat list", func(t *testing.T) {
		db := fixture(t)
		empty, _ := investigate.ParseThreatIntel(strings.NewReader(""), "empty.txt")
		inv := run(t, investigate.NewInvestigator(db, investigate.Options{ThreatIntel: empty}), trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
		if n := len(find(inv, ofType(investigate.FlaggedIPAddress))); n != 0 {
			t.Errorf("%d flagged", n)
		}
		if !strings.Contains(strings.Join(inv.Notes, " "), "No threat-intelligence list") {
			t.Errorf("notes %v", inv.Notes)
		}
	})
	t.Run("private address on a list", func(t *testing.T) {
		db := fixture(t)
		ti, _ := investigate.ParseThreatIntel(strings.NewReader("10.0.1.0/24 breached lab\n"), "lab.txt")
		inv := run(t, investigate.NewInvestigator(db, investigate.Options{ThreatIntel: ti}), trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
		fl := find(inv, ofType(investigate.FlaggedIPAddress))
		if len(fl) != 1 || fl[0].IPAddress != it.Private {
			t.Errorf("%+v", fl)
		}
		for _, in := range inv.Indicators {
			if (in.Type == investigate.NewGeolocation || in.Type == investigate.ImpossibleTravel) && (in.IPAddress == it.Private || in.StartingIPAddress == it.Private) {
				t.Errorf("a private address has a place: %+v", in)
			}
		}
	})
	t.Run("slow trip and IPv6", func(t *testing.T) {
		var b it.Builder
		b.Call(it.Call{Time: it.At(0, 9), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: cli},
			it.Call{Time: it.At(1, 1), By: alice, API: "s3:ListBuckets", IP: it.Suva, UserAgent: cli},
			it.Call{Time: it.At(1, 4), By: alice, API: "s3:ListBuckets", IP: it.Apia, UserAgent: cli},
			it.Call{Time: it.At(1, 4.05), By: alice, API: "s3:ListBuckets", IP: it.Tokyo6, UserAgent: cli})
		db := b.Ingest(t).DB()
		inv := run(t, investigate.NewInvestigator(db, investigate.Options{}), trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
		tr := find(inv, ofType(investigate.ImpossibleTravel))
		// Suva to Apia in three hours is a flight; Apia to Tokyo (7,500
		// km, over IPv6) in three minutes is not.
		if len(tr) != 1 || tr[0].StartingIPAddress != it.Apia || tr[0].EndingIPAddress != it.Tokyo6 || tr[0].Severity != investigate.High {
			t.Errorf("%+v", tr)
		}
	})
	t.Run("no baseline", func(t *testing.T) {
		var b it.Builder
		b.Call(it.Call{Time: it.At(1, 1), By: alice, API: "iam:CreateAccessKey", IP: it.Suva, UserAgent: hostile})
		db := b.Ingest(t).DB()
		inv, err := investigate.NewInvestigator(db, investigate.Options{}).Investigate(ctx, investigate.Request{
			Entity: trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID}, Start: scope.Start, End: scope.End})
		if err != nil {
			t.Fatal(err)
		}
		// Nothing can be called new without a baseline: the call stays
		// low, and the report says why.
		if inv.Severity != investigate.Low || !strings.Contains(strings.Join(inv.Notes, " "), "No call of account 111122223333 was stored during the baseline") {
			t.Errorf("%s %v", inv.Severity, inv.Notes)
		}
	})
}

// groupSource is a finding-group source for tests.
type groupSource struct{ groups []investigate.GroupInfo }

func (g groupSource) GroupsInvolving(_ context.Context, refs []trailhound.EntityRef, _ trailhound.Scope) ([]investigate.GroupInfo, error) {
	var out []investigate.GroupInfo
	for _, gr := range g.groups {
		for _, e := range gr.Entities {
			if slices.Contains(refs, e) {
				out = append(out, gr)
				break
			}
		}
	}
	return out, nil
}

func (g groupSource) RecentGroups(_ context.Context, since time.Time) ([]investigate.GroupInfo, error) {
	var out []investigate.GroupInfo
	for _, gr := range g.groups {
		if !gr.LastSeen.Before(since) {
			out = append(out, gr)
		}
	}
	return out, nil
}

var testGroups = groupSource{groups: []investigate.GroupInfo{{ID: "g-1", Title: "Initial Access → Exfiltration: 2 findings, 1 principal", Severity: 8,
	Tactics: []string{"Initial Access", "Exfiltration"}, FirstSeen: it.At(1, 8), LastSeen: it.At(1, 9),
	Entities: []trailhound.EntityRef{{Type: trailhound.AwsUser, ID: alice.UserID}, {Type: trailhound.AccessKey, ID: alice.AccessKey}}}}}

func TestRelatedFindingGroup(t *testing.T) {
	db := fixture(t)
	inv := run(t, newInvestigator(t, db, investigate.Options{Groups: testGroups}), trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
	g := find(inv, ofType(investigate.RelatedFindingGroup))
	if len(g) != 1 || g[0].GroupID != "g-1" || g[0].Severity != investigate.High {
		t.Errorf("%+v", g)
	}
	if strings.Contains(strings.Join(inv.Notes, " "), "finding-group source") {
		t.Errorf("notes %v", inv.Notes)
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	goldenBytes(t, name+".golden.json", append(got, '\n'))
}

func goldenBytes(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
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
