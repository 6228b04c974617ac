package geoip

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Class says what kind of thing a source address is, and so whether it can
// be geolocated at all. Only Public addresses are looked up in databases.
type Class uint8

// The classes of source addresses. The zero value is Invalid, so a zero Info
// never claims to be a usable address.
const (
	// Invalid is anything that is neither an address nor an AWS service
	// name: an empty string, a masked address such as "30.*.0.210", a
	// hostname outside AWS, a zoned IPv4 address.
	Invalid Class = iota
	// Public is a globally routable unicast address.
	Public
	// Private is an address of a private network: RFC 1918 (10/8,
	// 172.16/12, 192.168/16), shared address space for carrier-grade NAT
	// (100.64/10), IPv6 unique local addresses (fc00::/7) and the local-use
	// IPv4/IPv6 translation prefix (64:ff9b:1::/48).
	Private
	// Loopback is 127/8 or ::1.
	Loopback
	// LinkLocal is 169.254/16 (where EC2 instance metadata lives) or
	// fe80::/10.
	LinkLocal
	// Reserved is any other special-purpose or unallocated address:
	// "this network" (0/8), IETF protocol assignments, the documentation
	// ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32,
	// 3fff::/20), benchmarking, multicast, 240/4, the broadcast address,
	// and IPv6 space outside 2000::/3 that has no other class. AWS
	// documentation samples use the documentation ranges heavily; those
	// addresses are Reserved, never Public, so sample data is not
	// geolocated to wherever a database happens to put them.
	Reserved
	// AWSService is a request made by an AWS service on a principal's
	// behalf, which CloudTrail records as the service's DNS name
	// ("ec2.amazonaws.com") or as "AWS Internal".
	AWSService
)

var classNames = [...]string{
	Invalid:    "invalid",
	Public:     "public",
	Private:    "private",
	Loopback:   "loopback",
	LinkLocal:  "link-local",
	Reserved:   "reserved",
	AWSService: "aws-service",
}

// String returns the class's stable lower-case name, as used in JSON.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", c)
}

// MarshalText encodes the class as its name.
func (c Class) MarshalText() ([]byte, error) {
	if int(c) >= len(classNames) {
		return nil, fmt.Errorf("geoip: unknown class %d", c)
	}
	return []byte(classNames[c]), nil
}

// UnmarshalText decodes a class from its name.
func (c *Class) UnmarshalText(b []byte) error {
	for i, name := range classNames {
		if string(b) == name {
			*c = Class(i)
			return nil
		}
	}
	return fmt.Errorf("geoip: unknown class %q", b)
}

// Classify tells what a source address string, as CloudTrail records it in
// sourceIPAddress, denotes. The string is taken as it is: surrounding
// spaces, brackets, ports or trailing dots make it Invalid. IPv4-mapped IPv6
// addresses are classified as the IPv4 address they carry, zones are
// ignored, and addresses that embed an IPv4 address (NAT64 64:ff9b::/96,
// 6to4 2002::/16, Teredo 2001::/32) take the class of that address.
func Classify(s string) Class {
	if a, ok := Canonical(s); ok {
		return classifyAddr(a)
	}
	if isAWSService(s) {
		return AWSService
	}
	return Invalid
}

// Canonical parses s as an IP address and returns its canonical form:
// IPv4-mapped IPv6 addresses become IPv4, and any zone is dropped. The
// canonical form is what entity IDs and cache keys use, so that
// "::ffff:198.51.100.7" and "198.51.100.7" are one address. It reports
// false for anything that is not an address, including AWS service names.
func Canonical(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// ClassOf classifies an address that is already parsed, with the same rules
// as Classify.
func ClassOf(a netip.Addr) Class {
	if !a.IsValid() {
		return Invalid
	}
	return classifyAddr(a.WithZone("").Unmap())
}

// special is one row of the special-purpose address tables.
type special struct {
	prefix netip.Prefix
	class  Class
}

func sp(prefix string, class Class) special {
	return special{netip.MustParsePrefix(prefix), class}
}

// specialIPv4 follows the IANA IPv4 Special-Purpose Address Registry, plus
// multicast (224/4, RFC 5771) and the reserved 240/4. Ranges the registry
// marks globally reachable (AS112 192.31.196/24 and 192.175.48/24, AMT
// 192.52.193/24) are left Public. The first matching row wins.
var specialIPv4 = []special{
	sp("0.0.0.0/8", Reserved),       // "this network" (RFC 791)
	sp("10.0.0.0/8", Private),       // RFC 1918
	sp("100.64.0.0/10", Private),    // shared address space, carrier-grade NAT (RFC 6598)
	sp("127.0.0.0/8", Loopback),     // RFC 1122
	sp("169.254.0.0/16", LinkLocal), // RFC 3927
	sp("172.16.0.0/12", Private),    // RFC 1918
	sp("192.0.0.0/24", Reserved),    // IETF protocol assignments (RFC 6890); its anycast /32s are no location either
	sp("192.0.2.0/24", Reserved),    // TEST-NET-1, documentation (RFC 5737)
	sp("192.88.99.0/24", Reserved),  // deprecated 6to4 relay anycast (RFC 7526)
	sp("192.168.0.0/16", Private),   // RFC 1918
	sp("198.18.0.0/15", Reserved),   // benchmarking (RFC 2544)
	sp("198.51.100.0/24", Reserved), // TEST-NET-2, documentation (RFC 5737)
	sp("203.0.113.0/24", Reserved),  // TEST-NET-3, documentation (RFC 5737)
	sp("224.0.0.0/4", Reserved),     // multicast (RFC 5771)
	sp("240.0.0.0/4", Reserved),     // reserved (RFC 1112), includes 255.255.255.255
}

// specialIPv6 follows the IANA IPv6 Special-Purpose Address Registry and
// the IPv6 Address Space registry: outside 2000::/3, fc00::/7, fe80::/10 and
// ff00::/8 everything is reserved by the IETF, which covers the unspecified
// address, IPv4-compatible addresses, discard-only 100::/64, SRv6 5f00::/16
// and the deprecated site-local fec0::/10. Prefixes that embed an IPv4
// address are resolved through that address before this table is read. The
// first matching row wins, so more specific rows come first.
var specialIPv6 = []special{
	sp("::1/128", Loopback),       // RFC 4291
	sp("64:ff9b:1::/48", Private), // local-use IPv4/IPv6 translation (RFC 8215)
	sp("2001:3::/32", Public),     // AMT, globally reachable (RFC 7450)
	sp("2001:4:112::/48", Public), // AS112-v6, globally reachable (RFC 7535)
	sp("2001::/23", Reserved),     // IETF protocol assignments (RFC 2928): benchmarking, ORCHIDv2, DRIP, anycast services
	sp("2001:db8::/32", Reserved), // documentation (RFC 3849)
	sp("3fff::/20", Reserved),     // documentation (RFC 9637)
	sp("2000::/3", Public),        // global unicast
	sp("fc00::/7", Private),       // unique local (RFC 4193)
	sp("fe80::/10", LinkLocal),    // RFC 4291
}

// The tables as integer masks, so that classifying an address (done for
// every event, before any cache) is a few comparisons per row.
var (
	masks4 = maskTable(specialIPv4, func(a netip.Addr) uint64 {
		b := a.As4()
		return uint64(binary.BigEndian.Uint32(b[:]))
	})
	masks6 = maskTable(specialIPv6, func(a netip.Addr) uint64 {
		b := a.As16()
		return binary.BigEndian.Uint64(b[:8])
	})
	ipv6Loopback = netip.IPv6Loopback()
)

type masked struct {
	base, mask uint64
	class      Class
}

// maskTable turns prefixes into base/mask pairs over the value bits gives:
// the whole IPv4 address, or the upper 64 bits of an IPv6 address. Every
// IPv6 row but ::1/128, which classifyAddr tests first, is /64 or shorter.
func maskTable(rows []special, bits func(netip.Addr) uint64) []masked {
	var out []masked
	for _, r := range rows {
		width := r.prefix.Addr().BitLen()
		if width == 128 {
			width = 64
		}
		if r.prefix.Bits() > width {
			if r.prefix != netip.PrefixFrom(netip.IPv6Loopback(), 128) {
				panic("geoip: special-purpose row " + r.prefix.String() + " is longer than /64")
			}
			continue
		}
		mask := ^uint64(0) << (width - r.prefix.Bits()) & (^uint64(0) >> (64 - width))
		out = append(out, masked{base: bits(r.prefix.Masked().Addr()), mask: mask, class: r.class})
	}
	return out
}

// classifyAddr classifies a valid canonical address (unmapped, no zone).
func classifyAddr(a netip.Addr) Class {
	if a.Is4() {
		b := a.As4()
		v := uint64(binary.BigEndian.Uint32(b[:]))
		for _, m := range masks4 {
			if v&m.mask == m.base {
				return m.class
			}
		}
		return Public
	}
	if v4, ok := embeddedIPv4(a); ok {
		return classifyAddr(v4)
	}
	if a == ipv6Loopback {
		return Loopback
	}
	b := a.As16()
	hi := binary.BigEndian.Uint64(b[:8])
	for _, m := range masks6 {
		if hi&m.mask == m.base {
			return m.class
		}
	}
	// Multicast ff00::/8 and everything outside the rows above.
	return Reserved
}

var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix
	sixToFour    = netip.MustParsePrefix("2002::/16")    // RFC 3056
	teredoPrefix = netip.MustParsePrefix("2001::/32")    // RFC 4380
)

// embeddedIPv4 returns the IPv4 address that an IPv6 address stands for
// when it is a NAT64 address of the well-known prefix, a 6to4 address or a
// Teredo address (whose client address is stored inverted). Such addresses
// are classified and located as that IPv4 address: a client behind NAT64 or
// a tunnel is where its IPv4 address is.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64Prefix.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case teredoPrefix.Contains(a):
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), true
	}
	return netip.Addr{}, false
}

// lookupAddr is the address whose database records describe a: the
// embedded IPv4 address where there is one, a itself otherwise.
func lookupAddr(a netip.Addr) netip.Addr {
	if a.Is6() {
		if v4, ok := embeddedIPv4(a); ok {
			return v4
		}
	}
	return a
}

// isAWSService reports whether s is how CloudTrail names an AWS service as
// the caller: "AWS Internal", or a DNS name under amazonaws.com (or
// amazonaws.com.cn in the China partition) made of valid labels.
func isAWSService(s string) bool {
	if strings.EqualFold(s, "AWS Internal") {
		return true
	}
	if len(s) > 253 {
		return false
	}
	for _, suffix := range [...]string{".amazonaws.com", ".amazonaws.com.cn"} {
		if len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
			return validLabels(s[:len(s)-len(suffix)])
		}
	}
	return false
}

// validLabels reports whether s is a dot-separated sequence of DNS labels
// of letters, digits and inner hyphens, each 1 to 63 bytes long.
func validLabels(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
