package vpcflow

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
)

// benchInput builds n realistic records: the default format, or, with a
// header, all fields of version 5.
func benchInput(n int, header bool) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	if header {
		b.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status " +
			"vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id " +
			"pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path\n")
	}
	actions := []string{"ACCEPT", "REJECT"}
	for i := range n {
		src := fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256))
		dst := fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), r.IntN(256))
		start := 1700000000 + i/100
		fmt.Fprintf(&b, "2 123456789012 eni-0%016x %s %s %d %d 6 %d %d %d %d %s OK",
			r.Uint64()>>2, src, dst, 1024+r.IntN(60000), []int{22, 80, 443, 3389}[r.IntN(4)],
			1+r.IntN(500), 40+r.IntN(900000), start, start+60, actions[r.IntN(2)])
		if header {
			fmt.Fprintf(&b, " vpc-0%016x subnet-0%016x i-0%016x %d IPv4 %s %s us-east-1 use1-az2 - - - AMAZON egress 8",
				r.Uint64()>>2, r.Uint64()>>2, r.Uint64()>>2, r.IntN(32), src, dst)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

type discardSink struct{ n int }

func (d *discardSink) APICall(*trailhound.APICall) error { return nil }
func (d *discardSink) Finding(*trailhound.Finding) error { return nil }
func (d *discardSink) Flow(*trailhound.Flow) error       { d.n++; return nil }

// BenchmarkDecode measures records per second on one core; the goal is at
// least three million for the default format.
func BenchmarkDecode(b *testing.B) {
	const lines = 100_000
	for _, bc := range []struct {
		name   string
		header bool
	}{{"default", false}, {"v5-all-fields", true}} {
		data := benchInput(lines, bc.header)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			sink := &discardSink{}
			r := bytes.NewReader(data)
			for b.Loop() {
				r.Reset(data)
				if err := (Decoder{}).Decode(context.Background(), "bench", r, sink); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sink.n)/b.Elapsed().Seconds(), "lines/s")
		})
	}
	env := strings.Repeat(`{"message":"2 123456789012 eni-0123456789abcdef0 10.0.0.1 198.51.100.2 40000 443 6 10 4000 1700000000 1700000060 ACCEPT OK"}`+"\n", 10_000)
	b.Run("json-envelope", func(b *testing.B) {
		b.SetBytes(int64(len(env)))
		sink := &discardSink{}
		for b.Loop() {
			if err := (Decoder{}).Decode(context.Background(), "bench", strings.NewReader(env), sink); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(sink.n)/b.Elapsed().Seconds(), "lines/s")
	})
}
