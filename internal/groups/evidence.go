package groups

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/evidence"
)

// EvidenceSource supplies the informational evidence of a group: what
// the group's principals did during the group's scope that they had not
// done during the baseline (new geolocations, autonomous systems, user
// agents, API calls; new for all accounts). Items are sent to clients as
// they are.
type EvidenceSource interface {
	Evidence(ctx context.Context, callers []trailhound.EntityRef, scope trailhound.Scope) ([]any, error)
}

// StoreEvidence computes evidence from the behavior graph in db with
// package evidence, comparing a scope with the baseline before it (0: the
// default 45 days).
func StoreEvidence(db *sql.DB, baseline time.Duration) EvidenceSource {
	return storeEvidence{db: db, baseline: baseline}
}

type storeEvidence struct {
	db       *sql.DB
	baseline time.Duration
}

func (e storeEvidence) Evidence(ctx context.Context, callers []trailhound.EntityRef, scope trailhound.Scope) ([]any, error) {
	items, err := evidence.Compute(ctx, e.db, scope, evidence.Options{Baseline: e.baseline, Callers: callers})
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	for i := range items {
		out[i] = items[i]
	}
	return out, nil
}

// evidenceCallers picks the principals whose calls a group's evidence is
// about: users, federated users, role sessions and access keys the
// members name, and roles none of whose sessions are named (a role
// stands for every session of it).
func evidenceCallers(refs []Ref) []trailhound.EntityRef {
	var out []trailhound.EntityRef
	sessionsOf := map[string]bool{}
	for _, r := range refs {
		if r.Type == trailhound.AwsRoleSession {
			role, _, _ := strings.Cut(r.ID, ":")
			sessionsOf[role] = true
		}
	}
	for _, r := range refs {
		switch r.Type {
		case trailhound.AwsUser, trailhound.FederatedUser, trailhound.AwsRoleSession, trailhound.AccessKey:
			out = append(out, r.entityRef())
		case trailhound.AwsRole:
			if !sessionsOf[r.ID] {
				out = append(out, r.entityRef())
			}
		}
	}
	return out
}
