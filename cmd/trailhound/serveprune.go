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

// pruneMemory is DuckDB's memory limit while serve prunes: the removal is
// one transaction that holds what it removes (a day of a large store's
// data) until it commits.
const pruneMemory = "1GB"

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

func (p *pruner) once(ctx context.Context) {
	p.turn.Lock()
	defer p.turn.Unlock()
	cutoff := p.now().UTC().AddDate(0, 0, -p.keep)
	fail := func(err error) {
		if ctx.Err() == nil {
			p.log.Error("prune_failed", "error", err.Error())
		}
	}
	if err := p.st.SetMemoryLimit(ctx, pruneMemory); err != nil {
		fail(err)
		return
	}
	res, err := p.st.Prune(ctx, cutoff, false)
	if err2 := p.st.SetMemoryLimit(context.WithoutCancel(ctx), duckdb.DefaultMemoryLimit); err == nil {
		err = err2
	}
	if err != nil {
		fail(err)
		return
	}
	removed := 0
	if p.arch != nil {
		for _, sha := range res.Unreferenced {
			if err := p.arch.Remove(sha); err != nil {
				fail(err)
				return
			}
			removed++
		}
	}
	if res.Rows["findings"] > 0 {
		if _, err := p.groups.Rebuild(ctx, groups.LocalUser); err != nil {
			fail(err)
			return
		}
	}
	var rows int64
	for _, n := range res.Rows {
		rows += n
	}
	level := slog.LevelInfo
	if rows == 0 && removed == 0 {
		level = slog.LevelDebug
	}
	p.log.Log(ctx, level, "pruned", "before", res.Before.Format(time.RFC3339), "rows", rows, "events", res.Rows["events"],
		"flow_rows", res.Rows["flows"], "findings", res.Rows["findings"], "entities", res.Rows["entities"],
		"archived_objects", removed, "seconds", res.Seconds)
}
