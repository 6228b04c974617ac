package groups

import (
	"context"
	"fmt"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
)

// The groups are what investigations relate an entity to: a
// RELATED_FINDING_GROUP indicator for each active group involving the
// investigated entities, and the recommended list's principals of recent
// groups.
var _ investigate.GroupSource = (*Service)(nil)

// GroupsInvolving returns the active groups whose findings name, or relate
// through the behavior graph to, one of entities, and whose observed
// period overlaps scope.
func (s *Service) GroupsInvolving(ctx context.Context, entities []trailhound.EntityRef, scope trailhound.Scope) ([]investigate.GroupInfo, error) {
	if len(entities) == 0 {
		return nil, nil
	}
	return s.groupInfos(ctx, ListRequest{Entities: entities}, func(sm Summary) bool {
		return sm.FirstSeen < scope.End && sm.LastSeen >= scope.Start
	})
}

// RecentGroups returns the active groups last observed at or after since,
// with their involved entities.
func (s *Service) RecentGroups(ctx context.Context, since time.Time) ([]investigate.GroupInfo, error) {
	return s.groupInfos(ctx, ListRequest{}, func(sm Summary) bool { return sm.LastSeen >= since.Unix() })
}

// groupInfos pages through the active groups of req, keeps those keep
// accepts and describes each with its involved entities.
func (s *Service) groupInfos(ctx context.Context, req ListRequest, keep func(Summary) bool) ([]investigate.GroupInfo, error) {
	req.Status, req.Limit = "active", MaxListLimit
	var out []investigate.GroupInfo
	for {
		page, err := s.List(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, sm := range page.Groups {
			if !keep(sm) {
				continue
			}
			d, err := s.detail(ctx, sm.ID, false)
			if err != nil {
				return nil, fmt.Errorf("groups: group %s: %w", sm.ID, err)
			}
			info := investigate.GroupInfo{ID: sm.ID, Title: sm.Title, Severity: sm.Severity,
				FirstSeen: time.Unix(sm.FirstSeen, 0).UTC(), LastSeen: time.Unix(sm.LastSeen, 0).UTC()}
			for _, t := range sm.Tactics {
				info.Tactics = append(info.Tactics, t.Name)
			}
			for _, e := range d.Entities {
				info.Entities = append(info.Entities, trailhound.EntityRef{Type: e.Type, ID: e.ID})
			}
			out = append(out, info)
		}
		if page.Cursor == "" {
			return out, nil
		}
		req.Cursor = page.Cursor
	}
}
