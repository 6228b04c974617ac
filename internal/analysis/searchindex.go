package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/trailhound/trailhound"
)

// searchIndex answers the searches without a scope — an investigator's
// first question, and every listing of a type — from memory, where the
// query of Search would merge and rank millions of addresses each time.
// It holds every entity (the Api nodes excepted) ranked as Search ranks
// them over all data: most API calls first, then type and id. Addresses,
// nearly all of a large store's entities, keep only their text, times and
// activity; the few entities with a name, ARN or account keep those too.
//
// An index answers for the store it was built from: it carries the row
// counts of the entities and activity tables (both only change when a write
// adds rows, or when the key-order rewrite merges them), and Search uses
// it only while they are unchanged. Otherwise Search answers with SQL and
// a new index is built in the background.
type searchIndex struct {
	version storeVersion

	n        int
	ns       []uint8 // index into nsNames
	nsNames  []trailhound.Namespace
	text     []byte   // ids, one after the other
	off      []uint32 // id i is text[off[i]:off[i+1]]
	first    []int64
	last     []int64
	activity []int64
	extra    map[int32]*indexExtra

	byNS    [][]int32 // ranks of each namespace, ascending
	named   []int32   // ranks of the entities that are not addresses
	ipText  []int32   // ranks of the addresses, by id
	ipv4    []uint32  // IPv4 addresses (and mapped ones), ascending
	ipv4Rnk []int32   // their ranks
	ipv6    []int32   // ranks of the other addresses
}

// indexExtra holds what an entity has beyond its id, with the lowered
// forms patterns are matched against.
type indexExtra struct {
	label, arn, account string
	lid, llabel, larn   string
}

// storeVersion identifies the contents an index was built from.
type storeVersion struct{ entities, activity, pruned int64 }

func (e *Engine) storeVersion(ctx context.Context) (storeVersion, error) {
	var v storeVersion
	err := e.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM activity), `+prunedBefore).
		Scan(&v.entities, &v.activity, &v.pruned)
	return v, err
}

// maxIndexedEntities bounds the index (about 60 bytes an address): a
// larger store is searched with SQL only.
const maxIndexedEntities = 12_000_000

// searchIndexState is the engine's index and its background build.
type searchIndexState struct {
	enabled  bool
	current  atomic.Pointer[searchIndex]
	building atomic.Bool
	mu       sync.Mutex
	ctx      context.Context
	log      *slog.Logger
	builds   sync.WaitGroup
}

// WarmUp builds the search index in the background after delay (or after
// the first search without a scope, if sooner), so that the searches of a
// freshly started server are answered from memory without the build
// competing with its first queries for the CPU, and keeps the index
// current: a search that finds the store changed starts a new build. Call
// stop before closing the database; it cancels a build in progress and
// waits for it. Without WarmUp the engine searches with SQL only.
// Each build is logged (search_index_built, with its entities and
// seconds) to log, when not nil.
func (e *Engine) WarmUp(ctx context.Context, delay time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	s := &e.search
	s.mu.Lock()
	s.enabled, s.ctx, s.log = true, ctx, log
	s.mu.Unlock()
	go func() {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			e.rebuildSearchIndex()
		case <-ctx.Done():
		}
	}()
	return func() {
		s.mu.Lock()
		s.enabled = false
		s.mu.Unlock()
		cancel()
		s.builds.Wait()
	}
}

// rebuildSearchIndex starts a build unless one is running.
func (e *Engine) rebuildSearchIndex() {
	s := &e.search
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, log := s.ctx, s.log
	if !s.enabled || ctx.Err() != nil || !s.building.CompareAndSwap(false, true) {
		return
	}
	s.builds.Add(1)
	go func() {
		defer s.builds.Done()
		defer s.building.Store(false)
		began := time.Now()
		idx, err := e.buildSearchIndex(ctx)
		switch {
		case err != nil && ctx.Err() == nil && log != nil:
			log.Warn("search_index_failed", "error", err.Error())
		case err == nil && idx == nil && log != nil:
			log.Info("search_index_skipped", "reason", fmt.Sprintf("more than %d entities: searches use SQL", maxIndexedEntities))
		case err == nil && idx != nil:
			s.current.Store(idx)
			if log != nil {
				log.Info("search_index_built", "entities", idx.n, "seconds", time.Since(began).Seconds())
			}
		}
	}()
}

// usableSearchIndex returns the index when it answers for the store as it
// is. Otherwise it returns nil and, when the engine keeps an index, says
// that one should be built: the caller starts the build once it has
// answered, so that the build does not share the CPU with its answer.
func (e *Engine) usableSearchIndex(ctx context.Context) (idx *searchIndex, build bool) {
	s := &e.search
	s.mu.Lock()
	enabled := s.enabled
	s.mu.Unlock()
	if !enabled {
		return nil, false
	}
	if idx = s.current.Load(); idx != nil {
		v, err := e.storeVersion(ctx)
		if err == nil && v == idx.version {
			return idx, false
		}
	}
	return nil, true
}

// buildSearchIndex reads every entity with its activity over all data,
// ranked by the store, and keeps them in that order. It returns nil (and
// no error) for a store past the bound.
func (e *Engine) buildSearchIndex(ctx context.Context) (*searchIndex, error) {
	fail := func(err error) (*searchIndex, error) { return nil, fmt.Errorf("analysis: search index: %w", err) }
	release, err := e.exclusive(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	v, err := e.storeVersion(ctx)
	if err != nil {
		return fail(err)
	}
	if v.entities > maxIndexedEntities {
		return nil, nil
	}
	// Activity over all data, attributed as Search attributes it, joined
	// and ranked by the store: the rows arrive in the index's order.
	var parts []string
	for _, col := range activityColumns("") {
		parts = append(parts, `SELECT `+col+` AS k, success + failure AS n FROM activity WHERE `+activityCond(col))
	}
	// Entities are merged from their observations unless the table holds
	// one row per entity (rewritten in key order, nothing written since):
	// merging 7M addresses again took more than serve's DuckDB memory
	// beside the sort.
	ent := entitySelect + ` WHERE namespace <> ? GROUP BY key, namespace, id`
	var merged bool
	if err := e.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entities) =
    coalesce((SELECT max(value) FROM store_state WHERE name = 'entities.ordered_rows'), -1)`).Scan(&merged); err != nil {
		return fail(err)
	}
	if merged {
		ent = `SELECT key, namespace, id, coalesce(label, '') AS label, coalesce(arn, '') AS arn, coalesce(account, '') AS account,
    first_seen, last_seen FROM entities WHERE namespace <> ?`
	}
	q := `WITH act AS (SELECT k, sum(n) AS n FROM (` + strings.Join(parts, " UNION ALL ") + `) a GROUP BY k),
ent AS (` + ent + `)
SELECT ent.namespace, ent.id, nullif(ent.label, ent.id), nullif(ent.arn, ''), nullif(ent.account, ''),
	` + e.dialect.EpochSeconds("ent.first_seen") + `, ` + e.dialect.EpochSeconds("ent.last_seen") + `, coalesce(act.n, 0) AS activity
FROM ent LEFT JOIN act ON act.k = ent.key
ORDER BY activity DESC, 1, 2`
	rows, err := e.db.QueryContext(ctx, q, string(internalAPINamespace))
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	capacity := int(v.entities)
	x := &searchIndex{version: v, ns: make([]uint8, 0, capacity), off: make([]uint32, 1, capacity+1),
		first: make([]int64, 0, capacity), last: make([]int64, 0, capacity), activity: make([]int64, 0, capacity),
		extra: map[int32]*indexExtra{}}
	nsIndex := map[trailhound.Namespace]uint8{}
	type v4 struct {
		a uint32
		r int32
	}
	var ipv4 []v4
	var ns, id string
	var label, arn, account sql.NullString
	var first, last, activity int64
	for rows.Next() {
		// Addresses, nearly all rows, have no label of their own, ARN or
		// account: those come back NULL and cost little to scan.
		if err := rows.Scan(&ns, &id, &label, &arn, &account, &first, &last, &activity); err != nil {
			return fail(err)
		}
		r := entityRow{Ref: trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id}, Label: id, ARN: arn.String, Account: account.String}
		if label.Valid {
			r.Label = label.String
		}
		n, ok := nsIndex[r.Ref.Type]
		if !ok {
			if len(x.nsNames) == 255 {
				return fail(fmt.Errorf("more than 255 entity types"))
			}
			n = uint8(len(x.nsNames))
			nsIndex[r.Ref.Type] = n
			x.nsNames = append(x.nsNames, r.Ref.Type)
			x.byNS = append(x.byNS, nil)
		}
		if uint64(len(x.text))+uint64(len(r.Ref.ID)) > 1<<32-1 {
			return nil, nil
		}
		rank := int32(x.n)
		x.n++
		x.ns = append(x.ns, n)
		x.text = append(x.text, r.Ref.ID...)
		x.off = append(x.off, uint32(len(x.text)))
		x.first = append(x.first, first)
		x.last = append(x.last, last)
		x.activity = append(x.activity, activity)
		x.byNS[n] = append(x.byNS[n], rank)
		if r.Ref.Type != trailhound.IPAddress || r.Label != r.Ref.ID || r.ARN != "" || r.Account != "" {
			x.extra[rank] = &indexExtra{label: r.Label, arn: r.ARN, account: r.Account,
				lid: strings.ToLower(r.Ref.ID), llabel: strings.ToLower(r.Label), larn: strings.ToLower(r.ARN)}
		}
		if r.Ref.Type != trailhound.IPAddress {
			x.named = append(x.named, rank)
			continue
		}
		x.ipText = append(x.ipText, rank)
		if a, err := netip.ParseAddr(r.Ref.ID); err == nil {
			if a = a.Unmap(); a.Is4() {
				b := a.As4()
				ipv4 = append(ipv4, v4{uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), rank})
			} else {
				x.ipv6 = append(x.ipv6, rank)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	slices.SortFunc(x.ipText, func(a, b int32) int { return strings.Compare(x.idView(a), x.idView(b)) })
	slices.SortFunc(ipv4, func(a, b v4) int {
		if a.a != b.a {
			if a.a < b.a {
				return -1
			}
			return 1
		}
		return int(a.r - b.r)
	})
	x.ipv4, x.ipv4Rnk = make([]uint32, len(ipv4)), make([]int32, len(ipv4))
	for i, p := range ipv4 {
		x.ipv4[i], x.ipv4Rnk[i] = p.a, p.r
	}
	return x, nil
}

// id returns the id of the entity at rank r.
func (x *searchIndex) id(r int32) string {
	return string(x.text[x.off[r]:x.off[r+1]])
}

// idView returns the id of the entity at rank r without a copy: a view of
// the index's text, which is never written after the build.
func (x *searchIndex) idView(r int32) string {
	a, b := x.off[r], x.off[r+1]
	if a == b {
		return ""
	}
	return unsafe.String(&x.text[a], b-a)
}

// result is the search result of rank r.
func (x *searchIndex) result(r int32) SearchResult {
	id := x.id(r)
	out := SearchResult{Type: x.nsNames[x.ns[r]], ID: id, Label: id, FirstSeen: x.first[r], LastSeen: x.last[r], Activity: x.activity[r]}
	if ex := x.extra[r]; ex != nil {
		out.Label, out.ARN, out.Account = ex.label, ex.arn, ex.account
	}
	return out
}

// namespace returns the index of ns, or -1 when no entity has it.
func (x *searchIndex) namespace(ns trailhound.Namespace) int {
	for i, n := range x.nsNames {
		if n == ns {
			return i
		}
	}
	return -1
}

// search answers a search without a scope as Search's queries would:
// the same matches, order, totals and pages. q is trimmed; prefix is its
// CIDR block when isCIDR.
func (x *searchIndex) search(typ trailhound.Namespace, q string, prefix netip.Prefix, isCIDR bool, offset, limit int) *SearchResults {
	out := &SearchResults{Results: []SearchResult{}}
	want := -1
	if typ != "" {
		if want = x.namespace(typ); want < 0 {
			return out
		}
	}
	// A listing pages through the ranks of its type directly; a pattern
	// of wildcards alone matches every entity, as a listing does.
	if q == "" || strings.Trim(q, "*") == "" {
		var total int
		page := func(i int) int32 { return int32(i) }
		if want >= 0 {
			ranks := x.byNS[want]
			total, page = len(ranks), func(i int) int32 { return ranks[i] }
		} else {
			total = x.n
		}
		for i := offset; i < total && i < offset+limit; i++ {
			out.Results = append(out.Results, x.result(page(i)))
		}
		out.Total = int64(total)
		if offset+limit < total {
			out.Cursor = encodeCursor(offset + limit)
		}
		return out
	}
	// Matches are marked by rank; reading the marks in order gives
	// Search's order without sorting the matches.
	marks := make([]uint64, (x.n+63)/64)
	mark := func(r int32) { marks[r>>6] |= 1 << (uint(r) & 63) }
	ip := x.namespace(trailhound.IPAddress)
	switch {
	case isCIDR:
		x.markCIDR(prefix, mark)
	default:
		lower := strings.ToLower(q)
		match := compileGlob(lower)
		if want < 0 || want != ip {
			for _, r := range x.named {
				if want >= 0 && int(x.ns[r]) != want {
					continue
				}
				ex := x.extra[r]
				if ex == nil {
					continue
				}
				if match(ex.lid) || match(ex.llabel) || match(ex.larn) {
					mark(r)
				}
			}
		}
		if ip >= 0 && (want < 0 || want == ip) && couldMatchAddress(q) {
			x.markAddressPattern(lower, match, mark)
		}
	}
	var total int
	for _, w := range marks {
		total += bits.OnesCount64(w)
	}
	out.Total = int64(total)
	skip := offset
	for wi, w := range marks {
		if w == 0 {
			continue
		}
		if c := bits.OnesCount64(w); skip >= c {
			skip -= c
			continue
		}
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &^= 1 << uint(b)
			if skip > 0 {
				skip--
				continue
			}
			if len(out.Results) == limit {
				out.Cursor = encodeCursor(offset + limit)
				return out
			}
			out.Results = append(out.Results, x.result(int32(wi*64+b)))
		}
	}
	return out
}

// markCIDR marks the addresses inside p.
func (x *searchIndex) markCIDR(p netip.Prefix, mark func(int32)) {
	if p.Addr().Is4() {
		b := p.Addr().As4()
		lo := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		hi := lo | uint32(uint64(1)<<(32-p.Bits())-1)
		i, _ := slices.BinarySearch(x.ipv4, lo)
		for ; i < len(x.ipv4) && x.ipv4[i] <= hi; i++ {
			mark(x.ipv4Rnk[i])
		}
		return
	}
	for _, r := range x.ipv6 {
		if a, err := netip.ParseAddr(x.idView(r)); err == nil && p.Contains(a.Unmap()) {
			mark(r)
		}
	}
}

// markAddressPattern marks the addresses whose id matches the lowered
// pattern (ids of addresses are lower case), reading only the addresses
// that start with the pattern's text before its first wildcard.
func (x *searchIndex) markAddressPattern(lower string, match func(string) bool, mark func(int32)) {
	lead := lower
	if i := strings.IndexAny(lower, "*?"); i >= 0 {
		lead = lower[:i]
	}
	i := sort.Search(len(x.ipText), func(i int) bool { return x.idView(x.ipText[i]) >= lead })
	for ; i < len(x.ipText); i++ {
		r := x.ipText[i]
		id := x.idView(r)
		if !strings.HasPrefix(id, lead) {
			break
		}
		if match(id) {
			mark(r)
		}
	}
}

// compileGlob returns globMatch for pattern, with the common shapes of a
// search — "*text*", "text*", "*text" and text alone — as plain string
// tests.
func compileGlob(pattern string) func(string) bool {
	inner := strings.Trim(pattern, "*")
	if strings.ContainsAny(inner, "*?") {
		return func(s string) bool { return globMatch(pattern, s) }
	}
	lead, trail := strings.HasPrefix(pattern, "*"), strings.HasSuffix(pattern, "*")
	switch {
	case lead && trail:
		return func(s string) bool { return strings.Contains(s, inner) }
	case trail:
		return func(s string) bool { return strings.HasPrefix(s, inner) }
	case lead:
		return func(s string) bool { return strings.HasSuffix(s, inner) }
	}
	return func(s string) bool { return s == pattern }
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters and ? exactly one; every other character stands for itself.
func globMatch(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	var p, t int          // positions in pattern and s
	star, resume := -1, 0 // last * seen, and where s resumes after it
	for t < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '?':
			_, n := utf8.DecodeRuneInString(s[t:])
			p, t = p+1, t+n
		case p < len(pattern) && pattern[p] == '*':
			star, resume = p, t
			p++
		case p < len(pattern) && pattern[p] == s[t]:
			p, t = p+1, t+1
		case star >= 0:
			_, n := utf8.DecodeRuneInString(s[resume:])
			resume += n
			p, t = star+1, resume
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
