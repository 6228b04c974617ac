package analysis

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/trailhound/trailhound"
)

// AssociatedFindings is the "Associated findings" panel: the findings that
// name the entity and were observed during the scope, latest versions,
// most severe first. Each carries its own scope, so that picking one
// aligns the profile's scope to it.
type AssociatedFindings struct {
	Entity   Ref                 `json:"entity"`
	Scope    ScopeJSON           `json:"scope"`
	Findings []AssociatedFinding `json:"findings"`
}

// AssociatedFinding is one row of the panel.
type AssociatedFinding struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Type      string    `json:"type"`
	Severity  float64   `json:"severity"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	FirstSeen int64     `json:"firstSeen"`
	LastSeen  int64     `json:"lastSeen"`
	Archived  bool      `json:"archived"`
	Finding   Ref       `json:"finding"`
	Scope     ScopeJSON `json:"scope"`
}

// associatedFindings lists findings whose observed period overlaps the
// scope. A finding without observed times counts from its creation.
func (e *Engine) associatedFindings(ctx context.Context, ent entityRow, scope trailhound.Scope) (*AssociatedFindings, error) {
	ts := e.dialect.Timestamp()
	rows, err := e.db.QueryContext(ctx, `SELECT f.id, coalesce(f.title, ''), coalesce(f.type, ''), coalesce(f.severity, 0), coalesce(f.account, ''),
	coalesce(f.region, ''), coalesce(f.first_seen, f.created_at, f.updated_at), coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at),
	coalesce(f.archived, false)
FROM latest_findings f
WHERE f.id IN (SELECT n.id FROM edges r JOIN entities n ON n.key = r.src AND n.namespace = ?
               WHERE r.kind = 'finding_involves' AND r.dst = ?)
  AND coalesce(f.first_seen, f.created_at, f.updated_at) < `+ts+`
  AND coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at) >= `+ts+`
ORDER BY 4 DESC, 8 DESC, 1`, string(trailhound.FindingEntity), ent.Key, scope.End, scope.Start)
	if err != nil {
		return nil, fmt.Errorf("analysis: associated findings: %w", err)
	}
	defer rows.Close()
	out := &AssociatedFindings{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Findings: []AssociatedFinding{}}
	for rows.Next() {
		var f AssociatedFinding
		var first, last sql.NullTime
		if err := rows.Scan(&f.ID, &f.Title, &f.Type, &f.Severity, &f.Account, &f.Region, &first, &last, &f.Archived); err != nil {
			return nil, fmt.Errorf("analysis: associated findings: %w", err)
		}
		f.FirstSeen, f.LastSeen = first.Time.Unix(), last.Time.Unix()
		f.Finding = Ref{Type: trailhound.FindingEntity, ID: f.ID}
		f.Scope = findingScope(f.FirstSeen, f.LastSeen)
		out.Findings = append(out.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: associated findings: %w", err)
	}
	return out, nil
}

// findingScope runs from a finding's first to its last observation
// inclusive, at least MinScope long.
func findingScope(first, last int64) ScopeJSON {
	end := last + 1
	if end < first+MinScope {
		end = first + MinScope
	}
	return ScopeJSON{Start: first, End: end}
}
