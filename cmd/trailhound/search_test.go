package main

import (
	"encoding/json"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// incidentServer ingests the multi-source incident into a fresh data
// directory, starts serve on it through Main on port 0, and returns the
// server's URL; the server stops when the test ends.
func incidentServer(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	analysistest.Ingest(t, data)
	return startServe(t, data).url
}

// checkGolden compares got with testdata/<name>.golden, or rewrites the
// file with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from %s (-want +got; go test -update rewrites it):\n%s", name, path, diff)
	}
}

// setNow fixes the clock of --since for one test.
func setNow(t *testing.T, at time.Time) {
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

// TestSearchCommand runs search against a server over the incident and
// compares its tables with golden files.
func TestSearchCommand(t *testing.T) {
	url := incidentServer(t)
	setNow(t, time.Date(2026, 11, 1, 11, 20, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"search_pattern", []string{"*alice*"}},
		{"search_list_ips", []string{"--type", "ipaddress"}},
		{"search_cidr_flags_after", []string{"10.0.0.0/16", "--type", "IpAddress"}},
		{"search_since", []string{"--since", "2h", "--type", "AwsUser"}},
		{"search_scope_page", []string{"--scope-start", "2026-11-01T10:00Z", "--scope-end", "1793534400", "--limit", "2"}},
		{"search_none", []string{"nobody-at-all"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"search", "--server", url}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, tc.name, out)
		})
	}

	t.Run("json is the API's answer", func(t *testing.T) {
		code, out, errOut := run(t, "search", "--server", url, "--json", "--type", "AwsUser", "alice")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var res struct {
			Results []struct{ Type, ID, Label string }
			Total   int
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("not one JSON line: %v\n%s", err, out)
		}
		if res.Total != 1 || res.Results[0].ID != analysistest.AliceID || res.Results[0].Label != "alice" {
			t.Errorf("got %+v", res)
		}
	})

	t.Run("server from the environment", func(t *testing.T) {
		t.Setenv("TRAILHOUND_SERVER", strings.TrimPrefix(url, "http://"))
		code, out, errOut := run(t, "search", "alice")
		if code != exitOK || !strings.Contains(out, analysistest.AliceID) {
			t.Errorf("exit %d: %s%s", code, out, errOut)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			args []string
			code int
			msg  string
		}{
			{"bad CIDR from the server", []string{"10.0.0.0/40"}, exitUsage, "not a valid CIDR block"},
			{"end before start", []string{"--scope-start", "2026-11-02", "--scope-end", "2026-11-01"}, exitUsage, "--scope-end 2026-11-01T00:00:00Z is not after --scope-start 2026-11-02T00:00:00Z"},
			{"bad time", []string{"--scope-start", "yesterday"}, exitUsage, `--scope-start: "yesterday" is not a time`},
			{"since and start", []string{"--since", "1h", "--scope-start", "2026-11-01"}, exitUsage, "--since and --scope-start"},
			{"short since", []string{"--since", "10s"}, exitUsage, "at least a minute"},
			{"unknown type", []string{"--type", "Wizard"}, exitUsage, `unknown --type "Wizard"`},
			{"two patterns", []string{"a", "b"}, exitUsage, "one PATTERN at most"},
			{"bad limit", []string{"--limit", "0"}, exitUsage, "--limit 0"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := run(t, append([]string{"search", "--server", url}, tc.args...)...)
				if code != tc.code || !strings.Contains(errOut, tc.msg) || out != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.msg)
				}
			})
		}
	})
}

// TestSearchNoServer checks that a command with no server to ask says
// how to start one.
func TestSearchNoServer(t *testing.T) {
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, args := range [][]string{{"search", "alice"}, {"profile", "AwsUser/AIDAEXAMPLEALICE00001"}} {
		code, out, errOut := run(t, append(args, "--server", "http://"+addr)...)
		if code != exitRuntime || out != "" || !strings.Contains(errOut, "no Trailhound server answers at http://"+addr) ||
			!strings.Contains(errOut, "trailhound serve") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], code, out, errOut)
		}
	}
	if code, _, errOut := run(t, "search", "--server", "ftp://x"); code != exitUsage || !strings.Contains(errOut, "server URL") {
		t.Errorf("bad server URL: exit %d, %q", code, errOut)
	}
}

// TestSearchHelp checks that --help explains with examples and exits 0.
func TestSearchHelp(t *testing.T) {
	for _, cmd := range []string{"search", "profile"} {
		code, out, _ := run(t, cmd, "--help")
		if code != exitOK || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--server") && !strings.Contains(out, "-server") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
}

func TestParseTimeAndSince(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 20, 0, 0, time.UTC)
	for _, tc := range []struct {
		flags scopeFlags
		want  [2]int64
		err   string
	}{
		{scopeFlags{start: "2026-11-01T10:00:00Z", end: "2026-11-01T11:00:00+01:00"}, [2]int64{1793527200, 1793527200 + 0}, "is not after"},
		{scopeFlags{start: "2026-11-01T10:00Z", end: "2026-11-01T12:00"}, [2]int64{1793527200, 1793534400}, ""},
		{scopeFlags{start: "2026-11-01", end: "1793534400"}, [2]int64{1793491200, 1793534400}, ""},
		{scopeFlags{start: "2026-11-01 10:00:30"}, [2]int64{1793527230, 0}, ""},
		{scopeFlags{since: "24h"}, [2]int64{1793530800 - 86400, 1793530800}, ""},
		{scopeFlags{since: "1d12h", end: "2026-11-02"}, [2]int64{1793577600 - 129600, 1793577600}, ""},
		{scopeFlags{since: "7d"}, [2]int64{1793530800 - 7*86400, 1793530800}, ""},
		{scopeFlags{since: "soon"}, [2]int64{}, "not a duration"},
		{scopeFlags{end: "-5"}, [2]int64{}, "after 1970"},
	} {
		got, err := tc.flags.resolve(at)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: error %v, want %q", tc.flags, err, tc.err)
			}
			continue
		}
		if err != nil || [2]int64{got.Start, got.End} != tc.want {
			t.Errorf("%+v: got %+v, %v; want %v", tc.flags, got, err, tc.want)
		}
	}
}

// TestCell checks that values from the logs cannot reach the terminal as
// control sequences or shift the columns.
func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice", "alice"},
		{"Linköping", "Linköping"},
		{"\x1b[2J\x1b[31mevil", `\x1b[2J\x1b[31mevil`},
		{"a\tb\nc\rd", `a\x09b\x0ac\x0dd`},
		{"bad \xff utf8", `bad \xff utf8`},
		{"rtl \u202egnp.exe", `rtl \u202egnp.exe`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{`"><img src=x> \back`, `"><img src=x> \back`},
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("x", 100)
	if got := text(long); len([]rune(got)) != maxText || !strings.HasSuffix(got, "…") {
		t.Errorf("text of 100 runes: %q", got)
	}
}

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want string
		peak float64
	}{
		{[]float64{0, 0, 0}, "▁▁▁", 0},
		{[]float64{0, 1, 7}, "▁▃█", 7},
		{[]float64{0, 1, 100}, "▁▂█", 100},
		{[]float64{1, 1, 2, 2, 0, 0}, "▅█▁", 4}, // summed in pairs at width 3
	} {
		got, peak := sparkline(tc.in, 3)
		if got != tc.want || peak != tc.peak {
			t.Errorf("sparkline(%v) = %q, %v; want %q, %v", tc.in, got, peak, tc.want, tc.peak)
		}
	}
}
