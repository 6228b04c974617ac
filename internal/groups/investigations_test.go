package groups_test

import (
	"context"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/investigate"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestInvestigationsSeeGroups checks the groups as investigations' group
// source: an investigation of a principal a group involves raises a
// RELATED_FINDING_GROUP indicator naming that group, and the recent
// groups include it.
func TestInvestigationsSeeGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen, err := synth.ParseScenarios("compromised-access-key,crypto-mining")
	if err != nil {
		t.Fatal(err)
	}
	_, _, st, _ := analysistest.Organization(t, synth.Config{Seed: 5, Days: 2, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		EventsPerDay: 3000, FlowsPerDay: 1000, Scenarios: scen})
	svc := groups.New(st.DB(), groups.Options{})
	if _, err := svc.Update(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(ctx, groups.ListRequest{Limit: groups.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	var group groups.Summary
	var user trailhound.EntityRef
	for _, g := range list.Groups {
		d, err := svc.Group(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range d.Entities {
			if e.Type == trailhound.AwsUser && user.ID == "" {
				group, user = g, trailhound.EntityRef{Type: e.Type, ID: e.ID}
			}
		}
	}
	if user.ID == "" {
		t.Fatal("no group involves an IAM user; the scenarios should make one")
	}
	inv, err := investigate.NewService(ctx, st.DB(), investigate.ServiceOptions{Options: investigate.Options{Groups: svc}})
	if err != nil {
		t.Fatal(err)
	}
	defer inv.Close()
	res, err := inv.Run(ctx, investigate.Request{Entity: user, Start: group.Scope.Start, End: group.Scope.End})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range res.Indicators {
		if in.Type == investigate.RelatedFindingGroup && in.GroupID == group.ID {
			found = true
		}
	}
	if !found {
		t.Errorf("investigating %s over group %s's scope raised no RELATED_FINDING_GROUP for it: %+v", user, group.ID, res.Indicators)
	}
	recent, err := svc.RecentGroups(ctx, time.Unix(group.LastSeen, 0))
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, g := range recent {
		if g.ID == group.ID {
			found = len(g.Entities) > 0 && len(g.Tactics) > 0
		}
	}
	if !found {
		t.Errorf("recent groups %+v lack %s with its entities and tactics", recent, group.ID)
	}
}
