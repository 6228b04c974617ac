package analysis

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
)

// ActivityDetails is the "API call activity details" panel: the calls of
// the scope (or of one bucket of its series) as nested groupings with
// successful and failed counts at every level.
type ActivityDetails struct {
	Entity Ref       `json:"entity"`
	Scope  ScopeJSON `json:"scope"`
	// Window is the part of the scope the rows count: the whole scope, or
	// the bucket asked for with the bucket parameter.
	Window ScopeJSON `json:"window"`
	// CallerType says what the caller level of the groupings is for this
	// entity type, following Detective: an account's callers are its users
	// and roles, a role's are its sessions, a user's or a session's are
	// the access keys it used; for the other types, the principals.
	CallerType string `json:"callerType"`
	Totals     Counts `json:"totals"`
	// ByIP groups by source address, then API, then caller.
	ByIP []*ActivityRow `json:"byIp"`
	// ByAPI groups by API, then source address, then caller.
	ByAPI []*ActivityRow `json:"byApi"`
	// ByCaller groups by caller, then source address, then API.
	ByCaller []*ActivityRow `json:"byCaller"`
	// Filters echoes the filters applied; Totals and every row count only
	// the calls that pass them.
	Filters map[string]string `json:"filters,omitempty"`
}

// ActivityRow is one row of a grouping. Kind is "ip", "api" or "caller".
// IP rows name the address entity and carry its location; a source that
// is not an address (a service name such as ec2.amazonaws.com) has Label
// only. API rows carry the service (eventSource) and the API (eventName).
// Caller rows name the caller entity; calls without one have Label only.
type ActivityRow struct {
	Kind     string         `json:"kind"`
	Label    string         `json:"label"`
	Entity   *Ref           `json:"entity,omitempty"`
	Service  string         `json:"service,omitempty"`
	API      string         `json:"api,omitempty"`
	Location *IPInfo        `json:"location,omitempty"`
	Success  int64          `json:"success"`
	Failure  int64          `json:"failure"`
	Children []*ActivityRow `json:"children,omitempty"`
}

// activityCell is one group of the events query: calls with the same
// address, API and caller.
type activityCell struct {
	ipKey     int64
	ipText    string // the source as recorded, when it is not an address
	apiKey    int64
	callerKey int64
	c         Counts
}

// callerColumn picks the caller level for a type (see CallerType).
func callerColumn(ns trailhound.Namespace) (col, name string) {
	switch ns {
	case trailhound.AwsAccount:
		return "CASE WHEN role_key <> 0 THEN role_key ELSE principal_key END", "principal"
	case trailhound.AwsRole:
		return "principal_key", "session"
	case trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.FederatedUser:
		return "access_key_key", "accessKey"
	}
	return "principal_key", "principal"
}

func (e *Engine) activityDetails(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*ActivityDetails, error) {
	sub, ok, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelActivityDetails, ent.Ref.Type)
	}
	filter, err := parseActivityFilter(params)
	if err != nil {
		return nil, err
	}
	window := scope
	if v := params["bucket"]; v != "" {
		width := BucketSeconds(scope)
		b, err := strconv.ParseInt(v, 10, 64)
		if err != nil || b < scope.Start || b >= scope.End || (b-scope.Start)%width != 0 {
			return nil, trailhound.Errorf(trailhound.EINVALID,
				"bucket %q is not the start of a bucket of the scope (buckets of %d seconds from scopeStart %d)", v, width, scope.Start)
		}
		window = trailhound.Scope{Start: b, End: min(b+width, scope.End)}
	}
	callerCol, callerName := callerColumn(ent.Ref.Type)
	from, args := e.callsFrom(window.Start, window.End)
	q := `SELECT ip_key, ip_text, api_key, ` + callerCol + ` AS caller, ` + sumCalls + `
FROM ` + from + ` WHERE ` + sub.where + `
GROUP BY ip_key, ip_text, api_key, caller`
	args = append(args, sub.args...)
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: activity details: %w", err)
	}
	var cells []activityCell
	keys := map[int64]bool{}
	for rows.Next() {
		var c activityCell
		if err := rows.Scan(&c.ipKey, &c.ipText, &c.apiKey, &c.callerKey, &c.c.Success, &c.c.Failure); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: activity details: %w", err)
		}
		cells = append(cells, c)
		keys[c.ipKey], keys[c.apiKey], keys[c.callerKey] = true, true, true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: activity details: %w", err)
	}
	names, err := e.names(ctx, keys)
	if err != nil {
		return nil, err
	}
	ipKeys := map[int64]bool{}
	for _, c := range cells {
		ipKeys[c.ipKey] = true
	}
	locations, err := e.ipInfos(ctx, ipKeys)
	if err != nil {
		return nil, err
	}
	b := &rowBuilder{names: names, locations: locations}
	out := &ActivityDetails{
		Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Window: scopeJSON(window), CallerType: callerName,
		ByIP: []*ActivityRow{}, ByAPI: []*ActivityRow{}, ByCaller: []*ActivityRow{},
	}
	if len(filter.active) > 0 {
		out.Filters = filter.active
	}
	byIP, byAPI, byCaller := newGrouping(), newGrouping(), newGrouping()
	for _, c := range cells {
		ip, api, caller := b.ip(c), b.api(c), b.caller(c)
		if !filter.keep(api, ip, caller) {
			continue
		}
		out.Totals.Success += c.c.Success
		out.Totals.Failure += c.c.Failure
		byIP.add(c.c, ip, api, caller)
		byAPI.add(c.c, api, ip, caller)
		byCaller.add(c.c, caller, ip, api)
	}
	if byIP.rows != nil {
		out.ByIP, out.ByAPI, out.ByCaller = byIP.rows, byAPI.rows, byCaller.rows
	}
	for _, list := range [][]*ActivityRow{out.ByIP, out.ByAPI, out.ByCaller} {
		sortRows(list)
	}
	return out, nil
}

// rowBuilder makes the rows of each level from a cell's keys.
type rowBuilder struct {
	names     map[int64]entityRow
	locations map[int64]*IPInfo
}

func (b *rowBuilder) entityRow(kind string, key int64, fallback string) ActivityRow {
	if r, ok := b.names[key]; ok && key != 0 {
		label := r.Label
		if label == "" {
			label = r.Ref.ID
		}
		return ActivityRow{Kind: kind, Label: label, Entity: &Ref{r.Ref.Type, r.Ref.ID}}
	}
	return ActivityRow{Kind: kind, Label: fallback}
}

func (b *rowBuilder) ip(c activityCell) ActivityRow {
	r := b.entityRow("ip", c.ipKey, c.ipText)
	r.Location = b.locations[c.ipKey]
	return r
}

func (b *rowBuilder) api(c activityCell) ActivityRow {
	n, ok := b.names[c.apiKey]
	if !ok {
		return ActivityRow{Kind: "api", Label: ""}
	}
	service, api, _ := strings.Cut(n.Ref.ID, ":")
	return ActivityRow{Kind: "api", Label: n.Ref.ID, Service: service, API: api}
}

func (b *rowBuilder) caller(c activityCell) ActivityRow {
	return b.entityRow("caller", c.callerKey, "")
}

// grouping is one level of a grouping under construction: its rows in
// order of appearance and an index to find a row by identity in constant
// time, since busy entities have thousands of rows.
type grouping struct {
	rows  []*ActivityRow
	index map[string]*node
}

type node struct {
	row      *ActivityRow
	children *grouping
}

func newGrouping() *grouping { return &grouping{index: map[string]*node{}} }

// identity tells rows apart: by entity when there is one, else by label.
func identity(r *ActivityRow) string {
	if r.Entity != nil {
		return r.Kind + "\x00" + string(r.Entity.Type) + "\x00" + r.Entity.ID
	}
	return r.Kind + "\x00\x00" + r.Label
}

// add counts c into the path of rows levels[0] → levels[1] → ...,
// creating the rows it lacks.
func (g *grouping) add(c Counts, levels ...ActivityRow) {
	if len(levels) == 0 {
		return
	}
	id := identity(&levels[0])
	n := g.index[id]
	if n == nil {
		r := levels[0]
		n = &node{row: &r, children: newGrouping()}
		g.index[id] = n
		g.rows = append(g.rows, n.row)
	}
	n.row.Success += c.Success
	n.row.Failure += c.Failure
	if len(levels) > 1 {
		n.children.add(c, levels[1:]...)
		n.row.Children = n.children.rows
	}
}

// sortRows orders rows by calls, most first, then by label, at every
// level, so answers are stable.
func sortRows(list []*ActivityRow) {
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i].Success+list[i].Failure, list[j].Success+list[j].Failure
		if a != b {
			return a > b
		}
		return list[i].Label < list[j].Label
	})
	for _, r := range list {
		sortRows(r.Children)
	}
}
