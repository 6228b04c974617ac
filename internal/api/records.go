package api

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trailhound/trailhound/internal/analysis"
)

// recordWriter lays out a stream of JSON records in one of the formats
// of /events. Output goes through a buffer: records are small and many,
// and one write per record would cost more than encoding them.
type recordWriter struct {
	bw     *bufio.Writer
	format string
	n      int
	cw     *csv.Writer
}

func newRecordWriter(w http.ResponseWriter, format, filename string, header []string) *recordWriter {
	rw := &recordWriter{bw: bufio.NewWriterSize(w, 64<<10), format: format}
	h := w.Header()
	switch format {
	case "json":
		h.Set("Content-Type", "application/json; charset=utf-8")
		rw.bw.WriteByte('[')
	case "ndjson":
		h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
		rw.cw = csv.NewWriter(rw.bw)
		rw.cw.Write(header)
	}
	return rw
}

// json writes one record given as compact JSON on one line.
func (rw *recordWriter) json(b []byte) error {
	if rw.format == "json" && rw.n > 0 {
		rw.bw.WriteString(",\n")
	}
	rw.n++
	rw.bw.Write(b)
	if rw.format == "ndjson" {
		rw.bw.WriteByte('\n')
	}
	return nil
}

func (rw *recordWriter) csv(row []string) error {
	for i, c := range row {
		row[i] = csvCell(c)
	}
	return rw.cw.Write(row)
}

// csvCell guards a CSV cell against formula injection: a cell a
// spreadsheet would run as a formula (text starting with =, +, -, @, tab
// or carriage return) gets a leading apostrophe, since the values come
// from logs an attacker can write. Numbers (a negative count) are kept.
// The console's own exports do the same (ui/src/lib/csv.ts).
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

func (rw *recordWriter) finish() error {
	switch rw.format {
	case "json":
		rw.bw.WriteString("]\n")
	case "csv":
		rw.cw.Flush()
		if err := rw.cw.Error(); err != nil {
			return err
		}
	}
	return rw.bw.Flush()
}

// writeFlowRecords streams VPC flow records: in json and ndjson as
// objects holding the line as delivered, where it was read and its
// fields; in csv as the fields.
func writeFlowRecords(w http.ResponseWriter, r *http.Request, stream *analysis.EventStream, format string) error {
	rw := newRecordWriter(w, format, "flows.csv", flowCSVHeader)
	var buf []byte
	row := make([]string, len(flowCSVHeader))
	itoa := strconv.Itoa
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	err := stream.EachFlow(r.Context(), func(f *analysis.FlowRecord) error {
		if format != "csv" {
			buf = appendFlowRecord(buf[:0], f)
			return rw.json(buf)
		}
		peer := ""
		if f.Peer != nil {
			peer = string(f.Peer.Type) + "/" + f.Peer.ID
		}
		row = append(row[:0], f.Object, itoa(f.Line), itoa(f.Version), f.Account, f.InterfaceID, f.SrcAddr, f.DstAddr, itoa(f.SrcPort),
			itoa(f.DstPort), itoa(f.Protocol), i64(f.Packets), i64(f.Bytes), i64(f.Start), i64(f.End), f.Action, f.LogStatus, f.VPCID,
			f.InstanceID, f.FlowDirection, peer, itoa(f.LocalPort), itoa(f.RemotePort), f.Direction, f.Traffic)
		return rw.csv(row)
	})
	if err != nil {
		return err
	}
	return rw.finish()
}

// writeFindingRecords streams GuardDuty finding versions: in json and
// ndjson the finding JSON as delivered (compacted to one line for
// ndjson), in csv its main fields.
func writeFindingRecords(w http.ResponseWriter, r *http.Request, stream *analysis.EventStream, format string) error {
	rw := newRecordWriter(w, format, "findings.csv", findingCSVHeader)
	var buf bytes.Buffer
	ts := func(u int64) string {
		if u == 0 {
			return ""
		}
		return time.Unix(u, 0).UTC().Format(time.RFC3339)
	}
	err := stream.EachFinding(r.Context(), func(f *analysis.FindingRecord) error {
		switch format {
		case "json":
			return rw.json(f.Raw)
		case "ndjson":
			buf.Reset()
			if err := json.Compact(&buf, f.Raw); err != nil {
				return err
			}
			return rw.json(buf.Bytes())
		}
		return rw.csv([]string{f.ID, f.Type, f.Title, strconv.FormatFloat(f.Severity, 'f', -1, 64), f.Account, f.Region,
			ts(f.CreatedAt), ts(f.UpdatedAt), ts(f.FirstSeen), ts(f.LastSeen), strconv.FormatInt(f.Count, 10),
			strconv.FormatBool(f.Archived), f.ResourceType, f.ActionType})
	})
	if err != nil {
		return err
	}
	return rw.finish()
}

// appendFlowRecord appends f as encoding/json would encode it (a test
// checks they agree), without reflection: a flow stream is hundreds of
// thousands of small records, and encoding them was most of its cost.
func appendFlowRecord(b []byte, f *analysis.FlowRecord) []byte {
	b = append(b, `{"object":`...)
	b = appendJSONString(b, f.Object)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = append(b, `,"record":`...)
	b = appendJSONString(b, f.Record)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(f.Version), 10)
	b = appendOptString(b, `,"accountId":`, f.Account)
	b = appendOptString(b, `,"interfaceId":`, f.InterfaceID)
	b = appendOptString(b, `,"instanceId":`, f.InstanceID)
	b = appendOptString(b, `,"srcAddr":`, f.SrcAddr)
	b = appendOptString(b, `,"dstAddr":`, f.DstAddr)
	b = append(b, `,"srcPort":`...)
	b = strconv.AppendInt(b, int64(f.SrcPort), 10)
	b = append(b, `,"dstPort":`...)
	b = strconv.AppendInt(b, int64(f.DstPort), 10)
	b = append(b, `,"protocol":`...)
	b = strconv.AppendInt(b, int64(f.Protocol), 10)
	b = append(b, `,"packets":`...)
	b = strconv.AppendInt(b, f.Packets, 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, f.Bytes, 10)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, f.Start, 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, f.End, 10)
	b = appendOptString(b, `,"action":`, f.Action)
	b = appendOptString(b, `,"logStatus":`, f.LogStatus)
	b = appendOptString(b, `,"vpcId":`, f.VPCID)
	b = appendOptString(b, `,"flowDirection":`, f.FlowDirection)
	if f.Peer != nil {
		b = append(b, `,"peer":{"type":`...)
		b = appendJSONString(b, string(f.Peer.Type))
		b = append(b, `,"id":`...)
		b = appendJSONString(b, f.Peer.ID)
		b = append(b, '}')
	}
	b = append(b, `,"localPort":`...)
	b = strconv.AppendInt(b, int64(f.LocalPort), 10)
	b = append(b, `,"remotePort":`...)
	b = strconv.AppendInt(b, int64(f.RemotePort), 10)
	b = append(b, `,"direction":`...)
	b = appendJSONString(b, f.Direction)
	b = append(b, `,"traffic":`...)
	b = appendJSONString(b, f.Traffic)
	return append(b, '}')
}

// appendOptString appends a member that encoding/json would omit when
// empty (omitempty).
func appendOptString(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, name...), s)
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it with HTML escaping: quotes, backslashes and control
// characters escaped, <, > and & as \u003c, \u003e, \u0026, U+2028 and
// U+2029 escaped, and invalid UTF-8 replaced by U+FFFD. Flow records are
// attacker-controlled text, so none of it may pass unescaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
