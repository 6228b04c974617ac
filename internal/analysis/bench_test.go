package analysis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// BenchmarkQueries times the engine's questions on a generated week of a
// mid-size organization (350,000 events), for the busiest account and
// principal: a first look at where the time goes, not the issue's
// 100M-event benchmark.
func BenchmarkQueries(b *testing.B) {
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(b, synth.Config{Seed: 3, Days: 7, Start: start, EventsPerDay: 50_000, FlowsPerDay: 10_000})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	top := func(ns trailhound.Namespace) trailhound.EntityRef {
		res, err := eng.Search(ctx, analysis.SearchRequest{Type: ns, Limit: 1})
		if err != nil || len(res.Results) == 0 {
			b.Fatalf("no %s: %v", ns, err)
		}
		return trailhound.EntityRef{Type: ns, ID: res.Results[0].ID}
	}
	account, role, ip := top(trailhound.AwsAccount), top(trailhound.AwsRole), top(trailhound.IPAddress)
	week := trailhound.Scope{Start: start.Unix(), End: start.Add(7 * 24 * time.Hour).Unix()}
	odd := trailhound.Scope{Start: week.Start + 60, End: week.End - 60}
	cases := []struct {
		name string
		run  func() error
	}{
		{"search/list-ips", func() error {
			_, err := eng.Search(ctx, analysis.SearchRequest{Type: trailhound.IPAddress})
			return err
		}},
		{"search/pattern", func() error { _, err := eng.Search(ctx, analysis.SearchRequest{Q: "*admin*"}); return err }},
		{"search/cidr", func() error { _, err := eng.Search(ctx, analysis.SearchRequest{Q: "10.0.0.0/8"}); return err }},
		{"entity/account", func() error { _, err := eng.Entity(ctx, account); return err }},
		{"summary/default", func() error { _, err := eng.Summary(ctx, analysis.SummaryRequest{}); return err }},
		{"summary/minutes", func() error {
			_, err := eng.Summary(ctx, analysis.SummaryRequest{Start: odd.End - 86400, End: odd.End})
			return err
		}},
		{"usage", func() error { _, err := eng.Usage(ctx); return err }},
	}
	for _, e := range []trailhound.EntityRef{account, role, ip} {
		for _, sc := range []struct {
			name  string
			scope trailhound.Scope
		}{{"hours", week}, {"minutes", odd}} {
			cases = append(cases, struct {
				name string
				run  func() error
			}{"api-call-volume/" + string(e.Type) + "/" + sc.name, func() error {
				_, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelAPICallVolume, Start: sc.scope.Start, End: sc.scope.End})
				return err
			}})
		}
		cases = append(cases, struct {
			name string
			run  func() error
		}{"activity-details/" + string(e.Type), func() error {
			_, err := eng.Panel(ctx, analysis.PanelRequest{Entity: e, Panel: analysis.PanelActivityDetails, Start: week.Start, End: week.End})
			return err
		}})
	}
	// The flow panels of the instance with the most flow records.
	var instance string
	if err := st.DB().QueryRowContext(ctx, `SELECT instance_id FROM flows WHERE instance_key <> 0 GROUP BY 1 ORDER BY sum(records) DESC LIMIT 1`).Scan(&instance); err != nil {
		b.Fatal(err)
	}
	inst := trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instance}
	day := trailhound.Scope{Start: week.End - 86400, End: week.End}
	for _, p := range []struct {
		name   string
		scope  trailhound.Scope
		params map[string]string
	}{
		{analysis.PanelVPCFlowVolume + "/week", week, nil},
		{analysis.PanelVPCFlowDetails + "/day", day, nil},
		{analysis.PanelVPCFlowDetails + "/week", week, nil},
		{analysis.PanelVPCFlowDetails + "/week-filtered", week, map[string]string{"direction": "inbound", "protocol": "tcp"}},
		{analysis.PanelVPCFlowServicePorts + "/week", week, nil},
	} {
		panel, _, _ := strings.Cut(p.name, "/")
		cases = append(cases, struct {
			name string
			run  func() error
		}{p.name, func() error {
			_, err := eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: panel, Start: p.scope.Start, End: p.scope.End, Params: p.params})
			return err
		}})
	}
	// The finding naming the most entities, with its related findings.
	var finding string
	if err := st.DB().QueryRowContext(ctx, `SELECT n.id FROM edges r JOIN entities n ON n.key = r.src AND n.namespace = 'Finding'
WHERE r.kind = 'finding_involves' GROUP BY n.id ORDER BY count(DISTINCT r.dst) DESC, n.id LIMIT 1`).Scan(&finding); err != nil {
		b.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		run  func() error
	}{"finding/related", func() error { _, err := eng.Finding(ctx, finding); return err }})
	b.ResetTimer()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
