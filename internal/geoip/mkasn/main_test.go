package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailhound/trailhound/internal/geoip"
)

const ipv4CSV = `1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
8.8.8.0,8.8.8.255,15169,Google LLC
81.2.69.0,81.2.69.255,20712,Andrews & Arnold Ltd
81.2.70.0,81.2.70.127,20712,Andrews & Arnold Ltd
5.5.5.0,5.5.5.255,0,Not routed
9.9.9.0,9.9.9.255,19281,
192.88.99.0,192.88.99.255,6939,Hurricane Electric LLC
`

const ipv6CSV = `2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC
2001:4:112::,2001:4:112:ffff:ffff:ffff:ffff:ffff,112,DNS-OARC
2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC
2a02:a18::,2a02:a18:ffff:ffff:ffff:ffff:ffff:ffff,1257,Tele2 Sverige AB
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	v4 := writeFile(t, dir, "asn-ipv4.csv", ipv4CSV)
	v6 := writeFile(t, dir, "asn-ipv6.csv", ipv6CSV)
	out := filepath.Join(dir, "asn.mmdb")
	var log bytes.Buffer
	if err := run([]string{"-o", out, "-v", v4, v6}, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	for _, s := range []string{"12 rows", "1 rows without AS skipped", "1 aliased networks skipped", "skipped 2001::/32"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("log %q lacks %q", log.String(), s)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}

	r, err := geoip.Open(geoip.Config{ASN: []string{out}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tests := []struct {
		in  string
		asn uint32
		org string
	}{
		{"1.0.0.1", 13335, "Cloudflare, Inc."},
		{"1.0.5.200", 38803, "Gtelecom Pty Ltd"},
		{"8.8.8.8", 15169, "Google LLC"},
		{"::ffff:8.8.4.4", 0, ""},
		{"81.2.70.127", 20712, "Andrews & Arnold Ltd"},
		{"81.2.70.128", 0, ""}, // just past an inclusive range end
		{"5.5.5.5", 0, ""},     // AS 0 skipped
		{"9.9.9.9", 19281, ""},
		{"2001:4860:4860::8888", 15169, "Google LLC"},
		{"2001:4:112::1", 112, "DNS-OARC"},
		{"2a02:a18:1::1", 1257, "Tele2 Sverige AB"},
		{"2002:808:808::1", 15169, "Google LLC"}, // 6to4 through the IPv4 data
	}
	for _, tt := range tests {
		got := r.LookupString(tt.in)
		if got.ASN != tt.asn || got.ASOrg != tt.org {
			t.Errorf("LookupString(%q) = AS%d %q, want AS%d %q", tt.in, got.ASN, got.ASOrg, tt.asn, tt.org)
		}
	}
	d := r.Databases()
	if len(d) != 1 || d[0].Type != databaseType || d[0].Layout != "asn" {
		t.Errorf("Databases = %+v", d)
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"bad start", "1.0.0.0,1.0.0.255,1,A\nx,1.0.0.255,1,A\n", "bad.csv:2: range start"},
		{"bad end", "1.0.0.0,1.0.0.x,1,A\n", "bad.csv:1: range end"},
		{"reversed", "1.0.0.255,1.0.0.0,1,A\n", "bad.csv:1: range 1.0.0.255-1.0.0.0 is empty"},
		{"families", "1.0.0.0,::1,1,A\n", "mixes address families"},
		{"asn", "1.0.0.0,1.0.0.255,-3,A\n", "bad.csv:1: AS number"},
		{"big asn", "1.0.0.0,1.0.0.255,4294967296,A\n", "AS number"},
		{"fields", "1.0.0.0,1.0.0.255,1\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := writeFile(t, dir, "bad.csv", tt.csv)
			out := filepath.Join(dir, "out.mmdb")
			err := run([]string{"-o", out, in}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("output written despite the error")
			}
		})
	}
	if err := run(nil, &bytes.Buffer{}); err == nil {
		t.Error("run without arguments succeeded")
	}
	if err := run([]string{"-o", filepath.Join(dir, "x.mmdb"), filepath.Join(dir, "missing.csv")}, &bytes.Buffer{}); err == nil {
		t.Error("run with a missing input succeeded")
	}
}
