package analysis

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/trailhound/trailhound"
)

// Finding is a GuardDuty finding as its latest version describes it, with
// the entities it involves as link targets and the scope its views open
// with.
type Finding struct {
	ID           string           `json:"id"`
	ARN          string           `json:"arn,omitempty"`
	Type         string           `json:"type"`
	Title        string           `json:"title"`
	Description  string           `json:"description,omitempty"`
	Severity     float64          `json:"severity"`
	Account      string           `json:"account"`
	Region       string           `json:"region"`
	CreatedAt    int64            `json:"createdAt"`
	UpdatedAt    int64            `json:"updatedAt"`
	FirstSeen    int64            `json:"firstSeen"`
	LastSeen     int64            `json:"lastSeen"`
	Count        int64            `json:"count"`
	Archived     bool             `json:"archived"`
	ResourceType string           `json:"resourceType,omitempty"`
	ActionType   string           `json:"actionType,omitempty"`
	Versions     int64            `json:"versions"`
	Entities     []InvolvedEntity `json:"entities"`
	// DefaultScope runs from the first to the last observed time (at
	// least a minute), as Detective scopes a finding.
	DefaultScope ScopeJSON `json:"defaultScope"`
	// Detail is the finding JSON exactly as GuardDuty delivered it.
	Detail json.RawMessage `json:"detail"`
	// Related are other findings that involve an entity this one
	// involves, most severe first, then the most recently seen (at most
	// MaxRelatedFindings; RelatedTotal counts them all).
	Related          []RelatedFinding `json:"related"`
	RelatedTotal     int              `json:"relatedTotal"`
	RelatedTruncated bool             `json:"relatedTruncated"`
	// RelatedIgnored are the involved entities that do not relate
	// findings because they are too common to mean anything: accounts and
	// AWS service principals always, and any entity more than
	// MaxFindingsPerSharedEntity findings involve.
	RelatedIgnored []IgnoredEntity `json:"relatedIgnored"`
}

// InvolvedEntity is an entity a finding names: a link target with the
// label to show.
type InvolvedEntity struct {
	Type  trailhound.Namespace `json:"type"`
	ID    string               `json:"id"`
	Label string               `json:"label"`
}

// Finding returns the latest version of a finding, or ENOTFOUND.
func (e *Engine) Finding(ctx context.Context, id string) (*Finding, error) {
	f := &Finding{ID: id, Entities: []InvolvedEntity{}}
	var arn, typ, title, desc, account, region, resType, actType sql.NullString
	var created, first, last sql.NullTime
	var updated sql.NullTime
	var severity sql.NullFloat64
	var count sql.NullInt64
	var archived sql.NullBool
	var raw string
	err := e.db.QueryRowContext(ctx, `SELECT arn, type, title, description, account, region, created_at, updated_at, first_seen, last_seen,
	severity, count, archived, resource_type, action_type, raw, (SELECT count(*) FROM findings v WHERE v.id = f.id)
FROM latest_findings f WHERE id = ?`, id).Scan(&arn, &typ, &title, &desc, &account, &region, &created, &updated, &first, &last,
		&severity, &count, &archived, &resType, &actType, &raw, &f.Versions)
	if err == sql.ErrNoRows {
		return nil, trailhound.Errorf(trailhound.ENOTFOUND, "no finding with id %q in the data", id)
	}
	if err != nil {
		return nil, fmt.Errorf("analysis: finding: %w", err)
	}
	f.ARN, f.Type, f.Title, f.Description, f.Account, f.Region = arn.String, typ.String, title.String, desc.String, account.String, region.String
	f.ResourceType, f.ActionType = resType.String, actType.String
	f.Severity, f.Count, f.Archived = severity.Float64, count.Int64, archived.Bool
	unix := func(t sql.NullTime) int64 {
		if !t.Valid {
			return 0
		}
		return t.Time.Unix()
	}
	f.CreatedAt, f.UpdatedAt, f.FirstSeen, f.LastSeen = unix(created), unix(updated), unix(first), unix(last)
	if json.Valid([]byte(raw)) {
		f.Detail = json.RawMessage(raw)
	} else {
		// Never hand a client broken JSON; the text is still shown.
		f.Detail, _ = json.Marshal(raw)
	}
	from, to := f.FirstSeen, f.LastSeen
	if from == 0 {
		from = f.CreatedAt
	}
	f.DefaultScope = findingScope(from, max(to, from))

	ref := trailhound.EntityRef{Type: trailhound.FindingEntity, ID: id}
	rows, err := e.db.QueryContext(ctx, `WITH inv AS (SELECT DISTINCT dst FROM edges WHERE kind = 'finding_involves' AND src = ?)
`+entitySelect+` WHERE key IN (SELECT dst FROM inv) GROUP BY key, namespace, id ORDER BY namespace, id`, ref.Key())
	if err != nil {
		return nil, fmt.Errorf("analysis: finding entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanEntity(rows)
		if err != nil {
			return nil, fmt.Errorf("analysis: finding entities: %w", err)
		}
		f.Entities = append(f.Entities, InvolvedEntity{Type: r.Ref.Type, ID: r.Ref.ID, Label: r.Label})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: finding entities: %w", err)
	}
	if err := e.relatedFindings(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}
