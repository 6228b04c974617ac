package vpcflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// collectSink keeps a deep copy of every flow it receives, as the Sink
// contract requires of a sink that keeps flows.
type collectSink struct {
	flows []trailhound.Flow
	// seen records the pointers passed, to show that the decoder reuses one.
	seen map[*trailhound.Flow]bool
}

func (s *collectSink) APICall(*trailhound.APICall) error { return errors.New("unexpected APICall") }
func (s *collectSink) Finding(*trailhound.Finding) error { return errors.New("unexpected Finding") }
func (s *collectSink) Flow(f *trailhound.Flow) error {
	if s.seen == nil {
		s.seen = map[*trailhound.Flow]bool{}
	}
	s.seen[f] = true
	s.flows = append(s.flows, cloneFlow(f))
	return nil
}

// cloneFlow copies f and every string in it.
func cloneFlow(f *trailhound.Flow) trailhound.Flow {
	c := *f
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if fv := v.Field(i); fv.Kind() == reflect.String {
			fv.SetString(strings.Clone(fv.String()))
		}
	}
	return c
}

// flowJSON renders the non-zero fields of f, so that golden files show
// what each record says and nothing else.
func flowJSON(f *trailhound.Flow) map[string]any {
	out := map[string]any{}
	v := reflect.ValueOf(f).Elem()
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		if fv.IsZero() {
			continue
		}
		if tm, ok := fv.Interface().(time.Time); ok {
			out[t.Field(i).Name] = tm.Format(time.RFC3339)
			continue
		}
		out[t.Field(i).Name] = fv.Interface()
	}
	return out
}

type golden struct {
	Result  string           `json:"result"`
	Records []map[string]any `json:"records"`
}

func decodeAll(t testing.TB, key string, data []byte) ([]trailhound.Flow, error) {
	t.Helper()
	sink := &collectSink{}
	err := Decoder{}.Decode(context.Background(), key, bytes.NewReader(data), sink)
	return sink.flows, err
}

func resultString(err error) string {
	if err == nil {
		return "ok"
	}
	if s, ok := source.IsSkip(err); ok {
		return "skip: " + s.Reason
	}
	return "error: " + err.Error()
}

// TestGolden decodes every input in testdata/ and compares the records
// with testdata/<case>.golden.json. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		base := filepath.Base(in)
		if st, err := os.Stat(in); err != nil || st.IsDir() ||
			strings.HasSuffix(base, ".golden.json") || strings.HasPrefix(base, "README") {
			continue // fuzz corpora live in testdata/fuzz
		}
		n++
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			flows, err := decodeAll(t, in, data)
			got := golden{Result: resultString(err), Records: []map[string]any{}}
			for i := range flows {
				got.Records = append(got.Records, flowJSON(&flows[i]))
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // show hostile values as they are
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			gotJSON := buf.Bytes()
			path := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden.json"
			if *update {
				if err := os.WriteFile(path, gotJSON, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(gotJSON)); diff != "" {
				t.Errorf("golden mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d golden cases found", n)
	}
}

// TestFlowFields checks decoded values against the prose of the AWS
// examples, independently of the golden files.
func TestFlowFields(t *testing.T) {
	ts := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	tests := []struct {
		file string
		idx  int
		want trailhound.Flow
	}{
		{"aws-accepted-rejected.log", 0, trailhound.Flow{
			Version: 2, AccountID: "123456789010", InterfaceID: "eni-1235b8ca123456789",
			SrcAddr: "172.31.16.139", DstAddr: "172.31.16.21", SrcPort: 20641, DstPort: 22, Protocol: 6,
			Packets: 20, Bytes: 4249, Start: ts(1418530010), End: ts(1418530070), Action: "ACCEPT", LogStatus: "OK", Line: 1,
		}},
		{"aws-nodata-skipdata.log", 0, trailhound.Flow{
			Version: 2, AccountID: "123456789010", InterfaceID: "eni-1235b8ca123456789", Protocol: -1,
			Start: ts(1431280876), End: ts(1431280934), LogStatus: "NODATA", Line: 1,
		}},
		{"aws-nat-gateway-eni.log", 0, trailhound.Flow{
			Version: 3, InterfaceID: "eni-1235b8ca123456789", SrcAddr: "10.0.1.5", DstAddr: "10.0.0.220",
			PktSrcAddr: "10.0.1.5", PktDstAddr: "203.0.113.5", Protocol: -1, Line: 2,
		}},
		{"aws-v5-traffic-path.log", 1, trailhound.Flow{
			Version: 5, SrcAddr: "10.0.0.71", DstAddr: "52.95.128.179", SrcPort: 34210, DstPort: 80, Protocol: 6,
			Start: ts(1616729292), End: ts(1616729349), Type: "IPv4", Packets: 7, Bytes: 471,
			AccountID: "123456789012", VPCID: "vpc-abcdefab012345678", SubnetID: "subnet-aaaaaaaa012345678",
			InstanceID: "i-0c50d5961bcb2d47b", InterfaceID: "eni-1235b8ca123456789", Region: "ap-southeast-2",
			AZID: "apse2-az3", Action: "ACCEPT", TCPFlags: 3, PktSrcAddr: "10.0.0.71", PktDstAddr: "52.95.128.179",
			PktDstService: "S3", TrafficPath: 8, Direction: "egress", LogStatus: "OK", Line: 3,
		}},
		{"elastic-all-fields-v8.log", 0, trailhound.Flow{
			Version: 3, AccountID: "000000000000", SrcAddr: "2a02:cf40::", DstAddr: "1.128.0.0", SrcPort: 42910,
			DstPort: 80, Protocol: 17, Packets: 51, Bytes: 33615, Start: ts(1755678754), End: ts(1755678775),
			Action: "REJECT", LogStatus: "NODATA", Direction: "ingress",
			ECSClusterARN:           "arn:aws:ecs:us-east-1:000000000000:cluster/backend-cluster",
			ECSClusterName:          "backend-cluster",
			ECSContainerInstanceARN: "arn:aws:ecs:us-east-1:000000000000:container-instance/backend-cluster/i-18de3682c033431da",
			ECSContainerInstanceID:  "i-18de3682c033431da", ECSContainerID: "601a6500-efa", ECSSecondContainerID: "dea79277-480",
			ECSServiceName: "payments-service", ECSTaskDefinitionARN: "arn:aws:ecs:us-east-1:000000000000:task-definition/orders:12",
			ECSTaskARN: "arn:aws:ecs:us-east-1:000000000000:task/backend-cluster/e504f037-35c", ECSTaskID: "e504f037-35c",
			RejectReason: "BPA", Line: 1,
		}},
		{"elastic-tgw-default-format.log", 2, trailhound.Flow{
			Version: 3, ResourceType: "TransitGateway", AccountID: "748335378900", TGWID: "tgw-0a12bc34de56f7890",
			TGWAttachmentID: "tgw-attach-0123abcd", TGWSrcVPCID: "vpc-0abc1234", TGWDstVPCID: "vpc-0def5678",
			TGWSrcENI: "eni-0ee5f66aa7bcc89d0", TGWDstENI: "eni-0dd4ee5f66aa7bcc8", SrcAddr: "216.160.83.56",
			DstAddr: "89.160.20.128", SrcPort: 36721, DstPort: 8080, Protocol: 17, Packets: 13, Bytes: 6842,
			Start: ts(1755592553), End: ts(1755592580), LogStatus: "OK", Direction: "ingress", Line: 3,
		}},
		{"synthetic-tgw-custom-header.log", 0, trailhound.Flow{
			Version: 6, ResourceType: "TransitGateway", AccountID: "111122223333", TGWID: "tgw-0123456789abcdef0",
			TGWAttachmentID: "tgw-attach-0123456789abcdef0", TGWSrcVPCAccountID: "111122223333",
			TGWDstVPCAccountID: "444455556666", TGWSrcVPCID: "vpc-0aaaaaaaaaaaaaaaa", TGWDstVPCID: "vpc-0bbbbbbbbbbbbbbbb",
			TGWSrcSubnetID: "subnet-0aaaaaaaaaaaaaaaa", TGWDstSubnetID: "subnet-0bbbbbbbbbbbbbbbb",
			TGWSrcENI: "eni-0aaaaaaaaaaaaaaaa", TGWDstENI: "eni-0bbbbbbbbbbbbbbbb", TGWSrcAZID: "use1-az1",
			TGWDstAZID: "use1-az2", TGWPairAttachmentID: "tgw-attach-0fedcba9876543210", SrcAddr: "10.0.1.10",
			DstAddr: "10.1.2.20", SrcPort: 49152, DstPort: 443, Protocol: 6, Packets: 10, Bytes: 1500,
			Start: ts(1700000000), End: ts(1700000060), LogStatus: "OK", Type: "IPv4", PacketsLostBlackhole: 2,
			PacketsLostMTUExceeded: 1, TCPFlags: 19, Region: "us-east-1", Direction: "egress", PktDstService: "AMAZON", Line: 2,
		}},
		{"synthetic-firehose-envelope-with-header.jsonl", 1, trailhound.Flow{
			Version: 5, InterfaceID: "eni-0123456789abcdef0", SrcAddr: "203.0.113.9", DstAddr: "10.0.0.5",
			SrcPort: 443, DstPort: 33333, Protocol: 6, Bytes: 98000, Action: "ACCEPT", LogStatus: "OK",
			Direction: "ingress", Line: 3,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			flows, err := decodeAll(t, tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if tt.idx >= len(flows) {
				t.Fatalf("got %d flows", len(flows))
			}
			if diff := cmp.Diff(tt.want, flows[tt.idx]); diff != "" {
				t.Errorf("flow %d (-want +got):\n%s", tt.idx, diff)
			}
		})
	}
}

// TestSinkContract shows that the decoder reuses one Flow and one line
// buffer, and that a sink which copies, as the contract asks, keeps
// correct values.
func TestSinkContract(t *testing.T) {
	var in strings.Builder
	for i := range 5000 {
		in.WriteString("2 123456789010 eni-")
		in.WriteString(strings.Repeat(string(rune('a'+i%26)), 17))
		in.WriteString(" 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n")
	}
	// A small read buffer forces the reader to refill and reuse its buffer.
	sink := &collectSink{}
	err := Decoder{}.Decode(context.Background(), "k", &oneByteAtATime{strings.NewReader(in.String())}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.seen) != 1 {
		t.Errorf("decoder passed %d distinct *Flow values, want one reused", len(sink.seen))
	}
	if len(sink.flows) != 5000 {
		t.Fatalf("got %d flows", len(sink.flows))
	}
	for i, f := range sink.flows {
		want := "eni-" + strings.Repeat(string(rune('a'+i%26)), 17)
		if f.InterfaceID != want || f.Line != i+1 {
			t.Fatalf("flow %d: InterfaceID %q line %d, want %q line %d", i, f.InterfaceID, f.Line, want, i+1)
		}
	}

	// A sink that keeps strings without copying sees them change: this is
	// why the contract asks for a copy.
	var kept []string
	keep := sinkFunc(func(f *trailhound.Flow) error { kept = append(kept, f.InterfaceID); return nil })
	if err := (Decoder{}).Decode(context.Background(), "k", strings.NewReader(in.String()), keep); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i, s := range kept {
		if s != "eni-"+strings.Repeat(string(rune('a'+i%26)), 17) {
			changed++
		}
	}
	if changed == 0 {
		t.Log("no aliased string changed; the buffer happened not to be reused")
	}
}

type oneByteAtATime struct{ r *strings.Reader }

func (o *oneByteAtATime) Read(p []byte) (int, error) {
	if len(p) > 7 {
		p = p[:7]
	}
	return o.r.Read(p)
}

type sinkFunc func(*trailhound.Flow) error

func (f sinkFunc) APICall(*trailhound.APICall) error { return nil }
func (f sinkFunc) Finding(*trailhound.Finding) error { return nil }
func (f sinkFunc) Flow(fl *trailhound.Flow) error    { return f(fl) }

// TestBadInput checks that each kind of bad input yields one DecodeError
// with a position and a reason that says what is wrong.
func TestBadInput(t *testing.T) {
	const v2 = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n"
	const hdr = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	tests := []struct {
		name   string
		in     string
		line   int
		offset int64
		reason string
	}{
		{"empty", "", 0, 0, "empty object"},
		{"blank lines only", "\n  \n\t\r\n", 0, 0, "empty object"},
		{"gzip not decompressed", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 1, 0, "binary data: control character 0x1f"},
		{"NUL in record", v2 + "2 1\x002 eni-1 - - - - - - - 1 2 - NODATA\n", 2, int64(len(v2)), "binary data: control character 0x00"},
		{"invalid UTF-8", "2 123456789010 eni-\xff\xfe - - - - - - - 1 2 - NODATA\n", 1, 0, "not valid UTF-8"},
		{"wrong count vs header", hdr + v2 + "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 ACCEPT\n", 3, int64(len(hdr) + len(v2)),
			"record has 13 fields, but the header on line 1 has 14"},
		{"too many fields vs header", hdr + strings.TrimSuffix(v2, "\n") + " extra\n", 2, int64(len(hdr)), "record has 15 fields, but the header on line 1 has 14"},
		{"wrong count vs inferred", v2 + v2 + "2 123456789010\n", 3, int64(2 * len(v2)),
			"record has 2 fields, but the AWS default format inferred from line 1 (the version 2 default format) has 14"},
		{"unknown count without header", "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 ACCEPT\n", 1, 0,
			"record has 13 fields and no header line names them"},
		{"truncated last line", v2 + "2 123456789010 eni-1235b8ca123456789 172.31.16", 2, int64(len(v2)), "record has 4 fields, but"},
		{"non-numeric port", "2 123456789010 eni-1 1.1.1.1 2.2.2.2 ssh 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n", 1, 0,
			`field srcport: "ssh" is not a number`},
		{"non-numeric bytes", v2 + "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 22 6 20 4k 1418530010 1418530070 ACCEPT OK\n", 2, int64(len(v2)),
			`field bytes: "4k" is not a number`},
		{"negative packets", "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 22 6 -20 4 1418530010 1418530070 ACCEPT OK\n", 1, 0,
			`field packets: "-20" is not a number`},
		{"number out of range", "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 22 6 20 99999999999999999999 1418530010 1418530070 ACCEPT OK\n", 1, 0,
			`field bytes: "99999999999999999999" is out of range`},
		{"int64 overflow with 19 digits", "2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 22 6 20 9999999999999999999 1418530010 1418530070 ACCEPT OK\n", 1, 0,
			`is out of range`},
		{"unknown header field", "version account-id interface-id srcaddr bogus-field\n", 1, 0, `unknown field name "bogus-field" in header`},
		{"field newer than version 8", "version srcaddr dstaddr encryption-status\n", 1, 0, `unknown field name "encryption-status" in header`},
		{"duplicate header field", "version srcaddr srcaddr\n", 1, 0, `field name "srcaddr" appears twice in header`},
		{"header then garbage", hdr + "hello world\n", 2, int64(len(hdr)), "record has 2 fields, but the header on line 1 has 14"},
		{"json not an envelope", `{"Records":[{"eventVersion":"1.08"}]}` + "\n", 1, 0, `JSON line has no "message" string`},
		{"json invalid", `{"message": "2 1 eni` + "\n", 1, 0, "JSON line is not a flow log delivery envelope"},
		{"json message wrong type", `{"message": 42}` + "\n", 1, 0, "JSON line is not a flow log delivery envelope"},
		{"json message bad record", `{"message":"2 123 eni-1 - - x - - - - 1 2 - NODATA"}` + "\n", 1, 0, `field srcport: "x" is not a number`},
		{"line too long", strings.Repeat("7", maxLine+10), 1, 0, "line is longer than"},
		{"binary garbage", "\x00\x01\x02\x03\xff\xfe\xfd", 1, 0, "binary data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flows, err := decodeAll(t, "obj", []byte(tt.in))
			var de *trailhound.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want *trailhound.DecodeError", err, err)
			}
			if de.Object != "obj" {
				t.Errorf("Object = %q", de.Object)
			}
			if de.Pos.Line != tt.line || de.Pos.Offset != tt.offset {
				t.Errorf("Pos = %+v, want line %d offset %d", de.Pos, tt.line, tt.offset)
			}
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", de.Reason, tt.reason)
			}
			_ = flows
		})
	}
}

func TestByteOrderMark(t *testing.T) {
	in := "\ufeffversion srcaddr dstaddr\n2 10.0.0.1 10.0.0.2\n"
	flows, err := decodeAll(t, "k", []byte(in))
	if err != nil || len(flows) != 1 || flows[0].SrcAddr != "10.0.0.1" {
		t.Fatalf("got %v, %+v", err, flows)
	}
}

func TestHeaderOnlyIsSkip(t *testing.T) {
	_, err := decodeAll(t, "k", []byte("version account-id interface-id srcaddr\n"))
	if _, ok := source.IsSkip(err); !ok {
		t.Fatalf("got %v, want *source.Skip", err)
	}
}

func TestSinkErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	sink := sinkFunc(func(*trailhound.Flow) error { n++; return stop })
	data, _ := os.ReadFile("testdata/aws-accepted-rejected.log")
	err := Decoder{}.Decode(context.Background(), "k", bytes.NewReader(data), sink)
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d records, want the sink's error after 1", err, n)
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := strings.Repeat("2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 ACCEPT OK\n", 3*ctxEvery)
	err := Decoder{}.Decode(ctx, "k", strings.NewReader(in), sinkFunc(func(*trailhound.Flow) error { return nil }))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	err := Decoder{}.Decode(context.Background(), "k", failingReader{boom}, &collectSink{})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	var de *trailhound.DecodeError
	if errors.As(err, &de) {
		t.Fatalf("a read error is not a content error: %v", err)
	}
}

func TestRegistered(t *testing.T) {
	for _, d := range source.Decoders() {
		if d.Source() == trailhound.SourceVPCFlow {
			return
		}
	}
	t.Fatal("vpcflow decoder is not registered")
}

func TestDetect(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v2 := read("aws-accepted-rejected.log")
	tests := []struct {
		name string
		key  string
		head []byte
		want source.Confidence
	}{
		{"s3 key", "AWSLogs/111111111111/vpcflowlogs/us-east-2/2023/01/28/111111111111_vpcflowlogs_us-east-2_fl-023c6afa025ee5a04_20230128T0930Z_3a9dfd9d.log", nil, source.Key},
		{"s3 key with prefix and bucket", "s3://bucket/flows/AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/02/29/x.log", nil, source.Key},
		{"hive key", "AWSLogs/aws-account-id=111111111111/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=01/hour=00/x.log", nil, source.Key},
		{"windows path", `C:\logs\AWSLogs\111111111111\vpcflowlogs\us-east-1\2024\01\01\x.log`, nil, source.Key},
		{"parquet under flow prefix", "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/01/01/x.parquet", v2, source.No},
		{"other suffix falls back to content", "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/01/01/x.txt", v2, source.Content},
		{"default format", "flows.txt", v2, source.Content},
		{"custom header", "f", read("aws-tcp-flag-sequence.log"), source.Content},
		{"header only", "f", read("synthetic-header-only.log"), source.Content},
		{"tgw default", "f", read("elastic-tgw-default-format.log"), source.Content},
		{"v8 all fields", "f", read("elastic-all-fields-v8.log"), source.Content},
		{"message envelope", "f", read("elastic-message-envelope.jsonl"), source.Content},
		{"crlf and blank first line", "f", read("synthetic-crlf-blank-lines.log"), source.Content},
		{"header with one unknown field", "f", []byte("version account-id interface-id srcaddr encryption-status\n"), source.Content},
		{"cloudtrail key", "AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/01/x.json", []byte(`{"Records":[]}`), source.No},
		{"cloudtrail content", "x.json", []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}]}`), source.No},
		{"eventbridge cloudtrail", "x.json", []byte(`{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","detail":{}}`), source.No},
		{"guardduty finding", "x.jsonl", []byte(`{"schemaVersion":"2.0","accountId":"1","id":"x","type":"Recon:EC2/Portscan"}`), source.No},
		{"guardduty key", "AWSLogs/111111111111/GuardDuty/us-east-1/2024/01/01/x.jsonl", []byte(`{"id":"x"}`), source.No},
		{"cloudwatch message that is not a flow", "x", []byte(`{"message":"START RequestId: 1234 Version: $LATEST"}`), source.No},
		{"route53 resolver log", "x", []byte(`{"version":"1.100000","account_id":"111","query_name":"example.com."}`), source.No},
		{"plain text", "notes.txt", []byte("hello world, this is not a flow log\n"), source.No},
		{"14 words", "x", []byte("a b c d e f g h i j k l m n\n"), source.No},
		{"binary", "x", []byte{0x1f, 0x8b, 8, 0, 0, 0}, source.No},
		{"empty", "x", nil, source.No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Decoder{}).Detect(tt.key, tt.head); got != tt.want {
				t.Errorf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDefaultLayouts pins the field counts that make inference possible.
func TestDefaultLayouts(t *testing.T) {
	want := map[int]int{14: 2, 21: 3, 25: 4, 29: 5, 36: 6, 39: 7, 40: 8}
	if len(defaultLayouts) != len(want) {
		t.Fatalf("%d default layouts, want %d", len(defaultLayouts), len(want))
	}
	for n, v := range want {
		l := defaultLayouts[n]
		if l == nil || len(l.fields) != n || l.version != v {
			t.Errorf("layout with %d fields: %+v, want version %d", n, l, v)
		}
	}
	for f := fVersion; f < numFields; f++ {
		if fieldInfos[f].name == "" {
			t.Errorf("field %d has no name", f)
		}
	}
}

// TestConcurrentDecode runs decoders side by side, as the pipeline does;
// run it with -race.
func TestConcurrentDecode(t *testing.T) {
	data, err := os.ReadFile("testdata/aws-tcp-flag-sequence.log")
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeAll(t, "k", data)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				got, err := decodeAll(t, "k", data)
				if err == nil && !reflect.DeepEqual(got, want) {
					err = errors.New("concurrent decode differs")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
