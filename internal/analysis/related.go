package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/trailhound/trailhound"
)

// Limits of related findings.
const (
	// MaxRelatedFindings is the most related findings a finding lists.
	MaxRelatedFindings = 100
	// MaxFindingsPerSharedEntity is the most findings an entity may
	// involve and still relate them: an address or instance named by
	// more findings than that (a scanner probing the whole fleet, a NAT
	// gateway) would relate everything to everything. Its findings stay
	// in the entity's associated-findings panel.
	MaxFindingsPerSharedEntity = 100
)

// commonTypes are the entity types that never relate findings: every
// finding names its account, and service principals act for everyone.
var commonTypes = []trailhound.Namespace{trailhound.AwsAccount, trailhound.AwsService}

// RelatedFinding is a finding that shares involved entities with another,
// with the entities they share.
type RelatedFinding struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	Type      string           `json:"type"`
	Severity  float64          `json:"severity"`
	Account   string           `json:"account"`
	Region    string           `json:"region"`
	FirstSeen int64            `json:"firstSeen"`
	LastSeen  int64            `json:"lastSeen"`
	Archived  bool             `json:"archived"`
	Finding   Ref              `json:"finding"`
	Scope     ScopeJSON        `json:"scope"`
	Shared    []InvolvedEntity `json:"shared"`
}

// IgnoredEntity is an involved entity left out of relating findings, with
// how many findings involve it and why.
type IgnoredEntity struct {
	Type     trailhound.Namespace `json:"type"`
	ID       string               `json:"id"`
	Label    string               `json:"label"`
	Findings int64                `json:"findings"`
	Reason   string               `json:"reason"` // "common-type" or "too-many-findings"
}

// relatedFindings fills f's related findings: those, other than f, that
// involve one of f's entities, over all time and every version (an
// entity an earlier version named still relates).
func (e *Engine) relatedFindings(ctx context.Context, f *Finding) error {
	f.Related, f.RelatedIgnored = []RelatedFinding{}, []IgnoredEntity{}
	self := trailhound.EntityRef{Type: trailhound.FindingEntity, ID: f.ID}.Key()
	// Each of f's entities with the number of findings involving it.
	rows, err := e.db.QueryContext(ctx, `WITH mine AS (SELECT DISTINCT dst FROM edges WHERE kind = 'finding_involves' AND src = ?)
SELECT dst, count(DISTINCT src) FROM edges WHERE kind = 'finding_involves' AND dst IN (SELECT dst FROM mine) GROUP BY dst`, self)
	if err != nil {
		return fmt.Errorf("analysis: related findings: %w", err)
	}
	counts := map[int64]int64{}
	for rows.Next() {
		var k, n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return fmt.Errorf("analysis: related findings: %w", err)
		}
		counts[k] = n
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("analysis: related findings: %w", err)
	}
	keys := map[int64]bool{}
	for k := range counts {
		keys[k] = true
	}
	ents, err := e.names(ctx, keys)
	if err != nil {
		return err
	}
	var shared []any
	for k, n := range counts {
		ent, ok := ents[k]
		if !ok {
			continue
		}
		reason := ""
		switch {
		case slices.Contains(commonTypes, ent.Ref.Type):
			reason = "common-type"
		case n > MaxFindingsPerSharedEntity:
			reason = "too-many-findings"
		}
		if reason != "" {
			f.RelatedIgnored = append(f.RelatedIgnored, IgnoredEntity{Type: ent.Ref.Type, ID: ent.Ref.ID, Label: ent.Label, Findings: n, Reason: reason})
			continue
		}
		if n > 1 {
			shared = append(shared, k)
		}
	}
	slices.SortFunc(f.RelatedIgnored, func(a, b IgnoredEntity) int {
		return strings.Compare(string(a.Type)+"/"+a.ID, string(b.Type)+"/"+b.ID)
	})
	if len(shared) == 0 {
		return nil
	}

	// The other findings of the shared entities, by finding id.
	q := `SELECT DISTINCT n.id, r.dst FROM edges r JOIN entities n ON n.key = r.src AND n.namespace = ?
WHERE r.kind = 'finding_involves' AND r.dst IN (` + placeholders(len(shared)) + `) AND r.src <> ?`
	rows, err = e.db.QueryContext(ctx, q, append(append([]any{string(trailhound.FindingEntity)}, shared...), self)...)
	if err != nil {
		return fmt.Errorf("analysis: related findings: %w", err)
	}
	via := map[string][]int64{}
	for rows.Next() {
		var id string
		var k int64
		if err := rows.Scan(&id, &k); err != nil {
			rows.Close()
			return fmt.Errorf("analysis: related findings: %w", err)
		}
		via[id] = append(via[id], k)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("analysis: related findings: %w", err)
	}
	ids := make([]any, 0, len(via))
	for id := range via {
		ids = append(ids, id)
	}
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		rows, err := e.db.QueryContext(ctx, `SELECT f.id, coalesce(f.title, ''), coalesce(f.type, ''), coalesce(f.severity, 0), coalesce(f.account, ''),
	coalesce(f.region, ''), coalesce(f.first_seen, f.created_at, f.updated_at), coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at),
	coalesce(f.archived, false)
FROM latest_findings f WHERE f.id IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return fmt.Errorf("analysis: related findings: %w", err)
		}
		for rows.Next() {
			var r RelatedFinding
			var first, last sql.NullTime
			if err := rows.Scan(&r.ID, &r.Title, &r.Type, &r.Severity, &r.Account, &r.Region, &first, &last, &r.Archived); err != nil {
				rows.Close()
				return fmt.Errorf("analysis: related findings: %w", err)
			}
			r.FirstSeen, r.LastSeen = first.Time.Unix(), last.Time.Unix()
			r.Finding = Ref{Type: trailhound.FindingEntity, ID: r.ID}
			r.Scope = findingScope(r.FirstSeen, r.LastSeen)
			for _, k := range via[r.ID] {
				ent := ents[k]
				r.Shared = append(r.Shared, InvolvedEntity{Type: ent.Ref.Type, ID: ent.Ref.ID, Label: ent.Label})
			}
			slices.SortFunc(r.Shared, func(a, b InvolvedEntity) int {
				return strings.Compare(string(a.Type)+"/"+a.ID, string(b.Type)+"/"+b.ID)
			})
			f.Related = append(f.Related, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("analysis: related findings: %w", err)
		}
	}
	slices.SortFunc(f.Related, func(a, b RelatedFinding) int {
		switch {
		case a.Severity != b.Severity:
			if a.Severity > b.Severity {
				return -1
			}
			return 1
		case a.LastSeen != b.LastSeen:
			if a.LastSeen > b.LastSeen {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	f.RelatedTotal = len(f.Related)
	if len(f.Related) > MaxRelatedFindings {
		f.Related = f.Related[:MaxRelatedFindings]
		f.RelatedTruncated = true
	}
	return nil
}
