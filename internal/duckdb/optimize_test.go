package duckdb_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
)

// TestOptimize: rewriting the entities and addresses in key order, the
// flows by day and far side, the connections by day, side and key, and
// the hourly flow bytes by side and key, and the relationships by kind
// and source, changes
// nothing a query can see (the store's fingerprint, the tables'
// definitions), merges each entity's observations into one row, is not
// repeated when nothing was written since, and later writes are read
// together with the rewritten rows.
func TestOptimize(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	object := func(n int) graph.ObjectWrite {
		b := graph.NewBatch()
		for i := range 20 {
			c := &trailhound.APICall{EventID: fmt.Sprintf("e%d-%d", n, i), Time: time.Date(2026, 11, 1, n, i, 0, 0, time.UTC),
				Source: "iam.amazonaws.com", Name: "ListUsers", SourceIP: fmt.Sprintf("198.51.100.%d", i%7+n),
				Identity: trailhound.Identity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDAEXAMPLE%d", i%3), AccountID: "111122223333"}}
			if err := b.APICall(c); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 6 {
			// Flows of two days with far sides in no particular order.
			start := time.Date(2026, 11, 1+i%2, n, 0, 0, 0, time.UTC)
			// Two local addresses, one of them an instance's at times.
			f := &trailhound.Flow{AccountID: "111122223333", InterfaceID: "eni-0a1b2c3d4e5f60001", SrcAddr: fmt.Sprintf("10.0.1.%d", 25+i/2%2),
				DstAddr: fmt.Sprintf("203.0.113.%d", (i*37+n*11)%250), SrcPort: 40000 + i, DstPort: 443, Protocol: 6,
				Bytes: int64(100 * (i + 1)), Packets: 1, Start: start, End: start.Add(time.Minute), Action: "ACCEPT", LogStatus: "OK", Line: i + 1}
			if i%3 == 0 {
				f.InstanceID = "i-0123456789abcdef0"
			}
			if err := b.Flow(f); err != nil {
				t.Fatal(err)
			}
		}
		if n == 0 {
			// A record without times: its row has no hour, and is kept.
			f := &trailhound.Flow{AccountID: "111122223333", InterfaceID: "eni-0a1b2c3d4e5f60001", SrcAddr: "10.0.1.25", DstAddr: "203.0.113.9",
				SrcPort: 40100, DstPort: 443, Protocol: 6, Bytes: 7, Packets: 1, Action: "ACCEPT", LogStatus: "OK", Line: 7}
			if err := b.Flow(f); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("o%d", n)
		return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceCloudTrail, Batch: b}
	}
	enrich := func(ip string) graph.IPInfo { return graph.IPInfo{Class: "public", Country: "US", ASN: 64500} }
	for n := range 4 {
		if _, err := st.Write(ctx, []graph.ObjectWrite{object(n)}, enrich); err != nil {
			t.Fatal(err)
		}
	}
	db := st.DB()
	count := func(q string) (n int64) {
		t.Helper()
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ddl := func() (out []string) {
		rows, err := db.QueryContext(ctx, `SELECT sql FROM duckdb_tables() WHERE table_name IN ('entities', 'ip_info') ORDER BY table_name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	before, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defs := ddl()
	observations, distinct := count(`SELECT count(*) FROM entities`), count(`SELECT count(*) FROM (SELECT DISTINCT key, namespace, id FROM entities)`)
	if count(`SELECT count(*) FROM flows WHERE hour IS NULL`) != 1 || count(`SELECT count(DISTINCT date_trunc('day', hour)) FROM flows`) != 2 {
		t.Fatal("test data should hold flows of two days and one without an hour")
	}
	if observations <= distinct {
		t.Fatalf("test data should observe entities more than once: %d rows, %d entities", observations, distinct)
	}

	res, err := st.Optimize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 6 || res.Tables[0].Name != "entities" || res.Tables[0].Before != observations || res.Tables[0].After != distinct ||
		res.Tables[2].Name != "edges" || res.Tables[2].Before != res.Tables[2].After ||
		res.Tables[3].Name != "flows" || res.Tables[3].Before != res.Tables[3].After ||
		res.Tables[4].Name != "flow_conns" || res.Tables[4].Before != res.Tables[4].After ||
		res.Tables[5].Name != "flow_hours" || res.Tables[5].Before != res.Tables[5].After {
		t.Fatalf("optimize %+v, want entities %d → %d, ip_info, edges, flows, flow_conns and flow_hours", res, observations, distinct)
	}
	after, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Error("the rewrite changed what the store holds")
	}
	if n := count(`SELECT count(*) FROM flows WHERE hour IS NULL`); n != 1 {
		t.Errorf("%d flows without an hour after the rewrite, want 1", n)
	}
	if got := ddl(); !slices.Equal(got, defs) {
		t.Errorf("definitions changed:\n%q\n%q", got, defs)
	}
	for _, table := range []string{"entities", "ip_info"} {
		rows, err := db.QueryContext(ctx, `SELECT key FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		var keys []int64
		for rows.Next() {
			var k int64
			rows.Scan(&k)
			keys = append(keys, k)
		}
		rows.Close()
		if !slices.IsSorted(keys) {
			t.Errorf("%s not in key order", table)
		}
	}
	// ordered reads q's rows in storage order and reports how many there
	// are and whether they are in ascending order of their columns.
	ordered := func(q string) (int, bool) {
		t.Helper()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var prev []any
		n, sorted := 0, true
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if prev != nil && compareRow(prev, vals) > 0 {
				sorted = false
			}
			prev, n = vals, n+1
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return n, sorted
	}
	for _, c := range []struct {
		query, order string
		min          int
	}{
		// Rows without an hour last.
		{`SELECT coalesce(epoch(date_trunc('day', hour))::BIGINT, 9223372036854775807), remote_key FROM flows`, "flows, not in day and far-side order", 10},
		{`SELECT epoch(date_trunc('day', hour))::BIGINT, side, key FROM flow_conns`, "connections, not in day, side and key order", 10},
		{`SELECT kind, src, epoch(hour)::BIGINT FROM edges`, "relationships, not in kind, source and hour order", 10},
		{`SELECT side, key, epoch(hour)::BIGINT FROM flow_hours`, "hourly flow rows, not in side, key and hour order", 4},
	} {
		if n, sorted := ordered(c.query); n < c.min || !sorted {
			t.Errorf("%d %s", n, c.order)
		}
	}
	if res, err := st.Optimize(ctx); err != nil || len(res.Tables) != 0 {
		t.Errorf("second optimize rewrote %+v (%v)", res.Tables, err)
	}

	// A later write lands after the ordered rows and is merged on read.
	if _, err := st.Write(ctx, []graph.ObjectWrite{object(5)}, enrich); err != nil {
		t.Fatal(err)
	}
	var first, last time.Time
	if err := db.QueryRowContext(ctx, `SELECT min(first_seen), max(last_seen) FROM entities WHERE namespace = 'AwsUser' AND id = 'AIDAEXAMPLE0'`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if first.Hour() != 0 || last.Hour() != 5 {
		t.Errorf("user seen %v to %v, want hours 0 to 5", first, last)
	}
	if res, err := st.Optimize(ctx); err != nil || len(res.Tables) != 6 {
		t.Errorf("optimize after a write: %+v (%v)", res.Tables, err)
	}
	if n := count(`SELECT count(*) - count(DISTINCT (key, namespace, id)) FROM entities`); n != 0 {
		t.Errorf("%d entities still have several rows", n)
	}
}

// compareRow compares two rows of integers and strings column by column.
func compareRow(a, b []any) int {
	for i := range a {
		var c int
		switch x := a[i].(type) {
		case string:
			c = strings.Compare(x, b[i].(string))
		default:
			c = cmp.Compare(asInt(x), asInt(b[i]))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	panic(fmt.Sprintf("unexpected %T in an ordered column", v))
}
