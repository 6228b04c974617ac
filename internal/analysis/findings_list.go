package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/trailhound/trailhound"
)

// FindingsRequest asks for the findings list: every finding's latest
// version, filtered, sorted and paged. Zero values mean "no filter".
type FindingsRequest struct {
	// Severity keeps findings of these bands: "low" (below 4), "medium"
	// (4 to below 7), "high" (7 to below 9), "critical" (9 and above).
	Severity []string
	// Types keeps findings whose type matches one of these patterns
	// (case-insensitive, * and ? wildcards, e.g. "Recon:*").
	Types []string
	// Accounts and Regions keep findings of these accounts and regions.
	Accounts []string
	Regions  []string
	// Q keeps findings whose id, type, title or description contains it,
	// case-insensitively.
	Q string
	// Archived is "false" (the default: active findings only), "true"
	// (archived only) or "any".
	Archived string
	// Start and End, when set, keep findings observed during [Start, End).
	Start, End int64
	// Sort is a field (severity, lastSeen, firstSeen, type, account,
	// count, title), with a leading "-" for descending; the default is
	// "-severity" then the newest first.
	Sort   string
	Limit  int
	Cursor string
}

// FindingsList is one page of the findings list, with how many findings
// match in all and how they spread over the filterable fields.
type FindingsList struct {
	Findings []FindingSummary `json:"findings"`
	Total    int64            `json:"total"`
	Cursor   string           `json:"cursor,omitempty"`
	// Facets count the matching findings per severity band, type, account
	// and region (the 50 most common values of each), so a list can offer
	// filters with their sizes.
	Facets map[string][]Facet `json:"facets"`
}

// FindingSummary is one row of the findings list.
type FindingSummary struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Title     string    `json:"title"`
	Severity  float64   `json:"severity"`
	Band      string    `json:"band"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	FirstSeen int64     `json:"firstSeen"`
	LastSeen  int64     `json:"lastSeen"`
	UpdatedAt int64     `json:"updatedAt"`
	Count     int64     `json:"count"`
	Archived  bool      `json:"archived"`
	Resource  string    `json:"resourceType,omitempty"`
	Finding   Ref       `json:"finding"`
	Scope     ScopeJSON `json:"scope"`
}

// Facet is one value of a filterable field and the number of matching
// findings that have it.
type Facet struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Findings list limits.
const (
	DefaultFindingsLimit = 100
	MaxFindingsLimit     = 1000
)

// findingSorts maps the sort names clients may send to SQL expressions:
// user text never reaches the query.
var findingSorts = map[string]string{
	"severity":  "severity",
	"lastSeen":  "last_t",
	"firstSeen": "first_t",
	"type":      "type",
	"account":   "account",
	"count":     "count",
	"title":     "title",
}

// bandSQL is the severity band of a finding as SQL, matching Band.
const bandSQL = `CASE WHEN severity >= 9 THEN 'critical' WHEN severity >= 7 THEN 'high' WHEN severity >= 4 THEN 'medium' ELSE 'low' END`

// Band names a GuardDuty severity's band.
func Band(severity float64) string {
	switch {
	case severity >= 9:
		return "critical"
	case severity >= 7:
		return "high"
	case severity >= 4:
		return "medium"
	}
	return "low"
}

// Findings lists findings. Bad filter values are EINVALID naming the
// parameter.
func (e *Engine) Findings(ctx context.Context, req FindingsRequest) (*FindingsList, error) {
	limit := req.Limit
	switch {
	case limit == 0:
		limit = DefaultFindingsLimit
	case limit < 0 || limit > MaxFindingsLimit:
		return nil, trailhound.Errorf(trailhound.EINVALID, "limit %d is out of range (1 to %d)", limit, MaxFindingsLimit)
	}
	offset, err := decodeCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	ts := e.dialect.Timestamp()
	var where []string
	var args []any
	if len(req.Severity) > 0 {
		var or []string
		for _, s := range req.Severity {
			switch s = strings.ToLower(strings.TrimSpace(s)); s {
			case "low", "medium", "high", "critical":
				or = append(or, bandSQL+" = ?")
				args = append(args, s)
			default:
				return nil, trailhound.Errorf(trailhound.EINVALID, "severity %q is not one of low, medium, high, critical", s)
			}
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if len(req.Types) > 0 {
		var or []string
		for _, t := range req.Types {
			or = append(or, "lower(type) LIKE ? ESCAPE '\\'")
			args = append(args, likePattern(strings.ToLower(t)))
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	for _, f := range []struct {
		col  string
		vals []string
	}{{"account", req.Accounts}, {"region", req.Regions}} {
		if len(f.vals) == 0 {
			continue
		}
		where = append(where, f.col+" IN (?"+strings.Repeat(", ?", len(f.vals)-1)+")")
		for _, v := range f.vals {
			args = append(args, v)
		}
	}
	if q := strings.TrimSpace(req.Q); q != "" {
		where = append(where, "(contains(lower(id), ?) OR contains(lower(type), ?) OR contains(lower(title), ?) OR contains(lower(description), ?))")
		q = strings.ToLower(q)
		args = append(args, q, q, q, q)
	}
	switch req.Archived {
	case "", "false":
		where = append(where, "NOT archived")
	case "true":
		where = append(where, "archived")
	case "any":
	default:
		return nil, trailhound.Errorf(trailhound.EINVALID, "archived %q must be true, false or any", req.Archived)
	}
	if req.Start != 0 || req.End != 0 {
		if req.End != 0 && req.Start >= req.End {
			return nil, trailhound.Errorf(trailhound.EINVALID, "scopeEnd (%d) must be after scopeStart (%d)", req.End, req.Start)
		}
		if req.Start != 0 {
			where = append(where, "last_t >= "+ts)
			args = append(args, req.Start)
		}
		if req.End != 0 {
			where = append(where, "first_t < "+ts)
			args = append(args, req.End)
		}
	}
	order := "severity DESC, last_t DESC, id"
	if req.Sort != "" {
		name, desc := strings.CutPrefix(req.Sort, "-")
		col, ok := findingSorts[name]
		if !ok {
			return nil, trailhound.Errorf(trailhound.EINVALID, "sort %q is not one of severity, lastSeen, firstSeen, type, account, count, title (prefix - for descending)", req.Sort)
		}
		dir := " ASC"
		if desc {
			dir = " DESC"
		}
		order = col + dir + ", last_t DESC, id"
	}
	base := `WITH f AS (SELECT id, coalesce(type, '') AS type, coalesce(title, '') AS title, coalesce(description, '') AS description,
	coalesce(severity, 0) AS severity, coalesce(account, '') AS account, coalesce(region, '') AS region,
	coalesce(first_seen, created_at, updated_at) AS first_t, coalesce(last_seen, first_seen, created_at, updated_at) AS last_t,
	updated_at, coalesce(count, 1) AS count, coalesce(archived, false) AS archived, coalesce(resource_type, '') AS resource_type
FROM latest_findings)
SELECT * FROM f`
	if len(where) > 0 {
		base += " WHERE " + strings.Join(where, " AND ")
	}
	out := &FindingsList{Findings: []FindingSummary{}, Facets: map[string][]Facet{}}
	if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+base+`)`, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("analysis: findings: %w", err)
	}
	rows, err := e.db.QueryContext(ctx, base+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f FindingSummary
		var desc string
		var first, last, updated sql.NullTime
		if err := rows.Scan(&f.ID, &f.Type, &f.Title, &desc, &f.Severity, &f.Account, &f.Region, &first, &last, &updated,
			&f.Count, &f.Archived, &f.Resource); err != nil {
			return nil, fmt.Errorf("analysis: findings: %w", err)
		}
		f.FirstSeen, f.LastSeen, f.UpdatedAt = unixOrZero(first), unixOrZero(last), unixOrZero(updated)
		f.Band = Band(f.Severity)
		f.Finding = Ref{trailhound.FindingEntity, f.ID}
		f.Scope = findingScope(f.FirstSeen, max(f.LastSeen, f.FirstSeen))
		out.Findings = append(out.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: findings: %w", err)
	}
	if int64(offset+limit) < out.Total {
		out.Cursor = encodeCursor(offset + limit)
	}
	for _, facet := range []struct{ name, expr string }{
		{"severity", bandSQL}, {"type", "type"}, {"account", "account"}, {"region", "region"},
	} {
		rows, err := e.db.QueryContext(ctx, `SELECT `+facet.expr+` AS v, count(*) FROM (`+base+`) GROUP BY v ORDER BY 2 DESC, v LIMIT 50`, args...)
		if err != nil {
			return nil, fmt.Errorf("analysis: findings facets: %w", err)
		}
		list := []Facet{}
		for rows.Next() {
			var f Facet
			if err := rows.Scan(&f.Value, &f.Count); err != nil {
				rows.Close()
				return nil, fmt.Errorf("analysis: findings facets: %w", err)
			}
			list = append(list, f)
		}
		rows.Close()
		out.Facets[facet.name] = list
	}
	return out, nil
}

func unixOrZero(t sql.NullTime) int64 {
	if !t.Valid {
		return 0
	}
	return t.Time.Unix()
}
