package analysis_test

import (
	"context"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

const onceHeader = "version account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction\n"

// Two monitored instances, A (10.0.9.5) and B (10.0.9.6). At 10:10 A's
// database connection to B is logged by both interfaces; at 11:10 only
// B's log has one (A's log of that hour was not delivered).
var onceFiles = []analysistest.File{
	{Path: "AWSLogs/111122223333/vpcflowlogs/ap-southeast-7/2026/11/01/111122223333_vpcflowlogs_ap-southeast-7_fl-0a1b2c3d_20261101T1015Z_once-a.log.gz", Content: onceHeader +
		"5 111122223333 eni-0aaaa000000000001 i-0aaa0000000000001 10.0.9.5 10.0.9.6 40000 5432 6 10 1000 1793527800 1793527860 ACCEPT OK egress\n", Gzip: true},
	{Path: "AWSLogs/111122223333/vpcflowlogs/ap-southeast-7/2026/11/01/111122223333_vpcflowlogs_ap-southeast-7_fl-0a1b2c3d_20261101T1115Z_once-b.log.gz", Content: onceHeader +
		"5 111122223333 eni-0bbbb000000000002 i-0bbb0000000000002 10.0.9.5 10.0.9.6 40000 5432 6 10 1000 1793527800 1793527860 ACCEPT OK ingress\n" +
		"5 111122223333 eni-0bbbb000000000002 i-0bbb0000000000002 10.0.9.5 10.0.9.6 40001 5432 6 5 500 1793531400 1793531460 ACCEPT OK ingress\n", Gzip: true},
}

// TestFlowsCountedOnce checks that an address's flow panels and records
// count a connection between two monitored interfaces once: from the
// address's own interface when it logged that hour, from the other's
// otherwise. The expected numbers come from the lines (CountedSides), and
// are also written out.
func TestFlowsCountedOnce(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	analysistest.IngestFiles(t, data, onceFiles)
	eng := engineOver(t, data)
	var lines []analysistest.FlowLine
	for _, f := range onceFiles {
		lines = append(lines, analysistest.ParseFlowLog(f.Path, f.Content)...)
	}
	day := trailhound.Scope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()}
	for _, c := range []struct {
		addr          string
		in, out       int64 // written out
		recordsCounts int
	}{
		{"10.0.9.5", 0, 1500, 2}, // its own 10:10 record, B's 11:10 one
		{"10.0.9.6", 1500, 0, 2}, // its own two records
	} {
		e := trailhound.EntityRef{Type: trailhound.IPAddress, ID: c.addr}
		var want analysis.FlowTotals
		var records int
		for _, sides := range analysistest.CountedSides(lines, e.String()) {
			for _, s := range sides {
				records++
				if s.Inbound {
					want.Inbound += s.Bytes
				} else {
					want.Outbound += s.Bytes
				}
			}
		}
		if want != (analysis.FlowTotals{Inbound: c.in, Outbound: c.out}) || records != c.recordsCounts {
			t.Fatalf("%s: the lines count %+v in %d records, the test says %d/%d in %d", c.addr, want, records, c.in, c.out, c.recordsCounts)
		}
		p, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowVolume, Start: day.Start, End: day.End})
		if err != nil {
			t.Fatal(err)
		}
		v := p.(*analysis.VPCFlowVolume)
		var series, rows analysis.FlowTotals
		for _, b := range v.Buckets {
			series.Inbound += b.Inbound
			series.Outbound += b.Outbound
		}
		for _, r := range v.Rows {
			if r.Direction == "inbound" {
				rows.Inbound += r.Bytes
			} else {
				rows.Outbound += r.Bytes
			}
		}
		if v.Totals != want || series != want {
			t.Errorf("%s: flow volume totals %+v, series %+v, want %+v", c.addr, v.Totals, series, want)
		}
		if rows.Inbound+rows.Outbound != want.Inbound+want.Outbound {
			t.Errorf("%s: flow volume rows sum %+v, want %d bytes", c.addr, rows, want.Inbound+want.Outbound)
		}
		p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowDetails, Start: day.Start, End: day.End})
		if err != nil {
			t.Fatal(err)
		}
		if d := p.(*analysis.VPCFlowDetails).Totals; d.InboundBytes != want.Inbound || d.OutboundBytes != want.Outbound || d.Records != int64(records) {
			t.Errorf("%s: flow details totals %+v, want %+v in %d records", c.addr, d, want, records)
		}
		p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowServicePorts, Start: day.Start, End: day.End})
		if err != nil {
			t.Fatal(err)
		}
		sp := p.(*analysis.VPCFlowServicePorts)
		ports := analysis.FlowTotals{Inbound: sp.Other.Inbound, Outbound: sp.Other.Outbound}
		for _, f := range sp.Ports {
			ports.Inbound += f.Inbound
			ports.Outbound += f.Outbound
		}
		if ports != want {
			t.Errorf("%s: service ports sum %+v, want %+v", c.addr, ports, want)
		}
		got, _ := flowEvents(t, eng, e, day, nil)
		if len(got) != records {
			t.Errorf("%s: %d raw records, want %d", c.addr, len(got), records)
		}
	}
}
