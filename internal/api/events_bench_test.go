package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/synth"
)

// discardWriter is a ResponseWriter that counts and drops the body, so
// the benchmark measures producing the stream, not storing it.
type discardWriter struct {
	h      http.Header
	status int
	n      int64
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	return io.Discard.Write(b)
}

// BenchmarkEventsStream measures /events, the raw records behind the
// numbers, on a generated day of an organization: the flow records of
// its busiest instance (re-read from the archived flow log objects),
// the CloudTrail events of its busiest account and the findings of the
// account most findings name, in each format. It reports records per
// second of wall-clock time and of the process's CPU time.
func BenchmarkEventsStream(b *testing.B) {
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, arch := analysistest.Organization(b, synth.Config{Seed: 5, Days: 1, Start: start, EventsPerDay: 100_000, FlowsPerDay: 400_000, Scenarios: synth.AllScenarios()})
	srv := api.New(analysis.New(st.DB(), analysis.Options{Archive: arch}), nil)
	var instance, account, findingAccount string
	if err := st.DB().QueryRowContext(ctx, `SELECT instance_id FROM flows WHERE instance_key <> 0 GROUP BY instance_id ORDER BY sum(records) DESC LIMIT 1`).Scan(&instance); err != nil {
		b.Fatal(err)
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT recipient_account FROM events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&account); err != nil {
		b.Fatal(err)
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT n.id FROM edges r JOIN entities n ON n.key = r.dst AND n.namespace = 'AwsAccount'
WHERE r.kind = 'finding_involves' GROUP BY n.id ORDER BY count(DISTINCT r.src) DESC, n.id LIMIT 1`).Scan(&findingAccount); err != nil {
		b.Fatal(err)
	}
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	scope := trailhound.Scope{Start: start.Unix(), End: start.Unix() + 86400}
	cases := []struct {
		name   string
		entity trailhound.EntityRef
		source trailhound.Source
		format string
	}{
		{"vpcflow/json", trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instance}, trailhound.SourceVPCFlow, "json"},
		{"vpcflow/ndjson", trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instance}, trailhound.SourceVPCFlow, "ndjson"},
		{"vpcflow/csv", trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: instance}, trailhound.SourceVPCFlow, "csv"},
		{"cloudtrail/json", trailhound.EntityRef{Type: trailhound.AwsAccount, ID: account}, trailhound.SourceCloudTrail, "json"},
		{"cloudtrail/csv", trailhound.EntityRef{Type: trailhound.AwsAccount, ID: account}, trailhound.SourceCloudTrail, "csv"},
		{"guardduty/ndjson", trailhound.EntityRef{Type: trailhound.AwsAccount, ID: findingAccount}, trailhound.SourceGuardDuty, "ndjson"},
	}
	for _, c := range cases {
		// The records of one answer, counted by the engine.
		sc := scope
		if c.source == trailhound.SourceGuardDuty {
			// Findings are observed over long periods: all of them.
			sc = trailhound.Scope{Start: scope.Start - 365*86400, End: scope.End + 365*86400}
		}
		stream, err := eng.Events(ctx, analysis.EventsRequest{Entity: c.entity, Source: c.source, Start: sc.Start, End: sc.End})
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		switch c.source {
		case trailhound.SourceVPCFlow:
			err = stream.EachFlow(ctx, func(*analysis.FlowRecord) error { n++; return nil })
		case trailhound.SourceGuardDuty:
			err = stream.EachFinding(ctx, func(*analysis.FindingRecord) error { n++; return nil })
		default:
			err = stream.Each(ctx, func(*trailhound.APICall) error { n++; return nil })
		}
		if err != nil || n == 0 {
			b.Fatalf("%s: %d records, %v", c.name, n, err)
		}
		q := url.Values{"entity": {c.entity.String()}, "source": {string(c.source)}, "format": {c.format},
			"scopeStart": {strconv.FormatInt(sc.Start, 10)}, "scopeEnd": {strconv.FormatInt(sc.End, 10)}}
		b.Run(c.name, func(b *testing.B) {
			var bytes int64
			cpu0 := cpuTime()
			for b.Loop() {
				w := &discardWriter{h: http.Header{}, status: 200}
				srv.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/events?"+q.Encode(), nil))
				if w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
				bytes += w.n
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			// Records per second of this process's CPU time, which other
			// processes on a shared machine do not distort; with two
			// cores, the wall-clock rate of an idle machine lies between
			// it and twice it.
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
			b.ReportMetric(float64(n), "records/op")
			b.SetBytes(bytes / int64(b.N))
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
