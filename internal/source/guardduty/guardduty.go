// Package guardduty decodes Amazon GuardDuty findings into
// trailhound.Finding values. Findings are the starting points of an
// investigation: the ingest pipeline stores each version of a finding, and
// the behavior graph links it to every entity it names (principal, access
// key, instance, bucket, cluster, IP addresses), which this package
// extracts.
//
// # Inputs
//
// One decoder reads every form in which findings are usually kept:
//
//   - the S3 export, one finding per line (.jsonl, gzip handled by the
//     caller), under AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/;
//   - EventBridge (CloudWatch Events) events of detail-type "GuardDuty
//     Finding", the finding under "detail", one per line or in an array;
//   - the output of aws guardduty get-findings, {"Findings": [...]}, whose
//     members the CLI writes in PascalCase (names are matched without
//     regard to case), and the API's {"findings": [...]}; an empty
//     envelope is valid and holds no finding;
//   - a plain JSON array of findings, or findings one after another.
//
// Findings made by CreateSampleFindings are ordinary input.
//
// Each finding's Raw is its JSON exactly as it appears in the object,
// inside whatever envelope held it.
package guardduty

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

func init() {
	source.Register(Decoder{})
}

// Decoder decodes GuardDuty findings. The zero value is ready to use and
// safe for concurrent use.
type Decoder struct{}

// Source reports trailhound.SourceGuardDuty.
func (Decoder) Source() trailhound.Source { return trailhound.SourceGuardDuty }

// maxObject bounds the size of one object. Exports hold a few thousand
// findings at most; anything near this size is not a GuardDuty object.
const maxObject = 1 << 30

// Detect recognizes the S3 export key layout,
// AWSLogs/<account>/GuardDuty/<region>/.../<name>.jsonl, and otherwise
// the content: the first JSON value of head must be a GuardDuty finding
// (an arn of the form arn:<partition>:guardduty:...:detector/.../finding/...,
// or service.serviceName "guardduty", and no Security Hub ProductArn), an
// EventBridge event of detail-type "GuardDuty Finding", a findings
// envelope whose first element is such a finding or which is empty, or an
// array whose first element is one of those. CloudTrail records, other
// EventBridge events (including CloudTrail events about GuardDuty API
// calls) and Security Hub findings are not claimed.
func (Decoder) Detect(key string, head []byte) source.Confidence {
	if isExportKey(key) {
		return source.Key
	}
	if looksLikeFindings(head) {
		return source.Content
	}
	return source.No
}

// isExportKey matches [prefix/]AWSLogs/<account>/GuardDuty/<region>/... with
// a .jsonl (or .json) object name.
func isExportKey(key string) bool {
	if !strings.Contains(key, "GuardDuty") {
		return false
	}
	key = strings.ReplaceAll(key, `\`, "/")
	segs := strings.Split(key, "/")
	for i := 0; i+3 < len(segs); i++ {
		if segs[i] == "AWSLogs" && segs[i+1] != "" && segs[i+2] == "GuardDuty" {
			name := segs[len(segs)-1]
			return strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".json")
		}
	}
	return false
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func looksLikeFindings(head []byte) bool {
	data := bytes.TrimPrefix(head, utf8BOM)
	i := skipSpace(data, 0)
	if i == len(data) || (data[i] != '{' && data[i] != '[') {
		return false
	}
	end, err := valueEnd(data, i)
	if err != nil {
		// The first value does not end within head: fall back to
		// patterns.
		return looksLikeTruncatedFindings(data)
	}
	if data[i] == '[' {
		found := false
		_ = elements(data, i, end, func(_, start, end int) error {
			found = data[start] == '{' && isFindingDocument(data[start:end])
			return errStop
		})
		return found
	}
	return isFindingDocument(data[i:end])
}

// errStop ends a walk over elements early.
var errStop = errors.New("stop")

// isFindingDocument reports whether the object obj is a finding, a
// GuardDuty EventBridge event or a findings envelope.
func isFindingDocument(obj []byte) bool {
	var detailType *string
	var findings []byte
	err := members(obj, 0, len(obj), func(key string, start, end int) error {
		switch {
		case strings.EqualFold(key, "detail-type"):
			var s string
			if unmarshal(obj[start:end], &s) == nil {
				detailType = &s
			}
		case strings.EqualFold(key, "findings"):
			findings = obj[start:end]
		}
		return nil
	})
	if err != nil {
		return false
	}
	switch {
	case detailType != nil:
		return *detailType == findingDetailType
	case findings != nil:
		if findings[0] != '[' {
			return false
		}
		empty, ok := true, false
		_ = elements(findings, 0, len(findings), func(_, start, end int) error {
			empty = false
			ok = findings[start] == '{' && isFinding(findings[start:end])
			return errStop
		})
		return empty || ok
	}
	return isFinding(obj)
}

// probe holds what tells a GuardDuty finding from other JSON objects.
type probe struct {
	ARN        string `json:"arn"`
	ProductARN string `json:"productArn"` // Security Hub (ASFF) findings have one
	Service    struct {
		ServiceName string `json:"serviceName"`
	} `json:"service"`
}

func isFinding(obj []byte) bool {
	var p probe
	if unmarshal(obj, &p) != nil || p.ProductARN != "" {
		return false
	}
	return isFindingARN(p.ARN) || p.Service.ServiceName == "guardduty"
}

func isFindingARN(arn string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":guardduty:") && strings.Contains(arn, "/finding/")
}

var detailTypePattern = regexp.MustCompile(`"detail-type"\s*:\s*"GuardDuty Finding"`)

// looksLikeTruncatedFindings decides from patterns when the first value
// is longer than head.
func looksLikeTruncatedFindings(data []byte) bool {
	if detailTypePattern.Match(data) {
		return true
	}
	if bytes.Contains(data, []byte(`"detail-type"`)) || bytes.Contains(data, []byte(`"Records"`)) ||
		bytes.Contains(data, []byte(`"eventVersion"`)) || bytes.Contains(data, []byte(`"ProductArn"`)) {
		return false
	}
	return bytes.Contains(data, []byte(":guardduty:")) && bytes.Contains(data, []byte("/finding/")) &&
		(bytes.Contains(data, []byte(`"schemaVersion"`)) || bytes.Contains(data, []byte(`"SchemaVersion"`)))
}

// findingDetailType is the EventBridge detail-type of GuardDuty findings.
const findingDetailType = "GuardDuty Finding"

// Decode reads the findings in r and passes each to sink.Finding, in
// object order. Each Finding and its slices belong to the sink.
//
// Content errors are returned as one *trailhound.DecodeError with the
// line, byte offset and, inside arrays and envelopes, the 1-based index of
// the finding. An object that holds only empty envelopes or empty arrays
// returns a *source.Skip. Read errors from r are returned wrapped, and an
// error from the sink is returned as is.
func (Decoder) Decode(ctx context.Context, key string, r io.Reader, sink source.Sink) error {
	data, err := io.ReadAll(io.LimitReader(r, maxObject+1))
	if err != nil {
		return fmt.Errorf("guardduty: read %s: %w", key, err)
	}
	d := &decoder{ctx: ctx, key: key, data: data, sink: sink}
	if len(data) > maxObject {
		return d.fail(0, 0, nil, "object is larger than %d bytes", maxObject)
	}
	return d.run()
}

type decoder struct {
	ctx  context.Context
	key  string
	data []byte
	sink source.Sink
	// line is the line number at byte offset lineAt, for positions.
	line, lineAt int
	findings     int
}

// passThrough carries an error out of an elements or members callback
// unchanged, telling it apart from the scanner's own syntax errors.
type passThrough struct{ err error }

func (p passThrough) Error() string { return p.err.Error() }

func pass(err error) error {
	if err == nil {
		return nil
	}
	return passThrough{err}
}

func (d *decoder) run() error {
	start := 0
	if bytes.HasPrefix(d.data, utf8BOM) {
		start = len(utf8BOM)
	}
	i := skipSpace(d.data, start)
	if i == len(d.data) {
		return d.fail(0, 0, nil, "empty object")
	}
	for i < len(d.data) {
		c := d.data[i]
		if c != '{' && c != '[' {
			return d.fail(i, 0, nil, "not JSON findings: expected an object or an array, found %s", describe(d.data[i:]))
		}
		end, err := valueEnd(d.data, i)
		if err != nil {
			return d.fail(i, 0, err, "malformed JSON value")
		}
		if c == '[' {
			err = d.array(i, end)
		} else {
			err = d.object(i, end, 0)
		}
		if err != nil {
			return err
		}
		i = skipSpace(d.data, end)
	}
	if d.findings == 0 {
		return &source.Skip{Reason: "no findings: only empty envelopes or arrays"}
	}
	return nil
}

// array handles a top-level array of findings, events or envelopes.
func (d *decoder) array(lo, hi int) error {
	err := elements(d.data, lo, hi, func(index, start, end int) error {
		if d.data[start] != '{' {
			return pass(d.fail(start, index, nil, "array element is not an object: %s", describe(d.data[start:end])))
		}
		return pass(d.object(start, end, index))
	})
	return d.structural(lo, 0, err, "malformed JSON array")
}

// object handles an object: a findings envelope, an EventBridge event or
// a finding. record is its index in an enclosing array, or 0.
func (d *decoder) object(lo, hi, record int) error {
	var detailType, detail, findings []byte
	var dStart, fStart int
	err := members(d.data, lo, hi, func(key string, start, end int) error {
		switch {
		case strings.EqualFold(key, "findings"):
			findings, fStart = d.data[start:end], start
		case strings.EqualFold(key, "detail-type"):
			detailType = d.data[start:end]
		case strings.EqualFold(key, "detail"):
			detail, dStart = d.data[start:end], start
		}
		return nil
	})
	if err != nil {
		return d.fail(lo, record, err, "malformed JSON object")
	}
	switch {
	case findings != nil:
		if err := d.validEnvelope(lo, hi, record); err != nil {
			return err
		}
		switch findings[0] {
		case 'n': // null: no findings
			return nil
		case '[':
		default:
			return d.fail(fStart, record, nil, `"findings" is not an array`)
		}
		err := elements(d.data, fStart, fStart+len(findings), func(index, start, end int) error {
			if d.data[start] != '{' {
				return pass(d.fail(start, index, nil, "findings element is not an object: %s", describe(d.data[start:end])))
			}
			return pass(d.finding(start, end, index))
		})
		return d.structural(fStart, record, err, `malformed "findings" array`)
	case detailType != nil || detail != nil:
		if err := d.validEnvelope(lo, hi, record); err != nil {
			return err
		}
		var dt string
		if detailType != nil {
			if err := unmarshal(detailType, &dt); err != nil {
				return d.fail(lo, record, err, `event "detail-type" is not a string`)
			}
		}
		if dt != findingDetailType {
			return d.fail(lo, record, nil, "EventBridge event of detail-type %s, not %q", quote(dt), findingDetailType)
		}
		if detail == nil || detail[0] != '{' {
			return d.fail(lo, record, nil, `GuardDuty Finding event has no "detail" object`)
		}
		return d.finding(dStart, dStart+len(detail), record)
	}
	return d.finding(lo, hi, record)
}

// validEnvelope checks that an envelope is valid JSON as a whole: its
// findings are checked when decoded, but the rest is only scanned.
func (d *decoder) validEnvelope(lo, hi, record int) error {
	if err := validJSON(d.data[lo:hi]); err != nil {
		return d.fail(lo, record, err, "malformed JSON")
	}
	return nil
}

// structural passes on errors from callbacks and turns the scanner's own
// errors into a DecodeError.
func (d *decoder) structural(at, record int, err error, reason string) error {
	if err == nil {
		return nil
	}
	if p, ok := err.(passThrough); ok {
		return p.err
	}
	return d.fail(at, record, err, "%s", reason)
}

// finding decodes the finding data[lo:hi] and passes it to the sink.
func (d *decoder) finding(lo, hi, record int) error {
	if err := d.ctx.Err(); err != nil {
		return err
	}
	raw := d.data[lo:hi]
	var f finding
	if err := unmarshal(raw, &f); err != nil {
		return d.fail(lo, record, err, "finding does not match the GuardDuty finding format")
	}
	out, reason := f.normalize(bytes.Clone(raw))
	if reason != "" {
		return d.fail(lo, record, nil, "%s", reason)
	}
	d.findings++
	return d.sink.Finding(out)
}

// lineOf returns the line number of byte offset off.
func (d *decoder) lineOf(off int) int {
	if off < d.lineAt {
		d.line, d.lineAt = 1, 0
	}
	if d.line == 0 {
		d.line = 1
	}
	d.line += bytes.Count(d.data[d.lineAt:off], []byte{'\n'})
	d.lineAt = off
	return d.line
}

func (d *decoder) fail(at, record int, err error, format string, args ...any) error {
	pos := trailhound.Position{Record: record, Offset: int64(at)}
	if len(d.data) > 0 {
		pos.Line = d.lineOf(at)
	}
	return &trailhound.DecodeError{
		Object: d.key,
		Pos:    pos,
		Reason: fmt.Sprintf(format, args...),
		Err:    err,
	}
}

// quote renders a value for an error message: quoted, and cut short when
// long.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
