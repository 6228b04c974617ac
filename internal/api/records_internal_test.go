package api

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// hostile are strings that must come out of a stream escaped.
var hostile = []string{"", "plain 10.0.1.25 eni-1 ACCEPT OK", `"quoted" \back\slash`, "<script>alert(1)</script> & co",
	"tab\there\nnewline\rreturn\b\f\x00\x1f\x7f", "\u2028\u2029 line separators", "caf\u00e9 \U0001F600", "\xff\xfe invalid \xc3",
	"{\"message\":\"2 123 eni-1 - - - - - - - 1 2 - NODATA\"}"}

// TestAppendFlowRecord checks that the hand-written encoder writes what
// encoding/json writes, for records holding hostile text anywhere.
func TestAppendFlowRecord(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pick := func() string { return hostile[r.IntN(len(hostile))] }
	for i := range 2000 {
		f := analysis.FlowRecord{Object: pick(), Line: r.IntN(1 << 20), Record: pick(), Version: r.IntN(9), Account: pick(), InterfaceID: pick(),
			InstanceID: pick(), SrcAddr: pick(), DstAddr: pick(), SrcPort: r.IntN(65536), DstPort: r.IntN(65536), Protocol: r.IntN(257) - 1,
			Packets: r.Int64(), Bytes: -r.Int64(), Start: r.Int64N(2e9), End: r.Int64N(2e9), Action: pick(), LogStatus: pick(), VPCID: pick(),
			FlowDirection: pick(), LocalPort: r.IntN(65536), RemotePort: r.IntN(65536), Direction: pick(), Traffic: pick()}
		if r.IntN(2) == 0 {
			f.Peer = &analysis.Ref{Type: trailhound.Namespace(pick()), ID: pick()}
		}
		want, err := json.Marshal(&f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFlowRecord(nil, &f); string(got) != string(want) {
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// TestCSVCell: cells a spreadsheet would run as formulas are defused,
// numbers and ordinary text are kept.
func TestCSVCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"ListUsers", "ListUsers"},
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-1", "-1"},
		{"-12.5", "-12.5"},
		{"+7", "+7"},
		{"a=b", "a=b"},
		{"10.0.1.25", "10.0.1.25"},
	}
	for _, c := range cases {
		if got := csvCell(c.in); got != c.want {
			t.Errorf("csvCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
