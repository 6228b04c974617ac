// Package storetest is the conformance suite every store implementation
// must pass: the same cases, run against a real database each time, so
// that ingestion behaves identically whichever store holds the graph.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/ingest"
)

// Store is what the suite exercises: the ingest side of a store, and a
// fingerprint of its whole content that does not depend on how objects
// were grouped into writes.
type Store interface {
	ingest.Store
	Fingerprint(ctx context.Context) (string, error)
}

// Run runs every case against fresh stores made by open.
func Run(t *testing.T, open func(t *testing.T) Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"StoresAndCounts", storesAndCounts},
		{"DuplicateContent", duplicateContent},
		{"DuplicateEvents", duplicateEvents},
		{"FindingVersions", findingVersions},
		{"SkippedObjects", skippedObjects},
		{"FailedWriteChangesNothing", failedWriteChangesNothing},
		{"GroupingDoesNotMatter", groupingDoesNotMatter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// call returns a CloudTrail event of IAM user n.
func call(id string, user int, at time.Duration, failed bool) *trailhound.APICall {
	c := &trailhound.APICall{
		EventID: id, Time: t0.Add(at), Version: "1.08", Source: "iam.amazonaws.com", Name: "ListUsers", Type: "AwsApiCall",
		Region: "us-east-1", RecipientAccount: "111122223333", SourceIP: fmt.Sprintf("81.2.69.%d", 100+user), UserAgent: "aws-cli/2.15.0",
		Identity: trailhound.Identity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDAEXAMPLEUSER%06d", user), AccountID: "111122223333",
			UserName: fmt.Sprintf("user%d", user), AccessKeyID: fmt.Sprintf("AKIAEXAMPLE%09d", user)},
		Raw: []byte(`{"eventID":"` + id + `"}`),
	}
	if failed {
		c.ErrorCode = "AccessDenied"
	}
	return c
}

func finding(id string, updated time.Duration, count int64) *trailhound.Finding {
	return &trailhound.Finding{ID: id, AccountID: "111122223333", Region: "us-east-1", Type: "Recon:IAMUser/MaliciousIPCaller",
		Severity: 5, CreatedAt: t0, UpdatedAt: t0.Add(updated), FirstSeen: t0, LastSeen: t0.Add(updated), Count: count,
		Entities: []trailhound.EntityRef{{Type: trailhound.AwsUser, ID: "AIDAEXAMPLEUSER000001"}, {Type: trailhound.IPAddress, ID: "81.2.69.101"}},
		Raw:      []byte(`{"id":"` + id + `"}`)}
}

// object builds an object write from records.
func object(t *testing.T, name string, calls []*trailhound.APICall, findings []*trailhound.Finding, flows []*trailhound.Flow) graph.ObjectWrite {
	t.Helper()
	b := graph.NewBatch()
	for _, c := range calls {
		if err := b.APICall(c); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range findings {
		if err := b.Finding(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range flows {
		if err := b.Flow(f); err != nil {
			t.Fatal(err)
		}
	}
	return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 100, ModTime: t0, SHA256: "sha-" + name, Source: trailhound.SourceCloudTrail, Batch: b}
}

func enrich(ip string) graph.IPInfo {
	return graph.IPInfo{Class: "public", Country: "GB", City: "London", Latitude: 51.5, Longitude: -0.1, ASN: 20712, ASOrg: "Andrews & Arnold Ltd"}
}

func write(t *testing.T, st Store, objs ...graph.ObjectWrite) []graph.ObjectResult {
	t.Helper()
	res, err := st.Write(context.Background(), objs, enrich)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fingerprint(t *testing.T, st Store) string {
	t.Helper()
	fp, err := st.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func stats(t *testing.T, st Store) trailhound.Stats {
	t.Helper()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func flow(line int, src, dst string, dport int, bytes int64) *trailhound.Flow {
	return &trailhound.Flow{Version: 2, AccountID: "111122223333", InterfaceID: "eni-0123456789abcdef0", SrcAddr: src, DstAddr: dst,
		SrcPort: 40000, DstPort: dport, Protocol: 6, Packets: 10, Bytes: bytes, Start: t0, End: t0.Add(time.Minute), Action: "ACCEPT", LogStatus: "OK", Line: line}
}

func storesAndCounts(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	res := write(t, st, object(t, "a", []*trailhound.APICall{call("e1", 1, 0, false), call("e2", 1, time.Minute, true), call("e3", 2, 2*time.Minute, false)},
		[]*trailhound.Finding{finding("f1", 0, 1)}, []*trailhound.Flow{flow(1, "10.0.0.5", "81.2.69.101", 443, 1000), flow(2, "10.0.0.5", "81.2.69.101", 443, 500)}))
	if res[0].Status != graph.StatusStored || res[0].New[trailhound.SourceCloudTrail] != 3 || res[0].New[trailhound.SourceGuardDuty] != 1 || res[0].New[trailhound.SourceVPCFlow] != 2 {
		t.Fatalf("result = %+v", res[0])
	}
	s := stats(t, st)
	if s.Objects != 1 || s.Events[trailhound.SourceCloudTrail] != 3 || s.Events[trailhound.SourceVPCFlow] != 2 || s.Events[trailhound.SourceGuardDuty] != 1 {
		t.Errorf("stats = %+v", s)
	}
	if s.Entities[trailhound.AwsUser] != 2 || s.Entities[trailhound.AccessKey] != 2 || s.Entities[trailhound.AutonomousSystem] != 1 || s.Entities[trailhound.FindingEntity] != 1 {
		t.Errorf("entities = %v", s.Entities)
	}
	if _, ok := s.Entities["Api"]; ok {
		t.Error("APIs are counted as entities")
	}
	byURI, err := st.KnownObjects(context.Background(), []string{"/logs/a", "/logs/unknown", "s3://b/it's, [odd]"})
	if err != nil {
		t.Fatal(err)
	}
	if sig, ok := byURI["/logs/a"]; !ok || sig.Size != 100 || !sig.ModTime.Equal(t0) || len(byURI) != 1 {
		t.Errorf("known objects = %v", byURI)
	}
	if none, err := st.KnownObjects(context.Background(), nil); err != nil || len(none) != 0 {
		t.Errorf("known objects of none = %v, %v", none, err)
	}
}

func duplicateContent(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	write(t, st, object(t, "a", []*trailhound.APICall{call("e1", 1, 0, false)}, nil, nil))
	before := fingerprint(t, st)
	copyOf := object(t, "copy-of-a", []*trailhound.APICall{call("e1", 1, 0, false)}, nil, nil)
	copyOf.SHA256 = "sha-a"
	res := write(t, st, copyOf)
	if res[0].Status != graph.StatusDuplicate {
		t.Errorf("copy: status %s, want %s", res[0].Status, graph.StatusDuplicate)
	}
	if fingerprint(t, st) != before {
		t.Error("a copy of a stored object changed the graph")
	}
	byURI, _ := st.KnownObjects(context.Background(), []string{"/logs/copy-of-a"})
	if _, ok := byURI["/logs/copy-of-a"]; !ok {
		t.Error("the copy is not remembered, so the next run reads it again")
	}
}

func duplicateEvents(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	write(t, st, object(t, "a", []*trailhound.APICall{call("e1", 1, 0, false), call("e2", 1, time.Minute, false)}, nil, nil))
	want := fingerprint(t, st)
	// Another trail delivers e2 again, together with the same e2 twice.
	res := write(t, st, object(t, "b", []*trailhound.APICall{call("e2", 1, time.Minute, false), call("e2", 1, time.Minute, false)}, nil, nil))
	if res[0].New[trailhound.SourceCloudTrail] != 0 || res[0].Duplicates != 2 {
		t.Errorf("result = %+v, want no new event and 2 duplicates", res[0])
	}
	if fingerprint(t, st) != want {
		t.Error("redelivered events changed the graph")
	}
	if n := stats(t, st).Events[trailhound.SourceCloudTrail]; n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
}

func findingVersions(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	write(t, st, object(t, "v1", nil, []*trailhound.Finding{finding("f1", 0, 1)}, nil))
	write(t, st, object(t, "v2", nil, []*trailhound.Finding{finding("f1", time.Hour, 5)}, nil))
	fp := fingerprint(t, st)
	res := write(t, st, object(t, "v2-again", nil, []*trailhound.Finding{finding("f1", time.Hour, 5)}, nil))
	if res[0].New[trailhound.SourceGuardDuty] != 0 {
		t.Errorf("a stored finding version was stored again: %+v", res[0])
	}
	if fingerprint(t, st) != fp {
		t.Error("a stored finding version changed the graph")
	}
	if n := stats(t, st).Events[trailhound.SourceGuardDuty]; n != 1 {
		t.Errorf("%d distinct findings, want 1", n)
	}
}

func skippedObjects(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	before := fingerprint(t, st)
	res := write(t, st, graph.ObjectWrite{URI: "/logs/digest", Key: "digest", Size: 10, ModTime: t0, SHA256: "sha-d", Source: trailhound.SourceCloudTrail, Reason: "CloudTrail digest file"})
	if res[0].Status != graph.StatusSkipped {
		t.Errorf("status %s, want %s", res[0].Status, graph.StatusSkipped)
	}
	if fingerprint(t, st) != before {
		t.Error("a skipped object changed the graph")
	}
	byURI, _ := st.KnownObjects(context.Background(), []string{"/logs/digest"})
	if _, ok := byURI["/logs/digest"]; !ok {
		t.Error("a skipped object is not remembered")
	}
}

func failedWriteChangesNothing(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	write(t, st, object(t, "a", []*trailhound.APICall{call("e1", 1, 0, false)}, nil, nil))
	before := fingerprint(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Write(ctx, []graph.ObjectWrite{object(t, "b", []*trailhound.APICall{call("e2", 2, 0, false)}, nil, nil)}, enrich)
	if err == nil {
		t.Fatal("a write with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("error: %v", err)
	}
	if fingerprint(t, st) != before {
		t.Error("a failed write changed the graph")
	}
	byURI, _ := st.KnownObjects(context.Background(), []string{"/logs/b"})
	if _, ok := byURI["/logs/b"]; ok {
		t.Error("the object of a failed write is recorded as stored")
	}
	// The store still takes writes.
	write(t, st, object(t, "b", []*trailhound.APICall{call("e2", 2, 0, false)}, nil, nil))
}

func groupingDoesNotMatter(t *testing.T, open func(t *testing.T) Store) {
	objs := func() []graph.ObjectWrite {
		return []graph.ObjectWrite{
			object(t, "a", []*trailhound.APICall{call("e1", 1, 0, false), call("e2", 2, 30*time.Minute, true)}, nil, []*trailhound.Flow{flow(1, "10.0.0.5", "81.2.69.101", 443, 10)}),
			object(t, "b", []*trailhound.APICall{call("e2", 2, 30*time.Minute, true), call("e3", 1, 2*time.Hour, false)}, []*trailhound.Finding{finding("f1", 0, 1)}, nil),
			object(t, "c", []*trailhound.APICall{call("e4", 3, 3*time.Hour, false)}, []*trailhound.Finding{finding("f1", time.Hour, 2)}, []*trailhound.Flow{flow(7, "10.0.0.5", "81.2.69.101", 443, 20)}),
		}
	}
	together := open(t)
	write(t, together, objs()...)
	apart := open(t)
	for _, o := range objs() {
		write(t, apart, o)
	}
	reversed := open(t)
	o := objs()
	for i := len(o) - 1; i >= 0; i-- {
		write(t, reversed, o[i])
	}
	a, b, c := fingerprint(t, together), fingerprint(t, apart), fingerprint(t, reversed)
	if a != b || a != c {
		t.Errorf("the graph depends on how objects were grouped into writes: %s %s %s", a[:8], b[:8], c[:8])
	}
}
