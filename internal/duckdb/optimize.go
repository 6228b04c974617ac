package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trailhound/trailhound/internal/graph"
)

// The investigation queries look entities and addresses up by key, a few
// hundred keys at a time. Written as ingested, the entities table holds
// one observation of an entity per write in arrival order, so every look-up
// read and merged the whole table (10M observations of 3M entities took a
// third of a second for seven keys). Optimize rewrites it as one merged
// row per entity in key order, and ip_info in key order: DuckDB's min-max
// index of each row group then skips all but the row groups that may hold
// the keys asked for. Flows are kept by day and far-side address (see
// optimizedTables). Rows written afterwards are appended after the
// sorted part and read as before (every reader merges observations with
// GROUP BY), until the next rewrite.

// optimizedTable is a table Optimize keeps in key order.
type optimizedTable struct {
	name string
	// rewrite fills the new table (named by %s) from the current one,
	// merged and in key order.
	rewrite string
	// byDay, when set, replaces rewrite for a table ordered by day first:
	// it fills the new table with one day's rows in order (%s the new
	// table, the placeholders the day's start and end in epoch seconds),
	// day after day,
	// and then the rows without an hour with nullHour (when the hour may
	// be null). Sorting a day at a time bounds what the sort spills to
	// disk to about a day's rows:
	// sorting a month of a large organization's flows at once spilled
	// about 18 GB under ingest's memory limit.
	byDay, nullHour string
}

var optimizedTables = []optimizedTable{
	{name: "entities", rewrite: `INSERT INTO %s
SELECT key, namespace, id, ` + graph.LabelSQL + `, max(arn), max(account), min(first_seen), max(last_seen), max(batch_id)
FROM entities GROUP BY key, namespace, id ORDER BY key, namespace, id`},
	{name: "ip_info", rewrite: `INSERT INTO %s SELECT * FROM ip_info ORDER BY key`},
	// Relationships are read by kind and one end's key: a session's role
	// and starter, a role's assumptions, an entity's findings and API
	// calls. In kind and source order, a look-up by source reads a row
	// group or two, and one by destination only its kind's row groups
	// (in arrival order every look-up read the whole table: 16–18 ms for
	// a role's sessions on the large benchmark).
	{name: "edges", rewrite: `INSERT INTO %s SELECT * FROM edges ORDER BY kind, src, hour`},
	// Flows are read by time and by one side's key. The instance and
	// local sides have hourly rollups (flow_hours); the far side, whose
	// addresses are too many to roll up, is read from the flows, so each
	// day's flows are kept in far-side key order: a look-up of one address
	// reads about one row group a day instead of all of them.
	{name: "flows",
		byDay: `INSERT INTO %s SELECT * FROM flows WHERE hour >= make_timestamp(CAST(? AS BIGINT) * 1000000)
			AND hour < make_timestamp(CAST(? AS BIGINT) * 1000000) ORDER BY remote_key, hour`,
		nullHour: `INSERT INTO %s SELECT * FROM flows WHERE hour IS NULL ORDER BY remote_key`},
	// The VPC flow details read one entity's connections over a window.
	{name: "flow_conns",
		byDay: `INSERT INTO %s SELECT * FROM flow_conns WHERE hour >= make_timestamp(CAST(? AS BIGINT) * 1000000)
			AND hour < make_timestamp(CAST(? AS BIGINT) * 1000000) ORDER BY side, key, hour`},
	// The flow panels read one instance's or address's hourly bytes over
	// a window and its baseline: in side and key order they are a row
	// group or two (on the large benchmark a week's series took 8 ms in
	// arrival order, 2 ms in key order; its 45-day baseline 9 and 1.6 ms).
	{name: "flow_hours", rewrite: `INSERT INTO %s SELECT * FROM flow_hours ORDER BY side, key, hour`},
}

// Rewrite thresholds: a table is rewritten when the rows appended since it
// was last in order are at least a tenth of it, or whenever it has any
// such rows and is small enough to rewrite in moments.
const (
	optimizeSmall   = 1_000_000
	optimizeDivisor = 10
)

// Optimize rewrites the tables looked up by key whose unordered tail has
// grown (see the thresholds), each in its own transaction: a failure
// leaves the table as it was. Ingest calls it at the end of a run.
func (s *Store) Optimize(ctx context.Context) (graph.OptimizeResult, error) {
	start := time.Now()
	var res graph.OptimizeResult
	for _, t := range optimizedTables {
		var rows, ordered int64
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&rows); err != nil {
			return res, fmt.Errorf("duckdb: optimize %s: %w", t.name, err)
		}
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(value), 0) FROM store_state WHERE name = ?`, t.name+".ordered_rows").Scan(&ordered); err != nil {
			return res, fmt.Errorf("duckdb: optimize %s: %w", t.name, err)
		}
		tail := rows - ordered
		if tail <= 0 || (rows >= optimizeSmall && tail*optimizeDivisor < rows) {
			continue
		}
		after, err := s.rewrite(ctx, t)
		if err != nil {
			return res, err
		}
		res.Tables = append(res.Tables, graph.OptimizedTable{Name: t.name, Before: rows, After: after})
		s.log.Debug("table_optimized", "table", t.name, "rows_before", rows, "rows_after", after)
	}
	days, changed, err := s.buildFlowConnDays(ctx)
	if err != nil {
		return res, err
	}
	if changed {
		res.Tables = append(res.Tables, days)
		s.log.Debug("table_optimized", "table", days.Name, "rows_before", days.Before, "rows_after", days.After)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// rewrite replaces t by its merged, ordered copy, keeping the table's
// definition (columns, types, constraints).
func (s *Store) rewrite(ctx context.Context, t optimizedTable) (int64, error) {
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("duckdb: optimize %s: %w", t.name, err) }
	var ddl string
	if err := s.db.QueryRowContext(ctx, `SELECT sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?`, t.name).Scan(&ddl); err != nil {
		return fail(err)
	}
	tmp := t.name + "_ordered"
	newDDL, ok := renameCreate(ddl, t.name, tmp)
	if !ok {
		return fail(fmt.Errorf("unexpected definition %q", ddl))
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var after int64
	for _, q := range []string{`DROP TABLE IF EXISTS ` + tmp, newDDL} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	if err := fillOrdered(ctx, tx, t, tmp); err != nil {
		return fail(err)
	}
	for _, q := range []string{`DROP TABLE ` + t.name, `ALTER TABLE ` + tmp + ` RENAME TO ` + t.name} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&after); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO store_state VALUES (?, ?)`, t.name+".ordered_rows", after); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	// The old table's blocks are freed by a checkpoint. The rewrite is
	// committed either way: while other transactions write (serve's
	// finding groups and investigations, beside serve --ingest), DuckDB
	// refuses to checkpoint, and its next automatic checkpoint frees them.
	if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		if ctx.Err() != nil {
			return fail(err)
		}
		s.log.Debug("checkpoint_deferred", "table", t.name, "error", err.Error())
	}
	return after, nil
}

// fillOrdered fills the new table tmp from t's current rows, in order.
func fillOrdered(ctx context.Context, tx *sql.Tx, t optimizedTable, tmp string) error {
	if t.byDay == "" {
		_, err := tx.ExecContext(ctx, fmt.Sprintf(t.rewrite, tmp))
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT date_trunc('day', hour) AS d FROM `+t.name+` WHERE hour IS NOT NULL ORDER BY d`)
	if err != nil {
		return err
	}
	var days []time.Time
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return err
		}
		days = append(days, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range days {
		// Epoch seconds: a bound timestamp would be compared with the
		// time zone, which keeps DuckDB from skipping row groups by hour.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(t.byDay, tmp), d.Unix(), d.AddDate(0, 0, 1).Unix()); err != nil {
			return err
		}
	}
	if t.nullHour == "" {
		return nil // the table's hour is never null
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(t.nullHour, tmp))
	return err
}

// renameCreate turns "CREATE TABLE name(...);" into the same statement for
// another name.
func renameCreate(ddl, from, to string) (string, bool) {
	prefix := "CREATE TABLE " + from
	if len(ddl) < len(prefix) || ddl[:len(prefix)] != prefix {
		return "", false
	}
	return "CREATE TABLE " + to + ddl[len(prefix):], true
}
