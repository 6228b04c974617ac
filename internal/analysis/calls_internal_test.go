package analysis

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestCallsFromMatchesEvents: for windows aligned on hours or not, shorter
// than an hour, inside one hour, across days, empty, and beyond the data,
// the calls callsFrom yields, grouped by every key, are the events of the
// window counted directly.
func TestCallsFromMatchesEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, _ := analysistest.Organization(t, synth.Config{Seed: 3, Days: 2, Start: start, EventsPerDay: 3000, FlowsPerDay: 100})
	e := New(st.DB(), Options{})
	ctx := context.Background()
	t0 := start.Unix()
	windows := [][2]int64{
		{t0, t0 + 2*Day},                          // whole hours only
		{t0 + 60, t0 + 2*Day - 60},                // partial hours at both ends
		{t0 + 10*Hour, t0 + 10*Hour + 1800},       // inside one hour, from its start
		{t0 + 10*Hour + 900, t0 + 10*Hour + 2700}, // inside one hour
		{t0 + 10*Hour + 2700, t0 + 11*Hour + 900}, // across an hour boundary, no whole hour
		{t0 + 5*Hour + 1, t0 + 30*Hour},           // partial start, aligned end
		{t0 + 5*Hour, t0 + 30*Hour + 59},          // aligned start, partial end
		{t0 - 45*Day, t0 + 3*Hour + 7},            // a baseline reaching before the data
		{t0 + 3*Day, t0 + 4*Day},                  // after the data
	}
	const direct = `SELECT principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
CASE WHEN ip_key = 0 THEN coalesce(source_ip, '') ELSE '' END, count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed),
min(event_time), max(event_time)
FROM events WHERE event_time >= make_timestamp(CAST(? AS BIGINT) * 1000000) AND event_time < make_timestamp(CAST(? AS BIGINT) * 1000000)
GROUP BY ALL ORDER BY ALL`
	dump := func(q string, args ...any) string {
		rows, err := st.DB().QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		vals := make([]any, 13)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	nonEmpty := 0
	for _, w := range windows {
		from, args := e.callsFrom(w[0], w[1])
		got := dump(`SELECT principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key, ip_text,
sum(success), sum(failure), min(first_time), max(last_time) FROM `+from+` GROUP BY ALL ORDER BY ALL`, args...)
		want := dump(direct, w[0], w[1])
		if got != want {
			t.Errorf("window %d..%d: calls differ from the events:\n got %.1500s\nwant %.1500s", w[0]-t0, w[1]-t0, got, want)
		}
		if want != "" {
			nonEmpty++
		}
	}
	if nonEmpty < len(windows)-1 {
		t.Errorf("only %d windows held calls", nonEmpty)
	}
}

// TestFlowVolumeRowLimit: past the row limit the vpc-flow-volume panel
// keeps the largest rows, says how many there were, and its series and
// totals still count every flow.
func TestFlowVolumeRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, truth, st, _ := analysistest.Organization(t, synth.Config{Seed: 5, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 4000})
	e := New(st.DB(), Options{})
	ctx := context.Background()
	var inst string
	if err := st.DB().QueryRowContext(ctx, `SELECT instance_id FROM flows WHERE instance_id LIKE 'i-%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&inst); err != nil {
		t.Fatal(err)
	}
	ref := trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: inst}
	scope := trailhound.Scope{Start: truth.Start.Unix(), End: truth.End.Unix()}
	full, err := e.Panel(ctx, PanelRequest{Entity: ref, Panel: PanelVPCFlowVolume, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	all := full.(*VPCFlowVolume)
	if all.Truncated || all.TotalRows != len(all.Rows) || len(all.Rows) < 5 {
		t.Fatalf("untruncated panel: %d rows, total %d, truncated %v", len(all.Rows), all.TotalRows, all.Truncated)
	}
	defer func(n int) { flowVolumeMaxRows = n }(flowVolumeMaxRows)
	flowVolumeMaxRows = 3
	cut, err := e.Panel(ctx, PanelRequest{Entity: ref, Panel: PanelVPCFlowVolume, Start: scope.Start, End: scope.End})
	if err != nil {
		t.Fatal(err)
	}
	part := cut.(*VPCFlowVolume)
	if !part.Truncated || part.TotalRows != all.TotalRows || len(part.Rows) != 3 {
		t.Fatalf("truncated panel: %d rows, total %d, truncated %v", len(part.Rows), part.TotalRows, part.Truncated)
	}
	for i := range part.Rows {
		if !reflect.DeepEqual(part.Rows[i], all.Rows[i]) {
			t.Errorf("row %d: %+v, want the largest %+v", i, part.Rows[i], all.Rows[i])
		}
	}
	if part.Totals != all.Totals || fmt.Sprint(part.Buckets) != fmt.Sprint(all.Buckets) {
		t.Error("the series or totals changed with the row limit")
	}
}

// TestNamesCache: names answers from its cache until the store writes
// entities, then reads them again.
func TestNamesCache(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, truth, st, _ := analysistest.Organization(t, synth.Config{Seed: 9, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 100})
	e := New(st.DB(), Options{})
	ctx := context.Background()
	acct := trailhound.EntityRef{Type: trailhound.AwsAccount, ID: truth.Accounts[0].ID}
	key := acct.Key()
	first, err := e.names(ctx, map[int64]bool{key: true})
	if err != nil || first[key].Ref != acct {
		t.Fatalf("names: %+v %v", first, err)
	}
	if _, ok := e.cache.rows[key]; !ok {
		t.Fatal("the name was not cached")
	}
	// A later call by the account moves its last sighting.
	later := truth.End.Add(48 * time.Hour)
	b := graph.NewBatch()
	if err := b.APICall(&trailhound.APICall{EventID: "cache-test", Time: later, Source: "sts.amazonaws.com", Name: "GetCallerIdentity",
		Identity: trailhound.Identity{Type: "AWSAccount", PrincipalID: acct.ID, AccountID: acct.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(ctx, []graph.ObjectWrite{{URI: "/logs/x", Key: "x", Size: 1, SHA256: "sha-x", Source: trailhound.SourceCloudTrail, Batch: b}}, nil); err != nil {
		t.Fatal(err)
	}
	again, err := e.names(ctx, map[int64]bool{key: true})
	if err != nil {
		t.Fatal(err)
	}
	if !again[key].LastSeen.Equal(later) {
		t.Errorf("last seen %v after the write, want %v", again[key].LastSeen, later)
	}
}

// TestLabelPrefersName: a finding knows the user it names by id only; the
// user's own calls give its name. Whichever is written first, and before
// or after the entities are rewritten in key order, the entity is named.
func TestLabelPrefersName(t *testing.T) {
	ctx := context.Background()
	user := trailhound.EntityRef{Type: trailhound.AwsUser, ID: "AIDAEXAMPLEZZZZ00001"}
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	finding := func() graph.ObjectWrite {
		b := graph.NewBatch()
		f := &trailhound.Finding{ID: "f-label", UpdatedAt: at, CreatedAt: at, AccountID: "111122223333", Type: "Recon:IAMUser/MaliciousIPCaller",
			Entities: []trailhound.EntityRef{user}, Raw: []byte(`{"id":"f-label"}`)}
		if err := b.Finding(f); err != nil {
			t.Fatal(err)
		}
		return graph.ObjectWrite{URI: "/logs/f", Key: "f", Size: 1, SHA256: "sha-f", Source: trailhound.SourceGuardDuty, Batch: b}
	}
	call := func() graph.ObjectWrite {
		b := graph.NewBatch()
		if err := b.APICall(&trailhound.APICall{EventID: "e-label", Time: at, Source: "iam.amazonaws.com", Name: "ListUsers",
			Identity: trailhound.Identity{Type: "IAMUser", PrincipalID: user.ID, AccountID: "111122223333", UserName: "<b>zed</b>"}}); err != nil {
			t.Fatal(err)
		}
		return graph.ObjectWrite{URI: "/logs/c", Key: "c", Size: 1, SHA256: "sha-c", Source: trailhound.SourceCloudTrail, Batch: b}
	}
	for _, c := range []struct {
		order []func() graph.ObjectWrite
		one   bool // both objects in one write
	}{{[]func() graph.ObjectWrite{finding, call}, false}, {[]func() graph.ObjectWrite{call, finding}, false},
		{[]func() graph.ObjectWrite{finding, call}, true}, {[]func() graph.ObjectWrite{call, finding}, true}} {
		st, err := duckdb.Open(ctx, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var objs []graph.ObjectWrite
		for _, o := range c.order {
			objs = append(objs, o())
			if !c.one {
				if _, err := st.Write(ctx, objs, nil); err != nil {
					t.Fatal(err)
				}
				objs = nil
			}
		}
		if c.one {
			if _, err := st.Write(ctx, objs, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, optimized := range []bool{false, true} {
			if optimized {
				if _, err := st.Optimize(ctx); err != nil {
					t.Fatal(err)
				}
			}
			ent, err := New(st.DB(), Options{}).lookup(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			if ent.Label != "<b>zed</b>" {
				t.Errorf("one write %v, optimized %v: label %q, want the user's name", c.one, optimized, ent.Label)
			}
		}
		st.Close()
	}
}
