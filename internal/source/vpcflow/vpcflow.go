// Package vpcflow decodes Amazon VPC flow logs and transit gateway flow
// logs into trailhound.Flow records. It is the network source of the
// behavior graph: the ingest pipeline hands it the decompressed content of
// one object, and every record becomes an IP-to-interface connection with
// bytes and packets by port, protocol, direction and action.
//
// # Formats
//
// A flow log object is text, one record a line, fields separated by
// spaces, "-" where a value is absent. The decoder reads:
//
//   - the default format (version 2, 14 fields);
//   - custom formats announced by a header line naming the fields (any of
//     the fields of versions 2 to 8 and of transit gateway flow logs, in
//     any order). Amazon S3 deliveries start with such a line; a header
//     may appear again later, and it then applies to the records after it;
//   - records without any header line, but only when the field count is
//     one of the AWS default orders: 14 (version 2 default), 21, 25, 29,
//     39 and 40 ("all fields" of versions 3, 4, 5, 7 and 8, in the order of
//     the AWS field table) and 36 (the transit gateway default format).
//     Any other count without a header is an error naming the line, since
//     guessing a field order would silently mislabel data;
//   - the JSON envelope of CloudWatch Logs and Firehose deliveries, one
//     object per line with the record text under "message".
//
// NODATA and SKIPDATA records are emitted like any other, with their
// absent values zero. Transit gateway records get ResourceType
// "TransitGateway" when the record does not say otherwise. When a custom
// format has no version column, Version is the highest version among its
// fields, which is what AWS reports for such a format.
//
// # Performance
//
// Decoding allocates nothing per record in steady state: lines are read
// into a reused buffer, fields are split by a hand-written scanner and
// numbers parsed in place, and one trailhound.Flow is reused for every
// record. The strings in the Flow passed to the sink point into the line
// buffer (see Decode); this is what the source.Sink contract allows.
package vpcflow

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

func init() {
	source.Register(Decoder{})
}

// Decoder decodes VPC and transit gateway flow logs. The zero value is
// ready to use and safe for concurrent use.
type Decoder struct{}

// Source reports trailhound.SourceVPCFlow.
func (Decoder) Source() trailhound.Source { return trailhound.SourceVPCFlow }

// Detect recognizes flow logs by their S3 key layout,
// AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<name>.log (also in
// the Hive-compatible form aws-service=vpcflowlogs), and otherwise by
// content: a header line of known field names, a record that parses in one
// of the AWS default orders, or a JSON line whose "message" is one of
// those. Parquet objects under a flow log prefix are not claimed, since
// this decoder reads text only.
func (Decoder) Detect(key string, head []byte) source.Confidence {
	switch classifyKey(key) {
	case keyText:
		return source.Key
	case keyParquet:
		return source.No
	}
	if looksLikeFlowLog(head) {
		return source.Content
	}
	return source.No
}

// Decode reads flow log records from r and passes each to sink.Flow, in
// object order. Flow.Line is the record's line number in the object.
//
// The *trailhound.Flow passed to the sink, and every string in it, are
// only valid until the sink returns: the decoder reuses the Flow for the
// next record, and the strings alias the decoder's line buffer, which the
// next line overwrites. A sink that keeps anything must copy it
// (strings.Clone), as source.Sink documents.
//
// Content errors are returned as one *trailhound.DecodeError naming the
// line and its byte offset. An object with header lines but no record, or
// with only empty delivery envelopes, returns a *source.Skip. Read errors from r are returned wrapped, and an
// error from the sink is returned as is.
func (Decoder) Decode(ctx context.Context, key string, r io.Reader, sink source.Sink) error {
	s := statePool.Get().(*decodeState)
	defer s.release()
	s.key = key
	s.filter, _ = sink.(source.LineFilter)
	s.br.Reset(r)
	return s.run(ctx, sink)
}

const (
	// maxLine bounds one line. Real records are a few hundred bytes; a
	// longer line is garbage, and reading it whole would only cost memory.
	maxLine = 1 << 20
	// maxCols is more than the number of distinct fields, so a valid
	// header always fits.
	maxCols = 64
	// ctxEvery is how many lines pass between checks of the context.
	ctxEvery = 1 << 12
)

// span is the position of a field in a line.
type span struct{ lo, hi uint32 }

// decodeState is the per-call state of Decode, pooled so that decoding
// many small objects does not allocate a buffer for each.
type decodeState struct {
	key string
	br  *bufio.Reader
	// long accumulates a line that does not fit in br's buffer.
	long []byte
	flow trailhound.Flow
	cols [maxCols]span

	lay       *layout
	layOrigin string // where lay came from, for messages
	header    []byte // the last header line, so that repeats are skipped cheaply
	hasHeader bool

	filter    source.LineFilter // nil unless the sink reads some records only
	lineNo    int
	lineStart int64 // byte offset of the current line
	offset    int64 // byte offset of the next line
	records   int
	headers   int

	env envelope
}

// envelope is one line of a CloudWatch Logs or Firehose delivery.
type envelope struct {
	Message *string `json:"message"`
}

var statePool = sync.Pool{New: func() any {
	return &decodeState{br: bufio.NewReaderSize(nil, 128<<10)}
}}

// release clears the state and returns it to the pool.
func (s *decodeState) release() {
	s.br.Reset(nil)
	if cap(s.long) > 4*maxLine {
		s.long = nil
	}
	s.long = s.long[:0]
	s.flow = trailhound.Flow{}
	s.lay, s.layOrigin, s.hasHeader = nil, "", false
	s.header = s.header[:0]
	s.lineNo, s.lineStart, s.offset, s.records, s.headers = 0, 0, 0, 0, 0
	s.env = envelope{}
	s.key = ""
	s.filter = nil
	statePool.Put(s)
}

var errLineTooLong = errors.New("line too long")

func (s *decodeState) run(ctx context.Context, sink source.Sink) error {
	nonBlank := false
	for {
		raw, rerr := s.readLine()
		if rerr == errLineTooLong {
			s.lineNo++
			s.lineStart = s.offset
			return s.fail(nil, "line is longer than %d bytes without a line break", maxLine)
		}
		if rerr != nil && rerr != io.EOF {
			return fmt.Errorf("vpcflow: read %s after line %d: %w", s.key, s.lineNo, rerr)
		}
		if len(raw) > 0 {
			s.lineNo++
			s.lineStart = s.offset
			s.offset += int64(len(raw))
			line := trimEOL(raw)
			if s.lineNo == 1 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			blank, err := s.line(line, sink)
			if err != nil {
				return err
			}
			nonBlank = nonBlank || !blank
		}
		if rerr == io.EOF {
			break
		}
		if s.lineNo%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	switch {
	case s.records > 0:
		return nil
	case s.headers > 0:
		return &source.Skip{Reason: "flow log has a header line but no records"}
	case !nonBlank:
		s.lineNo, s.lineStart = 0, 0
		return s.fail(nil, "empty object")
	}
	// Only envelopes with empty messages.
	return &source.Skip{Reason: "flow log delivery without records"}
}

// readLine returns the next line including its line break, if any. The
// slice is valid until the next call.
func (s *decodeState) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, err
	}
	s.long = append(s.long[:0], line...)
	for err == bufio.ErrBufferFull {
		line, err = s.br.ReadSlice('\n')
		if len(s.long)+len(line) > maxLine {
			return nil, errLineTooLong
		}
		s.long = append(s.long, line...)
	}
	return s.long, err
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// line handles one line of the object. It reports whether the line was
// blank.
func (s *decodeState) line(line []byte, sink source.Sink) (bool, error) {
	i := 0
	for i < len(line) && class[line[i]] == clsSep {
		i++
	}
	if i == len(line) {
		return true, nil
	}
	if line[i] == '{' {
		return false, s.envelopeLine(line, sink)
	}
	return false, s.content(line, i, sink)
}

// envelopeLine reads a JSON line of a CloudWatch Logs or Firehose delivery
// and handles its message as a line of flow log text.
func (s *decodeState) envelopeLine(line []byte, sink source.Sink) error {
	s.env.Message = nil
	if err := unmarshal(line, &s.env); err != nil {
		return s.fail(err, "JSON line is not a flow log delivery envelope")
	}
	if s.env.Message == nil {
		return s.fail(nil, `JSON line has no "message" string`)
	}
	msg := strings.TrimRight(*s.env.Message, "\r\n")
	// The message is only read, never written, so viewing the string's
	// bytes is safe; the Flow's strings then alias the message.
	b := unsafe.Slice(unsafe.StringData(msg), len(msg))
	i := 0
	for i < len(b) && class[b[i]] == clsSep {
		i++
	}
	if i == len(b) {
		return nil
	}
	return s.content(b, i, sink)
}

// content handles a header line or a record; first is the index of the
// first non-blank byte.
func (s *decodeState) content(line []byte, first int, sink source.Sink) error {
	if c := line[first]; c >= 'a' && c <= 'z' {
		if s.hasHeader && bytes.Equal(line, s.header) {
			s.headers++
			return nil
		}
		if isHeaderLine(line) {
			return s.setHeader(line)
		}
	}
	return s.record(line, sink)
}

func (s *decodeState) setHeader(line []byte) error {
	if flags := scanFlags(line); flags != 0 {
		if err := s.binaryError(line, flags); err != nil {
			return err
		}
	}
	lay, reason := parseHeader(line)
	if reason != "" {
		return s.fail(nil, "%s", reason)
	}
	s.lay = lay
	s.layOrigin = "the header on line " + strconv.Itoa(s.lineNo)
	s.header = append(s.header[:0], line...)
	s.hasHeader = true
	s.headers++
	return nil
}

func (s *decodeState) record(line []byte, sink source.Sink) error {
	if s.filter != nil && !s.filter.KeepLine(s.lineNo, line) {
		s.records++
		return nil
	}
	lay := s.lay
	width := maxCols
	if lay != nil {
		width = len(lay.fields)
	}
	n, flags := split(line, s.cols[:width])
	if n > width {
		// split stopped early; look at the whole line for the message.
		n, flags = countFields(line)
	}
	if flags != 0 {
		if err := s.binaryError(line, flags); err != nil {
			return err
		}
	}
	if lay == nil {
		lay = defaultLayouts[n]
		if lay == nil {
			return s.fail(nil, "record has %d fields and no header line names them; "+
				"without a header only the AWS default formats of %s fields are recognized", n, defaultCounts)
		}
		s.lay = lay
		s.layOrigin = "the AWS default format inferred from line " + strconv.Itoa(s.lineNo) + " (" + lay.origin + ")"
	} else if n != len(lay.fields) {
		return s.fail(nil, "record has %d fields, but %s has %d", n, s.layOrigin, len(lay.fields))
	}
	if err := s.fill(line, lay); err != nil {
		return err
	}
	s.records++
	return sink.Flow(&s.flow)
}

// fill sets s.flow from the fields of line, split into s.cols.
func (s *decodeState) fill(line []byte, lay *layout) error {
	f := &s.flow
	*f = trailhound.Flow{Version: lay.version, Protocol: -1, Line: s.lineNo}
	for j, fl := range lay.fields {
		c := s.cols[j]
		v := line[c.lo:c.hi]
		switch fl {
		// Numbers.
		case fVersion:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.Version = int(n)
		case fSrcPort:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.SrcPort = int(n)
		case fDstPort:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.DstPort = int(n)
		case fProtocol:
			if isDash(v) {
				f.Protocol = -1
				continue
			}
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.Protocol = int(n)
		case fPackets:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.Packets = n
		case fBytes:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.Bytes = n
		case fStart:
			if isDash(v) {
				continue
			}
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.Start = time.Unix(n, 0).UTC()
		case fEnd:
			if isDash(v) {
				continue
			}
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.End = time.Unix(n, 0).UTC()
		case fTCPFlags:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.TCPFlags = int(n)
		case fTrafficPath:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.TrafficPath = int(n)
		case fPacketsLostNoRoute:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.PacketsLostNoRoute = n
		case fPacketsLostBlackhole:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.PacketsLostBlackhole = n
		case fPacketsLostMTUExceeded:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.PacketsLostMTUExceeded = n
		case fPacketsLostTTLExpired:
			n, ok := number(v)
			if ok != numOK {
				return s.numberError(fl, v, ok)
			}
			f.PacketsLostTTLExpired = n

		// Values from a small set are stored as constants, so that they
		// stay valid whatever the sink does.
		case fAction:
			f.Action = intern(v, "ACCEPT", "REJECT")
		case fLogStatus:
			f.LogStatus = intern(v, "OK", "NODATA", "SKIPDATA")
		case fType:
			f.Type = intern(v, "IPv4", "IPv6", "EFA")
		case fFlowDirection:
			f.Direction = intern(v, "ingress", "egress")

		// Strings.
		case fAccountID:
			f.AccountID = str(v)
		case fInterfaceID:
			f.InterfaceID = str(v)
		case fSrcAddr:
			f.SrcAddr = str(v)
		case fDstAddr:
			f.DstAddr = str(v)
		case fVPCID:
			f.VPCID = str(v)
		case fSubnetID:
			f.SubnetID = str(v)
		case fInstanceID:
			f.InstanceID = str(v)
		case fPktSrcAddr:
			f.PktSrcAddr = str(v)
		case fPktDstAddr:
			f.PktDstAddr = str(v)
		case fRegion:
			f.Region = str(v)
		case fAZID:
			f.AZID = str(v)
		case fSublocationType:
			f.SublocationType = str(v)
		case fSublocationID:
			f.SublocationID = str(v)
		case fPktSrcAWSService:
			f.PktSrcService = str(v)
		case fPktDstAWSService:
			f.PktDstService = str(v)
		case fResourceType:
			f.ResourceType = str(v)
		case fTGWID:
			f.TGWID = str(v)
		case fTGWAttachmentID:
			f.TGWAttachmentID = str(v)
		case fTGWSrcVPCAccountID:
			f.TGWSrcVPCAccountID = str(v)
		case fTGWDstVPCAccountID:
			f.TGWDstVPCAccountID = str(v)
		case fTGWSrcVPCID:
			f.TGWSrcVPCID = str(v)
		case fTGWDstVPCID:
			f.TGWDstVPCID = str(v)
		case fTGWSrcSubnetID:
			f.TGWSrcSubnetID = str(v)
		case fTGWDstSubnetID:
			f.TGWDstSubnetID = str(v)
		case fTGWSrcENI:
			f.TGWSrcENI = str(v)
		case fTGWDstENI:
			f.TGWDstENI = str(v)
		case fTGWSrcAZID:
			f.TGWSrcAZID = str(v)
		case fTGWDstAZID:
			f.TGWDstAZID = str(v)
		case fTGWPairAttachmentID:
			f.TGWPairAttachmentID = str(v)
		case fECSClusterARN:
			f.ECSClusterARN = str(v)
		case fECSClusterName:
			f.ECSClusterName = str(v)
		case fECSContainerInstanceARN:
			f.ECSContainerInstanceARN = str(v)
		case fECSContainerInstanceID:
			f.ECSContainerInstanceID = str(v)
		case fECSContainerID:
			f.ECSContainerID = str(v)
		case fECSSecondContainerID:
			f.ECSSecondContainerID = str(v)
		case fECSServiceName:
			f.ECSServiceName = str(v)
		case fECSTaskDefinitionARN:
			f.ECSTaskDefinitionARN = str(v)
		case fECSTaskARN:
			f.ECSTaskARN = str(v)
		case fECSTaskID:
			f.ECSTaskID = str(v)
		case fRejectReason:
			f.RejectReason = str(v)
		}
	}
	if lay.tgw && f.ResourceType == "" {
		f.ResourceType = "TransitGateway"
	}
	return nil
}

// Character classes of the field scanner.
const (
	clsPlain uint8 = 0
	clsSep   uint8 = 1 // space or tab: separates fields
	clsCtl   uint8 = 2 // control character: binary data
	clsHigh  uint8 = 4 // non-ASCII: must be valid UTF-8
)

var class = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = clsCtl
	}
	t[0x7f] = clsCtl
	for c := 0x80; c < 0x100; c++ {
		t[c] = clsHigh
	}
	t[' '] = clsSep
	t['\t'] = clsSep
	return t
}()

// split records the spans of the fields of line in cols and returns how
// many there are, or len(cols)+1 as soon as there are more than fit. Runs
// of spaces count as one separator. flags collects clsCtl and clsHigh for
// the bytes scanned.
//
// Lines of printable ASCII separated by single spaces, which is what AWS
// writes, take the fast path: eight bytes at a time, finding spaces with
// bit arithmetic. Anything else (tabs, control bytes, non-ASCII) takes the
// byte-by-byte path, which also classifies the bytes.
func split(line []byte, cols []span) (int, uint8) {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		space = 0x2020202020202020
		low7  = 0x7f7f7f7f7f7f7f7f
	)
	n := 0
	lo := 0 // start of the current field
	i := 0
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64(line[i:])
		// A byte below 0x20, 0x7f or above sets its high bit here. Borrows
		// and carries only start at such bytes, so there are no false
		// positives on clean input.
		if ((w-space)|w|(w+ones))&highs != 0 {
			return splitSlow(line, cols)
		}
		// All bytes are below 0x80, so x+low7 sets the high bit of every
		// byte except the spaces, without carries between bytes.
		x := w ^ space
		for m := ^(x + low7) & highs; m != 0; m &= m - 1 {
			p := i + bits.TrailingZeros64(m)>>3
			if p > lo {
				if n == len(cols) {
					return n + 1, 0
				}
				cols[n] = span{uint32(lo), uint32(p)}
				n++
			}
			lo = p + 1
		}
	}
	for ; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ':
			if i > lo {
				if n == len(cols) {
					return n + 1, 0
				}
				cols[n] = span{uint32(lo), uint32(i)}
				n++
			}
			lo = i + 1
		case c < 0x20 || c >= 0x7f:
			return splitSlow(line, cols)
		}
	}
	if len(line) > lo {
		if n == len(cols) {
			return n + 1, 0
		}
		cols[n] = span{uint32(lo), uint32(len(line))}
		n++
	}
	return n, 0
}

// splitSlow is split for lines with tabs, control bytes or non-ASCII.
func splitSlow(line []byte, cols []span) (n int, flags uint8) {
	i := 0
	for {
		for i < len(line) && class[line[i]] == clsSep {
			i++
		}
		if i >= len(line) {
			return n, flags
		}
		if n == len(cols) {
			return n + 1, flags
		}
		lo := i
		for i < len(line) {
			c := class[line[i]]
			if c == clsSep {
				break
			}
			flags |= c
			i++
		}
		cols[n] = span{uint32(lo), uint32(i)}
		n++
	}
}

// countFields counts all fields of line, for messages about lines that
// split gave up on.
func countFields(line []byte) (n int, flags uint8) {
	in := false
	for _, b := range line {
		c := class[b]
		if c == clsSep {
			in = false
			continue
		}
		flags |= c
		if !in {
			n++
			in = true
		}
	}
	return n, flags
}

// scanFlags returns the clsCtl and clsHigh flags of line.
func scanFlags(line []byte) uint8 {
	var flags uint8
	for _, b := range line {
		if c := class[b]; c != clsSep {
			flags |= c
		}
	}
	return flags
}

// isHeaderLine reports whether line is a header: every token looks like
// a field name (lowercase letters, digits and hyphens, starting with a
// letter) and at least one is a known field. Records always have a token
// that is not of that form (a number, an address, "-", ACCEPT, OK), except
// for a custom format made only of identifier fields, and those contain no
// known field name.
func isHeaderLine(line []byte) bool {
	known := false
	i := 0
	for {
		for i < len(line) && class[line[i]] == clsSep {
			i++
		}
		if i >= len(line) {
			return known
		}
		lo := i
		for i < len(line) && class[line[i]] != clsSep {
			c := line[i]
			switch {
			case c >= 'a' && c <= 'z':
			case (c >= '0' && c <= '9' || c == '-') && i > lo:
			default:
				return false
			}
			i++
		}
		if _, ok := fieldByName[string(line[lo:i])]; ok {
			known = true
		}
	}
}

// parseHeader returns the layout a header line names, or why it names
// none.
func parseHeader(line []byte) (*layout, string) {
	var fields []field
	var seen [numFields]bool
	i := 0
	for {
		for i < len(line) && class[line[i]] == clsSep {
			i++
		}
		if i >= len(line) {
			break
		}
		lo := i
		for i < len(line) && class[line[i]] != clsSep {
			i++
		}
		name := line[lo:i]
		f, ok := fieldByName[string(name)]
		if !ok {
			return nil, fmt.Sprintf("unknown field name %s in header", quote(name))
		}
		if seen[f] {
			return nil, fmt.Sprintf("field name %s appears twice in header", quote(name))
		}
		seen[f] = true
		fields = append(fields, f)
	}
	return newLayout(fields, "the header"), ""
}

// Results of number.
const (
	numOK = iota
	numNotANumber
	numOutOfRange
)

// number parses a non-negative decimal field. "-" (absent) yields 0.
func number(v []byte) (int64, int) {
	if len(v) == 0 {
		return 0, numNotANumber
	}
	if len(v) == 1 && v[0] == '-' {
		return 0, numOK
	}
	if len(v) > 19 {
		for _, c := range v {
			if c < '0' || c > '9' {
				return 0, numNotANumber
			}
		}
		return 0, numOutOfRange
	}
	var n uint64
	for _, c := range v {
		d := c - '0'
		if d > 9 {
			return 0, numNotANumber
		}
		n = n*10 + uint64(d)
	}
	// 19 digits fit in a uint64 without wrapping; only the int64 range can
	// be exceeded.
	if n > 1<<63-1 {
		return 0, numOutOfRange
	}
	return int64(n), numOK
}

func isDash(v []byte) bool { return len(v) == 1 && v[0] == '-' }

// str returns v as a string that aliases the line buffer, or "" for "-".
// The result is only valid until the buffer is reused (see Decode).
func str(v []byte) string {
	if len(v) == 0 || isDash(v) {
		return ""
	}
	return unsafe.String(unsafe.SliceData(v), len(v))
}

// intern returns the constant among known that equals v, or str(v).
func intern(v []byte, known ...string) string {
	for _, k := range known {
		if string(v) == k {
			return k
		}
	}
	return str(v)
}

// quote renders a value for an error message: quoted, and cut short when
// long, so that hostile input cannot flood a log line.
func quote(v []byte) string {
	const limit = 64
	if len(v) > limit {
		return strconv.Quote(string(v[:limit])) + "..."
	}
	return strconv.Quote(string(v))
}

func (s *decodeState) fail(err error, format string, args ...any) error {
	return &trailhound.DecodeError{
		Object: s.key,
		Pos:    trailhound.Position{Line: s.lineNo, Offset: s.lineStart},
		Reason: fmt.Sprintf(format, args...),
		Err:    err,
	}
}

func (s *decodeState) numberError(fl field, v []byte, result int) error {
	if result == numOutOfRange {
		return s.fail(nil, "field %s: %s is out of range", fl, quote(v))
	}
	return s.fail(nil, "field %s: %s is not a number", fl, quote(v))
}

func (s *decodeState) binaryError(line []byte, flags uint8) error {
	if flags&clsCtl != 0 {
		for i, b := range line {
			if class[b] == clsCtl {
				return s.fail(nil, "binary data: control character 0x%02x at byte %d of the line", b, i)
			}
		}
	}
	if !utf8.Valid(line) {
		return s.fail(nil, "binary data: the line is not valid UTF-8")
	}
	return nil
}
