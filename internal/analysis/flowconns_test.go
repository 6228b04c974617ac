package analysis_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
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
