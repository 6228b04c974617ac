package investigate

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/evidence"
	"github.com/trailhound/trailhound/internal/graph"
)

// Limits of one investigation. Beyond them the report says what was left
// out; nothing is dropped silently.
const (
	maxChainDepth = 5     // role-chaining hops followed from the entity
	maxCallers    = 500   // sessions followed
	maxGroups     = 50000 // distinct (principal, API, address, agent, region) combinations
	maxSightings  = 20000 // per-minute address sightings for impossible travel
	maxFindings   = 100   // related findings
)

// caller is an entity whose calls belong to the investigation.
type caller struct {
	ref     trailhound.EntityRef
	label   string
	account string
	role    string // see Involved.Role
}

// callGroup is the scope's calls of one principal (the role behind a
// session, or the caller) with one API, address, user agent, region and
// read-only flag.
type callGroup struct {
	actor, account, api, ip, ua int64
	region                      string
	readOnly                    bool
	source                      string // the source when it is no address (a service name)
	example                     int64  // a caller (principal key) that made these calls
	callers                     int64  // how many distinct callers did
	ok, bad                     int64
	first, last                 time.Time
}

// keyUse is the scope's calls of one caller with one access key from one
// address.
type keyUse struct {
	principal, key, ip int64
	ok, bad            int64
}

// subject is everything one run learns about the entity's activity.
type subject struct {
	ent      *analysis.Entity
	ref      trailhound.EntityRef
	scope    trailhound.Scope
	base     trailhound.Scope
	callers  []caller
	cond     string // condition on events e selecting the callers' calls
	condArgs []any
	groups   []callGroup
	keyUses  []keyUse
	names    map[int64]name
	origins  map[string]*origin // by address text (or service name)
	evidence []evidence.Item
	// Baseline facts.
	actorAPI        map[[2]int64]bool // (actor, api) called during the baseline
	actorIP         map[[2]int64]bool
	accountIP       map[[2]int64]bool
	accountRegion   map[int64]map[string]bool
	accountHasCalls map[int64]bool
	actorHasCalls   map[int64]bool
	notes           []string
}

// name is an entity key resolved.
type name struct {
	trailhound.EntityRef
	label   string
	account string
}

// gather resolves the callers and reads the scope's activity and the
// baseline facts the indicators need.
func (iv *Investigator) gather(ctx context.Context, ent *analysis.Entity, scope trailhound.Scope) (*subject, error) {
	s := &subject{ent: ent, ref: trailhound.EntityRef{Type: ent.Type, ID: ent.ID}, scope: scope, base: scope.Baseline(iv.baseline),
		names: map[int64]name{}, origins: map[string]*origin{}}
	if err := iv.resolveCallers(ctx, s); err != nil {
		return nil, err
	}
	if len(s.callers) > 0 {
		if err := iv.readGroups(ctx, s); err != nil {
			return nil, err
		}
		if err := iv.readBaseline(ctx, s); err != nil {
			return nil, err
		}
		refs := make([]trailhound.EntityRef, len(s.callers))
		for i, c := range s.callers {
			refs[i] = c.ref
		}
		items, err := evidence.Compute(ctx, iv.db, scope, evidence.Options{Baseline: iv.baseline, Dialect: iv.dialect, Callers: refs,
			Kinds: []evidence.Kind{evidence.NewGeolocationAllAccounts, evidence.NewASOAllAccounts, evidence.NewUserAgentAllAccounts}})
		if err != nil {
			return nil, err
		}
		s.evidence = items
	}
	if err := iv.readOrigins(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// callerColumn is the events column that attributes calls to a caller
// type.
func callerColumn(ns trailhound.Namespace) string {
	switch ns {
	case trailhound.AwsRole:
		return "e.role_key"
	case trailhound.AccessKey:
		return "e.access_key_key"
	}
	return "e.principal_key"
}

// callerCond builds the condition selecting the calls of callers. Only
// integer keys reach the query.
func callerCond(callers []caller) (string, []any) {
	cols := map[string][]any{}
	for _, c := range callers {
		col := callerColumn(c.ref.Type)
		cols[col] = append(cols[col], c.ref.Key())
	}
	var parts []string
	var args []any
	for _, col := range []string{"e.principal_key", "e.role_key", "e.access_key_key"} {
		if keys := cols[col]; len(keys) > 0 {
			parts = append(parts, col+` IN (`+placeholders(len(keys))+`)`)
			args = append(args, keys...)
		}
	}
	return `(` + strings.Join(parts, " OR ") + `)`, args
}

// resolveCallers starts from the entity (an instance's own sessions for
// an instance) and follows role chaining: the sessions whose AssumeRole
// call was one of the callers' calls during the scope, hop by hop, across
// accounts when both trails are stored.
func (iv *Investigator) resolveCallers(ctx context.Context, s *subject) error {
	ts := iv.dialect.Timestamp()
	switch s.ref.Type {
	case trailhound.Ec2Instance:
		keys, err := iv.keys(ctx, `SELECT DISTINCT src FROM edges WHERE kind = 'started_by' AND dst = ?`, s.ref.Key())
		if err != nil {
			return fmt.Errorf("investigate: instance sessions: %w", err)
		}
		ns, err := iv.resolveNames(ctx, s, keys)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if n, ok := ns[k]; ok && n.Type == trailhound.AwsRoleSession {
				s.callers = append(s.callers, caller{ref: n.EntityRef, label: n.label, account: n.account, role: "instance session"})
			}
		}
		sortCallers(s.callers)
	default:
		s.callers = []caller{{ref: s.ref, label: s.ent.Label, account: s.ent.Account, role: "investigated"}}
	}
	seen := map[trailhound.EntityRef]bool{}
	for _, c := range s.callers {
		seen[c.ref] = true
	}
	frontier := s.callers
	for depth := 0; depth < maxChainDepth && len(frontier) > 0; depth++ {
		cond, args := callerCond(frontier)
		keys, err := iv.keys(ctx, `SELECT DISTINCT f.key FROM facts f WHERE f.name = 'started_by' AND f.event_id IN (
  SELECT e.event_id FROM events e WHERE `+cond+` AND e.event_time >= `+ts+` AND e.event_time < `+ts+`)`,
			append(args, s.scope.Start, s.scope.End)...)
		if err != nil {
			return fmt.Errorf("investigate: role chaining: %w", err)
		}
		ns, err := iv.resolveNames(ctx, s, keys)
		if err != nil {
			return err
		}
		var next []caller
		for _, k := range keys {
			n, ok := ns[k]
			if !ok || n.Type != trailhound.AwsRoleSession || seen[n.EntityRef] {
				continue
			}
			if len(s.callers) >= maxCallers {
				s.notes = append(s.notes, fmt.Sprintf("Only the first %d sessions started through role chaining were followed.", maxCallers))
				break
			}
			seen[n.EntityRef] = true
			c := caller{ref: n.EntityRef, label: n.label, account: n.account, role: "started session"}
			next = append(next, c)
			s.callers = append(s.callers, c)
		}
		sortCallers(next)
		frontier = next
	}
	if len(s.callers) > 0 {
		s.cond, s.condArgs = callerCond(s.callers)
	}
	return nil
}

func sortCallers(cs []caller) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ref.ID < cs[j].ref.ID })
}

// readGroups reads the scope's calls, grouped, and which access keys the
// callers used from where.
func (iv *Investigator) readGroups(ctx context.Context, s *subject) error {
	ts := iv.dialect.Timestamp()
	args := append(append([]any{}, s.condArgs...), s.scope.Start, s.scope.End, maxGroups+1)
	rows, err := iv.db.QueryContext(ctx, `SELECT CASE WHEN e.role_key <> 0 THEN e.role_key ELSE e.principal_key END, e.account_key, e.api_key, e.ip_key, e.ua_key,
  coalesce(e.aws_region, ''), coalesce(e.read_only, false), CASE WHEN e.ip_key = 0 THEN coalesce(e.source_ip, '') ELSE '' END,
  min(e.principal_key), count(DISTINCT e.principal_key),
  sum(CASE WHEN e.failed THEN 0 ELSE 1 END), sum(CASE WHEN e.failed THEN 1 ELSE 0 END), min(e.event_time), max(e.event_time)
FROM events e WHERE `+s.cond+` AND e.event_time >= `+ts+` AND e.event_time < `+ts+`
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY min(e.event_time), 1, 3, 4, 5, 6 LIMIT ?`, args...)
	if err != nil {
		return fmt.Errorf("investigate: calls: %w", err)
	}
	for rows.Next() {
		var g callGroup
		if err := rows.Scan(&g.actor, &g.account, &g.api, &g.ip, &g.ua, &g.region, &g.readOnly, &g.source, &g.example, &g.callers,
			&g.ok, &g.bad, &g.first, &g.last); err != nil {
			rows.Close()
			return fmt.Errorf("investigate: calls: %w", err)
		}
		s.groups = append(s.groups, g)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("investigate: calls: %w", err)
	}
	if len(s.groups) > maxGroups {
		s.groups = s.groups[:maxGroups]
		s.notes = append(s.notes, fmt.Sprintf("The activity has more than %d distinct combinations of caller, API, address, user agent and region; only the earliest %d were examined: narrow the scope to see the rest.", maxGroups, maxGroups))
	}
	rows, err = iv.db.QueryContext(ctx, `SELECT e.principal_key, e.access_key_key, e.ip_key,
  sum(CASE WHEN e.failed THEN 0 ELSE 1 END), sum(CASE WHEN e.failed THEN 1 ELSE 0 END)
FROM events e WHERE `+s.cond+` AND e.event_time >= `+ts+` AND e.event_time < `+ts+`
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT ?`, args...)
	if err != nil {
		return fmt.Errorf("investigate: access keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u keyUse
		if err := rows.Scan(&u.principal, &u.key, &u.ip, &u.ok, &u.bad); err != nil {
			return fmt.Errorf("investigate: access keys: %w", err)
		}
		s.keyUses = append(s.keyUses, u)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("investigate: access keys: %w", err)
	}
	keys := map[int64]bool{}
	for _, g := range s.groups {
		keys[g.actor], keys[g.account], keys[g.api], keys[g.ip], keys[g.ua], keys[g.example] = true, true, true, true, true, true
	}
	for _, u := range s.keyUses {
		keys[u.principal], keys[u.key], keys[u.ip] = true, true, true
	}
	list := make([]int64, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	_, err = iv.resolveNames(ctx, s, list)
	return err
}

// readBaseline reads what the baseline knew: which APIs and addresses the
// principals used, which addresses and regions their accounts used, and
// whether there was any baseline activity at all.
func (iv *Investigator) readBaseline(ctx context.Context, s *subject) error {
	actors, accounts, apis, ips := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, g := range s.groups {
		actors[g.actor], accounts[g.account], apis[g.api] = true, true, true
		if g.ip != 0 {
			ips[g.ip] = true
		}
	}
	for _, u := range s.keyUses {
		if u.ip != 0 {
			ips[u.ip] = true
		}
	}
	ts := iv.dialect.Timestamp()
	baseCond := `e.event_time >= ` + ts + ` AND e.event_time < ` + ts
	baseArgs := []any{s.base.Start, s.base.End}
	actorList, accountList := keyList(actors), keyList(accounts)
	actorCond := `(e.role_key IN (` + placeholders(len(actorList)) + `) OR (e.role_key = 0 AND e.principal_key IN (` + placeholders(len(actorList)) + `)))`
	actorArgs := append(append([]any{}, actorList...), actorList...)
	pairs := func(what, q string, args []any) (map[[2]int64]bool, error) {
		out := map[[2]int64]bool{}
		rows, err := iv.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("investigate: baseline %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b int64
			if err := rows.Scan(&a, &b); err != nil {
				return nil, fmt.Errorf("investigate: baseline %s: %w", what, err)
			}
			out[[2]int64{a, b}] = true
		}
		return out, rows.Err()
	}
	var err error
	s.actorAPI, s.actorIP, s.accountIP = map[[2]int64]bool{}, map[[2]int64]bool{}, map[[2]int64]bool{}
	s.accountRegion, s.accountHasCalls, s.actorHasCalls = map[int64]map[string]bool{}, map[int64]bool{}, map[int64]bool{}
	if len(actorList) == 0 {
		return nil
	}
	actorExpr := `CASE WHEN e.role_key <> 0 THEN e.role_key ELSE e.principal_key END`
	if apiList := keyList(apis); len(apiList) > 0 {
		s.actorAPI, err = pairs("APIs", `SELECT DISTINCT `+actorExpr+`, e.api_key FROM events e WHERE `+baseCond+` AND `+actorCond+
			` AND e.api_key IN (`+placeholders(len(apiList))+`)`, concat(baseArgs, actorArgs, apiList))
		if err != nil {
			return err
		}
	}
	if ipList := keyList(ips); len(ipList) > 0 {
		s.actorIP, err = pairs("addresses", `SELECT DISTINCT `+actorExpr+`, e.ip_key FROM events e WHERE `+baseCond+` AND `+actorCond+
			` AND e.ip_key IN (`+placeholders(len(ipList))+`)`, concat(baseArgs, actorArgs, ipList))
		if err != nil {
			return err
		}
		s.accountIP, err = pairs("account addresses", `SELECT DISTINCT e.account_key, e.ip_key FROM events e WHERE `+baseCond+
			` AND e.account_key IN (`+placeholders(len(accountList))+`) AND e.ip_key IN (`+placeholders(len(ipList))+`)`, concat(baseArgs, accountList, ipList))
		if err != nil {
			return err
		}
	}
	rows, err := iv.db.QueryContext(ctx, `SELECT DISTINCT e.account_key, coalesce(e.aws_region, '') FROM events e WHERE `+baseCond+
		` AND e.account_key IN (`+placeholders(len(accountList))+`)`, concat(baseArgs, accountList)...)
	if err != nil {
		return fmt.Errorf("investigate: baseline regions: %w", err)
	}
	for rows.Next() {
		var a int64
		var r string
		if err := rows.Scan(&a, &r); err != nil {
			rows.Close()
			return fmt.Errorf("investigate: baseline regions: %w", err)
		}
		if s.accountRegion[a] == nil {
			s.accountRegion[a] = map[string]bool{}
		}
		s.accountRegion[a][r] = true
		s.accountHasCalls[a] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("investigate: baseline regions: %w", err)
	}
	active, err := pairs("principals", `SELECT DISTINCT `+actorExpr+`, 0 FROM events e WHERE `+baseCond+` AND `+actorCond, concat(baseArgs, actorArgs))
	if err != nil {
		return err
	}
	for p := range active {
		s.actorHasCalls[p[0]] = true
	}
	var missing []string
	for _, a := range accountList {
		if k := a.(int64); !s.accountHasCalls[k] {
			missing = append(missing, s.names[k].ID)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		s.notes = append(s.notes, fmt.Sprintf("No call of account %s was stored during the baseline (%s to %s), so nothing in it could be called new or unfamiliar: load older logs for a meaningful comparison.",
			strings.Join(missing, ", "), isoTime(s.base.Start), isoTime(s.base.End)))
	}
	return nil
}

// resolveNames names entity keys, remembering them in s.
func (iv *Investigator) resolveNames(ctx context.Context, s *subject, keys []int64) (map[int64]name, error) {
	var want []any
	for _, k := range keys {
		if _, ok := s.names[k]; !ok && k != 0 {
			want = append(want, k)
		}
	}
	const chunk = 500
	for i := 0; i < len(want); i += chunk {
		part := want[i:min(i+chunk, len(want))]
		rows, err := iv.db.QueryContext(ctx, `SELECT key, namespace, id, coalesce(`+graph.LabelSQL+`, ''), coalesce(max(account), '')
FROM entities WHERE key IN (`+placeholders(len(part))+`) GROUP BY key, namespace, id`, part...)
		if err != nil {
			return nil, fmt.Errorf("investigate: names: %w", err)
		}
		for rows.Next() {
			var k int64
			var n name
			var ns string
			if err := rows.Scan(&k, &ns, &n.ID, &n.label, &n.account); err != nil {
				rows.Close()
				return nil, fmt.Errorf("investigate: names: %w", err)
			}
			n.Type = trailhound.Namespace(ns)
			s.names[k] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("investigate: names: %w", err)
		}
	}
	out := make(map[int64]name, len(keys))
	for _, k := range keys {
		if n, ok := s.names[k]; ok {
			out[k] = n
		}
	}
	return out, nil
}

// keys runs a query selecting one integer column.
func (iv *Investigator) keys(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := iv.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// origin is a source address of the activity (or a service name for
// calls AWS made on the caller's behalf) with what the baseline knew.
type origin struct {
	text     string
	key      int64
	class    string
	loc      *Location
	asn      int64
	aso      string
	ok, bad  int64
	first    time.Time
	last     time.Time
	uas      map[int64]bool
	actors   map[int64]bool
	accounts map[int64]bool

	federated      bool // every caller that used it was authenticated by an identity provider
	knownToActor   bool // a principal that used it used it during the baseline
	knownToAccount bool // every account whose calls came from it knew it
	noBaseline     bool // an account whose calls came from it has no baseline
	newUA          []string
	newASO         bool
	newPlace       bool
	newCountry     bool // no call of an account whose calls came from it came from its country during the baseline
	flag           *Flag
	familiarity    string
	why            []string
}

// Familiarity levels of an origin; see AddressSummary.
const (
	famKnown      = "known"
	famAccount    = "account"
	famNew        = "new"
	famUnfamiliar = "unfamiliar"
	famInternal   = "internal"
	famService    = "service"
)

// suspicious reports whether calls from the origin deserve attention
// whatever they are: it is unfamiliar, or a threat list names it.
func (o *origin) suspicious() bool { return o.familiarity == famUnfamiliar || o.flag != nil }

// readOrigins builds the origins of the calls: enrichment, baseline
// familiarity, corroborating novelties and threat-list flags.
func (iv *Investigator) readOrigins(ctx context.Context, s *subject) error {
	for _, g := range s.groups {
		text, key := g.source, g.ip
		if key != 0 {
			text = s.names[key].ID
		}
		if text == "" {
			text = "(none)"
		}
		o := s.origins[text]
		if o == nil {
			o = &origin{text: text, key: key, uas: map[int64]bool{}, actors: map[int64]bool{}, accounts: map[int64]bool{}, first: g.first, last: g.last}
			s.origins[text] = o
		}
		o.ok += g.ok
		o.bad += g.bad
		if g.first.Before(o.first) {
			o.first = g.first
		}
		if g.last.After(o.last) {
			o.last = g.last
		}
		if g.ua != 0 {
			o.uas[g.ua] = true
		}
		o.actors[g.actor], o.accounts[g.account] = true, true
	}
	ips := map[int64]bool{}
	for _, o := range s.origins {
		if o.key != 0 {
			ips[o.key] = true
		}
	}
	info, err := iv.ipDetails(ctx, ips)
	if err != nil {
		return err
	}
	federated, err := iv.federatedCallers(ctx, s)
	if err != nil {
		return err
	}
	byIP := map[int64][]int64{}
	for _, u := range s.keyUses {
		byIP[u.ip] = append(byIP[u.ip], u.principal)
	}
	// Novelties the evidence found, by address: a network or a place no
	// call of the account used, a user agent no account used.
	newASO, newPlace := map[string]bool{}, map[string]bool{}
	newUA := map[string]bool{}
	for _, it := range s.evidence {
		switch it.Kind {
		case evidence.NewASO:
			if it.IsNewForEntireAccount {
				for _, a := range it.Addresses {
					newASO[a.Entity.ID] = true
				}
			}
		case evidence.NewGeolocation:
			if it.IsNewForEntireAccount {
				for _, a := range it.Addresses {
					newPlace[a.Entity.ID] = true
				}
			}
		case evidence.NewUserAgentAllAccounts:
			newUA[it.UserAgent] = true
		}
	}
	countries, err := iv.accountCountries(ctx, s, info)
	if err != nil {
		return err
	}
	for _, o := range s.origins {
		if d, ok := info[o.key]; ok {
			o.class, o.loc, o.asn, o.aso = d.class, d.loc, d.asn, d.aso
		}
		o.newCountry = false
		if o.loc != nil {
			for a := range o.accounts {
				if s.accountHasCalls[a] && !countries[a][o.loc.Country] {
					o.newCountry = true
				}
			}
		}
		o.flag = nil
		if f, ok := iv.intel.Lookup(o.text); ok && o.key != 0 {
			o.flag = &f
		}
		o.knownToActor = false
		for a := range o.actors {
			if s.actorIP[[2]int64{a, o.key}] {
				o.knownToActor = true
			}
		}
		o.knownToAccount = true
		for a := range o.accounts {
			if !s.accountIP[[2]int64{a, o.key}] {
				o.knownToAccount = false
			}
			if !s.accountHasCalls[a] {
				o.noBaseline = true
			}
		}
		o.federated = len(byIP[o.key]) > 0
		for _, p := range byIP[o.key] {
			if !federated[p] {
				o.federated = false
			}
		}
		for ua := range o.uas {
			if u := s.names[ua].ID; newUA[u] {
				o.newUA = append(o.newUA, u)
			}
		}
		sort.Strings(o.newUA)
		o.newASO, o.newPlace = newASO[o.text], newPlace[o.text]
		o.judge()
	}
	return nil
}

// judge sets the origin's familiarity and the reasons for it.
func (o *origin) judge() {
	o.why = nil
	switch {
	case o.key == 0:
		o.familiarity = famService
		o.why = append(o.why, "calls made by an AWS service on the principal's behalf")
	case o.class != "" && o.class != "public":
		o.familiarity = famInternal
		o.why = append(o.why, "a "+o.class+" address, inside a network")
	case o.knownToActor:
		o.familiarity = famKnown
	case o.knownToAccount:
		o.familiarity = famAccount
		o.why = append(o.why, "other principals of the account called from it during the baseline")
	case o.noBaseline:
		o.familiarity = famAccount
		o.why = append(o.why, "the account has no baseline to compare with")
	default:
		o.why = append(o.why, "no call of the account came from it during the baseline")
		// What corroborates a new address: a client no account ever used,
		// or a country the account never worked from. A new network or
		// city in a country the account works from is ordinary (home
		// broadband, mobile networks, another office) and only said.
		corroborated := false
		for _, ua := range o.newUA {
			o.why = append(o.why, "it was used with the user agent "+strconv.Quote(ua)+", which no account used during the baseline")
			corroborated = true
		}
		if o.newCountry {
			name := o.loc.CountryName
			if name == "" {
				name = o.loc.Country
			}
			o.why = append(o.why, "the account never worked from "+name+" during the baseline")
			corroborated = true
		}
		if o.newASO {
			org := o.aso
			if org == "" {
				org = "its network"
			}
			o.why = append(o.why, fmt.Sprintf("%s (AS%d) is new for the account", org, o.asn))
		}
		if o.newPlace && o.loc != nil && !o.newCountry {
			o.why = append(o.why, o.loc.String()+" is a new place for the account")
		}
		o.familiarity = famNew
		switch {
		case corroborated && o.federated:
			// An identity provider authenticated the people and
			// pipelines behind federated sessions where they were: a
			// new home, office, cloud region or browser is reported as
			// new values, not as someone else using the credentials.
			o.why = append(o.why, "but every caller from it was authenticated by an identity provider (SAML, web identity, IAM Identity Center), which vouches for them wherever they are")
		case corroborated:
			o.familiarity = famUnfamiliar
		}
	}
	if o.flag != nil {
		o.why = append(o.why, fmt.Sprintf("threat intelligence flags it: %s (%s)", o.flag.Reason, o.flag.Source))
	}
}

// ipInfo is an address's enrichment.
type ipInfo struct {
	class    string
	loc      *Location
	lat, lon *float64
	asn      int64
	aso      string
}

func (iv *Investigator) ipDetails(ctx context.Context, keys map[int64]bool) (map[int64]ipInfo, error) {
	out := map[int64]ipInfo{}
	list := keyList(keys)
	const chunk = 500
	for i := 0; i < len(list); i += chunk {
		part := list[i:min(i+chunk, len(list))]
		rows, err := iv.db.QueryContext(ctx, `SELECT key, class, coalesce(country, ''), coalesce(country_name, ''), coalesce(region, ''), coalesce(city, ''),
  latitude, longitude, coalesce(asn, 0), coalesce(as_org, '') FROM ip_info WHERE key IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("investigate: addresses: %w", err)
		}
		for rows.Next() {
			var k int64
			var d ipInfo
			var l Location
			var lat, lon sql.NullFloat64
			if err := rows.Scan(&k, &d.class, &l.Country, &l.CountryName, &l.Region, &l.City, &lat, &lon, &d.asn, &d.aso); err != nil {
				rows.Close()
				return nil, fmt.Errorf("investigate: addresses: %w", err)
			}
			if lat.Valid && lon.Valid {
				la, lo := lat.Float64, lon.Float64
				l.Latitude, l.Longitude = &la, &lo
				d.lat, d.lon = &la, &lo
			}
			if l.Country != "" {
				d.loc = &l
			}
			out[k] = d
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("investigate: addresses: %w", err)
		}
	}
	return out, nil
}

// isInstanceSession reports whether a caller is an instance profile's
// session: its session name is the instance id.
func isInstanceSession(n name) bool {
	if n.Type != trailhound.AwsRoleSession {
		return false
	}
	_, sess, ok := strings.Cut(n.ID, ":")
	return ok && graph.IsInstanceID(sess)
}

func keyList(m map[int64]bool) []any {
	out := make([]any, 0, len(m))
	for k := range m {
		if k != 0 {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].(int64) < out[j].(int64) })
	return out
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func isoTime(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// federatedCallers returns the callers an identity provider authenticated:
// federated users, and role sessions a federated user started
// (AssumeRoleWithSAML, AssumeRoleWithWebIdentity, IAM Identity Center).
func (iv *Investigator) federatedCallers(ctx context.Context, s *subject) (map[int64]bool, error) {
	out := map[int64]bool{}
	var sessions []any
	for _, u := range s.keyUses {
		switch s.names[u.principal].Type {
		case trailhound.FederatedUser:
			out[u.principal] = true
		case trailhound.AwsRoleSession:
			sessions = append(sessions, u.principal)
		}
	}
	const chunk = 500
	for i := 0; i < len(sessions); i += chunk {
		part := sessions[i:min(i+chunk, len(sessions))]
		keys, err := iv.keys(ctx, `SELECT DISTINCT key FROM facts WHERE name = 'started_by' AND value LIKE 'FederatedUser/%' AND key IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("investigate: federated sessions: %w", err)
		}
		for _, k := range keys {
			out[k] = true
		}
	}
	return out, nil
}

// accountCountries returns, for the accounts of the activity, the
// countries their calls came from during the baseline (only the countries
// of the activity's addresses are asked about).
func (iv *Investigator) accountCountries(ctx context.Context, s *subject, info map[int64]ipInfo) (map[int64]map[string]bool, error) {
	out := map[int64]map[string]bool{}
	accounts := map[int64]bool{}
	countries := map[string]bool{}
	for _, o := range s.origins {
		if d, ok := info[o.key]; ok && d.loc != nil {
			countries[d.loc.Country] = true
			for a := range o.accounts {
				accounts[a] = true
			}
		}
	}
	if len(countries) == 0 {
		return out, nil
	}
	accountList := keyList(accounts)
	var countryList []any
	for c := range countries {
		countryList = append(countryList, c)
	}
	ts := iv.dialect.Timestamp()
	rows, err := iv.db.QueryContext(ctx, `SELECT DISTINCT e.account_key, i.country FROM events e JOIN ip_info i ON i.key = e.ip_key
WHERE e.event_time >= `+ts+` AND e.event_time < `+ts+` AND e.account_key IN (`+placeholders(len(accountList))+`)
  AND i.country IN (`+placeholders(len(countryList))+`)`, concat([]any{s.base.Start, s.base.End}, accountList, countryList)...)
	if err != nil {
		return nil, fmt.Errorf("investigate: baseline countries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a int64
		var c string
		if err := rows.Scan(&a, &c); err != nil {
			return nil, fmt.Errorf("investigate: baseline countries: %w", err)
		}
		if out[a] == nil {
			out[a] = map[string]bool{}
		}
		out[a][c] = true
	}
	return out, rows.Err()
}
