package cloudtrail

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

// fuzzSeeds returns the testdata inputs, each NDJSON line on its own, and
// inputs aimed at the corners of JSON decoding.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, path := range testdataInputs(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(line) > 0 && len(line) < 4096 {
				seeds = append(seeds, line)
			}
		}
	}
	for _, s := range []string{
		"", "{}", "[]", `{"Records":[]}`, `{"Records":"x"}`, "42", "\x00", "\x1f\x8b",
		okRecord, okRecord + "\n" + okRecord,
		`{"eventName":"a","EventName":"b","eventname":"c","eventTime":"2024-05-22T07:00:00Z","eventSource":"s"}`,
		`{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","userIdentity":{"type":"A"},"userIdentity":{"arn":"B"}}`,
		`{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s\ud800","eventName":"\u00e9\xff","readOnly":"TRUE","resources":[{"ARN":1e999}]}`,
		`{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s","eventName":"n","readOnly":null,"managementEvent":0,"resources":null}`,
		`{"eventTime":"2024-05-22T07:00:00Z","eventſource":"s","eventName":"n","eventKind":"K"}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":` + okRecord + `}`,
		`{"Events":[{"CloudTrailEvent":"{\"eventTime\":\"2024-05-22T07:00:00Z\",\"eventSource\":\"s\",\"eventName\":\"n\"}"}]}`,
		`{"digestStartTime":"x"}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzDecode checks that no input makes the decoder panic, that it fails
// only with a DecodeError or a Skip, that what it emits is complete, and
// that reading the input a byte at a time changes nothing.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sink collectSink
		err := Decoder{}.Decode(context.Background(), "fuzz", bytes.NewReader(data), &sink)
		var de *trailhound.DecodeError
		if _, skip := source.IsSkip(err); err != nil && !skip && !errors.As(err, &de) {
			t.Fatalf("error %v is a %T", err, err)
		}
		for _, c := range sink.calls {
			if c.EventID == "" || c.Time.IsZero() || c.Name == "" {
				t.Fatalf("incomplete record: %+v", c)
			}
		}
		if len(data) > 8192 {
			return
		}
		var slow collectSink
		slowErr := Decoder{}.Decode(context.Background(), "fuzz", iotest.OneByteReader(bytes.NewReader(data)), &slow)
		if fmt.Sprint(slowErr) != fmt.Sprint(err) || len(slow.calls) != len(sink.calls) {
			t.Fatalf("one byte at a time: %d records, %v; whole: %d records, %v", len(slow.calls), slowErr, len(sink.calls), err)
		}
	})
}

// FuzzGoccyMatchesStdlib checks that go-json decodes the structs of this
// package as encoding/json does: the same values, or an error from both.
// Decode relies on it, since it falls back on encoding/json only when
// go-json fails.
func FuzzGoccyMatchesStdlib(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareDecoders[record](t, data)
		compareDecoders[eventBridgeEvent](t, data)
		compareDecoders[lookupEvent](t, data)
		compareDecoders[signInData](t, data)
		compareDecoders[map[string]any](t, data)
	})
}

func compareDecoders[T any](t *testing.T, data []byte) {
	t.Helper()
	for _, shared := range []bool{false, true} {
		var fast, std T
		// The input is copied for the shared decode: its strings then point
		// into the copy, which stays unchanged.
		fastErr := fastUnmarshal(bytes.Clone(data), &fast, shared)
		stdErr := stdjson.Unmarshal(data, &std)
		if (fastErr == nil) != (stdErr == nil) {
			t.Fatalf("%T (shared %v): go-json error %v, encoding/json error %v", fast, shared, fastErr, stdErr)
		}
		if fastErr != nil {
			continue
		}
		if diff := cmp.Diff(std, fast); diff != "" {
			t.Fatalf("%T (shared %v) differs (-encoding/json +go-json):\n%s", fast, shared, diff)
		}
	}
}
