package guardduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type collectSink struct{ findings []*trailhound.Finding }

func (s *collectSink) APICall(*trailhound.APICall) error { return errors.New("unexpected APICall") }
func (s *collectSink) Flow(*trailhound.Flow) error       { return errors.New("unexpected Flow") }
func (s *collectSink) Finding(f *trailhound.Finding) error {
	s.findings = append(s.findings, f)
	return nil
}

func decodeAll(t testing.TB, key string, data []byte) ([]*trailhound.Finding, error) {
	t.Helper()
	sink := &collectSink{}
	err := Decoder{}.Decode(context.Background(), key, bytes.NewReader(data), sink)
	return sink.findings, err
}

// goldenFinding is how a finding appears in a golden file. Raw is shown
// by its place in the input, which the test checks byte for byte.
type goldenFinding struct {
	ID           string
	ARN          string
	AccountID    string
	Region       string
	Partition    string
	Type         string
	Title        string
	Description  string
	Severity     float64
	CreatedAt    string
	UpdatedAt    string
	FirstSeen    string
	LastSeen     string
	Count        int64
	Archived     bool
	ResourceType string
	ActionType   string
	Entities     []string
	RawOffset    int
	RawBytes     int
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func toGolden(t *testing.T, input []byte, f *trailhound.Finding) goldenFinding {
	t.Helper()
	off := bytes.Index(input, f.Raw)
	if off < 0 || len(f.Raw) == 0 {
		t.Fatalf("finding %s: Raw is not a part of the input", f.ID)
	}
	if !json.Valid(f.Raw) || f.Raw[0] != '{' {
		t.Fatalf("finding %s: Raw is not a JSON object", f.ID)
	}
	g := goldenFinding{
		ID: f.ID, ARN: f.ARN, AccountID: f.AccountID, Region: f.Region, Partition: f.Partition, Type: f.Type,
		Title: f.Title, Description: f.Description, Severity: f.Severity,
		CreatedAt: timeString(f.CreatedAt), UpdatedAt: timeString(f.UpdatedAt),
		FirstSeen: timeString(f.FirstSeen), LastSeen: timeString(f.LastSeen),
		Count: f.Count, Archived: f.Archived, ResourceType: f.ResourceType, ActionType: f.ActionType,
		Entities: []string{}, RawOffset: off, RawBytes: len(f.Raw),
	}
	for _, e := range f.Entities {
		g.Entities = append(g.Entities, e.String())
	}
	return g
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

// TestGolden decodes every input in testdata/ and compares the findings
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
			findings, err := decodeAll(t, in, data)
			got := struct {
				Result   string          `json:"result"`
				Findings []goldenFinding `json:"findings"`
			}{Result: resultString(err), Findings: []goldenFinding{}}
			for _, f := range findings {
				got.Findings = append(got.Findings, toGolden(t, data, f))
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // show hostile values as they are
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			path := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden.json"
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("golden mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d golden cases found", n)
	}
}

func refs(ss ...string) []trailhound.EntityRef {
	var out []trailhound.EntityRef
	for _, s := range ss {
		r, ok := trailhound.ParseEntityRef(s)
		if !ok {
			panic(s)
		}
		out = append(out, r)
	}
	return out
}

// TestEntities pins the entity rules for each resource and action type,
// independently of the golden files.
func TestEntities(t *testing.T) {
	data, err := os.ReadFile("testdata/synthetic-resource-and-action-types.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	findings, err := decodeAll(t, "k", data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]trailhound.EntityRef{
		// Port probe on an instance: the instance, its private, public and
		// IPv6 addresses, the probing addresses (IPv6 in canonical form).
		"a1000000000000000000000000000001": refs("AwsAccount/111122223333", "Ec2Instance/i-0123456789abcdef0",
			"IpAddress/10.0.1.25", "IpAddress/10.0.1.26", "IpAddress/198.51.100.25", "IpAddress/2001:db8:1::25",
			"IpAddress/2001:db8:ffff::1", "IpAddress/203.0.113.50"),
		"a1000000000000000000000000000002": refs("AccessKey/ASIAEXAMPLEEXAMPLE01", "AwsAccount/111122223333",
			"AwsRole/AROAEXAMPLEROLEID", "AwsRoleSession/AROAEXAMPLEROLEID:i-0123456789abcdef0", "IpAddress/198.51.100.77"),
		"a1000000000000000000000000000003": refs("AccessKey/AKIAEXAMPLEROOTKEY01", "AwsAccount/111122223333",
			"AwsAccount/444455556666", "AwsUser/111122223333"),
		"a1000000000000000000000000000004": refs("AccessKey/ASIAEXAMPLEFEDKEY001", "AwsAccount/111122223333",
			"FederatedUser/111122223333:alice", "IpAddress/192.0.2.10"),
		"a1000000000000000000000000000005": refs("AccessKey/ASIAEXAMPLEROLEKEY01", "AwsAccount/111122223333", "AwsRole/AROAEXAMPLEROLEID2"),
		"a1000000000000000000000000000006": refs("AccessKey/ASIAEXAMPLEROLEKEY02", "AwsAccount/111122223333", "AwsRole/AROAEXAMPLEROLEID3"),
		"a1000000000000000000000000000007": refs("AwsAccount/111122223333", "IpAddress/10.0.9.9", "IpAddress/203.0.113.99"),
		"a1000000000000000000000000000008": refs("AwsAccount/111122223333",
			"ContainerImage/111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3", "ContainerImage/public.ecr.aws/xray/aws-xray-daemon:latest"),
		"a1000000000000000000000000000009": refs("AwsAccount/111122223333", "ContainerCluster/payments~111122223333~EKS",
			"ContainerImage/docker.io/library/alpine:3.19", "IpAddress/198.51.100.200",
			"KubernetesSubject/kubernetes-admin~payments~111122223333",
			"KubernetesSubject/system:serviceaccount:default:builder~payments~111122223333"),
		"a1000000000000000000000000000010": refs("AwsAccount/111122223333", "S3Bucket/uploads-bucket"),
	}
	if len(findings) != len(want) {
		t.Fatalf("got %d findings, want %d", len(findings), len(want))
	}
	for _, f := range findings {
		if diff := cmp.Diff(want[f.ID], f.Entities); diff != "" {
			t.Errorf("%s (%s) entities (-want +got):\n%s", f.ID, f.Type, diff)
		}
	}
}

func TestFindingFields(t *testing.T) {
	data, err := os.ReadFile("testdata/awscli-get-findings.json")
	if err != nil {
		t.Fatal(err)
	}
	findings, err := decodeAll(t, "k", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("got %d findings", len(findings))
	}
	f := findings[0]
	want := &trailhound.Finding{
		ID:           "1ab92989eaf0e742df4a014d5example",
		ARN:          "arn:aws:guardduty:us-east-1:111122223333:detector/d4b040365221be2b54a6264dcexample/finding/1ab92989eaf0e742df4a014d5example",
		AccountID:    "111122223333",
		Region:       "us-east-1",
		Partition:    "aws",
		Type:         "Recon:IAMUser/UserPermissions",
		Title:        "Unusual user permission reconnaissance activity by testuser.",
		Description:  f.Description,
		Severity:     5,
		CreatedAt:    time.Date(2020, 5, 26, 22, 21, 48, 385e6, time.UTC),
		UpdatedAt:    time.Date(2020, 5, 26, 22, 55, 21, 703e6, time.UTC),
		FirstSeen:    time.Date(2020, 5, 26, 22, 2, 24, 0, time.UTC),
		LastSeen:     time.Date(2020, 5, 26, 22, 33, 55, 0, time.UTC),
		Count:        5,
		ResourceType: "AccessKey",
		ActionType:   "AWS_API_CALL",
		Entities: refs("AccessKey/ASIASZ4SI7REEEXAMPLE", "AwsAccount/111122223333",
			"AwsUser/AIDACKCEVSQ6C2EXAMPLE", "IpAddress/52.94.36.7"),
		Raw: f.Raw,
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Raw is the element of the Findings array, indentation and all.
	start := bytes.Index(data, []byte("{\n            \"Resource\""))
	end := bytes.LastIndex(data, []byte("}\n    ]")) + 1
	if start < 0 || end <= start || !bytes.Equal(f.Raw, data[start:end]) {
		t.Errorf("Raw is not the recorded bytes: %.60q", f.Raw)
	}
}

// TestRawIsACopy checks that a finding's Raw does not share memory with
// the decoder's input, which would keep a whole object alive.
func TestRawIsACopy(t *testing.T) {
	data, _ := os.ReadFile("testdata/elastic-sample-findings.jsonl")
	findings, err := decodeAll(t, "k", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if cap(f.Raw) > 0 && &f.Raw[:cap(f.Raw)][cap(f.Raw)-1] == &data[len(data)-1] {
			t.Fatal("Raw aliases the input")
		}
		f.Raw[0] = 'X'
	}
	if data[0] != '{' {
		t.Fatal("writing Raw changed the input")
	}
}

// TestBadInput checks that each kind of bad input yields one DecodeError
// with a position and a reason that says what is wrong.
func TestBadInput(t *testing.T) {
	const good = `{"id":"f1","type":"Recon:EC2/Portscan","accountId":"111122223333","updatedAt":"2024-01-01T00:00:00Z"}`
	tests := []struct {
		name   string
		in     string
		pos    trailhound.Position
		reason string
	}{
		{"empty", "", trailhound.Position{}, "empty object"},
		{"whitespace", " \n\t\n", trailhound.Position{Line: 1}, "empty object"},
		{"binary", "\x1f\x8b\x08\x00garbage", trailhound.Position{Line: 1}, "not JSON findings"},
		{"scalar", "42\n", trailhound.Position{Line: 1}, "expected an object or an array"},
		{"truncated", good + "\n" + good[:40], trailhound.Position{Line: 2, Offset: int64(len(good) + 1)}, "malformed JSON value"},
		{"trailing garbage", good + " xyz", trailhound.Position{Line: 1, Offset: int64(len(good) + 1)}, "not JSON findings"},
		{"invalid JSON inside", `{"id":"f1","type":tru,"accountId":"1","updatedAt":"2024-01-01T00:00:00Z"}`, trailhound.Position{Line: 1},
			"finding does not match the GuardDuty finding format"},
		{"severity is a string", strings.Replace(good, `"id"`, `"severity":"HIGH","id"`, 1), trailhound.Position{Line: 1},
			"finding does not match the GuardDuty finding format"},
		{"id is a number", `{"id":7,"type":"t","accountId":"1","updatedAt":"2024-01-01T00:00:00Z"}`, trailhound.Position{Line: 1},
			"finding does not match"},
		{"count is a string", strings.Replace(good, `"id"`, `"service":{"count":"two"},"id"`, 1), trailhound.Position{Line: 1},
			"finding does not match"},
		{"buckets not an array", strings.Replace(good, `"id"`, `"resource":{"s3BucketDetails":{"name":"b"}},"id"`, 1),
			trailhound.Position{Line: 1}, "finding does not match"},
		{"missing id", `{"type":"t","accountId":"1","updatedAt":"2024-01-01T00:00:00Z"}`, trailhound.Position{Line: 1}, "finding lacks required id"},
		{"missing everything", `{"title":"x"}`, trailhound.Position{Line: 1}, "finding lacks required id, type, accountId, updatedAt or createdAt"},
		{"bad time", strings.Replace(good, "2024-01-01T00:00:00Z", "yesterday", 1), trailhound.Position{Line: 1},
			`finding field updatedAt: cannot read "yesterday" as a time`},
		{"bad first seen", strings.Replace(good, `"id"`, `"service":{"eventFirstSeen":"2024-13-45"},"id"`, 1), trailhound.Position{Line: 1},
			"finding field service.eventFirstSeen"},
		{"second line bad", good + "\n" + `{"id":"x"}` + "\n", trailhound.Position{Line: 2, Offset: int64(len(good) + 1)}, "finding lacks required"},
		{"array element bad", "[\n" + good + ",\n" + `{"id":"x"}` + "\n]", trailhound.Position{Line: 3, Record: 2, Offset: int64(len(good) + 4)},
			"finding lacks required"},
		{"array of scalars", `[1,2]`, trailhound.Position{Line: 1, Record: 1, Offset: 1}, "array element is not an object"},
		{"array missing comma", "[" + good + " " + good + "]", trailhound.Position{Line: 1}, "malformed JSON array"},
		{"envelope not array", `{"findings":{}}`, trailhound.Position{Line: 1, Offset: 12}, `"findings" is not an array`},
		{"envelope element not object", `{"findings":[1]}`, trailhound.Position{Line: 1, Record: 1, Offset: 13}, "findings element is not an object"},
		{"envelope invalid JSON", `{"findings":[], "x": tru}`, trailhound.Position{Line: 1}, "malformed JSON"},
		{"envelope bad finding", `{"Findings":[` + good + `,{"id":""}]}`, trailhound.Position{Line: 1, Record: 2, Offset: int64(len(good) + 14)},
			"finding lacks required"},
		{"cloudtrail eventbridge", `{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.guardduty","detail":{"eventVersion":"1.08"}}`,
			trailhound.Position{Line: 1}, `EventBridge event of detail-type "AWS API Call via CloudTrail"`},
		{"event without detail", `{"detail-type":"GuardDuty Finding"}`, trailhound.Position{Line: 1}, `has no "detail" object`},
		{"event detail-type not string", `{"detail-type":5,"detail":{}}`, trailhound.Position{Line: 1}, `"detail-type" is not a string`},
		{"cloudtrail records", `{"Records":[{"eventVersion":"1.08"}]}`, trailhound.Position{Line: 1}, "finding lacks required"},
		{"too deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), trailhound.Position{Line: 1}, "malformed JSON value"},
		{"unterminated string", `{"id":"abc`, trailhound.Position{Line: 1}, "malformed JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeAll(t, "obj", []byte(tt.in))
			var de *trailhound.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want *trailhound.DecodeError", err, err)
			}
			if de.Object != "obj" {
				t.Errorf("Object = %q", de.Object)
			}
			if de.Pos != tt.pos {
				t.Errorf("Pos = %+v, want %+v", de.Pos, tt.pos)
			}
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", de.Reason, tt.reason)
			}
		})
	}
}

func TestEmptyIsSkip(t *testing.T) {
	for _, in := range []string{`{"findings":[]}`, `{"Findings": []}` + "\n" + `{"findings":null}`, "[]", "[ ]\n[]"} {
		_, err := decodeAll(t, "k", []byte(in))
		if _, ok := source.IsSkip(err); !ok {
			t.Errorf("%s: got %v, want *source.Skip", in, err)
		}
	}
}

type sinkFunc func(*trailhound.Finding) error

func (f sinkFunc) APICall(*trailhound.APICall) error { return nil }
func (f sinkFunc) Flow(*trailhound.Flow) error       { return nil }
func (f sinkFunc) Finding(x *trailhound.Finding) error {
	return f(x)
}

func TestSinkErrorStops(t *testing.T) {
	stop := errors.New("stop")
	for _, file := range []string{"elastic-sample-findings.jsonl", "synthetic-findings-array.json", "awscli-get-findings.json"} {
		data, _ := os.ReadFile("testdata/" + file)
		n := 0
		err := Decoder{}.Decode(context.Background(), "k", bytes.NewReader(data), sinkFunc(func(*trailhound.Finding) error { n++; return stop }))
		if err != stop || n != 1 {
			t.Errorf("%s: err %v after %d findings, want the sink's error itself after 1", file, err, n)
		}
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data, _ := os.ReadFile("testdata/elastic-sample-findings.jsonl")
	err := Decoder{}.Decode(ctx, "k", bytes.NewReader(data), &collectSink{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	err := Decoder{}.Decode(context.Background(), "k", failingReader{boom}, &collectSink{})
	var de *trailhound.DecodeError
	if !errors.Is(err, boom) || errors.As(err, &de) {
		t.Fatalf("got %v", err)
	}
}

func TestRegistered(t *testing.T) {
	for _, d := range source.Decoders() {
		if d.Source() == trailhound.SourceGuardDuty {
			return
		}
	}
	t.Fatal("guardduty decoder is not registered")
}

func TestDetect(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The start of a Security Hub (ASFF) finding made from a GuardDuty
	// finding: its Id is a GuardDuty finding ARN, but it is not ours.
	asff := []byte(`{"SchemaVersion":"2018-10-08",` +
		`"Id":"arn:aws::guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64/finding/46ba0ac2845071e23ccdeb2ae03bfdea",` +
		`"ProductArn":"arn:aws::securityhub:us-east-1::product/aws/guardduty","AwsAccountId":"193043430472",` +
		`"Types":["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],"CreatedAt":"2020-08-22T09:34:34.146Z",` +
		`"ProductFields":{"aws/guardduty/service/archived":"false"}}`)
	big := read("elastic-sample-findings.jsonl")
	tests := []struct {
		name string
		key  string
		head []byte
		want source.Confidence
	}{
		{"export key", "AWSLogs/111122223333/GuardDuty/us-east-1/2024/03/01/7a3c1d2e-1111-2222-3333-444455556666.jsonl", nil, source.Key},
		{"export key in bucket", "s3://sec-bucket/gd/AWSLogs/111122223333/GuardDuty/eu-west-1/2024/03/01/x.jsonl", nil, source.Key},
		{"export jsonl", "x", read("elastic-sample-findings.jsonl"), source.Content},
		{"first line empty envelope", "x", read("elastic-guardduty-with-empty-envelope.jsonl")[:2000], source.Content},
		{"empty envelope", "x", read("synthetic-empty-envelope.json"), source.Content},
		{"cli output", "x", read("awscli-get-findings.json"), source.Content},
		{"eventbridge line", "x", read("synthetic-eventbridge-events.jsonl"), source.Content},
		{"eventbridge array", "x", read("synthetic-eventbridge-array.json"), source.Content},
		{"findings array", "x", read("synthetic-findings-array.json"), source.Content},
		{"attack sequence, panther timestamps", "x", read("panther-attack-sequence-and-sample.jsonl"), source.Content},
		{"truncated head", "x", big[:3000], source.Content},
		{"truncated eventbridge", "x", read("synthetic-eventbridge-array.json")[:300], source.Content},
		{"cloudtrail", "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/x.json.gz",
			[]byte(`{"Records":[{"eventVersion":"1.08","eventSource":"guardduty.amazonaws.com","eventName":"GetFindings"}]}`), source.No},
		{"cloudtrail eventbridge about guardduty", "x",
			[]byte(`{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.guardduty","detail":{"eventSource":"guardduty.amazonaws.com","requestParameters":{"findingIds":["arn:aws:guardduty:us-east-1:1:detector/d/finding/f"]}}}`), source.No},
		{"security hub asff", "x", asff, source.No},
		{"security hub get-findings", "x", []byte(`{"Findings":[` + string(asff) + `]}`), source.No},
		{"security hub eventbridge", "x", []byte(`{"detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","detail":{"findings":[]}}`), source.No},
		{"panther wrapper", "x", read("panther-attack-sequence-and-sample.jsonl")[:0], source.No},
		{"vpc flow", "x", []byte("2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 ACCEPT OK\n"), source.No},
		{"vpc flow key", "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/01/01/x.log", []byte("2 1 eni-1"), source.No},
		{"empty array", "x", []byte("[]"), source.No},
		{"other json", "x", []byte(`{"id":"x","type":"y"}`), source.No},
		{"binary", "x", []byte{0x1f, 0x8b, 8}, source.No},
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
