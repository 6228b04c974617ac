package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/trailhound/trailhound/internal/graph"
)

// FlowConnHeavyRows is how many connection rows an entity (an instance or
// a local address) must have in a day for its days to be kept in
// flow_conn_days (migration 008). Below it, a week of the entity's
// connections is grouped in moments and the table would only take space.
// A variable for the tests, which use small data.
var FlowConnHeavyRows int64 = 50_000

// flowConnChunkRows bounds the connection rows one statement of
// buildFlowConnDays groups: the entities are taken a few at a time so
// that grouping, ranking and linking their rows stays within memory.
const flowConnChunkRows = 8_000_000

// flowConnDaysSQL fills flow_conn_days with the days from ? (days since
// 1970) of the entities in the temporary table conn_chunk (side, key):
// their connection rows summed per day as the details rows are, ranked
// by inbound bytes, and linked to the previous day each occurs on, which
// may be before the days filled (the table's rows of earlier days).
// Rows seen before take their number from the earlier days; new ones are
// numbered after the entity's highest. The placeholders are the first day
// and the chunk's lowest and highest key (for the min-max index), three
// times.
const flowConnDaysSQL = `INSERT INTO flow_conn_days
WITH src AS (
    SELECT (epoch_ms(c.hour) // 86400000)::INTEGER AS day, c.side, c.key, c.peer_key, c.local_port AS lp, c.remote_port AS rp, c.protocol,
        NOT c.egress AS inbound, c.action, c.bytes, c.packets, c.records, c.first_start, c.last_end
    FROM flow_conns c SEMI JOIN conn_chunk k ON c.side = k.side AND c.key = k.key
    WHERE c.hour >= make_timestamp(CAST(? AS BIGINT) * 86400000000) AND c.side IN (0, 1) AND c.key BETWEEN ? AND ?
), g AS (
    SELECT day, side, key, peer_key, lp, rp, protocol,
        ` + graph.ConnInboundSQL + ` AS din,
        coalesce(sum(bytes) FILTER (WHERE inbound), 0)::BIGINT AS ib, coalesce(sum(bytes) FILTER (WHERE NOT inbound), 0)::BIGINT AS ob,
        coalesce(sum(packets) FILTER (WHERE inbound), 0)::BIGINT AS ip, coalesce(sum(packets) FILTER (WHERE NOT inbound), 0)::BIGINT AS op,
        coalesce(sum(records) FILTER (WHERE action = 'ACCEPT'), 0)::BIGINT AS acc, coalesce(sum(records) FILTER (WHERE action = 'REJECT'), 0)::BIGINT AS rej,
        sum(records)::BIGINT AS rec, min(first_start) AS fs, max(last_end) AS le
    FROM src GROUP BY day, side, key, peer_key, lp, rp, protocol, din
), k AS (
    SELECT DISTINCT side, key, peer_key, lp, rp, protocol, din FROM g
), old AS (
    SELECT o.side, o.key, o.peer_key, o.lp, o.rp, o.protocol, o.din, max(o.day) AS last, min(o.rid) AS rid
    FROM flow_conn_days o SEMI JOIN k
        ON o.side = k.side AND o.key = k.key AND o.peer_key = k.peer_key AND o.lp = k.lp AND o.rp = k.rp AND o.protocol = k.protocol AND o.din = k.din
    WHERE o.day < ? AND o.key BETWEEN ? AND ?
    GROUP BY ALL
), top AS (
    SELECT o.side, o.key, max(o.rid) AS mx FROM flow_conn_days o SEMI JOIN conn_chunk c ON o.side = c.side AND o.key = c.key
    WHERE o.day < ? AND o.key BETWEEN ? AND ?
    GROUP BY ALL
), ids AS (
    SELECT k.*, old.last, coalesce(old.rid, coalesce(top.mx, 0) + row_number() OVER (PARTITION BY k.side, k.key, old.rid IS NULL
        ORDER BY k.peer_key, k.lp, k.rp, k.protocol, NOT k.din))::INTEGER AS rid
    FROM k LEFT JOIN old USING (side, key, peer_key, lp, rp, protocol, din) LEFT JOIN top USING (side, key)
)
SELECT g.day, g.side, g.key, g.peer_key, g.lp, g.rp, g.protocol, g.din, g.ib, g.ob, g.ip, g.op, g.acc, g.rej, g.rec, g.fs, g.le,
    CASE WHEN g.peer_key <> 0 THEN row_number() OVER (PARTITION BY g.side, g.key, g.day, g.peer_key = 0
        ORDER BY g.ib DESC, g.peer_key, g.lp, g.rp, g.protocol, NOT g.din) END AS rk,
    coalesce(lag(g.day) OVER (PARTITION BY g.side, g.key, ids.rid ORDER BY g.day), ids.last) AS prev,
    ids.rid
FROM g JOIN ids USING (side, key, peer_key, lp, rp, protocol, din)
ORDER BY g.side, g.key, g.day, rk`

// buildFlowConnDays brings flow_conn_days up to date with the days
// flow_conn_dirty lists, in one transaction: the entities that reached
// the threshold on one of them are added with all their days, and the
// others' days from the earliest changed one on are built again (a
// changed day can change the previous day of every later row). It returns
// the table's rows before and after, and whether any row was written or
// removed (or an entity added).
func (s *Store) buildFlowConnDays(ctx context.Context) (graph.OptimizedTable, bool, error) {
	res := graph.OptimizedTable{Name: "flow_conn_days"}
	fail := func(err error) (graph.OptimizedTable, bool, error) {
		return res, false, fmt.Errorf("duckdb: optimize flow_conn_days: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var first sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(day) FROM flow_conn_dirty`).Scan(&first); err != nil {
		return fail(err)
	}
	if !first.Valid {
		return res, false, nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM flow_conn_days`).Scan(&res.Before); err != nil {
		return fail(err)
	}
	steps := []struct {
		q    string
		args []any
	}{
		// The entities with a changed day of at least the threshold's
		// rows that the table does not hold yet.
		{`CREATE OR REPLACE TEMP TABLE conn_new_heavy AS
SELECT DISTINCT side, key FROM (
    SELECT side, key, count(*) AS n FROM flow_conns
    WHERE hour >= make_timestamp(CAST(? AS BIGINT) * 86400000000) AND side IN (0, 1)
        AND (epoch_ms(hour) // 86400000)::INTEGER IN (SELECT day FROM flow_conn_dirty)
    GROUP BY side, key, epoch_ms(hour) // 86400000
) WHERE n >= ?
EXCEPT SELECT side, key FROM flow_conn_heavy`, []any{first.Int64, FlowConnHeavyRows}},
		{`DELETE FROM flow_conn_days WHERE day >= ?`, []any{first.Int64}},
	}
	var changed int64
	for _, st := range steps {
		r, err := tx.ExecContext(ctx, st.q, st.args...)
		if err != nil {
			return fail(err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return fail(err)
		}
		changed += n
	}
	// The entities held already, from the first changed day; then the
	// new ones, from their first day.
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT (epoch_ms(min(hour)) // 86400000)::INTEGER FROM flow_conns`).Scan(&oldest); err != nil {
		return fail(err)
	}
	for _, pass := range []struct {
		set  string
		from int64
	}{
		{`SELECT side, key FROM flow_conn_heavy`, first.Int64},
		{`SELECT side, key FROM conn_new_heavy`, min(oldest.Int64, first.Int64)},
	} {
		n, err := s.fillFlowConnDays(ctx, tx, pass.set, pass.from)
		if err != nil {
			return fail(err)
		}
		changed += n
	}
	// The version tells readers that the rows (and their numbers) changed
	// between their statements.
	for _, q := range []string{`INSERT INTO flow_conn_heavy SELECT side, key FROM conn_new_heavy`, `DELETE FROM flow_conn_dirty`, `DROP TABLE conn_new_heavy`,
		`INSERT OR REPLACE INTO store_state SELECT 'flow_conn_days.version', coalesce(max(value), 0) + 1 FROM store_state WHERE name = 'flow_conn_days.version'`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM flow_conn_days`).Scan(&res.After); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return res, changed > 0, nil
}

// fillFlowConnDays fills flow_conn_days with the days from from of the
// entities set selects (side, key), a chunk of entities at a time, and
// returns the rows written.
func (s *Store) fillFlowConnDays(ctx context.Context, tx *sql.Tx, set string, from int64) (int64, error) {
	rows, err := tx.QueryContext(ctx, `WITH e AS (`+set+`)
SELECT e.side, e.key, count(c.key) FROM e LEFT JOIN flow_conns c ON c.side = e.side AND c.key = e.key
    AND c.hour >= make_timestamp(CAST(? AS BIGINT) * 86400000000)
GROUP BY e.side, e.key ORDER BY e.side, e.key`, from)
	if err != nil {
		return 0, err
	}
	type entity struct {
		side int8
		key  int64
		rows int64
	}
	var all []entity
	for rows.Next() {
		var e entity
		if err := rows.Scan(&e.side, &e.key, &e.rows); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var written int64
	for len(all) > 0 {
		// A chunk: entities of one side, in key order, up to the bound.
		n, sum := 0, int64(0)
		for n < len(all) && all[n].side == all[0].side && (n == 0 || sum+all[n].rows <= flowConnChunkRows) {
			sum += all[n].rows
			n++
		}
		chunk := all[:n]
		all = all[n:]
		vals := make([]string, len(chunk))
		args := make([]any, 0, 2*len(chunk))
		for i, e := range chunk {
			vals[i] = "(?::TINYINT, ?::BIGINT)"
			args = append(args, e.side, e.key)
		}
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE conn_chunk AS SELECT * FROM (VALUES `+strings.Join(vals, ", ")+`) v(side, key)`, args...); err != nil {
			return 0, err
		}
		r, err := tx.ExecContext(ctx, flowConnDaysSQL, from, chunk[0].key, chunk[len(chunk)-1].key,
			from, chunk[0].key, chunk[len(chunk)-1].key, from, chunk[0].key, chunk[len(chunk)-1].key)
		if err != nil {
			return 0, err
		}
		added, err := r.RowsAffected()
		if err != nil {
			return 0, err
		}
		written += added
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE IF EXISTS conn_chunk`)
	return written, err
}
