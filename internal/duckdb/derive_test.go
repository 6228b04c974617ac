package duckdb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/graph"
)

// referenceHourly computes the hourly relationships of every write from the
// stored events in SQL: the definition the counts kept with the edges must
// match.
const referenceHourly = `
WITH ev AS (
    SELECT principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
           date_trunc('hour', event_time) AS hour, event_time, failed, batch_id
    FROM events
),
actors AS (
    SELECT unnest([principal_key, role_key, account_key]) AS actor, * FROM ev
),
pairs AS (
    SELECT 'used_ip' AS kind, actor AS src, ip_key AS dst, hour, event_time, failed, batch_id FROM actors
    UNION ALL SELECT 'used_user_agent', actor, ua_key, hour, event_time, failed, batch_id FROM actors
    UNION ALL SELECT 'called_api', actor, api_key, hour, event_time, failed, batch_id FROM actors
    UNION ALL SELECT 'used_access_key', actor, access_key_key, hour, event_time, failed, batch_id FROM actors
    UNION ALL SELECT 'acted_on_bucket', actor, bucket_key, hour, event_time, failed, batch_id FROM actors
    UNION ALL SELECT 'ip_user_agent', ip_key, ua_key, hour, event_time, failed, batch_id FROM ev
    UNION ALL SELECT 'called_api', ip_key, api_key, hour, event_time, failed, batch_id FROM ev
    UNION ALL SELECT 'called_api', ua_key, api_key, hour, event_time, failed, batch_id FROM ev
    UNION ALL SELECT 'called_api', access_key_key, api_key, hour, event_time, failed, batch_id FROM ev
)
SELECT kind, src, dst, hour, count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed),
       min(event_time), max(event_time), batch_id
FROM pairs WHERE src <> 0 AND dst <> 0 AND src <> dst
GROUP BY ALL ORDER BY ALL`

const storedHourly = `
SELECT kind, src, dst, hour, success, failure, first_seen, last_seen, batch_id
FROM edges WHERE event_id IS NULL AND success + failure > 0 ORDER BY ALL`

// TestHourlyMatchesEvents writes objects with duplicates inside an object,
// across objects of a write and across writes, and checks the hourly
// relationships against the stored events: each event counts once.
func TestHourlyMatchesEvents(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 9, 58, 0, 0, time.UTC)
	call := func(n int) *trailhound.APICall {
		c := &trailhound.APICall{
			EventID: fmt.Sprintf("e%d", n), Time: t0.Add(time.Duration(n) * 37 * time.Second).Add(time.Duration(n) * 1234567),
			Source: "s3.amazonaws.com", Name: []string{"GetObject", "PutObject", "ListBuckets"}[n%3], Type: "AwsApiCall",
			RecipientAccount: "111122223333", SourceIP: fmt.Sprintf("81.2.69.%d", n%4), UserAgent: fmt.Sprintf("agent-%d", n%3),
			RequestParameters: []byte(fmt.Sprintf(`{"bucketName":"b%d"}`, n%2)),
		}
		switch n % 4 {
		case 0:
			c.Identity = trailhound.Identity{Type: "IAMUser", PrincipalID: "AIDAUSER1", AccountID: "111122223333", UserName: "u1", AccessKeyID: "AKIA1"}
		case 1:
			c.Identity = trailhound.Identity{Type: "AssumedRole", PrincipalID: "AROAROLE:sess", AccountID: "111122223333",
				ARN: "arn:aws:sts::111122223333:assumed-role/r/sess", IssuerPrincipalID: "AROAROLE", AccessKeyID: "ASIA1"}
		case 2:
			c.Identity = trailhound.Identity{Type: "Root", AccountID: "111122223333"}
		default:
			c.Identity = trailhound.Identity{Type: "AWSService"}
		}
		if n%5 == 0 {
			c.ErrorCode = "AccessDenied"
		}
		return c
	}
	object := func(name string, ids ...int) graph.ObjectWrite {
		b := graph.NewBatch()
		for _, n := range ids {
			if err := b.APICall(call(n)); err != nil {
				t.Fatal(err)
			}
		}
		return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceCloudTrail, Batch: b}
	}
	seq := func(from, to int) []int {
		var s []int
		for n := from; n < to; n++ {
			s = append(s, n)
		}
		return s
	}
	writes := [][]graph.ObjectWrite{
		{object("a", seq(0, 200)...), object("b", seq(150, 260)...)},
		{object("c", append(seq(250, 400), 300, 301)...), object("d", seq(400, 500)...)},
		{object("e", seq(450, 600)...)},
	}
	for _, objs := range writes {
		if _, err := st.Write(ctx, objs, nil); err != nil {
			t.Fatal(err)
		}
	}
	want, got := dump(t, st, referenceHourly), dump(t, st, storedHourly)
	if want == "" {
		t.Fatal("no relationships derived")
	}
	if got != want {
		t.Errorf("hourly relationships differ from the events:\n got %.2000s\nwant %.2000s", got, want)
	}
	want, got = dumpRows(t, st, referenceActivity), dumpRows(t, st, storedActivity)
	if want == "" || got != want {
		t.Errorf("hourly activity differs from the events:\n got %.2000s\nwant %.2000s", got, want)
	}
}

// referenceActivity counts the stored events per hour and combination of
// keys: what the activity rows of all writes must sum to.
const referenceActivity = `
SELECT date_trunc('hour', event_time), principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
       CASE WHEN ip_key = 0 THEN coalesce(source_ip, '') ELSE '' END AS ip_text,
       count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed), min(event_time), max(event_time)
FROM events GROUP BY ALL ORDER BY ALL`

const storedActivity = `
SELECT hour, principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key, ip_text,
       sum(success), sum(failure), min(first_time), max(last_time)
FROM activity GROUP BY ALL ORDER BY ALL`

// dumpRows renders every row of q, one line each.
func dumpRows(t *testing.T, st *duckdb.Store, q string) string {
	t.Helper()
	rows, err := st.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
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

func dump(t *testing.T, st *duckdb.Store, q string) string {
	t.Helper()
	rows, err := st.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var kind string
		var src, dst, ok, failed, batch int64
		var hour, first, last time.Time
		if err := rows.Scan(&kind, &src, &dst, &hour, &ok, &failed, &first, &last, &batch); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %d %s %d %d %s %s %d\n", kind, src, dst, hour.Format(time.RFC3339Nano), ok, failed,
			first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano), batch)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFlowHoursMatchFlows: the hourly flow bytes of instances and local
// addresses sum, over writes, to the stored flows.
func TestFlowHoursMatchFlows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	t0 := time.Date(2026, 11, 1, 9, 40, 0, 0, time.UTC)
	object := func(name string, from, to int) graph.ObjectWrite {
		b := graph.NewBatch()
		for n := from; n < to; n++ {
			at := t0.Add(time.Duration(n) * 3 * time.Minute)
			f := &trailhound.Flow{Version: 5, AccountID: "111122223333", InterfaceID: fmt.Sprintf("eni-%d", n%3), InstanceID: fmt.Sprintf("i-%017x", n%2+1),
				SrcAddr: fmt.Sprintf("10.0.0.%d", n%4), DstAddr: fmt.Sprintf("198.51.100.%d", n%5), SrcPort: 40000 + n, DstPort: 443, Protocol: 6,
				Packets: 3, Bytes: int64(100 * n), Start: at, End: at.Add(time.Minute), Action: []string{"ACCEPT", "REJECT"}[n%2], LogStatus: "OK", Line: n + 1}
			if n%3 == 0 {
				f.SrcAddr, f.DstAddr, f.SrcPort, f.DstPort = f.DstAddr, f.SrcAddr, 443, 40000+n
			}
			if err := b.Flow(f); err != nil {
				t.Fatal(err)
			}
		}
		return graph.ObjectWrite{URI: "/logs/" + name, Key: name, Size: 1, SHA256: "sha-" + name, Source: trailhound.SourceVPCFlow, Batch: b}
	}
	for _, objs := range [][]graph.ObjectWrite{{object("a", 0, 40), object("b", 40, 70)}, {object("c", 70, 120)}} {
		if _, err := st.Write(ctx, objs, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := dumpRows(t, st, `SELECT hour, side, key, direction, port, protocol, action, sum(bytes), sum(records) FROM (
SELECT hour, 'instance' AS side, instance_key AS key, coalesce(direction, '') AS direction, coalesce(port, 0) AS port,
       coalesce(protocol, -1) AS protocol, coalesce(action, '') AS action, bytes, records FROM flows WHERE instance_key <> 0
UNION ALL SELECT hour, 'local', local_key, coalesce(direction, ''), coalesce(port, 0), coalesce(protocol, -1), coalesce(action, ''), bytes, records
FROM flows WHERE local_key <> 0) GROUP BY ALL ORDER BY ALL`)
	got := dumpRows(t, st, `SELECT hour, side, key, direction, port, protocol, action, sum(bytes), sum(records) FROM flow_hours GROUP BY ALL ORDER BY ALL`)
	if !strings.Contains(want, "instance") || !strings.Contains(want, "local") {
		t.Fatalf("test flows should have instances and local addresses:\n%s", want)
	}
	if got != want {
		t.Errorf("hourly flow bytes differ from the flows:\n got %.1500s\nwant %.1500s", got, want)
	}

	// The instances of each local address, as written with each batch and
	// as migration 007 computes them for flows stored before it.
	wantInst := dumpRows(t, st, `SELECT hour, local_key, instance_key, sum(bytes), min(first_start), max(last_end) FROM flows
WHERE local_key <> 0 AND instance_key <> 0 GROUP BY ALL ORDER BY ALL`)
	instances := `SELECT hour, local_key, instance_key, sum(bytes), min(first_start), max(last_end) FROM flow_instances GROUP BY ALL ORDER BY ALL`
	if n := strings.Count(wantInst, "\n"); n < 8 {
		t.Fatalf("test flows should log addresses of instances over several hours, got %d rows:\n%s", n, wantInst)
	}
	if got := dumpRows(t, st, instances); got != wantInst {
		t.Errorf("instances of local addresses differ from the flows:\n got %.1500s\nwant %.1500s", got, wantInst)
	}
	for _, q := range []string{`DROP TABLE flow_instances`, `DELETE FROM schema_migrations WHERE version = 7`} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = duckdb.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpRows(t, st, instances); got != wantInst {
		t.Errorf("instances of local addresses computed by the migration differ from the flows:\n got %.1500s\nwant %.1500s", got, wantInst)
	}
}
