package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/source"
)

// BackfillStore is a store whose connection table (the VPC flow details'
// rows) lacks the flows of objects ingested before it existed.
type BackfillStore interface {
	// ConnBackfillTodo lists those objects, holding flows of [from, to)
	// when set.
	ConnBackfillTodo(ctx context.Context, from, to time.Time) ([]graph.ConnObject, error)
	// WriteConns stores objects' rows and marks them done, atomically.
	WriteConns(ctx context.Context, objs []graph.ConnRows) error
	// FinishConnBackfill forgets the bookkeeping once nothing is left.
	FinishConnBackfill(ctx context.Context) (bool, error)
}

// BackfillOptions tune Backfill. Archive is required.
type BackfillOptions struct {
	Archive *archive.Archive
	// From and To limit the objects to those holding flows of that time
	// (To exclusive); zero means no limit.
	From, To time.Time
	// Workers decode objects in parallel; zero means one per CPU.
	Workers int
	// CommitRecords is how many flow records are gathered per
	// transaction; zero means 100,000.
	CommitRecords int
	Log           *slog.Logger
	Progress      func(Progress)
	// Optimize, when set, is called once the rows are written (the store
	// orders the new rows for reading).
	Optimize func(ctx context.Context) (graph.OptimizeResult, error)
}

// BackfillSummary says what Backfill did.
type BackfillSummary struct {
	Objects int   `json:"objects"`
	Records int64 `json:"records"`
	// Failed are the objects that could not be read again (missing from
	// the archive, or failing to decode); they stay to be backfilled.
	Failed []Failure `json:"failed"`
	// Remaining counts the objects still lacking rows, outside the time
	// asked for or failed; Complete says there are none.
	Remaining int                   `json:"remaining"`
	Complete  bool                  `json:"complete"`
	Seconds   float64               `json:"seconds"`
	Optimized *graph.OptimizeResult `json:"optimized,omitempty"`
}

// Backfill writes the connection rows of flow log objects ingested
// before the store kept them, reading the objects again from the archive
// with the decoder that ingested them. An object that cannot be read is
// reported and left for a later run; the others are stored. Interrupted,
// it loses at most the transaction in progress and resumes where it
// stopped.
func Backfill(ctx context.Context, st BackfillStore, opts BackfillOptions) (*BackfillSummary, error) {
	began := time.Now()
	if opts.Archive == nil {
		return nil, errors.New("ingest: backfill needs the object archive")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	commit := opts.CommitRecords
	if commit <= 0 {
		commit = 100_000
	}
	todo, err := st.ConnBackfillTodo(ctx, opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	sum := &BackfillSummary{Failed: []Failure{}}
	prog := Progress{ObjectsTotal: len(todo)}
	for _, o := range todo {
		prog.BytesTotal += o.Size
	}
	report := func() {
		if opts.Progress != nil {
			prog.Elapsed = time.Since(began)
			opts.Progress(prog)
		}
	}
	report()

	type result struct {
		rows    graph.ConnRows
		records int64
		err     error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan graph.ConnObject)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range jobs {
				conns, records, err := decodeConns(ctx, opts.Archive, o)
				select {
				case results <- result{graph.ConnRows{Object: o, Conns: conns}, records, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, o := range todo {
			select {
			case jobs <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var pending []graph.ConnRows
	var pendingRecords int64
	flush := func() error {
		if err := st.WriteConns(ctx, pending); err != nil {
			return err
		}
		for _, p := range pending {
			sum.Objects++
			prog.BytesDone += p.Object.Size
		}
		sum.Records += pendingRecords
		prog.Records = sum.Records
		prog.ObjectsDone = sum.Objects + len(sum.Failed)
		pending, pendingRecords = nil, 0
		report()
		return nil
	}
	for r := range results {
		if r.err != nil {
			sum.Failed = append(sum.Failed, Failure{Path: r.rows.Object.URI, Error: r.err.Error()})
			opts.Log.Warn("backfill_failed", "object", r.rows.Object.URI, "error", r.err.Error())
			prog.ObjectsDone++
			continue
		}
		pending = append(pending, r.rows)
		pendingRecords += r.records
		if pendingRecords >= int64(commit) {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	prog.Done = true
	report()
	// Optimize runs even when nothing was backfilled: it also builds what
	// a store upgraded from an earlier version lacks (the busiest
	// entities' daily connection rows).
	if opts.Optimize != nil {
		if opts.Progress != nil {
			opts.Progress(Progress{Done: true, Optimizing: true})
		}
		res, err := opts.Optimize(ctx)
		switch {
		case err != nil:
			opts.Log.Warn("optimize_failed", "error", err.Error())
		case len(res.Tables) > 0:
			sum.Optimized = &res
		}
	}
	if sum.Complete, err = st.FinishConnBackfill(ctx); err != nil {
		return nil, err
	}
	if !sum.Complete {
		left, err := st.ConnBackfillTodo(ctx, time.Time{}, time.Time{})
		if err != nil {
			return nil, err
		}
		sum.Remaining = len(left)
	}
	sum.Seconds = time.Since(began).Seconds()
	return sum, nil
}

// decodeConns reads an archived flow log object again and returns its
// connection rows and how many records it holds.
func decodeConns(ctx context.Context, arch *archive.Archive, o graph.ConnObject) (map[graph.ConnKey]*graph.ConnAgg, int64, error) {
	rc, err := arch.Open(o.SHA256)
	if err != nil {
		return nil, 0, fmt.Errorf("archived copy: %w", err)
	}
	defer rc.Close()
	dec, r, err := source.ForStored(rc, o.Source, o.Key)
	if err != nil {
		return nil, 0, fmt.Errorf("archived copy: %w", err)
	}
	if dec == nil || dec.Source() != trailhound.SourceVPCFlow {
		return nil, 0, errors.New("archived copy is not a VPC flow log")
	}
	br := bufio.NewReaderSize(r, 256<<10)
	b := graph.NewBatch()
	if err := dec.Decode(ctx, o.URI, br, b); err != nil {
		return nil, 0, err
	}
	return b.Conns, b.FlowRecords, nil
}
