package groups

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// finding is a finding as grouping sees it: its latest version's
// attributes and the entities it involves.
type finding struct {
	ID       string
	Type     string
	Title    string
	Severity float64
	Account  string
	Region   string
	First    int64 // observed period, epoch seconds
	Last     int64
	Archived bool
	Action   string // GuardDuty's action type: AWS_API_CALL, NETWORK_CONNECTION, PORT_PROBE...
	Tactic   string
	Named    []named
	Related  []related
}

// named is an entity a finding names. Ignored, when not empty, says why
// the entity does not relate findings.
type named struct {
	Ref
	Ignored string
}

// related is an entity a finding reaches through the behavior graph: the
// finding names Named, and Relation links Named to Entity at time At.
type related struct {
	Entity   Ref
	Named    Ref
	Relation string
	At       int64
}

// member is a finding in a group and why it is there.
type member struct {
	Finding string
	Joined  int64
	Reasons []Reason
}

// group is a finding group being updated.
type group struct {
	ID      string
	Status  string
	Origin  string
	Members []member
	Created int64
	Updated int64
	Closed  int64
}

func (gr *group) has(id string) bool {
	return slices.ContainsFunc(gr.Members, func(m member) bool { return m.Finding == id })
}

// lineage is one parent-child link between groups.
type lineage struct {
	Parent, Child, Kind, Finding string
	At                           int64
}

// constraint is an analyst's decision about two findings, kept for every
// later update: together (merged) or apart (split).
type constraint struct {
	Who string
	At  int64
}

// posting is one finding's claim on an entity in the index.
type posting struct {
	finding  string
	direct   bool // the finding names the entity
	named    Ref  // what the finding names, when it reaches the entity through a relationship
	relation string
}

// grouping is the state an update works on: the active groups, the
// findings in them, an index from entities to those findings, and the
// analysts' constraints. Groups it closes stay in groups, inactive, so
// that they are saved.
type grouping struct {
	opts     Options
	now      int64
	findings map[string]*finding
	groups   map[string]*group
	groupOf  map[string]string // finding → its active group
	index    map[Ref][]posting
	apart    map[string]map[string]constraint
	together map[string]map[string]constraint

	// What changed, for saving.
	touched       map[string]bool // groups created or changed
	made          map[string]bool // groups created
	lineage       []lineage
	processed     []string // findings placed, whose entities are saved
	constraintOps []constraintOp
}

// constraintOp is a constraint added or dropped, for saving.
type constraintOp struct {
	kind, a, b string
	add        bool
	c          constraint
}

func newGrouping(opts Options, now int64) *grouping {
	return &grouping{
		opts: opts, now: now,
		findings: map[string]*finding{}, groups: map[string]*group{}, groupOf: map[string]string{},
		index: map[Ref][]posting{}, apart: map[string]map[string]constraint{}, together: map[string]map[string]constraint{},
		touched: map[string]bool{}, made: map[string]bool{},
	}
}

// addGroup adds a stored active group and its members' findings (which
// must be in g.findings already).
func (g *grouping) addGroup(gr *group) {
	g.groups[gr.ID] = gr
	for _, m := range gr.Members {
		g.groupOf[m.Finding] = gr.ID
	}
}

// addConstraint records an analyst's decision about findings a and b.
func (g *grouping) addConstraint(kind, a, b string, c constraint) {
	m := g.apart
	if kind == constraintTogether {
		m = g.together
	}
	for _, p := range [][2]string{{a, b}, {b, a}} {
		if m[p[0]] == nil {
			m[p[0]] = map[string]constraint{}
		}
		m[p[0]][p[1]] = c
	}
	g.constraintOps = append(g.constraintOps, constraintOp{kind: kind, a: a, b: b, add: true, c: c})
}

func (g *grouping) dropConstraint(kind, a, b string) {
	m := g.apart
	if kind == constraintTogether {
		m = g.together
	}
	if _, ok := m[a][b]; !ok {
		return
	}
	delete(m[a], b)
	delete(m[b], a)
	g.constraintOps = append(g.constraintOps, constraintOp{kind: kind, a: a, b: b})
}

// Constraint kinds.
const (
	constraintApart    = "apart"
	constraintTogether = "together"
)

// indexFinding adds f's entities to the index.
func (g *grouping) indexFinding(f *finding) {
	for _, n := range f.Named {
		if n.Ignored == "" {
			g.index[n.Ref] = append(g.index[n.Ref], posting{finding: f.ID, direct: true})
		}
	}
	for _, r := range f.Related {
		g.index[r.Entity] = append(g.index[r.Entity], posting{finding: f.ID, named: r.Named, relation: r.Relation})
	}
}

// unindexFinding removes f's entities from the index.
func (g *grouping) unindexFinding(f *finding) {
	drop := func(ref Ref) {
		ps := g.index[ref]
		ps = slices.DeleteFunc(ps, func(p posting) bool { return p.finding == f.ID })
		if len(ps) == 0 {
			delete(g.index, ref)
		} else {
			g.index[ref] = ps
		}
	}
	for _, n := range f.Named {
		drop(n.Ref)
	}
	for _, r := range f.Related {
		drop(r.Entity)
	}
}

// candidate is the best link from a finding into one group.
type candidate struct {
	group  string
	reason Reason
	rank   [4]int64 // lower is better
}

// place puts a new or updated finding into the groups: alone in a new
// group, into the one group it relates to, or, when it relates to
// several, into a child group of them all.
func (g *grouping) place(f *finding) {
	if old := g.findings[f.ID]; old != nil {
		g.unindexFinding(old)
	}
	g.ignoreCommon(f)
	g.findings[f.ID] = f
	g.indexFinding(f)
	g.processed = append(g.processed, f.ID)

	home := g.groupOf[f.ID]
	cands := g.compatible(f, home, g.links(f, home))
	switch {
	case home == "" && len(cands) == 0:
		gr := &group{ID: groupID("group", f.ID), Status: StatusActive, Origin: OriginGrouped, Created: g.now, Updated: g.now}
		r := Reason{Kind: ReasonFirst}
		r.explain()
		gr.Members = []member{{Finding: f.ID, Joined: g.now, Reasons: []Reason{r}}}
		g.addGroup(gr)
		g.touched[gr.ID], g.made[gr.ID] = true, true
	case home == "" && len(cands) == 1:
		gr := g.groups[cands[0].group]
		gr.Members = append(gr.Members, member{Finding: f.ID, Joined: g.now, Reasons: []Reason{cands[0].reason}})
		gr.Updated = g.now
		g.groupOf[f.ID] = gr.ID
		g.touched[gr.ID] = true
	case len(cands) == 0:
		// An updated finding that relates to nothing new: its group's
		// severity and times may still change.
		g.groups[home].Updated = g.now
		g.touched[home] = true
	default:
		parents := make([]*group, 0, len(cands)+1)
		if home != "" {
			parents = append(parents, g.groups[home])
		}
		reasons := make([]Reason, 0, len(cands))
		for _, c := range cands {
			parents = append(parents, g.groups[c.group])
			reasons = append(reasons, c.reason)
		}
		g.bridge(parents, f.ID, reasons)
	}
}

// bridge makes a child group of parents with finding id in it, given the
// reasons that relate it to the parents it was not in, and closes the
// parents.
func (g *grouping) bridge(parents []*group, id string, reasons []Reason) *group {
	ids := make([]string, len(parents))
	for i, p := range parents {
		ids[i] = p.ID
	}
	sort.Strings(ids)
	child := &group{ID: groupID(append([]string{"bridge", id}, ids...)...), Status: StatusActive, Origin: OriginBridge, Created: g.now, Updated: g.now}
	var members []member
	found := false
	for _, p := range parents {
		for _, m := range p.Members {
			if m.Finding == id {
				found = true
				m.Reasons = append(slices.Clip(m.Reasons), reasons...)
			}
			members = append(members, m)
		}
		g.close(p, child.ID, OriginBridge, id)
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].Joined < members[j].Joined })
	if !found {
		members = append(members, member{Finding: id, Joined: g.now, Reasons: reasons})
	}
	child.Members = members
	g.addGroup(child)
	g.touched[child.ID], g.made[child.ID] = true, true
	return child
}

// close makes a group inactive, succeeded by child.
func (g *grouping) close(p *group, child, kind, finding string) {
	p.Status = StatusInactive
	p.Closed, p.Updated = g.now, g.now
	g.touched[p.ID] = true
	g.lineage = append(g.lineage, lineage{Parent: p.ID, Child: child, Kind: kind, Finding: finding, At: g.now})
}

// links finds, for each active group other than home, the best reason
// relating f to one of its members.
func (g *grouping) links(f *finding, home string) []candidate {
	best := map[string]candidate{}
	consider := func(c candidate) {
		if old, ok := best[c.group]; !ok || lessRank(c.rank, old.rank) {
			best[c.group] = c
		}
	}
	try := func(entity Ref, direct bool, mine Ref, relation string) {
		for _, p := range g.index[entity] {
			if p.finding == f.ID || (!direct && !p.direct) {
				continue
			}
			gid := g.groupOf[p.finding]
			if gid == "" || gid == home {
				continue
			}
			m := g.findings[p.finding]
			gap, chained, ok := g.temporal(f, m)
			if !ok {
				continue
			}
			r := Reason{Kind: ReasonSharedEntity, Finding: m.ID, Entity: ptr(entity), GapSeconds: gap, Chained: chained}
			if !direct {
				r.Kind, r.Named, r.Relation = ReasonRelatedEntity, ptr(mine), relation
			}
			if !p.direct {
				r.Kind, r.ViaNamed, r.ViaRelation = ReasonRelatedEntity, ptr(p.named), p.relation
			}
			if chained {
				r.Tactics = chainOf(f, m)
			}
			r.explain()
			indirect := int64(0)
			if !direct || !p.direct {
				indirect = 1
			}
			consider(candidate{group: gid, reason: r, rank: [4]int64{1, indirect, gap, int64(entityPriority(entity.Type))}})
		}
	}
	for _, n := range f.Named {
		if n.Ignored == "" {
			try(n.Ref, true, n.Ref, "")
		}
	}
	for _, r := range f.Related {
		try(r.Entity, false, r.Named, r.Relation)
	}
	// Analysts' merges outrank every rule.
	for p, c := range g.together[f.ID] {
		gid := g.groupOf[p]
		if gid == "" || gid == home {
			continue
		}
		r := Reason{Kind: ReasonAnalystMerge, Finding: p, Who: c.Who, At: c.At}
		r.explain()
		consider(candidate{group: gid, reason: r, rank: [4]int64{0, 0, 0, 0}})
	}
	out := make([]candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].rank != out[j].rank {
			return lessRank(out[i].rank, out[j].rank)
		}
		return out[i].group < out[j].group
	})
	return out
}

func lessRank(a, b [4]int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func ptr(r Ref) *Ref { return &r }

// compatible keeps, best first, the candidate groups that can be joined
// with f (and its home group) without putting findings an analyst split
// apart back together.
func (g *grouping) compatible(f *finding, home string, cands []candidate) []candidate {
	in := map[string]bool{f.ID: true}
	if home != "" {
		for _, m := range g.groups[home].Members {
			in[m.Finding] = true
		}
	}
	var out []candidate
	for _, c := range cands {
		gr := g.groups[c.group]
		if g.conflicts(gr, in) {
			continue
		}
		out = append(out, c)
		for _, m := range gr.Members {
			in[m.Finding] = true
		}
	}
	return out
}

// conflicts reports whether a member of gr was split apart from a finding
// in set.
func (g *grouping) conflicts(gr *group, set map[string]bool) bool {
	for _, m := range gr.Members {
		for p := range g.apart[m.Finding] {
			if set[p] {
				return true
			}
		}
	}
	return false
}

// temporal decides whether two findings are close enough in time to be
// related: their observed periods are at most Window apart, or at most
// ChainWindow apart with the earlier finding's tactic at or before the
// later one's in kill-chain order.
func (g *grouping) temporal(a, b *finding) (gap int64, chained, ok bool) {
	gap = max(0, a.First-b.Last, b.First-a.Last)
	if gap <= int64(g.opts.Window.Seconds()) {
		return gap, false, true
	}
	if gap > int64(g.opts.ChainWindow.Seconds()) {
		return gap, false, false
	}
	early, late := a, b
	if b.First < a.First {
		early, late = b, a
	}
	re, rl := tacticRank(early.Tactic), tacticRank(late.Tactic)
	if re >= 0 && rl >= 0 && re <= rl {
		return gap, true, true
	}
	return gap, false, false
}

// chainOf returns the tactics of two findings, earlier first.
func chainOf(a, b *finding) []string {
	if b.First < a.First {
		a, b = b, a
	}
	if a.Tactic == b.Tactic {
		return []string{a.Tactic}
	}
	return []string{a.Tactic, b.Tactic}
}

// ignoreCommon marks the entities f names that too many other findings
// name as well: they would tie unrelated incidents together.
func (g *grouping) ignoreCommon(f *finding) {
	limit := g.opts.MaxFindingsPerEntity
	for i, n := range f.Named {
		if n.Ignored != "" {
			continue
		}
		count := 0
		for _, p := range g.index[n.Ref] {
			if p.direct && p.finding != f.ID {
				count++
			}
		}
		if count >= limit {
			f.Named[i].Ignored = fmt.Sprintf("named by %d other findings (the limit is %d): too common to relate findings", count, limit)
		}
	}
	// A related entity that too many other findings name or reach is
	// dropped.
	f.Related = slices.DeleteFunc(f.Related, func(r related) bool {
		others := map[string]bool{}
		for _, p := range g.index[r.Entity] {
			if p.finding != f.ID {
				others[p.finding] = true
			}
		}
		return len(others) >= limit
	})
}

// entityPriority orders entity types by how specific a link they make,
// most specific first.
func entityPriority(ns trailhound.Namespace) int {
	switch ns {
	case trailhound.AwsRoleSession:
		return 0
	case trailhound.AccessKey:
		return 1
	case trailhound.AwsUser, trailhound.FederatedUser:
		return 2
	case trailhound.Ec2Instance, trailhound.ContainerPod:
		return 3
	case trailhound.S3Bucket:
		return 4
	case trailhound.AwsRole, trailhound.KubernetesSubject:
		return 5
	case trailhound.ContainerCluster, trailhound.ContainerImage:
		return 6
	case trailhound.IPAddress:
		return 7
	}
	return 8
}

// split moves finding id out of group gid: the rest and the finding each
// get a new group, and the finding is kept apart from the rest from now
// on.
func (g *grouping) split(gid, id string, c constraint) ([]*group, error) {
	gr := g.groups[gid]
	if err := g.editable(gid); err != nil {
		return nil, err
	}
	if !gr.has(id) {
		return nil, trailhound.Errorf(trailhound.EINVALID, "finding %q is not a member of group %s", id, gid)
	}
	if len(gr.Members) < 2 {
		return nil, trailhound.Errorf(trailhound.EINVALID, "group %s has only finding %q: there is nothing to split it from", gid, id)
	}
	rest := &group{ID: groupID("split", gid, id, "rest"), Status: StatusActive, Origin: OriginSplit, Created: g.now, Updated: g.now}
	alone := &group{ID: groupID("split", gid, id), Status: StatusActive, Origin: OriginSplit, Created: g.now, Updated: g.now}
	for _, m := range gr.Members {
		if m.Finding == id {
			r := Reason{Kind: ReasonAnalystSplit, Who: c.Who, At: c.At}
			r.explain()
			alone.Members = []member{{Finding: id, Joined: g.now, Reasons: []Reason{r}}}
			continue
		}
		rest.Members = append(rest.Members, m)
		g.addConstraint(constraintApart, id, m.Finding, c)
		g.dropConstraint(constraintTogether, id, m.Finding)
	}
	g.close(gr, rest.ID, OriginSplit, id)
	g.lineage = append(g.lineage, lineage{Parent: gr.ID, Child: alone.ID, Kind: OriginSplit, Finding: id, At: g.now})
	for _, ng := range []*group{rest, alone} {
		g.addGroup(ng)
		g.touched[ng.ID], g.made[ng.ID] = true, true
	}
	return []*group{rest, alone}, nil
}

// merge joins two groups into a new one, and keeps their findings
// together from now on.
func (g *grouping) merge(a, b string, c constraint) (*group, error) {
	if a == b {
		return nil, trailhound.Errorf(trailhound.EINVALID, "cannot merge group %s with itself", a)
	}
	for _, id := range []string{a, b} {
		if err := g.editable(id); err != nil {
			return nil, err
		}
	}
	ga, gb := g.groups[a], g.groups[b]
	ids := []string{a, b}
	sort.Strings(ids)
	child := &group{ID: groupID("merge", ids[0], ids[1]), Status: StatusActive, Origin: OriginMerge, Created: g.now, Updated: g.now}
	anchor := ga.Members[0].Finding
	child.Members = slices.Clone(ga.Members)
	for i, m := range gb.Members {
		if i == 0 {
			r := Reason{Kind: ReasonAnalystMerge, Finding: anchor, Who: c.Who, At: c.At}
			r.explain()
			m.Reasons = append(slices.Clip(m.Reasons), r)
		}
		child.Members = append(child.Members, m)
		g.addConstraint(constraintTogether, anchor, m.Finding, c)
		for _, n := range ga.Members {
			g.dropConstraint(constraintApart, n.Finding, m.Finding)
		}
	}
	g.close(ga, child.ID, OriginMerge, "")
	g.close(gb, child.ID, OriginMerge, "")
	g.addGroup(child)
	g.touched[child.ID], g.made[child.ID] = true, true
	return child, nil
}

// editable fails unless gid is an active group.
func (g *grouping) editable(gid string) error {
	gr, ok := g.groups[gid]
	if !ok {
		return trailhound.Errorf(trailhound.ENOTFOUND, "no finding group with id %q", gid)
	}
	if gr.Status != StatusActive {
		return trailhound.Errorf(trailhound.ECONFLICT, "finding group %s is inactive: edit the group that succeeded it", gid)
	}
	return nil
}

// summarize computes what lists show of a group from its members.
func (g *grouping) summarize(gr *group) Summary {
	s := Summary{ID: gr.ID, Group: Ref{Type: trailhound.FindingGroup, ID: gr.ID}, Status: gr.Status, Origin: gr.Origin,
		CreatedAt: gr.Created, UpdatedAt: gr.Updated, ClosedAt: gr.Closed, FindingCount: len(gr.Members), Tactics: []Tactic{}, Accounts: []string{}}
	tactics := map[string]bool{}
	purposes := map[string]bool{}
	accounts := map[string]bool{}
	entities := map[Ref]bool{}
	for i, m := range gr.Members {
		f := g.findings[m.Finding]
		if f == nil {
			continue
		}
		if i == 0 || f.First < s.FirstSeen {
			s.FirstSeen = f.First
		}
		s.LastSeen = max(s.LastSeen, f.Last)
		s.Severity = max(s.Severity, f.Severity)
		if f.Tactic != "" {
			tactics[f.Tactic] = true
		} else if p, _, ok := strings.Cut(f.Type, ":"); ok {
			purposes[p] = true
		}
		if f.Account != "" {
			accounts[f.Account] = true
		}
		for _, n := range f.Named {
			if n.Ignored == "" {
				entities[n.Ref] = true
			}
		}
	}
	for _, t := range Tactics {
		if tactics[t.Name] {
			s.Tactics = append(s.Tactics, t)
		}
	}
	for a := range accounts {
		s.Accounts = append(s.Accounts, a)
	}
	sort.Strings(s.Accounts)
	// A role counts as a principal only when none of its sessions does:
	// a session and its role are one actor.
	sessionsOf := map[string]bool{}
	for e := range entities {
		if e.Type == trailhound.AwsRoleSession {
			role, _, _ := strings.Cut(e.ID, ":")
			sessionsOf[role] = true
		}
	}
	var principals, instances, buckets int
	for e := range entities {
		switch e.Type {
		case trailhound.AwsRole:
			if !sessionsOf[e.ID] {
				principals++
			}
		case trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.FederatedUser:
			principals++
		case trailhound.Ec2Instance:
			instances++
		case trailhound.S3Bucket:
			buckets++
		}
	}
	s.EntityCount, s.PrincipalCount = len(entities), principals
	s.Band = Band(s.Severity)
	s.Scope = groupScope(s.FirstSeen, s.LastSeen)
	var head string
	if len(s.Tactics) > 0 {
		names := make([]string, len(s.Tactics))
		for i, t := range s.Tactics {
			names[i] = t.Name
		}
		head = chainTitle(names)
	} else {
		ps := make([]string, 0, len(purposes))
		for p := range purposes {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		head = strings.Join(ps, ", ")
		if head == "" {
			head = "Findings"
		}
	}
	parts := []string{plural(s.FindingCount, "finding")}
	if principals > 0 {
		parts = append(parts, plural(principals, "principal"))
	}
	if instances > 0 {
		parts = append(parts, plural(instances, "instance"))
	}
	if buckets > 0 {
		parts = append(parts, plural(buckets, "bucket"))
	}
	s.Title = head + ": " + strings.Join(parts, ", ")
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// groupID derives a group's id from how it was made, so that a rebuild
// that makes the same group again gives it the same id. It has the shape
// of a UUID, as Detective's group ids do.
func groupID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
