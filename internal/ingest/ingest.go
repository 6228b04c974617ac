// Package ingest is the pipeline from objects to the store: list the
// locations, skip what is already stored, open, hash and decompress each
// object, pick its decoder, decode it into a graph batch on one of several
// workers, and hand batches to a single writer that commits them to the
// store in transactions, whole objects at a time.
package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/source"

	// The decoders register themselves.
	_ "github.com/trailhound/trailhound/internal/source/cloudtrail"
	_ "github.com/trailhound/trailhound/internal/source/guardduty"
	_ "github.com/trailhound/trailhound/internal/source/vpcflow"
)

// Store is what ingestion needs of a store: which objects it holds, and an
// atomic write of whole objects. internal/storetest checks that every
// implementation behaves the same.
type Store interface {
	// KnownObjects returns the signatures of the stored objects among
	// uris, by URI.
	KnownObjects(ctx context.Context, uris []string) (map[string]graph.ObjectSig, error)
	// Write stores the objects and everything they contributed in one
	// transaction, deduplicating objects by content and records by id.
	Write(ctx context.Context, objs []graph.ObjectWrite, enrich graph.Enricher) ([]graph.ObjectResult, error)
	// Stats counts what the store holds.
	Stats(ctx context.Context) (trailhound.Stats, error)
}

// BulkStore is a store that can tune itself for the writes of a run while
// the decoding workers keep the CPUs busy. Run uses it when the store has
// it.
type BulkStore interface {
	Store
	// BulkWrites tunes the store and returns what undoes it.
	BulkWrites(ctx context.Context) (restore func(), err error)
}

// Optimizer is a store that reorganizes what a run wrote for reading
// (merging, ordering). Run calls it once every write is done; a failure
// there loses nothing and is logged, not returned.
type Optimizer interface {
	Optimize(ctx context.Context) (graph.OptimizeResult, error)
}

// Options tune a run. The zero value is usable.
type Options struct {
	// Workers decode objects in parallel; zero means one per CPU.
	Workers int
	// Log receives one line per failed object and progress lines when no
	// Progress function is set. Nil discards.
	Log *slog.Logger
	// Progress, if set, is called about five times a second and once at
	// the end with the counters so far.
	Progress func(Progress)
	// Enrich geolocates addresses. Workers call it concurrently.
	Enrich graph.Enricher
	// Archive, if set, keeps a copy of every object stored, so that the
	// raw records stay available after the source is gone.
	Archive *archive.Archive
	// CommitRecords is how many records a transaction gathers before it
	// commits; zero means 100,000.
	CommitRecords int
	// Skip, if set, is asked about every listed object that is not stored
	// as listed; the objects it returns true for are not read and count as
	// FailedBefore. serve --ingest uses it not to read again, every few
	// minutes, an object that failed and has not changed since.
	Skip func(objstore.Object) bool
}

// Progress is a snapshot of a run.
type Progress struct {
	ObjectsTotal int
	ObjectsDone  int
	BytesTotal   int64
	BytesDone    int64
	Records      int64
	Elapsed      time.Duration
	Done         bool
	// Optimizing is set on the one call made, after Done, before the
	// store reorganizes itself for reading (see Optimizer).
	Optimizing bool
}

// Failure is an object that could not be ingested, and why.
type Failure struct {
	Path  string `json:"path"`
	Error string `json:"error"`
	// Object is the object as listed (size, time, tag), to recognize it
	// unchanged in a later run (see Options.Skip).
	Object objstore.Object `json:"-"`
}

// Summary is the outcome of a run.
type Summary struct {
	Objects    int       `json:"objects"`
	Stored     int       `json:"stored"`
	Unchanged  int       `json:"unchanged"`
	Duplicates int       `json:"duplicateObjects"`
	Skipped    []Failure `json:"skipped"`
	// FailedBefore counts the objects Options.Skip passed over.
	FailedBefore int                         `json:"failedBefore,omitempty"`
	Failed       []Failure                   `json:"failed"`
	Events       map[trailhound.Source]int64 `json:"events"`
	// DuplicateEvents counts records already stored from other objects
	// (the same event in an organization trail and an account trail).
	DuplicateEvents int64                          `json:"duplicateEvents"`
	Entities        map[trailhound.Namespace]int64 `json:"entities"`
	Bytes           int64                          `json:"bytes"`
	Seconds         float64                        `json:"seconds"`
	// Optimized says what the store reorganized for reading after the
	// writes, when it did.
	Optimized *graph.OptimizeResult `json:"optimized,omitempty"`
}

// located is an object and the store that opens it.
type located struct {
	obj   objstore.Object
	store objstore.Store
}

// decoded is the outcome of reading one object.
type decoded struct {
	loc   located
	sha   string
	src   trailhound.Source
	batch *graph.Batch
	skip  string
	err   error
	bytes int64
}

// Run ingests every object under the locations into st.
func Run(ctx context.Context, st Store, stores []objstore.Store, opts Options) (*Summary, error) {
	start := time.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	commitAt := opts.CommitRecords
	if commitAt <= 0 {
		commitAt = 100_000
	}
	sum := &Summary{Events: map[trailhound.Source]int64{}}
	var mu sync.Mutex // guards sum while the writer runs
	for _, s := range trailhound.Sources {
		sum.Events[s] = 0
	}

	// List everything first: totals drive the progress bar, and the same
	// object named through overlapping locations is read once.
	var listed []located
	var uris []string
	seen := map[string]bool{}
	for _, s := range stores {
		err := s.List(ctx, "", func(o objstore.Object) error {
			if seen[o.URI] {
				return nil
			}
			seen[o.URI] = true
			listed = append(listed, located{obj: o, store: s})
			uris = append(uris, o.URI)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	byURI, err := st.KnownObjects(ctx, uris)
	if err != nil {
		return nil, err
	}
	var todo []located
	var bytesTotal int64
	for _, l := range listed {
		o := l.obj
		sum.Objects++
		if sig, ok := byURI[o.URI]; ok && sig.Size == o.Size && sig.ModTime.Equal(o.ModTime.UTC().Truncate(time.Microsecond)) && sig.ETag == o.ETag {
			sum.Unchanged++
			continue
		}
		if opts.Skip != nil && opts.Skip(o) {
			sum.FailedBefore++
			continue
		}
		todo = append(todo, l)
		bytesTotal += o.Size
	}

	// The store is tuned for writing only when there is something to write:
	// serve --ingest lists its locations every few minutes, usually to find
	// nothing new, while queries run.
	restore := func() {}
	if b, ok := st.(BulkStore); ok && len(todo) > 0 {
		undo, err := b.BulkWrites(ctx)
		if err != nil {
			return nil, err
		}
		var once sync.Once
		restore = func() { once.Do(undo) }
		defer restore()
	}

	var (
		objectsDone atomic.Int64
		bytesDone   atomic.Int64
		records     atomic.Int64
	)
	snapshot := func(done bool) Progress {
		return Progress{ObjectsTotal: len(todo), ObjectsDone: int(objectsDone.Load()), BytesTotal: bytesTotal,
			BytesDone: bytesDone.Load(), Records: records.Load(), Elapsed: time.Since(start), Done: done}
	}
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		lastLog := time.Now()
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
				p := snapshot(false)
				if opts.Progress != nil {
					opts.Progress(p)
				} else if time.Since(lastLog) >= 5*time.Second {
					lastLog = time.Now()
					log.Info("ingest_progress", "objects_done", p.ObjectsDone, "objects_total", p.ObjectsTotal, "records", p.Records, "bytes_done", p.BytesDone)
				}
			}
		}
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan located)
	results := make(chan decoded, workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range jobs {
				d := decodeObject(ctx, l, opts.Archive)
				if d.batch != nil && opts.Enrich != nil {
					d.batch.IPInfo = make(map[string]graph.IPInfo, len(d.batch.IPs))
					for ip := range d.batch.IPs {
						d.batch.IPInfo[ip] = opts.Enrich(ip)
					}
				}
				select {
				case results <- d:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, l := range todo {
			select {
			case jobs <- l:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	// A single writer commits batches while the workers decode the next
	// ones; at most one batch waits, which bounds memory.
	type batch struct {
		objs  []graph.ObjectWrite
		bytes int64
	}
	writes := make(chan batch, 1)
	var writeErr error
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for b := range writes {
			if writeErr != nil {
				continue
			}
			res, err := st.Write(ctx, b.objs, opts.Enrich)
			if err != nil {
				writeErr = err
				cancel()
				continue
			}
			mu.Lock()
			for _, r := range res {
				switch r.Status {
				case graph.StatusStored:
					sum.Stored++
				case graph.StatusDuplicate:
					sum.Duplicates++
				}
				for src, n := range r.New {
					sum.Events[src] += n
				}
				sum.DuplicateEvents += r.Duplicates
			}
			mu.Unlock()
			objectsDone.Add(int64(len(b.objs)))
			bytesDone.Add(b.bytes)
		}
	}()

	var pending batch
	var pendingRecords int
	flush := func() {
		if len(pending.objs) > 0 {
			writes <- pending
		}
		pending, pendingRecords = batch{}, 0
	}
	for d := range results {
		mu.Lock()
		sum.Bytes += d.bytes
		if d.err != nil {
			sum.Failed = append(sum.Failed, Failure{Path: d.loc.obj.URI, Error: d.err.Error(), Object: d.loc.obj})
		}
		if d.skip != "" {
			sum.Skipped = append(sum.Skipped, Failure{Path: d.loc.obj.URI, Error: d.skip})
		}
		mu.Unlock()
		if d.err != nil {
			log.Warn("object_failed", "object", d.loc.obj.URI, "error", d.err.Error())
			objectsDone.Add(1)
			bytesDone.Add(d.bytes)
			continue
		}
		w := graph.ObjectWrite{URI: d.loc.obj.URI, Key: d.loc.obj.Key, Size: d.loc.obj.Size, ModTime: d.loc.obj.ModTime.UTC().Truncate(time.Microsecond),
			ETag: d.loc.obj.ETag, SHA256: d.sha, Source: d.src, Batch: d.batch, Reason: d.skip}
		pending.objs = append(pending.objs, w)
		pending.bytes += d.bytes
		if d.batch != nil {
			pendingRecords += len(d.batch.Calls) + len(d.batch.Findings) + len(d.batch.Flows)
			for _, v := range d.batch.Events() {
				records.Add(v)
			}
		}
		if pendingRecords >= commitAt || len(pending.objs) >= 8192 {
			flush()
		}
	}
	flush()
	close(writes)
	<-writerDone
	close(stopProgress)
	<-progressDone
	if opts.Progress != nil {
		opts.Progress(snapshot(true))
	}
	if writeErr != nil {
		return sum, writeErr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if o, ok := st.(Optimizer); ok {
		// The writes are done: the rewrite may use every CPU.
		restore()
		if opts.Progress != nil {
			p := snapshot(true)
			p.Optimizing = true
			opts.Progress(p)
		}
		res, err := o.Optimize(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return sum, ctx.Err()
		case err != nil:
			log.Warn("optimize_failed", "error", err.Error())
		case len(res.Tables) > 0:
			sum.Optimized = &res
		}
	}
	stats, err := st.Stats(context.WithoutCancel(ctx))
	if err != nil {
		return sum, err
	}
	sum.Entities = stats.Entities
	sort.Slice(sum.Failed, func(i, j int) bool { return sum.Failed[i].Path < sum.Failed[j].Path })
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

// decodeObject reads one object completely: hash of the stored bytes,
// decompression when the content is gzip, detection, and decoding into a
// batch. Any error means nothing of the object is kept.
func decodeObject(ctx context.Context, l located, arch *archive.Archive) decoded {
	d := decoded{loc: l}
	name := l.obj.URI
	rc, err := l.store.Open(ctx, l.obj)
	if err != nil {
		d.err = fmt.Errorf("open: %w", err)
		return d
	}
	defer rc.Close()
	raw := getReader(&rawReaders, rc, 64<<10)
	defer rawReaders.Put(raw)
	magic, _ := raw.Peek(2)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	h := sha256.New()
	var stream io.Reader = io.TeeReader(raw, h)
	var pending *archive.Pending
	if arch != nil {
		if pending, err = arch.Create(gz); err != nil {
			d.err = err
			return d
		}
		defer pending.Abort()
		stream = io.TeeReader(stream, pending)
	}
	counted := &countingReader{r: stream}
	br := getReader(&compressedReaders, counted, 256<<10)
	defer compressedReaders.Put(br)
	var content io.Reader = br
	key := l.obj.Key
	// readFailure describes an error of the stream itself, rather than of
	// the content: for gzip, where the compressed data ended or broke.
	readFailure := func(err error) error {
		if gz {
			return &trailhound.DecodeError{Object: name, Pos: trailhound.Position{Offset: counted.n},
				Reason: fmt.Sprintf("gzip stream is truncated or corrupt (stopped after %d compressed bytes)", counted.n), Err: err}
		}
		return &trailhound.DecodeError{Object: name, Pos: trailhound.Position{Offset: counted.n}, Reason: "cannot read content", Err: err}
	}
	if gz {
		var zr *gzip.Reader
		if pooled, ok := gzipReaders.Get().(*gzip.Reader); ok {
			zr, err = pooled, pooled.Reset(br)
		} else {
			zr, err = gzip.NewReader(br)
		}
		if err != nil {
			d.err = &trailhound.DecodeError{Object: name, Reason: "invalid gzip header", Err: err}
			return d
		}
		defer gzipReaders.Put(zr)
		content = zr
	}
	key = trimGz(key)
	cr := getReader(&contentReaders, content, 256<<10)
	defer contentReaders.Put(cr)
	head, err := cr.Peek(source.HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		d.err = readFailure(err)
		d.bytes = counted.n
		return d
	}
	if len(head) == 0 {
		d.err = &trailhound.DecodeError{Object: name, Reason: "empty object"}
		d.bytes = counted.n
		return d
	}
	dec := detect(key, head)
	if dec == nil {
		d.err = &trailhound.DecodeError{Object: name, Reason: "unrecognized content: not CloudTrail, VPC flow log or GuardDuty findings" + describe(head)}
		d.bytes = counted.n
		return d
	}
	d.src = dec.Source()
	batch := graph.NewBatch()
	if gz && d.src == trailhound.SourceCloudTrail && l.obj.Size > 0 {
		// Gzipped CloudTrail takes about 170 bytes a record; a slight
		// overestimate saves growing the calls several times.
		batch.Grow(int(min(l.obj.Size/160, 1<<14)) + 8)
	}
	err = dec.Decode(ctx, name, cr, batch)
	if s, ok := source.IsSkip(err); ok {
		d.skip = s.Reason
		err = nil
		batch = nil
	}
	if err == nil {
		// Hash the rest, and surface a truncated compressed stream that
		// the decoder did not need to read to the end.
		if _, err2 := io.Copy(io.Discard, cr); err2 != nil {
			err = err2
		}
	}
	d.bytes = counted.n
	if err != nil {
		var de *trailhound.DecodeError
		switch {
		case errors.Is(err, context.Canceled):
		case gz && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader)):
			err = readFailure(err)
		case !errors.As(err, &de):
			err = readFailure(err)
		}
		d.err = err
		return d
	}
	d.sha = hex.EncodeToString(h.Sum(nil))
	d.batch = batch
	if pending != nil && batch != nil {
		if err := pending.Commit(d.sha); err != nil {
			d.err = err
			d.batch = nil
		}
	}
	return d
}

// detect picks the decoder as source.Detect does, but stops at the first
// decoder that recognizes the key layout: nothing ranks above that, and
// the first such decoder is the one source.Detect would return too. The
// content checks of the other decoders scan the whole head: for small
// CloudTrail objects that was a tenth of the cost of decoding them.
func detect(key string, head []byte) source.Decoder {
	var best source.Decoder
	bestConf := source.No
	for _, d := range source.Decoders() {
		c := d.Detect(key, head)
		if c == source.Key {
			return d
		}
		if c > bestConf {
			best, bestConf = d, c
		}
	}
	return best
}

// trimGz removes the compression suffix of a key, which decoders do not
// look at.
func trimGz(key string) string {
	return strings.TrimSuffix(strings.TrimSuffix(key, ".gz"), ".GZ")
}

// Buffers are reused across objects: allocating and clearing them for each
// of many small objects costs more than reading them.
var rawReaders, compressedReaders, contentReaders, gzipReaders sync.Pool

// getReader returns a reader of its own, never r: bufio.NewReaderSize
// returns r itself when r is a large enough *bufio.Reader (uncompressed
// content is the compressed reader), and the same reader put into two
// pools would later be handed out as both the gzip input and the reader
// of the gzip output, a loop that reads until the stack overflows.
func getReader(p *sync.Pool, r io.Reader, size int) *bufio.Reader {
	if br, ok := p.Get().(*bufio.Reader); ok {
		br.Reset(r)
		return br
	}
	br := bufio.NewReaderSize(nil, size)
	br.Reset(r)
	return br
}

// describe gives a hint about content no decoder recognized: binary, or
// how the text begins.
func describe(head []byte) string {
	if len(head) > 0 && !isText(head) {
		return " (binary data)"
	}
	start := strings.TrimSpace(string(head[:min(len(head), 256)]))
	if i := strings.IndexByte(start, '\n'); i >= 0 {
		start = start[:i]
	}
	if len(start) > 60 {
		start = start[:60] + "..."
	}
	return fmt.Sprintf(" (content begins %q)", start)
}

func isText(b []byte) bool {
	n := len(b)
	if n > 512 {
		n = 512
	}
	for _, c := range b[:n] {
		if c == 0 || (c < 0x09) || (c > 0x0d && c < 0x20 && c != 0x1b) {
			return false
		}
	}
	return true
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
