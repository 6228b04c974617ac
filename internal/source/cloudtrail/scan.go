package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"sync"
)

// The scanner splits a stream of JSON text into the values the decoder
// works on (records, envelopes, lines) without decoding them: it finds where
// each value starts and ends, and, for the outermost object of a value, which
// members it has. Values are then decoded into typed structs one at a time,
// so memory stays bounded by the largest single value, not by the object.
//
// Scanning is structural only: strings are skipped to their closing quote
// and brackets are counted. The full grammar of every value that matters is
// checked when the value is decoded.

// Results of the scanning primitives.
const (
	scanOK    = iota
	scanShort // the value continues past the end of the buffer
	scanBad   // a syntax error at the returned index
)

const (
	initialBuffer = 64 << 10
	pooledBuffer  = 1 << 20 // larger buffers are left to the GC
	maxZeroReads  = 100
)

var bufferPool = sync.Pool{New: func() any {
	b := make([]byte, 0, initialBuffer)
	return &b
}}

// scanner holds a window of the decompressed stream. When more input is
// read, the bytes before keep are discarded and the rest moves to the front
// of the window: indexes into buf taken before a refill are stale, and
// callers take them again from pos, which moves with the bytes.
type scanner struct {
	r    io.Reader
	buf  []byte // buf[:len] holds input; cap is the window size
	pos  int    // next byte to look at
	keep int    // first byte that must survive a refill
	base int64  // offset of buf[0] in the stream
	nl   int    // newlines in the stream before buf[0]
	eof  bool   // no more input will come
	rerr error  // a read error other than io.EOF
	pool *[]byte
}

func newScanner(r io.Reader) *scanner {
	p := bufferPool.Get().(*[]byte)
	return &scanner{r: r, buf: (*p)[:0], pool: p}
}

// sliceScanner scans a value that is already in memory, such as an envelope
// found inside a record-sized object. base and nl place it in the stream.
func sliceScanner(b []byte, base int64, nl int) *scanner {
	return &scanner{buf: b, base: base, nl: nl, eof: true}
}

// release returns the window to the pool. The scanner must not be used
// afterwards, and nothing may refer to its buffer.
func (s *scanner) release() {
	if s.pool == nil {
		return
	}
	if cap(s.buf) <= pooledBuffer {
		*s.pool = s.buf[:0]
		bufferPool.Put(s.pool)
	}
	s.pool, s.buf = nil, nil
}

// more reads further input, discarding the bytes before keep and growing the
// window when it is full. It reads until the window is full or the input
// ends, so that a value that has to be rescanned after a refill is rescanned
// a logarithmic number of times at most. It reports whether any byte was
// added.
func (s *scanner) more() bool {
	if s.eof {
		return false
	}
	if s.keep > 0 {
		s.nl += bytes.Count(s.buf[:s.keep], newline)
		n := copy(s.buf, s.buf[s.keep:])
		s.buf = s.buf[:n]
		s.base += int64(s.keep)
		s.pos -= s.keep
		s.keep = 0
	}
	if len(s.buf) == cap(s.buf) {
		grown := make([]byte, len(s.buf), max(2*cap(s.buf), initialBuffer))
		copy(grown, s.buf)
		s.buf = grown
	}
	before := len(s.buf)
	zero := 0
	for len(s.buf) < cap(s.buf) {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		if n < 0 || n > cap(s.buf)-len(s.buf) {
			s.rerr, s.eof = errors.New("reader returned an invalid count"), true
			break
		}
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.rerr, s.eof = err, true
			break
		}
		if n == 0 {
			if zero++; zero >= maxZeroReads {
				s.rerr, s.eof = io.ErrNoProgress, true
				break
			}
		}
	}
	return len(s.buf) > before
}

var newline = []byte{'\n'}

// offset returns the stream offset of buf[i].
func (s *scanner) offset(i int) int64 { return s.base + int64(i) }

// line returns the line number (from 1) of buf[i].
func (s *scanner) line(i int) int {
	return s.nl + bytes.Count(s.buf[:min(i, len(s.buf))], newline) + 1
}

// skipSpace moves pos past white space, reading more input as needed, and
// returns the next byte, or false at the end of the input.
func (s *scanner) skipSpace() (byte, bool) {
	for {
		for s.pos < len(s.buf) {
			c := s.buf[s.pos]
			if !isSpace(c) {
				return c, true
			}
			s.pos++
		}
		s.keep = s.pos
		if !s.more() {
			return 0, false
		}
	}
}

// Kinds of unit for scanner.unit.
const (
	unitValue  = iota // any JSON value
	unitObject        // an object, with its members classified into info
	unitString        // a string
	unitPeek          // '{', the first key and ':', up to the first value
)

// unit scans one unit of the given kind starting at pos, reading more and
// rescanning from the same start when the unit runs past the buffer. It
// returns the index just past the unit and the scan status; scanShort means
// the input ended inside the unit. pos may move (never its content) while
// more input is read.
func (s *scanner) unit(kind int, info *objInfo) (int, int) {
	for {
		s.keep = s.pos
		var end, st int
		switch kind {
		case unitObject:
			end, st = scanObject(s.buf, s.pos, info)
		case unitString:
			end, st = skipString(s.buf, s.pos)
		case unitPeek:
			end, st = peekFirstMember(s.buf, s.pos)
		default:
			end, st = skipValue(s.buf, s.pos)
		}
		if st != scanShort {
			return end, st
		}
		if !s.more() {
			return end, scanShort
		}
	}
}

// peekFirstMember scans '{', the first key and the colon after it, and
// returns the index of the first value. An empty object is scanBad here:
// callers then scan it as a whole.
func peekFirstMember(b []byte, i int) (int, int) {
	i = skipSpaceIn(b, i+1)
	if i >= len(b) {
		return i, scanShort
	}
	if b[i] != '"' {
		return i, scanBad
	}
	i, st := skipString(b, i)
	if st != scanOK {
		return i, st
	}
	i = skipSpaceIn(b, i)
	if i >= len(b) {
		return i, scanShort
	}
	if b[i] != ':' {
		return i, scanBad
	}
	i = skipSpaceIn(b, i+1)
	if i >= len(b) {
		return i, scanShort
	}
	return i, scanOK
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// isDelim reports whether c ends a number or literal.
func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', '"', '{', '[', ' ', '\n', '\r', '\t':
		return true
	}
	return false
}

// skipString returns the index just past the string that starts at b[i],
// which is a double quote. It looks at eight bytes at a time for a quote or
// a backslash; the byte after a backslash is skipped, whatever it is.
func skipString(b []byte, i int) (int, int) {
	j := i + 1
	for {
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
				// The lowest flagged byte is exact; higher ones may not be.
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j >= len(b) {
			return len(b), scanShort
		}
		if b[j] == '"' {
			return j + 1, scanOK
		}
		j += 2 // an escape: its second byte cannot end the string
	}
}

// hasByte flags, in the high bit of each byte, the bytes of x equal to c,
// with possible false flags only above the lowest true one.
func hasByte(x uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y & highs
}

// skipSpaceIn returns the index of the first non-space byte at or after i.
func skipSpaceIn(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value that starts at b[i]
// (no leading space). Nested values are matched by counting brackets only;
// a number or literal that reaches the end of b is reported short, since
// more digits may follow.
func skipValue(b []byte, i int) (int, int) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			var st int
			i, st = skipString(b, i)
			if st != scanOK {
				return i, st
			}
			if depth == 0 {
				return i, scanOK
			}
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, scanBad
			}
			depth--
			i++
			if depth == 0 {
				return i, scanOK
			}
		case ',', ':', ' ', '\n', '\r', '\t':
			if depth == 0 {
				return i, scanBad
			}
			i++
		default:
			j := i + 1
			for j < len(b) && !isDelim(b[j]) {
				j++
			}
			if depth == 0 {
				if j == len(b) {
					return j, scanShort
				}
				return j, scanOK
			}
			i = j
		}
	}
	return i, scanShort
}

// Members of an object that the decoder looks for, as bits of objInfo.has.
const (
	hasRecords = 1 << iota
	hasEvents
	hasDetail
	hasDetailType
	hasCloudTrailEvent
	hasDigest
	hasRecordKey // eventVersion, eventTime, eventSource, eventName, ...
	hasFindingKey
	hasRequestParameters
	hasResponseElements
	hasAdditionalEventData
)

// span is a part of the scanner's buffer, as indexes.
type span struct{ start, end int }

// objInfo describes the top-level members of an object.
type objInfo struct {
	has     int
	records span // value of Records
	events  span // value of Events
	detail  span // value of detail
	// Values a record keeps as JSON text; end is 0 when absent.
	requestParameters   span
	responseElements    span
	additionalEventData span
}

// scanObject returns the index just past the object that starts at b[i] and
// records in info which members it has. Member values are skipped with
// skipValue; the separators between members are checked.
func scanObject(b []byte, i int, info *objInfo) (int, int) {
	*info = objInfo{}
	i++ // '{'
	i = skipSpaceIn(b, i)
	if i >= len(b) {
		return i, scanShort
	}
	if b[i] == '}' {
		return i + 1, scanOK
	}
	for {
		if i >= len(b) {
			return i, scanShort
		}
		if b[i] != '"' {
			return i, scanBad
		}
		k := i
		var st int
		i, st = skipString(b, i)
		if st != scanOK {
			return i, st
		}
		key := b[k+1 : i-1]
		i = skipSpaceIn(b, i)
		if i >= len(b) {
			return i, scanShort
		}
		if b[i] != ':' {
			return i, scanBad
		}
		i = skipSpaceIn(b, i+1)
		if i >= len(b) {
			return i, scanShort
		}
		v := i
		i, st = skipValue(b, i)
		if st != scanOK {
			return i, st
		}
		if bit := memberBit(key); bit != 0 {
			info.has |= bit
			switch bit {
			case hasRecords:
				info.records = span{v, i}
			case hasEvents:
				info.events = span{v, i}
			case hasDetail:
				info.detail = span{v, i}
			case hasRequestParameters:
				info.requestParameters = span{v, i}
			case hasResponseElements:
				info.responseElements = span{v, i}
			case hasAdditionalEventData:
				info.additionalEventData = span{v, i}
			}
		}
		i = skipSpaceIn(b, i)
		if i >= len(b) {
			return i, scanShort
		}
		switch b[i] {
		case ',':
			i = skipSpaceIn(b, i+1)
		case '}':
			return i + 1, scanOK
		default:
			return i, scanBad
		}
	}
}

// memberBit classifies an object key. Keys are matched without regard to
// ASCII case, as the JSON decoder matches struct fields. The switch on the
// length keeps the common case, a key that matters to nobody, cheap.
func memberBit(key []byte) int {
	switch len(key) {
	case 6:
		switch {
		case eqFold(key, "detail"):
			return hasDetail
		case eqFold(key, "Events"):
			return hasEvents
		}
	case 7:
		switch {
		case eqFold(key, "Records"):
			return hasRecords
		case eqFold(key, "eventID"):
			return hasRecordKey
		case eqFold(key, "service"):
			return hasFindingKey
		}
	case 8:
		switch {
		case eqFold(key, "logFiles"):
			return hasDigest
		case eqFold(key, "resource"):
			return hasFindingKey
		}
	case 9:
		if eqFold(key, "eventTime") || eqFold(key, "eventName") || eqFold(key, "eventType") || eqFold(key, "awsRegion") {
			return hasRecordKey
		}
	case 11:
		switch {
		case eqFold(key, "detail-type"):
			return hasDetailType
		case eqFold(key, "eventSource"):
			return hasRecordKey
		}
	case 12:
		if eqFold(key, "eventVersion") || eqFold(key, "userIdentity") {
			return hasRecordKey
		}
	case 13:
		switch {
		case eqFold(key, "eventCategory"):
			return hasRecordKey
		case eqFold(key, "digestEndTime"):
			return hasDigest
		case eqFold(key, "schemaVersion"):
			return hasFindingKey
		}
	case 14:
		switch {
		case eqFold(key, "insightDetails"):
			return hasRecordKey
		case eqFold(key, "digestS3Object"), eqFold(key, "digestS3Bucket"):
			return hasDigest
		}
	case 15:
		switch {
		case eqFold(key, "sourceIPAddress"):
			return hasRecordKey
		case eqFold(key, "CloudTrailEvent"):
			return hasCloudTrailEvent
		case eqFold(key, "digestStartTime"):
			return hasDigest
		}
	case 16:
		if eqFold(key, "responseElements") {
			return hasResponseElements
		}
	case 17:
		if eqFold(key, "requestParameters") {
			return hasRequestParameters
		}
	case 18:
		if eqFold(key, "recipientAccountId") {
			return hasRecordKey
		}
	case 19:
		if eqFold(key, "additionalEventData") {
			return hasAdditionalEventData
		}
	case 23:
		if eqFold(key, "previousDigestSignature") {
			return hasDigest
		}
	}
	return 0
}

// eqFold reports whether b equals the ASCII string s without regard to case.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if c == d {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}
