package cloudtrail

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/trailhound/trailhound"
)

// okRecord is a minimal valid record, for building broken inputs around it.
const okRecord = `{"eventVersion":"1.08","eventTime":"2024-05-22T07:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","eventID":"e1"}`

func TestBadInput(t *testing.T) {
	identityTypes, err := os.ReadFile("testdata/identity-types.json")
	if err != nil {
		t.Fatal(err)
	}
	signin, err := os.ReadFile("testdata/signin.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	firstLine := bytes.IndexByte(signin, '\n') + 1

	tests := []struct {
		name    string
		input   string
		reason  string              // substring of the DecodeError's reason
		pos     trailhound.Position // checked when not zero
		records int                 // emitted before the error
	}{
		{name: "empty", input: "", reason: "empty object"},
		{name: "white space only", input: " \n\t\r\n", reason: "only white space"},
		{name: "gzip bytes", input: "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00", reason: "gzip-compressed"},
		{name: "binary garbage", input: "\x00\x01\x02\xff\xfe", reason: "not JSON (it starts with byte 0x00)"},
		{name: "utf-16 text", input: "\xff\xfe{\x00\"\x00", reason: "not JSON"},
		{name: "a JSON number", input: "42", reason: "content is a JSON number"},
		{name: "a JSON string", input: `"Records"`, reason: "content is a JSON string"},
		{name: "a JSON null", input: "null", reason: "content is a JSON null"},
		{name: "Records is a string", input: `{"Records": "x"}`, reason: "Records is a JSON string, not an array", pos: trailhound.Position{Line: 1, Offset: 12}},
		{name: "Records is null", input: `{"Records": null}`, reason: "Records is a JSON null, not an array"},
		{name: "Records after another key is a number", input: `{"a":1,"Records": 5}`, reason: "Records is a JSON number, not an array", pos: trailhound.Position{Line: 1, Offset: 18}},
		{name: "record is a number", input: `{"Records":[` + okRecord + `,42]}`, reason: "element is a JSON number, not an object", pos: trailhound.Position{Record: 2, Offset: 144}, records: 1},
		{name: "record is an array", input: `[[` + okRecord + `]]`, reason: "element is a JSON array", pos: trailhound.Position{Record: 1, Offset: 1}},
		{name: "eventTime is an object", input: `[{"eventTime":{"a":1},"eventSource":"s","eventName":"n"}]`, reason: "record: eventTime is a JSON object, want a string", pos: trailhound.Position{Record: 1, Offset: 14}},
		{name: "userIdentity is a string", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","userIdentity":"root"}]`, reason: "userIdentity is a JSON string, want an object"},
		{name: "nested type is wrong", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","userIdentity":{"sessionContext":{"sessionIssuer":{"arn":7}}}}]`, reason: "userIdentity.sessionContext.sessionIssuer.arn is a JSON number, want a string"},
		{name: "readOnly is a number", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","readOnly":1}]`, reason: "readOnly is a JSON number, want a boolean or a string"},
		{name: "mfaAuthenticated is an object", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":{}}}}}]`, reason: "mfaAuthenticated is a JSON object"},
		{name: "missing eventTime", input: `{"eventSource":"s","eventName":"n"}`, reason: "record has no eventTime", pos: trailhound.Position{Line: 1}},
		{name: "unparseable eventTime", input: `{"eventTime":"yesterday","eventSource":"s","eventName":"n"}`, reason: `unparseable eventTime "yesterday"`},
		{name: "missing eventName", input: `{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s"}`, reason: "record has no eventName"},
		{name: "missing eventSource", input: `{"eventTime":"2024-05-22T07:00:00Z","eventName":"n"}`, reason: "record has no eventSource"},
		{name: "unrecognized object", input: `{"hello":"world"}`, reason: "unrecognized object"},
		{name: "empty object", input: `{}`, reason: "unrecognized object"},
		{name: "GuardDuty finding", input: `{"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":"x","type":"Recon:EC2/PortProbeUnprotectedPort","resource":{},"service":{}}`, reason: "looks like a GuardDuty finding"},
		{name: "GuardDuty via EventBridge", input: `{"version":"0","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"schemaVersion":"2.0"}}`, reason: `detail-type "GuardDuty Finding" is not a CloudTrail event`},
		{name: "EventBridge detail is a string", input: `{"detail-type":"AWS API Call via CloudTrail","detail":"x"}`, reason: "detail is string, not a CloudTrail record"},
		{name: "EventBridge detail missing", input: `{"detail-type":"AWS API Call via CloudTrail"}`, reason: "detail is null"},
		{name: "EventBridge detail broken", input: "{\"detail-type\":\"AWS API Call via CloudTrail\",\n\"detail\":{\"eventTime\":5,\"eventSource\":\"s\",\"eventName\":\"n\"}}", reason: "record: eventTime is a JSON number", pos: trailhound.Position{Line: 2, Offset: 68}},
		{name: "lookup-events string not JSON", input: `{"Events":[{"EventId":"1","CloudTrailEvent":"not json"}]}`, reason: "CloudTrailEvent does not hold a JSON object", pos: trailhound.Position{Record: 1, Offset: 11}},
		{name: "lookup-events string broken", input: `{"Events":[{"EventId":"1","CloudTrailEvent":"{\"eventTime\": 1"}]}`, reason: "CloudTrailEvent: invalid JSON"},
		{name: "lookup-events null", input: `{"Events":[{"EventId":"1","CloudTrailEvent":null}]}`, reason: "null CloudTrailEvent"},
		{name: "S3 event notification", input: `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2024-05-22T07:00:00.000Z","eventName":"ObjectCreated:Put","s3":{}}]}`, reason: `event notification (eventSource "aws:s3")`},
		{name: "envelope in envelope", input: `{"Records":[{"Records":[]}]}`, reason: "inside another one"},
		{name: "digest among records", input: okRecord + "\n" + `{"digestStartTime":"x","digestEndTime":"y"}`, reason: "digest among records", pos: trailhound.Position{Line: 2, Offset: 132}, records: 1},
		{name: "NUL byte between members", input: `{"Records":[{"eventTime":"2024-05-22T07:00:00Z",` + "\x00" + `"eventSource":"s","eventName":"n"}]}`, reason: "unexpected byte 0x00", pos: trailhound.Position{Record: 1, Offset: 48}},
		{name: "NUL byte in a string", input: `{"Records":[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s` + "\x00" + `","eventName":"n"}]}`, reason: "invalid JSON"},
		{name: "trailing comma", input: `{"Records":[` + okRecord + `,]}`, reason: `unexpected ']'`, pos: trailhound.Position{Record: 2, Offset: 144}, records: 1},
		{name: "missing comma", input: `{"Records":[` + okRecord + okRecord + `]}`, reason: `unexpected '{' after the element`, records: 1},
		{name: "unclosed envelope", input: `{"Records":[` + okRecord + `]`, reason: "input ends inside an envelope object", records: 1},
		{name: "unclosed array", input: `[` + okRecord, reason: "input ends inside the array", records: 1},
		{name: "extra closing brace", input: `{"Records":[` + okRecord + `]}}`, reason: `unexpected '}' after the previous JSON value`, pos: trailhound.Position{Line: 1, Offset: 145}, records: 1},
		{name: "number after a record", input: okRecord + "\n7\n", reason: "unexpected JSON number after the previous value", pos: trailhound.Position{Line: 2, Offset: 132}, records: 1},
		{name: "truncated mid-record", input: string(identityTypes[:len(identityTypes)/2]), reason: "input ends inside record 8", pos: trailhound.Position{Record: 8, Offset: int64(len(identityTypes) / 2)}, records: 7},
		{name: "truncated NDJSON line", input: string(signin[:firstLine+100]), reason: "input ends inside a JSON object", pos: trailhound.Position{Line: 2, Offset: int64(firstLine + 100)}, records: 1},
		{name: "truncated in a key", input: `{"Records":[` + okRecord + `], "Next`, reason: "input ends inside an object key", records: 1},
		{name: "bad value after Records", input: `{"Records":[], "NextToken": {"a" 1}}`, reason: `invalid JSON in the value of "NextToken"`},
		{name: "deep nesting", input: `[` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `]`, reason: "element is a JSON array"},
		{name: "deep nesting inside a record", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","requestParameters":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}]`, reason: "exceeded max depth"},
		{name: "unterminated huge string", input: `[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"` + strings.Repeat("a", 10<<20), reason: "input ends inside record 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := decode(t, "bad/"+tt.name, strings.NewReader(tt.input))
			var de *trailhound.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want a *trailhound.DecodeError", err, err)
			}
			if de.Object != "bad/"+tt.name {
				t.Errorf("error names object %q", de.Object)
			}
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", de.Reason, tt.reason)
			}
			if tt.pos != (trailhound.Position{}) && de.Pos != tt.pos {
				t.Errorf("position %+v, want %+v (%s)", de.Pos, tt.pos, de)
			}
			if len(calls) != tt.records {
				t.Errorf("%d records emitted before the error, want %d", len(calls), tt.records)
			}
		})
	}
}

// TestLargeStringField checks that a record with a 10 MB string decodes in
// time linear in its size, whole and through a reader that returns one byte
// at a time.
func TestLargeStringField(t *testing.T) {
	big := strings.Repeat("A\\\"b", 10<<20/4)
	input := `{"Records":[{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","requestParameters":{"body":"` + big + `"}},` + okRecord + `]}`
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(input),
		"one byte": iotest.OneByteReader(strings.NewReader(input)),
	} {
		start := time.Now()
		calls, err := decode(t, "big", r)
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) != 2 || len(calls[0].RequestParameters) != len(big)+11 {
			t.Fatalf("%s: got %d records", name, len(calls))
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: decoding 10 MB took %v", name, d)
		}
	}
}

// TestHostileStringsVerbatim checks that markup, quotes, control characters
// and non-ASCII text come out exactly as recorded.
func TestHostileStringsVerbatim(t *testing.T) {
	data, err := os.ReadFile("testdata/hostile-strings.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	calls, err := decode(t, "k", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	const ua = "<script>alert(\"x\")</script> \u202e\u0000 \"quoted\" \\ backslash \U0001F600 Ünïcödé"
	const msg = "line1\nline2\ttab \u2028 \u2029 \ud7ff"
	for _, c := range calls {
		if c.UserAgent != ua || c.ErrorMessage != msg {
			t.Errorf("got %q / %q", c.UserAgent, c.ErrorMessage)
		}
	}
}

// TestInvalidUTF8 checks that invalid UTF-8 does not fail a record: strings
// get the replacement character, Raw keeps the bytes.
func TestInvalidUTF8(t *testing.T) {
	input := `{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","userAgent":"bad` + "\xff\xfe" + `"}`
	calls, err := decode(t, "k", strings.NewReader(input))
	if err != nil || len(calls) != 1 {
		t.Fatalf("got %d records, %v", len(calls), err)
	}
	if calls[0].UserAgent != "bad\uFFFD\uFFFD" {
		t.Errorf("user agent %q", calls[0].UserAgent)
	}
	if string(calls[0].Raw) != input {
		t.Error("Raw changed")
	}
}
