package duckdb_test

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
)

// dayRow is a flow_conn_days row without its number (rid), which depends
// on the order rows were first built in.
type dayRow struct {
	Day                                   int64
	Side                                  int8
	Key, Peer                             int64
	LP, RP, Protocol                      int64
	In                                    bool
	IB, OB, IP, OP, Acc, Rej, Rec, FS, LE int64
	Rank, Prev                            int64 // 0 when null
}

// TestFlowConnDays checks the daily connection rows against sums computed
// in Go from the hourly rows, after each of: a first build, a later day,
// a late object of a day in between (which changes the previous days of
// later rows), an entity reaching the threshold late, and a prune that
// splits a day. Each row's number is the same on every day and differs
// between rows. Readers are kept off days written since the last build.
func TestFlowConnDays(t *testing.T) {
	ctx := context.Background()
	old := duckdb.FlowConnHeavyRows
	duckdb.FlowConnHeavyRows = 40
	defer func() { duckdb.FlowConnHeavyRows = old }()
	st, err := duckdb.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.DB()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(7, 8))
	// object writes the flows of one day: the busy addresses talk to a
	// few peers on few ports, so that rows recur across days; quiet is
	// how many rows the quiet address gets.
	object := func(day, quiet int) graph.ObjectWrite {
		b := graph.NewBatch()
		line := 0
		add := func(src, dst string, sp, dp int, instance string, action string) {
			line++
			start := base.AddDate(0, 0, day).Add(time.Duration(rng.IntN(24*60)) * time.Minute)
			f := &trailhound.Flow{AccountID: "111122223333", InterfaceID: "eni-0a1b2c3d4e5f60001", InstanceID: instance, SrcAddr: src, DstAddr: dst,
				SrcPort: sp, DstPort: dp, Protocol: []int{6, 17}[rng.IntN(2)], Bytes: int64(rng.IntN(5000)), Packets: int64(1 + rng.IntN(9)),
				Start: start, End: start.Add(time.Minute), Action: action, LogStatus: "OK", Line: line}
			if err := b.Flow(f); err != nil {
				t.Fatal(err)
			}
		}
		for range 300 {
			local := fmt.Sprintf("10.0.1.%d", 10+rng.IntN(2))
			peer := fmt.Sprintf("203.0.113.%d", rng.IntN(6))
			instance := ""
			if rng.IntN(3) == 0 {
				instance = "i-0123456789abcdef0"
			}
			action := []string{"ACCEPT", "REJECT"}[rng.IntN(2)]
			if rng.IntN(2) == 0 {
				add(local, peer, 443, 40000+rng.IntN(8), instance, action)
			} else {
				add(peer, local, 40000+rng.IntN(8), []int{22, 443}[rng.IntN(2)], instance, action)
			}
		}
		for range quiet {
			add("10.0.2.9", fmt.Sprintf("198.51.100.%d", rng.IntN(3)), 53, 50000+rng.IntN(3), "", "ACCEPT")
		}
		name := fmt.Sprintf("d%d-%d", day, rng.IntN(1<<30))
		return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceVPCFlow, Batch: b}
	}
	enrich := func(ip string) graph.IPInfo { return graph.IPInfo{Class: "private"} }
	write := func(objs ...graph.ObjectWrite) {
		t.Helper()
		if _, err := st.Write(ctx, objs, enrich); err != nil {
			t.Fatal(err)
		}
	}
	dirty := func() (n int) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM flow_conn_dirty`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	heavy := map[[2]int64]bool{}
	check := func(step string) {
		t.Helper()
		if _, err := st.Optimize(ctx); err != nil {
			t.Fatal(err)
		}
		if n := dirty(); n != 0 {
			t.Fatalf("%s: %d days left changed", step, n)
		}
		want := expectedDays(t, st.DB(), heavy)
		got := map[dayRow]bool{}
		rids := map[[2]int64]map[int64]string{}
		rows, err := db.QueryContext(ctx, `SELECT day, side, key, peer_key, lp, rp, protocol, din, ib, ob, ip, op, acc, rej, rec, fs, le,
    coalesce(rk, 0), coalesce(prev, 0), rid FROM flow_conn_days`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r dayRow
			var rid int64
			if err := rows.Scan(&r.Day, &r.Side, &r.Key, &r.Peer, &r.LP, &r.RP, &r.Protocol, &r.In, &r.IB, &r.OB, &r.IP, &r.OP, &r.Acc, &r.Rej,
				&r.Rec, &r.FS, &r.LE, &r.Rank, &r.Prev, &rid); err != nil {
				t.Fatal(err)
			}
			got[r] = true
			ent := [2]int64{int64(r.Side), r.Key}
			if rids[ent] == nil {
				rids[ent] = map[int64]string{}
			}
			id := fmt.Sprint(r.Peer, r.LP, r.RP, r.Protocol, r.In)
			if prev, ok := rids[ent][rid]; ok && prev != id {
				t.Errorf("%s: entity %v numbers two rows %d: %s and %s", step, ent, rid, prev, id)
			}
			rids[ent][rid] = id
		}
		rows.Close()
		for ent, m := range rids {
			ids := map[string]bool{}
			for _, id := range m {
				if ids[id] {
					t.Errorf("%s: entity %v numbers row %s twice", step, ent, id)
				}
				ids[id] = true
			}
		}
		if len(want) < 50 {
			t.Fatalf("%s: only %d daily rows expected: the test data is too thin", step, len(want))
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("%s: daily rows differ (-want +got):\n%s", step, diff)
		}
	}

	write(object(0, 0), object(1, 0))
	if dirty() != 2 {
		t.Fatalf("%d days changed, want 2", dirty())
	}
	check("first build")
	write(object(3, 0))
	if dirty() != 1 {
		t.Fatalf("%d days changed, want 1", dirty())
	}
	check("a later day")
	write(object(2, 0))
	check("a day in between")
	// The quiet address reaches the threshold on day 4 only: all its
	// days are added.
	write(object(1, 5), object(4, 60))
	check("an entity reaching the threshold")
	if _, err := st.Prune(ctx, base.AddDate(0, 0, 1).Add(13*time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if dirty() != 1 {
		t.Fatalf("prune inside a day: %d days changed, want 1", dirty())
	}
	check("a prune inside a day")
	if _, err := st.Prune(ctx, base.AddDate(0, 0, 3), false); err != nil {
		t.Fatal(err)
	}
	if dirty() != 0 {
		t.Fatalf("prune at a day's start: %d days changed, want 0", dirty())
	}
	check("a prune at a day's start")
}

// expectedDays sums the hourly connection rows of the instance and local
// sides per day, as flow_conn_days should hold them for the entities with
// a day of at least the threshold's rows (which heavy remembers: an
// entity once held stays), ranked and linked in Go.
func expectedDays(t *testing.T, db *sql.DB, heavy map[[2]int64]bool) map[dayRow]bool {
	t.Helper()
	rows, err := db.Query(`SELECT epoch_ms(hour) // 1000, side, key, peer_key, local_port, remote_port, protocol, egress, action,
    bytes, packets, records, first_start, last_end FROM flow_conns WHERE side IN (0, 1)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type entDay struct {
		ent [2]int64
		day int64
	}
	counts := map[entDay]int64{}
	sums := map[dayRow]*dayRow{} // by the row's identity (day, entity, peer, ports, protocol, direction)
	for rows.Next() {
		var hour, key, peer, lp, rp, protocol, bytes, packets, records, first, last int64
		var side int8
		var egress bool
		var action string
		if err := rows.Scan(&hour, &side, &key, &peer, &lp, &rp, &protocol, &egress, &action, &bytes, &packets, &records, &first, &last); err != nil {
			t.Fatal(err)
		}
		day := hour / 86400
		counts[entDay{[2]int64{int64(side), key}, day}]++
		inbound := !egress
		din := inbound
		if lp != rp {
			service := min(lp, rp)
			if lp <= 0 {
				service = rp
			} else if rp <= 0 {
				service = lp
			}
			din = service == lp
		}
		id := dayRow{Day: day, Side: side, Key: key, Peer: peer, LP: lp, RP: rp, Protocol: protocol, In: din}
		r := sums[id]
		if r == nil {
			r = &dayRow{FS: first, LE: last}
			*r = id
			r.FS, r.LE = first, last
			sums[id] = r
		}
		if inbound {
			r.IB += bytes
			r.IP += packets
		} else {
			r.OB += bytes
			r.OP += packets
		}
		switch action {
		case "ACCEPT":
			r.Acc += records
		case "REJECT":
			r.Rej += records
		}
		r.Rec += records
		r.FS, r.LE = min(r.FS, first), max(r.LE, last)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for ed, n := range counts {
		if n >= duckdb.FlowConnHeavyRows {
			heavy[ed.ent] = true
		}
	}
	// Ranks per entity and day; previous days per row.
	byDay := map[entDay][]*dayRow{}
	byRow := map[dayRow][]*dayRow{}
	for _, r := range sums {
		ent := [2]int64{int64(r.Side), r.Key}
		if !heavy[ent] {
			continue
		}
		if r.Peer != 0 {
			byDay[entDay{ent, r.Day}] = append(byDay[entDay{ent, r.Day}], r)
		}
		id := dayRow{Side: r.Side, Key: r.Key, Peer: r.Peer, LP: r.LP, RP: r.RP, Protocol: r.Protocol, In: r.In}
		byRow[id] = append(byRow[id], r)
	}
	for _, list := range byDay {
		slices.SortFunc(list, func(a, b *dayRow) int {
			return cmp.Or(-cmp.Compare(a.IB, b.IB), cmp.Compare(a.Peer, b.Peer), cmp.Compare(a.LP, b.LP), cmp.Compare(a.RP, b.RP),
				cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(b2i(!a.In), b2i(!b.In)))
		})
		for i, r := range list {
			r.Rank = int64(i + 1)
		}
	}
	out := map[dayRow]bool{}
	for _, list := range byRow {
		slices.SortFunc(list, func(a, b *dayRow) int { return cmp.Compare(a.Day, b.Day) })
		for i, r := range list {
			if i > 0 {
				r.Prev = list[i-1].Day
			}
			out[*r] = true
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
