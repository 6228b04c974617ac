package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/trailhound/trailhound"
)

// Limits of the summary's lists.
const (
	// SummaryMaxGeolocations is the most newly observed places listed.
	SummaryMaxGeolocations = 100
	// SummaryTop is the length of the most-active roles, users and
	// instances lists.
	SummaryTop = 10
	// SummaryFindingsPerSeverity is how many of the latest findings of
	// each severity band are listed.
	SummaryFindingsPerSeverity = 5
	// SummarySeriesDays is the length of the daily series of the top
	// roles and users, ending at the scope's end.
	SummarySeriesDays = 7
)

// SummaryRequest asks for the summary of a scope. Start and End are epoch
// seconds, zero when absent: the default scope is the last 24 hours of
// data, ending at the end of the hour of the latest event, flow or
// finding observation in the store.
type SummaryRequest struct {
	Start int64
	End   int64
}

// Summary is Detective's Summary page, plus the freshness of every
// account's sources.
type Summary struct {
	Scope    ScopeJSON `json:"scope"`
	Baseline ScopeJSON `json:"baseline"`
	// NewGeolocations are the places calls came from during the scope
	// and from which no call came during the baseline, most calls first,
	// at most SummaryMaxGeolocations of them.
	NewGeolocations []SummaryGeolocation `json:"newGeolocations"`
	// NewGeolocationsTruncated says that more places were new than listed.
	NewGeolocationsTruncated bool `json:"newGeolocationsTruncated"`
	// TopRoles are the roles with the most API calls in scope, their
	// sessions' calls included.
	TopRoles []SummaryPrincipal `json:"topRoles"`
	// TopUsers are the users (the root user included) with the most API
	// calls in scope.
	TopUsers []SummaryPrincipal `json:"topUsers"`
	// TopInstances are the EC2 instances with the most VPC flow bytes in
	// scope (flow records attributed to an instance only).
	TopInstances []SummaryInstance `json:"topInstances"`
	// Findings are the findings observed during the scope by severity.
	Findings SummaryFindings `json:"findings"`
	// Freshness is, per account and source, the latest record and the
	// latest ingest: a stalled delivery shows here first.
	Freshness []Freshness `json:"freshness"`
}

// SummaryGeolocation is one newly observed place with the principals
// whose calls came from it.
type SummaryGeolocation struct {
	Country     string   `json:"country"`
	CountryName string   `json:"countryName,omitempty"`
	Region      string   `json:"region,omitempty"`
	City        string   `json:"city,omitempty"`
	Latitude    *float64 `json:"latitude,omitempty"`
	Longitude   *float64 `json:"longitude,omitempty"`
	Success     int64    `json:"success"`
	Failure     int64    `json:"failure"`
	// Principals are the callers from the place, most calls first.
	Principals []SummaryCaller `json:"principals"`
}

// SummaryCaller is a principal with its calls from one place.
type SummaryCaller struct {
	Entity  Ref    `json:"entity"`
	Label   string `json:"label,omitempty"`
	Account string `json:"account,omitempty"`
	Success int64  `json:"success"`
	Failure int64  `json:"failure"`
}

// SummaryPrincipal is a role or user with its calls in scope and a
// daily series of the SummarySeriesDays days ending at the scope's end.
type SummaryPrincipal struct {
	Entity  Ref    `json:"entity"`
	Label   string `json:"label,omitempty"`
	Account string `json:"account,omitempty"`
	Success int64  `json:"success"`
	Failure int64  `json:"failure"`
	// Series has one bucket per day, oldest first; bucket i starts at
	// scopeEnd - (SummarySeriesDays-i) days.
	Series []SummaryDay `json:"series"`
}

// SummaryDay is one day of a principal's calls.
type SummaryDay struct {
	Start   int64 `json:"start"`
	Success int64 `json:"success"`
	Failure int64 `json:"failure"`
}

// SummaryInstance is an EC2 instance with its VPC flow bytes in scope.
type SummaryInstance struct {
	Entity        Ref    `json:"entity"`
	Account       string `json:"account,omitempty"`
	BytesIn       int64  `json:"bytesIn"`
	BytesOut      int64  `json:"bytesOut"`
	Total         int64  `json:"total"`
	AcceptedBytes int64  `json:"acceptedBytes"`
	RejectedBytes int64  `json:"rejectedBytes"`
}

// SummaryFindings are the findings observed during the scope (latest
// versions, archived ones included) in Detective's severity bands: high
// is 7 and above, medium 4 to below 7, low below 4.
type SummaryFindings struct {
	High   SeverityBand `json:"high"`
	Medium SeverityBand `json:"medium"`
	Low    SeverityBand `json:"low"`
}

// SeverityBand is the number of findings of a band and the latest few.
type SeverityBand struct {
	Count  int64            `json:"count"`
	Latest []SummaryFinding `json:"latest"`
}

// SummaryFinding is one finding of a band.
type SummaryFinding struct {
	ID       string  `json:"id"`
	Type     string  `json:"type"`
	Title    string  `json:"title"`
	Severity float64 `json:"severity"`
	Account  string  `json:"account"`
	Region   string  `json:"region,omitempty"`
	LastSeen int64   `json:"lastSeen"`
	Archived bool    `json:"archived"`
}

// Freshness is the latest data of one account and source: the time of
// its latest record (event time, flow end, finding update) and when the
// latest object holding its records was ingested.
type Freshness struct {
	Account      string            `json:"account"`
	Source       trailhound.Source `json:"source"`
	Records      int64             `json:"records"`
	LatestRecord int64             `json:"latestRecord"`
	LatestIngest int64             `json:"latestIngest"`
}

// latestData is the time of the newest event, flow or finding
// observation, or the zero time for an empty store.
func (e *Engine) latestData(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	err := e.db.QueryRowContext(ctx, `SELECT max(t) FROM (
SELECT max(event_time) AS t FROM events
UNION ALL SELECT max(coalesce(last_end, hour)) FROM flows
UNION ALL SELECT max(coalesce(last_seen, updated_at)) FROM findings)`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("analysis: latest data: %w", err)
	}
	if !t.Valid {
		return time.Time{}, nil
	}
	return t.Time.UTC(), nil
}

// Summary computes the Summary page for a scope.
func (e *Engine) Summary(ctx context.Context, req SummaryRequest) (*Summary, error) {
	last, err := e.latestData(ctx)
	if err != nil {
		return nil, err
	}
	if last.IsZero() {
		last = time.Now().UTC()
	}
	scope, err := ResolveScope(req.Start, req.End, entityDefaultScope(last))
	if err != nil {
		return nil, err
	}
	base := scope.Baseline(e.baseline)
	out := &Summary{Scope: scopeJSON(scope), Baseline: scopeJSON(base)}
	if err := e.summaryGeolocations(ctx, scope, base, out); err != nil {
		return nil, err
	}
	if err := e.summaryPrincipals(ctx, scope, out); err != nil {
		return nil, err
	}
	if out.TopInstances, err = e.summaryInstances(ctx, scope); err != nil {
		return nil, err
	}
	if out.Findings, err = e.summaryFindings(ctx, scope); err != nil {
		return nil, err
	}
	if out.Freshness, err = e.freshness(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Engine) summaryGeolocations(ctx context.Context, scope, base trailhound.Scope, out *Summary) error {
	from, args := e.callsFrom(scope.Start, scope.End)
	rows, err := e.db.QueryContext(ctx, `SELECT ip_key, principal_key, `+sumCalls+` FROM `+from+`
WHERE ip_key <> 0 GROUP BY ip_key, principal_key`, args...)
	if err != nil {
		return fmt.Errorf("analysis: summary geolocations: %w", err)
	}
	type pair struct{ ip, principal int64 }
	counts := map[pair]Counts{}
	ips := map[int64]bool{}
	for rows.Next() {
		var p pair
		var c Counts
		if err := rows.Scan(&p.ip, &p.principal, &c.Success, &c.Failure); err != nil {
			rows.Close()
			return fmt.Errorf("analysis: summary geolocations: %w", err)
		}
		counts[p] = c
		ips[p.ip] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("analysis: summary geolocations: %w", err)
	}
	out.NewGeolocations = []SummaryGeolocation{}
	if len(counts) == 0 {
		return nil
	}
	info, err := e.ipInfos(ctx, ips)
	if err != nil {
		return err
	}
	old, err := e.locatedPlaces(ctx, base)
	if err != nil {
		return err
	}
	principals := map[int64]bool{}
	byPlace := map[place]*SummaryGeolocation{}
	callers := map[place]map[int64]*Counts{}
	for p, c := range counts {
		pl, ok := placeOf(info[p.ip])
		if !ok || old[pl] {
			continue
		}
		g := byPlace[pl]
		if g == nil {
			in := info[p.ip]
			g = &SummaryGeolocation{Country: pl.country, CountryName: in.CountryName, Region: pl.region, City: pl.city,
				Latitude: in.Latitude, Longitude: in.Longitude}
			byPlace[pl] = g
			callers[pl] = map[int64]*Counts{}
		}
		g.Success += c.Success
		g.Failure += c.Failure
		if p.principal != 0 {
			principals[p.principal] = true
			pc := callers[pl][p.principal]
			if pc == nil {
				pc = &Counts{}
				callers[pl][p.principal] = pc
			}
			pc.Success += c.Success
			pc.Failure += c.Failure
		}
	}
	names, err := e.names(ctx, principals)
	if err != nil {
		return err
	}
	for pl, g := range byPlace {
		g.Principals = []SummaryCaller{}
		for k, c := range callers[pl] {
			n, ok := names[k]
			if !ok {
				continue
			}
			g.Principals = append(g.Principals, SummaryCaller{Entity: Ref{n.Ref.Type, n.Ref.ID}, Label: n.Label, Account: n.Account, Success: c.Success, Failure: c.Failure})
		}
		sort.Slice(g.Principals, func(i, j int) bool {
			a, b := g.Principals[i], g.Principals[j]
			if a.Success+a.Failure != b.Success+b.Failure {
				return a.Success+a.Failure > b.Success+b.Failure
			}
			return a.Entity.Type+trailhound.Namespace(a.Entity.ID) < b.Entity.Type+trailhound.Namespace(b.Entity.ID)
		})
		out.NewGeolocations = append(out.NewGeolocations, *g)
	}
	sort.Slice(out.NewGeolocations, func(i, j int) bool {
		a, b := out.NewGeolocations[i], out.NewGeolocations[j]
		if a.Success+a.Failure != b.Success+b.Failure {
			return a.Success+a.Failure > b.Success+b.Failure
		}
		return a.Country+"\x00"+a.Region+"\x00"+a.City < b.Country+"\x00"+b.Region+"\x00"+b.City
	})
	if len(out.NewGeolocations) > SummaryMaxGeolocations {
		out.NewGeolocations = out.NewGeolocations[:SummaryMaxGeolocations]
		out.NewGeolocationsTruncated = true
	}
	return nil
}

// locatedPlaces are the places any call came from during s.
func (e *Engine) locatedPlaces(ctx context.Context, s trailhound.Scope) (map[place]bool, error) {
	return e.placesCalledFrom(ctx, s, "true", nil, "summary baseline places")
}

// summaryPrincipals ranks roles and users by their calls in scope,
// counted as their profiles' API call volume counts them: a role's calls
// include its sessions'.
func (e *Engine) summaryPrincipals(ctx context.Context, scope trailhound.Scope, out *Summary) error {
	seriesScope := trailhound.Scope{Start: scope.End - SummarySeriesDays*Day, End: scope.End}
	rank := func(ns trailhound.Namespace) ([]SummaryPrincipal, error) {
		from, fargs := e.callsFrom(scope.Start, scope.End)
		q := `SELECT k, sum(s), sum(f) FROM (
SELECT principal_key AS k, success AS s, failure AS f FROM ` + from + `
UNION ALL SELECT role_key, success, failure FROM ` + from + ` WHERE role_key <> 0)
WHERE k IN (SELECT key FROM entities WHERE namespace = ?)
GROUP BY k ORDER BY sum(s) + sum(f) DESC, k LIMIT ?`
		args := append(append(append([]any{}, fargs...), fargs...), string(ns), SummaryTop)
		rows, err := e.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("analysis: summary top %s: %w", ns, err)
		}
		defer rows.Close()
		type row struct {
			key int64
			c   Counts
		}
		var got []row
		keys := map[int64]bool{}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.c.Success, &r.c.Failure); err != nil {
				return nil, fmt.Errorf("analysis: summary top %s: %w", ns, err)
			}
			got = append(got, r)
			keys[r.key] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("analysis: summary top %s: %w", ns, err)
		}
		names, err := e.names(ctx, keys)
		if err != nil {
			return nil, err
		}
		days, err := e.dailySeries(ctx, keys, seriesScope)
		if err != nil {
			return nil, err
		}
		res := []SummaryPrincipal{}
		for _, r := range got {
			n := names[r.key]
			p := SummaryPrincipal{Entity: Ref{n.Ref.Type, n.Ref.ID}, Label: n.Label, Account: n.Account,
				Success: r.c.Success, Failure: r.c.Failure, Series: make([]SummaryDay, SummarySeriesDays)}
			for i := range p.Series {
				p.Series[i].Start = seriesScope.Start + int64(i)*Day
				c := days[dayKey{r.key, int64(i)}]
				p.Series[i].Success, p.Series[i].Failure = c.Success, c.Failure
			}
			res = append(res, p)
		}
		// Ties at the cut are decided by key; those kept are ordered by
		// calls, then id.
		sort.SliceStable(res, func(i, j int) bool {
			a, b := res[i], res[j]
			if a.Success+a.Failure != b.Success+b.Failure {
				return a.Success+a.Failure > b.Success+b.Failure
			}
			return a.Entity.ID < b.Entity.ID
		})
		return res, nil
	}
	var err error
	if out.TopRoles, err = rank(trailhound.AwsRole); err != nil {
		return err
	}
	out.TopUsers, err = rank(trailhound.AwsUser)
	return err
}

type dayKey struct{ key, day int64 }

// dailySeries counts the calls of principals per day of s in one query:
// a call counts for its caller and for the role behind it, as their
// profiles count them. When s starts on a whole hour the hourly activity
// rows answer; otherwise the events do.
func (e *Engine) dailySeries(ctx context.Context, keys map[int64]bool, s trailhound.Scope) (map[dayKey]Counts, error) {
	out := map[dayKey]Counts{}
	if len(keys) == 0 {
		return out, nil
	}
	list := make([]any, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	ts := e.dialect.Timestamp()
	in := placeholders(len(list))
	var q string
	var args []any
	if hourly(s.Start) && hourly(s.End) {
		// Days start on whole hours: each hourly activity row falls in one.
		from, fargs := e.callsFrom(s.Start, s.End)
		q = `SELECT k, b, sum(success), sum(failure) FROM (
SELECT principal_key AS k, ` + e.bucketExpr("first_time") + ` AS b, success, failure FROM ` + from + ` WHERE principal_key IN (` + in + `)
UNION ALL SELECT role_key, ` + e.bucketExpr("first_time") + `, success, failure FROM ` + from + ` WHERE role_key IN (` + in + `)) GROUP BY k, b`
		for range 2 {
			args = append(args, s.Start, Day)
			args = append(args, fargs...)
			args = append(args, list...)
		}
	} else {
		q = `SELECT k, b, sum(CASE WHEN failed THEN 0 ELSE 1 END), sum(CASE WHEN failed THEN 1 ELSE 0 END) FROM (
SELECT principal_key AS k, ` + e.bucketExpr("event_time") + ` AS b, failed FROM events
WHERE principal_key IN (` + in + `) AND event_time >= ` + ts + ` AND event_time < ` + ts + `
UNION ALL SELECT role_key, ` + e.bucketExpr("event_time") + `, failed FROM events
WHERE role_key IN (` + in + `) AND event_time >= ` + ts + ` AND event_time < ` + ts + `) GROUP BY k, b`
		for range 2 {
			args = append(args, s.Start, Day)
			args = append(args, list...)
			args = append(args, s.Start, s.End)
		}
	}
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: summary series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k dayKey
		var c Counts
		if err := rows.Scan(&k.key, &k.day, &c.Success, &c.Failure); err != nil {
			return nil, fmt.Errorf("analysis: summary series: %w", err)
		}
		out[k] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: summary series: %w", err)
	}
	return out, nil
}

// summaryInstances ranks instances by the bytes of the flow rows whose
// hour falls in the scope.
func (e *Engine) summaryInstances(ctx context.Context, scope trailhound.Scope) ([]SummaryInstance, error) {
	// Every instance's traffic, from the hourly flow bytes of instances
	// (there are far fewer instances than flows); the ten largest are kept
	// once their ids are known, ties going to the smaller id.
	ts := e.dialect.Timestamp()
	rows, err := e.db.QueryContext(ctx, `SELECT key,
coalesce(sum(CASE WHEN direction = 'ingress' THEN bytes ELSE 0 END), 0),
coalesce(sum(CASE WHEN direction = 'ingress' THEN 0 ELSE bytes END), 0),
coalesce(sum(CASE WHEN action = 'ACCEPT' THEN bytes ELSE 0 END), 0),
coalesce(sum(CASE WHEN action = 'REJECT' THEN bytes ELSE 0 END), 0)
FROM flow_hours WHERE side = 'instance' AND hour >= `+ts+` AND hour < `+ts+`
GROUP BY key`, scope.Start, scope.End)
	if err != nil {
		return nil, fmt.Errorf("analysis: summary instances: %w", err)
	}
	var all []SummaryInstance
	keys := map[int64]bool{}
	var order []int64
	for rows.Next() {
		var key int64
		var s SummaryInstance
		if err := rows.Scan(&key, &s.BytesIn, &s.BytesOut, &s.AcceptedBytes, &s.RejectedBytes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: summary instances: %w", err)
		}
		s.Total = s.BytesIn + s.BytesOut
		all = append(all, s)
		order = append(order, key)
		keys[key] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: summary instances: %w", err)
	}
	names, err := e.names(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, k := range order {
		n := names[k]
		all[i].Entity = Ref{trailhound.Ec2Instance, n.Ref.ID}
		all[i].Account = n.Account
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Total != all[j].Total {
			return all[i].Total > all[j].Total
		}
		return all[i].Entity.ID < all[j].Entity.ID
	})
	if len(all) > SummaryTop {
		all = all[:SummaryTop]
	}
	if all == nil {
		all = []SummaryInstance{}
	}
	return all, nil
}

// summaryFindings bands the latest versions of the findings whose
// observed period overlaps the scope (from creation when unobserved).
func (e *Engine) summaryFindings(ctx context.Context, scope trailhound.Scope) (SummaryFindings, error) {
	ts := e.dialect.Timestamp()
	var out SummaryFindings
	rows, err := e.db.QueryContext(ctx, `SELECT id, coalesce(type, ''), coalesce(title, ''), coalesce(severity, 0), coalesce(account, ''),
coalesce(region, ''), `+e.dialect.EpochSeconds("coalesce(last_seen, updated_at)")+`, coalesce(archived, false)
FROM latest_findings
WHERE coalesce(last_seen, updated_at) >= `+ts+` AND coalesce(first_seen, created_at, updated_at) < `+ts+`
ORDER BY coalesce(last_seen, updated_at) DESC, id`, scope.Start, scope.End)
	if err != nil {
		return out, fmt.Errorf("analysis: summary findings: %w", err)
	}
	defer rows.Close()
	out.High.Latest, out.Medium.Latest, out.Low.Latest = []SummaryFinding{}, []SummaryFinding{}, []SummaryFinding{}
	for rows.Next() {
		var f SummaryFinding
		if err := rows.Scan(&f.ID, &f.Type, &f.Title, &f.Severity, &f.Account, &f.Region, &f.LastSeen, &f.Archived); err != nil {
			return out, fmt.Errorf("analysis: summary findings: %w", err)
		}
		band := map[string]*SeverityBand{"high": &out.High, "medium": &out.Medium, "low": &out.Low}[SeverityLevel(f.Severity)]
		band.Count++
		if len(band.Latest) < SummaryFindingsPerSeverity {
			band.Latest = append(band.Latest, f)
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("analysis: summary findings: %w", err)
	}
	return out, nil
}

// SeverityLevel names the band of a GuardDuty severity as Detective
// does: "high" at 7 and above, "medium" from 4 to below 7, "low" below 4.
func SeverityLevel(sev float64) string {
	switch {
	case sev >= 7:
		return "high"
	case sev >= 4:
		return "medium"
	}
	return "low"
}

// freshness reports, per account and source, the latest record and the
// latest ingest of an object holding records of it, from the per-object
// summaries written with every batch. Object ids grow with every ingest,
// so the latest object is the one with the largest id.
func (e *Engine) freshness(ctx context.Context) ([]Freshness, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT r.account, r.source, r.n, `+e.dialect.EpochSeconds("r.t")+`, `+e.dialect.EpochSeconds("o.ingested_at")+` FROM (
SELECT account, source, sum(records) AS n, max(last_time) AS t, max(object_id) AS obj
FROM object_accounts GROUP BY account, source) r
JOIN objects o ON o.object_id = r.obj
WHERE r.account IS NOT NULL ORDER BY r.account, r.source`)
	if err != nil {
		return nil, fmt.Errorf("analysis: freshness: %w", err)
	}
	defer rows.Close()
	out := []Freshness{}
	for rows.Next() {
		var f Freshness
		var src string
		if err := rows.Scan(&f.Account, &src, &f.Records, &f.LatestRecord, &f.LatestIngest); err != nil {
			return nil, fmt.Errorf("analysis: freshness: %w", err)
		}
		f.Source = trailhound.Source(src)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: freshness: %w", err)
	}
	return out, nil
}
