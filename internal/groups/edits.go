package groups

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/trailhound/trailhound"
)

// Split moves finding out of group id into a group of its own. The rest
// of the group becomes a new group too, the old one becomes inactive,
// and the finding is kept apart from the rest by every later update and
// rebuild. who is recorded in the audit log.
func (s *Service) Split(ctx context.Context, id, finding, who string) (*EditResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.exists(ctx, g, id); err != nil {
		return nil, err
	}
	who = cleanWho(who)
	made, err := g.split(id, finding, constraint{Who: who, At: g.now})
	if err != nil {
		return nil, err
	}
	e := &Edit{At: g.now, Who: who, Action: OriginSplit, Group: id, Finding: finding, Results: []string{made[0].ID, made[1].ID},
		Text: fmt.Sprintf("%s split finding %s out of group %s: the rest is group %s, the finding is group %s.", who, finding, id, made[0].ID, made[1].ID)}
	return s.finishEdit(ctx, g, e, made...)
}

// Merge joins groups id and other into a new group; both become
// inactive, and their findings are kept together by every later update
// and rebuild. who is recorded in the audit log.
func (s *Service) Merge(ctx context.Context, id, other, who string) (*EditResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	for _, gid := range []string{id, other} {
		if err := s.exists(ctx, g, gid); err != nil {
			return nil, err
		}
	}
	who = cleanWho(who)
	made, err := g.merge(id, other, constraint{Who: who, At: g.now})
	if err != nil {
		return nil, err
	}
	e := &Edit{At: g.now, Who: who, Action: OriginMerge, Group: id, Other: other, Results: []string{made.ID},
		Text: fmt.Sprintf("%s merged groups %s and %s into group %s.", who, id, other, made.ID)}
	return s.finishEdit(ctx, g, e, made)
}

// exists fails with ENOTFOUND for a group that was never made and with
// ECONFLICT for an inactive one, which load leaves out.
func (s *Service) exists(ctx context.Context, g *grouping, id string) error {
	if _, ok := g.groups[id]; ok {
		return nil
	}
	var status string
	err := s.db.QueryRowContext(ctx, `SELECT status FROM finding_groups WHERE id = ?`, id).Scan(&status)
	if err != nil {
		return notFound(id)
	}
	return trailhound.Errorf(trailhound.ECONFLICT, "finding group %s is %s: edit the group that succeeded it", id, status)
}

func (s *Service) finishEdit(ctx context.Context, g *grouping, e *Edit, made ...*group) (*EditResult, error) {
	if err := s.save(ctx, g, saveOptions{edit: e}); err != nil {
		return nil, err
	}
	out := &EditResult{Edit: *e}
	for _, gr := range made {
		out.Groups = append(out.Groups, g.summarize(gr))
	}
	return out, nil
}

// LocalUser is who the command line records as the author of its edits.
const LocalUser = "local"

// cleanWho keeps a name for the audit log: the header that supplies it
// is attacker-controlled, so control characters are dropped and the
// length bounded.
func cleanWho(who string) string {
	who = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, who)
	who = strings.TrimSpace(who)
	if r := []rune(who); len(r) > 128 {
		who = string(r[:128])
	}
	if who == "" {
		return "anonymous"
	}
	return who
}
