package analysis_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

func flowEvents(t *testing.T, eng *analysis.Engine, e trailhound.EntityRef, s trailhound.Scope, filters map[string]string) ([]analysis.FlowRecord, *analysis.EventStream) {
	t.Helper()
	stream, err := eng.Events(context.Background(), analysis.EventsRequest{Entity: e, Source: trailhound.SourceVPCFlow, Start: s.Start, End: s.End, Filters: filters})
	if err != nil {
		t.Fatalf("%s %v: %v", e, filters, err)
	}
	var out []analysis.FlowRecord
	if err := stream.EachFlow(context.Background(), func(r *analysis.FlowRecord) error {
		c := *r
		if r.Peer != nil {
			p := *r.Peer
			c.Peer = &p
		}
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out, stream
}

// TestFlowEvents reads the flow records behind an entity's flow numbers
// from the archive: they are the lines of the delivered objects, byte for
// byte, and exactly the records the details count.
func TestFlowEvents(t *testing.T) {
	eng := newEngine(t)
	lines := analysistest.IncidentFlows()
	for _, e := range flowEntities {
		got, stream := flowEvents(t, eng, e, day, nil)
		if stream.Scope != day || stream.Source != trailhound.SourceVPCFlow {
			t.Errorf("%s: scope %+v source %s", e, stream.Scope, stream.Source)
		}
		var want []string
		counted := analysistest.CountedSides(lines, e.String())
		for i, l := range lines {
			for range counted[i] {
				want = append(want, l.Path+":"+strconv.Itoa(l.Line)+":"+l.Text)
			}
		}
		var gotLines []string
		for _, r := range got {
			// Objects are named by the URI they were ingested from.
			i := strings.Index(r.Object, "AWSLogs/")
			gotLines = append(gotLines, r.Object[i:]+":"+strconv.Itoa(r.Line)+":"+r.Record)
		}
		slices.Sort(want)
		slices.Sort(gotLines)
		if diff := cmp.Diff(want, gotLines); diff != "" {
			t.Errorf("%s records (-want +got):\n%s", e, diff)
		}
		// The records add up to the details.
		d := flowDetails(t, eng, e, day, nil)
		var tot analysis.FlowDetailTotals
		var noData int64
		for _, r := range got {
			if r.Peer == nil {
				noData++
				continue
			}
			var x analysis.FlowDetailTotals
			if r.Traffic == "inbound" {
				x.InboundBytes, x.InboundPackets = r.Bytes, r.Packets
			} else {
				x.OutboundBytes, x.OutboundPackets = r.Bytes, r.Packets
			}
			switch r.Action {
			case "ACCEPT":
				x.Accepted = 1
			case "REJECT":
				x.Rejected = 1
			}
			x.Records = 1
			addTotals(&tot, x)
		}
		if tot != d.Totals || noData != d.NoData {
			t.Errorf("%s: records sum to %+v (%d without traffic), details say %+v (%d)", e, tot, noData, d.Totals, d.NoData)
		}
	}

	got, _ := flowEvents(t, eng, ref(trailhound.Ec2Instance, analysistest.InstanceID), day, map[string]string{"action": "reject"})
	want := analysis.FlowRecord{Line: 3, Record: "5 111122223333 eni-0a1b2c3d4e5f60001 45.155.205.233 10.0.1.25 51515 22 6 1 40 1793527400 1793527460 REJECT OK vpc-0a1b2c3d subnet-0a1b2c3d i-0abc1234def567890 2 IPv4 45.155.205.233 10.0.1.25 ap-southeast-7 apse7-az1 - - - - ingress -",
		Version: 5, Account: analysistest.Account, InterfaceID: "eni-0a1b2c3d4e5f60001", InstanceID: analysistest.InstanceID, SrcAddr: "45.155.205.233",
		DstAddr: "10.0.1.25", SrcPort: 51515, DstPort: 22, Protocol: 6, Packets: 1, Bytes: 40, Start: 1793527400, End: 1793527460, Action: "REJECT",
		LogStatus: "OK", VPCID: "vpc-0a1b2c3d", FlowDirection: "ingress", Peer: &analysis.Ref{Type: trailhound.IPAddress, ID: "45.155.205.233"},
		LocalPort: 22, RemotePort: 51515, Direction: "inbound", Traffic: "inbound"}
	if len(got) != 1 {
		t.Fatalf("rejected records %+v", got)
	}
	got[0].Object = ""
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("rejected record (-want +got):\n%s", diff)
	}

	// The finding's traffic on its own scope by default: the hours the
	// finding was observed in.
	got, stream := flowEvents(t, eng, ref(trailhound.IPAddress, "10.0.1.25"), trailhound.Scope{}, map[string]string{"finding": analysistest.FindingID})
	if len(got) != 2 || got[0].Line != 1 || got[1].Line != 2 || stream.Scope != (trailhound.Scope{Start: unix("2026-11-01T10:00:00Z"), End: unix("2026-11-01T12:00:00Z")}) {
		t.Errorf("finding records %+v scope %+v", got, stream.Scope)
	}
	if got, _ := flowEvents(t, eng, ref(trailhound.IPAddress, "10.0.1.25"), day, map[string]string{"protocol": "udp"}); len(got) != 0 {
		t.Errorf("udp records %+v", got)
	}

	for _, c := range []struct {
		req   analysis.EventsRequest
		code  string
		names string
	}{
		{analysis.EventsRequest{Entity: ref(trailhound.AwsUser, analysistest.AliceID), Source: trailhound.SourceVPCFlow}, trailhound.EINVALID, "entity"},
		{analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Source: "syslog"}, trailhound.EINVALID, "source"},
		{analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Filters: map[string]string{"localPort": "x"}}, trailhound.EINVALID, "localPort"},
		{analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Filters: map[string]string{"sort": "inbound"}}, trailhound.EINVALID, "sort"},
		{analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, "i-0000000000000000f")}, trailhound.ENOTFOUND, "i-0000000000000000f"},
	} {
		if _, err := eng.Events(context.Background(), c.req); trailhound.ErrorCode(err) != c.code || !strings.Contains(trailhound.ErrorMessage(err), c.names) {
			t.Errorf("%+v: %v, want %s naming %q", c.req, err, c.code, c.names)
		}
	}
}

// TestFindingEvents reads the GuardDuty JSON behind findings: every
// version of a finding, and the latest versions of an entity's findings.
func TestFindingEvents(t *testing.T) {
	eng := newEngine(t)
	ctx := context.Background()
	var versions []string
	for _, f := range analysistest.Incident {
		if strings.Contains(f.Path, "/GuardDuty/") {
			versions = append(versions, strings.TrimSpace(f.Content))
		}
	}
	read := func(req analysis.EventsRequest) ([]string, *analysis.EventStream) {
		stream, err := eng.Events(ctx, req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		var out []string
		if err := stream.EachFinding(ctx, func(r *analysis.FindingRecord) error {
			out = append(out, string(r.Raw))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out, stream
	}
	got, stream := read(analysis.EventsRequest{Entity: ref(trailhound.FindingEntity, analysistest.FindingID)})
	if diff := cmp.Diff(versions, got); diff != "" || stream.Source != trailhound.SourceGuardDuty {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	got, _ = read(analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Source: trailhound.SourceGuardDuty, Start: day.Start, End: day.End})
	if diff := cmp.Diff(versions[1:], got); diff != "" {
		t.Errorf("instance findings (-want +got):\n%s", diff)
	}
	got, _ = read(analysis.EventsRequest{Entity: ref(trailhound.IPAddress, "198.51.100.77"), Source: trailhound.SourceGuardDuty,
		Start: unix("2026-11-01T11:31:00Z"), End: unix("2026-11-01T12:00:00Z")})
	if len(got) != 0 {
		t.Errorf("findings after the last observation: %q", got)
	}
	if _, err := eng.Events(ctx, analysis.EventsRequest{Entity: ref(trailhound.Ec2Instance, analysistest.InstanceID), Source: trailhound.SourceGuardDuty,
		Filters: map[string]string{"severity": "8"}}); trailhound.ErrorCode(err) != trailhound.EINVALID || !strings.Contains(err.Error(), "severity") {
		t.Errorf("filter on findings: %v", err)
	}
	if stream, err := eng.Events(ctx, analysis.EventsRequest{Entity: ref(trailhound.FindingEntity, analysistest.FindingID)}); err != nil ||
		stream.Each(ctx, func(*trailhound.APICall) error { return nil }) == nil {
		t.Errorf("a finding stream read as CloudTrail: %v", err)
	}
}
