package guardduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"
	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if strings.HasSuffix(name, ".golden.json") || strings.Contains(name, "README") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		f.Add(b)
		// Single lines of JSONL files make small, fast seeds.
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(line) > 0 && len(line) < 4096 {
				f.Add(line)
			}
		}
	}
	for _, s := range []string{
		"", "{}", "[]", "[{}]", `{"findings":null}`, `{"detail-type":"GuardDuty Finding","detail":{}}`,
		`{"id":"a","type":"b","accountId":"c","createdAt":"2024-01-01 00:00:00"}`,
		`{"id":"a","type":"b","accountId":"c","updatedAt":"2024-01-01T00:00:00Z","resource":{"accessKeyDetails":{"userType":"AssumedRole","principalId":":x"}}}`,
		`{"ID":"a","TYPE":"b","AccountID":"c","UpdatedAt":"2024-01-01T00:00:00Z","severity":1e400}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecode checks that no input makes the decoder panic, that every
// error is a DecodeError (with a sane position) or a Skip, and that every
// emitted finding has its required fields, a Raw that is part of the
// input, and valid entities.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []*trailhound.Finding
		sink := sinkFunc(func(x *trailhound.Finding) error { got = append(got, x); return nil })
		err := Decoder{}.Decode(context.Background(), "fuzz", bytes.NewReader(data), sink)
		if err != nil {
			var de *trailhound.DecodeError
			_, skip := source.IsSkip(err)
			if !errors.As(err, &de) && !skip {
				t.Fatalf("error %v (%T) is neither a DecodeError nor a Skip", err, err)
			}
			if de != nil && (de.Reason == "" || de.Object != "fuzz" || de.Pos.Offset > int64(len(data)) ||
				de.Pos.Line > bytes.Count(data, []byte("\n"))+1) {
				t.Fatalf("bad DecodeError %+v for %d bytes", de, len(data))
			}
		}
		for _, x := range got {
			if x.ID == "" || x.Type == "" || x.AccountID == "" || x.UpdatedAt.IsZero() && x.CreatedAt.IsZero() {
				t.Fatalf("finding without required fields: %+v", x)
			}
			if !bytes.Contains(data, x.Raw) || !json.Valid(x.Raw) {
				t.Fatalf("Raw %q is not valid JSON taken from the input", x.Raw)
			}
			for i, e := range x.Entities {
				if e.ID == "" || e.Type == "" {
					t.Fatalf("empty entity in %v", x.Entities)
				}
				if i > 0 && !(x.Entities[i-1].Type < e.Type || x.Entities[i-1].Type == e.Type && x.Entities[i-1].ID < e.ID) {
					t.Fatalf("entities not sorted and unique: %v", x.Entities)
				}
			}
		}
		_ = Decoder{}.Detect("fuzz", data)
	})
}

// FuzzGoJSONMatchesStdlib checks that go-json and encoding/json agree on
// the finding struct: go-json must never accept what encoding/json
// rejects, and where both succeed they must decode the same values. (When
// go-json rejects what encoding/json accepts, unmarshal falls back to
// encoding/json, so that direction only costs speed.)
func FuzzGoJSONMatchesStdlib(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, std finding
		errFast := fastUnmarshal(data, &fast)
		errStd := json.Unmarshal(data, &std)
		if errFast == nil && errStd != nil {
			t.Fatalf("go-json accepted input that encoding/json rejects (%v)", errStd)
		}
		if errFast == nil && errStd == nil {
			if diff := cmp.Diff(std, fast); diff != "" {
				t.Fatalf("go-json and encoding/json disagree (-std +go-json):\n%s", diff)
			}
		}
		// Through unmarshal the result is always encoding/json's.
		var via finding
		if err := unmarshal(data, &via); (err == nil) != (errStd == nil) {
			t.Fatalf("unmarshal error %v, encoding/json error %v", err, errStd)
		} else if err == nil {
			if diff := cmp.Diff(std, via); diff != "" {
				t.Fatalf("unmarshal differs from encoding/json:\n%s", diff)
			}
		}
	})
}

// gojsonVersionCheck keeps the direct import honest: the package relies on
// go-json's case-insensitive member names, like encoding/json's.
func TestGoJSONCaseInsensitive(t *testing.T) {
	var f finding
	if err := gojson.Unmarshal([]byte(`{"Id":"x","AccountId":"1","Service":{"Count":3}}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.ID != "x" || f.AccountID != "1" || f.Service.Count != 3 {
		t.Fatalf("go-json did not match names without regard to case: %+v", f)
	}
}
