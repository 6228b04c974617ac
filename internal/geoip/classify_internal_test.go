package geoip

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// referenceClass classifies with netip.Prefix.Contains over the tables as
// written, to check the integer masks that classifyAddr uses.
func referenceClass(a netip.Addr) Class {
	if a.Is4() {
		for _, s := range specialIPv4 {
			if s.prefix.Contains(a) {
				return s.class
			}
		}
		return Public
	}
	if v4, ok := embeddedIPv4(a); ok {
		return referenceClass(v4)
	}
	for _, s := range specialIPv6 {
		if s.prefix.Contains(a) {
			return s.class
		}
	}
	return Reserved
}

func TestMaskTablesMatchPrefixes(t *testing.T) {
	var addrs []netip.Addr
	for _, s := range append(specialIPv4[:len(specialIPv4):len(specialIPv4)], specialIPv6...) {
		first := s.prefix.Masked().Addr()
		last := netipLast(s.prefix)
		addrs = append(addrs, first, last, first.Prev(), last.Next())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50_000 {
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		addrs = append(addrs, netip.AddrFrom16(b), netip.AddrFrom4([4]byte(b[:4])))
		// Bias towards the sparse special regions of IPv6.
		b[0] = []byte{0x00, 0x01, 0x20, 0x3f, 0x5f, 0xfc, 0xfd, 0xfe, 0xff}[rng.IntN(9)]
		addrs = append(addrs, netip.AddrFrom16(b))
	}
	for _, a := range addrs {
		if !a.IsValid() {
			continue
		}
		a = a.Unmap()
		if got, want := classifyAddr(a), referenceClass(a); got != want {
			t.Errorf("classifyAddr(%v) = %v, reference %v", a, got, want)
		}
	}
}

func netipLast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(b)
	return last
}
