// Package cloudtrail decodes AWS CloudTrail logs into trailhound.APICall
// events. It is the source of everything the behavior graph knows about
// principals, sessions, access keys and the API calls they made; the graph
// extraction reads the normalized events it emits.
//
// One Decoder reads every shape CloudTrail events come in: log files as
// delivered to S3 ({"Records":[...]}, including CloudTrail Insights files),
// plain JSON arrays of records, newline-delimited records, Amazon
// EventBridge events of the "... via CloudTrail" detail types (one per line
// or in an array), and the output of `aws cloudtrail lookup-events`. Digest
// files are recognized and skipped. The package registers its Decoder with
// the source registry when it is imported.
//
// Objects are read as a stream: memory use is bounded by the largest single
// record (or line), not by the size of the object.
package cloudtrail

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

func init() {
	source.Register(Decoder{})
}

// Decoder decodes CloudTrail objects. The zero value is ready to use and is
// safe for concurrent use.
//
// Decode emits records as it reads them. When it then meets a problem it
// returns one *trailhound.DecodeError, and the records already emitted
// belong to an object that the pipeline discards as a whole: an object is
// stored entirely or not at all.
//
// Each emitted APICall owns its memory. Its Raw is a copy of the record's
// bytes, and its strings share memory with Raw, so keeping any string of an
// event keeps that event's Raw (and no other memory) alive; a sink that
// caches a string beyond the event's life should strings.Clone it.
type Decoder struct{}

// Source returns trailhound.SourceCloudTrail.
func (Decoder) Source() trailhound.Source { return trailhound.SourceCloudTrail }

// Decode reads one decompressed CloudTrail object and emits an APICall for
// each record. It returns a *source.Skip for digest files, a
// *trailhound.DecodeError for content it cannot decode (read errors of r
// included, as the error's Err), the sink's error if the sink fails, and the
// context's error if ctx ends between two records.
func (Decoder) Decode(ctx context.Context, key string, r io.Reader, sink source.Sink) error {
	if isDigestKey(key) {
		return &source.Skip{Reason: "CloudTrail digest file"}
	}
	s := newScanner(r)
	defer s.release()
	d := &run{ctx: ctx, done: ctx.Done(), key: key, sink: sink, s: s}
	if c, ok := sink.(CopyingSink); ok {
		d.lend = c.CopiesAPICalls()
	}
	return d.all()
}

// CopyingSink is a sink that copies what it keeps of an APICall before
// APICall returns. Decode then hands it APICalls whose Raw, and the
// strings and JSON texts taken from it, point into the decoder's read
// buffer, and reuses them for the next record: a sink that owns each
// record would cost a copy of every record's bytes, most of which it does
// not keep.
type CopyingSink interface {
	source.Sink
	// CopiesAPICalls reports whether the sink copies what it keeps.
	CopiesAPICalls() bool
}

// run is the state of one Decode call.
type run struct {
	ctx     context.Context
	done    <-chan struct{}
	key     string
	sink    source.Sink
	s       *scanner // the object's stream
	info    objInfo  // members of the value being handled
	inner   objInfo  // members of a record inside an event or a string
	rec     record   // reused for every record: its strings point into each record's Raw
	values  int      // top-level values seen
	emitted int
	lend    bool               // the sink copies what it keeps (CopyingSink)
	call    trailhound.APICall // reused for every record when lend is set
}

// where locates a value for error messages.
type where struct {
	s      *scanner
	at     int  // index of the value's first byte in s.buf
	record int  // index in its array or envelope, from 1; 0 when not in one
	line   bool // report the line even when it is the first
}

func (d *run) fail(w where, reason string, err error) error {
	return d.failAt(w, w.at, reason, err)
}

// failAt is fail for a problem at buffer index i rather than at the value's
// start.
func (d *run) failAt(w where, i int, reason string, err error) error {
	pos := trailhound.Position{Offset: w.s.offset(i), Record: w.record}
	if l := w.s.line(i); w.line || l > 1 {
		pos.Line = l
	}
	return &trailhound.DecodeError{Object: d.key, Pos: pos, Reason: reason, Err: err}
}

// readFailed reports a failure of the reader, which ends the object.
func (d *run) readFailed(w where) error {
	return d.failAt(w, len(w.s.buf), "reading the object failed", w.s.rerr)
}

// truncated reports that the input ended inside what; the position is
// where it ended.
func (d *run) truncated(w where, what string) error {
	if w.s.rerr != nil {
		return d.readFailed(w)
	}
	return d.failAt(w, len(w.s.buf), "input ends inside "+what+" (truncated object?)", nil)
}

func (d *run) canceled() error {
	select {
	case <-d.done:
		return d.ctx.Err()
	default:
		return nil
	}
}

// all decodes the whole stream: one or more JSON values separated by white
// space, usually a single envelope or array, or one record per line.
func (d *run) all() error {
	s := d.s
	c, ok := s.skipSpace()
	if ok && c == 0xEF && d.bom() {
		c, ok = s.skipSpace()
	}
	if !ok {
		w := where{s: s, at: s.pos}
		switch {
		case s.rerr != nil:
			return d.readFailed(w)
		case s.offset(len(s.buf)) == 0:
			return d.fail(w, "empty object", nil)
		default:
			return d.fail(w, "object holds only white space", nil)
		}
	}
	for ok {
		if err := d.canceled(); err != nil {
			return err
		}
		if err := d.topValue(c); err != nil {
			return err
		}
		d.values++
		c, ok = s.skipSpace()
	}
	if s.rerr != nil {
		return d.readFailed(where{s: s, at: s.pos})
	}
	return nil
}

// bom skips a UTF-8 byte order mark at the very start of the object.
func (d *run) bom() bool {
	s := d.s
	for len(s.buf)-s.pos < 3 && s.more() {
	}
	if s.offset(s.pos) == 0 && bytes.HasPrefix(s.buf[s.pos:], []byte{0xEF, 0xBB, 0xBF}) {
		s.pos += 3
		return true
	}
	return false
}

// topValue handles one top-level value starting with c at s.pos.
func (d *run) topValue(c byte) error {
	s := d.s
	w := where{s: s, at: s.pos}
	switch c {
	case '{':
		return d.topObject()
	case '[':
		s.pos++
		return d.array(s, w, "")
	}
	if d.values == 0 {
		return d.fail(w, describeStart(s.buf[s.pos:]), nil)
	}
	w.line = true
	if c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || ('0' <= c && c <= '9') {
		return d.fail(w, "unexpected JSON "+jsonKind(c)+" after the previous value; want an object or array", nil)
	}
	return d.fail(w, syntaxReason(s.buf, s.pos)+" after the previous JSON value", nil)
}

// topObject handles a top-level object. When its first member is Records or
// Events (a log file or lookup-events output), the array is streamed record
// by record; any other object is read whole and handled as an item.
func (d *run) topObject() error {
	s := d.s
	w := where{s: s, at: s.pos, line: true}
	v, st := s.unit(unitPeek, nil)
	w.at = s.pos
	if st == scanShort {
		return d.truncated(w, "a JSON object")
	}
	if st == scanOK {
		bit := memberBit(firstKey(s.buf[s.pos:v]))
		if (bit == hasRecords || bit == hasEvents) && s.buf[v] == '[' {
			s.pos++
			return d.members(w)
		}
	}
	end, st := s.unit(unitObject, &d.info)
	w.at = s.pos
	switch st {
	case scanShort:
		return d.truncated(w, "a JSON object")
	case scanBad:
		return d.failAt(w, end, syntaxReason(s.buf, end), nil)
	}
	if err := d.item(w, end, true); err != nil {
		return err
	}
	s.pos = end
	return nil
}

// firstKey returns the first key of the object text b (as checked by
// peekFirstMember), without its quotes.
func firstKey(b []byte) []byte {
	i := skipSpaceIn(b, 1)
	j, _ := skipString(b, i)
	return b[i+1 : j-1]
}

// members streams the members of an envelope object from s.pos (just after
// '{'): the Records or Events arrays record by record, anything else is
// checked and ignored.
func (d *run) members(obj where) error {
	s := d.s
	c, ok := s.skipSpace()
	for {
		if !ok {
			return d.truncated(obj, "an envelope object")
		}
		w := where{s: s, at: s.pos, line: obj.line}
		if c != '"' {
			return d.fail(w, syntaxReason(s.buf, s.pos), nil)
		}
		end, st := s.unit(unitString, nil)
		w.at = s.pos
		if st != scanOK {
			return d.truncated(w, "an object key")
		}
		key := s.buf[s.pos+1 : end-1]
		bit := memberBit(key)
		name := string(key)
		s.pos = end
		if c, ok = s.skipSpace(); !ok {
			return d.truncated(obj, "an envelope object")
		}
		if c != ':' {
			return d.failAt(w, s.pos, syntaxReason(s.buf, s.pos), nil)
		}
		s.pos++
		if c, ok = s.skipSpace(); !ok {
			return d.truncated(obj, "an envelope object")
		}
		vw := where{s: s, at: s.pos, line: obj.line}
		switch {
		case (bit == hasRecords || bit == hasEvents) && c == '[':
			s.pos++
			if err := d.array(s, vw, name); err != nil {
				return err
			}
		case bit == hasRecords || bit == hasEvents:
			return d.fail(vw, fmt.Sprintf("%s is a JSON %s, not an array", name, jsonKind(c)), nil)
		default:
			end, st := s.unit(unitValue, nil)
			vw.at = s.pos
			switch {
			case st == scanShort:
				return d.truncated(vw, "the value of "+quoteShort(name))
			case st == scanBad || !stdjson.Valid(s.buf[s.pos:end]):
				return d.fail(vw, "invalid JSON in the value of "+quoteShort(name), nil)
			}
			s.pos = end
		}
		if c, ok = s.skipSpace(); !ok {
			return d.truncated(obj, "an envelope object")
		}
		switch c {
		case ',':
			s.pos++
			c, ok = s.skipSpace()
		case '}':
			s.pos++
			return nil
		default:
			return d.fail(where{s: s, at: s.pos, line: obj.line}, syntaxReason(s.buf, s.pos), nil)
		}
	}
}

// array handles the elements of an array whose '[' is just before s.pos:
// each must be a record or an event wrapping one. name is the envelope
// member holding the array, or "" for a bare array.
func (d *run) array(s *scanner, arr where, name string) error {
	what := "the array"
	if name != "" {
		what = "the " + name + " array"
	}
	c, ok := s.skipSpace()
	if !ok {
		return d.truncated(arr, what)
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for n := 1; ; n++ {
		if err := d.canceled(); err != nil {
			return err
		}
		w := where{s: s, at: s.pos, record: n}
		if c != '{' {
			if c == ',' || c == ']' || c == '}' || c == ':' {
				return d.fail(w, syntaxReason(s.buf, s.pos), nil)
			}
			return d.fail(w, fmt.Sprintf("element is a JSON %s, not an object", jsonKind(c)), nil)
		}
		end, st := s.unit(unitObject, &d.info)
		w.at = s.pos
		switch st {
		case scanShort:
			return d.truncated(w, fmt.Sprintf("record %d", n))
		case scanBad:
			return d.failAt(w, end, syntaxReason(s.buf, end), nil)
		}
		if err := d.item(w, end, false); err != nil {
			return err
		}
		s.pos = end
		if c, ok = s.skipSpace(); !ok {
			return d.truncated(arr, what)
		}
		switch c {
		case ',':
			s.pos++
			if c, ok = s.skipSpace(); !ok {
				return d.truncated(arr, what)
			}
		case ']':
			s.pos++
			return nil
		default:
			return d.fail(where{s: s, at: s.pos, record: n}, syntaxReason(s.buf, s.pos)+" after the element", nil)
		}
	}
}

// item handles one object, s.buf[w.at:end], whose members d.info describes:
// a record, an EventBridge event, a lookup-events entry, or (at the top
// level) an envelope or a digest.
func (d *run) item(w where, end int, top bool) error {
	s := w.s
	b := s.buf[w.at:end]
	info := d.info
	switch {
	case info.has&(hasRecords|hasEvents) != 0:
		if !top {
			return d.fail(w, "an envelope (Records or Events) inside another one", nil)
		}
		return d.envelope(w, info)
	case info.has&hasDetailType != 0:
		return d.eventBridge(w, b, info)
	case info.has&hasCloudTrailEvent != 0:
		return d.lookupEntry(w, b)
	case info.has&hasDigest != 0 && info.has&hasRecordKey == 0:
		if top && d.values == 0 && d.emitted == 0 {
			return &source.Skip{Reason: "CloudTrail digest file"}
		}
		return d.fail(w, "a CloudTrail digest among records", nil)
	case info.has&hasRecordKey != 0:
		if d.lend {
			return d.record(w, b, w.at, &info)
		}
		return d.record(w, bytes.Clone(b), w.at, &info)
	case info.has&hasFindingKey != 0:
		return d.fail(w, "object looks like a GuardDuty finding, not a CloudTrail record", nil)
	}
	return d.fail(w, "unrecognized object: none of the members of a CloudTrail record (eventVersion, eventTime, eventSource, eventName, ...)", nil)
}

// envelope handles a Records or Events envelope that is already in memory
// (its array was not its first member).
func (d *run) envelope(w where, info objInfo) error {
	for _, m := range []struct {
		bit  int
		name string
		sp   span
	}{{hasRecords, "Records", info.records}, {hasEvents, "Events", info.events}} {
		if info.has&m.bit == 0 {
			continue
		}
		vw := where{s: w.s, at: m.sp.start, line: w.line}
		if c := w.s.buf[m.sp.start]; c != '[' {
			return d.fail(vw, fmt.Sprintf("%s is a JSON %s, not an array", m.name, jsonKind(c)), nil)
		}
		sub := sliceScanner(w.s.buf[:m.sp.end], w.s.base, w.s.nl)
		sub.pos = m.sp.start + 1
		if err := d.array(sub, vw, m.name); err != nil {
			return err
		}
	}
	return nil
}

// eventBridge handles an Amazon EventBridge event: its detail is the record.
func (d *run) eventBridge(w where, b []byte, info objInfo) error {
	var ev eventBridgeEvent
	if err := unmarshal(b, &ev, false); err != nil {
		return d.jsonError(w, err, "EventBridge event")
	}
	if !strings.HasSuffix(ev.DetailType, "via CloudTrail") {
		return d.fail(w, "EventBridge event of detail-type "+quoteShort(ev.DetailType)+" is not a CloudTrail event", nil)
	}
	if len(ev.Detail) == 0 || ev.Detail[0] != '{' {
		kind := "null"
		if len(ev.Detail) > 0 {
			kind = jsonKind(ev.Detail[0])
		}
		return d.fail(w, "EventBridge event's detail is "+kind+", not a CloudTrail record", nil)
	}
	return d.record(w, ev.Detail, info.detail.start, nil)
}

// lookupEntry handles one entry of lookup-events output, whose record is a
// JSON document inside a string.
func (d *run) lookupEntry(w where, b []byte) error {
	var ev lookupEvent
	if err := unmarshal(b, &ev, false); err != nil {
		return d.jsonError(w, err, "lookup-events entry")
	}
	if ev.CloudTrailEvent == nil {
		return d.fail(w, "lookup-events entry has a null CloudTrailEvent", nil)
	}
	raw := []byte(*ev.CloudTrailEvent)
	if i := skipSpaceIn(raw, 0); i >= len(raw) || raw[i] != '{' {
		return d.fail(w, "CloudTrailEvent does not hold a JSON object", nil)
	}
	// Offsets inside the string do not map onto the object's bytes: errors
	// point at the entry.
	return d.record(w, raw, -1, nil)
}

// record decodes raw, which the APICall will own unless the sink copies
// what it keeps, and emits it. rawAt is the buffer index raw was taken
// from, so that errors inside it can point at the exact byte, or -1 when
// raw does not come from the buffer. info holds raw's members as scanned
// at rawAt, or is nil to have them scanned here.
func (d *run) record(w where, raw []byte, rawAt int, info *objInfo) error {
	// Keep the resources' array: they are copied out into the APICall.
	d.rec = record{Resources: d.rec.Resources[:0]}
	if err := unmarshal(raw, &d.rec, true); err != nil {
		if rawAt < 0 {
			return d.fail(w, "CloudTrailEvent: "+errorReason(err), nil)
		}
		w.at = rawAt
		return d.jsonError(w, err, "record")
	}
	at := rawAt
	if info == nil {
		// Valid JSON, as just decoded: the scan cannot fail.
		at, info = 0, &d.inner
		scanObject(raw, skipSpaceIn(raw, 0), info)
	}
	c := &d.call
	if !d.lend {
		c = new(trailhound.APICall)
	}
	if reason := normalize(&d.rec, raw, rawMembersOf(raw, info, at), c); reason != "" {
		return d.fail(w, reason, nil)
	}
	d.emitted++
	return d.sink.APICall(c)
}

// jsonError turns an error of the JSON decoder on the value at w into a
// DecodeError pointing at the offending byte where the error says.
func (d *run) jsonError(w where, err error, what string) error {
	i := w.at
	var se *stdjson.SyntaxError
	var te *stdjson.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		i += int(max(se.Offset-1, 0))
	case errors.As(err, &te):
		i += int(max(te.Offset-1, 0))
	}
	i = min(i, len(w.s.buf))
	return d.failAt(w, i, what+": "+errorReason(err), nil)
}

// errorReason describes a JSON decoding error for people, without the Go
// type names encoding/json puts in its messages.
func errorReason(err error) string {
	var se *stdjson.SyntaxError
	var te *stdjson.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "invalid JSON: " + se.Error()
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s is a JSON %s, want %s", field, firstWord(te.Value), goKind(te.Type))
	}
	return "cannot decode: " + err.Error()
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// goKind names the JSON kind a Go type decodes from.
func goKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return goKind(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another type"
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	case c == '-' || ('0' <= c && c <= '9'):
		return "number"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// syntaxReason describes the unexpected byte at b[i].
func syntaxReason(b []byte, i int) string {
	if i >= len(b) {
		return "invalid JSON: unexpected end of input"
	}
	c := b[i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("invalid JSON: unexpected %q", c)
	}
	return fmt.Sprintf("invalid JSON: unexpected byte 0x%02x", c)
}

// describeStart says why content whose first byte is not '{' or '[' cannot
// be CloudTrail.
func describeStart(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "content is gzip-compressed (the key has no .gz suffix?); want decompressed JSON"
	case len(b) > 0 && strings.IndexByte(`"tfn-0123456789`, b[0]) >= 0:
		return "content is a JSON " + jsonKind(b[0]) + ", not CloudTrail records (want an object or array)"
	}
	return "content is not JSON (it starts with " + jsonKind(b[0]) + ")"
}
