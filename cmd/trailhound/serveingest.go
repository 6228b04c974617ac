package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
)

// minIngestInterval bounds how often serve --ingest lists its locations.
const minIngestInterval = time.Second

// follower is serve's continuous ingestion (serve --ingest): DuckDB lets
// one process at a time write a data directory, so the process that
// serves it is the one that adds new logs to it. Every interval it runs
// what the ingest command runs over the same locations: objects stored
// before are recognized after listing and skipped, new and changed ones
// are stored, each atomically, while queries keep reading the last
// committed state. The readers' caches and the search index follow the
// store's row counts, so they pick the new data up by themselves.
type follower struct {
	st     ingest.Store
	stores []objstore.Store
	opts   ingest.Options
	every  time.Duration
	log    *slog.Logger
	turn   *sync.Mutex // taken during a run: serve's prunes wait for it
	// failed holds the objects that failed, as listed then, by URI, and
	// when: they are read again once changed (a corrected file copied over
	// the broken one) or an hour later (a failure of the network rather
	// than of the content), not every interval.
	failed map[string]failedObject
}

type failedObject struct {
	obj objstore.Object
	at  time.Time
}

// retryFailedAfter is how long an unchanged object that failed is left
// alone.
const retryFailedAfter = time.Hour

// run ingests at once, then every interval until ctx ends. A run still
// going when ctx ends stops; what it committed stays.
func (f *follower) run(ctx context.Context) {
	for {
		f.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.every):
		}
	}
}

func (f *follower) once(ctx context.Context) {
	if f.failed == nil {
		f.failed = map[string]failedObject{}
	}
	now := time.Now()
	opts := f.opts
	opts.Skip = func(o objstore.Object) bool {
		before, ok := f.failed[o.URI]
		return ok && now.Sub(before.at) < retryFailedAfter &&
			before.obj.Size == o.Size && before.obj.ModTime.Equal(o.ModTime) && before.obj.ETag == o.ETag
	}
	if f.turn != nil {
		f.turn.Lock()
		defer f.turn.Unlock()
	}
	sum, err := ingest.Run(ctx, f.st, f.stores, opts)
	if err != nil {
		if ctx.Err() == nil {
			f.log.Error("ingest_failed", "error", err.Error())
		}
		return
	}
	for _, fl := range sum.Failed {
		f.failed[fl.Path] = failedObject{obj: fl.Object, at: now}
	}
	// Runs that found nothing new are the usual case: logged only when
	// debugging. Failed objects were logged one by one by the run.
	level := slog.LevelInfo
	if sum.Stored == 0 && sum.Duplicates == 0 && len(sum.Failed) == 0 && len(sum.Skipped) == 0 {
		level = slog.LevelDebug
	}
	// How the locations were listed (see ingest.Tail).
	jumps, full := 0, false
	for _, s := range f.stores {
		if t, ok := s.(*ingest.Tail); ok {
			l := t.Last()
			jumps, full = jumps+l.Jumps, full || l.Full
		}
	}
	f.log.Log(ctx, level, "ingest_finished", "full_listing", full, "skipped_ranges", jumps, "objects", sum.Objects, "stored", sum.Stored, "unchanged", sum.Unchanged,
		"duplicate_objects", sum.Duplicates, "skipped", len(sum.Skipped), "failed", len(sum.Failed), "failed_before", sum.FailedBefore,
		"cloudtrail", sum.Events[trailhound.SourceCloudTrail], "vpcflow", sum.Events[trailhound.SourceVPCFlow],
		"guardduty", sum.Events[trailhound.SourceGuardDuty], "seconds", sum.Seconds)
}
