package cloudtrail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// collectSink keeps every APICall it receives.
type collectSink struct {
	calls []*trailhound.APICall
	err   error // returned from APICall when set
}

func (s *collectSink) APICall(c *trailhound.APICall) error {
	s.calls = append(s.calls, c)
	return s.err
}
func (s *collectSink) Flow(*trailhound.Flow) error       { return errors.New("unexpected flow") }
func (s *collectSink) Finding(*trailhound.Finding) error { return errors.New("unexpected finding") }

// decode runs the decoder over data as one object named key.
func decode(t testing.TB, key string, r io.Reader) ([]*trailhound.APICall, error) {
	t.Helper()
	var sink collectSink
	err := Decoder{}.Decode(context.Background(), key, r, &sink)
	return sink.calls, err
}

// goldenKeys gives the object key of test cases whose key matters; the
// others are decoded as "testdata/<file>".
var goldenKeys = map[string]string{
	"identity-types.json":   "AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2024/05/22/111122223333_CloudTrail_us-east-1_20240522T0710Z_abcdEFGH12345678.json",
	"awsdocs-insights.json": "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2019/11/14/123456789012_CloudTrail-Insight_us-east-1_20191114T0055Z_EXAMPLEabcdEFGH.json",
}

// testdataInputs returns the input files of testdata: everything but the
// golden files and the README.
func testdataInputs(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, n := range names {
		base := filepath.Base(n)
		if strings.HasSuffix(base, ".golden.json") || strings.HasPrefix(base, "README") {
			continue
		}
		inputs = append(inputs, n)
	}
	if len(inputs) == 0 {
		t.Fatal("no test inputs in testdata")
	}
	return inputs
}

func keyFor(path string) string {
	if k, ok := goldenKeys[filepath.Base(path)]; ok {
		return k
	}
	return filepath.ToSlash(path)
}

// golden is what a golden file holds: the decoder's verdict on an input.
type golden struct {
	Key     string           `json:"key"`
	Detect  string           `json:"detect"`
	Error   string           `json:"error,omitempty"`
	Skip    string           `json:"skip,omitempty"`
	Records []map[string]any `json:"records"`
}

func confidenceName(c source.Confidence) string {
	switch c {
	case source.Key:
		return "Key"
	case source.Content:
		return "Content"
	}
	return "No"
}

// goldenRecord renders an APICall for a golden file: JSON members as JSON,
// Raw as its length and hash, and empty strings, nulls and zero times left
// out so that the files stay readable.
func goldenRecord(t *testing.T, c *trailhound.APICall) map[string]any {
	t.Helper()
	type view struct {
		*trailhound.APICall
		RequestParameters   json.RawMessage
		ResponseElements    json.RawMessage
		AdditionalEventData json.RawMessage
		Raw                 string
	}
	sum := sha256.Sum256(c.Raw)
	v := view{
		APICall:             c,
		RequestParameters:   json.RawMessage(c.RequestParameters),
		ResponseElements:    json.RawMessage(c.ResponseElements),
		AdditionalEventData: json.RawMessage(c.AdditionalEventData),
		Raw:                 fmt.Sprintf("%d bytes, sha256 %s", len(c.Raw), hex.EncodeToString(sum[:6])),
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %s: %v", c.EventID, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	prune(m)
	return m
}

// prune removes empty strings, nulls and zero times from m, recursively.
func prune(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case string:
			if v == "" || v == "0001-01-01T00:00:00Z" {
				delete(m, k)
			}
		case map[string]any:
			prune(v)
		}
	}
}

// TestGolden decodes every input in testdata and compares the result with
// its golden file. Run with -update to rewrite the golden files.
func TestGolden(t *testing.T) {
	for _, path := range testdataInputs(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			key := keyFor(path)
			got := golden{Key: key, Detect: confidenceName(Decoder{}.Detect(key, data[:min(len(data), 64<<10)]))}
			calls, err := decode(t, key, bytes.NewReader(data))
			if s, ok := source.IsSkip(err); ok {
				got.Skip = s.Reason
			} else if err != nil {
				var de *trailhound.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %v is a %T, want *trailhound.DecodeError", err, err)
				}
				got.Error = err.Error()
			}
			got.Records = []map[string]any{}
			for _, c := range calls {
				checkInvariants(t, data, c, name)
				got.Records = append(got.Records, goldenRecord(t, c))
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			gpath := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden.json"
			if *update {
				if err := os.WriteFile(gpath, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gpath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
			}
		})
	}
}

// checkInvariants checks what must hold for every emitted record.
func checkInvariants(t *testing.T, input []byte, c *trailhound.APICall, name string) {
	t.Helper()
	if c.EventID == "" || c.Time.IsZero() || c.Name == "" {
		t.Errorf("record without EventID, Time or Name: %+v", c)
	}
	if c.Time.Location() != time.UTC {
		t.Errorf("%s: time %v is not in UTC", c.EventID, c.Time)
	}
	if !json.Valid(c.Raw) {
		t.Errorf("%s: Raw is not valid JSON", c.EventID)
	}
	// Raw is the record's exact bytes, except for lookup-events, whose
	// records are inside strings.
	if !strings.HasPrefix(name, "lookup-events") && !bytes.Contains(input, c.Raw) {
		t.Errorf("%s: Raw is not a part of the input", c.EventID)
	}
	for _, part := range [][]byte{c.RequestParameters, c.ResponseElements, c.AdditionalEventData} {
		if part != nil && (!json.Valid(part) || !bytes.Contains(c.Raw, part) || string(part) == "null") {
			t.Errorf("%s: JSON member %q is not valid JSON inside Raw", c.EventID, part)
		}
	}
	if strings.HasPrefix(c.EventID, "sha256:") {
		sum := sha256.Sum256(c.Raw)
		if c.EventID != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("derived EventID %s is not the hash of Raw", c.EventID)
		}
	}
}

// TestReaders decodes every input through readers that return little data
// at a time, or an error with the last bytes, and expects the same result
// as from one buffer: the scanner's refills must not change anything.
func TestReaders(t *testing.T) {
	readers := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
	}
	for _, path := range testdataInputs(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		key := keyFor(path)
		want, wantErr := decode(t, key, bytes.NewReader(data))
		for name, wrap := range readers {
			t.Run(filepath.Base(path)+"/"+name, func(t *testing.T) {
				got, err := decode(t, key, wrap(bytes.NewReader(data)))
				if fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Errorf("error %v, want %v", err, wantErr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("records differ (-whole +%s):\n%s", name, diff)
				}
			})
		}
	}
}

// TestReingestSameIDs checks that records without an eventID get the same
// derived ID every time they are decoded.
func TestReingestSameIDs(t *testing.T) {
	data, err := os.ReadFile("testdata/event-versions.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	first, err := decode(t, "a", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	second, err := decode(t, "b", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	derived := 0
	for i := range first {
		if first[i].EventID != second[i].EventID {
			t.Errorf("record %d: IDs %s and %s differ", i, first[i].EventID, second[i].EventID)
		}
		if strings.HasPrefix(first[i].EventID, "sha256:") {
			derived++
		}
	}
	if derived == 0 {
		t.Error("no record without eventID in the input")
	}
}

func TestSinkErrorStops(t *testing.T) {
	data, err := os.ReadFile("testdata/identity-types.json")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("store full")
	sink := &collectSink{err: stop}
	err = Decoder{}.Decode(context.Background(), "k", bytes.NewReader(data), sink)
	if err != stop {
		t.Fatalf("got %v, want the sink's error", err)
	}
	if len(sink.calls) != 1 {
		t.Fatalf("sink got %d records after failing, want 1", len(sink.calls))
	}
}

// cancelSink cancels the context on the first record.
type cancelSink struct {
	collectSink
	cancel context.CancelFunc
}

func (s *cancelSink) APICall(c *trailhound.APICall) error {
	s.cancel()
	return s.collectSink.APICall(c)
}

func TestContextCanceledBetweenRecords(t *testing.T) {
	for _, file := range []string{"testdata/identity-types.json", "testdata/signin.ndjson"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		sink := &cancelSink{cancel: cancel}
		err = Decoder{}.Decode(ctx, "k", bytes.NewReader(data), sink)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: got %v, want context.Canceled", file, err)
		}
		if len(sink.calls) != 1 {
			t.Errorf("%s: %d records emitted after cancellation, want 1", file, len(sink.calls))
		}
	}
}

func TestReadError(t *testing.T) {
	data, err := os.ReadFile("testdata/identity-types.json")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(boom))
	_, err = decode(t, "k", r)
	var de *trailhound.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, boom) {
		t.Fatalf("got %v, want a DecodeError wrapping the read error", err)
	}
	if de.Pos.Offset != int64(len(data)/2) {
		t.Errorf("offset %d, want %d (where reading stopped)", de.Pos.Offset, len(data)/2)
	}
}

// TestDigestKeySkipsWithoutReading checks that a digest file is recognized
// by its key alone.
func TestDigestKeySkipsWithoutReading(t *testing.T) {
	key := "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/22/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240522T070131Z.json"
	_, err := decode(t, key, iotest.ErrReader(errors.New("must not be read")))
	s, ok := source.IsSkip(err)
	if !ok || s.Reason != "CloudTrail digest file" {
		t.Fatalf("got %v, want a Skip", err)
	}
}

func TestRegistered(t *testing.T) {
	for _, d := range source.Decoders() {
		if d.Source() == trailhound.SourceCloudTrail {
			if _, ok := d.(Decoder); !ok {
				t.Fatalf("registered decoder is a %T", d)
			}
			return
		}
	}
	t.Fatal("no CloudTrail decoder registered")
}

// TestStreams checks inputs that hold several JSON values: concatenated
// envelopes, records without newlines between them, blank lines and CRLF.
func TestStreams(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  int
	}{
		{"concatenated envelopes", `{"Records":[` + okRecord + `]}` + "\n" + `{"Records":[` + okRecord + `,` + okRecord + `]}`, 3},
		{"records without separators", okRecord + okRecord + okRecord, 3},
		{"blank lines and CRLF", "\r\n\r\n" + okRecord + "\r\n\r\n\r\n" + okRecord + "\r\n", 2},
		{"arrays one per line", "[" + okRecord + "]\n[]\n[" + okRecord + "," + okRecord + "]\n", 3},
		{"empty array", "[]", 0},
		{"lookup-events pages one per line", `{"Events":[]}` + "\n" + `{"Events":[{"CloudTrailEvent":` + strconvQuote(okRecord) + `}],"NextToken":"t"}`, 1},
		{"lookup-events entries as an array", `[{"EventId":"e1","CloudTrailEvent":` + strconvQuote(okRecord) + `}]`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := decode(t, "k", strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != tt.want {
				t.Errorf("got %d records, want %d", len(calls), tt.want)
			}
		})
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestConcurrentDecode decodes every input from several goroutines with
// one Decoder, as the pipeline does; run it with -race.
func TestConcurrentDecode(t *testing.T) {
	inputs := testdataInputs(t)
	want := make(map[string]int)
	for _, path := range inputs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		calls, _ := decode(t, keyFor(path), bytes.NewReader(data))
		want[path] = len(calls)
	}
	var dec source.Decoder = Decoder{}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				for _, path := range inputs {
					data, err := os.ReadFile(path)
					if err != nil {
						errs <- err
						return
					}
					var sink collectSink
					_ = dec.Decode(context.Background(), keyFor(path), bytes.NewReader(data), &sink)
					if len(sink.calls) != want[path] {
						errs <- fmt.Errorf("%s: %d records, want %d", path, len(sink.calls), want[path])
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
