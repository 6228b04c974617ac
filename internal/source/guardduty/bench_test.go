package guardduty

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/trailhound/trailhound"
)

// BenchmarkDecode measures findings per second for an S3 export made of
// the sample findings, repeated.
func BenchmarkDecode(b *testing.B) {
	sample, err := os.ReadFile("testdata/elastic-sample-findings.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat(sample, 250) // 1000 findings
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	sink := sinkFunc(func(*trailhound.Finding) error { n++; return nil })
	for b.Loop() {
		if err := (Decoder{}).Decode(context.Background(), "bench", bytes.NewReader(data), sink); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "findings/s")
}
