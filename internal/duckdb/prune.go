package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// Prune removes what the store holds of the times before cutoff (rounded
// down to its hour, the rollups' grain), in one transaction: a failure
// removes nothing. With dryRun it counts and removes nothing.
//
//   - CloudTrail events, flow records and every hourly rollup (activity,
//     flow hours, connections, instances' interfaces) of earlier hours,
//     and the relationships derived from them last seen before it (those
//     that reach past it stay whole); the relationships that say who an
//     entity is (a session's role and starter, a key's owner) go only
//     when neither end is seen after it;
//   - GuardDuty findings whose latest version was last observed (or,
//     without observations, updated) before it, every version, with the
//     relationships to what they name; findings still active keep their
//     older versions and relationships whatever their age;
//   - entities last seen before it and named by no relationship left,
//     with their facts and address enrichment; an entity seen on both
//     sides keeps its first-seen time;
//   - the per-account time ranges of objects whose records all went.
//
// The objects' signatures stay, so that listing the same logs again does
// not ingest them again: objects none of whose records is left are marked
// pruned, and the content hashes no stored object has any more are
// returned (those of this prune; PrunedContents gives every prune's) so
// that their archived copies can be removed.
// Ingesting, later, other objects holding records of earlier times stores
// them as usual.
func (s *Store) Prune(ctx context.Context, cutoff time.Time, dryRun bool) (graph.PruneResult, error) {
	start := time.Now()
	cut := cutoff.UTC().Truncate(time.Hour)
	res := graph.PruneResult{Before: cut, DryRun: dryRun, Rows: map[string]int64{}}
	fail := func(err error) (graph.PruneResult, error) {
		return graph.PruneResult{}, fmt.Errorf("duckdb: prune: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	// Epoch seconds, as Optimize binds them: a bound timestamp would be
	// compared with the time zone, which keeps DuckDB from skipping row
	// groups by hour.
	const ts = `make_timestamp(CAST(? AS BIGINT) * 1000000)`
	c := cut.Unix()
	cday := floorDiv(c, 86400) // the cutoff's day, as flow_conn_days numbers days
	var derived []string
	for _, k := range graph.Kinds {
		if k.Derived {
			derived = append(derived, string(k.Kind))
		}
	}
	exec := func(table, q string, args ...any) error {
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		res.Rows[table] += n
		return nil
	}
	steps := []struct {
		table, q string
		args     []any
	}{
		{"", `CREATE OR REPLACE TEMP TABLE prune_findings AS
SELECT id FROM latest_findings WHERE coalesce(last_seen, updated_at) < ` + ts, []any{c}},
		{"findings", `DELETE FROM findings WHERE id IN (SELECT id FROM prune_findings)`, nil},
		// Entities whose activity all precedes the cutoff.
		{"", `CREATE OR REPLACE TEMP TABLE prune_inactive AS
SELECT key FROM entities GROUP BY key HAVING max(last_seen) < ` + ts, []any{c}},
		{"edges", `DELETE FROM edges WHERE kind = ? AND src IN (
    SELECT DISTINCT key FROM entities WHERE namespace = ? AND id IN (SELECT id FROM prune_findings))`,
			[]any{string(graph.RelFindingOf), string(trailhound.FindingEntity)}},
		// A relationship's row covers the hour it is filed under for the
		// kinds derived from events: rows last seen before the cutoff go.
		// The others say who an entity is (a session's role and starter,
		// a key's owner, a principal's account) and cover the
		// observations of one write: they stay while either end is seen
		// after the cutoff, so that a session started before it and
		// active after it is still known for who started it.
		{"edges", `DELETE FROM edges WHERE last_seen < ` + ts + ` AND kind IN (SELECT unnest(?::VARCHAR[]))`, []any{c, derived}},
		{"edges", `DELETE FROM edges WHERE last_seen < ` + ts + ` AND kind NOT IN (SELECT unnest(?::VARCHAR[])) AND kind <> ?
    AND src IN (SELECT key FROM prune_inactive) AND dst IN (SELECT key FROM prune_inactive)`, []any{c, derived, string(graph.RelFindingOf)}},
		{"events", `DELETE FROM events WHERE event_time < ` + ts, []any{c}},
		{"flows", `DELETE FROM flows WHERE hour < ` + ts, []any{c}},
		{"activity", `DELETE FROM activity WHERE hour < ` + ts, []any{c}},
		{"flow_hours", `DELETE FROM flow_hours WHERE hour < ` + ts, []any{c}},
		{"flow_conns", `DELETE FROM flow_conns WHERE hour < ` + ts, []any{c}},
		{"flow_instances", `DELETE FROM flow_instances WHERE hour < ` + ts, []any{c}},
		// The daily connection rows (migration 008) of the days before
		// the cutoff's go; a day the cutoff splits is built again by
		// the next Optimize, and links to removed days are cut.
		{"", `DELETE FROM flow_conn_days WHERE day < ?`, []any{cday}},
		{"", `DELETE FROM flow_conn_dirty WHERE day < ?`, []any{cday}},
		{"", `UPDATE flow_conn_days SET prev = NULL WHERE prev < ?`, []any{cday}},
		{"", `INSERT OR IGNORE INTO flow_conn_dirty SELECT CAST(? AS INTEGER) WHERE ?`, []any{cday, c%86400 != 0}},
		{"object_accounts", `DELETE FROM object_accounts WHERE last_time < ` + ts, []any{c}},
		// Entities: last seen before the cutoff, and no relationship
		// left names them.
		// (The relationships are filtered by the few inactive keys rather
		// than all their keys collected: a large store's relationships
		// name millions of entities.)
		{"", `CREATE OR REPLACE TEMP TABLE prune_entities AS
SELECT key FROM prune_inactive
EXCEPT (SELECT src FROM edges WHERE src IN (SELECT key FROM prune_inactive)
    UNION SELECT dst FROM edges WHERE dst IN (SELECT key FROM prune_inactive))`, nil},
		{"entities", `DELETE FROM entities WHERE key IN (SELECT key FROM prune_entities)`, nil},
		{"facts", `DELETE FROM facts WHERE key IN (SELECT key FROM prune_entities)`, nil},
		{"ip_info", `DELETE FROM ip_info WHERE key IN (SELECT key FROM prune_entities)`, nil},
	}
	for i, st := range steps {
		t0 := time.Now()
		if err := exec(st.table, st.q, st.args...); err != nil {
			return fail(err)
		}
		s.log.Debug("prune_step", "step", i, "table", st.table, "seconds", time.Since(t0).Seconds())
	}
	delete(res.Rows, "")

	// Objects none of whose records is left are marked pruned: their
	// signatures still recognize them, backfill and usage pass them over,
	// and no later prune counts them again. Their archived copies can go
	// unless an object still stored has the same content.
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE prune_objects AS
WITH refs AS (
    SELECT DISTINCT object_id FROM events
    UNION SELECT DISTINCT object_id FROM flows
    UNION SELECT DISTINCT object_id FROM findings
)
SELECT object_id, sha256 FROM objects WHERE status = ? AND object_id NOT IN (SELECT object_id FROM refs)`, graph.StatusStored); err != nil {
		return fail(err)
	}
	r, err := tx.ExecContext(ctx, `UPDATE objects SET status = ? WHERE object_id IN (SELECT object_id FROM prune_objects)`, graph.StatusPruned)
	if err != nil {
		return fail(err)
	}
	if res.Emptied, err = r.RowsAffected(); err != nil {
		return fail(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT sha256 FROM prune_objects
WHERE sha256 NOT IN (SELECT sha256 FROM objects WHERE status = ?) ORDER BY sha256`, graph.StatusStored)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return fail(err)
		}
		res.Unreferenced = append(res.Unreferenced, sha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	for _, q := range []string{`DROP TABLE prune_findings`, `DROP TABLE prune_inactive`, `DROP TABLE prune_entities`, `DROP TABLE prune_objects`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	if dryRun {
		res.Seconds = time.Since(start).Seconds()
		return res, nil // rolled back
	}
	var before sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(value) FROM store_state WHERE name = 'pruned_before'`).Scan(&before); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO store_state VALUES ('pruned_before', ?)`, max(before.Int64, c)); err != nil {
		return fail(err)
	}
	// Optimize measures a table's unordered tail as its rows beyond those
	// it last ordered: the rows removed (mostly of the ordered part, being
	// old) come off that count, so that the tail is not underestimated.
	for _, t := range optimizedTables {
		if n := res.Rows[t.name]; n > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE store_state SET value = greatest(value - ?, 0) WHERE name = ?`, n, t.name+".ordered_rows"); err != nil {
				return fail(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	// The freed blocks are reused by later writes (the file does not
	// shrink).
	if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil && ctx.Err() == nil {
		s.log.Debug("checkpoint_deferred", "error", err.Error())
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// OldestRecord returns the time of the oldest CloudTrail event or flow
// record stored, and false when there is none.
func (s *Store) OldestRecord(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT least((SELECT min(event_time) FROM events), (SELECT min(hour) FROM flows))`).Scan(&t)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("duckdb: oldest record: %w", err)
	}
	return t.Time.UTC(), t.Valid, nil
}

// PrunedContents returns the content hashes of the objects prunes emptied
// that no stored object shares: the archived copies that may go. Every
// prune's are there, so a removal that a crash interrupted after the
// prune committed is completed by the next one.
func (s *Store) PrunedContents(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT sha256 FROM objects WHERE status = ?
    AND sha256 NOT IN (SELECT sha256 FROM objects WHERE status = ?) ORDER BY 1`, graph.StatusPruned, graph.StatusStored)
	if err != nil {
		return nil, fmt.Errorf("duckdb: pruned contents: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("duckdb: pruned contents: %w", err)
		}
		out = append(out, sha)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: pruned contents: %w", err)
	}
	return out, nil
}
