package analysis

import (
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/geoip"
)

// Filter parameters of the VPC flow details and of the flow records of
// /events. Each takes a comma-separated list; a record must pass every
// filter given (AND) and match any value of each list (OR). They apply to
// the records as the entity sees them: the peer is the other side, the
// local port the entity's own.
const (
	FlowFilterIP         = "ip"          // peer address equals an address or is inside a CIDR block
	FlowFilterNotIP      = "notIp"       // peer address is none of these
	FlowFilterIPClass    = "ipClass"     // peer address class: public, private, reserved...
	FlowFilterInstance   = "instance"    // peer instance id
	FlowFilterLocalPort  = "localPort"   // the entity's port: numbers or ranges (1024-65535)
	FlowFilterRemotePort = "remotePort"  // the peer's port
	FlowFilterPort       = "port"        // either port
	FlowFilterService    = "servicePort" // the service port, the lower of the two, as the store and the service ports panel keep it
	FlowFilterDirection  = "direction"   // inbound or outbound: who opened the connection
	FlowFilterProtocol   = "protocol"    // IANA numbers or names (tcp, udp, icmp, icmpv6)
	FlowFilterAction     = "action"      // accept or reject
	FlowFilterFinding    = "finding"     // the peer is an address or instance the finding names
)

var flowFilterNames = []string{FlowFilterIP, FlowFilterNotIP, FlowFilterIPClass, FlowFilterInstance, FlowFilterLocalPort,
	FlowFilterRemotePort, FlowFilterPort, FlowFilterService, FlowFilterDirection, FlowFilterProtocol, FlowFilterAction, FlowFilterFinding}

// portRange is an inclusive range of port numbers.
type portRange struct{ lo, hi int }

// flowFilter decides which flow records count. Like the activity filter
// it runs in Go on decoded records, so it needs nothing of the SQL
// dialect; the parts that the stored rows can answer exactly (protocol,
// action, the finding's peers) also narrow the rows read.
type flowFilter struct {
	ip, notIP                  []netip.Prefix
	ipClass, instance          []string
	localPort, remotePort, any []portRange
	service                    []portRange
	direction                  []string
	protocol                   []int
	action                     []string
	finding                    string
	// peers are the keys of the addresses and instances the finding
	// names, filled in by the engine once the finding is looked up.
	peers map[int64]bool
	// addressPeers, when not nil, are the keys of the peers whose
	// addresses pass the address filters, filled in by the engine for
	// queries over the connection table (connAddressPeers).
	addressPeers []int64
	active       map[string]string
}

// protocolNumbers names the protocols flow logs commonly carry.
var protocolNumbers = map[string]int{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51, "icmpv6": 58, "sctp": 132}

// ProtocolName returns the common name of an IANA protocol number, or ""
// when it has none here.
func ProtocolName(n int64) string {
	for name, v := range protocolNumbers {
		if int64(v) == n {
			return name
		}
	}
	return ""
}

// parseFlowFilter reads the flow filters from a panel's parameters.
// extra are the other parameters the caller takes; anything else is
// EINVALID naming the parameter, and so is a malformed value.
func parseFlowFilter(params map[string]string, what string, extra ...string) (*flowFilter, error) {
	f := &flowFilter{active: map[string]string{}}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if slices.Contains(extra, k) {
			continue
		}
		if !slices.Contains(flowFilterNames, k) {
			known := append(slices.Clone(extra), flowFilterNames...)
			return nil, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of %s (known: %s)", k, what, strings.Join(known, ", "))
		}
		list := splitList(params[k])
		if len(list) == 0 {
			continue
		}
		f.active[k] = params[k]
		switch k {
		case FlowFilterIP, FlowFilterNotIP:
			var prefixes []netip.Prefix
			for _, s := range list {
				p, err := parsePrefix(s)
				if err != nil {
					return nil, trailhound.Errorf(trailhound.EINVALID, "%s %q is not an address or CIDR block", k, s)
				}
				prefixes = append(prefixes, p)
			}
			if k == FlowFilterIP {
				f.ip = prefixes
			} else {
				f.notIP = prefixes
			}
		case FlowFilterIPClass:
			for _, s := range list {
				var c geoip.Class
				if err := c.UnmarshalText([]byte(strings.ToLower(s))); err != nil {
					return nil, trailhound.Errorf(trailhound.EINVALID, "ipClass %q must be one of public, private, loopback, link-local, reserved", s)
				}
				f.ipClass = append(f.ipClass, c.String())
			}
		case FlowFilterInstance:
			f.instance = list
		case FlowFilterLocalPort, FlowFilterRemotePort, FlowFilterPort, FlowFilterService:
			var ranges []portRange
			for _, s := range list {
				r, ok := parsePortRange(s)
				if !ok {
					return nil, trailhound.Errorf(trailhound.EINVALID, "%s %q must be a port (0-65535) or a range of ports (1024-65535)", k, s)
				}
				ranges = append(ranges, r)
			}
			switch k {
			case FlowFilterLocalPort:
				f.localPort = ranges
			case FlowFilterRemotePort:
				f.remotePort = ranges
			case FlowFilterService:
				f.service = ranges
			default:
				f.any = ranges
			}
		case FlowFilterDirection:
			for _, s := range list {
				s = strings.ToLower(s)
				if s != "inbound" && s != "outbound" {
					return nil, trailhound.Errorf(trailhound.EINVALID, "direction %q must be inbound or outbound", s)
				}
				f.direction = append(f.direction, s)
			}
		case FlowFilterProtocol:
			for _, s := range list {
				n, ok := protocolNumbers[strings.ToLower(s)]
				if !ok {
					v, err := strconv.Atoi(s)
					if err != nil || v < 0 || v > 255 {
						return nil, trailhound.Errorf(trailhound.EINVALID, "protocol %q must be an IANA protocol number (0-255) or tcp, udp, icmp, icmpv6", s)
					}
					n = v
				}
				f.protocol = append(f.protocol, n)
			}
		case FlowFilterAction:
			for _, s := range list {
				s = strings.ToUpper(s)
				if s != "ACCEPT" && s != "REJECT" {
					return nil, trailhound.Errorf(trailhound.EINVALID, "action %q must be accept or reject", s)
				}
				f.action = append(f.action, s)
			}
		case FlowFilterFinding:
			if len(list) != 1 {
				return nil, trailhound.Errorf(trailhound.EINVALID, "finding %q must be one finding id", params[k])
			}
			f.finding = list[0]
		}
	}
	return f, nil
}

func parsePortRange(s string) (portRange, bool) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil || a < 0 || a > 65535 {
		return portRange{}, false
	}
	if !isRange {
		return portRange{a, a}, true
	}
	b, err := strconv.Atoi(strings.TrimSpace(hi))
	if err != nil || b < a || b > 65535 {
		return portRange{}, false
	}
	return portRange{a, b}, true
}

func inRanges(rs []portRange, p int) bool {
	for _, r := range rs {
		if p >= r.lo && p <= r.hi {
			return true
		}
	}
	return false
}

// keep reports whether a record, as the entity sees it, passes. A record
// without a peer (NODATA, SKIPDATA) passes only when no filter is set.
func (f *flowFilter) keep(v *flowView) bool {
	if len(f.active) == 0 {
		return true
	}
	if v.peer.Type == "" {
		return false
	}
	if !f.addressKeeps(v.peerAddr) {
		return false
	}
	if len(f.instance) > 0 && (v.peer.Type != trailhound.Ec2Instance || !slices.Contains(f.instance, v.peer.ID)) {
		return false
	}
	if len(f.localPort) > 0 && !inRanges(f.localPort, v.localPort) {
		return false
	}
	if len(f.remotePort) > 0 && !inRanges(f.remotePort, v.remotePort) {
		return false
	}
	if len(f.any) > 0 && !inRanges(f.any, v.localPort) && !inRanges(f.any, v.remotePort) {
		return false
	}
	if len(f.service) > 0 && !inRanges(f.service, servicePortOf(v.localPort, v.remotePort)) {
		return false
	}
	if len(f.direction) > 0 && !slices.Contains(f.direction, v.direction) {
		return false
	}
	if len(f.protocol) > 0 && !slices.Contains(f.protocol, v.protocol) {
		return false
	}
	if len(f.action) > 0 && !slices.Contains(f.action, v.action) {
		return false
	}
	if f.finding != "" && !f.peers[v.peerKey()] {
		return false
	}
	return true
}

// addressed reports whether f filters on the peer's address.
func (f *flowFilter) addressed() bool {
	return len(f.ip) > 0 || len(f.notIP) > 0 || len(f.ipClass) > 0
}

// addressKeeps reports whether a peer's address passes the address
// filters (ip, notIp, ipClass).
func (f *flowFilter) addressKeeps(a netip.Addr) bool {
	if len(f.ip) > 0 && !prefixesContain(f.ip, a) {
		return false
	}
	if len(f.notIP) > 0 && prefixesContain(f.notIP, a) {
		return false
	}
	return len(f.ipClass) == 0 || slices.Contains(f.ipClass, geoip.ClassOf(a).String())
}

func prefixesContain(ps []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
