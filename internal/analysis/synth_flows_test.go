package analysis_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// readGeneratedFiles returns the decompressed content of every file under
// dir whose path contains part, by path relative to dir.
func readGeneratedFiles(t *testing.T, dir, part string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !strings.Contains(filepath.ToSlash(p), part) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSyntheticFlows checks the flow details, the service ports and the
// flow records of every instance of a generated organization and of the
// addresses its attack scenarios name, against the generated flow log
// files read by the test; and the related findings of every generated
// finding against the intersections of their entity lists.
func TestSyntheticFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	logs, truth, st, arch := analysistest.Organization(t, synth.Config{Seed: 11, Days: 2, Start: start, EventsPerDay: 2000, FlowsPerDay: 8000, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})

	var lines []analysistest.FlowLine
	for path, content := range readGeneratedFiles(t, logs, "/vpcflowlogs/") {
		lines = append(lines, analysistest.ParseFlowLog(path, content)...)
	}
	if int64(len(lines)) != truth.Totals.FlowRecords {
		t.Fatalf("read %d flow records, generated %d", len(lines), truth.Totals.FlowRecords)
	}
	refs := map[trailhound.EntityRef]bool{}
	// The lines that may concern each entity, so that the expected
	// numbers of one entity do not look at every line.
	byEntity := map[string][]analysistest.FlowLine{}
	for _, l := range lines {
		seen := map[string]bool{}
		for _, e := range []string{"Ec2Instance/" + l.Get("instance-id"), "IpAddress/" + canonicalIP(l.Get("srcaddr")), "IpAddress/" + canonicalIP(l.Get("dstaddr"))} {
			if !seen[e] {
				seen[e] = true
				byEntity[e] = append(byEntity[e], l)
			}
		}
		if id := l.Get("instance-id"); id != "" {
			refs[trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: id}] = true
		}
	}
	for _, s := range truth.Scenarios {
		for _, e := range s.Entities {
			if r, ok := trailhound.ParseEntityRef(e); ok && (r.Type == trailhound.IPAddress || r.Type == trailhound.Ec2Instance) {
				refs[r] = true
			}
		}
	}
	var list []trailhound.EntityRef
	for r := range refs {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].String() < list[j].String() })

	second := trailhound.Scope{Start: start.Unix() + 86400, End: start.Unix() + 2*86400}
	span := trailhound.Scope{Start: start.Unix(), End: start.Unix() + 2*86400}
	checked, withTraffic := 0, 0
	for i, e := range list {
		if _, err := eng.Entity(ctx, e); trailhound.ErrorCode(err) == trailhound.ENOTFOUND {
			continue // named by a scenario, never seen in the data
		}
		scopes := []trailhound.Scope{span}
		if i%4 == 0 {
			scopes = append(scopes, second)
		}
		for _, s := range scopes {
			d := flowDetails(t, eng, e, s, map[string]string{"limit": "10000"})
			wantRows, wantTotals, wantNoData := expectedDetails(byEntity[e.String()], e, s, nil)
			if diff := cmp.Diff(wantRows, rowsByKey(d.Rows)); diff != "" {
				t.Errorf("%s %+v rows (-want +got):\n%s", e, s, diff)
			}
			if d.Totals != wantTotals || d.NoData != wantNoData {
				t.Errorf("%s %+v: totals %+v (%d without traffic), want %+v (%d)", e, s, d.Totals, d.NoData, wantTotals, wantNoData)
			}
			v := flowVolume(t, eng, e, s)
			if v.Totals.Inbound != d.Totals.InboundBytes || v.Totals.Outbound != d.Totals.OutboundBytes {
				t.Errorf("%s %+v: volume %+v, details %+v", e, s, v.Totals, d.Totals)
			}
			checked++
			if d.Totals.Records > 0 {
				withTraffic++
			}
		}
		// Service ports on the second day, with the first in the baseline.
		got, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelVPCFlowServicePorts, Start: second.Start, End: second.End})
		if err != nil {
			t.Fatal(err)
		}
		p := got.(*analysis.VPCFlowServicePorts)
		base := second.Baseline(eng.Baseline())
		type sums struct{ in, out, baseIn, baseOut int64 }
		want := map[int64]*sums{}
		counted := analysistest.CountedSides(byEntity[e.String()], e.String())
		for i := range byEntity[e.String()] {
			for _, s := range counted[i] {
				port := s.LocalPort
				if port <= 0 || (s.RemotePort > 0 && s.RemotePort < port) {
					port = s.RemotePort
				}
				if s.Protocol != 6 && s.Protocol != 17 && s.Protocol != 132 || !listedPort(port) {
					port = -1
				}
				if want[port] == nil {
					want[port] = &sums{}
				}
				w := want[port]
				switch {
				case s.Hour >= second.Start && s.Hour < second.End && s.Inbound:
					w.in += s.Bytes
				case s.Hour >= second.Start && s.Hour < second.End:
					w.out += s.Bytes
				case s.Hour >= base.Start && s.Hour < base.End && s.Inbound:
					w.baseIn += s.Bytes
				case s.Hour >= base.Start && s.Hour < base.End:
					w.baseOut += s.Bytes
				}
			}
		}
		for _, f := range append(p.Ports, p.Other) {
			port := f.Port
			if f.Service == "other" {
				port = -1
			}
			w := want[port]
			if w == nil {
				w = &sums{}
			}
			if f.Inbound != w.in || f.Outbound != w.out || f.BaselineInbound != w.baseIn || f.BaselineOutbound != w.baseOut ||
				f.BaselineAverageInbound != float64(w.baseIn)/p.BaselineBuckets {
				t.Errorf("%s port %d: %+v, want %+v", e, f.Port, f, *w)
			}
		}
	}
	if checked < 15 || withTraffic < 10 {
		t.Errorf("only %d views checked, %d with traffic", checked, withTraffic)
	}

	// The records of the busiest instance are the lines of the files.
	var busiest trailhound.EntityRef
	var most int
	for _, e := range list {
		if n := len(byEntity[e.String()]); e.Type == trailhound.Ec2Instance && n > most {
			busiest, most = e, n
		}
	}
	records, _ := flowEvents(t, eng, busiest, span, nil)
	var want, got []string
	counted := analysistest.CountedSides(byEntity[busiest.String()], busiest.String())
	for i, l := range byEntity[busiest.String()] {
		for range counted[i] {
			want = append(want, l.Text)
		}
	}
	for _, r := range records {
		got = append(got, r.Record)
	}
	sort.Strings(want)
	sort.Strings(got)
	if len(want) < 100 || !cmp.Equal(want, got) {
		t.Errorf("%s: %d records read, %d in the files", busiest, len(got), len(want))
	}

	// The CloudTrail records of every account, read back from many
	// objects decoded side by side, come in time order.
	calls := readGenerated(t, logs)
	sort.SliceStable(calls, func(i, j int) bool {
		if !calls[i].Time.Equal(calls[j].Time) {
			return calls[i].Time.Before(calls[j].Time)
		}
		return calls[i].EventID < calls[j].EventID
	})
	for _, a := range truth.Accounts {
		acct := trailhound.EntityRef{Type: trailhound.AwsAccount, ID: a.ID}
		var want, got []string
		for _, r := range calls {
			if u := r.Time.Unix(); u >= span.Start && u < span.End && attributed(r, acct) {
				want = append(want, r.EventID)
			}
		}
		stream, err := eng.Events(ctx, analysis.EventsRequest{Entity: acct, Start: span.Start, End: span.End})
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Each(ctx, func(c *trailhound.APICall) error { got = append(got, c.EventID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(want, got) {
			t.Errorf("%s: %d records streamed, %d expected", acct, len(got), len(want))
		}
	}

	// Related findings are the findings sharing an entity that relates.
	var ids []string
	for _, content := range readGeneratedFiles(t, logs, "/GuardDuty/") {
		sc := bufio.NewScanner(strings.NewReader(content))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var f struct{ ID string }
			if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, f.ID)
		}
	}
	entities := map[string][]string{}
	named := map[string]map[string]bool{}
	answers := map[string]*analysis.Finding{}
	for _, id := range ids {
		if entities[id] != nil {
			continue
		}
		f, err := eng.Finding(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		answers[id] = f
		entities[id] = []string{}
		for _, e := range f.Entities {
			k := string(e.Type) + "/" + e.ID
			entities[id] = append(entities[id], k)
			if named[k] == nil {
				named[k] = map[string]bool{}
			}
			named[k][id] = true
		}
	}
	relatedChecked := 0
	for id, ents := range entities {
		want := map[string][]string{}
		for _, k := range ents {
			if strings.HasPrefix(k, "AwsAccount/") || len(named[k]) > analysis.MaxFindingsPerSharedEntity {
				continue
			}
			for other := range named[k] {
				if other != id {
					want[other] = append(want[other], k)
				}
			}
		}
		f := answers[id]
		got := map[string][]string{}
		for i, r := range f.Related {
			for _, s := range r.Shared {
				got[r.ID] = append(got[r.ID], string(s.Type)+"/"+s.ID)
			}
			if i > 0 && (r.Severity > f.Related[i-1].Severity || r.Severity == f.Related[i-1].Severity && r.LastSeen > f.Related[i-1].LastSeen) {
				t.Errorf("%s: related out of order at %d", id, i)
			}
		}
		for k := range want {
			sort.Strings(want[k])
		}
		if f.RelatedTotal != len(want) || (!f.RelatedTruncated && !cmp.Equal(want, got, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }))) {
			t.Errorf("%s: related %v (total %d), want %v", id, got, f.RelatedTotal, want)
		}
		relatedChecked += len(want)
	}
	if len(entities) < 5 || relatedChecked == 0 {
		t.Errorf("%d findings, %d related pairs checked", len(entities), relatedChecked)
	}
}

func canonicalIP(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}
