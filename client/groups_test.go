package client_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/groups/groupstest"
)

type noEvidence struct{}

func (noEvidence) Evidence(context.Context, []trailhound.EntityRef, trailhound.Scope) ([]any, error) {
	return []any{}, nil
}

// TestGroups goes through the group methods against a real server.
func TestGroups(t *testing.T) {
	ctx := context.Background()
	st, _ := groupstest.Open(t)
	groupstest.Ingest(t, st, groupstest.Files("batch1", groupstest.Batch1, true))
	svc := groups.New(st.DB(), groups.Options{Evidence: noEvidence{}})
	if _, err := svc.Update(ctx); err != nil {
		t.Fatal(err)
	}
	s := api.New(analysis.New(st.DB(), analysis.Options{}), nil)
	s.SetGroups(svc)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, err := client.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}

	list, err := c.Groups(ctx, client.GroupsParams{Severity: []string{"high"}, Tactics: []string{"Discovery", "Impact"},
		Entities: []trailhound.EntityRef{{Type: trailhound.Ec2Instance, ID: groupstest.Miner}}})
	if err != nil || list.Total != 1 {
		t.Fatalf("groups %+v %v", list, err)
	}
	id := list.Groups[0].ID
	g, err := c.Group(ctx, id)
	if err != nil || len(g.Findings) != 2 {
		t.Fatalf("group %+v %v", g, err)
	}
	graph, err := c.GroupGraph(ctx, id, true, 0)
	if err != nil || len(graph.Nodes) == 0 {
		t.Fatalf("graph %+v %v", graph, err)
	}
	split, err := c.SplitGroup(ctx, id, "f2-mining", "ana")
	if err != nil || len(split.Groups) != 2 || split.Edit.Who != "ana" {
		t.Fatalf("split %+v %v", split, err)
	}
	merged, err := c.MergeGroups(ctx, split.Groups[0].ID, split.Groups[1].ID, "ana")
	if err != nil || len(merged.Groups) != 1 {
		t.Fatalf("merge %+v %v", merged, err)
	}
	audit, err := c.GroupAudit(ctx, merged.Groups[0].ID)
	if err != nil || len(audit.Edits) != 1 {
		t.Fatalf("audit %+v %v", audit, err)
	}
	if _, err := c.SplitGroup(ctx, id, "f1-discovery", "ana"); trailhound.ErrorCode(err) != trailhound.ECONFLICT {
		t.Errorf("split of an inactive group: %v", err)
	}
	if _, err := c.Group(ctx, "nope"); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
		t.Errorf("unknown group: %v", err)
	}
}
