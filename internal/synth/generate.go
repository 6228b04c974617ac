package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Progress reports how far generation is. Counts are cumulative.
type Progress struct {
	// Tasks is the number of units of work (one account's logs of one kind
	// for one day, or one day's findings) done, out of TaskTotal.
	Tasks     int
	TaskTotal int
	// Days is the number of days fully written, out of DayTotal.
	Days     int
	DayTotal int
	// Objects and Bytes count the objects written and their compressed
	// size.
	Objects int64
	Bytes   int64
	// Events, Flows and Findings count CloudTrail records, flow log
	// records and GuardDuty finding versions written.
	Events   int64
	Flows    int64
	Findings int64
	// Elapsed is the time since Generate started.
	Elapsed time.Duration
}

// taskKind is what a task writes.
type taskKind uint8

const (
	taskCloudTrail taskKind = iota
	taskFlows
	taskGuardDuty
)

type task struct {
	plan *dayPlan
	acct *account
	kind taskKind
	day  *dayState
}

// dayState counts a day's outstanding tasks, for progress.
type dayState struct {
	left int
}

// Generate writes the synthetic organization's logs for the configured span
// to out, as AWS delivers them to S3, and returns the ground truth, which it
// also writes as truth.json. Output is deterministic for a configuration:
// every object is seeded from the configuration's seed and its own name,
// never from the order in which workers run, and gzip headers carry no
// timestamp. Memory stays bounded: days are planned one after another and
// written file by file by a bounded pool of workers. progress, if not nil,
// is called after each task from one goroutine at a time.
func Generate(ctx context.Context, cfg Config, out Writer, progress func(Progress)) (*Truth, error) {
	cfg, err := cfg.withDefaults(time.Now())
	if err != nil {
		return nil, err
	}
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	st := &genState{start: time.Now(), progress: progress, truth: &truthCollector{events: map[*scenarioRun][]idAt{}, flows: map[*scenarioRun]int{}}}
	first, last := 0, w.days-1
	if cfg.FirstDay != 0 {
		first, last = cfg.FirstDay-1, cfg.LastDay-1
	}
	st.p.DayTotal = last - first + 1
	st.p.TaskTotal = st.p.DayTotal * (2*len(w.accounts) + 1)

	tasks := make(chan task, workers*2)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(w, out, st.truth)
			for t := range tasks {
				if ctx.Err() != nil {
					continue
				}
				var err error
				switch t.kind {
				case taskCloudTrail:
					err = wk.cloudTrailDay(ctx, t.plan, t.acct)
				case taskFlows:
					err = wk.flowDay(ctx, t.plan, t.acct)
				case taskGuardDuty:
					err = wk.guardDutyDay(ctx, t.plan)
				}
				if err != nil {
					cancel(err)
					continue
				}
				st.done(wk, t)
			}
		}()
	}
	// Plan days in order and hand out their tasks. The channel's capacity
	// bounds how many plans are alive at once. Big accounts go first so
	// that a day's stragglers are small.
	order := w.byLoad()
produce:
	for day := first; day <= last; day++ {
		p := w.planDay(day)
		ds := &dayState{left: 2*len(order) + 1}
		for _, a := range order {
			for _, k := range []taskKind{taskCloudTrail, taskFlows} {
				select {
				case tasks <- task{plan: p, acct: a, kind: k, day: ds}:
				case <-ctx.Done():
					break produce
				}
			}
		}
		select {
		case tasks <- task{plan: p, kind: taskGuardDuty, day: ds}:
		case <-ctx.Done():
			break produce
		}
	}
	close(tasks)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}

	truth := w.truth(st.truth, Totals{Objects: st.p.Objects, Bytes: st.p.Bytes, CloudTrailEvents: st.p.Events,
		FlowRecords: st.p.Flows, FindingVersions: st.p.Findings})
	data, err := json.MarshalIndent(truth, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: encode truth: %w", err)
	}
	data = append(data, '\n')
	if err := out.Put(ctx, "truth.json", bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, fmt.Errorf("synth: write truth: %w", err)
	}
	return truth, nil
}

// byLoad orders accounts by how much they log, busiest first.
func (w *world) byLoad() []*account {
	load := make([]float64, len(w.accounts))
	for _, ac := range w.actors {
		load[ac.acct.idx] += ac.weight
	}
	out := make([]*account, len(w.accounts))
	copy(out, w.accounts)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && load[out[j].idx] > load[out[j-1].idx]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// genState is shared by workers: totals and progress.
type genState struct {
	mu       sync.Mutex
	p        Progress
	start    time.Time
	progress func(Progress)
	truth    *truthCollector
}

func (st *genState) done(wk *worker, t task) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &wk.stats
	st.p.Objects += s.objects
	st.p.Bytes += s.bytes
	st.p.Events += s.events
	st.p.Flows += s.flows
	st.p.Findings += s.findings
	*s = workerStats{}
	st.p.Tasks++
	t.day.left--
	if t.day.left == 0 {
		st.p.Days++
	}
	st.p.Elapsed = time.Since(st.start)
	if st.progress != nil {
		st.progress(st.p)
	}
}

type workerStats struct {
	objects, bytes, events, flows, findings int64
}

// worker owns the buffers one goroutine reuses from file to file.
type worker struct {
	w     *world
	out   Writer
	truth *truthCollector
	evs   []event
	byReg [][]int32
	flows []flowRec
	buf   []byte
	key   []byte
	ctx   evctx
	zbuf  bytes.Buffer
	zw    *gzip.Writer
	stats workerStats
}

func newWorker(w *world, out Writer, tc *truthCollector) *worker {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return &worker{w: w, out: out, truth: tc, zw: zw, buf: make([]byte, 0, 1<<20)}
}

// put compresses data and hands it to the writer.
func (wk *worker) put(ctx context.Context, key string, data []byte) error {
	wk.zbuf.Reset()
	wk.zw.Reset(&wk.zbuf)
	if _, err := wk.zw.Write(data); err != nil {
		return fmt.Errorf("synth: compress %s: %w", key, err)
	}
	if err := wk.zw.Close(); err != nil {
		return fmt.Errorf("synth: compress %s: %w", key, err)
	}
	wk.stats.objects++
	wk.stats.bytes += int64(wk.zbuf.Len())
	if err := wk.out.Put(ctx, key, bytes.NewReader(wk.zbuf.Bytes()), int64(wk.zbuf.Len())); err != nil {
		return fmt.Errorf("synth: put %s: %w", key, err)
	}
	return nil
}
