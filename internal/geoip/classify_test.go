package geoip_test

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/trailhound/trailhound/internal/geoip"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want geoip.Class
	}{
		// IPv4 public.
		{"8.8.8.8", geoip.Public},
		{"52.94.236.248", geoip.Public},
		{"1.1.1.1", geoip.Public},
		{"100.63.255.255", geoip.Public},  // just below CGNAT
		{"100.128.0.0", geoip.Public},     // just above CGNAT
		{"172.15.255.255", geoip.Public},  // just below 172.16/12
		{"172.32.0.0", geoip.Public},      // just above 172.16/12
		{"192.31.196.1", geoip.Public},    // AS112, globally reachable
		{"192.175.48.6", geoip.Public},    // AS112 direct delegation
		{"192.0.1.255", geoip.Public},     // between 192.0.0/24 and 192.0.2/24
		{"198.20.0.1", geoip.Public},      // just above 198.18/15
		{"223.255.255.255", geoip.Public}, // last unicast before multicast
		// IPv4 private.
		{"10.0.0.1", geoip.Private},
		{"10.255.255.255", geoip.Private},
		{"172.16.0.1", geoip.Private},
		{"172.31.255.255", geoip.Private},
		{"192.168.1.1", geoip.Private},
		{"100.64.0.1", geoip.Private}, // CGNAT
		{"100.127.255.254", geoip.Private},
		// Loopback, link-local.
		{"127.0.0.1", geoip.Loopback},
		{"127.255.255.254", geoip.Loopback},
		{"169.254.169.254", geoip.LinkLocal}, // instance metadata
		{"169.254.0.1", geoip.LinkLocal},
		// IPv4 reserved.
		{"0.0.0.0", geoip.Reserved},
		{"0.1.2.3", geoip.Reserved},
		{"192.0.0.8", geoip.Reserved},
		{"192.0.2.1", geoip.Reserved},    // documentation, used in AWS samples
		{"198.51.100.7", geoip.Reserved}, // documentation
		{"203.0.113.12", geoip.Reserved}, // documentation
		{"198.18.0.1", geoip.Reserved},   // benchmarking
		{"198.19.255.255", geoip.Reserved},
		{"192.88.99.1", geoip.Reserved}, // deprecated 6to4 relay
		{"224.0.0.1", geoip.Reserved},   // multicast
		{"239.255.255.250", geoip.Reserved},
		{"240.0.0.1", geoip.Reserved},
		{"255.255.255.255", geoip.Reserved},
		// IPv6.
		{"2001:4860:4860::8888", geoip.Public},
		{"2a05:d018:1234::1", geoip.Public},
		{"2600:1f18::1", geoip.Public},
		{"2620:4f:8000::1", geoip.Public},
		{"2001:4:112::1", geoip.Public}, // AS112-v6
		{"2001:3::1", geoip.Public},     // AMT
		{"3ffe::1", geoip.Public},       // below 3fff::/20
		{"::1", geoip.Loopback},
		{"::", geoip.Reserved},
		{"fe80::1", geoip.LinkLocal},
		{"febf:ffff::1", geoip.LinkLocal},
		{"fd00:ec2::254", geoip.Private}, // instance metadata over IPv6
		{"fc00::1", geoip.Private},
		{"64:ff9b:1::1", geoip.Private},
		{"2001:db8::1", geoip.Reserved},
		{"2001:db8:ffff::1", geoip.Reserved},
		{"3fff::1", geoip.Reserved},
		{"3fff:fff::1", geoip.Reserved},
		{"ff02::1", geoip.Reserved},
		{"ff0e::1", geoip.Reserved},
		{"fec0::1", geoip.Reserved},
		{"100::1", geoip.Reserved},
		{"5f00::1", geoip.Reserved},
		{"2001:2::1", geoip.Reserved},  // benchmarking
		{"2001:20::1", geoip.Reserved}, // ORCHIDv2
		{"::1.2.3.4", geoip.Reserved},  // deprecated IPv4-compatible
		{"4000::1", geoip.Reserved},    // outside 2000::/3
		// IPv4-mapped and embedding addresses take the IPv4 address's class.
		{"::ffff:8.8.8.8", geoip.Public},
		{"::ffff:10.1.2.3", geoip.Private},
		{"::ffff:127.0.0.1", geoip.Loopback},
		{"::ffff:192.0.2.1", geoip.Reserved},
		{"::FFFF:C000:0201", geoip.Reserved},
		{"64:ff9b::808:808", geoip.Public},                     // NAT64 of 8.8.8.8
		{"64:ff9b::10.0.0.1", geoip.Private},                   // NAT64 of 10.0.0.1
		{"2002:808:808::1", geoip.Public},                      // 6to4 of 8.8.8.8
		{"2002:c0a8:101::1", geoip.Private},                    // 6to4 of 192.168.1.1
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", geoip.Public}, // Teredo client 8.8.8.8
		// Zones are ignored.
		{"fe80::1%eth0", geoip.LinkLocal},
		{"2001:4860:4860::8888%1", geoip.Public},
		{"::ffff:8.8.8.8%en0", geoip.Public},
		// AWS service names.
		{"ec2.amazonaws.com", geoip.AWSService},
		{"lambda.amazonaws.com", geoip.AWSService},
		{"ssm-guiconnect.amazonaws.com", geoip.AWSService},
		{"EC2.AmazonAWS.com", geoip.AWSService},
		{"ec2.amazonaws.com.cn", geoip.AWSService},
		{"s3.us-east-1.amazonaws.com", geoip.AWSService},
		{"AWS Internal", geoip.AWSService},
		{"aws internal", geoip.AWSService},
		// Invalid.
		{"", geoip.Invalid},
		{"30.*.0.210", geoip.Invalid},
		{"1.2.3", geoip.Invalid},
		{"1.2.3.4.5", geoip.Invalid},
		{"256.1.1.1", geoip.Invalid},
		{"01.2.3.4", geoip.Invalid}, // leading zero: octal or decimal?
		{" 8.8.8.8", geoip.Invalid},
		{"8.8.8.8 ", geoip.Invalid},
		{"8.8.8.8:443", geoip.Invalid},
		{"[::1]", geoip.Invalid},
		{"1.2.3.4%eth0", geoip.Invalid},
		{"fe80::1%", geoip.Invalid},
		{"10.0.0.0/8", geoip.Invalid},
		{"localhost", geoip.Invalid},
		{"example.com", geoip.Invalid},
		{"amazonaws.com", geoip.Invalid},
		{".amazonaws.com", geoip.Invalid},
		{"ec2..amazonaws.com", geoip.Invalid},
		{"-ec2.amazonaws.com", geoip.Invalid},
		{"ec2-.amazonaws.com", geoip.Invalid},
		{"ec2.amazonaws.com.", geoip.Invalid},
		{"evil.amazonaws.com.attacker.net", geoip.Invalid},
		{"ec2 .amazonaws.com", geoip.Invalid},
		{"ec2_x.amazonaws.com", geoip.Invalid},
		{"<script>.amazonaws.com", geoip.Invalid},
		{strings.Repeat("a", 64) + ".amazonaws.com", geoip.Invalid},
		{strings.Repeat("a.", 130) + "amazonaws.com", geoip.Invalid},
		{"AWS  Internal", geoip.Invalid},
		{"AWS Internal\x00", geoip.Invalid},
		{"8.8.8.8\n", geoip.Invalid},
		{"\xff\xfe", geoip.Invalid},
		{"١.٢.٣.٤", geoip.Invalid}, // Arabic-Indic digits
		{strings.Repeat("1", 100000), geoip.Invalid},
		{"::ffff:1.2.3.4.5", geoip.Invalid},
		{":::", geoip.Invalid},
		{"1::2::3", geoip.Invalid},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			if got := geoip.Classify(tt.in); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if a, ok := geoip.Canonical(tt.in); ok {
				if got := geoip.ClassOf(a); got != tt.want {
					t.Errorf("ClassOf(%v) = %v, want %v", a, got, tt.want)
				}
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when not an address
	}{
		{"8.8.8.8", "8.8.8.8"},
		{"::ffff:8.8.8.8", "8.8.8.8"},
		{"::ffff:808:808", "8.8.8.8"},
		{"::FFFF:8.8.8.8%eth0", "8.8.8.8"},
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"fe80::1%eth0", "fe80::1"},
		{"64:ff9b::808:808", "64:ff9b::808:808"}, // NAT64 stays itself; only its class follows 8.8.8.8
		{"::8.8.8.8", "::808:808"},
		{"ec2.amazonaws.com", ""},
		{"AWS Internal", ""},
		{"", ""},
		{"30.*.0.210", ""},
	}
	for _, tt := range tests {
		a, ok := geoip.Canonical(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("Canonical(%q) = %v, true; want false", tt.in, a)
			}
			continue
		}
		if !ok || a.String() != tt.want {
			t.Errorf("Canonical(%q) = %v, %v; want %s, true", tt.in, a, ok, tt.want)
		}
		if a.Zone() != "" || a.Is4In6() {
			t.Errorf("Canonical(%q) = %v is not canonical", tt.in, a)
		}
	}
}

func TestClassOfInvalid(t *testing.T) {
	if got := geoip.ClassOf(netip.Addr{}); got != geoip.Invalid {
		t.Errorf("ClassOf(zero) = %v, want invalid", got)
	}
}

func TestClassText(t *testing.T) {
	for c := geoip.Invalid; c <= geoip.AWSService; c++ {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal(%d): %v", c, err)
		}
		var back geoip.Class
		if err := json.Unmarshal(b, &back); err != nil || back != c {
			t.Errorf("round trip of %s = %v, %v", b, back, err)
		}
		if string(b) != `"`+c.String()+`"` {
			t.Errorf("Marshal(%d) = %s, String = %s", c, b, c)
		}
	}
	var c geoip.Class
	if err := c.UnmarshalText([]byte("nonsense")); err == nil {
		t.Error("UnmarshalText(nonsense) succeeded")
	}
	if _, err := geoip.Class(200).MarshalText(); err == nil {
		t.Error("MarshalText(200) succeeded")
	}
	if s := geoip.Class(200).String(); s != "class(200)" {
		t.Errorf("String(200) = %q", s)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"8.8.8.8", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:db8::1", "ec2.amazonaws.com",
		"AWS Internal", "30.*.0.210", "", "64:ff9b::808:808", "2002:c0a8:101::1",
		"2001:0:4136:e378:8000:63bf:f7f7:f7f7", "ec2.amazonaws.com.cn", "1.2.3.4%x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		class := geoip.Classify(s)
		if class > geoip.AWSService {
			t.Fatalf("Classify(%q) = %d, out of range", s, class)
		}
		a, ok := geoip.Canonical(s)
		if !ok {
			if class != geoip.Invalid && class != geoip.AWSService {
				t.Fatalf("Classify(%q) = %v but Canonical fails", s, class)
			}
			return
		}
		if class == geoip.Invalid || class == geoip.AWSService {
			t.Fatalf("Classify(%q) = %v but Canonical gives %v", s, class, a)
		}
		if a.Zone() != "" || a.Is4In6() {
			t.Fatalf("Canonical(%q) = %v is not canonical", s, a)
		}
		b, ok := geoip.Canonical(a.String())
		if !ok || b != a {
			t.Fatalf("Canonical(%q) = %v; Canonical of that = %v, %v", s, a, b, ok)
		}
		if got := geoip.Classify(a.String()); got != class {
			t.Fatalf("Classify(%q) = %v but Classify(%q) = %v", s, class, a, got)
		}
		if got := geoip.ClassOf(a); got != class {
			t.Fatalf("Classify(%q) = %v but ClassOf = %v", s, class, got)
		}
	})
}
