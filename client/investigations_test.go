package client_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/investigate"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
)

// TestInvestigations drives an investigation through the client: start,
// wait, list, archive, report and recommendations.
func TestInvestigations(t *testing.T) {
	ctx := context.Background()
	alice := it.User(it.AccountA, "AIDAEXAMPLEALICE00001", "alice", "AKIAEXAMPLEALICE0001")
	var b it.Builder
	b.Repeat(3, time.Hour, it.Call{Time: it.At(0, 9), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: "aws-cli/2.15.0"})
	b.Call(it.Call{Time: it.At(1, 8), By: alice, API: "cloudtrail:StopLogging", IP: it.Singapore, UserAgent: "boto3/1.0 kali"})
	st := b.Ingest(t)
	svc, err := investigate.NewService(ctx, st.DB(), investigate.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := api.New(analysis.New(st.DB(), analysis.Options{}), nil)
	srv.SetInvestigations(svc)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := client.New(hs.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID}
	started, err := c.StartInvestigation(ctx, ref, client.Scope{Start: it.At(1, 0).Unix(), End: it.At(2, 0).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.WaitInvestigation(ctx, started.ID, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range inv.Indicators {
		if in.Type == investigate.TTPObserved && in.Tactic == "Defense Evasion" && in.TechniqueID == "T1562.008" {
			found = true
		}
	}
	if inv.Status != investigate.Successful || !found {
		t.Errorf("%s %s %+v", inv.Status, inv.Severity, inv.Tactics)
	}
	list, err := c.Investigations(ctx, client.InvestigationParams{Entity: ref.String(), Severity: []investigate.Severity{inv.Severity}, Sort: "-severity"})
	if err != nil || list.Total != 1 || list.Investigations[0].ID != started.ID {
		t.Errorf("%v %+v", err, list)
	}
	archived, err := c.SetInvestigationState(ctx, started.ID, investigate.Archived)
	if err != nil || archived.State != investigate.Archived {
		t.Errorf("%v %+v", err, archived)
	}
	md, err := c.InvestigationReport(ctx, started.ID, "md")
	if err != nil || !strings.Contains(string(md), "T1562\\.008") {
		t.Errorf("%v %s", err, md)
	}
	if _, err := c.RecommendedInvestigations(ctx, time.Time{}, 10); err != nil {
		t.Error(err)
	}
	_, err = c.StartInvestigation(ctx, trailhound.EntityRef{Type: trailhound.AwsUser, ID: "AIDANOBODY"}, client.Scope{})
	if trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
		t.Errorf("unknown entity: %v", err)
	}
	if _, err := c.SetInvestigationState(ctx, started.ID, "DONE"); trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("bad state: %v", err)
	}
}
