// Package duckdb is Trailhound's embedded store: the behavior graph in one
// DuckDB file inside the data directory. Ingest writes whole objects in
// single transactions, so after a crash the file holds every object that
// was reported stored and nothing of the others; analysis reads it with
// SQL. Relationships derived from events are computed inside DuckDB from
// the stored rows, after duplicates are removed.
package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the name of the database file inside a data directory.
const FileName = "trailhound.duckdb"

// Store is a behavior graph in a DuckDB file. It is safe for concurrent
// readers; writes are serialized.
type Store struct {
	db   *sql.DB
	path string
	log  *slog.Logger

	wmu        sync.Mutex // serializes writes and guards the fields below
	nextObject int64
	nextBatch  int64
	knownIPs   map[int64]uint32 // enriched addresses and their autonomous system (0 = none)
	storedSHAs map[[32]byte]struct{}
	setsLoaded bool      // knownIPs and storedSHAs are read (loadSets)
	ids        *idFilter // stored event ids; nil until the first write
}

// Open opens (creating if needed) the store in directory dir and brings its
// schema up to date.
func Open(ctx context.Context, dir string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, trailhound.Errorf(trailhound.EINVALID, "cannot create data directory %s: %v", dir, err)
	}
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, openError(dir, path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(dir, path, err)
	}
	// DuckDB takes 80% of the machine's memory by default; a tool that
	// runs beside others should not. Queries that need more spill to disk.
	if _, err := db.ExecContext(ctx, `SET memory_limit = '`+DefaultMemoryLimit+`'`); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, log: log, knownIPs: map[int64]uint32{}, storedSHAs: map[[32]byte]struct{}{}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DefaultMemoryLimit is how much memory DuckDB may use unless a command
// says otherwise (SetMemoryLimit).
const DefaultMemoryLimit = "320MB"

// openError explains a failure to open the database file. DuckDB lets one
// process at a time open a file for writing; the usual cause is a serve or
// ingest still running on the same data directory.
func openError(dir, path string, err error) error {
	if strings.Contains(err.Error(), "lock") {
		return trailhound.Errorf(trailhound.ECONFLICT, "data directory %s is in use by another process (%v); stop it, or use another --data directory", dir, err)
	}
	return fmt.Errorf("duckdb: open %s: %w", path, err)
}

// SetMemoryLimit changes how much memory DuckDB may use, e.g. "2GB".
func (s *Store) SetMemoryLimit(ctx context.Context, limit string) error {
	if _, err := s.db.ExecContext(ctx, `SET memory_limit = '`+strings.ReplaceAll(limit, "'", "")+`'`); err != nil {
		return trailhound.Errorf(trailhound.EINVALID, "invalid memory limit %q: %v", limit, err)
	}
	return nil
}

// BulkWrites prepares DuckDB for the writes of an ingest run and returns
// what restores the previous settings. During ingest the decoding workers
// keep every CPU busy, and DuckDB's own threads (which its queries and
// checkpoints use besides the writing goroutine) only compete with them:
// on two cores one DuckDB thread made ingest about a quarter faster and
// used about a tenth less CPU than one per core. Queries run in the
// meantime get one thread too.
func (s *Store) BulkWrites(ctx context.Context) (func(), error) {
	var threads int64
	if err := s.db.QueryRowContext(ctx, `SELECT current_setting('threads')::BIGINT`).Scan(&threads); err != nil {
		return nil, fmt.Errorf("duckdb: bulk writes: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `SET threads = 1`); err != nil {
		return nil, fmt.Errorf("duckdb: bulk writes: %w", err)
	}
	return func() {
		_, _ = s.db.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`SET threads = %d`, threads))
	}, nil
}

// DB exposes the database for the analysis package's queries.
func (s *Store) DB() *sql.DB { return s.db }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close checkpoints and closes the database.
func (s *Store) Close() error {
	_, _ = s.db.Exec("CHECKPOINT")
	return s.db.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("duckdb: migrate: %w", err)
	}
	// Every migration not yet applied is applied, in order, rather than
	// only those above the highest applied: independent migrations (new
	// tables of separate features) may be numbered in one order and land
	// in another, and a data directory must end up with all of them.
	applied := map[int]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("duckdb: migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("duckdb: migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duckdb: migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		var v int
		if _, err := fmt.Sscanf(filepath.Base(name), "%d_", &v); err != nil {
			return fmt.Errorf("duckdb: migration %s: bad name", name)
		}
		if applied[v] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("duckdb: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("duckdb: migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, v, time.Now().UTC()); err != nil {
			tx.Rollback()
			return fmt.Errorf("duckdb: migration %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("duckdb: migration %s: %w", name, err)
		}
		s.log.Debug("migration_applied", "version", v)
	}
	return nil
}

// load reads the counters the writer keeps in memory.
func (s *Store) load(ctx context.Context) error {
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(object_id), 0) + 1, coalesce(max(batch_id), 0) + 1 FROM objects`).Scan(&s.nextObject, &s.nextBatch); err != nil {
		return fmt.Errorf("duckdb: load: %w", err)
	}
	return nil
}

// loadSets reads the sets the writer keeps in memory (the enriched
// addresses, the stored objects' hashes), on the first write: a process
// that only reads (serve without --ingest) does not hold them, which on
// the large benchmark's store is 7M addresses, a few hundred MB.
func (s *Store) loadSets(ctx context.Context) error {
	if s.setsLoaded {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT key, coalesce(asn, 0) FROM ip_info`)
	if err != nil {
		return fmt.Errorf("duckdb: load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, asn int64
		if err := rows.Scan(&k, &asn); err != nil {
			return err
		}
		s.knownIPs[k] = uint32(asn)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	shas, err := s.db.QueryContext(ctx, `SELECT sha256 FROM objects WHERE status = 'stored'`)
	if err != nil {
		return fmt.Errorf("duckdb: load: %w", err)
	}
	defer shas.Close()
	for shas.Next() {
		var sha string
		if err := shas.Scan(&sha); err != nil {
			return err
		}
		if k, ok := shaKey(sha); ok {
			s.storedSHAs[k] = struct{}{}
		}
	}
	if err := shas.Err(); err != nil {
		return err
	}
	s.setsLoaded = true
	return nil
}

// shaKey turns a hex SHA-256 into a compact map key; other strings (as
// tests use) are hashed to one.
func shaKey(s string) ([32]byte, bool) {
	var k [32]byte
	if len(s) == 64 {
		if _, err := hex.Decode(k[:], []byte(s)); err == nil {
			return k, true
		}
	}
	return sha256.Sum256([]byte(s)), true
}

// KnownObjects returns the signatures of the stored objects among uris,
// by URI. The URIs are bound as one list: a listing of a quarter of a
// million objects is looked up in one join, and a poll that listed a few
// hundred does not read the signatures of every object ever stored.
func (s *Store) KnownObjects(ctx context.Context, uris []string) (map[string]graph.ObjectSig, error) {
	byURI := map[string]graph.ObjectSig{}
	if len(uris) == 0 {
		return byURI, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT uri, size, mod_time, coalesce(etag, '') FROM objects WHERE uri IN (SELECT unnest(?::VARCHAR[]))`, uris)
	if err != nil {
		return nil, fmt.Errorf("duckdb: known objects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uri, etag string
		var size int64
		var mod sql.NullTime
		if err := rows.Scan(&uri, &size, &mod, &etag); err != nil {
			return nil, fmt.Errorf("duckdb: known objects: %w", err)
		}
		byURI[uri] = graph.ObjectSig{Size: size, ModTime: mod.Time.UTC(), ETag: etag}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: known objects: %w", err)
	}
	return byURI, nil
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (trailhound.Stats, error) {
	st := trailhound.Stats{Events: map[trailhound.Source]int64{}, Entities: map[trailhound.Namespace]int64{}}
	var ct, vpc, gd, objects int64
	var pruned sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM events),
		(SELECT coalesce(sum(records), 0) FROM flows),
		(SELECT count(*) FROM (SELECT DISTINCT id FROM findings)),
		(SELECT count(*) FROM objects),
		(SELECT max(value) FROM store_state WHERE name = 'pruned_before')`).Scan(&ct, &vpc, &gd, &objects, &pruned)
	if err != nil {
		return st, fmt.Errorf("duckdb: stats: %w", err)
	}
	if pruned.Valid {
		st.PrunedBefore = time.Unix(pruned.Int64, 0).UTC()
	}
	st.Objects = objects
	st.Events[trailhound.SourceCloudTrail] = ct
	st.Events[trailhound.SourceVPCFlow] = vpc
	st.Events[trailhound.SourceGuardDuty] = gd
	rows, err := s.db.QueryContext(ctx, `SELECT namespace, count(DISTINCT key) FROM entities WHERE namespace <> 'Api' GROUP BY namespace ORDER BY namespace`)
	if err != nil {
		return st, fmt.Errorf("duckdb: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ns string
		var n int64
		if err := rows.Scan(&ns, &n); err != nil {
			return st, err
		}
		st.Entities[trailhound.Namespace(ns)] = n
	}
	return st, rows.Err()
}
