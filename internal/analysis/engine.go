package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/graph"
)

// Engine answers questions about one store. It is safe for concurrent use.
type Engine struct {
	db       *sql.DB
	dialect  Dialect
	baseline time.Duration
	archive  *archive.Archive
	cache    nameCache
	search   searchIndexState
	// connsWindows holds the windows the connection table was found to
	// cover (connsUsable); backfills only add to them.
	connsWindows     sync.Map
	connsWindowCount atomic.Int64
	// wholeTable admits one query at a time among those that read a
	// whole entity table (the search index build, searches in SQL): on
	// the large benchmark's 7M entities, two at once took more than
	// DuckDB's memory limit, and both failed.
	wholeTable chan struct{}
}

// exclusive waits for the turn of a query that reads a whole entity
// table; release ends it.
func (e *Engine) exclusive(ctx context.Context) (release func(), err error) {
	select {
	case e.wholeTable <- struct{}{}:
		return func() { <-e.wholeTable }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// nameCache keeps the entities panels named and the addresses they
// located, so that an investigator's next panel of the same entities does
// not look them up in the entities and ip_info tables again. The table
// grows with every write (which appends observations) and shrinks only
// in its rewrite in key order and in a prune, so its row count and the
// latest prune's cutoff, read with every look-up, say when the cache must
// be dropped.
type nameCache struct {
	mu      sync.Mutex
	version tableVersion
	rows    map[int64]entityRow
	ips     map[int64]IPInfo
	// sessions holds, by instance key, the role sessions named after the
	// instance (see instanceSubject).
	sessions map[int64][]int64
	// orgs holds autonomous system organizations by number (asOrgs).
	orgs map[int64]string
}

// sync drops the cache when the entities table changed since it was
// filled, or when it grew past its bound, and returns the table's version.
// The caller holds c.mu.
func (c *nameCache) sync(version tableVersion) {
	if c.version != version || len(c.rows)+len(c.ips)+len(c.sessions)+len(c.orgs) > maxCachedNames {
		c.version, c.rows, c.ips, c.sessions, c.orgs = version, map[int64]entityRow{}, map[int64]IPInfo{}, map[int64][]int64{}, map[int64]string{}
	}
}

// tableVersion identifies a table's contents for the caches: its row
// count, which every write and rewrite changes, and the latest prune's
// cutoff (trailhound prune removes rows, and writes may bring the count
// back to where it was).
type tableVersion struct{ rows, pruned int64 }

// prunedBefore reads the latest prune's cutoff into a version query.
const prunedBefore = `coalesce((SELECT max(value) FROM store_state WHERE name = 'pruned_before'), 0)`

// entitiesVersion is the version of the entities table (see nameCache).
func (e *Engine) entitiesVersion(ctx context.Context) (tableVersion, error) {
	var v tableVersion
	err := e.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entities), `+prunedBefore).Scan(&v.rows, &v.pruned)
	return v, err
}

// maxCachedNames bounds the cache (about 200 bytes an entity or address);
// past it, the cache starts over.
const maxCachedNames = 200_000

// Options configures an Engine. Zero values take the defaults.
type Options struct {
	// Dialect spells the engine-specific SQL; default DuckDB.
	Dialect Dialect
	// Baseline is how far before a scope the baseline reaches; default
	// trailhound.DefaultBaseline (45 days, as Detective).
	Baseline time.Duration
	// Archive holds the objects ingested, for the raw records behind the
	// numbers. Without it, Events reports that raw records are unavailable.
	Archive *archive.Archive
}

// New returns an Engine reading db, a database with the store's schema.
func New(db *sql.DB, opts Options) *Engine {
	if opts.Dialect == nil {
		opts.Dialect = DuckDB{}
	}
	if opts.Baseline <= 0 {
		opts.Baseline = trailhound.DefaultBaseline
	}
	return &Engine{db: db, dialect: opts.Dialect, baseline: opts.Baseline, archive: opts.Archive, wholeTable: make(chan struct{}, 1)}
}

// Baseline returns the baseline length in use.
func (e *Engine) Baseline() time.Duration { return e.baseline }

// Ref is an entity reference as the API returns it: the link target of
// every identifier in an answer.
type Ref struct {
	Type trailhound.Namespace `json:"type"`
	ID   string               `json:"id"`
}

// entityRow is an entity with its observations merged.
type entityRow struct {
	Key       int64
	Ref       trailhound.EntityRef
	Label     string
	ARN       string
	Account   string
	FirstSeen time.Time
	LastSeen  time.Time
}

// entitySelect merges the observation rows of entities: one row per
// entity per write, earliest first and latest last sighting. A write that
// only knew an entity by its id labels it with the id; a name seen by any
// other write is preferred to it, whatever the order of the writes.
const entitySelect = `SELECT key, namespace, id, coalesce(` + graph.LabelSQL + `, '') AS label, coalesce(max(arn), '') AS arn, coalesce(max(account), '') AS account, min(first_seen) AS first_seen, max(last_seen) AS last_seen FROM entities`

func scanEntity(sc interface{ Scan(...any) error }) (entityRow, error) {
	var r entityRow
	var ns string
	err := sc.Scan(&r.Key, &ns, &r.Ref.ID, &r.Label, &r.ARN, &r.Account, &r.FirstSeen, &r.LastSeen)
	r.Ref.Type = trailhound.Namespace(ns)
	r.FirstSeen, r.LastSeen = r.FirstSeen.UTC(), r.LastSeen.UTC()
	return r, err
}

// lookup finds one entity, or fails with ENOTFOUND. The namespace and id
// are compared as well as the key, so a hash collision cannot answer for
// another entity.
func (e *Engine) lookup(ctx context.Context, ref trailhound.EntityRef) (entityRow, error) {
	if ref.Type == internalAPINamespace {
		return entityRow{}, notFound(ref)
	}
	row := e.db.QueryRowContext(ctx, entitySelect+` WHERE key = ? AND namespace = ? AND id = ? GROUP BY key, namespace, id`,
		ref.Key(), string(ref.Type), ref.ID)
	r, err := scanEntity(row)
	if err == sql.ErrNoRows {
		return r, notFound(ref)
	}
	if err != nil {
		return r, fmt.Errorf("analysis: look up %s: %w", ref, err)
	}
	return r, nil
}

func notFound(ref trailhound.EntityRef) error {
	return trailhound.Errorf(trailhound.ENOTFOUND, "no %s entity with id %q in the data", ref.Type, ref.ID)
}

// internalAPINamespace holds API names as graph nodes; they are details
// of relationships, not entities an investigator looks up.
const internalAPINamespace trailhound.Namespace = "Api"

// names resolves entity keys to their references and labels, for the rows
// of a panel. Keys that are not entities (zero) are left out.
func (e *Engine) names(ctx context.Context, keys map[int64]bool) (map[int64]entityRow, error) {
	return cachedLookup(ctx, e, keys, func(c *nameCache) map[int64]entityRow { return c.rows }, e.loadNames)
}

// cachedLookup answers keys from one map of the engine's cache, calls load
// for the others (zero excepted) and keeps what it returns, unless the
// entities table changed meanwhile.
func cachedLookup[V any](ctx context.Context, e *Engine, keys map[int64]bool, of func(*nameCache) map[int64]V,
	load func(context.Context, []any) (map[int64]V, error)) (map[int64]V, error) {
	version, err := e.entitiesVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("analysis: entities version: %w", err)
	}
	out := make(map[int64]V, len(keys))
	var missing []any
	c := &e.cache
	c.mu.Lock()
	c.sync(version)
	for k := range keys {
		if v, ok := of(c)[k]; ok {
			out[k] = v
		} else if k != 0 {
			missing = append(missing, k)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := load(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.version == version {
		maps.Copy(of(c), got)
	}
	c.mu.Unlock()
	maps.Copy(out, got)
	return out, nil
}

// loadNames reads entities by key from the store.
func (e *Engine) loadNames(ctx context.Context, list []any) (map[int64]entityRow, error) {
	out := make(map[int64]entityRow, len(list))
	const chunk = 500
	for i := 0; i < len(list); i += chunk {
		part := list[i:min(i+chunk, len(list))]
		q := entitySelect + ` WHERE key IN (` + placeholders(len(part)) + `) GROUP BY key, namespace, id`
		rows, err := e.db.QueryContext(ctx, q, part...)
		if err != nil {
			return nil, fmt.Errorf("analysis: entity names: %w", err)
		}
		for rows.Next() {
			r, err := scanEntity(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("analysis: entity names: %w", err)
			}
			out[r.Key] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("analysis: entity names: %w", err)
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// listParam writes values as one bound list parameter (`?::BIGINT[]`,
// read with unnest): thousands of values bind and filter faster as one
// list than as many placeholders.
func listParam[T int64 | bool](values []T) string {
	b := []byte{'['}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := any(v).(type) {
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		}
	}
	return string(append(b, ']'))
}
