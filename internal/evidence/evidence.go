// Package evidence computes informational evidence as Amazon Detective
// attaches it to finding groups: what the principals' API calls used
// during a scope that none of their calls used during the baseline before
// it — a new geolocation, autonomous system organization, user agent or
// API — the same judged against every account of the store ("for all
// accounts"), and principals whose first call falls in the scope.
//
// Evidence is not a finding: it says what changed, not that the change is
// bad. Finding groups (internal/groups) attach it to the principals of a
// group and investigations (internal/investigate) turn it into their
// NEW_GEOLOCATION, NEW_ASO and NEW_USER_AGENT indicators. The comparison is
// the one the profile panels of internal/analysis make (new-geolocations,
// new-asos, new-user-agents, new-api-calls), computed for many principals
// at once with a few set-based queries instead of one per principal.
package evidence

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// Kind is the type of an evidence item, spelled in the style of
// Detective's indicator types.
type Kind string

// Evidence kinds. The per-principal kinds compare a principal's calls with
// its own baseline; the *_ALL_ACCOUNTS kinds with the calls of every
// account. An "all accounts" item always comes with at least one
// per-principal item of the same kind, because what no account used is
// new for every principal that used it.
const (
	NewGeolocation            Kind = "NEW_GEOLOCATION"
	NewASO                    Kind = "NEW_ASO"
	NewUserAgent              Kind = "NEW_USER_AGENT"
	NewAPICall                Kind = "NEW_API_CALL"
	NewGeolocationAllAccounts Kind = "NEW_GEOLOCATION_ALL_ACCOUNTS"
	NewASOAllAccounts         Kind = "NEW_ASO_ALL_ACCOUNTS"
	NewUserAgentAllAccounts   Kind = "NEW_USER_AGENT_ALL_ACCOUNTS"
	NewAPICallAllAccounts     Kind = "NEW_API_CALL_ALL_ACCOUNTS"
	NewPrincipalAllAccounts   Kind = "NEW_IAM_PRINCIPAL_ALL_ACCOUNTS"
)

// Kinds lists every kind in the order items of one time are sorted.
var Kinds = []Kind{
	NewPrincipalAllAccounts,
	NewGeolocationAllAccounts, NewGeolocation,
	NewASOAllAccounts, NewASO,
	NewUserAgentAllAccounts, NewUserAgent,
	NewAPICallAllAccounts, NewAPICall,
}

// Title returns the kind's name as Detective's console shows it.
func (k Kind) Title() string {
	switch k {
	case NewGeolocation:
		return "New geolocation observed"
	case NewASO:
		return "New ASO observed"
	case NewUserAgent:
		return "New user agent observed"
	case NewAPICall:
		return "New API call issued"
	case NewGeolocationAllAccounts:
		return "New geolocation observed for all accounts"
	case NewASOAllAccounts:
		return "New ASO observed for all accounts"
	case NewUserAgentAllAccounts:
		return "New user agent observed for all accounts"
	case NewAPICallAllAccounts:
		return "New API call issued for all accounts"
	case NewPrincipalAllAccounts:
		return "New IAM principal observed for all accounts"
	}
	return string(k)
}

// allAccounts returns the "for all accounts" kind of a per-principal kind.
func (k Kind) allAccounts() Kind {
	switch k {
	case NewGeolocation:
		return NewGeolocationAllAccounts
	case NewASO:
		return NewASOAllAccounts
	case NewUserAgent:
		return NewUserAgentAllAccounts
	case NewAPICall:
		return NewAPICallAllAccounts
	}
	return ""
}

// Ref names an entity: the link target of every identifier in an item.
type Ref = analysis.Ref

// ScopeJSON is a time range in epoch seconds as the API spells it.
type ScopeJSON = analysis.ScopeJSON

// Item is one piece of evidence: what was new, for whom, when, and against
// which baseline.
type Item struct {
	// ID identifies the item: the same kind, principal, value and scope
	// always give the same id.
	ID    string `json:"id"`
	Kind  Kind   `json:"type"`
	Title string `json:"title"`
	// Entity is the principal the item is about: an IAM user (the root
	// user included), a role (for the calls of its sessions, which are
	// compared with the role's baseline because every session is new) or
	// a federated user. For an "all accounts" item it is the principal
	// that used the value first; Principals lists all of them.
	Entity  Ref    `json:"entity"`
	Label   string `json:"label,omitempty"`
	Account string `json:"account,omitempty"`
	// Value is the new thing in words: a place, an organization, a user
	// agent, an API, or the principal's name.
	Value string `json:"value"`
	// The value's details, by kind.
	Location  *Location `json:"location,omitempty"`
	ASN       int64     `json:"asn,omitempty"`
	ASOrg     string    `json:"asOrg,omitempty"`
	UserAgent string    `json:"userAgent,omitempty"`
	API       string    `json:"api,omitempty"` // "<eventSource>:<eventName>"
	// Addresses are the source addresses of the calls that used a new
	// place or organization, with their calls.
	Addresses []Address `json:"addresses,omitempty"`
	// Related are the entities the value is (the user agent, the
	// autonomous system), for links.
	Related []Ref `json:"related,omitempty"`
	// Principals are, for "all accounts" items, every principal whose
	// calls used the value.
	Principals []Ref `json:"principals,omitempty"`
	// Time is the first call in the scope that used the value; LastSeen
	// the last.
	Time     int64 `json:"time"`
	LastSeen int64 `json:"lastSeen"`
	Success  int64 `json:"success"`
	Failure  int64 `json:"failure"`
	// IsNewForEntireAccount says that no call of the principal's account
	// used the value during the baseline either. It is true for every
	// "all accounts" item.
	IsNewForEntireAccount bool      `json:"isNewForEntireAccount"`
	Scope                 ScopeJSON `json:"scope"`
	Baseline              ScopeJSON `json:"baseline"`
}

// Location is a place as the enrichment names it.
type Location struct {
	Country     string   `json:"country"`
	CountryName string   `json:"countryName,omitempty"`
	Region      string   `json:"region,omitempty"`
	City        string   `json:"city,omitempty"`
	Latitude    *float64 `json:"latitude,omitempty"`
	Longitude   *float64 `json:"longitude,omitempty"`
}

// String renders the place from the most to the least precise part:
// "Linköping, Östergötland County, SE".
func (l Location) String() string {
	var parts []string
	for _, p := range []string{l.City, l.Region, l.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Address is a source address with the calls made from it.
type Address struct {
	Entity  Ref   `json:"entity"`
	Success int64 `json:"success"`
	Failure int64 `json:"failure"`
}

// Options narrows and tunes Compute. Zero values take the defaults.
type Options struct {
	// Baseline is how far before the scope the baseline reaches; default
	// trailhound.DefaultBaseline (45 days).
	Baseline time.Duration
	// Dialect spells the store-specific SQL; default DuckDB.
	Dialect analysis.Dialect
	// Callers, when not empty, limits the calls examined to those of
	// these entities: principals (AwsUser, FederatedUser), role sessions,
	// roles (every session of the role) and access keys. Each call is
	// still compared with the baseline of its principal (the role, for a
	// session). Other types are an EINVALID error.
	Callers []trailhound.EntityRef
	// Kinds, when not empty, limits the kinds computed; asking for an
	// "all accounts" kind computes its per-principal kind as well.
	Kinds []Kind
}

// Compute returns the evidence of a scope: for every principal whose calls
// fall in the scope (or only the callers of opts), the geolocations,
// autonomous system organizations, user agents and APIs its calls used
// that none of its calls used during the baseline; the same values when no
// call of any account used them during the baseline; and the principals
// that made no call during the baseline. Items are sorted by time, then
// kind, principal and value.
//
// When the store holds no call at all during the baseline (data that
// starts with the scope), nothing can be told apart from the baseline and
// Compute returns no items rather than calling everything new.
//
// Calls from addresses without a known place (private addresses, service
// names, gaps of the GeoIP database) carry no geolocation, and those
// without a known autonomous system no organization: they are neither new
// nor old, as in the new-geolocations panel.
func Compute(ctx context.Context, db *sql.DB, scope trailhound.Scope, opts Options) ([]Item, error) {
	if !scope.Valid() {
		return nil, trailhound.Errorf(trailhound.EINVALID, "evidence: scope end (%d) must be after its start (%d)", scope.End, scope.Start)
	}
	if opts.Baseline <= 0 {
		opts.Baseline = trailhound.DefaultBaseline
	}
	if opts.Dialect == nil {
		opts.Dialect = analysis.DuckDB{}
	}
	c := &computation{db: db, scope: scope, base: scope.Baseline(opts.Baseline), ts: opts.Dialect.Timestamp()}
	if err := c.callerFilter(opts.Callers); err != nil {
		return nil, err
	}
	want := map[Kind]bool{}
	for _, k := range opts.Kinds {
		want[k] = true
		for _, per := range []Kind{NewGeolocation, NewASO, NewUserAgent, NewAPICall} {
			if per.allAccounts() == k {
				want[per] = true
			}
		}
	}
	all := len(want) == 0
	var any int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM events WHERE event_time >= `+c.ts+` AND event_time < `+c.ts+` LIMIT 1)`,
		c.base.Start, c.base.End).Scan(&any)
	if err != nil {
		return nil, fmt.Errorf("evidence: baseline: %w", err)
	}
	if any == 0 {
		return []Item{}, nil
	}
	var rows []newRow
	for _, d := range dimensions {
		if !all && !want[d.kind] {
			continue
		}
		r, err := c.newValues(ctx, d)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	var principals []newRow
	if all || want[NewPrincipalAllAccounts] {
		if principals, err = c.newPrincipals(ctx); err != nil {
			return nil, err
		}
	}
	return c.items(ctx, rows, principals)
}

// computation holds one Compute call's scope and caller filter.
type computation struct {
	db    *sql.DB
	scope trailhound.Scope
	base  trailhound.Scope
	ts    string
	// filter limits the events examined (empty: all), with its
	// arguments; baseFilter limits the baseline events to the actors
	// the filter can reach.
	filter     string
	filterArgs []any
}

// actorExpr is the principal a call is attributed to for evidence: the role
// behind a session, or else the caller itself.
const actorExpr = `CASE WHEN e.role_key <> 0 THEN e.role_key ELSE e.principal_key END`

// callerFilter turns the callers into a condition on the events' integer
// keys. Only keys reach the query, never text.
func (c *computation) callerFilter(callers []trailhound.EntityRef) error {
	if len(callers) == 0 {
		return nil
	}
	cols := map[string][]any{}
	for _, r := range callers {
		var col string
		switch r.Type {
		case trailhound.AwsUser, trailhound.FederatedUser, trailhound.AwsRoleSession:
			col = "e.principal_key"
		case trailhound.AwsRole:
			col = "e.role_key"
		case trailhound.AccessKey:
			col = "e.access_key_key"
		default:
			return trailhound.Errorf(trailhound.EINVALID, "evidence: callers cannot be %s entities", r.Type)
		}
		cols[col] = append(cols[col], r.Key())
	}
	var parts []string
	for _, col := range []string{"e.principal_key", "e.role_key", "e.access_key_key"} {
		if keys := cols[col]; len(keys) > 0 {
			parts = append(parts, col+` IN (`+placeholders(len(keys))+`)`)
			c.filterArgs = append(c.filterArgs, keys...)
		}
	}
	c.filter = `(` + strings.Join(parts, " OR ") + `)`
	return nil
}

// where returns the scope or baseline time condition on events e, with the
// caller filter when filtered is set, and the arguments.
func (c *computation) where(s trailhound.Scope, filtered bool) (string, []any) {
	cond := `e.event_time >= ` + c.ts + ` AND e.event_time < ` + c.ts
	args := []any{s.Start, s.End}
	if filtered && c.filter != "" {
		cond += ` AND ` + c.filter
		args = append(args, c.filterArgs...)
	}
	return cond, args
}

// dimension is one kind of value compared with the baseline: columns over
// events e (and ip_info i when join is set) that identify the value.
type dimension struct {
	kind Kind
	cols []string
	cond string // excludes calls that carry no value
	join bool
	// byIP keeps the source address in the scope's groups, for the
	// addresses of places and organizations.
	byIP bool
}

var dimensions = []dimension{
	{kind: NewGeolocation, cols: []string{"i.country", "coalesce(i.region, '')", "coalesce(i.city, '')"},
		cond: "e.ip_key <> 0 AND i.country IS NOT NULL AND i.country <> ''", join: true, byIP: true},
	{kind: NewASO, cols: []string{"i.asn"}, cond: "e.ip_key <> 0 AND i.asn IS NOT NULL AND i.asn <> 0", join: true, byIP: true},
	{kind: NewUserAgent, cols: []string{"e.ua_key"}, cond: "e.ua_key <> 0"},
	{kind: NewAPICall, cols: []string{"e.api_key"}, cond: "e.api_key <> 0"},
}

// newRow is a value the scope's calls of one actor used and the actor's
// baseline calls did not, per source address for places and
// organizations.
type newRow struct {
	kind       Kind
	actor      int64
	account    int64
	vals       []any // the dimension's columns
	ip         int64
	counts     [2]int64
	first      time.Time
	last       time.Time
	newAccount bool
	newAll     bool
}

// newValues finds, in one query, the values of a dimension that are new
// for their actor, and whether they are new for the actor's account and
// for every account.
func (c *computation) newValues(ctx context.Context, d dimension) ([]newRow, error) {
	from := `events e`
	if d.join {
		from = `events e JOIN ip_info i ON i.key = e.ip_key`
	}
	var cols, names []string
	for i, col := range d.cols {
		cols = append(cols, col+` AS v`+strconv.Itoa(i))
		names = append(names, `v`+strconv.Itoa(i))
	}
	ip := `0`
	if d.byIP {
		ip = `e.ip_key`
	}
	scopeCond, scopeArgs := c.where(c.scope, true)
	baseCond, baseArgs := c.where(c.base, false)
	vs := strings.Join(names, ", ")
	on := func(alias string) string {
		var parts []string
		for _, n := range names {
			parts = append(parts, alias+`.`+n+` = s.`+n)
		}
		return strings.Join(parts, " AND ")
	}
	// The baseline sets are limited to the actors, accounts and values
	// of the scope's calls, so that a narrow question reads little.
	q := `WITH s AS (
  SELECT ` + actorExpr + ` AS actor, e.account_key AS account, ` + strings.Join(cols, ", ") + `, ` + ip + ` AS ip,
    sum(CASE WHEN e.failed THEN 0 ELSE 1 END) AS ok, sum(CASE WHEN e.failed THEN 1 ELSE 0 END) AS bad,
    min(e.event_time) AS first, max(e.event_time) AS last
  FROM ` + from + ` WHERE ` + scopeCond + ` AND ` + d.cond + `
  GROUP BY ALL),
b AS (SELECT ` + actorExpr + ` AS actor, e.account_key AS account, ` + strings.Join(cols, ", ") + `
  FROM ` + from + ` WHERE ` + baseCond + ` AND ` + d.cond + `
    AND (` + d.cols[0] + `) IN (SELECT v0 FROM s)),
ba AS (SELECT DISTINCT actor, ` + vs + ` FROM b WHERE actor IN (SELECT actor FROM s)),
bc AS (SELECT DISTINCT account, ` + vs + ` FROM b WHERE account IN (SELECT account FROM s)),
bo AS (SELECT DISTINCT ` + vs + ` FROM b)
SELECT s.actor, s.account, ` + prefixed("s.", names) + `, s.ip, s.ok, s.bad, s.first, s.last,
  NOT EXISTS (SELECT 1 FROM bc WHERE bc.account = s.account AND ` + on("bc") + `),
  NOT EXISTS (SELECT 1 FROM bo WHERE ` + on("bo") + `)
FROM s
WHERE s.actor <> 0 AND NOT EXISTS (SELECT 1 FROM ba WHERE ba.actor = s.actor AND ` + on("ba") + `)`
	args := append(scopeArgs, baseArgs...)
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("evidence: %s: %w", strings.ToLower(string(d.kind)), err)
	}
	defer rows.Close()
	var out []newRow
	for rows.Next() {
		r := newRow{kind: d.kind, vals: make([]any, len(d.cols))}
		dest := []any{&r.actor, &r.account}
		for i := range r.vals {
			dest = append(dest, &r.vals[i])
		}
		dest = append(dest, &r.ip, &r.counts[0], &r.counts[1], &r.first, &r.last, &r.newAccount, &r.newAll)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("evidence: %s: %w", strings.ToLower(string(d.kind)), err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evidence: %s: %w", strings.ToLower(string(d.kind)), err)
	}
	return out, nil
}

// newPrincipals finds the actors of the scope that made no call during the
// baseline.
func (c *computation) newPrincipals(ctx context.Context) ([]newRow, error) {
	scopeCond, scopeArgs := c.where(c.scope, true)
	baseCond, baseArgs := c.where(c.base, false)
	q := `WITH s AS (
  SELECT ` + actorExpr + ` AS actor, min(e.account_key) AS account,
    sum(CASE WHEN e.failed THEN 0 ELSE 1 END) AS ok, sum(CASE WHEN e.failed THEN 1 ELSE 0 END) AS bad,
    min(e.event_time) AS first, max(e.event_time) AS last
  FROM events e WHERE ` + scopeCond + ` GROUP BY 1),
b AS (SELECT DISTINCT ` + actorExpr + ` AS actor FROM events e WHERE ` + baseCond + `
  AND (e.principal_key IN (SELECT actor FROM s) OR e.role_key IN (SELECT actor FROM s)))
SELECT s.actor, s.account, s.ok, s.bad, s.first, s.last FROM s
WHERE s.actor <> 0 AND s.actor NOT IN (SELECT actor FROM b)`
	rows, err := c.db.QueryContext(ctx, q, append(scopeArgs, baseArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("evidence: new principals: %w", err)
	}
	defer rows.Close()
	var out []newRow
	for rows.Next() {
		r := newRow{kind: NewPrincipalAllAccounts, newAccount: true, newAll: true}
		if err := rows.Scan(&r.actor, &r.account, &r.counts[0], &r.counts[1], &r.first, &r.last); err != nil {
			return nil, fmt.Errorf("evidence: new principals: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evidence: new principals: %w", err)
	}
	return out, nil
}

// principalTypes are the types evidence is about. Service principals and
// accounts acting as callers are left out: they are not IAM principals an
// analyst could investigate.
var principalTypes = map[trailhound.Namespace]bool{trailhound.AwsUser: true, trailhound.AwsRole: true, trailhound.FederatedUser: true}

// items names the rows' keys and assembles the items.
func (c *computation) items(ctx context.Context, rows, principals []newRow) ([]Item, error) {
	keys := map[int64]bool{}
	ips := map[int64]bool{}
	asns := map[int64]bool{}
	for _, rs := range [][]newRow{rows, principals} {
		for _, r := range rs {
			keys[r.actor], keys[r.account] = true, true
			switch r.kind {
			case NewUserAgent, NewAPICall:
				keys[asInt(r.vals[0])] = true
			case NewASO:
				asns[asInt(r.vals[0])] = true
			}
			if r.ip != 0 {
				keys[r.ip], ips[r.ip] = true, true
			}
		}
	}
	names, err := entityNames(ctx, c.db, keys)
	if err != nil {
		return nil, err
	}
	places, err := placeDetails(ctx, c.db, ips)
	if err != nil {
		return nil, err
	}
	orgs, err := asOrgs(ctx, c.db, asns)
	if err != nil {
		return nil, err
	}
	scope, base := ScopeJSON{Start: c.scope.Start, End: c.scope.End}, ScopeJSON{Start: c.base.Start, End: c.base.End}

	type itemKey struct {
		kind  Kind
		actor int64
		value string
	}
	byKey := map[itemKey]*Item{}
	var order []itemKey
	add := func(k itemKey, r newRow, fill func(*Item)) {
		it := byKey[k]
		if it == nil {
			actor := names[r.actor]
			it = &Item{Kind: k.kind, Title: k.kind.Title(), Entity: Ref{Type: actor.Type, ID: actor.ID}, Label: actor.label,
				Account: names[r.account].ID, Time: r.first.Unix(), LastSeen: r.last.Unix(),
				IsNewForEntireAccount: r.newAccount, Scope: scope, Baseline: base}
			fill(it)
			byKey[k] = it
			order = append(order, k)
		}
		it.Success += r.counts[0]
		it.Failure += r.counts[1]
		it.Time = min(it.Time, r.first.Unix())
		it.LastSeen = max(it.LastSeen, r.last.Unix())
		if r.ip != 0 {
			it.Addresses = append(it.Addresses, Address{Entity: Ref{Type: trailhound.IPAddress, ID: names[r.ip].ID}, Success: r.counts[0], Failure: r.counts[1]})
		}
	}
	allAccounts := map[itemKey][]newRow{}
	for _, r := range rows {
		if !principalTypes[names[r.actor].Type] {
			continue
		}
		var value string
		var fill func(*Item)
		switch r.kind {
		case NewGeolocation:
			loc := Location{Country: asString(r.vals[0]), Region: asString(r.vals[1]), City: asString(r.vals[2])}
			if p, ok := places[r.ip]; ok && p.Country == loc.Country && p.Region == loc.Region && p.City == loc.City {
				loc = p
			}
			value = loc.String()
			fill = func(it *Item) { l := loc; it.Location = &l; it.Value = value }
		case NewASO:
			asn := asInt(r.vals[0])
			value = "AS" + strconv.FormatInt(asn, 10)
			org := orgs[asn]
			fill = func(it *Item) {
				it.ASN, it.ASOrg = asn, org
				it.Value = value
				if org != "" {
					it.Value = org + " (" + value + ")"
				}
				it.Related = []Ref{{Type: trailhound.AutonomousSystem, ID: value}}
			}
		case NewUserAgent:
			value = names[asInt(r.vals[0])].ID
			fill = func(it *Item) {
				it.UserAgent, it.Value = value, value
				it.Related = []Ref{{Type: trailhound.UserAgent, ID: value}}
			}
		case NewAPICall:
			value = names[asInt(r.vals[0])].ID
			fill = func(it *Item) { it.API, it.Value = value, value }
		}
		k := itemKey{r.kind, r.actor, value}
		add(k, r, fill)
		if r.newAll {
			ak := itemKey{r.kind.allAccounts(), 0, value}
			allAccounts[ak] = append(allAccounts[ak], r)
		}
	}
	out := make([]Item, 0, len(order)+len(allAccounts)+len(principals))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	// An "all accounts" item describes the value once, naming every
	// principal; its other fields come from the per-principal item of
	// the principal that used it first.
	for ak, rs := range allAccounts {
		sort.Slice(rs, func(i, j int) bool { return rs[i].first.Before(rs[j].first) })
		per := *byKey[itemKey{perPrincipal(ak.kind), rs[0].actor, ak.value}]
		it := per
		it.Kind, it.Title = ak.kind, ak.kind.Title()
		it.IsNewForEntireAccount = true
		it.Success, it.Failure, it.Addresses = 0, 0, nil
		seen := map[int64]bool{}
		for _, r := range rs {
			it.Success += r.counts[0]
			it.Failure += r.counts[1]
			it.Time = min(it.Time, r.first.Unix())
			it.LastSeen = max(it.LastSeen, r.last.Unix())
			if r.ip != 0 {
				it.Addresses = append(it.Addresses, Address{Entity: Ref{Type: trailhound.IPAddress, ID: names[r.ip].ID}, Success: r.counts[0], Failure: r.counts[1]})
			}
			if !seen[r.actor] {
				seen[r.actor] = true
				it.Principals = append(it.Principals, Ref{Type: names[r.actor].Type, ID: names[r.actor].ID})
			}
		}
		out = append(out, it)
	}
	for _, r := range principals {
		actor := names[r.actor]
		if !principalTypes[actor.Type] {
			continue
		}
		value := actor.label
		if actor.arn != "" {
			value = actor.arn
		}
		if value == "" {
			value = actor.ID
		}
		out = append(out, Item{Kind: NewPrincipalAllAccounts, Title: NewPrincipalAllAccounts.Title(), Entity: Ref{Type: actor.Type, ID: actor.ID},
			Label: actor.label, Account: names[r.account].ID, Value: value, Time: r.first.Unix(), LastSeen: r.last.Unix(),
			Success: r.counts[0], Failure: r.counts[1], IsNewForEntireAccount: true, Scope: scope, Baseline: base})
	}
	rank := map[Kind]int{}
	for i, k := range Kinds {
		rank[k] = i
	}
	for i := range out {
		it := &out[i]
		sort.Slice(it.Addresses, func(a, b int) bool {
			x, y := it.Addresses[a], it.Addresses[b]
			if x.Success+x.Failure != y.Success+y.Failure {
				return x.Success+x.Failure > y.Success+y.Failure
			}
			return x.Entity.ID < y.Entity.ID
		})
		it.ID = itemID(it)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Time != b.Time {
			return a.Time < b.Time
		}
		if a.Kind != b.Kind {
			return rank[a.Kind] < rank[b.Kind]
		}
		if a.Entity != b.Entity {
			return a.Entity.Type < b.Entity.Type || a.Entity.Type == b.Entity.Type && a.Entity.ID < b.Entity.ID
		}
		return a.Value < b.Value
	})
	return out, nil
}

func perPrincipal(k Kind) Kind {
	for _, per := range []Kind{NewGeolocation, NewASO, NewUserAgent, NewAPICall} {
		if per.allAccounts() == k {
			return per
		}
	}
	return k
}

// itemID hashes what makes an item: its kind, principal, value and scope.
func itemID(it *Item) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%d", it.Kind, it.Entity.Type, it.Entity.ID, it.Value, it.Scope.Start, it.Scope.End)
	return fmt.Sprintf("ev-%016x", h.Sum64())
}

func prefixed(p string, names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return strings.Join(out, ", ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// asInt and asString read the untyped values the driver scans into any.
func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
