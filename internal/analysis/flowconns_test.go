package analysis_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestFlowDetailsPaths checks that the VPC flow details computed from the
// connection table equal, to the last field and in the same order, those
// computed from the archived records, which a store upgraded from before
// the table reads for the flows it ingested then: over the busiest and
// quietest instances and addresses of a generated organization, with
// every sort, the filters (the peer's address too), a bucket, row series
// and a finding. The volume panel's rows likewise equal those computed
// from the flows.
func TestFlowDetailsPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 5, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 6000, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	db := st.DB()

	// Entities: the instances, near-side addresses and far-side addresses
	// with the most and the fewest flow rows.
	var list []trailhound.EntityRef
	for _, q := range []string{
		`SELECT 'Ec2Instance', instance_id FROM flows WHERE instance_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 3`,
		`SELECT 'Ec2Instance', instance_id FROM flows WHERE instance_key <> 0 GROUP BY 2 ORDER BY count(*), 2 LIMIT 1`,
		`SELECT 'IpAddress', local_addr FROM flows WHERE local_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 3`,
		`SELECT 'IpAddress', remote_addr FROM flows WHERE remote_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 3`,
		`SELECT 'IpAddress', remote_addr FROM flows WHERE remote_key <> 0 GROUP BY 2 ORDER BY count(*), 2 LIMIT 2`,
	} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ns, id string
			if err := rows.Scan(&ns, &id); err != nil {
				t.Fatal(err)
			}
			list = append(list, trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id})
		}
		rows.Close()
	}
	var finding string
	if err := db.QueryRowContext(ctx, `SELECT min(id) FROM findings WHERE resource_type = 'Instance'`).Scan(&finding); err != nil {
		t.Fatal(err)
	}

	day := trailhound.Scope{Start: start.Unix(), End: start.Unix() + 86400}
	noon := strconv.FormatInt(start.Unix()+12*3600, 10)
	sets := []map[string]string{
		{},
		{"limit": "10000"},
		{"limit": "5"},
		{"direction": "inbound"},
		{"direction": "outbound", "protocol": "tcp"},
		{"protocol": "udp,icmp"},
		{"action": "reject"},
		{"localPort": "1024-65535", "limit": "50"},
		{"remotePort": "0-1023", "sort": "remotePort"},
		{"port": "22,443,3389"},
		{"servicePort": "443,53"},
		{"bucket": noon},
		{"annotate": finding},
		{"finding": finding},
		{"instance": "i-00000000000000000"},
		{"ip": "10.0.0.0/8"},
		{"ip": "10.0.0.0/8,192.168.0.0/16", "direction": "inbound"},
		{"notIp": "10.0.0.0/8"},
		{"ipClass": "public"},
		{"ipClass": "private,reserved", "sort": "peer", "limit": "20"},
		{"ipClass": "public", "bucket": noon},
	}
	for sort := range map[string]bool{"inbound": true, "outbound": true, "bytes": true, "packets": true, "records": true, "accepted": true,
		"rejected": true, "firstSeen": true, "lastSeen": true, "peer": true, "localPort": true, "remotePort": true, "protocol": true, "direction": true} {
		sets = append(sets, map[string]string{"sort": sort, "limit": "20"}, map[string]string{"sort": sort, "order": "asc", "limit": "20"})
	}

	type result struct {
		e      trailhound.EntityRef
		params map[string]string
		json   string
	}
	run := func() []result {
		var out []result
		for _, e := range list {
			for _, p := range sets {
				d := flowDetails(t, eng, e, day, p)
				if len(p) == 0 && len(d.Rows) > 0 {
					// The series of the first rows, over the same
					// query.
					var keys string
					for i, r := range d.Rows[:min(3, len(d.Rows))] {
						if i > 0 {
							keys += ","
						}
						keys += r.Key
					}
					sp := map[string]string{"series": keys}
					raw, _ := json.Marshal(flowDetails(t, eng, e, day, sp))
					out = append(out, result{e, sp, string(raw)})
				}
				raw, _ := json.Marshal(d)
				out = append(out, result{e, p, string(raw)})
			}
			// The volume panel's rows, which come from the same table.
			for _, p := range []map[string]string{nil, {"finding": finding}} {
				v, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowVolume, Start: day.Start, End: day.End, Params: p})
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := json.Marshal(v)
				out = append(out, result{e, map[string]string{"panel": "volume", "finding": p["finding"]}, string(raw)})
			}
		}
		return out
	}
	fromTable := run()
	withRows := 0
	for _, r := range fromTable {
		if len(r.json) > 600 {
			withRows++
		}
	}
	if withRows < len(fromTable)/2 {
		t.Fatalf("only %d of %d views hold rows: the test data is too thin", withRows, len(fromTable))
	}

	// The store as upgraded from before the connection table: every flow
	// so far is read from the archive.
	if _, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO store_state SELECT 'flow_conns.missing_through_object', max(object_id) FROM objects`); err != nil {
		t.Fatal(err)
	}
	fromRecords := run()
	if len(fromRecords) != len(fromTable) {
		t.Fatalf("%d views from the records, %d from the table", len(fromRecords), len(fromTable))
	}
	for i := range fromTable {
		if diff := cmp.Diff(fromRecords[i].json, fromTable[i].json); diff != "" {
			t.Errorf("%s %v: table differs from records (-records +table):\n%s", fromTable[i].e, fromTable[i].params, diff)
		}
	}
}

// TestFarSideGaps checks that an address's far side, read over the runs
// of hours in which its own interface logged nothing, gives the VPC flow
// details and volume that checking its rows hour by hour gives: for
// addresses with far-side rows both in hours their own interface logged
// and in others, over the day and over a window starting inside an hour.
func TestFarSideGaps(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 7, Days: 1, Start: start, EventsPerDay: 1000, FlowsPerDay: 4000, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	// Addresses whose own interface logged their traffic with other
	// monitored interfaces, which logged it too. Their own interface's
	// hourly rows are then dropped for some hours, as when its log
	// objects for those hours are missing: there the far side counts.
	rows, err := st.DB().QueryContext(ctx, `SELECT DISTINCT e.id, e.key FROM flows f JOIN entities e ON e.key = f.remote_key AND e.namespace = 'IpAddress'
WHERE f.remote_key IN (SELECT key FROM flow_hours WHERE side = 'local') ORDER BY e.id LIMIT 6`)
	if err != nil {
		t.Fatal(err)
	}
	var list []trailhound.EntityRef
	var keys []any
	for rows.Next() {
		var id string
		var key int64
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		list = append(list, trailhound.EntityRef{Type: trailhound.IPAddress, ID: id})
		keys = append(keys, key)
	}
	rows.Close()
	if len(list) < 2 {
		t.Fatalf("%d addresses logged on both sides: the test data is too thin", len(list))
	}
	for _, k := range keys {
		if _, err := st.DB().ExecContext(ctx, `DELETE FROM flow_hours WHERE side = 'local' AND key = ? AND (hour(hour) BETWEEN 2 AND 4 OR hour(hour) IN (10, 23))`, k); err != nil {
			t.Fatal(err)
		}
	}
	scopes := []trailhound.Scope{{Start: start.Unix(), End: start.Unix() + 86400}, {Start: start.Unix() + 5400, End: start.Unix() + 20*3600}}
	run := func() []string {
		var out []string
		for _, e := range list {
			for _, s := range scopes {
				for _, p := range []map[string]string{nil, {"sort": "peer", "order": "asc"}, {"direction": "inbound"}} {
					raw, _ := json.Marshal(flowDetails(t, eng, e, s, p))
					out = append(out, string(raw))
				}
				v, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowVolume, Start: s.Start, End: s.End})
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := json.Marshal(v)
				out = append(out, string(raw))
			}
		}
		return out
	}
	byGaps := run()
	restore := analysis.CheckFarSideHourly()
	hourly := run()
	restore()
	for i := range byGaps {
		if diff := cmp.Diff(hourly[i], byGaps[i]); diff != "" {
			t.Errorf("view %d (%s): (-hourly +by gaps):\n%s", i, list[i/(len(scopes)*4)], diff)
		}
	}
}

// TestFlowDetailsByDay checks that the VPC flow details of busy entities
// over days, answered from their daily rows (the top rows by a threshold
// algorithm, the row count by each row's previous day), equal those
// grouped from the hourly rows, to the last field and in the same order:
// over whole days and over windows with partial days at either end (more
// or fewer of their hours allowed), with limits small and large, reading
// each day's rows deep enough to settle and too shallow to (when the
// hourly rows answer instead). Most views must be answered by the daily
// rows, and some must not settle.
func TestFlowDetailsByDay(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	old := duckdb.FlowConnHeavyRows
	duckdb.FlowConnHeavyRows = 100
	defer func() { duckdb.FlowConnHeavyRows = old }()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 9, Days: 4, Start: start, EventsPerDay: 1000, FlowsPerDay: 5000, Scenarios: synth.AllScenarios()})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	db := st.DB()

	// The entities held by day (the busiest) and a few that are not.
	var list []trailhound.EntityRef
	var held int
	for _, q := range []string{
		`SELECT CASE side WHEN 0 THEN 'Ec2Instance' ELSE 'IpAddress' END, n.id, true FROM flow_conn_heavy h JOIN (SELECT DISTINCT key, id FROM entities) n USING (key)
ORDER BY side, n.id LIMIT 8`,
		`SELECT 'IpAddress', local_addr, false FROM flows WHERE local_key <> 0 AND local_key NOT IN (SELECT key FROM flow_conn_heavy) GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 2`,
	} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ns, id string
			var heavy bool
			if err := rows.Scan(&ns, &id, &heavy); err != nil {
				t.Fatal(err)
			}
			list = append(list, trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id})
			if heavy {
				held++
			}
		}
		rows.Close()
	}
	if held < 4 {
		t.Fatalf("only %d entities held by day: the test data is too thin", held)
	}

	s := start.Unix()
	const h, d = 3600, 86400
	windows := []trailhound.Scope{
		{Start: s, End: s + 4*d},              // whole days
		{Start: s + d, End: s + 2*d},          // one day
		{Start: s + 21*h, End: s + 3*d + 2*h}, // partial days at both ends
		{Start: s + 2*h, End: s + 2*d},        // at the start
		{Start: s + d, End: s + 3*d + 5*h},    // at the end
		{Start: s + 20*h, End: s + 2*d + 4*h}, // too many partial hours
		{Start: s + 3*h, End: s + 20*h},       // no whole day
	}
	sets := []map[string]string{{}, {"limit": "5"}, {"limit": "60"}, {"limit": "10000"}}
	run := func() []string {
		var out []string
		for _, c := range []struct {
			depth int
			edge  int64
		}{{1, 6}, {10, 6}, {10, 2}} {
			restore := analysis.SetFlowDayDepth(c.depth, c.edge)
			for _, e := range list {
				for _, w := range windows {
					for _, p := range sets {
						raw, _ := json.Marshal(flowDetails(t, eng, e, w, p))
						out = append(out, string(raw))
					}
				}
			}
			restore()
		}
		return out
	}
	answered0, unsettled0 := analysis.FlowDayStats()
	byDay := run()
	answered, unsettled := analysis.FlowDayStats()
	answered, unsettled = answered-answered0, unsettled-unsettled0
	// At most every view of a held entity over a window with a whole day
	// and few enough partial hours (4 sets; 4 windows at the first two
	// settings, 2 at the last; an address whose own interface did not log
	// every hour is read by the hour).
	if most := int64(held * 4 * (4 + 4 + 2)); answered+unsettled > most || unsettled == 0 || answered < most/2 {
		t.Errorf("daily rows answered %d views and did not settle %d, want at most %d in all, most answered and some not", answered, unsettled, most)
	}

	// The same views from the hourly rows: every day marked changed.
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO flow_conn_dirty SELECT DISTINCT day FROM flow_conn_days`); err != nil {
		t.Fatal(err)
	}
	byHour := run()
	if a, _ := analysis.FlowDayStats(); a != answered0+answered {
		t.Fatal("the daily rows answered with every day changed")
	}
	withRows := 0
	for i := range byDay {
		if len(byDay[i]) > 600 {
			withRows++
		}
		if diff := cmp.Diff(byHour[i], byDay[i]); diff != "" {
			t.Errorf("view %d: daily rows differ from hourly ones (-hourly +daily):\n%s", i, diff)
		}
	}
	if withRows < len(byDay)/2 {
		t.Fatalf("only %d of %d views hold rows: the test data is too thin", withRows, len(byDay))
	}
}

// TestFlowDayThreshold: a connection steady over days that is never in a
// day's top rows can still lead the window; the daily rows must then not
// settle the top rows from the days' tops, and the view equals the hourly
// rows' whatever how deep the days are read.
func TestFlowDayThreshold(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	b := graph.NewBatch()
	line := 0
	flow := func(day int, peer string, port int, bytes int64) {
		line++
		at := start.AddDate(0, 0, day).Add(time.Duration(line) * time.Minute)
		f := &trailhound.Flow{AccountID: "111122223333", InterfaceID: "eni-0a1b2c3d4e5f60001", InstanceID: "i-0123456789abcdef0",
			SrcAddr: peer, DstAddr: "10.0.0.5", SrcPort: port, DstPort: 443, Protocol: 6, Bytes: bytes, Packets: 1,
			Start: at, End: at.Add(time.Minute), Action: "ACCEPT", LogStatus: "OK", Line: line}
		if err := b.Flow(f); err != nil {
			t.Fatal(err)
		}
	}
	for day := range 3 {
		flow(day, "198.51.100.7", 40000, 100)                              // steady: 300 in all, second each day
		flow(day, "203.0.113."+strconv.Itoa(day+1), 41000+day, 150)        // each day's top, 150 in all
		flow(day, "192.0.2."+strconv.Itoa(day+1), 42000+day, int64(day+1)) // small
	}
	st := flowDayStore(t, b)
	eng := analysis.New(st.DB(), analysis.Options{})
	inst := trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: "i-0123456789abcdef0"}
	window := trailhound.Scope{Start: start.Unix(), End: start.Unix() + 3*86400}
	for _, depth := range []int{1, 2, 10} {
		restore := analysis.SetFlowDayDepth(depth, 6)
		for _, limit := range []string{"1", "2", "4"} {
			a0, _ := analysis.FlowDayStats()
			d := flowDetails(t, eng, inst, window, map[string]string{"limit": limit})
			a1, _ := analysis.FlowDayStats()
			if d.TotalRows != 7 || len(d.Rows) == 0 || d.Rows[0].Peer.ID != "198.51.100.7" || d.Rows[0].InboundBytes != 300 {
				t.Errorf("depth %d, limit %s: %d rows, first %+v; want 7, the steady connection's 300 bytes first", depth, limit, d.TotalRows, d.Rows)
			}
			// Read deep enough (every day's rows), the days answer.
			if depth == 10 && a1 == a0 {
				t.Errorf("depth %d, limit %s: the daily rows did not answer", depth, limit)
			}
		}
		restore()
	}
}

// TestFlowDayCounts: connections that recur hour after hour and day after
// day (few peers and ports), viewed over random windows with partial days
// at either end, give the same details from the daily rows as from the
// hourly ones: the row count's terms for rows of the partial days also
// in the whole days, in both partial days, or only in one, are all
// exercised.
func TestFlowDayCounts(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	b := graph.NewBatch()
	line := 0
	for hour := range 5 * 24 {
		for range 12 {
			line++
			at := start.Add(time.Duration(hour)*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
			peer := "198.51.100." + strconv.Itoa(1+rng.IntN(4))
			src, dst, sp, dp := peer, "10.0.0.5", 40000+rng.IntN(5), []int{22, 443}[rng.IntN(2)]
			if rng.IntN(3) == 0 {
				src, dst = dst, src
			}
			f := &trailhound.Flow{AccountID: "111122223333", InterfaceID: "eni-0a1b2c3d4e5f60001", InstanceID: "i-0123456789abcdef0",
				SrcAddr: src, DstAddr: dst, SrcPort: sp, DstPort: dp, Protocol: 6, Bytes: int64(1 + rng.IntN(3000)), Packets: 1,
				Start: at, End: at.Add(time.Minute), Action: []string{"ACCEPT", "REJECT"}[rng.IntN(2)], LogStatus: "OK", Line: line}
			if err := b.Flow(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := flowDayStore(t, b)
	db := st.DB()
	eng := analysis.New(db, analysis.Options{})
	restore := analysis.SetFlowDayDepth(10, 24)
	defer restore()
	var windows []trailhound.Scope
	for range 40 {
		s := start.Unix() + int64(rng.IntN(24*3))*3600
		windows = append(windows, trailhound.Scope{Start: s, End: s + int64(24+rng.IntN(48))*3600})
	}
	ents := []trailhound.EntityRef{{Type: trailhound.Ec2Instance, ID: "i-0123456789abcdef0"}, {Type: trailhound.IPAddress, ID: "10.0.0.5"}}
	run := func() []string {
		var out []string
		for _, e := range ents {
			for _, w := range windows {
				for _, limit := range []string{"3", "1000"} {
					raw, _ := json.Marshal(flowDetails(t, eng, e, w, map[string]string{"limit": limit}))
					out = append(out, string(raw))
				}
			}
		}
		return out
	}
	a0, _ := analysis.FlowDayStats()
	byDay := run()
	a1, _ := analysis.FlowDayStats()
	if a1-a0 < int64(len(byDay)/2) {
		t.Fatalf("the daily rows answered %d of %d views", a1-a0, len(byDay))
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO flow_conn_dirty SELECT DISTINCT day FROM flow_conn_days`); err != nil {
		t.Fatal(err)
	}
	byHour := run()
	for i := range byDay {
		if diff := cmp.Diff(byHour[i], byDay[i]); diff != "" {
			t.Errorf("view %d: daily rows differ from hourly ones (-hourly +daily):\n%s", i, diff)
		}
	}
}

// flowDayStore stores the flows of b as one object in a new store whose
// every entity's days are kept by day, built.
func flowDayStore(t *testing.T, b *graph.Batch) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	old := duckdb.FlowConnHeavyRows
	duckdb.FlowConnHeavyRows = 1
	t.Cleanup(func() { duckdb.FlowConnHeavyRows = old })
	st, err := duckdb.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	objs := []graph.ObjectWrite{{URI: "/logs/f", Key: "f", Size: 1, SHA256: "sha-f", Source: trailhound.SourceVPCFlow, Batch: b}}
	if _, err := st.Write(ctx, objs, func(string) graph.IPInfo { return graph.IPInfo{Class: "public"} }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
