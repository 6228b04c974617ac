package groups

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
)

// Entities of the rule tests.
var (
	userA    = Ref{trailhound.AwsUser, "AIDAUSERA"}
	userB    = Ref{trailhound.AwsUser, "AIDAUSERB"}
	keyA     = Ref{trailhound.AccessKey, "AKIAKEYA"}
	sessionA = Ref{trailhound.AwsRoleSession, "AROAROLE:alice"}
	instance = Ref{trailhound.Ec2Instance, "i-0123"}
	bucket   = Ref{trailhound.S3Bucket, "exports"}
	ipX      = Ref{trailhound.IPAddress, "45.32.9.163"}
	account  = Ref{trailhound.AwsAccount, "111122223333"}
)

const hour = int64(3600)

// fnd builds a finding of type typ observed [first, last] (hours) naming
// refs; an account entity is always named and ignored, as the loader does.
func fnd(id, typ string, first, last int64, refs ...Ref) *finding {
	f := &finding{ID: id, Type: typ, Severity: 5, Account: account.ID, First: first * hour, Last: last * hour, Tactic: TacticOf(typ)}
	f.Named = append(f.Named, named{Ref: account, Ignored: typeIgnored[trailhound.AwsAccount]})
	for _, r := range refs {
		f.Named = append(f.Named, named{Ref: r})
	}
	return f
}

// relatedTo adds an entity the finding reaches through the graph.
func relatedTo(f *finding, entity, via Ref, relation string) *finding {
	f.Related = append(f.Related, related{Entity: entity, Named: via, Relation: relation, At: f.First})
	return f
}

// activeSets renders the active groups as sorted member lists.
func activeSets(g *grouping) []string {
	var out []string
	for _, gr := range g.groups {
		if gr.Status != StatusActive {
			continue
		}
		var ids []string
		for _, m := range gr.Members {
			ids = append(ids, m.Finding)
		}
		sort.Strings(ids)
		out = append(out, strings.Join(ids, ","))
	}
	sort.Strings(out)
	return out
}

func testOptions() Options {
	return Options{Window: 24 * time.Hour, ChainWindow: 72 * time.Hour, MaxFindingsPerEntity: 3}.withDefaults()
}

func TestGroupingRules(t *testing.T) {
	cases := []struct {
		name     string
		findings []*finding
		want     []string // active groups
	}{
		{"shared session", []*finding{
			fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, sessionA),
			fnd("b", "CredentialAccess:IAMUser/AnomalousBehavior", 2, 3, sessionA, ipX),
		}, []string{"a,b"}},
		{"shared access key, user and bucket", []*finding{
			fnd("a", "Exfiltration:S3/AnomalousBehavior", 0, 1, keyA, bucket),
			fnd("b", "Persistence:IAMUser/AnomalousBehavior", 1, 2, keyA),
			fnd("c", "Impact:S3/AnomalousBehavior", 1, 2, bucket),
			fnd("d", "Discovery:IAMUser/AnomalousBehavior", 3, 4, userB),
		}, []string{"a,b,c", "d"}},
		{"the account alone relates nothing", []*finding{
			fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA),
			fnd("b", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userB),
		}, []string{"a", "b"}},
		{"an entity named by too many findings stops relating", []*finding{
			fnd("a", "Recon:EC2/PortProbeUnprotectedPort", 0, 1, ipX),
			fnd("b", "Recon:EC2/PortProbeUnprotectedPort", 0, 1, ipX),
			fnd("c", "Recon:EC2/PortProbeUnprotectedPort", 0, 1, ipX),
			fnd("d", "Recon:EC2/PortProbeUnprotectedPort", 0, 1, ipX), // three others name it: the limit
		}, []string{"a,b,c", "d"}},
		{"within the window", []*finding{
			fnd("a", "Impact:IAMUser/AnomalousBehavior", 0, 1, userA),
			fnd("b", "Discovery:IAMUser/AnomalousBehavior", 25, 26, userA), // 24 h after a ended
		}, []string{"a,b"}},
		{"beyond the window, tactics backwards", []*finding{
			fnd("a", "Impact:IAMUser/AnomalousBehavior", 0, 1, userA),
			fnd("b", "Discovery:IAMUser/AnomalousBehavior", 31, 32, userA),
		}, []string{"a", "b"}},
		{"beyond the window, tactics chained", []*finding{
			fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA),
			fnd("b", "Impact:IAMUser/AnomalousBehavior", 31, 32, userA),
		}, []string{"a,b"}},
		{"beyond the chain window", []*finding{
			fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA),
			fnd("b", "Impact:IAMUser/AnomalousBehavior", 80, 81, userA),
		}, []string{"a", "b"}},
		{"unmapped tactic does not chain", []*finding{
			fnd("a", "Policy:IAMUser/RootCredentialUsage", 0, 1, userA),
			fnd("b", "Impact:IAMUser/AnomalousBehavior", 31, 32, userA),
		}, []string{"a", "b"}},
		{"long finding overlaps", []*finding{
			fnd("a", "Recon:EC2/PortProbeUnprotectedPort", 0, 100, instance),
			fnd("b", "UnauthorizedAccess:EC2/SSHBruteForce", 90, 91, instance),
		}, []string{"a,b"}},
		{"related through the graph", []*finding{
			fnd("a", "Impact:IAMUser/AnomalousBehavior", 0, 1, userA, keyA),
			relatedTo(fnd("b", "CryptoCurrency:EC2/BitcoinTool.B", 1, 5, instance), userA, instance, RelCreatedBy),
		}, []string{"a,b"}},
		{"two related ends do not relate", []*finding{
			relatedTo(fnd("a", "Impact:IAMUser/AnomalousBehavior", 0, 1, keyA), userA, keyA, RelKeyOf),
			relatedTo(fnd("b", "CryptoCurrency:EC2/BitcoinTool.B", 1, 5, instance), userA, instance, RelCreatedBy),
		}, []string{"a", "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGrouping(testOptions(), 1000)
			for _, f := range c.findings {
				g.place(f)
			}
			if got := activeSets(g); !cmp.Equal(got, c.want) {
				t.Errorf("groups %q, want %q", got, c.want)
			}
		})
	}
}

// TestReasons checks what a member records about why it joined.
func TestReasons(t *testing.T) {
	g := newGrouping(testOptions(), 1000)
	g.place(fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA, ipX))
	g.place(fnd("b", "Impact:IAMUser/AnomalousBehavior", 30, 31, userA, ipX))
	g.place(relatedTo(fnd("c", "CryptoCurrency:EC2/BitcoinTool.B", 31, 35, instance), userA, instance, RelCreatedBy))
	gr := g.groups[g.groupOf["a"]]
	var got []Reason
	for _, m := range gr.Members {
		got = append(got, m.Reasons...)
	}
	want := []Reason{
		{Kind: ReasonFirst, Text: "First finding of the group."},
		{Kind: ReasonSharedEntity, Finding: "a", Entity: &userA, GapSeconds: 29 * hour, Chained: true, Tactics: []string{"Discovery", "Impact"},
			Text: "Shares AwsUser/AIDAUSERA with finding a, observed 1d05h apart, beyond the window but in tactic order (Discovery → Impact)."},
		{Kind: ReasonRelatedEntity, Finding: "b", Entity: &userA, Named: &instance, Relation: RelCreatedBy,
			Text: "Shares AwsUser/AIDAUSERA with finding b (this finding's Ec2Instance/i-0123 was created by AwsUser/AIDAUSERA), observed at overlapping times."},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("reasons (-want +got):\n%s", d)
	}
	if s := g.summarize(gr); s.Title != "Discovery → Impact: 3 findings, 1 principal, 1 instance" || s.Severity != 5 {
		t.Errorf("summary %q severity %v", s.Title, s.Severity)
	}
}

// TestBridge: a finding that relates to two groups makes a child of both;
// the parents become inactive and the lineage is kept.
func TestBridge(t *testing.T) {
	g := newGrouping(testOptions(), 1000)
	g.place(fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA))
	g.place(fnd("b", "CryptoCurrency:EC2/BitcoinTool.B", 0, 1, instance))
	pa, pb := g.groupOf["a"], g.groupOf["b"]
	bridge := fnd("c", "Impact:IAMUser/AnomalousBehavior", 2, 3, userA, instance)
	bridge.Severity = 8
	g.place(bridge)
	if got := activeSets(g); !cmp.Equal(got, []string{"a,b,c"}) {
		t.Fatalf("groups %q", got)
	}
	child := g.groups[g.groupOf["c"]]
	if child.Origin != OriginBridge || g.groups[pa].Status != StatusInactive || g.groups[pb].Status != StatusInactive {
		t.Errorf("child origin %s, parents %s %s", child.Origin, g.groups[pa].Status, g.groups[pb].Status)
	}
	var parents []string
	for _, l := range g.lineage {
		if l.Child != child.ID || l.Kind != OriginBridge || l.Finding != "c" {
			t.Errorf("lineage %+v", l)
		}
		parents = append(parents, l.Parent)
	}
	sort.Strings(parents)
	want := []string{pa, pb}
	sort.Strings(want)
	if !slices.Equal(parents, want) {
		t.Errorf("parents %v, want %v", parents, want)
	}
	last := child.Members[len(child.Members)-1]
	if last.Finding != "c" || len(last.Reasons) != 2 {
		t.Errorf("bridge member %+v", last)
	}
	if s := g.summarize(child); s.Severity != 8 || s.Title != "Discovery → Impact: 3 findings, 1 principal, 1 instance" {
		t.Errorf("summary %+v", s)
	}
}

// TestEditsKept: an analyst's split and merge hold when findings are
// updated and new ones arrive.
func TestEditsKept(t *testing.T) {
	g := newGrouping(testOptions(), 1000)
	g.place(fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA))
	g.place(fnd("b", "Persistence:IAMUser/AnomalousBehavior", 1, 2, userA))
	g.place(fnd("c", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userB))
	g.place(fnd("d", "Exfiltration:S3/AnomalousBehavior", 0, 1, bucket))
	if got := activeSets(g); !cmp.Equal(got, []string{"a,b", "c", "d"}) {
		t.Fatalf("groups %q", got)
	}
	c := constraint{Who: "ana", At: 1000}
	if _, err := g.split(g.groupOf["a"], "b", c); err != nil {
		t.Fatal(err)
	}
	if _, err := g.merge(g.groupOf["c"], g.groupOf["d"], c); err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c,d"}
	if got := activeSets(g); !cmp.Equal(got, want) {
		t.Fatalf("after edits %q, want %q", got, want)
	}
	// A new version of b, still naming the user, and a new finding
	// relating both a and b: the split holds, and the new finding joins
	// the closer in time.
	g.place(fnd("b", "Persistence:IAMUser/AnomalousBehavior", 1, 3, userA))
	g.place(fnd("e", "Impact:IAMUser/AnomalousBehavior", 3, 4, userA))
	if got := activeSets(g); !cmp.Equal(got, []string{"a", "b,e", "c,d"}) {
		t.Errorf("after updates %q", got)
	}
	// Editing an inactive group is a conflict.
	if _, err := g.split(groupID("group", "c"), "c", c); trailhound.ErrorCode(err) != trailhound.ECONFLICT {
		t.Errorf("split of an inactive group: %v", err)
	}
	if _, err := g.split(g.groupOf["a"], "a", c); trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("split of a single finding: %v", err)
	}

	// Rebuilt from scratch with the same constraints, in time order.
	r := newGrouping(testOptions(), 2000)
	r.apart, r.together = g.apart, g.together
	for _, f := range []*finding{
		fnd("a", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userA),
		fnd("c", "Discovery:IAMUser/AnomalousBehavior", 0, 1, userB),
		fnd("d", "Exfiltration:S3/AnomalousBehavior", 0, 1, bucket),
		fnd("b", "Persistence:IAMUser/AnomalousBehavior", 1, 3, userA),
		fnd("e", "Impact:IAMUser/AnomalousBehavior", 3, 4, userA),
	} {
		r.place(f)
	}
	if got := activeSets(r); !cmp.Equal(got, []string{"a", "b,e", "c,d"}) {
		t.Errorf("rebuilt %q", got)
	}
}

func TestTacticOf(t *testing.T) {
	for typ, want := range map[string]string{
		"Recon:EC2/PortProbeUnprotectedPort":                                   "Reconnaissance",
		"UnauthorizedAccess:IAMUser/TorIPCaller":                               "Initial Access",
		"UnauthorizedAccess:EC2/SSHBruteForce":                                 "Credential Access",
		"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": "Credential Access",
		"CryptoCurrency:EC2/BitcoinTool.B!DNS":                                 "Impact",
		"Stealth:IAMUser/CloudTrailLoggingDisabled":                            "Defense Evasion",
		"DefenseEvasion:EC2/UnusualDoHActivity":                                "Defense Evasion",
		"PrivilegeEscalation:IAMUser/AnomalousBehavior":                        "Privilege Escalation",
		"Persistence:IAMUser/AnomalousBehavior":                                "Persistence",
		"CredentialAccess:IAMUser/AnomalousBehavior":                           "Credential Access",
		"Discovery:S3/MaliciousIPCaller":                                       "Discovery",
		"Exfiltration:S3/AnomalousBehavior":                                    "Exfiltration",
		"Impact:IAMUser/AnomalousBehavior":                                     "Impact",
		"Policy:IAMUser/RootCredentialUsage":                                   "",
		"TTPs/Discovery/Port scan":                                             "Discovery",
		"Something:Else":                                                       "",
	} {
		if got := TacticOf(typ); got != want {
			t.Errorf("TacticOf(%q) = %q, want %q", typ, got, want)
		}
	}
	for _, m := range TacticMappings {
		if m.Tactic != "" && tacticRank(m.Tactic) < 0 {
			t.Errorf("mapping %q names unknown tactic %q", m.Prefix, m.Tactic)
		}
	}
}
