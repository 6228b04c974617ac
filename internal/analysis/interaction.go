package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/trailhound/trailhound"
)

// ResourceInteraction is the "Resource interaction" panel: who assumed
// what and when. A user's, federated user's or session's rows are the
// sessions it started (role chaining and cross-account included) with
// their roles; a role's are its sessions with whoever started them; a
// session's are its role and its starter; an address's and a user agent's
// are the principals that called from or with it, and for an address the
// instances that exchanged traffic with it.
type ResourceInteraction struct {
	Entity Ref           `json:"entity"`
	Scope  ScopeJSON     `json:"scope"`
	Rows   []Interaction `json:"rows"`
}

// Interaction is one row. Relation is one of started-session,
// session-of-role, role, started-by, caller, instance or profile-session
// (an instance's instance-profile sessions: the roles it assumed). Calls counts
// API calls in the scope (of the session, or of the caller from the
// address or user agent); Started counts the calls that started the
// session in the scope (AssumeRole and friends); Bytes is the flow
// traffic of an instance row. FirstSeen and LastSeen bound what the row
// counts (for role and started-by rows, the whole relationship).
type Interaction struct {
	Relation  string `json:"relation"`
	Entity    Ref    `json:"entity"`
	Label     string `json:"label"`
	Role      *Ref   `json:"role,omitempty"`
	StartedBy *Ref   `json:"startedBy,omitempty"`
	Calls     int64  `json:"calls"`
	Started   int64  `json:"started"`
	Bytes     int64  `json:"bytes,omitempty"`
	FirstSeen int64  `json:"firstSeen"`
	LastSeen  int64  `json:"lastSeen"`
}

// interactionTypes are the types Detective shows the panel for.
var interactionTypes = []trailhound.Namespace{
	trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.UserAgent, trailhound.IPAddress,
	trailhound.Ec2Instance,
}

// acc gathers one row's numbers by entity key.
type acc struct {
	relation      string
	calls         int64
	started       int64
	bytes         int64
	first, last   time.Time
	role, starter int64
}

func (a *acc) see(first, last time.Time) {
	if a.first.IsZero() || first.Before(a.first) {
		a.first = first
	}
	if last.After(a.last) {
		a.last = last
	}
}

func (e *Engine) resourceInteraction(ctx context.Context, ent entityRow, scope trailhound.Scope) (*ResourceInteraction, error) {
	ts := e.dialect.Timestamp()
	rows := map[int64]*acc{}
	get := func(k int64, relation string) *acc {
		a := rows[k]
		if a == nil {
			a = &acc{relation: relation}
			rows[k] = a
		}
		return a
	}
	// scan runs a query whose rows are (key, count, first, last) and
	// folds them into the rows of a relation with add.
	scan := func(q string, args []any, relation string, add func(a *acc, n int64)) error {
		r, err := e.db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("analysis: resource interaction: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var k, n int64
			var first, last sql.NullTime
			if err := r.Scan(&k, &n, &first, &last); err != nil {
				return fmt.Errorf("analysis: resource interaction: %w", err)
			}
			a := get(k, relation)
			add(a, n)
			a.see(first.Time.UTC(), last.Time.UTC())
		}
		return r.Err()
	}
	// started: sessions whose starting call (carrying its event id) the
	// entity made in the scope.
	started := `SELECT src, count(DISTINCT event_id), min(first_seen), max(last_seen) FROM edges
WHERE kind = 'started_by' AND dst = ? AND event_id IS NOT NULL AND first_seen >= ` + ts + ` AND first_seen < ` + ts + ` GROUP BY src`
	scope2 := []any{scope.Start, scope.End}
	var err error
	switch ent.Ref.Type {
	case trailhound.AwsUser, trailhound.FederatedUser, trailhound.AwsRoleSession:
		err = scan(started, append([]any{ent.Key}, scope2...), "started-session", func(a *acc, n int64) { a.started += n })
		if err == nil && ent.Ref.Type == trailhound.AwsRoleSession {
			err = e.sessionIdentity(ctx, ent.Key, get)
		}
	case trailhound.AwsRole:
		// The role's sessions: those that called in the scope, and those
		// started in the scope (which may not have called yet).
		from, args := e.callsFrom(scope.Start, scope.End)
		err = scan(`SELECT principal_key, sum(success + failure), min(first_time), max(last_time) FROM `+from+`
WHERE role_key = ? AND principal_key <> ? AND principal_key <> 0 GROUP BY principal_key`,
			append(args, ent.Key, ent.Key), "session-of-role", func(a *acc, n int64) { a.calls += n })
		if err == nil {
			err = scan(`SELECT src, count(DISTINCT event_id), min(first_seen), max(last_seen) FROM edges
WHERE kind = 'assumed_role' AND dst = ? AND event_id IS NOT NULL AND first_seen >= `+ts+` AND first_seen < `+ts+` GROUP BY src`,
				append([]any{ent.Key}, scope2...), "session-of-role", func(a *acc, n int64) { a.started += n })
		}
	case trailhound.IPAddress, trailhound.UserAgent:
		col := "ip_key"
		if ent.Ref.Type == trailhound.UserAgent {
			col = "ua_key"
		}
		from, args := e.callsFrom(scope.Start, scope.End)
		err = scan(`SELECT principal_key, sum(success + failure), min(first_time), max(last_time) FROM `+from+`
WHERE `+col+` = ? AND principal_key <> 0 GROUP BY principal_key`,
			append(args, ent.Key), "caller", func(a *acc, n int64) { a.calls += n })
		if err == nil && ent.Ref.Type == trailhound.IPAddress {
			// Flow rows are hourly: those of the hours the scope touches.
			// The instances whose interfaces logged the address are read
			// from their hourly table (migration 007), those that talked
			// with it from the flows: the far side's look-up skips the row
			// groups that cannot hold the address (flows are kept in
			// far-side order within each day).
			from, to := scope.Start/Hour*Hour, scope.End
			err = scan(`SELECT instance_key, sum(bytes), min(first_start), max(last_end) FROM (
SELECT instance_key, bytes, first_start, last_end FROM flow_instances
WHERE local_key = ? AND hour >= `+ts+` AND hour < `+ts+`
UNION ALL
SELECT instance_key, bytes, first_start, last_end FROM flows
WHERE remote_key = ? AND local_key <> ? AND instance_key <> 0 AND hour >= `+ts+` AND hour < `+ts+`) f GROUP BY instance_key`,
				[]any{ent.Key, from, to, ent.Key, ent.Key, from, to}, "instance", func(a *acc, n int64) { a.bytes += n })
		}
	case trailhound.Ec2Instance:
		// The roles it assumed: the sessions of its instance profile
		// (named after it), with their calls in the scope.
		sub, _, serr := e.subjectOf(ctx, ent)
		if serr != nil {
			return nil, serr
		}
		if len(sub.args) > 0 {
			from, args := e.callsFrom(scope.Start, scope.End)
			err = scan(`SELECT principal_key, sum(success + failure), min(first_time), max(last_time) FROM `+from+`
WHERE `+sub.where+` GROUP BY principal_key`, append(args, sub.args...), "profile-session", func(a *acc, n int64) { a.calls += n })
		}
	default:
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelInteraction, ent.Ref.Type)
	}
	if err != nil {
		return nil, err
	}
	// Sessions in the rows: their role and their starter, whenever
	// recorded, for the links of each row.
	keys := map[int64]bool{}
	var sessions []int64
	for k, a := range rows {
		keys[k] = true
		if a.relation == "started-session" || a.relation == "session-of-role" || a.relation == "profile-session" {
			sessions = append(sessions, k)
		}
	}
	links, err := e.sessionLinks(ctx, sessions)
	if err != nil {
		return nil, err
	}
	for _, k := range sessions {
		a := rows[k]
		a.role, a.starter = links[k].role, links[k].starter
		keys[a.role], keys[a.starter] = true, true
	}
	names, err := e.names(ctx, keys)
	if err != nil {
		return nil, err
	}
	link := func(k int64) *Ref {
		if n, ok := names[k]; ok && k != 0 {
			return &Ref{n.Ref.Type, n.Ref.ID}
		}
		return nil
	}
	out := &ResourceInteraction{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Rows: []Interaction{}}
	for k, a := range rows {
		n, ok := names[k]
		if !ok {
			continue
		}
		row := Interaction{Relation: a.relation, Entity: Ref{n.Ref.Type, n.Ref.ID}, Label: n.Label, Calls: a.calls, Started: a.started,
			Bytes: a.bytes, FirstSeen: a.first.Unix(), LastSeen: a.last.Unix()}
		if a.relation == "started-session" || a.relation == "profile-session" {
			row.Role = link(a.role)
		}
		if a.relation == "session-of-role" {
			row.StartedBy = link(a.starter)
		}
		out.Rows = append(out.Rows, row)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Relation != b.Relation {
			return a.Relation < b.Relation
		}
		if a.FirstSeen != b.FirstSeen {
			return a.FirstSeen < b.FirstSeen
		}
		return a.Entity.ID < b.Entity.ID
	})
	return out, nil
}

// sessionLink is a session's role and the principal that started it (0
// when not recorded).
type sessionLink struct{ role, starter int64 }

// sessionLinks returns the links of sessions, all in one query: a role
// can have hundreds of sessions in a scope.
func (e *Engine) sessionLinks(ctx context.Context, sessions []int64) (map[int64]sessionLink, error) {
	out := make(map[int64]sessionLink, len(sessions))
	if len(sessions) == 0 {
		return out, nil
	}
	rows, err := e.db.QueryContext(ctx, `SELECT src, min(dst) FILTER (WHERE kind = 'assumed_role'), min(dst) FILTER (WHERE kind = 'started_by') FROM edges
WHERE kind IN ('assumed_role', 'started_by') AND src IN (SELECT unnest(?::BIGINT[])) GROUP BY src`, listParam(sessions))
	if err != nil {
		return nil, fmt.Errorf("analysis: session links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var role, starter sql.NullInt64
		if err := rows.Scan(&k, &role, &starter); err != nil {
			return nil, fmt.Errorf("analysis: session links: %w", err)
		}
		out[k] = sessionLink{role.Int64, starter.Int64}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: session links: %w", err)
	}
	return out, nil
}

// sessionIdentity adds a session's role and starter rows, over the whole
// relationship: who a session is does not depend on the scope.
func (e *Engine) sessionIdentity(ctx context.Context, session int64, get func(int64, string) *acc) error {
	for _, kr := range []struct{ kind, relation string }{{"assumed_role", "role"}, {"started_by", "started-by"}} {
		r, err := e.db.QueryContext(ctx, `SELECT dst, count(DISTINCT event_id), min(first_seen), max(last_seen) FROM edges
WHERE kind = ? AND src = ? GROUP BY dst`, kr.kind, session)
		if err != nil {
			return fmt.Errorf("analysis: resource interaction: %w", err)
		}
		for r.Next() {
			var k, n int64
			var first, last time.Time
			if err := r.Scan(&k, &n, &first, &last); err != nil {
				r.Close()
				return fmt.Errorf("analysis: resource interaction: %w", err)
			}
			a := get(k, kr.relation)
			a.started += n
			a.see(first.UTC(), last.UTC())
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return fmt.Errorf("analysis: resource interaction: %w", err)
		}
	}
	return nil
}
