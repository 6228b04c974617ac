package geoip_test

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/geoip/geoiptest"
)

// publicAddrs returns n distinct-enough public addresses, a quarter IPv6,
// the same on every run.
func publicAddrs(n int) []netip.Addr {
	rng := rand.New(rand.NewPCG(1, 2))
	addrs := make([]netip.Addr, 0, n)
	for len(addrs) < n {
		var a netip.Addr
		if len(addrs)%4 == 3 {
			var b [16]byte
			b[0] = 0x20 | byte(rng.IntN(16))
			for i := 1; i < 16; i++ {
				b[i] = byte(rng.Uint32())
			}
			a = netip.AddrFrom16(b)
		} else {
			v := rng.Uint32()
			a = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		}
		if geoip.ClassOf(a) == geoip.Public {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// BenchmarkLookup measures lookups answered from the cache and lookups that
// read the databases, against the fixtures and, when scripts/fetch-geoip.sh
// has run, against the real databases.
func BenchmarkLookup(b *testing.B) {
	b.Run("fixtures", func(b *testing.B) {
		benchmarkLookup(b, func(tb testing.TB, cacheSize int) *geoip.Reader {
			cfg := fixtures(tb, geoiptest.Flat)
			cfg.CacheSize = cacheSize
			return open(tb, cfg)
		})
	})
	b.Run("real", func(b *testing.B) {
		benchmarkLookup(b, func(tb testing.TB, cacheSize int) *geoip.Reader {
			cfg := geoip.DefaultConfig(realDir())
			openReal(tb).Close() // skips when the files are absent
			cfg.CacheSize = cacheSize
			return open(tb, cfg)
		})
	})
}

func benchmarkLookup(b *testing.B, openReader func(tb testing.TB, cacheSize int) *geoip.Reader) {
	addrs := publicAddrs(1 << 16)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	}
	b.Run("cached", func(b *testing.B) {
		r := openReader(b, len(addrs)*2)
		hot := addrs[:4096]
		for _, a := range hot {
			r.Lookup(a)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			r.Lookup(hot[i%len(hot)])
		}
		report(b)
	})
	b.Run("cached-parallel", func(b *testing.B) {
		r := openReader(b, len(addrs)*2)
		hot := addrs[:4096]
		for _, a := range hot {
			r.Lookup(a)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(hot))
			for pb.Next() {
				r.Lookup(hot[i%len(hot)])
				i++
			}
		})
		report(b)
	})
	b.Run("uncached", func(b *testing.B) {
		// A cache far smaller than the address set: nearly every lookup
		// reads the databases.
		r := openReader(b, 1)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			r.Lookup(addrs[i%len(addrs)])
		}
		report(b)
		if s := r.Stats(); s.Hits*100 > s.Lookups {
			b.Errorf("%d of %d lookups hit the cache", s.Hits, s.Lookups)
		}
	})
}

// BenchmarkClassify measures classification of the strings CloudTrail
// records, which happens for every event before any cache.
func BenchmarkClassify(b *testing.B) {
	inputs := []string{"52.94.236.248", "10.0.1.25", "2a05:d018:1234::1", "ec2.amazonaws.com", "AWS Internal", "192.0.2.1"}
	for i := 0; b.Loop(); i++ {
		geoip.Classify(inputs[i%len(inputs)])
	}
}
