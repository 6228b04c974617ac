package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// CompactResult says what Compact did.
type CompactResult struct {
	BytesBefore int64            `json:"bytesBefore"`
	BytesAfter  int64            `json:"bytesAfter"`
	Rows        map[string]int64 `json:"rows"` // per table, equal in both files
	Seconds     float64          `json:"seconds"`
}

// Compact rewrites the data directory's database into a new file that
// holds only what is live, and puts it in place of the old one. DuckDB
// reuses the blocks a prune or a table rewrite frees but never gives them
// back, so the file only shrinks this way. Nothing else may use the
// directory meanwhile (the store is opened, and so locked, first). The
// copy is checked table by table (the same rows in each) before it
// replaces the original in one rename; on any failure the original stays
// as it was and the partial copy is removed.
func Compact(ctx context.Context, dir string, memory string, log *slog.Logger) (*CompactResult, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := Open(ctx, dir, log)
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			st.Close()
		}
	}()
	if memory != "" {
		if err := st.SetMemoryLimit(ctx, memory); err != nil {
			return nil, err
		}
	}
	fail := func(err error) (*CompactResult, error) { return nil, fmt.Errorf("duckdb: compact: %w", err) }
	path := st.Path()
	tmp := path + ".compact"
	// A copy left by an interrupted run is incomplete by construction.
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
	}
	removeCopy := func() { os.Remove(tmp); os.Remove(tmp + ".wal") }
	info, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	res := &CompactResult{BytesBefore: info.Size(), Rows: map[string]int64{}}

	counts := func(db *sql.DB, schema string) (map[string]int64, error) {
		rows, err := db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY 1`, schema)
		if err != nil {
			return nil, err
		}
		var tables []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return nil, err
			}
			tables = append(tables, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out := map[string]int64{}
		for _, t := range tables {
			var n int64
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+schema+`".main."`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
				return nil, err
			}
			out[t] = n
		}
		return out, nil
	}
	var name string
	if err := st.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		return fail(err)
	}
	// One connection: the attached copy belongs to the session.
	conn, err := st.db.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	copyErr := func() error {
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `ATTACH '`+strings.ReplaceAll(tmp, "'", "''")+`' AS compact_copy`); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `COPY FROM DATABASE "`+strings.ReplaceAll(name, `"`, `""`)+`" TO compact_copy`); err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `DETACH compact_copy`)
			return err
		}
		if _, err := conn.ExecContext(ctx, `CHECKPOINT compact_copy`); err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `DETACH compact_copy`)
			return err
		}
		_, err := conn.ExecContext(ctx, `DETACH compact_copy`)
		return err
	}()
	if copyErr != nil {
		removeCopy()
		return fail(copyErr)
	}
	before, err := counts(st.db, name)
	if err != nil {
		removeCopy()
		return fail(err)
	}
	closed = true
	if err := st.Close(); err != nil {
		removeCopy()
		return fail(err)
	}
	// The copy, opened on its own, holds the same rows.
	check, err := sql.Open("duckdb", tmp+"?access_mode=READ_ONLY")
	if err != nil {
		removeCopy()
		return fail(err)
	}
	var copyName string
	err = check.QueryRowContext(ctx, `SELECT current_database()`).Scan(&copyName)
	var after map[string]int64
	if err == nil {
		after, err = counts(check, copyName)
	}
	check.Close()
	if err != nil {
		removeCopy()
		return fail(err)
	}
	for t, n := range before {
		if after[t] != n {
			removeCopy()
			return fail(trailhound.Errorf(trailhound.EINTERNAL, "table %s has %d rows in the copy, %d in the original; the original is kept", t, after[t], n))
		}
	}
	if len(after) != len(before) {
		removeCopy()
		return fail(trailhound.Errorf(trailhound.EINTERNAL, "the copy has %d tables, the original %d; the original is kept", len(after), len(before)))
	}
	if _, err := os.Stat(path + ".wal"); err == nil {
		removeCopy()
		return fail(fmt.Errorf("%s.wal is left after closing the store; the original is kept", filepath.Base(path)))
	}
	if err := os.Rename(tmp, path); err != nil {
		removeCopy()
		return fail(err)
	}
	if info, err := os.Stat(path); err == nil {
		res.BytesAfter = info.Size()
	}
	res.Rows = before
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
