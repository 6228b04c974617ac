package investigate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/trailhound/trailhound"
)

// Recommendation windows, as Detective's: principals in high-severity
// findings of the last day, and in finding groups of the last week.
const (
	recommendFindingWindow = 24 * time.Hour
	recommendGroupWindow   = 7 * 24 * time.Hour
	highFindingSeverity    = 7.0
)

// RecommendRequest asks for the entities worth investigating.
type RecommendRequest struct {
	// At is the end of the windows; zero takes the time of the latest
	// event, flow or finding in the store, so that a store of older logs
	// still has recommendations.
	At time.Time
	// Limit bounds the answer; default 50.
	Limit int
}

// Recommendations lists entities worth investigating, most severe reason
// first.
type Recommendations struct {
	// At is the end of the windows.
	At              int64            `json:"at"`
	Recommendations []Recommendation `json:"recommendations"`
	// GroupsChecked says whether finding groups were consulted (a group
	// source is configured).
	GroupsChecked bool `json:"groupsChecked"`
}

// Recommendation is one entity with why to investigate it and the scope
// to use.
type Recommendation struct {
	Entity  Ref                    `json:"entity"`
	Label   string                 `json:"label,omitempty"`
	ARN     string                 `json:"arn,omitempty"`
	Account string                 `json:"account,omitempty"`
	Reasons []RecommendationReason `json:"reasons"`
	// LatestTime is the latest time any reason was observed.
	LatestTime int64 `json:"latestTime"`
	// Scope covers the reasons, in whole hours.
	Scope ScopeJSON `json:"scope"`
	// Investigation is the newest investigation of the entity, if any.
	Investigation *Summary `json:"investigation,omitempty"`
}

// RecommendationReason is one reason: a high-severity finding or a
// finding group that involves the entity.
type RecommendationReason struct {
	Kind      string  `json:"kind"` // HIGH_SEVERITY_FINDING or FINDING_GROUP
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Type      string  `json:"type,omitempty"`
	Severity  float64 `json:"severity"`
	FirstSeen int64   `json:"firstSeen"`
	LastSeen  int64   `json:"lastSeen"`
}

// Recommended lists the entities of investigable types involved in a
// high-severity finding (7 and above) observed in the 24 hours before At,
// or in a finding group observed in the 7 days before it.
func (s *Service) Recommended(ctx context.Context, req RecommendRequest) (*Recommendations, error) {
	at := req.At
	if at.IsZero() {
		var latest sql.NullTime
		err := s.db.QueryRowContext(ctx, `SELECT max(t) FROM (
  SELECT max(event_time) AS t FROM events
  UNION ALL SELECT max(coalesce(last_seen, updated_at)) FROM findings
  UNION ALL SELECT max(last_end) FROM flows)`).Scan(&latest)
		if err != nil {
			return nil, fmt.Errorf("investigate: recommended: %w", err)
		}
		if !latest.Valid {
			return &Recommendations{At: 0, Recommendations: []Recommendation{}, GroupsChecked: s.iv.groups != nil}, nil
		}
		at = latest.Time
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	ts := s.iv.dialect.Timestamp()
	types := make([]any, len(EntityTypes))
	for i, t := range EntityTypes {
		types[i] = string(t)
	}
	from := at.Add(-recommendFindingWindow).Unix()
	rows, err := s.db.QueryContext(ctx, `SELECT n.namespace, n.id, f.id, coalesce(f.title, ''), coalesce(f.type, ''), coalesce(f.severity, 0),
  coalesce(f.first_seen, f.created_at, f.updated_at), coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at)
FROM latest_findings f
JOIN entities fe ON fe.namespace = ? AND fe.id = f.id
JOIN edges r ON r.kind = 'finding_involves' AND r.src = fe.key
JOIN (SELECT DISTINCT key, namespace, id FROM entities) n ON n.key = r.dst
WHERE coalesce(f.severity, 0) >= ? AND NOT coalesce(f.archived, false)
  AND coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at) >= `+ts+`
  AND coalesce(f.first_seen, f.created_at, f.updated_at) <= `+ts+`
  AND n.namespace IN (`+placeholders(len(types))+`)`,
		concat([]any{string(trailhound.FindingEntity), highFindingSeverity, from, at.Unix()}, types)...)
	if err != nil {
		return nil, fmt.Errorf("investigate: recommended: %w", err)
	}
	byRef := map[trailhound.EntityRef]*Recommendation{}
	var order []trailhound.EntityRef
	add := func(ref trailhound.EntityRef, r RecommendationReason) {
		rec := byRef[ref]
		if rec == nil {
			rec = &Recommendation{Entity: Ref{Type: ref.Type, ID: ref.ID}}
			byRef[ref] = rec
			order = append(order, ref)
		}
		for _, x := range rec.Reasons {
			if x.Kind == r.Kind && x.ID == r.ID {
				return
			}
		}
		rec.Reasons = append(rec.Reasons, r)
	}
	for rows.Next() {
		var ns, id string
		var r RecommendationReason
		var first, last time.Time
		if err := rows.Scan(&ns, &id, &r.ID, &r.Title, &r.Type, &r.Severity, &first, &last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("investigate: recommended: %w", err)
		}
		r.Kind, r.FirstSeen, r.LastSeen = "HIGH_SEVERITY_FINDING", first.Unix(), last.Unix()
		add(trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id}, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("investigate: recommended: %w", err)
	}
	out := &Recommendations{At: at.Unix(), Recommendations: []Recommendation{}, GroupsChecked: s.iv.groups != nil}
	if s.iv.groups != nil {
		groups, err := s.iv.groups.RecentGroups(ctx, at.Add(-recommendGroupWindow))
		if err != nil {
			return nil, fmt.Errorf("investigate: recommended groups: %w", err)
		}
		for _, g := range groups {
			for _, e := range g.Entities {
				if slices.Contains(EntityTypes, e.Type) {
					add(e, RecommendationReason{Kind: "FINDING_GROUP", ID: g.ID, Title: g.Title, Severity: g.Severity,
						FirstSeen: g.FirstSeen.Unix(), LastSeen: g.LastSeen.Unix()})
				}
			}
		}
	}
	for _, ref := range order {
		rec := byRef[ref]
		sort.Slice(rec.Reasons, func(i, j int) bool {
			if rec.Reasons[i].Severity != rec.Reasons[j].Severity {
				return rec.Reasons[i].Severity > rec.Reasons[j].Severity
			}
			return rec.Reasons[i].ID < rec.Reasons[j].ID
		})
		first, last := rec.Reasons[0].FirstSeen, rec.Reasons[0].LastSeen
		for _, r := range rec.Reasons {
			first, last = min(first, r.FirstSeen), max(last, r.LastSeen)
		}
		rec.LatestTime = last
		// Whole hours around the reasons, an hour either side, so that
		// the activity leading up to a finding is in scope.
		rec.Scope = ScopeJSON{Start: (first/3600 - 1) * 3600, End: (last/3600 + 2) * 3600}
		out.Recommendations = append(out.Recommendations, *rec)
	}
	sort.SliceStable(out.Recommendations, func(i, j int) bool {
		a, b := out.Recommendations[i], out.Recommendations[j]
		if a.Reasons[0].Severity != b.Reasons[0].Severity {
			return a.Reasons[0].Severity > b.Reasons[0].Severity
		}
		if a.LatestTime != b.LatestTime {
			return a.LatestTime > b.LatestTime
		}
		return a.Entity.Type < b.Entity.Type || a.Entity.Type == b.Entity.Type && a.Entity.ID < b.Entity.ID
	})
	if len(out.Recommendations) > limit {
		out.Recommendations = out.Recommendations[:limit]
	}
	for i := range out.Recommendations {
		rec := &out.Recommendations[i]
		ref := trailhound.EntityRef{Type: rec.Entity.Type, ID: rec.Entity.ID}
		if ent, err := s.iv.eng.Entity(ctx, ref); err == nil {
			rec.Label, rec.ARN, rec.Account = ent.Label, ent.ARN, ent.Account
		}
		list, err := s.List(ctx, ListRequest{Entity: ref.String(), Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(list.Investigations) > 0 {
			rec.Investigation = &list.Investigations[0]
		}
	}
	return out, nil
}
