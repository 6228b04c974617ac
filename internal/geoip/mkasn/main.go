// Command mkasn builds the default ASN database: a MaxMind-format .mmdb
// file with GeoLite2-ASN records (autonomous_system_number,
// autonomous_system_organization) made from the CSV files of the
// @ip-location-db/asn package, which ships no .mmdb of its own.
//
// Usage:
//
//	mkasn -o asn.mmdb [-source TEXT] asn-ipv4.csv asn-ipv6.csv
//
// Each CSV row is ip_range_start,ip_range_end,autonomous_system_number,
// autonomous_system_organization, with an inclusive range of addresses of
// one family and no header. IPv4 and IPv6 go into one IPv6 tree whose IPv4
// part is also reachable through the IPv4-mapped, 6to4 and Teredo aliases.
// Rows with AS number 0 (not routed) are skipped, and so are the parts of
// ranges that fall into the aliases (6to4 2002::/16 and Teredo 2001::/32,
// which enrichment resolves through their IPv4 addresses).
// A malformed row stops the build, naming the file and line. The output is
// written to a temporary file beside it and renamed, so a failed build
// never leaves a truncated database.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"go4.org/netipx"
)

// databaseType names the layout in the file's metadata.
const databaseType = "Trailhound-ASN"

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkasn:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("mkasn", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "output `file` (.mmdb), required")
	source := fl.String("source", "@ip-location-db/asn", "what the CSV files are, recorded in the database description")
	verbose := fl.Bool("v", false, "list the networks skipped as aliases of IPv4")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: mkasn -o asn.mmdb [-source TEXT] asn-ipv4.csv [asn-ipv6.csv ...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" || fl.NArg() == 0 {
		fl.Usage()
		return errors.New("an output file and at least one CSV file are required")
	}

	start := time.Now()
	b, err := newBuilder(*source)
	if err != nil {
		return err
	}
	if *verbose {
		b.skipLog = stderr
	}
	for _, name := range fl.Args() {
		if err := b.addFile(name); err != nil {
			return err
		}
	}
	size, err := b.writeFile(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "mkasn: %s: %d rows, %d networks, %d rows without AS skipped, %d aliased networks skipped, %.1f MB in %s\n",
		*out, b.rows, b.networks, b.noASN, b.skipped, float64(size)/1e6, time.Since(start).Round(10*time.Millisecond))
	return nil
}

// builder accumulates CSV rows into an mmdbwriter tree.
type builder struct {
	tree     *mmdbwriter.Tree
	values   map[asKey]mmdbtype.Map // one value per distinct AS, shared by its networks
	rows     int
	networks int
	noASN    int
	skipped  int
	skipLog  io.Writer // where skipped networks are listed, if anywhere
}

type asKey struct {
	number uint32
	org    string
}

func newBuilder(source string) (*builder, error) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: databaseType,
		Description: map[string]string{
			"en": "IP to autonomous system, built from " + source + " (RouteViews, NRO and DB-IP data, CC BY 4.0)",
		},
		IPVersion:  6,
		RecordSize: 24,
		// The data decides what it covers; the classifier decides what is
		// looked up. This keeps AS112's 2001:4:112::/48, which is reserved
		// to the writer but globally reachable.
		IncludeReservedNetworks: true,
		KeyGenerator:            asKeyGenerator{},
	})
	if err != nil {
		return nil, fmt.Errorf("new tree: %w", err)
	}
	return &builder{tree: tree, values: make(map[asKey]mmdbtype.Map)}, nil
}

// asKeyGenerator identifies values by AS number and organization, which is
// all they hold, instead of hashing their serialized form.
type asKeyGenerator struct{}

func (asKeyGenerator) Key(v mmdbtype.DataType) ([]byte, error) {
	m, ok := v.(mmdbtype.Map)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	n, _ := m["autonomous_system_number"].(mmdbtype.Uint32)
	org, _ := m["autonomous_system_organization"].(mmdbtype.String)
	key := strconv.AppendUint(make([]byte, 0, 12+len(org)), uint64(n), 10)
	key = append(key, 0)
	return append(key, org...), nil
}

func (b *builder) addFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return b.add(name, f)
}

// add inserts the rows of one CSV stream; name is used in error messages.
func (b *builder) add(name string, r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := b.addRow(rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}

func (b *builder) addRow(rec []string) error {
	b.rows++
	first, err := netip.ParseAddr(rec[0])
	if err != nil {
		return fmt.Errorf("range start: %w", err)
	}
	last, err := netip.ParseAddr(rec[1])
	if err != nil {
		return fmt.Errorf("range end: %w", err)
	}
	if first.Is4() != last.Is4() || first.Zone() != "" || last.Zone() != "" {
		return fmt.Errorf("range %s-%s mixes address families or has a zone", first, last)
	}
	rng := netipx.IPRangeFrom(first, last)
	if !rng.IsValid() {
		return fmt.Errorf("range %s-%s is empty", first, last)
	}
	n, err := strconv.ParseUint(rec[2], 10, 32)
	if err != nil {
		return fmt.Errorf("AS number: %w", err)
	}
	if n == 0 {
		b.noASN++
		return nil
	}
	key := asKey{uint32(n), rec[3]}
	value, ok := b.values[key]
	if !ok {
		value = mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n)}
		if key.org != "" {
			value["autonomous_system_organization"] = mmdbtype.String(key.org)
		}
		b.values[key] = value
	}
	for _, p := range rng.Prefixes() {
		err := b.tree.Insert(netipx.PrefixIPNet(p), value)
		var aliased *mmdbwriter.AliasedNetworkError
		switch {
		case err == nil:
			b.networks++
		case errors.As(err, &aliased):
			b.skipped++
			if b.skipLog != nil {
				fmt.Fprintf(b.skipLog, "mkasn: skipped %s (AS%d): %v\n", p, n, err)
			}
		default:
			return fmt.Errorf("insert %s: %w", p, err)
		}
	}
	return nil
}

// writeFile writes the tree to path through a temporary file in the same
// directory, and returns the size written.
func (b *builder) writeFile(path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	size, err := b.tree.WriteTo(tmp)
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return size, nil
}
