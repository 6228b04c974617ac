package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// watermarkName is the state row holding the last findings batch placed.
const watermarkName = "findings_batch"

func (s *Service) watermark(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(value), 0) FROM finding_group_state WHERE name = ?`, watermarkName).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("groups: read progress: %w", err)
	}
	return v, nil
}

// idsSince lists the findings with a version stored in batches (after,
// upTo].
func (s *Service) idsSince(ctx context.Context, after, upTo int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT id FROM findings WHERE batch_id > ? AND batch_id <= ? ORDER BY id`, after, upTo)
	if err != nil {
		return nil, fmt.Errorf("groups: new findings: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("groups: new findings: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: new findings: %w", err)
	}
	return ids, nil
}

// activeMembers selects the findings of active groups.
const activeMembers = `SELECT m.finding_id FROM finding_group_members m JOIN finding_groups g ON g.id = m.group_id WHERE g.status = 'active'`

// load reads the active groups, their findings as last placed, and the
// analysts' constraints.
func (s *Service) load(ctx context.Context) (*grouping, error) {
	g := newGrouping(s.opts, s.opts.Now().Unix())
	if err := s.loadConstraints(ctx, g); err != nil {
		return nil, err
	}
	groups, err := s.readGroups(ctx, `WHERE status = 'active'`)
	if err != nil {
		return nil, err
	}
	members, err := s.readMembers(ctx, `WHERE group_id IN (SELECT id FROM finding_groups WHERE status = 'active')`)
	if err != nil {
		return nil, err
	}
	fs, err := s.readFindings(ctx, `id IN (`+activeMembers+`)`)
	if err != nil {
		return nil, err
	}
	if err := s.readEntities(ctx, fs, `finding_id IN (`+activeMembers+`)`); err != nil {
		return nil, err
	}
	for _, f := range fs {
		g.findings[f.ID] = f
		g.indexFinding(f)
	}
	for _, gr := range groups {
		gr.Members = members[gr.ID]
		if len(gr.Members) == 0 {
			continue
		}
		g.addGroup(gr)
	}
	return g, nil
}

func (s *Service) loadConstraints(ctx context.Context, g *grouping) error {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, finding_a, finding_b, who, decided_at FROM finding_group_constraints`)
	if err != nil {
		return fmt.Errorf("groups: read constraints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, a, b, who string
		var at time.Time
		if err := rows.Scan(&kind, &a, &b, &who, &at); err != nil {
			return fmt.Errorf("groups: read constraints: %w", err)
		}
		g.addConstraint(kind, a, b, constraint{Who: who, At: at.Unix()})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("groups: read constraints: %w", err)
	}
	g.constraintOps = nil
	return nil
}

// groupColumns are the columns readGroups scans.
const groupColumns = `id, status, origin, title, severity, tactics, accounts, findings, entities, principals,
	first_seen, last_seen, created_at, updated_at, closed_at`

// readGroups reads groups matching where (a fixed SQL fragment) with args.
func (s *Service) readGroups(ctx context.Context, where string, args ...any) ([]*group, error) {
	sums, err := s.readSummaries(ctx, `SELECT `+groupColumns+` FROM finding_groups `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*group, len(sums))
	for i, sm := range sums {
		out[i] = &group{ID: sm.ID, Status: sm.Status, Origin: sm.Origin, Created: sm.CreatedAt, Updated: sm.UpdatedAt, Closed: sm.ClosedAt}
	}
	return out, nil
}

// readSummaries runs query, which selects groupColumns.
func (s *Service) readSummaries(ctx context.Context, query string, args ...any) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("groups: read groups: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var sm Summary
		var tactics, accounts string
		var first, last, created, updated time.Time
		var closed sql.NullTime
		if err := rows.Scan(&sm.ID, &sm.Status, &sm.Origin, &sm.Title, &sm.Severity, &tactics, &accounts, &sm.FindingCount, &sm.EntityCount,
			&sm.PrincipalCount, &first, &last, &created, &updated, &closed); err != nil {
			return nil, fmt.Errorf("groups: read groups: %w", err)
		}
		sm.Group = Ref{Type: trailhound.FindingGroup, ID: sm.ID}
		sm.Tactics = []Tactic{}
		for _, n := range splitList(tactics) {
			if t, ok := tacticByName(n); ok {
				sm.Tactics = append(sm.Tactics, t)
			}
		}
		sm.Accounts = splitList(accounts)
		sm.FirstSeen, sm.LastSeen, sm.CreatedAt, sm.UpdatedAt = first.Unix(), last.Unix(), created.Unix(), updated.Unix()
		if closed.Valid {
			sm.ClosedAt = closed.Time.Unix()
		}
		sm.Band = Band(sm.Severity)
		sm.Scope = groupScope(sm.FirstSeen, sm.LastSeen)
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: read groups: %w", err)
	}
	return out, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// readMembers reads the members of the groups matching where, by group,
// in the order they joined.
func (s *Service) readMembers(ctx context.Context, where string, args ...any) (map[string][]member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT group_id, finding_id, joined_at, reasons FROM finding_group_members `+where+` ORDER BY group_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("groups: read members: %w", err)
	}
	defer rows.Close()
	out := map[string][]member{}
	for rows.Next() {
		var gid, reasons string
		var m member
		var joined time.Time
		if err := rows.Scan(&gid, &m.Finding, &joined, &reasons); err != nil {
			return nil, fmt.Errorf("groups: read members: %w", err)
		}
		m.Joined = joined.Unix()
		if err := json.Unmarshal([]byte(reasons), &m.Reasons); err != nil {
			return nil, fmt.Errorf("groups: member %s of %s: reasons: %w", m.Finding, gid, err)
		}
		out[gid] = append(out[gid], m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: read members: %w", err)
	}
	return out, nil
}

// findingColumns reads a finding's latest version as grouping sees it. A
// finding without observed times counts from its creation, as the
// findings panel does.
const findingColumns = `id, coalesce(type, ''), coalesce(title, ''), coalesce(severity, 0), coalesce(account, ''), coalesce(region, ''),
	coalesce(first_seen, created_at, updated_at), coalesce(last_seen, first_seen, created_at, updated_at), coalesce(archived, false),
	coalesce(action_type, '')`

// readFindings reads the latest versions of the findings matching cond
// (a fixed SQL fragment) with args.
func (s *Service) readFindings(ctx context.Context, cond string, args ...any) (map[string]*finding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM latest_findings WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("groups: read findings: %w", err)
	}
	defer rows.Close()
	out := map[string]*finding{}
	for rows.Next() {
		f := &finding{}
		var first, last time.Time
		if err := rows.Scan(&f.ID, &f.Type, &f.Title, &f.Severity, &f.Account, &f.Region, &first, &last, &f.Archived, &f.Action); err != nil {
			return nil, fmt.Errorf("groups: read findings: %w", err)
		}
		f.First, f.Last = first.Unix(), max(last.Unix(), first.Unix())
		f.Tactic = TacticOf(f.Type)
		out[f.ID] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: read findings: %w", err)
	}
	return out, nil
}

// readEntities fills the named and related entities of fs from the
// groups' own tables, as they were when the findings were placed.
func (s *Service) readEntities(ctx context.Context, fs map[string]*finding, cond string, args ...any) error {
	rows, err := s.db.QueryContext(ctx, `SELECT finding_id, entity_type, entity_id, coalesce(ignored, '') FROM finding_group_named WHERE `+cond+
		` ORDER BY finding_id, entity_type, entity_id`, args...)
	if err != nil {
		return fmt.Errorf("groups: read entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ns string
		var n named
		if err := rows.Scan(&id, &ns, &n.ID, &n.Ignored); err != nil {
			return fmt.Errorf("groups: read entities: %w", err)
		}
		n.Type = trailhound.Namespace(ns)
		if f := fs[id]; f != nil {
			f.Named = append(f.Named, n)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("groups: read entities: %w", err)
	}
	rel, err := s.db.QueryContext(ctx, `SELECT finding_id, entity_type, entity_id, named_type, named_id, relation, seen_at FROM finding_group_related WHERE `+cond+
		` ORDER BY finding_id, entity_type, entity_id, named_type, named_id`, args...)
	if err != nil {
		return fmt.Errorf("groups: read related entities: %w", err)
	}
	defer rel.Close()
	for rel.Next() {
		var id, ens, nns string
		var r related
		var at time.Time
		if err := rel.Scan(&id, &ens, &r.Entity.ID, &nns, &r.Named.ID, &r.Relation, &at); err != nil {
			return fmt.Errorf("groups: read related entities: %w", err)
		}
		r.Entity.Type, r.Named.Type, r.At = trailhound.Namespace(ens), trailhound.Namespace(nns), at.Unix()
		if f := fs[id]; f != nil {
			f.Related = append(f.Related, r)
		}
	}
	if err := rel.Err(); err != nil {
		return fmt.Errorf("groups: read related entities: %w", err)
	}
	return nil
}

// saveOptions say what else a save writes besides the groups changed.
type saveOptions struct {
	watermark int64 // the last findings batch placed; 0 leaves it
	reset     bool  // replace every group (rebuild)
	edit      *Edit // an analyst's edit to log
}

// save writes what the grouping changed in one transaction.
func (s *Service) save(ctx context.Context, g *grouping, o saveOptions) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("groups: save: %w", err)
	}
	defer tx.Rollback()
	if err := s.write(ctx, tx, g, o); err != nil {
		return fmt.Errorf("groups: save: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("groups: save: %w", err)
	}
	return nil
}

func (s *Service) write(ctx context.Context, tx *sql.Tx, g *grouping, o saveOptions) error {
	if o.reset {
		for _, t := range []string{"finding_groups", "finding_group_members", "finding_group_lineage", "finding_group_named", "finding_group_related"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
	}
	ids := make([]string, 0, len(g.touched))
	for id := range g.touched {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var groupRows, memberRows [][]any
	for _, id := range ids {
		gr := g.groups[id]
		sm := g.summarize(gr)
		names := make([]string, len(sm.Tactics))
		for i, t := range sm.Tactics {
			names[i] = t.Name
		}
		var closed any
		if gr.Closed != 0 {
			closed = unixTime(gr.Closed)
		}
		groupRows = append(groupRows, []any{gr.ID, gr.Status, gr.Origin, sm.Title, sm.Severity, strings.Join(names, ","), strings.Join(sm.Accounts, ","),
			sm.FindingCount, sm.EntityCount, sm.PrincipalCount, unixTime(sm.FirstSeen), unixTime(sm.LastSeen), unixTime(gr.Created), unixTime(gr.Updated), closed})
		for i, m := range gr.Members {
			b, err := json.Marshal(m.Reasons)
			if err != nil {
				return err
			}
			memberRows = append(memberRows, []any{gr.ID, m.Finding, i, unixTime(m.Joined), string(b)})
		}
		if !o.reset {
			if _, err := tx.ExecContext(ctx, `DELETE FROM finding_groups WHERE id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM finding_group_members WHERE group_id = ?`, id); err != nil {
				return err
			}
		}
	}
	if err := insertRows(ctx, tx, "finding_groups", 15, groupRows); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "finding_group_members", 5, memberRows); err != nil {
		return err
	}
	var lineageRows [][]any
	for _, l := range g.lineage {
		var fid any
		if l.Finding != "" {
			fid = l.Finding
		}
		lineageRows = append(lineageRows, []any{l.Parent, l.Child, l.Kind, fid, unixTime(l.At)})
	}
	if err := insertRows(ctx, tx, "finding_group_lineage", 5, lineageRows); err != nil {
		return err
	}

	var namedRows, relatedRows [][]any
	seen := map[string]bool{}
	for _, id := range g.processed {
		if seen[id] {
			continue
		}
		seen[id] = true
		if !o.reset {
			for _, t := range []string{"finding_group_named", "finding_group_related"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE finding_id = ?`, id); err != nil {
					return err
				}
			}
		}
		f := g.findings[id]
		for _, n := range f.Named {
			var ign any
			if n.Ignored != "" {
				ign = n.Ignored
			}
			namedRows = append(namedRows, []any{id, string(n.Type), n.ID, ign})
		}
		for _, r := range f.Related {
			relatedRows = append(relatedRows, []any{id, string(r.Entity.Type), r.Entity.ID, string(r.Named.Type), r.Named.ID, r.Relation, unixTime(r.At)})
		}
	}
	if err := insertRows(ctx, tx, "finding_group_named", 4, namedRows); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "finding_group_related", 7, relatedRows); err != nil {
		return err
	}

	for _, op := range g.constraintOps {
		if _, err := tx.ExecContext(ctx, `DELETE FROM finding_group_constraints WHERE kind = ? AND ((finding_a = ? AND finding_b = ?) OR (finding_a = ? AND finding_b = ?))`,
			op.kind, op.a, op.b, op.b, op.a); err != nil {
			return err
		}
		if op.add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO finding_group_constraints VALUES (?, ?, ?, ?, ?)`, op.kind, op.a, op.b, op.c.Who, unixTime(op.c.At)); err != nil {
				return err
			}
		}
	}
	if e := o.edit; e != nil {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM finding_group_edits`).Scan(&e.Seq); err != nil {
			return err
		}
		var gid, other, fid any
		if e.Group != "" {
			gid = e.Group
		}
		if e.Other != "" {
			other = e.Other
		}
		if e.Finding != "" {
			fid = e.Finding
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_group_edits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, unixTime(e.At), e.Who, e.Action, gid, other, fid, strings.Join(e.Results, ","), e.Text); err != nil {
			return err
		}
	}
	if o.watermark > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM finding_group_state WHERE name = ?`, watermarkName); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_group_state VALUES (?, ?)`, watermarkName, o.watermark); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts rows of n columns into table, many per statement,
// every value bound as a parameter.
func insertRows(ctx context.Context, tx *sql.Tx, table string, n int, rows [][]any) error {
	const perStatement = 200
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	for i := 0; i < len(rows); i += perStatement {
		part := rows[i:min(i+perStatement, len(rows))]
		args := make([]any, 0, len(part)*n)
		for _, r := range part {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func unixTime(s int64) time.Time { return time.Unix(s, 0).UTC() }

// placeholders returns n comma-separated parameter markers.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// chunks calls fn with parts of ids small enough to list as parameters.
func chunks(ids []string, fn func(part []any) error) error {
	const size = 500
	for i := 0; i < len(ids); i += size {
		part := make([]any, 0, size)
		for _, id := range ids[i:min(i+size, len(ids))] {
			part = append(part, id)
		}
		if err := fn(part); err != nil {
			return err
		}
	}
	return nil
}
