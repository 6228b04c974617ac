package analysis_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// TestNewGeolocationsBaselinePaths: a baseline's places located address
// by address (few addresses) equal those of the join with the address
// table (many), for every principal and account of the test corpus, over
// scopes with and without new places.
func TestNewGeolocationsBaselinePaths(t *testing.T) {
	ctx := context.Background()
	eng := newEngine(t)
	var refs []trailhound.EntityRef
	for _, ns := range []trailhound.Namespace{trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser} {
		res, err := eng.Search(ctx, analysis.SearchRequest{Type: ns, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Results {
			refs = append(refs, trailhound.EntityRef{Type: r.Type, ID: r.ID})
		}
	}
	day := unix("2026-11-01T00:00:00Z")
	scopes := []trailhound.Scope{{}, {Start: day, End: day + 86400}, {Start: day + 10*3600, End: day + 11*3600}, {Start: day + 10*3600 + 900, End: day + 86400}}
	located := 0
	for _, ref := range refs {
		for _, sc := range scopes {
			req := analysis.PanelRequest{Entity: ref, Panel: analysis.PanelNewGeolocations, Start: sc.Start, End: sc.End}
			byKey, err := eng.Panel(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			restore := analysis.LocateBaselinesBySQL()
			bySQL, err := eng.Panel(ctx, req)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(bySQL, byKey); diff != "" {
				t.Fatalf("%s %+v (-join +by address):\n%s", ref, sc, diff)
			}
			located += len(byKey.(*analysis.NewGeolocations).Locations)
		}
	}
	if len(refs) < 5 || located == 0 {
		t.Fatalf("%d entities, %d new places: the comparison proves little", len(refs), located)
	}
	// The summary's newly observed places, the same way.
	summarized := 0
	for _, sc := range scopes {
		req := analysis.SummaryRequest{Start: sc.Start, End: sc.End}
		byKey, err := eng.Summary(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		restore := analysis.LocateBaselinesBySQL()
		bySQL, err := eng.Summary(ctx, req)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(bySQL.NewGeolocations, byKey.NewGeolocations); diff != "" {
			t.Fatalf("summary %+v (-join +by address):\n%s", sc, diff)
		}
		summarized += len(byKey.NewGeolocations)
	}
	if summarized == 0 {
		t.Fatal("no new places in the summaries: the comparison proves little")
	}
}
