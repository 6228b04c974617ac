package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
)

// pruneInterval is how often serve --keep-days removes what fell out of
// the window kept.
const pruneInterval = 24 * time.Hour

// pruner is serve's retention (serve --keep-days): at start and every
// interval it removes the data older than the days kept, as trailhound
// prune --yes does, while queries keep answering from the last committed
// state (the engine's caches follow the prune's cutoff). It takes turns
// with the follower's ingest runs.
type pruner struct {
	st     *duckdb.Store
	arch   *archive.Archive // nil: no archived copies to remove
	groups *groups.Service
	keep   int
	every  time.Duration
	turn   *sync.Mutex // shared with the follower
	log    *slog.Logger
	now    func() time.Time
}

func (p *pruner) run(ctx context.Context) {
	for {
		p.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.every):
		}
	}
}

// once removes what precedes the window kept, a day of records at a
// time from the oldest (each day one transaction within DuckDB's usual
// memory, ingest runs taking their turns in between: a first prune of a
// year-old store is hundreds of small ones, not one that runs out of
// memory), then logs what went.
func (p *pruner) once(ctx context.Context) {
	cutoff := p.now().UTC().AddDate(0, 0, -p.keep).Truncate(time.Hour)
	fail := func(err error) {
		if ctx.Err() == nil {
			p.log.Error("prune_failed", "error", err.Error())
		}
	}
	start := time.Now()
	total := map[string]int64{}
	for {
		step, err := p.step(ctx, cutoff, total)
		if err != nil {
			fail(err)
			return
		}
		if !step.Before(cutoff) {
			break
		}
	}
	// The archived copies of what the steps emptied (and of any earlier
	// prune's that a crash left), while ingest runs wait: a run archives
	// an object before it commits its row.
	p.turn.Lock()
	removed, err := removePrunedCopies(ctx, p.st, p.arch)
	p.turn.Unlock()
	if err != nil {
		fail(err)
		return
	}
	if total["findings"] > 0 {
		if _, err := p.groups.Rebuild(ctx, groups.LocalUser); err != nil {
			fail(err)
			return
		}
	}
	var rows int64
	for _, n := range total {
		rows += n
	}
	level := slog.LevelInfo
	if rows == 0 && removed == 0 {
		level = slog.LevelDebug
	}
	p.log.Log(ctx, level, "pruned", "before", cutoff.Format(time.RFC3339), "rows", rows, "events", total["events"],
		"flow_rows", total["flows"], "findings", total["findings"], "entities", total["entities"],
		"archived_objects", removed, "seconds", time.Since(start).Seconds())
}

// step prunes up to the end of the oldest record's day, or to cutoff if
// that comes first, adds what it removed to total, and returns where it
// pruned to.
func (p *pruner) step(ctx context.Context, cutoff time.Time, total map[string]int64) (time.Time, error) {
	p.turn.Lock()
	defer p.turn.Unlock()
	to := cutoff
	oldest, ok, err := p.st.OldestRecord(ctx)
	if err != nil {
		return to, err
	}
	if next := oldest.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1); ok && next.Before(cutoff) {
		to = next
	}
	res, err := p.st.Prune(ctx, to, false)
	if err != nil {
		return to, err
	}
	for t, n := range res.Rows {
		total[t] += n
	}
	return to, nil
}

// removePrunedCopies removes the archived copies of the contents prunes
// emptied (duckdb.Store.PrunedContents) that are still there, and returns
// how many it removed. arch nil removes nothing.
func removePrunedCopies(ctx context.Context, st *duckdb.Store, arch *archive.Archive) (int, error) {
	if arch == nil {
		return 0, nil
	}
	shas, err := st.PrunedContents(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sha := range shas {
		removed, err := arch.Remove(sha)
		if err != nil {
			return n, err
		}
		if removed {
			n++
		}
	}
	return n, nil
}
