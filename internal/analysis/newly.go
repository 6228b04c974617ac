package analysis

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// NewlyObserved is the answer of the "Newly observed API calls", "user
// agents" and "autonomous system organizations" panels: what the entity's
// calls used during the scope that none of its calls used during the
// baseline. Kind is "api", "userAgent" or "asn". Totals counts the
// scope's calls of the new items.
type NewlyObserved struct {
	Entity   Ref         `json:"entity"`
	Scope    ScopeJSON   `json:"scope"`
	Baseline ScopeJSON   `json:"baseline"`
	Kind     string      `json:"kind"`
	Items    []NewlyItem `json:"items"`
	Totals   Counts      `json:"totals"`
}

// NewlyItem is one new API, user agent or autonomous system, with the
// entity's calls in the scope. IsNewForEntireAccount says that no call of
// the entity's whole account used it during the baseline either.
type NewlyItem struct {
	Label                 string `json:"label"`
	Entity                *Ref   `json:"entity,omitempty"`
	Service               string `json:"service,omitempty"`
	API                   string `json:"api,omitempty"`
	ASN                   int64  `json:"asn,omitempty"`
	Success               int64  `json:"success"`
	Failure               int64  `json:"failure"`
	IsNewForEntireAccount bool   `json:"isNewForEntireAccount"`
}

// newlyDimension is what a newly-observed panel compares: an integer
// expression over events. The autonomous systems (asn) are those of the
// calls' addresses, mapped after grouping by address (asnsOf).
type newlyDimension struct {
	kind string
	expr string
	asn  bool
}

var (
	newAPIs       = newlyDimension{"api", "events.api_key", false}
	newUserAgents = newlyDimension{"userAgent", "events.ua_key", false}
	newASNs       = newlyDimension{"asn", "events.ip_key", true}
)

// newlyPrincipals are the types Detective shows these panels for: the
// principals, and EC2 instances (the calls of their instance profile).
var newlyPrincipals = []trailhound.Namespace{trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.Ec2Instance}

// maxMappedAddresses is how many addresses asnsOf maps to their
// autonomous systems through the engine's cache; past it, one query
// joining them with the enrichment table does (a variable for the tests
// of both ways).
var maxMappedAddresses = 5000

func (e *Engine) newlyObserved(ctx context.Context, ent entityRow, scope trailhound.Scope, dim newlyDimension) (*NewlyObserved, error) {
	sub, ok, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "newly observed panels do not apply to %s entities", ent.Ref.Type)
	}
	base := scope.Baseline(e.baseline)
	where := qualify(sub.where, "events.")
	cond := dim.expr + ` IS NOT NULL AND ` + dim.expr + ` <> 0`

	// The scope's calls by item (by address for asn).
	f, args := e.callsFrom(scope.Start, scope.End)
	rows, err := e.db.QueryContext(ctx, `SELECT `+dim.expr+`, `+sumCalls+` FROM `+f+` WHERE `+where+` AND `+cond+` GROUP BY `+dim.expr,
		append(args, sub.args...)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: newly observed: %w", err)
	}
	inScope := map[int64]Counts{}
	for rows.Next() {
		var k int64
		var c Counts
		if err := rows.Scan(&k, &c.Success, &c.Failure); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: newly observed: %w", err)
		}
		inScope[k] = c
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: newly observed: %w", err)
	}
	if dim.asn {
		if inScope, err = e.byASN(ctx, inScope); err != nil {
			return nil, err
		}
	}

	// What the baseline saw: the entity's, then, for the items new to
	// it only, its account's.
	seen := func(where string, args []any) (map[int64]bool, error) {
		f, fargs := e.callsFrom(base.Start, base.End)
		r, err := e.db.QueryContext(ctx, `SELECT DISTINCT `+dim.expr+` FROM `+f+` WHERE `+where+` AND `+cond, append(fargs, args...)...)
		if err != nil {
			return nil, fmt.Errorf("analysis: newly observed baseline: %w", err)
		}
		out := map[int64]bool{}
		for r.Next() {
			var k int64
			if err := r.Scan(&k); err != nil {
				r.Close()
				return nil, fmt.Errorf("analysis: newly observed baseline: %w", err)
			}
			out[k] = true
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("analysis: newly observed baseline: %w", err)
		}
		if dim.asn {
			return e.asnSet(ctx, out)
		}
		return out, nil
	}
	mine, err := seen(where, sub.args)
	if err != nil {
		return nil, err
	}
	keys := map[int64]bool{}
	for k := range inScope {
		if !mine[k] {
			keys[k] = true
		}
	}
	account := mine
	if ent.Account != "" && len(keys) > 0 {
		if account, err = seen("events.account_key = ?", []any{trailhound.EntityRef{Type: trailhound.AwsAccount, ID: ent.Account}.Key()}); err != nil {
			return nil, err
		}
	}
	out := &NewlyObserved{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Baseline: scopeJSON(base), Kind: dim.kind, Items: []NewlyItem{}}
	var names map[int64]entityRow
	var orgs map[int64]string
	if dim.asn {
		orgs, err = e.asOrgs(ctx, keys)
	} else {
		names, err = e.names(ctx, keys)
	}
	if err != nil {
		return nil, err
	}
	for k := range keys {
		c := inScope[k]
		item := NewlyItem{Success: c.Success, Failure: c.Failure, IsNewForEntireAccount: !account[k]}
		switch dim.kind {
		case "api":
			item.Label = names[k].Ref.ID
			item.Service, item.API, _ = strings.Cut(item.Label, ":")
		case "userAgent":
			item.Label = names[k].Ref.ID
			item.Entity = &Ref{Type: trailhound.UserAgent, ID: item.Label}
		case "asn":
			item.ASN = k
			item.Label = orgs[k]
			item.Entity = &Ref{Type: trailhound.AutonomousSystem, ID: fmt.Sprintf("AS%d", k)}
		}
		out.Totals.Success += c.Success
		out.Totals.Failure += c.Failure
		out.Items = append(out.Items, item)
	}
	sort.Slice(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if a.Success+a.Failure != b.Success+b.Failure {
			return a.Success+a.Failure > b.Success+b.Failure
		}
		return a.Label < b.Label
	})
	return out, nil
}

// byASN sums calls counted by address into calls by autonomous system
// (addresses without one are left out).
func (e *Engine) byASN(ctx context.Context, byIP map[int64]Counts) (map[int64]Counts, error) {
	keys := make(map[int64]bool, len(byIP))
	for k := range byIP {
		keys[k] = true
	}
	asns, err := e.asnsOf(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := map[int64]Counts{}
	for k, c := range byIP {
		if asn := asns[k]; asn != 0 {
			t := out[asn]
			t.Success += c.Success
			t.Failure += c.Failure
			out[asn] = t
		}
	}
	return out, nil
}

// asnSet maps a set of addresses to the set of their autonomous systems.
func (e *Engine) asnSet(ctx context.Context, ips map[int64]bool) (map[int64]bool, error) {
	asns, err := e.asnsOf(ctx, ips)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, asn := range asns {
		out[asn] = true
	}
	return out, nil
}

// asnsOf maps addresses (by key) to their autonomous systems, leaving out
// those without one: through the engine's address cache, or, for more
// than maxMappedAddresses, in one query with the keys passed as a list
// (a baseline can hold tens of thousands of addresses).
func (e *Engine) asnsOf(ctx context.Context, ips map[int64]bool) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ips))
	if len(ips) <= maxMappedAddresses {
		infos, err := e.ipInfos(ctx, ips)
		if err != nil {
			return nil, err
		}
		for k, in := range infos {
			if in.ASN != 0 {
				out[k] = in.ASN
			}
		}
		return out, nil
	}
	list := make([]int64, 0, len(ips))
	for k := range ips {
		list = append(list, k)
	}
	r, err := e.db.QueryContext(ctx, `SELECT key, asn FROM ip_info
WHERE key IN (SELECT unnest(?::BIGINT[])) AND asn IS NOT NULL AND asn <> 0`, listParam(list))
	if err != nil {
		return nil, fmt.Errorf("analysis: autonomous systems: %w", err)
	}
	defer r.Close()
	for r.Next() {
		var k, asn int64
		if err := r.Scan(&k, &asn); err != nil {
			return nil, fmt.Errorf("analysis: autonomous systems: %w", err)
		}
		out[k] = asn
	}
	return out, r.Err()
}

// asOrgs names autonomous systems by number, from the enrichment.
func (e *Engine) asOrgs(ctx context.Context, asns map[int64]bool) (map[int64]string, error) {
	// Reading them scans the address table (7M rows on the large
	// benchmark, 80 ms); the few numbers a panel shows are kept.
	return cachedLookup(ctx, e, asns, func(c *nameCache) map[int64]string { return c.orgs }, e.loadASOrgs)
}

func (e *Engine) loadASOrgs(ctx context.Context, list []any) (map[int64]string, error) {
	out := map[int64]string{}
	rows, err := e.db.QueryContext(ctx, `SELECT asn, max(coalesce(as_org, '')) FROM ip_info WHERE asn IN (`+placeholders(len(list))+`) GROUP BY asn`, list...)
	if err != nil {
		return nil, fmt.Errorf("analysis: autonomous systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var asn int64
		var org string
		if err := rows.Scan(&asn, &org); err != nil {
			return nil, fmt.Errorf("analysis: autonomous systems: %w", err)
		}
		out[asn] = org
	}
	return out, rows.Err()
}
