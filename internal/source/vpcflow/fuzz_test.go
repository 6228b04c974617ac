package vpcflow

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

// checkSink verifies each record as it arrives, while it is valid.
type checkSink struct {
	t     *testing.T
	lines int
	last  int
}

func (c *checkSink) APICall(*trailhound.APICall) error { return errors.New("unexpected APICall") }
func (c *checkSink) Finding(*trailhound.Finding) error { return errors.New("unexpected Finding") }
func (c *checkSink) Flow(f *trailhound.Flow) error {
	t := c.t
	if f.Line <= c.last || f.Line > c.lines {
		t.Fatalf("Line %d after %d in an input of %d lines", f.Line, c.last, c.lines)
	}
	c.last = f.Line
	if f.Protocol < -1 || f.SrcPort < 0 || f.DstPort < 0 || f.Packets < 0 || f.Bytes < 0 || f.Version < 0 ||
		f.TCPFlags < 0 || f.TrafficPath < 0 || f.PacketsLostNoRoute < 0 || f.PacketsLostBlackhole < 0 ||
		f.PacketsLostMTUExceeded < 0 || f.PacketsLostTTLExpired < 0 {
		t.Fatalf("negative number in %+v", f)
	}
	for _, s := range []string{f.AccountID, f.InterfaceID, f.SrcAddr, f.DstAddr, f.Action, f.LogStatus, f.RejectReason, f.ECSServiceName} {
		if s == "-" || strings.ContainsAny(s, " \t\n\r\x00") {
			t.Fatalf("field value %q: a separator, control byte or absent marker leaked into a value", s)
		}
	}
	return nil
}

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if strings.HasSuffix(name, ".golden.json") || strings.Contains(name, "README") {
			continue
		}
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "\n", "version\n", "version srcaddr\n- -\n", "{\"message\":\"\"}\n", "\x1f\x8b",
		"2 1 eni-1 - - - - - - - 1 2 - NODATA\n", "srcport\n-1\n", "start end\n9223372036854775807 -\n",
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecode checks that no input makes the decoder panic, that every
// error is a DecodeError (with a position) or a Skip, and that emitted
// records are sane. It also checks the fast field splitter against the
// byte-by-byte one.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sink := &checkSink{t: t, lines: bytes.Count(data, []byte("\n")) + 1}
		err := Decoder{}.Decode(context.Background(), "fuzz", bytes.NewReader(data), sink)
		if err != nil {
			var de *trailhound.DecodeError
			_, skip := source.IsSkip(err)
			if !errors.As(err, &de) && !skip {
				t.Fatalf("error %v (%T) is neither a DecodeError nor a Skip", err, err)
			}
			if de != nil && (de.Reason == "" || de.Object != "fuzz" || de.Pos.Line > sink.lines || de.Pos.Offset > int64(len(data))) {
				t.Fatalf("bad DecodeError %+v for %d bytes, %d lines", de, len(data), sink.lines)
			}
		}
		_ = Decoder{}.Detect("fuzz", data)

		var fast, slow [maxCols]span
		for _, line := range bytes.Split(data, []byte("\n")) {
			n1, fl1 := split(line, fast[:])
			n2, fl2 := splitSlow(line, slow[:])
			if fl2 == 0 && strings.IndexByte(string(line), '\t') < 0 {
				if fl1 != 0 || n1 != n2 || (n1 <= maxCols && !slices.Equal(fast[:n1], slow[:n2])) {
					t.Fatalf("split(%q) = %d %v, splitSlow = %d %v", line, n1, fast[:min(n1, maxCols)], n2, slow[:min(n2, maxCols)])
				}
			} else if n1 != n2 || fl1 != fl2 {
				t.Fatalf("split(%q) = %d %d, splitSlow = %d %d", line, n1, fl1, n2, fl2)
			}
		}
	})
}
