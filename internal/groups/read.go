package groups

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

func notFound(id string) error {
	return trailhound.Errorf(trailhound.ENOTFOUND, "no finding group with id %q", id)
}

// ListRequest asks for a page of groups. Filters with several values keep
// groups matching any of them; different filters must all match.
type ListRequest struct {
	// Status is "active" (the default), "inactive" or "any".
	Status string
	// Severity keeps groups of these bands: low, medium, high, critical.
	Severity []string
	// Tactics keeps groups whose tactics chain holds one of these ATT&CK
	// tactics (names as in Tactics, case-insensitive, or ids such as
	// TA0007).
	Tactics []string
	// Accounts keeps groups with findings of these accounts.
	Accounts []string
	// Entities keeps groups whose findings name or relate through one of
	// these entities.
	Entities []trailhound.EntityRef
	// Findings keeps groups with one of these findings.
	Findings []string
	// Q keeps groups whose title contains it (case-insensitive) or whose
	// id it is.
	Q string
	// From and To, when set, keep groups whose activity (first to last
	// seen member finding) overlaps [From, To).
	From, To time.Time
	// Sort is severity, lastSeen, firstSeen, findingCount, entityCount,
	// createdAt, updatedAt or title, with a leading "-" for descending;
	// default "-severity", then the latest seen first.
	Sort   string
	Limit  int
	Cursor string
}

// List is one page of groups.
type List struct {
	Groups []Summary `json:"groups"`
	Total  int64     `json:"total"`
	// Cursor, when set, fetches the next page.
	Cursor string `json:"cursor,omitempty"`
}

// List limits.
const (
	DefaultListLimit = 50
	MaxListLimit     = 1000
)

var sortColumns = map[string]string{
	"severity": "severity", "lastSeen": "last_seen", "firstSeen": "first_seen", "findingCount": "findings",
	"entityCount": "entities", "createdAt": "created_at", "updatedAt": "updated_at", "title": "title",
}

// List returns the groups matching req.
func (s *Service) List(ctx context.Context, req ListRequest) (*List, error) {
	var conds []string
	var args []any
	switch req.Status {
	case "", StatusActive:
		conds = append(conds, `status = 'active'`)
	case StatusInactive:
		conds = append(conds, `status = 'inactive'`)
	case "any":
	default:
		return nil, trailhound.Errorf(trailhound.EINVALID, "status %q must be active, inactive or any", req.Status)
	}
	anyOf := func(parts []string) {
		if len(parts) > 0 {
			conds = append(conds, "("+strings.Join(parts, " OR ")+")")
		}
	}
	var parts []string
	for _, b := range req.Severity {
		r, ok := bandRange[strings.ToLower(b)]
		if !ok {
			return nil, trailhound.Errorf(trailhound.EINVALID, "severity %q must be low, medium, high or critical", b)
		}
		parts = append(parts, `(severity >= ? AND severity < ?)`)
		args = append(args, r[0], r[1])
	}
	anyOf(parts)
	parts = nil
	for _, t := range req.Tactics {
		name := ""
		for _, k := range Tactics {
			if strings.EqualFold(k.Name, t) || strings.EqualFold(k.ID, t) {
				name = k.Name
			}
		}
		if name == "" {
			return nil, trailhound.Errorf(trailhound.EINVALID, "tactic %q is not a MITRE ATT&CK tactic (such as Discovery or TA0007)", t)
		}
		parts = append(parts, `list_contains(string_split(tactics, ','), ?)`)
		args = append(args, name)
	}
	anyOf(parts)
	parts = nil
	for _, a := range req.Accounts {
		parts = append(parts, `list_contains(string_split(accounts, ','), ?)`)
		args = append(args, a)
	}
	anyOf(parts)
	parts = nil
	for _, e := range req.Entities {
		parts = append(parts, `id IN (SELECT m.group_id FROM finding_group_members m WHERE m.finding_id IN (
	SELECT finding_id FROM finding_group_named WHERE entity_type = ? AND entity_id = ?
	UNION SELECT finding_id FROM finding_group_related WHERE entity_type = ? AND entity_id = ?))`)
		args = append(args, string(e.Type), e.ID, string(e.Type), e.ID)
	}
	anyOf(parts)
	parts = nil
	for _, f := range req.Findings {
		parts = append(parts, `id IN (SELECT group_id FROM finding_group_members WHERE finding_id = ?)`)
		args = append(args, f)
	}
	anyOf(parts)
	if !req.From.IsZero() {
		conds = append(conds, `last_seen >= ?`)
		args = append(args, req.From.UTC())
	}
	if !req.To.IsZero() {
		conds = append(conds, `first_seen < ?`)
		args = append(args, req.To.UTC())
	}
	if req.Q != "" {
		conds = append(conds, `(contains(lower(title), lower(?)) OR id = ?)`)
		args = append(args, req.Q, req.Q)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}

	order := "severity DESC, last_seen DESC"
	if req.Sort != "" {
		field, desc := strings.CutPrefix(req.Sort, "-")
		col, ok := sortColumns[field]
		if !ok {
			return nil, trailhound.Errorf(trailhound.EINVALID, "sort %q must be one of severity, lastSeen, firstSeen, findingCount, entityCount, createdAt, updatedAt, title, optionally with a leading -", req.Sort)
		}
		order = col
		if desc {
			order += " DESC"
		}
		if col != "severity" {
			order += ", severity DESC"
		}
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = DefaultListLimit
	case limit < 0 || limit > MaxListLimit:
		return nil, trailhound.Errorf(trailhound.EINVALID, "limit %d must be between 1 and %d", limit, MaxListLimit)
	}
	offset, err := decodeCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	out := &List{Groups: []Summary{}}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM finding_groups `+where, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("groups: list: %w", err)
	}
	sums, err := s.readSummaries(ctx, `SELECT `+groupColumns+` FROM finding_groups `+where+` ORDER BY `+order+`, id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	out.Groups = append(out.Groups, sums...)
	if int64(offset+len(sums)) < out.Total {
		out.Cursor = encodeCursor(offset + len(sums))
	}
	return out, nil
}

// Cursors are opaque to clients; today they carry an offset.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("g" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'g' {
		if n, err := strconv.Atoi(string(b[1:])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, trailhound.Errorf(trailhound.EINVALID, "cursor %q is not a cursor this server returned", c)
}

// summary reads one group's row, or fails with ENOTFOUND.
func (s *Service) summary(ctx context.Context, id string) (Summary, error) {
	sums, err := s.readSummaries(ctx, `SELECT `+groupColumns+` FROM finding_groups WHERE id = ?`, id)
	if err != nil {
		return Summary{}, err
	}
	if len(sums) == 0 {
		return Summary{}, notFound(id)
	}
	return sums[0], nil
}

// Group returns a group with its members and why each is there, its
// entities (and those ignored), lineage and evidence.
func (s *Service) Group(ctx context.Context, id string) (*Detail, error) {
	return s.detail(ctx, id, true)
}

func (s *Service) detail(ctx context.Context, id string, withEvidence bool) (*Detail, error) {
	sm, err := s.summary(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Summary: sm, Parents: []Lineage{}, Children: []Lineage{}, Findings: []Member{}, Entities: []InvolvedEntity{},
		Ignored: []IgnoredEntity{}, Evidence: []any{}}
	members, err := s.readMembers(ctx, `WHERE group_id = ?`, id)
	if err != nil {
		return nil, err
	}
	ms := members[id]
	fs, err := s.readFindings(ctx, `id IN (SELECT finding_id FROM finding_group_members WHERE group_id = ?)`, id)
	if err != nil {
		return nil, err
	}
	if err := s.readEntities(ctx, fs, `finding_id IN (SELECT finding_id FROM finding_group_members WHERE group_id = ?)`, id); err != nil {
		return nil, err
	}
	labels, err := s.labels(ctx, fs)
	if err != nil {
		return nil, err
	}

	ents := map[Ref]*InvolvedEntity{}
	ignored := map[Ref]*IgnoredEntity{}
	addEntity := func(r Ref, f *finding, related bool) {
		e := ents[r]
		if e == nil {
			e = &InvolvedEntity{Type: r.Type, ID: r.ID, Label: labels[r], Related: related, FirstSeen: f.First, LastSeen: f.Last}
			ents[r] = e
		}
		if !related {
			e.Related = false
		}
		if len(e.Findings) == 0 || e.Findings[len(e.Findings)-1] != f.ID {
			e.Findings = append(e.Findings, f.ID)
		}
		e.FirstSeen, e.LastSeen = min(e.FirstSeen, f.First), max(e.LastSeen, f.Last)
	}
	for _, m := range ms {
		f := fs[m.Finding]
		if f == nil {
			// The finding is gone from the store (it should not be);
			// show the membership without details.
			f = &finding{ID: m.Finding}
		}
		mem := Member{ID: f.ID, Finding: Ref{Type: trailhound.FindingEntity, ID: f.ID}, Type: f.Type, Title: f.Title, Severity: f.Severity,
			Band: Band(f.Severity), Account: f.Account, Region: f.Region, FirstSeen: f.First, LastSeen: f.Last, Archived: f.Archived,
			Tactic: f.Tactic, Entities: []Ref{}, JoinedAt: m.Joined, Reasons: m.Reasons}
		if mem.Reasons == nil {
			mem.Reasons = []Reason{}
		}
		for _, n := range f.Named {
			mem.Entities = append(mem.Entities, n.Ref)
			if n.Ignored == "" {
				addEntity(n.Ref, f, false)
			}
		}
		for _, r := range m.Reasons {
			if r.Entity != nil && (r.Named != nil || r.ViaNamed != nil) {
				addEntity(*r.Entity, f, true)
			}
		}
		d.Findings = append(d.Findings, mem)
	}
	for _, m := range ms {
		f := fs[m.Finding]
		if f == nil {
			continue
		}
		for _, n := range f.Named {
			if n.Ignored == "" || ents[n.Ref] != nil {
				continue
			}
			ig := ignored[n.Ref]
			if ig == nil {
				ig = &IgnoredEntity{Type: n.Type, ID: n.ID, Reason: n.Ignored}
				ignored[n.Ref] = ig
			}
			ig.Findings = append(ig.Findings, f.ID)
		}
	}
	for _, e := range ents {
		d.Entities = append(d.Entities, *e)
	}
	sort.Slice(d.Entities, func(i, j int) bool {
		a, b := d.Entities[i], d.Entities[j]
		if len(a.Findings) != len(b.Findings) {
			return len(a.Findings) > len(b.Findings)
		}
		if pa, pb := entityPriority(a.Type), entityPriority(b.Type); pa != pb {
			return pa < pb
		}
		return a.ID < b.ID
	})
	for _, ig := range ignored {
		d.Ignored = append(d.Ignored, *ig)
	}
	sort.Slice(d.Ignored, func(i, j int) bool {
		if d.Ignored[i].Type != d.Ignored[j].Type {
			return d.Ignored[i].Type < d.Ignored[j].Type
		}
		return d.Ignored[i].ID < d.Ignored[j].ID
	})
	if d.Parents, err = s.lineage(ctx, `l.child_id = ?`, `l.parent_id`, id); err != nil {
		return nil, err
	}
	if d.Children, err = s.lineage(ctx, `l.parent_id = ?`, `l.child_id`, id); err != nil {
		return nil, err
	}

	if withEvidence {
		s.addEvidence(ctx, d)
	}
	return d, nil
}

// addEvidence attaches the evidence of the group's principals during its
// scope. A failure leaves the group without evidence and says so in
// EvidenceStatus, rather than failing the whole answer.
func (s *Service) addEvidence(ctx context.Context, d *Detail) {
	refs := make([]Ref, 0, len(d.Entities))
	for _, e := range d.Entities {
		refs = append(refs, Ref{Type: e.Type, ID: e.ID})
	}
	callers := evidenceCallers(refs)
	if len(callers) == 0 {
		d.EvidenceStatus = "the group names no principal or access key whose calls evidence could describe"
		return
	}
	d.EvidenceScope = Scope{Start: d.Scope.Start - int64(s.opts.EvidenceLead.Seconds()), End: d.Scope.End}
	items, err := s.opts.Evidence.Evidence(ctx, callers, trailhound.Scope{Start: d.EvidenceScope.Start, End: d.EvidenceScope.End})
	if err != nil {
		if trailhound.ErrorCode(err) == trailhound.EINTERNAL {
			s.opts.Log.Error("group_evidence_failed", "group", d.ID, "error", err.Error())
		}
		d.EvidenceStatus = "evidence could not be computed: " + trailhound.ErrorMessage(err)
		return
	}
	d.Evidence = append(d.Evidence, items...)
}

// labels names the entities the findings name (user names, bucket
// names...), where the graph knows one.
func (s *Service) labels(ctx context.Context, fs map[string]*finding) (map[Ref]string, error) {
	keys := map[int64]Ref{}
	for _, f := range fs {
		for _, n := range f.Named {
			keys[n.entityRef().Key()] = n.Ref
		}
		for _, r := range f.Related {
			keys[r.Entity.entityRef().Key()] = r.Entity
		}
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, strconv.FormatInt(k, 10))
	}
	out := map[Ref]string{}
	err := chunks(list, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT key, namespace, id, `+graph.LabelSQL+` FROM entities WHERE key IN (`+placeholders(len(part))+`) AND label IS NOT NULL
GROUP BY key, namespace, id`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var ns, id, label string
			if err := rows.Scan(&k, &ns, &id, &label); err != nil {
				return err
			}
			r := Ref{Type: trailhound.Namespace(ns), ID: id}
			if keys[k] == r && label != id {
				out[r] = label
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("groups: entity labels: %w", err)
	}
	return out, nil
}

// lineage reads the parents or children of a group.
func (s *Service) lineage(ctx context.Context, cond, other, id string) ([]Lineage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.title, g.status, l.kind, coalesce(l.finding_id, ''), l.made_at
FROM finding_group_lineage l JOIN finding_groups g ON g.id = `+other+` WHERE `+cond+` ORDER BY l.made_at, g.id`, id)
	if err != nil {
		return nil, fmt.Errorf("groups: lineage: %w", err)
	}
	defer rows.Close()
	out := []Lineage{}
	for rows.Next() {
		var l Lineage
		var at time.Time
		if err := rows.Scan(&l.ID, &l.Title, &l.Status, &l.Kind, &l.Finding, &at); err != nil {
			return nil, fmt.Errorf("groups: lineage: %w", err)
		}
		l.At = at.Unix()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: lineage: %w", err)
	}
	return out, nil
}

// Audit lists the analysts' edits that involved group id, oldest first.
func (s *Service) Audit(ctx context.Context, id string) (*Audit, error) {
	if _, err := s.summary(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, edited_at, who, action, coalesce(group_id, ''), coalesce(other_id, ''), coalesce(finding_id, ''), results, text
FROM finding_group_edits WHERE group_id = ? OR other_id = ? OR list_contains(string_split(results, ','), ?) ORDER BY seq`, id, id, id)
	if err != nil {
		return nil, fmt.Errorf("groups: audit: %w", err)
	}
	defer rows.Close()
	out := &Audit{Group: Ref{Type: trailhound.FindingGroup, ID: id}, Edits: []Edit{}}
	for rows.Next() {
		var e Edit
		var at time.Time
		var results string
		if err := rows.Scan(&e.Seq, &at, &e.Who, &e.Action, &e.Group, &e.Other, &e.Finding, &results, &e.Text); err != nil {
			return nil, fmt.Errorf("groups: audit: %w", err)
		}
		e.At, e.Results = at.Unix(), splitList(results)
		out.Edits = append(out.Edits, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: audit: %w", err)
	}
	return out, nil
}

// Edits lists every analyst edit and rebuild, oldest first.
func (s *Service) Edits(ctx context.Context) ([]Edit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, edited_at, who, action, coalesce(group_id, ''), coalesce(other_id, ''), coalesce(finding_id, ''), results, text
FROM finding_group_edits ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("groups: edits: %w", err)
	}
	defer rows.Close()
	out := []Edit{}
	for rows.Next() {
		var e Edit
		var at time.Time
		var results string
		if err := rows.Scan(&e.Seq, &at, &e.Who, &e.Action, &e.Group, &e.Other, &e.Finding, &results, &e.Text); err != nil {
			return nil, fmt.Errorf("groups: edits: %w", err)
		}
		e.At, e.Results = at.Unix(), splitList(results)
		out = append(out, e)
	}
	return out, rows.Err()
}

// GroupsOf returns the groups finding id is in: the active one first, then
// the inactive ones it was in before, newest first. The findings view
// uses it to link a finding to its group.
func (s *Service) GroupsOf(ctx context.Context, id string) ([]GroupRef, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.title, g.status, g.severity FROM finding_group_members m JOIN finding_groups g ON g.id = m.group_id
WHERE m.finding_id = ? ORDER BY g.status = 'active' DESC, g.created_at DESC, g.id`, id)
	if err != nil {
		return nil, fmt.Errorf("groups: groups of finding: %w", err)
	}
	defer rows.Close()
	out := []GroupRef{}
	for rows.Next() {
		var r GroupRef
		if err := rows.Scan(&r.ID, &r.Title, &r.Status, &r.Severity); err != nil {
			return nil, fmt.Errorf("groups: groups of finding: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
