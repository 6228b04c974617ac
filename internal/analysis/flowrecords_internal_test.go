package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/source/vpcflow"
)

// TestOrientFlowMatchesGraph checks that the flow details orient every
// record as ingest does: the same local and remote address, direction
// and service port as the stored row the record was summed into.
func TestOrientFlowMatchesGraph(t *testing.T) {
	addrs := []string{"10.0.1.25", "10.0.2.9", "172.16.5.4", "192.168.1.1", "100.64.3.2", "127.0.0.1", "169.254.169.254",
		"198.51.100.77", "52.94.1.1", "45.155.205.233", "2001:db8::1", "fd00::5", "fe80::1", "::ffff:10.1.2.3", "::ffff:52.1.2.3",
		"-", "", "not-an-ip"}
	ports := []int{0, 22, 53, 443, 3333, 14444, 40000, 49152, 65535}
	dirs := []string{"", "ingress", "egress"}
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	for i := range 20000 {
		f := trailhound.Flow{SrcAddr: pick(addrs), DstAddr: pick(addrs), SrcPort: ports[r.IntN(len(ports))], DstPort: ports[r.IntN(len(ports))],
			Direction: pick(dirs), Protocol: 6, Start: t0, End: t0.Add(time.Minute), Action: "ACCEPT", LogStatus: "OK"}
		b := graph.NewBatch()
		if err := b.Flow(&f); err != nil {
			t.Fatal(err)
		}
		var k graph.FlowKey
		for key := range b.Flows {
			k = key
		}
		o := orientFlow(&f)
		dir := "ingress"
		if o.egress {
			dir = "egress"
		}
		if o.local != k.LocalAddr || o.remote != k.RemoteAddr || dir != k.Direction || servicePortOf(o.localPort, o.remotePort) != k.Port {
			t.Fatalf("record %d %+v: oriented %+v, ingest keyed %+v", i, f, o, k)
		}
	}
}

func TestConnectionDirection(t *testing.T) {
	cases := []struct {
		local, remote int
		inbound       bool
		want          string
	}{
		{22, 51515, true, "inbound"},
		{22, 51515, false, "inbound"}, // the server's reply is still the client's connection
		{49152, 3333, false, "outbound"},
		{49152, 3333, true, "outbound"},
		{0, 443, true, "outbound"},
		{443, 0, false, "inbound"},
		{53, 53, true, "inbound"},
		{0, 0, false, "outbound"},
	}
	for _, c := range cases {
		if got := connectionDirection(c.local, c.remote, c.inbound); got != c.want {
			t.Errorf("connectionDirection(%d, %d, %v) = %s, want %s", c.local, c.remote, c.inbound, got, c.want)
		}
	}
}

func TestLineTee(t *testing.T) {
	content := "\xef\xbb\xbfheader\r\nline two\n\nline four\r\nlast line"
	for _, chunk := range []int{1, 3, 7, 1000} {
		tee := &lineTee{}
		tee.reset(1, 5)
		for i := 0; i < len(content); i += chunk {
			tee.Write([]byte(content[i:min(i+chunk, len(content))]))
		}
		want := map[int]string{1: "header", 2: "line two", 4: "line four", 5: "last line"}
		for _, n := range []int{1, 2, 4, 5} {
			if got := string(tee.take(n)); got != want[n] {
				t.Errorf("chunks of %d: line %d = %q, want %q", chunk, n, got, want[n])
			}
		}
	}
	// Many lines read in chunks while records are taken, as a decoder
	// reading ahead does: every line comes back whole across compactions.
	var all strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&all, "record %d %s\n", i, strings.Repeat("x", i%97))
	}
	data := all.String()
	big := &lineTee{}
	big.reset(10, 4990)
	pos, next := 0, 10
	r := rand.New(rand.NewPCG(3, 4))
	for next <= 4990 {
		if pos < len(data) {
			end := min(pos+1+r.IntN(9000), len(data))
			big.Write([]byte(data[pos:end]))
			pos = end
		}
		for next <= big.n && next <= 4990 && r.IntN(4) > 0 {
			want := fmt.Sprintf("record %d %s", next, strings.Repeat("x", next%97))
			if got := string(big.take(next)); got != want {
				t.Fatalf("line %d = %q, want %q", next, got, want)
			}
			next += 1 + r.IntN(3)
		}
	}
	tee := &lineTee{}
	tee.reset(2, 2)
	tee.Write([]byte("a\nb\nc\n"))
	if tee.take(1) != nil || string(tee.take(2)) != "b" || tee.take(3) != nil {
		t.Error("lines outside the range are kept")
	}
}

// TestFlowLineFilter: the lines the details skip without parsing never
// hold a record of the entity — the records read with the filter equal
// those read without it — for instances, IPv4 addresses (also written as
// IPv4-mapped IPv6, in dotted or hexadecimal form) and IPv6 addresses.
func TestFlowLineFilter(t *testing.T) {
	text := `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status instance-id
5 111122223333 eni-1 10.0.1.25 198.51.100.77 49152 443 6 10 1000 1793527200 1793527260 ACCEPT OK i-0abc1234def567890
5 111122223333 eni-1 198.51.100.77 10.0.1.25 443 49152 6 10 2000 1793527200 1793527260 ACCEPT OK i-0abc1234def567890
5 111122223333 eni-2 10.0.1.26 203.0.113.5 40000 22 6 1 40 1793527200 1793527260 REJECT OK i-0fff1234def567890
5 111122223333 eni-2 ::ffff:a00:119 10.0.1.26 5000 22 6 1 40 1793527200 1793527260 ACCEPT OK i-0fff1234def567890
5 111122223333 eni-2 ::ffff:10.0.1.25 10.0.1.26 5001 22 6 1 40 1793527200 1793527260 ACCEPT OK i-0fff1234def567890
5 111122223333 eni-3 2001:db8::1 2001:DB8:0:0::2 443 5555 6 3 300 1793527200 1793527260 ACCEPT OK -
5 111122223333 eni-3 110.0.1.25 10.0.1.99 443 5555 6 3 300 1793527200 1793527260 ACCEPT OK -
5 111122223333 eni-3 - - - - - - - 1793527200 1793527260 - NODATA -
`
	ents := []trailhound.EntityRef{
		{Type: trailhound.Ec2Instance, ID: "i-0abc1234def567890"}, {Type: trailhound.Ec2Instance, ID: "i-0fff1234def567890"},
		{Type: trailhound.IPAddress, ID: "10.0.1.25"}, {Type: trailhound.IPAddress, ID: "10.0.1.26"},
		{Type: trailhound.IPAddress, ID: "198.51.100.77"}, {Type: trailhound.IPAddress, ID: "2001:db8::2"},
		{Type: trailhound.IPAddress, ID: "10.0.1.99"},
	}
	filter, err := parseFlowFilter(map[string]string{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	read := func(ent trailhound.EntityRef, filtered bool) []flowItem {
		scan := &flowScan{ent: entityRow{Ref: ent, Key: ent.Key()}, window: trailhound.Scope{Start: 0, End: 1 << 40}, filter: filter}
		sink := &flowSink{scan: scan, obj: &flowObject{first: 2, last: 9}, strs: map[string]string{}}
		if filtered {
			sink.needle, sink.anyColon = lineNeedle(ent)
		}
		var dec vpcflow.Decoder
		if err := dec.Decode(context.Background(), "test.log", strings.NewReader(text), sink); err != nil && err != errEnough {
			t.Fatal(err)
		}
		return sink.items
	}
	for _, ent := range ents {
		all, kept := read(ent, false), read(ent, true)
		if len(all) == 0 {
			t.Errorf("%s: no records at all", ent)
		}
		if fmt.Sprint(all) != fmt.Sprint(kept) {
			t.Errorf("%s: with the filter %v\nwithout %v", ent, kept, all)
		}
	}
	if n, _ := lineNeedle(trailhound.EntityRef{Type: trailhound.IPAddress, ID: "2001:db8::2"}); n != nil {
		t.Error("an IPv6 address has a needle")
	}
}
