package analysis

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
)

// SearchRequest asks for entities. Type is optional (all types); Q is a
// pattern: empty lists every entity, "*" and "?" are wildcards, matching
// is case-insensitive over id, label and ARN, and without wildcards the
// match is exact. A CIDR block (10.0.0.0/16, 2001:db8::/32) finds the
// addresses inside it. Start and End bound the activity the results are
// sorted by (zero: all data). Limit defaults to 50 and is at most 1000;
// Cursor continues a previous answer.
type SearchRequest struct {
	Type   trailhound.Namespace
	Q      string
	Start  int64
	End    int64
	Limit  int
	Cursor string
}

// SearchResult is one entity found. Activity is the number of API calls
// attributed to it in the scope, the sort key of the answer.
type SearchResult struct {
	Type      trailhound.Namespace `json:"type"`
	ID        string               `json:"id"`
	Label     string               `json:"label"`
	ARN       string               `json:"arn,omitempty"`
	Account   string               `json:"account,omitempty"`
	FirstSeen int64                `json:"firstSeen"`
	LastSeen  int64                `json:"lastSeen"`
	Activity  int64                `json:"activity"`
}

// SearchResults is one page of a search. Cursor, when not empty, fetches
// the next page; Total counts every match.
type SearchResults struct {
	Results []SearchResult `json:"results"`
	Total   int64          `json:"total"`
	Cursor  string         `json:"cursor,omitempty"`
	Scope   *ScopeJSON     `json:"scope,omitempty"`
}

// Default and largest page sizes of Search.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 1000
)

// Search finds entities. Errors name the parameter at fault: type, q,
// limit, cursor, scopeStart or scopeEnd.
func (e *Engine) Search(ctx context.Context, req SearchRequest) (*SearchResults, error) {
	if req.Type != "" && (req.Type == internalAPINamespace || !knownNamespace(req.Type)) {
		return nil, trailhound.Errorf(trailhound.EINVALID, "unknown entity type %q (type)", req.Type)
	}
	switch {
	case req.Limit == 0:
		req.Limit = DefaultSearchLimit
	case req.Limit < 0 || req.Limit > MaxSearchLimit:
		return nil, trailhound.Errorf(trailhound.EINVALID, "limit must be between 1 and %d", MaxSearchLimit)
	}
	offset, err := decodeCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	var scope *trailhound.Scope
	if req.Start != 0 || req.End != 0 {
		s, err := ResolveScope(req.Start, req.End, trailhound.Scope{})
		if err != nil {
			return nil, err
		}
		scope = &s
	}
	q := strings.TrimSpace(req.Q)
	prefix, isCIDR, err := parseCIDR(q)
	if err != nil {
		return nil, err
	}

	if isCIDR && req.Type != "" && req.Type != trailhound.IPAddress {
		return nil, trailhound.Errorf(trailhound.EINVALID, "q %q is a CIDR block, which matches IpAddress entities only (type)", q)
	}
	// Without a scope, the index in memory answers when it is current.
	if scope == nil {
		idx, build := e.usableSearchIndex(ctx)
		if idx != nil {
			return idx.search(req.Type, q, prefix, isCIDR, offset, req.Limit), nil
		}
		if build {
			defer e.rebuildSearchIndex()
		}
	}
	release, err := e.exclusive(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	var where []string
	var args []any
	where = append(where, "namespace <> ?")
	args = append(args, string(internalAPINamespace))
	if isCIDR {
		// Addresses are text; their containment is decided in Go below.
		req.Type = trailhound.IPAddress
		keys, err := e.addressesIn(ctx, prefix)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return &SearchResults{Results: []SearchResult{}}, nil
		}
		// A small block narrows the activity count to its addresses; a
		// large one is filtered below as the rows stream.
		if len(keys) <= maxKeyList {
			where = append(where, "key IN ("+placeholders(len(keys))+")")
			args = append(args, keys...)
		} else if c, a := addressTextFilter(prefix); c != "" {
			where = append(where, c)
			args = append(args, a...)
		}
	}
	if req.Type != "" {
		where = append(where, "namespace = ?")
		args = append(args, string(req.Type))
	}
	if q != "" && !isCIDR {
		// An address's label is the address and it has no ARN: addresses
		// are matched by id, and only when the pattern could match one,
		// which spares testing millions of addresses against a name.
		pattern := likePattern(q)
		cond := "(namespace <> ? AND (" + e.dialect.ILike("id") + " OR " + e.dialect.ILike("coalesce(label, '')") + " OR " + e.dialect.ILike("coalesce(arn, '')") + "))"
		args = append(args, string(trailhound.IPAddress), pattern, pattern, pattern)
		if couldMatchAddress(q) {
			// Stored addresses are in lower case: a case-sensitive LIKE
			// of the lowered pattern, which DuckDB runs as a prefix test
			// when the pattern starts with text.
			cond = "(" + cond + " OR (namespace = ? AND " + e.dialect.Like("id") + "))"
			args = append(args, string(trailhound.IPAddress), strings.ToLower(pattern))
		}
		where = append(where, cond)
	}
	// Activity counts every call attributed to the entity, from the hourly
	// activity rows (within the scope, when there is one).
	actFrom, actArgs := "activity AS events", []any(nil)
	if scope != nil {
		actFrom, actArgs = e.callsFrom(scope.Start, scope.End)
	}
	var act []string
	var allActArgs []any
	for _, col := range activityColumns(req.Type) {
		act = append(act, `SELECT `+col+` AS k, success + failure AS n FROM `+actFrom+` WHERE `+activityCond(col)+` AND `+col+` IN (SELECT key FROM ent)`)
		allActArgs = append(allActArgs, actArgs...)
	}
	if len(act) == 0 {
		act = []string{`SELECT CAST(NULL AS BIGINT) AS k, CAST(0 AS BIGINT) AS n WHERE false`}
	}
	if q == "" {
		return e.listEntities(ctx, where, args, act, allActArgs, offset, req.Limit, scope)
	}
	query := `WITH ent AS (` + entitySelect + ` WHERE ` + strings.Join(where, " AND ") + ` GROUP BY key, namespace, id),
act AS (SELECT k, sum(n) AS n FROM (` + strings.Join(act, " UNION ALL ") + `) a GROUP BY k)
SELECT ent.*, coalesce(act.n, 0) AS activity, count(*) OVER () AS total
FROM ent LEFT JOIN act ON act.k = ent.key
ORDER BY activity DESC, namespace, id`
	allArgs := append(args, allActArgs...)
	if !isCIDR {
		query += ` LIMIT ? OFFSET ?`
		allArgs = append(allArgs, req.Limit+1, offset)
	}
	rows, err := e.db.QueryContext(ctx, query, allArgs...)
	if err != nil {
		return nil, fmt.Errorf("analysis: search: %w", err)
	}
	defer rows.Close()
	out := &SearchResults{Results: []SearchResult{}}
	if scope != nil {
		sj := scopeJSON(*scope)
		out.Scope = &sj
	}
	var matched int64
	for rows.Next() {
		var r entityRow
		var activity, total int64
		var ns string
		if err := rows.Scan(&r.Key, &ns, &r.Ref.ID, &r.Label, &r.ARN, &r.Account, &r.FirstSeen, &r.LastSeen, &activity, &total); err != nil {
			return nil, fmt.Errorf("analysis: search: %w", err)
		}
		if isCIDR {
			a, err := netip.ParseAddr(r.Ref.ID)
			if err != nil || !prefix.Contains(a.Unmap()) {
				continue
			}
			matched++
			if matched <= int64(offset) || len(out.Results) > req.Limit {
				continue
			}
		} else {
			out.Total = total
		}
		r.Ref.Type = trailhound.Namespace(ns)
		out.Results = append(out.Results, searchResult(r, activity))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: search: %w", err)
	}
	if isCIDR {
		out.Total = matched
	}
	if len(out.Results) > req.Limit {
		out.Results = out.Results[:req.Limit]
		out.Cursor = encodeCursor(offset + req.Limit)
	}
	return out, nil
}

// parseCIDR recognizes a CIDR block. Text that starts like an address
// followed by a slash must be a valid block: "10.0.0.0/33" is a mistake
// to report, not a pattern that matches nothing.
func parseCIDR(q string) (netip.Prefix, bool, error) {
	addr, _, ok := strings.Cut(q, "/")
	if !ok {
		return netip.Prefix{}, false, nil
	}
	if _, err := netip.ParseAddr(addr); err != nil {
		return netip.Prefix{}, false, nil
	}
	p, err := netip.ParsePrefix(q)
	if err != nil {
		return p, false, trailhound.Errorf(trailhound.EINVALID, "q %q is not a valid CIDR block: %v", q, err)
	}
	return p.Masked(), true, nil
}

// searchResult is the result row of an entity with its activity.
func searchResult(r entityRow, activity int64) SearchResult {
	return SearchResult{Type: r.Ref.Type, ID: r.Ref.ID, Label: r.Label, ARN: r.ARN, Account: r.Account,
		FirstSeen: r.FirstSeen.Unix(), LastSeen: r.LastSeen.Unix(), Activity: activity}
}

// listEntities answers a search without a pattern: every entity of a type
// (or of all types), by activity, then type and id, as the query of
// Search would, without merging the rows of millions of addresses for one
// page. It ranks the active entities first, naming only those around the
// page (ties at its edge included), and reads the inactive ones in id
// order only when the page reaches them. where and args select the
// entities; act are the activity queries of Search (over ent).
func (e *Engine) listEntities(ctx context.Context, where []string, args []any, act []string, actArgs []any, offset, limit int, scope *trailhound.Scope) (*SearchResults, error) {
	fail := func(err error) (*SearchResults, error) { return nil, fmt.Errorf("analysis: search: %w", err) }
	cond := strings.Join(where, " AND ")
	ent := `ent AS (SELECT DISTINCT key FROM entities WHERE ` + cond + `)`
	actCTE := `act AS (SELECT k, sum(n) AS n FROM (` + strings.Join(act, " UNION ALL ") + `) a GROUP BY k)`
	out := &SearchResults{Results: []SearchResult{}}
	if scope != nil {
		sj := scopeJSON(*scope)
		out.Scope = &sj
	}
	var active int64
	if err := e.db.QueryRowContext(ctx, `WITH `+ent+` SELECT count(*) FROM ent`, args...).Scan(&out.Total); err != nil {
		return fail(err)
	}
	want := int64(offset + limit + 1) // one more than the page says whether another follows
	// The active entities ranked down to the want-th, with every entity
	// tied with it.
	qargs := append(append(append([]any{}, args...), actArgs...), want-1)
	rows, err := e.db.QueryContext(ctx, `WITH `+ent+`, `+actCTE+`
SELECT k, n, (SELECT count(*) FROM act) FROM act
WHERE n >= coalesce((SELECT n FROM act ORDER BY n DESC LIMIT 1 OFFSET ?), 0)`, qargs...)
	if err != nil {
		return fail(err)
	}
	activity := map[int64]bool{}
	counts := map[int64]int64{}
	for rows.Next() {
		var k, n int64
		if err := rows.Scan(&k, &n, &active); err != nil {
			rows.Close()
			return fail(err)
		}
		activity[k] = true
		counts[k] = n
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fail(err)
	}
	names, err := e.names(ctx, activity)
	if err != nil {
		return nil, err
	}
	var ranked []SearchResult
	for k, n := range counts {
		ranked = append(ranked, searchResult(names[k], n))
	}
	sort.Slice(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if a.Activity != b.Activity {
			return a.Activity > b.Activity
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	if offset < len(ranked) {
		out.Results = append(out.Results, ranked[offset:min(len(ranked), offset+limit+1)]...)
	}
	// Past the active ones: the inactive entities by type and id.
	if need := int(want) - offset - len(out.Results); need > 0 && int64(offset+len(out.Results)) < out.Total {
		skip := max(int64(offset)-active, 0)
		order, err := e.inactiveEntities(ctx, ent, actCTE, cond, args, actArgs, skip, int64(need))
		if err != nil {
			return fail(err)
		}
		keys := map[int64]bool{}
		for _, k := range order {
			keys[k] = true
		}
		names, err := e.names(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range order {
			out.Results = append(out.Results, searchResult(names[k], 0))
		}
	}
	if len(out.Results) > limit {
		out.Results = out.Results[:limit]
		out.Cursor = encodeCursor(offset + limit)
	}
	return out, nil
}

// inactiveEntities returns the keys of the entities without activity, in
// type and id order, from the skip-th, need of them. The entities table
// holds an entity once per write until it is rewritten (Optimize), and
// making the rows distinct before sorting them took more than serve's
// DuckDB memory for the 7M addresses of the large benchmark: the rows are
// sorted as they are, cut (DuckDB keeps only the first rows of the order
// while sorting), and repeated ones dropped here, reading further in the
// rare case that the repeats leave too few.
func (e *Engine) inactiveEntities(ctx context.Context, ent, actCTE, cond string, args, actArgs []any, skip, need int64) ([]int64, error) {
	for n := skip + need + 64; ; n *= 4 {
		qargs := append(append(append(append([]any{}, args...), actArgs...), args...), n)
		rows, err := e.db.QueryContext(ctx, `WITH `+ent+`, `+actCTE+`
SELECT key FROM entities WHERE `+cond+` AND key NOT IN (SELECT k FROM act)
ORDER BY namespace, id, key LIMIT ?`, qargs...)
		if err != nil {
			return nil, err
		}
		var order []int64
		var read, last int64
		for rows.Next() {
			var k int64
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			read++
			if len(order) > 0 && k == last {
				continue // the same entity's rows are adjacent
			}
			last = k
			order = append(order, k)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(order)) >= skip+need || read < n {
			if skip >= int64(len(order)) {
				return nil, nil
			}
			return order[skip:min(int64(len(order)), skip+need)], nil
		}
	}
}

// activityColumns are the key columns of the calls that can hold an
// entity of type ns (every one when ns is empty): addresses are only
// sources, accounts are callers (AWSAccount identities) or the account
// of a call, roles callers or the role behind a session.
func activityColumns(ns trailhound.Namespace) []string {
	switch ns {
	case "":
		return []string{"principal_key", "role_key", "account_key", "ip_key", "ua_key", "access_key_key", "bucket_key"}
	case trailhound.IPAddress:
		return []string{"ip_key"}
	case trailhound.UserAgent:
		return []string{"ua_key"}
	case trailhound.AccessKey:
		return []string{"access_key_key"}
	case trailhound.S3Bucket:
		return []string{"bucket_key"}
	case trailhound.AwsAccount:
		return []string{"principal_key", "account_key"}
	case trailhound.AwsRole:
		return []string{"principal_key", "role_key"}
	case trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.AwsService:
		return []string{"principal_key"}
	}
	return nil
}

// activityCond selects the calls a key column attributes to its entity:
// a role behind a session, or the account of a call, is not counted again
// when it is the caller itself.
func activityCond(col string) string {
	cond := col + " <> 0"
	switch col {
	case "role_key":
		cond += " AND role_key <> principal_key"
	case "account_key":
		cond += " AND account_key <> principal_key AND account_key <> role_key"
	}
	return cond
}

// couldMatchAddress says whether a search pattern could match an IPv4
// or IPv6 address as Trailhound writes them: every character that is not
// a wildcard is a hexadecimal digit, a dot or a colon.
func couldMatchAddress(q string) bool {
	for _, r := range q {
		switch {
		case r == '*' || r == '?' || r == '.' || r == ':':
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
		default:
			return false
		}
	}
	return true
}

// likePattern turns a search pattern with * and ? wildcards into a LIKE
// pattern, escaping LIKE's own wildcards and the escape character.
func likePattern(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch r {
		case '\\', '%', '_':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Cursors are opaque to clients; today they carry the offset of the next
// page.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'o' {
		if n, err := strconv.Atoi(string(b[1:])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, trailhound.Errorf(trailhound.EINVALID, "cursor %q is not a cursor this server returned", c)
}

// maxKeyList bounds the keys a query lists as parameters.
const maxKeyList = 2000

// addressTextFilter narrows an IPv4 block of /8 or longer to the
// addresses whose text starts with its leading octets (the octet the
// prefix ends in enumerated): "10.0.0.0/8" → id LIKE '10.%', and
// "172.16.0.0/12" → '172.16.%' to '172.31.%'. Stored addresses are
// canonical (graph.CanonicalIP), so no address of the block is left out;
// containment itself is still decided in Go. Other blocks get no filter.
func addressTextFilter(p netip.Prefix) (string, []any) {
	if !p.Addr().Is4() || p.Bits() < 8 {
		return "", nil
	}
	a := p.Addr().As4()
	full := p.Bits() / 8
	lead := ""
	for i := range min(full, 3) {
		lead += strconv.Itoa(int(a[i])) + "."
	}
	if full >= 3 || p.Bits()%8 == 0 {
		if full == 4 {
			return "id = ?", []any{p.Addr().String()}
		}
		return "id LIKE ?", []any{lead + "%"}
	}
	n := 1 << (8 - p.Bits()%8)
	var conds []string
	var args []any
	for v := int(a[full]); v < int(a[full])+n; v++ {
		conds = append(conds, "id LIKE ?")
		args = append(args, lead+strconv.Itoa(v)+".%")
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// addressesIn returns the keys of the stored addresses inside a block.
// Addresses are stored as text, so containment is decided here rather
// than in a dialect-specific SQL function.
func (e *Engine) addressesIn(ctx context.Context, prefix netip.Prefix) ([]any, error) {
	q, args := `SELECT DISTINCT key, id FROM entities WHERE namespace = ?`, []any{string(trailhound.IPAddress)}
	if c, a := addressTextFilter(prefix); c != "" {
		q += " AND " + c
		args = append(args, a...)
	}
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: search: %w", err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var k int64
		var id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, fmt.Errorf("analysis: search: %w", err)
		}
		if a, err := netip.ParseAddr(id); err == nil && prefix.Contains(a.Unmap()) {
			out = append(out, k)
		}
	}
	return out, rows.Err()
}
