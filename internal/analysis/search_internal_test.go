package analysis

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// TestAddressTextFilter: every address inside a block passes the block's
// text filter (LIKE 'prefix%' or equality), and the filter is narrow.
func TestAddressTextFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	blocks := []string{"10.0.0.0/8", "10.1.0.0/16", "172.16.0.0/12", "192.168.4.0/22", "198.51.100.0/24", "198.51.100.128/25", "203.0.113.9/32", "128.0.0.0/9"}
	for _, b := range blocks {
		p := netip.MustParsePrefix(b)
		cond, args := addressTextFilter(p)
		if cond == "" {
			t.Fatalf("%s: no filter", b)
		}
		match := func(id string) bool {
			for _, a := range args {
				s := a.(string)
				if strings.HasSuffix(s, "%") && strings.HasPrefix(id, strings.TrimSuffix(s, "%")) || s == id {
					return true
				}
			}
			return false
		}
		in, out := 0, 0
		for range 20000 {
			var a [4]byte
			for i := range a {
				a[i] = byte(r.IntN(256))
			}
			// Half the addresses are drawn inside the block.
			addr := netip.AddrFrom4(a)
			if r.IntN(2) == 0 {
				base := p.Addr().As4()
				bits := p.Bits()
				for i := range 4 {
					keep := min(max(bits-8*i, 0), 8)
					mask := byte(0xff << (8 - keep))
					a[i] = base[i]&mask | a[i]&^mask
				}
				addr = netip.AddrFrom4(a)
			}
			id := addr.String()
			if p.Contains(addr) {
				in++
				if !match(id) {
					t.Fatalf("%s: %s is inside but fails %s %v", b, id, cond, args)
				}
			} else if match(id) {
				out++
			}
		}
		if in == 0 {
			t.Errorf("%s: no address drawn inside", b)
		}
		if p.Bits()%8 == 0 && out > 0 {
			t.Errorf("%s: %d addresses outside pass an exact octet filter", b, out)
		}
	}
	for _, b := range []string{"2001:db8::/32", "0.0.0.0/0", "10.0.0.0/7"} {
		if c, _ := addressTextFilter(netip.MustParsePrefix(b)); c != "" {
			t.Errorf("%s: filter %s, want none", b, c)
		}
	}
}

// TestGlob: the compiled shapes of a pattern agree with globMatch, and
// globMatch treats ? as one character (not one byte) and every other
// character literally.
func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*admin*", "arn:aws:iam::1:role/admin-x", true},
		{"*admin*", "adm", false},
		{"admin*", "admin", true},
		{"admin*", "xadmin", false},
		{"*admin", "role/admin", true},
		{"*admin", "admin/role", false},
		{"admin", "admin", true},
		{"admin", "admins", false},
		{"a?c", "abc", true},
		{"a?c", "aéc", true},
		{"a?c", "ac", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxcyyb", false},
		{"10.0.*.*", "10.0.3.4", true},
		{"10.0.*.*", "10.01.3", false},
		{"*", "", true},
		{"**", "x", true},
		{"%_", "%_", true},
		{"%_", "ab", false},
		{"é*", "éa", true},
		{"*?", "", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
		if got := compileGlob(c.pattern)(c.s); got != c.want {
			t.Errorf("compileGlob(%q)(%q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}
