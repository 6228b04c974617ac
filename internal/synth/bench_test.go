package synth

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// discard is a Writer that drops objects, so benchmarks measure generation.
type discard struct{}

func (discard) Put(_ context.Context, _ string, r io.Reader, _ int64) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGenerate measures generation at the large scale, one day (a
// Monday, so with people at work) per iteration, writing to a sink that
// discards. It reports CloudTrail events and flow records per second of
// wall time, and events per CPU-second, which does not depend on what else
// the machine is doing.
func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Seed: 7, Days: 1, Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), EventsPerDay: ScaleLarge}
	var events, flows int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr, err := Generate(context.Background(), cfg, discard{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		events += tr.Totals.CloudTrailEvents
		flows += tr.Totals.FlowRecords
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/sec, "events/s")
	b.ReportMetric(float64(flows)/sec, "flows/s")
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(events)/cpu, "events/cpu-s")
	}
}
