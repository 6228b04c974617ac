package analysis_test

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

// expectedDetails computes the VPC flow details of an entity from the
// flow log lines, read and oriented by the test's own code: the rows by
// key, their totals, and the records without traffic.
func expectedDetails(lines []analysistest.FlowLine, e trailhound.EntityRef, window trailhound.Scope, keep func(analysistest.FlowSide) bool) (map[string]analysis.FlowDetailRow, analysis.FlowDetailTotals, int64) {
	rows := map[string]analysis.FlowDetailRow{}
	var tot analysis.FlowDetailTotals
	var noData int64
	counted := analysistest.CountedSides(lines, e.String())
	for i := range lines {
		for _, s := range counted[i] {
			if s.Hour < window.Start || s.Hour >= window.End {
				continue
			}
			if s.Peer == "" {
				if keep == nil {
					noData++
				}
				continue
			}
			if keep != nil && !keep(s) {
				continue
			}
			key := s.Peer + "/" + strconv.FormatInt(s.LocalPort, 10) + "/" + strconv.FormatInt(s.RemotePort, 10) + "/" + strconv.FormatInt(s.Protocol, 10) + "/" + s.Direction
			ns, id, _ := strings.Cut(s.Peer, "/")
			r, ok := rows[key]
			if !ok {
				r = analysis.FlowDetailRow{Key: key, Peer: analysis.Ref{Type: trailhound.Namespace(ns), ID: id}, PeerLabel: id, LocalPort: s.LocalPort,
					RemotePort: s.RemotePort, Protocol: s.Protocol, ProtocolName: analysis.ProtocolName(s.Protocol), Direction: s.Direction,
					FirstSeen: s.Start, LastSeen: s.End}
			}
			var d analysis.FlowDetailTotals
			if s.Inbound {
				d.InboundBytes, d.InboundPackets = s.Bytes, s.Packets
			} else {
				d.OutboundBytes, d.OutboundPackets = s.Bytes, s.Packets
			}
			switch s.Action {
			case "ACCEPT":
				d.Accepted = 1
			case "REJECT":
				d.Rejected = 1
			}
			d.Records = 1
			addTotals(&tot, d)
			r.InboundBytes += d.InboundBytes
			r.OutboundBytes += d.OutboundBytes
			r.InboundPackets += d.InboundPackets
			r.OutboundPackets += d.OutboundPackets
			r.Accepted += d.Accepted
			r.Rejected += d.Rejected
			r.Records += d.Records
			r.FirstSeen = min(r.FirstSeen, s.Start)
			r.LastSeen = max(r.LastSeen, s.End)
			rows[key] = r
		}
	}
	return rows, tot, noData
}

func addTotals(t *analysis.FlowDetailTotals, d analysis.FlowDetailTotals) {
	t.InboundBytes += d.InboundBytes
	t.OutboundBytes += d.OutboundBytes
	t.InboundPackets += d.InboundPackets
	t.OutboundPackets += d.OutboundPackets
	t.Accepted += d.Accepted
	t.Rejected += d.Rejected
	t.Records += d.Records
}

func flowDetails(t *testing.T, eng *analysis.Engine, e trailhound.EntityRef, s trailhound.Scope, params map[string]string) *analysis.VPCFlowDetails {
	t.Helper()
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowDetails, Start: s.Start, End: s.End, Params: params})
	if err != nil {
		t.Fatalf("%s %v: %v", e, params, err)
	}
	return got.(*analysis.VPCFlowDetails)
}

func rowsByKey(rows []analysis.FlowDetailRow) map[string]analysis.FlowDetailRow {
	out := map[string]analysis.FlowDetailRow{}
	for _, r := range rows {
		out[r.Key] = r
	}
	return out
}

// flowEntities are the incident's entities with flow records.
var flowEntities = []trailhound.EntityRef{
	ref(trailhound.Ec2Instance, analysistest.InstanceID),
	ref(trailhound.IPAddress, "10.0.1.25"),
	ref(trailhound.IPAddress, "198.51.100.77"),
	ref(trailhound.IPAddress, "45.155.205.233"),
	ref(trailhound.IPAddress, "185.220.101.4"),
}

// TestVPCFlowDetails checks the details rows of every entity with flows
// against rows computed from the flow log lines, and that their totals
// are the volume panel's.
func TestVPCFlowDetails(t *testing.T) {
	eng := newEngine(t)
	lines := analysistest.IncidentFlows()
	for _, e := range flowEntities {
		for _, s := range []trailhound.Scope{day, {Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T10:31:00Z")},
			{Start: unix("2026-10-20T00:00:00Z"), End: unix("2026-11-20T00:00:00Z")}} {
			d := flowDetails(t, eng, e, s, nil)
			window := trailhound.Scope{Start: d.Window.Start, End: d.Window.End}
			wantRows, wantTotals, wantNoData := expectedDetails(lines, e, window, nil)
			if len(wantRows) == 0 {
				t.Fatalf("%s: no rows expected: the test is wrong", e)
			}
			if diff := cmp.Diff(wantRows, rowsByKey(d.Rows)); diff != "" {
				t.Errorf("%s %+v rows (-want +got):\n%s", e, s, diff)
			}
			if d.Totals != wantTotals || d.NoData != wantNoData || d.TotalRows != len(wantRows) || d.Truncated {
				t.Errorf("%s %+v: totals %+v nodata %d rows %d, want %+v %d %d", e, s, d.Totals, d.NoData, d.TotalRows, wantTotals, wantNoData, len(wantRows))
			}
			vol, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowVolume, Start: s.Start, End: s.End})
			if err != nil {
				t.Fatal(err)
			}
			v := vol.(*analysis.VPCFlowVolume)
			if v.Totals.Inbound != d.Totals.InboundBytes || v.Totals.Outbound != d.Totals.OutboundBytes || v.Window != d.Window || v.BucketSeconds != d.BucketSeconds {
				t.Errorf("%s %+v: volume %+v %+v, details %+v %+v", e, s, v.Totals, v.Window, d.Totals, d.Window)
			}
		}
	}

	// Both halves of a connection are one row: the address's outbound
	// connection to the mining pool, with the pool's answers inbound.
	d := flowDetails(t, eng, ref(trailhound.IPAddress, "10.0.1.25"), day, nil)
	want := []analysis.FlowDetailRow{
		{Key: "IpAddress/198.51.100.77/49152/3333/6/outbound", Peer: analysis.Ref{Type: trailhound.IPAddress, ID: "198.51.100.77"}, PeerLabel: "198.51.100.77",
			LocalPort: 49152, RemotePort: 3333, Protocol: 6, ProtocolName: "tcp", Direction: "outbound", InboundBytes: 800000, OutboundBytes: 96000,
			InboundPackets: 100, OutboundPackets: 120, Accepted: 2, Records: 2, FirstSeen: 1793527200, LastSeen: 1793527260},
		{Key: "IpAddress/45.155.205.233/22/51515/6/inbound", Peer: analysis.Ref{Type: trailhound.IPAddress, ID: "45.155.205.233"}, PeerLabel: "45.155.205.233",
			LocalPort: 22, RemotePort: 51515, Protocol: 6, ProtocolName: "tcp", Direction: "inbound", InboundBytes: 40, InboundPackets: 1, Rejected: 1,
			Records: 1, FirstSeen: 1793527400, LastSeen: 1793527460},
		{Key: "IpAddress/185.220.101.4/40000/14444/6/outbound", Peer: analysis.Ref{Type: trailhound.IPAddress, ID: "185.220.101.4"}, PeerLabel: "185.220.101.4",
			LocalPort: 40000, RemotePort: 14444, Protocol: 6, ProtocolName: "tcp", Direction: "outbound", OutboundBytes: 5000, OutboundPackets: 10,
			Accepted: 1, Records: 1, FirstSeen: 1793527400, LastSeen: 1793527460},
	}
	if diff := cmp.Diff(want, d.Rows); diff != "" {
		t.Errorf("10.0.1.25 rows by inbound bytes (-want +got):\n%s", diff)
	}
	// The far side sees the same connection the other way round, with the
	// address that flow records name when they name no instance.
	d = flowDetails(t, eng, ref(trailhound.IPAddress, "198.51.100.77"), day, nil)
	if len(d.Rows) != 1 || d.Rows[0].Key != "IpAddress/10.0.1.25/3333/49152/6/inbound" || d.Rows[0].InboundBytes != 96000 || d.Rows[0].OutboundBytes != 800000 {
		t.Errorf("far side rows %+v", d.Rows)
	}
	d = flowDetails(t, eng, ref(trailhound.IPAddress, "185.220.101.4"), day, nil)
	if len(d.Rows) != 1 || d.Rows[0].Peer != (analysis.Ref{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID}) || d.Rows[0].Direction != "inbound" {
		t.Errorf("instance peer rows %+v", d.Rows)
	}
}

func TestVPCFlowDetailFilters(t *testing.T) {
	eng := newEngine(t)
	lines := analysistest.IncidentFlows()
	in := func(cidr string) func(analysistest.FlowSide) bool {
		p := netip.MustParsePrefix(cidr)
		return func(s analysistest.FlowSide) bool { a, _ := netip.ParseAddr(s.PeerAddr); return p.Contains(a) }
	}
	ip := ref(trailhound.IPAddress, "10.0.1.25")
	cases := []struct {
		entity trailhound.EntityRef
		params map[string]string
		keep   func(analysistest.FlowSide) bool
		rows   int
	}{
		{ip, map[string]string{"ip": "198.51.100.0/24"}, in("198.51.100.0/24"), 1},
		{ip, map[string]string{"notIp": "198.51.100.77,45.155.205.233"}, func(s analysistest.FlowSide) bool { return !in("198.51.100.77/32")(s) && !in("45.155.205.233/32")(s) }, 1},
		{ip, map[string]string{"ipClass": "reserved"}, in("198.51.100.0/24"), 1}, // a documentation range
		{ip, map[string]string{"ipClass": "PUBLIC"}, func(s analysistest.FlowSide) bool { return !in("198.51.100.0/24")(s) }, 2},
		{ip, map[string]string{"localPort": "22"}, func(s analysistest.FlowSide) bool { return s.LocalPort == 22 }, 1},
		{ip, map[string]string{"remotePort": "14000-15000"}, func(s analysistest.FlowSide) bool { return s.RemotePort >= 14000 && s.RemotePort <= 15000 }, 1},
		{ip, map[string]string{"port": "3333,22"}, func(s analysistest.FlowSide) bool {
			return slices.Contains([]int64{3333, 22}, s.LocalPort) || slices.Contains([]int64{3333, 22}, s.RemotePort)
		}, 2},
		{ip, map[string]string{"direction": "inbound"}, func(s analysistest.FlowSide) bool { return s.Direction == "inbound" }, 1},
		{ip, map[string]string{"direction": "outbound", "port": "3333,14444"}, func(s analysistest.FlowSide) bool {
			return s.Direction == "outbound" && (s.RemotePort == 3333 || s.RemotePort == 14444)
		}, 2},
		{ip, map[string]string{"protocol": "tcp"}, func(s analysistest.FlowSide) bool { return s.Protocol == 6 }, 3},
		{ip, map[string]string{"protocol": "17,icmp"}, func(s analysistest.FlowSide) bool { return false }, 0},
		{ip, map[string]string{"action": "reject"}, func(s analysistest.FlowSide) bool { return s.Action == "REJECT" }, 1},
		{ip, map[string]string{"action": "ACCEPT", "ip": "0.0.0.0/0"}, func(s analysistest.FlowSide) bool { return s.Action == "ACCEPT" }, 2},
		{ref(trailhound.IPAddress, "185.220.101.4"), map[string]string{"instance": analysistest.InstanceID}, func(s analysistest.FlowSide) bool {
			return s.Peer == "Ec2Instance/"+analysistest.InstanceID
		}, 1},
		{ref(trailhound.IPAddress, "198.51.100.77"), map[string]string{"instance": analysistest.InstanceID}, func(s analysistest.FlowSide) bool { return false }, 0},
	}
	for _, c := range cases {
		d := flowDetails(t, eng, c.entity, day, c.params)
		wantRows, wantTotals, _ := expectedDetails(lines, c.entity, trailhound.Scope{Start: d.Window.Start, End: d.Window.End}, c.keep)
		if len(wantRows) != c.rows {
			t.Fatalf("%v: the test expects %d rows, computed %d", c.params, c.rows, len(wantRows))
		}
		if diff := cmp.Diff(wantRows, rowsByKey(d.Rows)); diff != "" {
			t.Errorf("%s %v (-want +got):\n%s", c.entity, c.params, diff)
		}
		if d.Totals != wantTotals || !cmp.Equal(d.Filters, c.params) {
			t.Errorf("%s %v: totals %+v filters %v, want %+v", c.entity, c.params, d.Totals, d.Filters, wantTotals)
		}
	}

	for _, c := range []struct {
		params map[string]string
		code   string
		names  string
	}{
		{map[string]string{"localPort": "ssh"}, trailhound.EINVALID, "localPort"},
		{map[string]string{"remotePort": "70000"}, trailhound.EINVALID, "remotePort"},
		{map[string]string{"port": "500-100"}, trailhound.EINVALID, "port"},
		{map[string]string{"direction": "sideways"}, trailhound.EINVALID, "direction"},
		{map[string]string{"protocol": "tcpx"}, trailhound.EINVALID, "protocol"},
		{map[string]string{"protocol": "256"}, trailhound.EINVALID, "protocol"},
		{map[string]string{"action": "drop"}, trailhound.EINVALID, "action"},
		{map[string]string{"ip": "10.0.0.0/33"}, trailhound.EINVALID, "ip"},
		{map[string]string{"notIp": "nope"}, trailhound.EINVALID, "notIp"},
		{map[string]string{"ipClass": "weird"}, trailhound.EINVALID, "ipClass"},
		{map[string]string{"sort": "size"}, trailhound.EINVALID, "sort"},
		{map[string]string{"order": "up"}, trailhound.EINVALID, "order"},
		{map[string]string{"limit": "0"}, trailhound.EINVALID, "limit"},
		{map[string]string{"limit": "10001"}, trailhound.EINVALID, "limit"},
		{map[string]string{"bucket": strconv.FormatInt(day.Start+60, 10)}, trailhound.EINVALID, "bucket"},
		{map[string]string{"series": "IpAddress/1.2.3.4/1/2/6/sideways"}, trailhound.EINVALID, "series"},
		{map[string]string{"series": "AwsUser/x/1/2/6/inbound"}, trailhound.EINVALID, "series"},
		{map[string]string{"apiContains": "List"}, trailhound.EINVALID, "apiContains"},
		{map[string]string{"finding": "nope"}, trailhound.ENOTFOUND, "finding"},
		{map[string]string{"annotate": "nope"}, trailhound.ENOTFOUND, "annotate"},
	} {
		_, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ip, Panel: analysis.PanelVPCFlowDetails, Start: day.Start, End: day.End, Params: c.params})
		if trailhound.ErrorCode(err) != c.code || !strings.Contains(trailhound.ErrorMessage(err), c.names) {
			t.Errorf("%v: %v, want %s naming %q", c.params, err, c.code, c.names)
		}
	}
}

// TestVPCFlowDetailViews checks one bucket's rows, sorting, limits and
// row series.
func TestVPCFlowDetailViews(t *testing.T) {
	eng := newEngine(t)
	ip := ref(trailhound.IPAddress, "10.0.1.25")
	ten := unix("2026-11-01T10:00:00Z")

	d := flowDetails(t, eng, ip, day, map[string]string{"bucket": strconv.FormatInt(ten, 10)})
	if len(d.Rows) != 3 || d.Bucket == nil || *d.Bucket != (analysis.ScopeJSON{Start: ten, End: ten + 3600}) {
		t.Errorf("bucket 10:00: %+v %+v", d.Bucket, d.Rows)
	}
	d = flowDetails(t, eng, ip, day, map[string]string{"bucket": strconv.FormatInt(ten+3600, 10)})
	if len(d.Rows) != 0 || d.Totals != (analysis.FlowDetailTotals{}) {
		t.Errorf("bucket 11:00: %+v", d.Rows)
	}

	keys := func(d *analysis.VPCFlowDetails) []string {
		var out []string
		for _, r := range d.Rows {
			out = append(out, r.PeerLabel)
		}
		return out
	}
	for _, c := range []struct {
		params map[string]string
		want   []string
	}{
		{nil, []string{"198.51.100.77", "45.155.205.233", "185.220.101.4"}},
		{map[string]string{"sort": "outbound"}, []string{"198.51.100.77", "185.220.101.4", "45.155.205.233"}},
		{map[string]string{"sort": "localPort"}, []string{"45.155.205.233", "185.220.101.4", "198.51.100.77"}},
		{map[string]string{"sort": "localPort", "order": "desc"}, []string{"198.51.100.77", "185.220.101.4", "45.155.205.233"}},
		{map[string]string{"sort": "peer"}, []string{"185.220.101.4", "198.51.100.77", "45.155.205.233"}},
		// The two rows without rejections tie: in the fixed order of
		// their peers' keys.
		{map[string]string{"sort": "rejected"}, []string{"45.155.205.233", "198.51.100.77", "185.220.101.4"}},
		// A finding's rows come first (Detective's annotations).
		{map[string]string{"sort": "localPort", "annotate": analysistest.FindingID}, []string{"198.51.100.77", "45.155.205.233", "185.220.101.4"}},
	} {
		d := flowDetails(t, eng, ip, day, c.params)
		if got := keys(d); !cmp.Equal(got, c.want) {
			t.Errorf("%v: %q, want %q", c.params, got, c.want)
		}
	}
	d = flowDetails(t, eng, ip, day, map[string]string{"annotate": analysistest.FindingID})
	if d.Annotated == nil || !d.Rows[0].FindingRelated || d.Rows[1].FindingRelated {
		t.Errorf("annotations: %+v %+v", d.Annotated, d.Rows)
	}

	full := flowDetails(t, eng, ip, day, nil)
	d = flowDetails(t, eng, ip, day, map[string]string{"limit": "1"})
	if len(d.Rows) != 1 || !d.Truncated || d.TotalRows != 3 || d.Totals != full.Totals {
		t.Errorf("limit 1: %d rows, truncated %v, total %d, totals %+v", len(d.Rows), d.Truncated, d.TotalRows, d.Totals)
	}

	// Row series over the volume panel's buckets, for a day and for a
	// month of day buckets.
	for _, s := range []trailhound.Scope{day, {Start: unix("2026-10-15T00:00:00Z"), End: unix("2026-11-15T00:00:00Z")}} {
		rows := flowDetails(t, eng, ip, s, nil).Rows
		var list []string
		for _, r := range rows {
			list = append(list, r.Key)
		}
		list = append(list, "IpAddress/203.0.113.9/1/2/17/inbound") // a valid key without traffic
		d := flowDetails(t, eng, ip, s, map[string]string{"series": strings.Join(list, ",")})
		if len(d.Series) != len(list) {
			t.Fatalf("%d series for %d keys", len(d.Series), len(list))
		}
		for i, sr := range d.Series {
			if sr.Key != list[i] || len(sr.Buckets) != len(flowVolume(t, eng, ip, s).Buckets) {
				t.Errorf("series %d: key %s, %d buckets", i, sr.Key, len(sr.Buckets))
			}
			var in, out int64
			for _, b := range sr.Buckets {
				in += b.Inbound
				out += b.Outbound
				if b.Inbound+b.Outbound > 0 && (b.Start > ten || b.Start+d.BucketSeconds <= ten) {
					t.Errorf("series %s: traffic in bucket %d", sr.Key, b.Start)
				}
			}
			if i < len(rows) && (in != rows[i].InboundBytes || out != rows[i].OutboundBytes || sr.Totals.Records != rows[i].Records) {
				t.Errorf("series %s: %d in %d out, row %+v", sr.Key, in, out, rows[i])
			}
			if i == len(rows) && sr.Totals != (analysis.FlowDetailTotals{}) {
				t.Errorf("series without traffic: %+v", sr.Totals)
			}
		}
	}
}

func flowVolume(t *testing.T, eng *analysis.Engine, e trailhound.EntityRef, s trailhound.Scope) *analysis.VPCFlowVolume {
	t.Helper()
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowVolume, Start: s.Start, End: s.End})
	if err != nil {
		t.Fatal(err)
	}
	return got.(*analysis.VPCFlowVolume)
}

// TestFindingFlows checks the traffic to and from a finding's addresses:
// the volume and details limited to the finding's peers, on the
// finding's own scope by default.
func TestFindingFlows(t *testing.T) {
	eng := newEngine(t)
	ctx := context.Background()
	ip := ref(trailhound.IPAddress, "10.0.1.25")
	params := map[string]string{"finding": analysistest.FindingID}
	got, err := eng.Panel(ctx, analysis.PanelRequest{Entity: ip, Panel: analysis.PanelVPCFlowVolume, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	v := got.(*analysis.VPCFlowVolume)
	wantPeers := []analysis.Ref{{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID}, {Type: trailhound.IPAddress, ID: "198.51.100.77"}}
	if v.Finding == nil || !cmp.Equal(v.Finding.Peers, wantPeers) {
		t.Fatalf("finding %+v", v.Finding)
	}
	if v.Scope != (analysis.ScopeJSON{Start: unix("2026-11-01T10:30:00Z"), End: unix("2026-11-01T11:30:01Z")}) ||
		v.Window != (analysis.ScopeJSON{Start: unix("2026-11-01T10:00:00Z"), End: unix("2026-11-01T12:00:00Z")}) {
		t.Errorf("scope %+v window %+v, want the finding's", v.Scope, v.Window)
	}
	lines := analysistest.IncidentFlows()
	onlyPeers := func(s analysistest.FlowSide) bool {
		return s.Peer == "IpAddress/198.51.100.77" || s.Peer == "Ec2Instance/"+analysistest.InstanceID
	}
	_, want, _ := expectedDetails(lines, ip, day, onlyPeers)
	if v.Totals != (analysis.FlowTotals{Inbound: want.InboundBytes, Outbound: want.OutboundBytes}) || want.Records != 2 {
		t.Errorf("volume with the finding's peers %+v, want %+v", v.Totals, want)
	}
	var rowBytes int64
	for _, r := range v.Rows {
		rowBytes += r.Bytes
		if r.PeerLabel != "198.51.100.77" {
			t.Errorf("row of another peer: %+v", r)
		}
	}
	if rowBytes != want.InboundBytes+want.OutboundBytes {
		t.Errorf("rows hold %d bytes", rowBytes)
	}
	d := flowDetails(t, eng, ip, trailhound.Scope{}, params)
	wantRows, wantTotals, _ := expectedDetails(lines, ip, day, onlyPeers)
	if diff := cmp.Diff(wantRows, rowsByKey(d.Rows)); diff != "" || d.Totals != wantTotals || d.Finding == nil {
		t.Errorf("details with the finding (-want +got):\n%s\n%+v", diff, d.Totals)
	}
	// The instance's flow records name no peer of the finding: its
	// traffic with the mining pool is in records without instance ids.
	inst := ref(trailhound.Ec2Instance, analysistest.InstanceID)
	got, err = eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelVPCFlowVolume, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if v := got.(*analysis.VPCFlowVolume); v.Totals != (analysis.FlowTotals{}) || len(v.Rows) != 0 || len(v.Finding.Peers) != 2 {
		t.Errorf("instance with the finding: %+v", v)
	}
	if _, err := eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelVPCFlowVolume, Params: map[string]string{"finding": "nope"}}); trailhound.ErrorCode(err) != trailhound.ENOTFOUND || !strings.Contains(err.Error(), "finding") {
		t.Errorf("unknown finding: %v", err)
	}
	if _, err := eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelVPCFlowVolume, Params: map[string]string{"port": "22"}}); trailhound.ErrorCode(err) != trailhound.EINVALID || !strings.Contains(err.Error(), "port") {
		t.Errorf("unknown parameter: %v", err)
	}
}

// listedPort says whether the service ports panel has a bar for a port.
func listedPort(port int64) bool {
	for _, p := range analysis.ServicePorts {
		if p.Port == port {
			return true
		}
	}
	return false
}

// TestServicePorts checks the average flow by service port against the
// records: each port's bytes both ways, averaged over the buckets.
func TestServicePorts(t *testing.T) {
	eng := newEngine(t)
	lines := analysistest.IncidentFlows()
	for _, e := range flowEntities {
		got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowServicePorts, Start: day.Start, End: day.End})
		if err != nil {
			t.Fatal(err)
		}
		p := got.(*analysis.VPCFlowServicePorts)
		type sums struct{ in, out, records int64 }
		want := map[int64]sums{}
		counted := analysistest.CountedSides(lines, e.String())
		for i := range lines {
			for _, s := range counted[i] {
				if s.Hour < day.Start || s.Hour >= day.End {
					continue
				}
				port := s.LocalPort
				if port <= 0 || (s.RemotePort > 0 && s.RemotePort < port) {
					port = s.RemotePort
				}
				if s.Protocol != 6 && s.Protocol != 17 && s.Protocol != 132 || !listedPort(port) {
					port = -1
				}
				w := want[port]
				if s.Inbound {
					w.in += s.Bytes
				} else {
					w.out += s.Bytes
				}
				w.records++
				want[port] = w
			}
		}
		listed := map[int64]bool{}
		for _, f := range append(p.Ports, p.Other) {
			port := f.Port
			if f.Service == "other" {
				port = -1
			}
			listed[port] = true
			w := want[port]
			if f.Inbound != w.in || f.Outbound != w.out || f.Records != w.records || f.AverageInbound != float64(w.in)/24 || f.AverageOutbound != float64(w.out)/24 ||
				f.BaselineInbound != 0 || f.BaselineAverageOutbound != 0 {
				t.Errorf("%s port %d: %+v, want %+v", e, f.Port, f, w)
			}
		}
		for port := range want {
			if !listed[port] && port != -1 {
				t.Errorf("%s: port %d has traffic and is not listed", e, port)
			}
		}
		if listed[4444] || p.Buckets != 24 {
			t.Errorf("%s: a mining port without traffic is listed, or %d buckets", e, p.Buckets)
		}
		// The records behind a bar.
		for _, f := range p.Ports {
			records, _ := flowEvents(t, eng, e, day, map[string]string{"servicePort": strconv.FormatInt(f.Port, 10), "protocol": "tcp,udp,sctp"})
			var in, out int64
			for _, r := range records {
				if r.Traffic == "inbound" {
					in += r.Bytes
				} else {
					out += r.Bytes
				}
			}
			if in != f.Inbound || out != f.Outbound || int64(len(records)) != f.Records {
				t.Errorf("%s port %d: records hold %d in %d out (%d), the bar %+v", e, f.Port, in, out, len(records), f)
			}
		}
	}
	got, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.IPAddress, "10.0.1.25"), Panel: analysis.PanelVPCFlowServicePorts,
		Start: day.Start, End: day.End, Params: map[string]string{"port": "3333"}})
	if err != nil {
		t.Fatal(err)
	}
	p := got.(*analysis.VPCFlowServicePorts)
	if p.Series == nil || len(p.Series.Buckets) != 24 || p.Series.Buckets[10].Inbound != 800000 || p.Series.Buckets[10].Outbound != 96000 {
		t.Errorf("series of port 3333: %+v", p.Series)
	}
	for _, params := range []map[string]string{{"port": "http"}, {"port": "65536"}, {"ports": "22"}} {
		_, err := eng.Panel(context.Background(), analysis.PanelRequest{Entity: ref(trailhound.IPAddress, "10.0.1.25"), Panel: analysis.PanelVPCFlowServicePorts, Params: params})
		if trailhound.ErrorCode(err) != trailhound.EINVALID || !strings.Contains(err.Error(), "port") {
			t.Errorf("%v: %v", params, err)
		}
	}
}
