package investigate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
)

func TestThreatIntel(t *testing.T) {
	list := "\ufeff# Tor exit nodes, fetched 2026-11-01\n" +
		"185.220.101.34 Tor exit node\n" +
		"171.25.193.78,Tor exit (Stockholm)\n" +
		"\n" +
		"   89.248.160.0/19\tIP Volume scanners   # known range\n" +
		"2001:db8:dead::/48  IPv6 botnet\n" +
		"2a02:cf40::1\n" +
		"10.0.1.0/24 lab network that was breached\n" +
		"::ffff:198.51.100.7 mapped form\n" +
		"89.248.165.74 the most specific entry wins\n"
	ti, err := ParseThreatIntel(strings.NewReader(list), "lists/tor.txt")
	if err != nil {
		t.Fatal(err)
	}
	if ti.Len() != 8 {
		t.Errorf("Len %d", ti.Len())
	}
	for _, tc := range []struct {
		ip, reason, source string
	}{
		{"185.220.101.34", "Tor exit node", "tor.txt:2"},
		{"171.25.193.78", "Tor exit (Stockholm)", "tor.txt:3"},
		{"89.248.170.1", "IP Volume scanners", "tor.txt:5"},
		{"89.248.165.74", "the most specific entry wins", "tor.txt:10"},
		{"2001:db8:dead:beef::1", "IPv6 botnet", "tor.txt:6"},
		{"2A02:CF40:0:0::1", "listed in tor.txt", "tor.txt:7"},
		{"10.0.1.25", "lab network that was breached", "tor.txt:8"},
		{"198.51.100.7", "mapped form", "tor.txt:9"},
		{"::ffff:185.220.101.34", "Tor exit node", "tor.txt:2"},
	} {
		f, ok := ti.Lookup(tc.ip)
		if !ok || f.Reason != tc.reason || f.Source != tc.source {
			t.Errorf("%s: %+v %v, want %q at %s", tc.ip, f, ok, tc.reason, tc.source)
		}
	}
	for _, ip := range []string{"185.220.101.35", "10.0.2.1", "2001:db8:beef::1", "ec2.amazonaws.com", "", "AWS Internal"} {
		if f, ok := ti.Lookup(ip); ok {
			t.Errorf("%q flagged: %+v", ip, f)
		}
	}
}

func TestThreatIntelEmpty(t *testing.T) {
	var none *ThreatIntel
	if _, ok := none.Lookup("185.220.101.34"); ok || none.Len() != 0 {
		t.Error("a nil list flags")
	}
	ti, err := ParseThreatIntel(strings.NewReader("# nothing yet\n\n"), "empty.txt")
	if err != nil || ti.Len() != 0 {
		t.Fatalf("%v %v", ti, err)
	}
	if _, ok := ti.Lookup("1.2.3.4"); ok {
		t.Error("an empty list flags")
	}
}

func TestThreatIntelMalformed(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte("1.2.3.4 ok\n1.2.3.400 typo\n10.0.0.0/33\n"), 0o644)
	os.WriteFile(b, []byte("# fine\nexample.com a name, not an address\n2001:db8::/129\n"), 0o644)
	_, err := LoadThreatIntel(a, b)
	if trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Fatalf("err %v", err)
	}
	msg := err.Error()
	for _, want := range []string{a + ":2:", a + ":3:", b + ":2:", b + ":3:", `"1.2.3.400"`, `"example.com"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, a+":1:") {
		t.Errorf("%q blames a good line", msg)
	}
	if _, err := LoadThreatIntel(filepath.Join(dir, "missing.txt")); trailhound.ErrorCode(err) != trailhound.EINVALID {
		t.Errorf("missing file: %v", err)
	}
	many := strings.Repeat("nope\n", 25)
	_, err = ParseThreatIntel(strings.NewReader(many), "many.txt")
	if err == nil || !strings.Contains(err.Error(), "and 15 more") {
		t.Errorf("many problems: %v", err)
	}
}
