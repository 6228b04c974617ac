package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// ConnBackfillTodo lists the flow log objects ingested before the
// connection table existed (migration 006) and not backfilled since,
// oldest first; with from or to set, only those holding flows of that
// time (to exclusive).
func (s *Store) ConnBackfillTodo(ctx context.Context, from, to time.Time) ([]graph.ConnObject, error) {
	var missing int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(value), 0) FROM store_state WHERE name = 'flow_conns.missing_through_object'`).Scan(&missing); err != nil {
		return nil, fmt.Errorf("duckdb: backfill: %w", err)
	}
	if missing == 0 {
		return nil, nil
	}
	cond, args := "", []any{missing}
	if !from.IsZero() {
		cond += " AND last_time >= make_timestamp(CAST(? AS BIGINT) * 1000000)"
		args = append(args, from.Unix())
	}
	if !to.IsZero() {
		cond += " AND first_time < make_timestamp(CAST(? AS BIGINT) * 1000000)"
		args = append(args, to.Unix())
	}
	rows, err := s.db.QueryContext(ctx, `SELECT o.object_id, o.batch_id, o.uri, o.key, o.sha256, coalesce(o.source, ''), o.size
FROM objects o
WHERE o.status = 'stored' AND o.object_id <= ?
    AND o.object_id IN (SELECT object_id FROM object_accounts WHERE source = 'vpcflow'`+cond+`)
    AND o.object_id NOT IN (SELECT object_id FROM flow_conns_backfilled)
ORDER BY o.object_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: backfill: %w", err)
	}
	defer rows.Close()
	var out []graph.ConnObject
	for rows.Next() {
		var o graph.ConnObject
		var src string
		if err := rows.Scan(&o.ID, &o.BatchID, &o.URI, &o.Key, &o.SHA256, &src, &o.Size); err != nil {
			return nil, fmt.Errorf("duckdb: backfill: %w", err)
		}
		o.Source = trailhound.Source(src)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: backfill: %w", err)
	}
	return out, nil
}

// WriteConns stores the connection rows of objects listed by
// ConnBackfillTodo, and records them as backfilled, in one transaction.
// The rows are those an ingest of the objects would write today, under
// the objects' own batches.
func (s *Store) WriteConns(ctx context.Context, objs []graph.ConnRows) error {
	if len(objs) == 0 {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("duckdb: backfill: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: backfill: begin: %w", err)
	}
	fail := func(err error) error {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("duckdb: backfill: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		c := dc.(driver.Conn)
		if err := appendTable(c, "flow_conns", func(add func(...driver.Value) error) error {
			for _, o := range objs {
				for k, a := range o.Conns {
					if err := addConn(add, k, a, o.Object.BatchID); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			return err
		}
		return appendTable(c, "flow_conns_backfilled", func(add func(...driver.Value) error) error {
			for _, o := range objs {
				if err := add(o.Object.ID); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fail(err)
	}
	var conns []map[graph.ConnKey]*graph.ConnAgg
	for _, o := range objs {
		conns = append(conns, o.Conns)
	}
	if err := markConnDays(ctx, conn, conns...); err != nil {
		return fail(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fail(err)
	}
	return nil
}

// FinishConnBackfill forgets the backfill's bookkeeping once no object
// lacks its connection rows, so readers no longer check for such objects.
// It reports whether the table is complete.
func (s *Store) FinishConnBackfill(ctx context.Context) (bool, error) {
	todo, err := s.ConnBackfillTodo(ctx, time.Time{}, time.Time{})
	if err != nil || len(todo) > 0 {
		return false, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("duckdb: backfill: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`UPDATE store_state SET value = 0 WHERE name = 'flow_conns.missing_through_object'`, `DELETE FROM flow_conns_backfilled`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, fmt.Errorf("duckdb: backfill: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("duckdb: backfill: %w", err)
	}
	return true, nil
}
