package investigate_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
)

// sequentialIDs makes predictable investigation ids.
func sequentialIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("%021d", n.Add(1)) }
}

func TestService(t *testing.T) {
	ctx := context.Background()
	db := fixture(t)
	now := it.At(3, 0)
	svc, err := investigate.NewService(ctx, db, investigate.ServiceOptions{NewID: sequentialIDs(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	aliceRef := trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID}

	started, err := svc.Start(ctx, investigate.Request{Entity: aliceRef, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	if started.Status != investigate.Running || started.ID != "000000000000000000001" {
		t.Errorf("started %+v", started)
	}
	svc.Wait()
	got, err := svc.Get(ctx, started.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != investigate.Successful || got.Severity != investigate.Critical || len(got.Indicators) == 0 || got.CreatedAt != now.Unix() {
		t.Errorf("got %s %s %d indicators", got.Status, got.Severity, len(got.Indicators))
	}
	// A benign run, synchronous.
	bobInv, err := svc.Run(ctx, investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.AwsUser, ID: bob.UserID}, Start: it.At(0, 0).Unix(), End: it.At(1, 0).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := svc.Run(ctx, investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instanceID}, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("errors come at once", func(t *testing.T) {
		_, err := svc.Start(ctx, investigate.Request{Entity: trailhound.EntityRef{Type: trailhound.AwsUser, ID: "AIDANOBODY"}})
		if trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
			t.Errorf("err %v", err)
		}
		if _, err := svc.Get(ctx, "nope"); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
			t.Errorf("get: %v", err)
		}
	})
	t.Run("archive", func(t *testing.T) {
		a, err := svc.SetState(ctx, started.ID, investigate.Archived)
		if err != nil || a.State != investigate.Archived || len(a.Indicators) == 0 {
			t.Fatalf("%v %+v", err, a)
		}
		if _, err := svc.SetState(ctx, started.ID, "DONE"); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("bad state: %v", err)
		}
		if _, err := svc.SetState(ctx, "nope", investigate.Active); trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
			t.Errorf("unknown id: %v", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		ids := func(req investigate.ListRequest) []string {
			t.Helper()
			l, err := svc.List(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range l.Investigations {
				out = append(out, s.ID)
			}
			return out
		}
		all := []string{inst.ID, bobInv.ID, started.ID}
		for _, tc := range []struct {
			name string
			req  investigate.ListRequest
			want []string
		}{
			{"newest first", investigate.ListRequest{}, all},
			{"oldest first", investigate.ListRequest{Sort: "+createdAt"}, []string{started.ID, bobInv.ID, inst.ID}},
			{"by severity", investigate.ListRequest{Sort: "-severity"}, []string{inst.ID, started.ID, bobInv.ID}},
			{"entity by reference", investigate.ListRequest{Entity: "AwsUser/" + alice.UserID}, []string{started.ID}},
			{"entity by ARN", investigate.ListRequest{Entity: "arn:aws:iam::111122223333:user/bob"}, []string{bobInv.ID}},
			{"severity", investigate.ListRequest{Severity: []investigate.Severity{investigate.Informational, investigate.Low}}, []string{bobInv.ID}},
			{"state", investigate.ListRequest{State: []investigate.State{investigate.Archived}}, []string{started.ID}},
			{"status", investigate.ListRequest{Status: []investigate.Status{investigate.Failed}}, nil},
			{"page", investigate.ListRequest{Limit: 2, Cursor: "2"}, []string{started.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := ids(tc.req); !slices.Equal(got, tc.want) {
					t.Errorf("%v, want %v", got, tc.want)
				}
			})
		}
		l, _ := svc.List(ctx, investigate.ListRequest{Limit: 1})
		if l.Total != 3 || l.Cursor != "1" || !slices.Contains(l.Investigations[0].Tactics, "Impact") {
			t.Errorf("%+v", l)
		}
		for _, bad := range []investigate.ListRequest{{Sort: "name"}, {Cursor: "x"}, {Limit: 5000}} {
			if _, err := svc.List(ctx, bad); trailhound.ErrorCode(err) != trailhound.EINVALID {
				t.Errorf("%+v: %v", bad, err)
			}
		}
	})
	t.Run("recommended", func(t *testing.T) {
		rec, err := svc.Recommended(ctx, investigate.RecommendRequest{})
		if err != nil {
			t.Fatal(err)
		}
		// The finding (severity 8, about alice's key) is within 24 hours
		// of the latest data.
		var got []string
		for _, r := range rec.Recommendations {
			got = append(got, string(r.Entity.Type)+"/"+r.Entity.ID)
		}
		want := []string{"AccessKey/" + alice.AccessKey, "AwsUser/" + alice.UserID}
		slices.Sort(got)
		if !slices.Equal(got, want) || rec.GroupsChecked {
			t.Fatalf("%v, want %v", got, want)
		}
		for _, r := range rec.Recommendations {
			if r.Reasons[0].Kind != "HIGH_SEVERITY_FINDING" || r.Reasons[0].ID != findingID || r.Scope.Start > it.At(1, 8).Unix() {
				t.Errorf("%+v", r)
			}
			if r.Entity.Type == trailhound.AwsUser && (r.Investigation == nil || r.Investigation.ID != started.ID || r.Label != "alice") {
				t.Errorf("alice's recommendation: %+v", r)
			}
		}
		// A day and more later, the finding is too old.
		rec, err = svc.Recommended(ctx, investigate.RecommendRequest{At: it.At(3, 0)})
		if err != nil || len(rec.Recommendations) != 0 {
			t.Errorf("%v %+v", err, rec)
		}
	})
}

func TestServiceGroupsAndRecovery(t *testing.T) {
	ctx := context.Background()
	db := fixture(t)
	svc, err := investigate.NewService(ctx, db, investigate.ServiceOptions{Options: investigate.Options{Groups: testGroups}, NewID: sequentialIDs()})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.Recommended(ctx, investigate.RecommendRequest{At: it.At(5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.GroupsChecked || len(rec.Recommendations) != 2 || rec.Recommendations[0].Reasons[0].Kind != "FINDING_GROUP" {
		t.Errorf("%+v", rec)
	}
	// A run left RUNNING by a process that stopped is failed by the next.
	if _, err := db.Exec(`INSERT INTO investigations VALUES ('9', 'AwsUser', ?, '', '', 1, 2, 'RUNNING', 'ACTIVE', NULL, 0, 0, '', now(), now(), NULL, NULL)`, alice.UserID); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	svc2, err := investigate.NewService(ctx, db, investigate.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc2.Close()
	got, err := svc2.Get(ctx, "9")
	if err != nil || got.Status != investigate.Failed || got.Error == "" {
		t.Errorf("%v %+v", err, got)
	}
}
