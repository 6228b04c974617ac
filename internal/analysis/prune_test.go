package analysis_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestPrune removes the first day and a few hours of a generated
// organization's three and checks that every panel of its busiest
// entities over the time kept answers exactly as before (with a baseline
// inside that time), that nothing of the time removed is left, that no
// record refers to an entity removed, and that a dry run and a second
// prune remove nothing.
func TestPrune(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(t, synth.Config{Seed: 9, Days: 3, Start: start, EventsPerDay: 1500, FlowsPerDay: 4000, Scenarios: scen})
	db := st.DB()
	cutoff := start.Add(34*time.Hour + 17*time.Minute) // rounded down to 10:00 of the second day
	cut := start.Add(34 * time.Hour)
	kept := trailhound.Scope{Start: cut.Unix() + 3600, End: start.AddDate(0, 0, 3).Unix()}
	removed := trailhound.Scope{Start: start.Unix(), End: cut.Unix()}

	// The busiest entities of each kind, and what the store holds now.
	var list []trailhound.EntityRef
	for _, q := range []string{
		`SELECT namespace, id FROM entities e JOIN (SELECT principal_key AS key, count(*) AS n FROM events GROUP BY 1) c USING (key) GROUP BY ALL ORDER BY max(n) DESC, id LIMIT 4`,
		`SELECT 'AwsRole', id FROM entities e JOIN (SELECT role_key AS key, count(*) AS n FROM events WHERE role_key <> 0 GROUP BY 1) c USING (key) GROUP BY ALL ORDER BY max(n) DESC, id LIMIT 2`,
		`SELECT 'IpAddress', source_ip FROM events WHERE ip_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 2`,
		`SELECT 'Ec2Instance', instance_id FROM flows WHERE instance_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 2`,
		`SELECT 'IpAddress', local_addr FROM flows WHERE local_key <> 0 GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 1`,
		`SELECT 'AwsAccount', recipient_account FROM events GROUP BY 2 ORDER BY count(*) DESC, 2 LIMIT 1`,
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
	panels := func() map[string]string {
		eng := analysis.New(db, analysis.Options{Archive: arch, Baseline: time.Hour})
		out := map[string]string{}
		for _, e := range list {
			ent, err := eng.Entity(ctx, e)
			if err != nil {
				t.Fatalf("%s: %v", e, err)
			}
			raw, _ := json.Marshal(ent)
			out[e.String()] = string(raw)
			for _, p := range analysis.PanelsFor(e.Type) {
				v, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: p, Start: kept.Start, End: kept.End})
				if err != nil {
					t.Fatalf("%s %s: %v", e, p, err)
				}
				raw, _ := json.Marshal(v)
				out[e.String()+" "+p] = string(raw)
			}
		}
		return out
	}
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := panels()
	fp, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eventsKept := count(`SELECT count(*) FROM events WHERE event_time >= make_timestamp(CAST(? AS BIGINT) * 1000000)`, cut.Unix())
	eventsAll := count(`SELECT count(*) FROM events`)
	entitiesAll, activityAll := count(`SELECT count(*) FROM entities`), count(`SELECT count(*) FROM activity`)
	flowsKept := count(`SELECT count(*) FROM flows WHERE hour >= make_timestamp(CAST(? AS BIGINT) * 1000000)`, cut.Unix())
	// Findings: last observed before the cutoff (removed), and observed
	// on both sides of it (kept whole).
	const old = `SELECT count(*) FROM latest_findings WHERE coalesce(last_seen, updated_at) < make_timestamp(CAST(? AS BIGINT) * 1000000)`
	const across = `SELECT count(*) FROM findings WHERE id IN (SELECT id FROM latest_findings
    WHERE first_seen < make_timestamp(CAST(? AS BIGINT) * 1000000) AND last_seen >= make_timestamp(CAST(? AS BIGINT) * 1000000))`
	oldFindings, acrossVersions := count(old, cut.Unix()), count(across, cut.Unix(), cut.Unix())
	if eventsKept == 0 || eventsKept == eventsAll || flowsKept == 0 || oldFindings == 0 || acrossVersions == 0 {
		t.Fatalf("the cutoff splits nothing: %d of %d events, %d flow rows after it; %d findings before it, %d versions across it",
			eventsKept, eventsAll, flowsKept, oldFindings, acrossVersions)
	}

	// An engine that lives through the prune (as serve's does), with its
	// search index built, finds addresses that the prune removes.
	live := analysis.New(db, analysis.Options{Archive: arch, Baseline: time.Hour})
	if err := live.IndexSearches(ctx); err != nil {
		t.Fatal(err)
	}
	var gone []string
	rows, err := db.QueryContext(ctx, `SELECT id FROM entities WHERE namespace = 'IpAddress'
GROUP BY ALL HAVING max(last_seen) < make_timestamp(CAST(? AS BIGINT) * 1000000) ORDER BY 1 LIMIT 20`, cut.Unix())
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		gone = append(gone, id)
	}
	rows.Close()
	found := func(id string) bool {
		t.Helper()
		r, err := live.Search(ctx, analysis.SearchRequest{Type: trailhound.IPAddress, Q: id, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total > 0
	}
	for _, id := range gone {
		if !found(id) {
			t.Fatalf("%s is not found before the prune", id)
		}
	}

	dry, err := st.Prune(ctx, cutoff, true)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := st.Fingerprint(ctx); after != fp || !dry.DryRun || !dry.Before.Equal(cut) {
		t.Fatalf("the dry run changed the store, or rounded the cutoff to %s", dry.Before)
	}
	res, err := st.Prune(ctx, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dry.Rows, res.Rows); diff != "" || !slices.Equal(dry.Unreferenced, res.Unreferenced) || dry.Emptied != res.Emptied {
		t.Errorf("the dry run's counts differ from the prune's (-dry +prune):\n%s", diff)
	}
	if res.Rows["events"] != eventsAll-eventsKept || count(`SELECT count(*) FROM events`) != eventsKept || count(`SELECT count(*) FROM flows`) != flowsKept {
		t.Errorf("removed %d events of %d, want %d; %d flow rows left, want %d", res.Rows["events"], eventsAll, eventsAll-eventsKept,
			count(`SELECT count(*) FROM flows`), flowsKept)
	}
	for _, table := range []string{"entities", "findings", "edges", "activity", "flow_hours", "flow_conns", "flow_instances"} {
		if res.Rows[table] == 0 {
			t.Errorf("nothing removed from %s", table)
		}
	}

	if n, m := count(old, cut.Unix()), count(across, cut.Unix(), cut.Unix()); n != 0 || m != acrossVersions {
		t.Errorf("%d findings last observed before the cutoff left; %d versions of findings across it, want %d", n, m, acrossVersions)
	}

	// Optimize's count of ordered rows never exceeds a table's rows (it
	// would hide the tail appended later).
	checked := 0
	for _, table := range []string{"entities", "ip_info", "edges", "flows", "flow_conns", "flow_hours"} {
		var ordered sql.NullInt64
		if err := db.QueryRowContext(ctx, `SELECT max(value) FROM store_state WHERE name = ?`, table+".ordered_rows").Scan(&ordered); err != nil {
			t.Fatal(err)
		}
		if !ordered.Valid {
			continue
		}
		checked++
		if rows := count(`SELECT count(*) FROM ` + table); ordered.Int64 > rows {
			t.Errorf("%s: %d rows counted as ordered, %d rows", table, ordered.Int64, rows)
		}
	}
	if checked == 0 {
		t.Error("no table was ordered by the ingest")
	}

	// The live engine no longer finds the addresses removed, even once
	// writes have brought the tables its index follows back to their
	// former row counts.
	for _, q := range []struct {
		sql string
		n   int64
	}{
		{`INSERT INTO entities SELECT -i, 'UserAgent', 'filler-' || i, NULL, NULL, NULL, now()::TIMESTAMP, now()::TIMESTAMP, -1 FROM range(1, ? + 1) t(i)`, res.Rows["entities"]},
		{`INSERT INTO activity SELECT now()::TIMESTAMP, 0, 0, 0, 0, 0, 0, 0, 0, '', 1, 0, now()::TIMESTAMP, now()::TIMESTAMP, -1 FROM range(1, ? + 1) t(i)`, res.Rows["activity"]},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.n); err != nil {
			t.Fatal(err)
		}
	}
	if n, m := count(`SELECT count(*) FROM entities`), count(`SELECT count(*) FROM activity`); n != entitiesAll || m != activityAll {
		t.Fatalf("%d entity and %d activity rows with the filler, want %d and %d", n, m, entitiesAll, activityAll)
	}
	removedAddresses := 0
	for _, id := range gone {
		if count(`SELECT count(*) FROM entities WHERE namespace = 'IpAddress' AND id = ?`, id) > 0 {
			continue
		}
		removedAddresses++
		if found(id) {
			t.Errorf("%s is found after the prune", id)
		}
	}
	if removedAddresses == 0 {
		t.Error("no address found before the prune was removed")
	}
	for _, table := range []string{"entities", "activity"} {
		if _, err := db.ExecContext(ctx, `DELETE FROM `+table+` WHERE batch_id = -1`); err != nil {
			t.Fatal(err)
		}
	}

	// The time kept answers as before.
	after := panels()
	for k, v := range before {
		if diff := cmp.Diff(v, after[k]); diff != "" {
			t.Errorf("%s changed (-before +after):\n%s", k, diff)
		}
	}
	// Nothing is left of the time removed.
	for _, table := range []string{"activity", "flow_hours", "flow_conns", "flow_instances", "flows"} {
		if n := count(`SELECT count(*) FROM `+table+` WHERE hour < make_timestamp(CAST(? AS BIGINT) * 1000000)`, cut.Unix()); n != 0 {
			t.Errorf("%d rows of %s before the cutoff", n, table)
		}
	}
	eng := analysis.New(db, analysis.Options{Archive: arch, Baseline: time.Hour})
	for _, e := range list {
		if e.Type != trailhound.AwsUser && e.Type != trailhound.AwsRole {
			continue
		}
		v, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelAPICallVolume, Start: removed.Start, End: removed.End})
		if err != nil {
			t.Fatal(err)
		}
		if vol := v.(*analysis.APICallVolume); vol.Totals.Success+vol.Totals.Failure != 0 {
			t.Errorf("%s: %+v calls in the time removed", e, vol.Totals)
		}
	}
	// Every key a record or relationship names is an entity.
	for _, ref := range []string{
		`SELECT principal_key FROM events UNION SELECT role_key FROM events UNION SELECT ip_key FROM events UNION SELECT access_key_key FROM events UNION SELECT ua_key FROM events UNION SELECT bucket_key FROM events UNION SELECT account_key FROM events`,
		`SELECT instance_key FROM flows UNION SELECT local_key FROM flows UNION SELECT remote_key FROM flows`,
		`SELECT key FROM flow_conns UNION SELECT peer_key FROM flow_conns`,
		`SELECT src FROM edges UNION SELECT dst FROM edges`,
		`SELECT principal_key FROM activity UNION SELECT ip_key FROM activity`,
	} {
		if n := count(`SELECT count(*) FROM (` + ref + `) r(k) WHERE k <> 0 AND k NOT IN (SELECT key FROM entities)`); n != 0 {
			t.Errorf("%d keys of %q name no entity", n, ref)
		}
	}
	// The archived copies to remove are those of objects with nothing
	// left, and there are some (the first day's).
	if len(res.Unreferenced) == 0 {
		t.Error("no object is left without records")
	}
	for _, sha := range res.Unreferenced {
		if n := count(`SELECT count(*) FROM objects o WHERE sha256 = ? AND (status = 'stored' OR o.object_id IN (SELECT object_id FROM events)
			OR o.object_id IN (SELECT object_id FROM flows) OR o.object_id IN (SELECT object_id FROM findings))`, sha); n != 0 {
			t.Errorf("object %s is still stored, or has records", sha)
		}
	}
	// The objects emptied are marked pruned, and only they.
	const pruned = `SELECT count(*) FROM objects WHERE status = 'pruned'`
	const emptied = `SELECT count(*) FROM objects o WHERE status IN ('stored', 'pruned') AND o.object_id NOT IN (SELECT object_id FROM events)
    AND o.object_id NOT IN (SELECT object_id FROM flows) AND o.object_id NOT IN (SELECT object_id FROM findings)`
	if n, m := count(pruned), count(emptied); n != res.Emptied || m != n || n < int64(len(res.Unreferenced)) {
		t.Errorf("%d objects marked pruned, %d without records, %d reported emptied, %d contents unreferenced", n, m, res.Emptied, len(res.Unreferenced))
	}
	if u, err := eng.Usage(ctx); err != nil {
		t.Error(err)
	} else if u.PrunedBefore != cut.Unix() {
		t.Errorf("usage says records were removed before %d, want %d", u.PrunedBefore, cut.Unix())
	}

	// Again: nothing more to remove.
	again, err := st.Prune(ctx, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range again.Rows {
		if n != 0 {
			t.Errorf("a second prune removed %d rows of %s", n, table)
		}
	}
	if again.Emptied != 0 || len(again.Unreferenced) != 0 {
		t.Errorf("a second prune emptied %d objects and freed %d contents", again.Emptied, len(again.Unreferenced))
	}
}
