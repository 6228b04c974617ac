package investigate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// ThreatIntel is a set of addresses and networks the user flagged, from
// threat-intelligence lists (Tor exit nodes, known scanners, a partner's
// indicators of compromise). An investigation raises FLAGGED_IP_ADDRESS
// for every address of the entity's activity that a list contains. The
// zero value and nil hold nothing.
type ThreatIntel struct {
	entries []threatEntry // sorted by prefix length, longest first
}

type threatEntry struct {
	prefix netip.Prefix
	reason string
	source string // file and line, for the analyst to check the list
}

// Flag is why a list contains an address.
type Flag struct {
	// Reason is the text after the address on the list's line, or the
	// list's file name when the line has none.
	Reason string `json:"reason"`
	// Source is the list and line, "tor-exits.txt:12".
	Source string `json:"source"`
	// Network is the listed address or network that matched.
	Network string `json:"network"`
}

// problemsError reports the malformed lines of threat-intelligence lists,
// each with its file and line, so that a list is fixed at once rather than
// one line per attempt.
func problemsError(problems []string) error {
	const show = 10
	msg := "threat intelligence: " + strings.Join(problems[:min(show, len(problems))], "; ")
	if len(problems) > show {
		msg += fmt.Sprintf("; and %d more", len(problems)-show)
	}
	return &trailhound.Error{Code: trailhound.EINVALID, Message: msg}
}

// LoadThreatIntel reads threat-intelligence lists. Each line holds one
// IPv4 or IPv6 address or CIDR network, optionally followed by whitespace
// or a comma and a reason; "#" starts a comment, on its own line or after
// the entry; blank lines are skipped. Any malformed line fails the load
// with an EINVALID error naming every bad line with its file and line, so
// that a typo never silently drops an indicator.
func LoadThreatIntel(paths ...string) (*ThreatIntel, error) {
	ti := &ThreatIntel{}
	var problems []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, trailhound.Errorf(trailhound.EINVALID, "threat intelligence: %v", err)
		}
		probs, err := ti.read(f, p)
		f.Close()
		if err != nil {
			return nil, trailhound.Errorf(trailhound.EINVALID, "threat intelligence: %s: %v", p, err)
		}
		problems = append(problems, probs...)
	}
	if len(problems) > 0 {
		return nil, problemsError(problems)
	}
	ti.sort()
	return ti, nil
}

// ParseThreatIntel reads one list from r; name stands for its file in
// reasons and errors.
func ParseThreatIntel(r io.Reader, name string) (*ThreatIntel, error) {
	ti := &ThreatIntel{}
	probs, err := ti.read(r, name)
	if err != nil {
		return nil, trailhound.Errorf(trailhound.EINVALID, "threat intelligence: %s: %v", name, err)
	}
	if len(probs) > 0 {
		return nil, problemsError(probs)
	}
	ti.sort()
	return ti, nil
}

func (ti *ThreatIntel) read(r io.Reader, name string) ([]string, error) {
	var problems []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	base := filepath.Base(name)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		entry, reason := line, ""
		if i := strings.IndexAny(line, " \t,"); i >= 0 {
			entry, reason = line[:i], strings.TrimSpace(strings.TrimLeft(line[i:], " \t,"))
		}
		prefix, err := parseEntry(entry)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", name, n, err))
			continue
		}
		if reason == "" {
			reason = "listed in " + base
		}
		ti.entries = append(ti.entries, threatEntry{prefix: prefix, reason: reason, source: fmt.Sprintf("%s:%d", base, n)})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than 1 MB", n+1)
		}
		return nil, err
	}
	return problems, nil
}

// parseEntry reads an address or a network. Addresses become single-host
// networks; IPv4-mapped IPv6 forms are unmapped, as the graph stores them.
func parseEntry(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR network", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR network", s)
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (ti *ThreatIntel) sort() {
	sort.SliceStable(ti.entries, func(i, j int) bool { return ti.entries[i].prefix.Bits() > ti.entries[j].prefix.Bits() })
}

// Len returns the number of listed addresses and networks.
func (ti *ThreatIntel) Len() int {
	if ti == nil {
		return 0
	}
	return len(ti.entries)
}

// Lookup returns why the lists flag an address: the most specific entry
// that contains it. Text that is no address (a service name) is never
// flagged.
func (ti *ThreatIntel) Lookup(ip string) (Flag, bool) {
	if ti == nil || len(ti.entries) == 0 {
		return Flag{}, false
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return Flag{}, false
	}
	a = a.Unmap().WithZone("")
	for _, e := range ti.entries {
		if e.prefix.Contains(a) {
			return Flag{Reason: e.reason, Source: e.source, Network: e.prefix.String()}, true
		}
	}
	return Flag{}, false
}
