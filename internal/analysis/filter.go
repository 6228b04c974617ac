package analysis

import (
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// Filter parameters of the activity-details panel. Each takes a comma-
// separated list, any value of which may match (OR within the list). A
// call must pass every filter given (AND), or with match=any at least one
// of them (OR).
const (
	FilterAPI         = "api"         // equals: eventName or eventSource:eventName
	FilterNotAPI      = "notApi"      // not equals
	FilterAPIContains = "apiContains" // eventName contains (List, Describe, Get, Create, Delete, Put, Attach...)
	FilterService     = "service"     // eventSource contains
	FilterNotService  = "notService"  // eventSource does not contain
	FilterIP          = "ip"          // source address equals an address or is inside a CIDR block
	FilterNotIP       = "notIp"       // source address is none of these
	FilterIPClass     = "ipClass"     // the address's class: public, private, reserved...
	FilterResource    = "resource"    // the caller (user, role, session, access key) contains, by name or id
	FilterNotResource = "notResource" // the caller contains none of these
	FilterMatch       = "match"       // all (default): every filter must pass; any: one is enough
)

var activityFilterNames = []string{FilterAPI, FilterNotAPI, FilterAPIContains, FilterService, FilterNotService, FilterIP, FilterNotIP, FilterIPClass,
	FilterResource, FilterNotResource, FilterMatch}

// activityFilter decides which calls the activity details count. Filters
// apply to the grouped calls after their names are known, in Go, so they
// need nothing of the SQL dialect and stay the same on every store.
type activityFilter struct {
	api, notAPI, apiContains, service, notService, ipClass, resource, notResource []string
	ip, notIP                                                                     []netip.Prefix
	// any: one filter passing is enough (match=any).
	any    bool
	active map[string]string
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseActivityFilter reads the filters from a panel's parameters. Unknown
// parameters and malformed addresses are EINVALID naming the parameter.
func parseActivityFilter(params map[string]string) (*activityFilter, error) {
	f := &activityFilter{active: map[string]string{}}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := params[k]
		if k == "bucket" {
			continue
		}
		if !slices.Contains(activityFilterNames, k) {
			return nil, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of panel %s (known: bucket, %s)", k, PanelActivityDetails, strings.Join(activityFilterNames, ", "))
		}
		list := splitList(v)
		if len(list) == 0 {
			continue
		}
		if k == FilterMatch {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "all":
			case "any":
				f.any = true
			default:
				return nil, trailhound.Errorf(trailhound.EINVALID, "%s %q must be all or any", k, v)
			}
			f.active[k] = v
			continue
		}
		f.active[k] = v
		lower := func() []string {
			out := make([]string, len(list))
			for i, s := range list {
				out[i] = strings.ToLower(s)
			}
			return out
		}
		switch k {
		case FilterAPI:
			f.api = lower()
		case FilterNotAPI:
			f.notAPI = lower()
		case FilterAPIContains:
			f.apiContains = lower()
		case FilterService:
			f.service = lower()
		case FilterNotService:
			f.notService = lower()
		case FilterIPClass:
			f.ipClass = lower()
		case FilterResource:
			f.resource = lower()
		case FilterNotResource:
			f.notResource = lower()
		case FilterIP, FilterNotIP:
			var prefixes []netip.Prefix
			for _, s := range list {
				p, err := parsePrefix(s)
				if err != nil {
					return nil, trailhound.Errorf(trailhound.EINVALID, "%s %q is not an address or CIDR block", k, s)
				}
				prefixes = append(prefixes, p)
			}
			if k == FilterIP {
				f.ip = prefixes
			} else {
				f.notIP = prefixes
			}
		}
	}
	return f, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// usesCaller says whether the filter looks at the caller.
func (f *activityFilter) usesCaller() bool { return len(f.resource) > 0 || len(f.notResource) > 0 }

// keep reports whether a call with this API, source and caller passes:
// every filter given (or one, with match=any).
func (f *activityFilter) keep(api, ip, caller ActivityRow) bool {
	name := strings.ToLower(api.API)
	full := strings.ToLower(api.Label)
	service := strings.ToLower(api.Service)
	var addr netip.Addr
	if ip.Entity != nil {
		addr, _ = netip.ParseAddr(ip.Entity.ID)
		addr = addr.Unmap()
	}
	inAny := func(ps []netip.Prefix) bool {
		return addr.IsValid() && slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(addr) })
	}
	who := []string{strings.ToLower(caller.Label)}
	if caller.Entity != nil {
		who = append(who, strings.ToLower(caller.Entity.ID))
	}
	names := func(list []string) bool {
		return slices.ContainsFunc(list, func(s string) bool {
			return slices.ContainsFunc(who, func(w string) bool { return w != "" && strings.Contains(w, s) })
		})
	}
	results := make([]bool, 0, 10)
	check := func(given bool, pass func() bool) {
		if given {
			results = append(results, pass())
		}
	}
	check(len(f.api) > 0, func() bool { return slices.ContainsFunc(f.api, func(s string) bool { return s == name || s == full }) })
	check(len(f.notAPI) > 0, func() bool {
		return !slices.ContainsFunc(f.notAPI, func(s string) bool { return s == name || s == full })
	})
	check(len(f.apiContains) > 0, func() bool {
		return slices.ContainsFunc(f.apiContains, func(s string) bool { return strings.Contains(name, s) })
	})
	check(len(f.service) > 0, func() bool {
		return slices.ContainsFunc(f.service, func(s string) bool { return strings.Contains(service, s) })
	})
	check(len(f.notService) > 0, func() bool {
		return !slices.ContainsFunc(f.notService, func(s string) bool { return strings.Contains(service, s) })
	})
	check(len(f.ip) > 0, func() bool { return inAny(f.ip) })
	check(len(f.notIP) > 0, func() bool { return !inAny(f.notIP) })
	check(len(f.ipClass) > 0, func() bool {
		return ip.Location != nil && slices.Contains(f.ipClass, strings.ToLower(ip.Location.Class))
	})
	check(len(f.resource) > 0, func() bool { return names(f.resource) })
	check(len(f.notResource) > 0, func() bool { return !names(f.notResource) })
	if len(results) == 0 {
		return true
	}
	if f.any {
		return slices.Contains(results, true)
	}
	return !slices.Contains(results, false)
}
