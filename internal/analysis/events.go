package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"

	// The decoders the ingest pipeline used, so that an archived object
	// is recognized and decoded exactly as it was when it was stored.
	_ "github.com/trailhound/trailhound/internal/source/cloudtrail"
	_ "github.com/trailhound/trailhound/internal/source/guardduty"
	_ "github.com/trailhound/trailhound/internal/source/vpcflow"
)

// EventsRequest asks for the raw records behind an entity's numbers in a
// scope (zero Start and End: the entity's default scope), from one
// source: CloudTrail events, VPC flow records or GuardDuty findings.
// Source defaults to CloudTrail for the types API calls are attributed
// to, VPC flows for instances and GuardDuty for the others. Filters are
// the filters of the panels the records stand behind: the
// activity-details filters for CloudTrail (api, service, ip, ipClass,
// ...), the VPC flow details filters for flows (ip, localPort, protocol,
// action, finding, ...), none for findings; so the records match the
// numbers of a filtered panel.
type EventsRequest struct {
	Entity  trailhound.EntityRef
	Source  trailhound.Source
	Start   int64
	End     int64
	Filters map[string]string
}

// EventStream yields the raw records of an EventsRequest. Creating it
// checks the request, so that errors are known before anything is sent;
// Each, EachFlow or EachFinding (as Source says) then reads the records.
type EventStream struct {
	e      *Engine
	sub    subject
	key    int64
	ns     trailhound.Namespace
	filter *activityFilter
	// Source is the source whose records the stream yields.
	Source trailhound.Source
	// Scope is the time the records cover: the scope asked for, or for
	// flow records the whole hours it touches, as the flow panels count.
	Scope    trailhound.Scope
	flows    *flowScan
	findings *findingQuery
}

// DefaultEventsSource is the source of an entity type's raw records when
// a request names none.
func DefaultEventsSource(ns trailhound.Namespace) trailhound.Source {
	if _, ok := subjectFor(ns, 0); ok {
		return trailhound.SourceCloudTrail
	}
	if ns == trailhound.Ec2Instance {
		return trailhound.SourceVPCFlow
	}
	return trailhound.SourceGuardDuty
}

// Events checks a request for raw records: the entity must exist
// (ENOTFOUND) and have records of the source (EINVALID naming entity),
// the scope and filters must be valid, and for CloudTrail and flows the
// archive must be available.
func (e *Engine) Events(ctx context.Context, req EventsRequest) (*EventStream, error) {
	src := req.Source
	if src == "" {
		src = DefaultEventsSource(req.Entity.Type)
	}
	switch src {
	case trailhound.SourceCloudTrail:
	case trailhound.SourceVPCFlow:
		return e.flowEvents(ctx, req)
	case trailhound.SourceGuardDuty:
		return e.findingEvents(ctx, req)
	default:
		return nil, trailhound.Errorf(trailhound.EINVALID, "source %q must be cloudtrail, vpcflow or guardduty", src)
	}
	if !slices.Contains(apiCallers, req.Entity.Type) {
		return nil, trailhound.Errorf(trailhound.EINVALID, "entity %s has no CloudTrail events attributed to it (entity)", req.Entity)
	}
	if e.archive == nil {
		return nil, trailhound.Errorf(trailhound.EINVALID, "raw records are unavailable: this server has no object archive")
	}
	filter, err := parseActivityFilter(req.Filters)
	if err != nil {
		return nil, err
	}
	if _, ok := req.Filters["bucket"]; ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "bucket is not a parameter of events: give the bucket as the scope")
	}
	ent, err := e.lookup(ctx, req.Entity)
	if err != nil {
		return nil, err
	}
	sub, _, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	scope, err := ResolveScope(req.Start, req.End, entityDefaultScope(ent.LastSeen))
	if err != nil {
		return nil, err
	}
	return &EventStream{e: e, sub: sub, key: ent.Key, ns: ent.Ref.Type, filter: filter, Source: trailhound.SourceCloudTrail, Scope: scope}, nil
}

// eventBatch is how many records are located before their objects are
// read: each object is decoded once per batch (twice when its records
// straddle two), and memory stays bounded however many records the scope
// holds (three batches at most: one handed to fn, one ready, one being
// read). A variable for the tests.
var eventBatch = 5000

type eventLoc struct {
	ipKey     int64
	callerKey int64
	objectID  int64
	record    int
	eventID   string
}

// archivedObject is where an object's records are read back from.
type archivedObject struct {
	sha, key, uri, source string
}

// Each calls fn with every record, oldest first (ties by event id). The
// call's Raw field is the record exactly as delivered. A record that is
// no longer in the archive is an error, not a silent gap.
//
// Records are located and decoded a batch at a time, the next batch while
// fn handles the current one: locating, decoding and writing out each
// take a good share of the time, and this way they use every core.
func (s *EventStream) Each(ctx context.Context, fn func(*trailhound.APICall) error) error {
	if s.Source != trailhound.SourceCloudTrail {
		return fmt.Errorf("analysis: events: the stream holds %s records, not CloudTrail events", s.Source)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan *eventBatchRead, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.readBatches(ctx, ready)
		close(ready)
	}()
	var failure error
	for b := range ready {
		if failure != nil {
			continue // drains the reader, which stops on the cancel
		}
		if failure = s.emit(b, fn); failure != nil {
			cancel()
		}
	}
	err := <-done
	if failure != nil {
		return failure
	}
	return err
}

// eventBatchRead is a batch of located records with everything emit
// needs: the decoded calls by object and record, and the names and
// locations the filters read.
type eventBatchRead struct {
	locs      []eventLoc
	objects   map[int64]archivedObject
	got       map[int64]map[int]*trailhound.APICall
	locations map[int64]*IPInfo
	callers   *rowBuilder
}

// readBatches locates the stream's records in order and sends them to
// ready a batch at a time, read.
func (s *EventStream) readBatches(ctx context.Context, ready chan<- *eventBatchRead) error {
	ts := s.e.dialect.Timestamp()
	// Objects are looked up once per batch rather than joined: their
	// names would be read again for every record.
	// Only the columns the filters need are read: the keys of hundreds of
	// thousands of rows cost more to fetch than to sort.
	cols := "object_id, record_index, event_id"
	filtered := len(s.filter.active) > 0
	if filtered {
		callerCol, _ := callerColumn(s.ns)
		cols += ", ip_key, " + callerCol
	}
	q := `SELECT ` + cols + ` FROM events
WHERE ` + s.sub.where + ` AND event_time >= ` + ts + ` AND event_time < ` + ts + `
ORDER BY event_time, event_id`
	args := append(slices.Clone(s.sub.args), s.Scope.Start, s.Scope.End)
	rows, err := s.e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("analysis: events: %w", err)
	}
	defer rows.Close()
	objects := map[int64]archivedObject{}
	send := func(locs []eventLoc) error {
		b, err := s.read(ctx, locs, objects)
		if err != nil {
			return err
		}
		select {
		case ready <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	batch := make([]eventLoc, 0, eventBatch)
	for rows.Next() {
		var l eventLoc
		dest := []any{&l.objectID, &l.record, &l.eventID}
		if filtered {
			dest = append(dest, &l.ipKey, &l.callerKey)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("analysis: events: %w", err)
		}
		batch = append(batch, l)
		if len(batch) == eventBatch {
			if err := send(batch); err != nil {
				return err
			}
			batch = make([]eventLoc, 0, eventBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analysis: events: %w", err)
	}
	if len(batch) == 0 {
		return nil
	}
	return send(batch)
}

// archivedObjects adds the objects of ids that known lacks.
func (e *Engine) archivedObjects(ctx context.Context, ids map[int64]map[int]bool, known map[int64]archivedObject) error {
	var missing []any
	for id := range ids {
		if _, ok := known[id]; !ok {
			missing = append(missing, id)
		}
	}
	// Object ids grow with every write and the table is in that order: the
	// range of a sorted chunk lets DuckDB skip the rest of the table.
	slices.SortFunc(missing, func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) })
	const chunk = 500
	for i := 0; i < len(missing); i += chunk {
		part := missing[i:min(i+chunk, len(missing))]
		args := append([]any{part[0], part[len(part)-1]}, part...)
		rows, err := e.db.QueryContext(ctx, `SELECT object_id, sha256, key, uri, coalesce(source, '') FROM objects
WHERE object_id BETWEEN ? AND ? AND object_id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return fmt.Errorf("analysis: events: objects: %w", err)
		}
		for rows.Next() {
			var id int64
			var o archivedObject
			if err := rows.Scan(&id, &o.sha, &o.key, &o.uri, &o.source); err != nil {
				rows.Close()
				return fmt.Errorf("analysis: events: objects: %w", err)
			}
			known[id] = o
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("analysis: events: objects: %w", err)
		}
	}
	return nil
}

// qualify prefixes the key columns of a subject's condition with a table
// alias.
func qualify(where, alias string) string {
	for _, col := range []string{"principal_key", "role_key", "account_key", "ip_key", "ua_key", "access_key_key", "bucket_key"} {
		where = strings.ReplaceAll(where, col, alias+col)
	}
	return where
}

// read decodes the objects of a batch and looks up what its filters need.
func (s *EventStream) read(ctx context.Context, batch []eventLoc, objects map[int64]archivedObject) (*eventBatchRead, error) {
	wanted := map[int64]map[int]bool{}
	for _, l := range batch {
		if wanted[l.objectID] == nil {
			wanted[l.objectID] = map[int]bool{}
		}
		wanted[l.objectID][l.record] = true
	}
	if err := s.e.archivedObjects(ctx, wanted, objects); err != nil {
		return nil, err
	}
	got, err := s.e.readObjects(ctx, wanted, objects)
	if err != nil {
		return nil, err
	}
	// The batch's own objects: the reader adds to objects meanwhile.
	mine := make(map[int64]archivedObject, len(wanted))
	for id := range wanted {
		mine[id] = objects[id]
	}
	b := &eventBatchRead{locs: batch, objects: mine, got: got, callers: &rowBuilder{}}
	if len(s.filter.ipClass) > 0 {
		keys := map[int64]bool{}
		for _, l := range batch {
			keys[l.ipKey] = true
		}
		if b.locations, err = s.e.ipInfos(ctx, keys); err != nil {
			return nil, err
		}
	}
	// Callers are named as the activity details name them.
	if s.filter.usesCaller() {
		keys := map[int64]bool{}
		for _, l := range batch {
			keys[l.callerKey] = true
		}
		if b.callers.names, err = s.e.names(ctx, keys); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// emit passes the records of a batch read to fn in the batch's order.
func (s *EventStream) emit(b *eventBatchRead, fn func(*trailhound.APICall) error) error {
	for _, l := range b.locs {
		c := b.got[l.objectID][l.record]
		if c == nil {
			o := b.objects[l.objectID]
			return fmt.Errorf("analysis: events: record %d of object %s (%s) is missing from the archive", l.record, o.sha, o.uri)
		}
		if c.EventID != l.eventID {
			return fmt.Errorf("analysis: events: record %d of object %s is event %q, the store says %q", l.record, b.objects[l.objectID].uri, c.EventID, l.eventID)
		}
		if len(s.filter.active) > 0 {
			api, ip := callRows(c, l.ipKey, b.locations)
			if !s.filter.keep(api, ip, b.callers.entityRow("caller", l.callerKey, "")) {
				continue
			}
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// callRows describes a call as the API and address rows of the activity
// details, so that the same filter decides for panels and records.
func callRows(c *trailhound.APICall, ipKey int64, locations map[int64]*IPInfo) (api, ip ActivityRow) {
	api = ActivityRow{Kind: "api", Label: c.Source + ":" + c.Name, Service: c.Source, API: c.Name}
	ip = ActivityRow{Kind: "ip", Label: c.SourceIP, Location: locations[ipKey]}
	if ipKey != 0 {
		if a, err := netip.ParseAddr(c.SourceIP); err == nil {
			ip.Entity = &Ref{Type: trailhound.IPAddress, ID: a.Unmap().String()}
		}
	}
	return api, ip
}

// readObjects reads the wanted records of several objects, decoding
// objects side by side: decoding is most of the cost of reading records
// back, and objects are independent.
func (e *Engine) readObjects(ctx context.Context, wanted map[int64]map[int]bool, objects map[int64]archivedObject) (map[int64]map[int]*trailhound.APICall, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := make(chan int64, len(wanted))
	for id := range wanted {
		ids <- id
	}
	close(ids)
	got := make(map[int64]map[int]*trailhound.APICall, len(wanted))
	var mu sync.Mutex
	var failure error
	var wg sync.WaitGroup
	for range min(flowWorkers, len(wanted)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				o, ok := objects[id]
				var calls map[int]*trailhound.APICall
				var err error
				if ok {
					calls, err = e.readRecords(ctx, o, wanted[id])
				} else {
					err = fmt.Errorf("analysis: events: object %d is not in the store", id)
				}
				mu.Lock()
				if err != nil && failure == nil {
					failure = err
					cancel()
				}
				got[id] = calls
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return got, failure
}

// readRecords decodes an archived object with the decoder that read it
// at ingest, and keeps the calls whose 1-based index is wanted.
func (e *Engine) readRecords(ctx context.Context, l archivedObject, wanted map[int]bool) (map[int]*trailhound.APICall, error) {
	rc, err := e.openArchived(l.sha)
	if err != nil {
		return nil, fmt.Errorf("analysis: events: %s: %w", l.uri, err)
	}
	defer rc.Close()
	dec, r, err := archivedDecoder(rc, trailhound.Source(l.source), l.key)
	if err != nil {
		return nil, fmt.Errorf("analysis: events: %s: %w", l.uri, err)
	}
	last := 0
	for i := range wanted {
		last = max(last, i)
	}
	sink := &recordSink{wanted: wanted, last: last, out: map[int]*trailhound.APICall{}}
	err = dec.Decode(ctx, l.uri, r, sink)
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("analysis: events: %w", err)
	}
	return sink.out, nil
}

// openArchived opens an archived object and decompresses it on another
// goroutine, a buffer ahead of the reader: decompression is about a third
// of the cost of reading records back, and this way it runs on the other
// core while the decoder works. Closing the reader early stops it.
func (e *Engine) openArchived(sha string) (io.ReadCloser, error) {
	rc, err := e.archive.Open(sha)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		buf := copyBuffers.Get().(*[]byte)
		_, err := io.CopyBuffer(struct{ io.Writer }{pw}, struct{ io.Reader }{rc}, *buf)
		copyBuffers.Put(buf)
		rc.Close()
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// copyBuffers are the buffers decompressed data is handed over in.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 128<<10); return &b }}

// archivedDecoder returns the decoder of an archived object (see
// source.ForStored). The reader returned replaces r.
func archivedDecoder(r io.Reader, src trailhound.Source, key string) (source.Decoder, io.Reader, error) {
	dec, r, err := source.ForStored(r, src, key)
	if err != nil {
		return nil, nil, err
	}
	if dec == nil {
		return nil, nil, errors.New("archived object is not recognized")
	}
	return dec, r, nil
}

// errEnough stops decoding once the last wanted record is read.
var errEnough = errors.New("analysis: enough records")

// recordSink keeps the wanted calls of an object, counted the way ingest
// numbers them: every call the decoder emits, from 1.
type recordSink struct {
	n      int
	last   int
	wanted map[int]bool
	out    map[int]*trailhound.APICall
}

func (s *recordSink) APICall(c *trailhound.APICall) error {
	s.n++
	if s.wanted[s.n] {
		s.out[s.n] = c
	}
	if s.n >= s.last {
		return errEnough
	}
	return nil
}

func (s *recordSink) Flow(*trailhound.Flow) error       { return nil }
func (s *recordSink) Finding(*trailhound.Finding) error { return nil }
