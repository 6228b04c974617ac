package groups_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/groups/groupstest"
)

// stubEvidence records what it was asked and answers one item.
type stubEvidence struct {
	callers []trailhound.EntityRef
	scope   trailhound.Scope
}

func (s *stubEvidence) Evidence(_ context.Context, callers []trailhound.EntityRef, scope trailhound.Scope) ([]any, error) {
	s.callers, s.scope = callers, scope
	return []any{map[string]string{"type": "NEW_GEOLOCATION"}}, nil
}

// partition renders the active groups as sorted member lists.
func partition(t *testing.T, svc *groups.Service) []string {
	t.Helper()
	ctx := context.Background()
	list, err := svc.List(ctx, groups.ListRequest{Limit: groups.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list.Groups {
		d, err := svc.Group(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range d.Findings {
			ids = append(ids, m.ID)
		}
		sort.Strings(ids)
		out = append(out, strings.Join(ids, ","))
	}
	sort.Strings(out)
	return out
}

func groupOf(t *testing.T, svc *groups.Service, finding string) string {
	t.Helper()
	refs, err := svc.GroupsOf(context.Background(), finding)
	if err != nil || len(refs) == 0 || refs[0].Status != groups.StatusActive {
		t.Fatalf("groups of %s: %+v %v", finding, refs, err)
	}
	return refs[0].ID
}

// TestServiceLifecycle ingests two deliveries, with an analyst's split
// and merge between them, then rebuilds: the groups follow the rules, the
// edits hold, and everything is explained and audited.
func TestServiceLifecycle(t *testing.T) {
	ctx := context.Background()
	st, _ := groupstest.Open(t)
	ev := &stubEvidence{}
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	svc := groups.New(st.DB(), groups.Options{Evidence: ev, Now: func() time.Time { return now }})

	// Nothing stored yet: nothing to do.
	if r, err := svc.Update(ctx); err != nil || r.Findings != 0 || r.Active != 0 {
		t.Fatalf("empty update %+v %v", r, err)
	}
	groupstest.Ingest(t, st, groupstest.Files("batch1", groupstest.Batch1, true))
	r, err := svc.Update(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings != 4 || r.Active != 3 || r.Created != 3 {
		t.Errorf("first update %+v", r)
	}
	want := []string{"f1-discovery,f2-mining", "f3-stealth", "f4-probe"}
	if got := partition(t, svc); !cmp.Equal(got, want) {
		t.Fatalf("groups %q, want %q", got, want)
	}
	if r, err := svc.Update(ctx); err != nil || r.Findings != 0 {
		t.Errorf("repeated update %+v %v", r, err)
	}

	// The group of alice's discovery and her miner, explained.
	g12 := groupOf(t, svc, "f1-discovery")
	d, err := svc.Group(ctx, g12)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Discovery → Impact: 2 findings, 1 principal, 1 instance" || d.Severity != 8 || d.Band != "high" || d.Status != groups.StatusActive {
		t.Errorf("summary %+v", d.Summary)
	}
	if d.FirstSeen != groupstest.T("10:00").Unix() || d.LastSeen != groupstest.T("12:00").Unix() {
		t.Errorf("times %d-%d", d.FirstSeen, d.LastSeen)
	}
	mining := d.Findings[1]
	if len(mining.Reasons) != 1 {
		t.Fatalf("mining reasons %+v", mining.Reasons)
	}
	rs := mining.Reasons[0]
	if rs.Kind != groups.ReasonRelatedEntity || rs.Finding != "f1-discovery" || *rs.Entity != (groups.Ref{Type: trailhound.AwsUser, ID: groupstest.AliceID}) ||
		*rs.Named != (groups.Ref{Type: trailhound.Ec2Instance, ID: groupstest.Miner}) || rs.Relation != groups.RelCreatedBy || rs.GapSeconds != 600 {
		t.Errorf("mining reason %+v", rs)
	}
	if !strings.Contains(rs.Text, "was created by") || !strings.Contains(rs.Text, "10m apart") {
		t.Errorf("reason text %q", rs.Text)
	}
	ignored := map[string]string{}
	for _, ig := range d.Ignored {
		ignored[string(ig.Type)+"/"+ig.ID] = ig.Reason
	}
	if !strings.Contains(ignored["AwsAccount/"+groupstest.Account], "account") || !strings.Contains(ignored["IpAddress/"+groupstest.PrivateIP], "private") {
		t.Errorf("ignored %v", ignored)
	}
	entities := map[string]bool{}
	for _, e := range d.Entities {
		entities[string(e.Type)+"/"+e.ID] = true
	}
	for _, e := range []string{"AwsUser/" + groupstest.AliceID, "AccessKey/" + groupstest.AliceKey, "IpAddress/" + groupstest.Attacker,
		"Ec2Instance/" + groupstest.Miner, "IpAddress/" + groupstest.Pool} {
		if !entities[e] {
			t.Errorf("entity %s missing from %v", e, entities)
		}
	}
	if len(d.Evidence) != 1 || !slices.Contains(ev.callers, trailhound.EntityRef{Type: trailhound.AwsUser, ID: groupstest.AliceID}) ||
		ev.scope.Start != d.FirstSeen-3600 || d.EvidenceScope.Start != ev.scope.Start {
		t.Errorf("evidence %v, asked for %v %v", d.Evidence, ev.callers, ev.scope)
	}

	// The analyst splits the miner out and merges bob's group with the
	// probe's.
	now = now.Add(time.Hour)
	split, err := svc.Split(ctx, g12, "f2-mining", "ana\x00lyst")
	if err != nil {
		t.Fatal(err)
	}
	if split.Edit.Who != "analyst" || len(split.Groups) != 2 {
		t.Errorf("split %+v", split)
	}
	merged, err := svc.Merge(ctx, groupOf(t, svc, "f3-stealth"), groupOf(t, svc, "f4-probe"), "bo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Split(ctx, g12, "f1-discovery", "ana"); trailhound.ErrorCode(err) != trailhound.ECONFLICT {
		t.Errorf("edit of an inactive group: %v", err)
	}
	if _, err := svc.Split(ctx, "no-such-group", "f1-discovery", "ana"); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
		t.Errorf("edit of an unknown group: %v", err)
	}
	want = []string{"f1-discovery", "f2-mining", "f3-stealth,f4-probe"}
	if got := partition(t, svc); !cmp.Equal(got, want) {
		t.Fatalf("after edits %q, want %q", got, want)
	}
	old, err := svc.Group(ctx, g12)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != groups.StatusInactive || len(old.Children) != 2 || old.Children[0].Kind != groups.OriginSplit {
		t.Errorf("split parent %+v children %+v", old.Summary, old.Children)
	}

	// A second delivery: a new version of the miner's finding and an
	// impact finding that relates to alice's discovery and, through her
	// launch, to the miner. The split holds.
	now = now.Add(time.Hour)
	groupstest.Ingest(t, st, groupstest.Files("batch2", groupstest.Batch2, false))
	r, err = svc.Update(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings != 3 {
		t.Errorf("second update %+v", r)
	}
	want = []string{"f1-discovery,f5-impact", "f2-mining", "f3-stealth,f4-probe,f6-bob"}
	if got := partition(t, svc); !cmp.Equal(got, want) {
		t.Fatalf("after the second delivery %q, want %q", got, want)
	}
	dm, err := svc.Group(ctx, groupOf(t, svc, "f2-mining"))
	if err != nil {
		t.Fatal(err)
	}
	if dm.LastSeen != groupstest.T("14:00").Unix() {
		t.Errorf("the mining group kept the old last seen %d", dm.LastSeen)
	}
	// The merged group was grown in place: same id, and its audit log
	// names the merge.
	if id := groupOf(t, svc, "f6-bob"); id != merged.Groups[0].ID {
		t.Errorf("bob's new finding went to %s, not the merged %s", id, merged.Groups[0].ID)
	}
	audit, err := svc.Audit(ctx, merged.Groups[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Edits) != 1 || audit.Edits[0].Action != "merge" || audit.Edits[0].Who != "bo" || audit.Edits[0].At != now.Add(-time.Hour).Unix() {
		t.Errorf("audit %+v", audit.Edits)
	}

	// A rebuild from scratch keeps the edits, and the groups that were
	// made the same way keep their ids.
	before := partition(t, svc)
	r, err = svc.Rebuild(ctx, groups.LocalUser)
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings != 6 || r.Active != 3 {
		t.Errorf("rebuild %+v", r)
	}
	if got := partition(t, svc); !cmp.Equal(got, before) {
		t.Errorf("after rebuild %q, want %q", got, before)
	}
	edits, err := svc.Edits(ctx)
	if err != nil || len(edits) != 3 || edits[2].Action != "rebuild" || edits[2].Who != "local" {
		t.Errorf("edits %+v %v", edits, err)
	}
	if r, err := svc.Update(ctx); err != nil || r.Findings != 0 {
		t.Errorf("update after rebuild %+v %v", r, err)
	}
}

// TestList checks the filters, sorting and paging of the list.
func TestList(t *testing.T) {
	ctx := context.Background()
	st, _ := groupstest.Open(t)
	svc := groups.New(st.DB(), groups.Options{Evidence: &stubEvidence{}})
	groupstest.Ingest(t, st, groupstest.Files("batch1", groupstest.Batch1, true))
	if _, err := svc.Update(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(req groups.ListRequest) []string {
		t.Helper()
		l, err := svc.List(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, g := range l.Groups {
			titles = append(titles, g.Title)
		}
		return titles
	}
	alice := trailhound.EntityRef{Type: trailhound.AwsUser, ID: groupstest.AliceID}
	cases := []struct {
		name string
		req  groups.ListRequest
		want []string
	}{
		{"all, most severe first", groups.ListRequest{}, []string{"Discovery → Impact: 2 findings, 1 principal, 1 instance",
			"Reconnaissance: 1 finding, 1 instance", "Defense evasion: 1 finding, 1 principal"}},
		{"high", groups.ListRequest{Severity: []string{"high"}}, []string{"Discovery → Impact: 2 findings, 1 principal, 1 instance"}},
		{"low or critical", groups.ListRequest{Severity: []string{"LOW", "critical"}}, []string{"Reconnaissance: 1 finding, 1 instance", "Defense evasion: 1 finding, 1 principal"}},
		{"tactic", groups.ListRequest{Tactics: []string{"defense evasion"}}, []string{"Defense evasion: 1 finding, 1 principal"}},
		{"tactic id", groups.ListRequest{Tactics: []string{"TA0040"}}, []string{"Discovery → Impact: 2 findings, 1 principal, 1 instance"}},
		{"entity named", groups.ListRequest{Entities: []trailhound.EntityRef{{Type: trailhound.Ec2Instance, ID: groupstest.Bastion}}}, []string{"Reconnaissance: 1 finding, 1 instance"}},
		{"entity related", groups.ListRequest{Entities: []trailhound.EntityRef{alice}}, []string{"Discovery → Impact: 2 findings, 1 principal, 1 instance"}},
		{"finding", groups.ListRequest{Findings: []string{"f3-stealth"}}, []string{"Defense evasion: 1 finding, 1 principal"}},
		{"other account", groups.ListRequest{Accounts: []string{"999999999999"}}, nil},
		{"account", groups.ListRequest{Accounts: []string{"999999999999", groupstest.Account}, Severity: []string{"low"}},
			[]string{"Reconnaissance: 1 finding, 1 instance", "Defense evasion: 1 finding, 1 principal"}},
		{"title", groups.ListRequest{Q: "RECON"}, []string{"Reconnaissance: 1 finding, 1 instance"}},
		{"sort by first seen", groups.ListRequest{Sort: "firstSeen"}, []string{"Reconnaissance: 1 finding, 1 instance",
			"Discovery → Impact: 2 findings, 1 principal, 1 instance", "Defense evasion: 1 finding, 1 principal"}},
		{"inactive", groups.ListRequest{Status: "inactive"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := count(c.req); !cmp.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
	page, err := svc.List(ctx, groups.ListRequest{Limit: 2})
	if err != nil || len(page.Groups) != 2 || page.Total != 3 || page.Cursor == "" {
		t.Fatalf("first page %+v %v", page, err)
	}
	next, err := svc.List(ctx, groups.ListRequest{Limit: 2, Cursor: page.Cursor})
	if err != nil || len(next.Groups) != 1 || next.Cursor != "" {
		t.Errorf("second page %+v %v", next, err)
	}
	for _, bad := range []groups.ListRequest{{Status: "open"}, {Severity: []string{"huge"}}, {Tactics: []string{"Hacking"}},
		{Sort: "id"}, {Limit: 5000}, {Cursor: "nope"}} {
		if _, err := svc.List(ctx, bad); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestGraph checks nodes, edges and the aggregation of similar findings.
func TestGraph(t *testing.T) {
	ctx := context.Background()
	st, _ := groupstest.Open(t)
	svc := groups.New(st.DB(), groups.Options{Evidence: &stubEvidence{}})
	fs := append(slices.Clone(groupstest.Batch1[:2]),
		groupstest.Finding{ID: "f2b-mining", Type: "CryptoCurrency:EC2/BitcoinTool.B", Severity: 8, First: groupstest.T("10:25"), Last: groupstest.T("11:00"),
			Instance: groupstest.Miner, Remote: groupstest.Pool})
	groupstest.Ingest(t, st, groupstest.Files("g", fs, true))
	if _, err := svc.Update(ctx); err != nil {
		t.Fatal(err)
	}
	id := groupOf(t, svc, "f1-discovery")
	for _, aggregate := range []bool{false, true} {
		g, err := svc.Graph(ctx, id, groups.GraphOptions{Aggregate: aggregate})
		if err != nil {
			t.Fatal(err)
		}
		nodes := map[string]groups.Node{}
		for _, n := range g.Nodes {
			nodes[n.Key] = n
		}
		edges := map[string]int{}
		for _, e := range g.Edges {
			edges[e.Source+" -"+e.Kind+"-> "+e.Target] = e.Count
		}
		user := "AwsUser/" + groupstest.AliceID
		miner := "Ec2Instance/" + groupstest.Miner
		if n := nodes[miner]; n.Severity != 8 || n.FirstSeen != groupstest.T("10:20").Unix() {
			t.Errorf("miner node %+v", n)
		}
		if _, ok := edges[miner+" -created_by-> "+user]; !ok {
			t.Errorf("no created_by edge in %v", edges)
		}
		if _, ok := nodes["IpAddress/"+groupstest.PrivateIP]; ok {
			t.Errorf("ignored address drawn")
		}
		agg := nodes["FindingAggregate/CryptoCurrency:EC2/BitcoinTool.B"]
		if aggregate {
			if agg.Count != 2 || len(agg.Findings) != 2 || nodes["Finding/f2-mining"].Key != "" || edges[agg.Key+" -involves-> "+miner] != 2 {
				t.Errorf("aggregate %+v, edges %v", agg, edges)
			}
		} else if agg.Key != "" || nodes["Finding/f2-mining"].Key == "" || nodes["Finding/f2b-mining"].Key == "" {
			t.Errorf("not aggregated: %v", nodes)
		}
		if g.Truncated || g.TotalNodes != len(g.Nodes) {
			t.Errorf("truncated %v %d", g.Truncated, g.TotalNodes)
		}
	}
	small, err := svc.Graph(ctx, id, groups.GraphOptions{MaxNodes: 3})
	if err != nil || !small.Truncated || len(small.Nodes) != 3 || small.Nodes[0].Type != groups.NodeFinding {
		t.Errorf("truncated graph %+v %v", small, err)
	}
	if _, err := svc.Graph(ctx, "nope", groups.GraphOptions{}); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
		t.Errorf("unknown group: %v", err)
	}
}
