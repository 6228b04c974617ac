package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// The VPC flow details are computed from the connection table
// (flow_conns: records summed per hour, both ports, protocol, direction
// and action, filed under each side's entity) when it holds every flow of
// the window, all in one query: a busy address's week can hold a million
// distinct rows, which DuckDB groups, totals and sorts faster than they
// could be handed to Go. Two cases read the records from the archive
// instead (flowScan), with the same results: windows holding flows
// ingested before the table existed and not backfilled since (trailhound
// backfill), and filters on the peer's address where an address's far
// side counts (connAddressPeers).

// connsUsable reports whether the connection table can answer a details
// query over window with filter, apart from its address filters (see
// connAddressPeers).
func (e *Engine) connsUsable(ctx context.Context, window trailhound.Scope, f *flowFilter) (bool, error) {
	var missing int64
	if err := e.db.QueryRowContext(ctx, `SELECT coalesce(max(value), 0) FROM store_state WHERE name = 'flow_conns.missing_through_object'`).Scan(&missing); err != nil {
		return false, fmt.Errorf("analysis: flow connections: %w", err)
	}
	if missing == 0 {
		return true, nil
	}
	// The objects stored before the table and not backfilled only get
	// fewer: a window found covered stays covered.
	if _, ok := e.connsWindows.Load(window); ok {
		return true, nil
	}
	ts := e.dialect.Timestamp()
	var legacy bool
	err := e.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM object_accounts
WHERE source = 'vpcflow' AND object_id <= ? AND first_time < `+ts+` AND last_time >= `+ts+`
    AND object_id NOT IN (SELECT object_id FROM flow_conns_backfilled))`, missing, window.End, window.Start).Scan(&legacy)
	if err != nil {
		return false, fmt.Errorf("analysis: flow connections: %w", err)
	}
	if !legacy {
		if n := e.connsWindowCount.Add(1); n > maxConnsWindows {
			e.connsWindows.Clear()
			e.connsWindowCount.Store(0)
		}
		e.connsWindows.Store(window, true)
	}
	return !legacy, nil
}

// connAddressPeers resolves f's address filters (ip, notIp, ipClass) for
// the connection table, which keeps the peer's key only: it sets
// f.addressPeers to the peers in window whose addresses pass, tested as
// the records' are (flowFilter.addressKeeps). It reports false when the
// table cannot answer: an address's far-side rows name the instance of
// the interface that logged them, not the address it logged, so when
// they count in window (farSides) the records are read instead.
func (e *Engine) connAddressPeers(ctx context.Context, ent entityRow, window trailhound.Scope, f *flowFilter) (bool, error) {
	side := 0
	if ent.Ref.Type == trailhound.IPAddress {
		fars, err := e.farSides(ctx, ent, window)
		if err != nil {
			return false, err
		}
		if fars[0].counts() {
			return false, nil
		}
		side = 1
	}
	// The near side's peer is always the remote address: its key names
	// it, and the address table holds its text.
	ts := e.dialect.Timestamp()
	rows, err := e.db.QueryContext(ctx, `WITH p AS (
SELECT DISTINCT peer_key FROM flow_conns WHERE hour >= `+ts+` AND hour < `+ts+` AND side = ? AND key = ? AND peer_key <> 0
)
SELECT p.peer_key, i.ip FROM p LEFT JOIN (SELECT DISTINCT key, ip FROM ip_info WHERE key IN (SELECT peer_key FROM p)) i ON i.key = p.peer_key`,
		window.Start, window.End, side, ent.Key)
	if err != nil {
		return false, fmt.Errorf("analysis: flow details peers: %w", err)
	}
	defer rows.Close()
	f.addressPeers = []int64{}
	for rows.Next() {
		var key int64
		var ip sql.NullString
		if err := rows.Scan(&key, &ip); err != nil {
			return false, fmt.Errorf("analysis: flow details peers: %w", err)
		}
		if !ip.Valid {
			return false, fmt.Errorf("analysis: flow details: the address table lacks the peer of key %d", key)
		}
		a, err := netip.ParseAddr(ip.String)
		if err != nil {
			return false, fmt.Errorf("analysis: flow details: peer %q of key %d: %w", ip.String, key, err)
		}
		if f.addressKeeps(a) {
			f.addressPeers = append(f.addressPeers, key)
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("analysis: flow details peers: %w", err)
	}
	return true, nil
}

// maxConnsWindows bounds the windows connsUsable remembers.
const maxConnsWindows = 10_000

// connRows selects the rows of connQuery by their peer.
type connRows int

const (
	connPeered connRows = iota // rows with a peer, filtered
	connAll                    // every row, unfiltered
	connMarked                 // every row, with kept: whether connPeered selects it
)

// connQuery builds the statement's common part: the entity's connections
// in window as it sees them (v: hour h, peer, its ports lp and rp,
// protocol, inbound, action, sums), with the row's direction (d: din,
// true for inbound; grouped as a boolean and named only in the rows
// returned, which is cheaper over a million rows) and the filters that
// stored rows answer (f, the rows which selects).
//
// far says where an address's far-side rows count (farSides).
func (e *Engine) connQuery(ent entityRow, window trailhound.Scope, f *flowFilter, which connRows, far farSide) (string, []any) {
	ts := e.dialect.Timestamp()
	// Sides (migration 006): 0 the instance, 1 the local address, 2 the
	// remote address, which sees the ports and direction the other way.
	cols := func(side int) string {
		lp, rp, in := "local_port", "remote_port", "NOT egress"
		if side == 2 {
			lp, rp, in = "remote_port", "local_port", "egress"
		}
		return `SELECT ` + e.dialect.EpochSeconds("hour") + ` AS h, peer_key, ` + lp + ` AS lp, ` + rp + ` AS rp,
    protocol, ` + in + ` AS inbound, action, bytes, packets, records, first_start, last_end
FROM flow_conns WHERE hour >= ` + ts + ` AND hour < ` + ts + ` AND side = ` + strconv.Itoa(side) + ` AND key = ?`
	}
	var sel string
	var args []any
	switch {
	case ent.Ref.Type == trailhound.Ec2Instance:
		sel = cols(0)
		args = []any{window.Start, window.End, ent.Key}
	case !far.counts():
		sel = cols(1)
		args = []any{window.Start, window.End, ent.Key}
	default:
		// An address's own interface's records, and the other
		// interfaces' in the hours that count them (see farSide).
		cond, cargs := far.cond(e, "", ent.Key)
		sel = cols(1) + `
UNION ALL
` + cols(2) + cond
		args = append([]any{window.Start, window.End, ent.Key, window.Start, window.End, ent.Key}, cargs...)
	}
	var cond []string
	var cargs []any
	ranges := func(expr string, rs []portRange) {
		if len(rs) == 0 {
			return
		}
		var or []string
		for _, r := range rs {
			or = append(or, expr+" BETWEEN ? AND ?")
			cargs = append(cargs, r.lo, r.hi)
		}
		cond = append(cond, "("+strings.Join(or, " OR ")+")")
	}
	in := func(expr string, vals []any) {
		if len(vals) == 0 {
			return
		}
		cond = append(cond, expr+" IN ("+placeholders(len(vals))+")")
		cargs = append(cargs, vals...)
	}
	ranges("lp", f.localPort)
	ranges("rp", f.remotePort)
	if len(f.any) > 0 {
		var or []string
		for _, r := range f.any {
			or = append(or, "lp BETWEEN ? AND ? OR rp BETWEEN ? AND ?")
			cargs = append(cargs, r.lo, r.hi, r.lo, r.hi)
		}
		cond = append(cond, "("+strings.Join(or, " OR ")+")")
	}
	ranges("CASE WHEN lp <= 0 THEN rp WHEN rp <= 0 THEN lp ELSE least(lp, rp) END", f.service)
	var dirs, protos, actions, instances []any
	for _, d := range f.direction {
		dirs = append(dirs, d == "inbound")
	}
	for _, p := range f.protocol {
		protos = append(protos, p)
	}
	for _, a := range f.action {
		actions = append(actions, a)
	}
	for _, id := range f.instance {
		instances = append(instances, trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: id}.Key())
	}
	in("din", dirs)
	in("protocol", protos)
	in("action", actions)
	in("peer_key", instances)
	if f.finding != "" {
		var peers []any
		for k := range f.peers {
			peers = append(peers, k)
		}
		if len(peers) == 0 {
			peers = append(peers, int64(0))
		}
		in("peer_key", peers)
	}
	if f.addressPeers != nil {
		cond = append(cond, "peer_key IN (SELECT unnest(?::BIGINT[]))")
		cargs = append(cargs, listParam(f.addressPeers))
	}
	where := "peer_key <> 0"
	if len(cond) > 0 && (which == connPeered || which == connMarked) {
		where += " AND " + strings.Join(cond, " AND ")
		args = append(args, cargs...)
	}
	f2 := `SELECT * FROM d WHERE ` + where
	switch which {
	case connAll:
		f2 = `SELECT * FROM d`
	case connMarked:
		f2 = `SELECT *, ` + where + ` AS kept FROM d`
	}
	q := `WITH v AS (
` + sel + `
), d AS (
SELECT *, ` + graph.ConnInboundSQL + ` AS din
FROM v
), f AS (
` + f2 + `
)`
	return q, args
}

// connSums are the aggregates of a set of connection rows, in the order
// of connTotals.
const connSums = `coalesce(sum(bytes) FILTER (WHERE inbound), 0)::BIGINT AS ib, coalesce(sum(bytes) FILTER (WHERE NOT inbound), 0)::BIGINT AS ob,
    coalesce(sum(packets) FILTER (WHERE inbound), 0)::BIGINT AS ip, coalesce(sum(packets) FILTER (WHERE NOT inbound), 0)::BIGINT AS op,
    coalesce(sum(records) FILTER (WHERE action = 'ACCEPT'), 0)::BIGINT AS acc, coalesce(sum(records) FILTER (WHERE action = 'REJECT'), 0)::BIGINT AS rej,
    coalesce(sum(records), 0)::BIGINT AS rec`

func connTotals(t *FlowDetailTotals) []any {
	return []any{&t.InboundBytes, &t.OutboundBytes, &t.InboundPackets, &t.OutboundPackets, &t.Accepted, &t.Rejected, &t.Records}
}

// connSortAgg is the aggregate of each details sort key over a row's
// connections; the other sorts are by the row's own fields
// (connSortField), or by the peer's label.
var connSortAgg = map[string]string{
	"inbound": "coalesce(sum(bytes) FILTER (WHERE inbound), 0)", "outbound": "coalesce(sum(bytes) FILTER (WHERE NOT inbound), 0)",
	"bytes": "coalesce(sum(bytes), 0)", "packets": "coalesce(sum(packets), 0)", "records": "coalesce(sum(records), 0)",
	"accepted": "coalesce(sum(records) FILTER (WHERE action = 'ACCEPT'), 0)", "rejected": "coalesce(sum(records) FILTER (WHERE action = 'REJECT'), 0)",
	"firstSeen": "min(first_start)", "lastSeen": "max(last_end)",
}

var connSortField = map[string]string{"localPort": "lp", "remotePort": "rp", "protocol": "protocol", "direction": "NOT din"}

// connDetails fills out's totals, rows and series from the connection
// table, as vpcFlowDetails does from the records.
func (e *Engine) connDetails(ctx context.Context, ent entityRow, window, rowsWindow trailhound.Scope, width int64, f *flowFilter,
	out *VPCFlowDetails, series map[flowRowKey]*FlowDetailSeries, seriesOrder []flowRowKey, annotate map[int64]bool, limit int) error {
	scanWindow := rowsWindow
	if series != nil {
		scanWindow = window
	}
	fars, err := e.farSides(ctx, ent, scanWindow)
	if err != nil {
		return err
	}
	far := fars[0]
	base, args := e.connQuery(ent, scanWindow, f, connPeered, far)
	// The rows and totals are of rowsWindow, within the window read.
	hours, hourArgs := "true", []any(nil)
	if rowsWindow != scanWindow {
		hours, hourArgs = "h >= ? AND h < ?", []any{rowsWindow.Start, rowsWindow.End}
	}

	// Over days, in the default order and unfiltered, a busy entity's
	// daily rows may answer (flowdays.go).
	var keys []int64
	days := false
	if len(f.active) == 0 && len(annotate) == 0 && out.Sort == "inbound" && out.Order == "desc" && !far.counts() {
		if keys, days, err = e.connDayRows(ctx, ent, rowsWindow, limit, out); err != nil {
			return err
		}
	}
	if !days {
		if keys, err = e.connHourRows(ctx, ent, scanWindow, f, far, base, args, hours, hourArgs, annotate, limit, out); err != nil {
			return err
		}
	}
	out.Truncated = out.TotalRows > len(out.Rows)
	want := map[int64]bool{}
	for _, k := range keys {
		want[k] = true
	}
	names, err := e.names(ctx, want)
	if err != nil {
		return err
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		n, ok := names[keys[i]]
		if !ok {
			return fmt.Errorf("analysis: flow details: no entity has the key %d of a peer", keys[i])
		}
		r.Peer = Ref{n.Ref.Type, n.Ref.ID}
		r.PeerLabel = n.Ref.ID
		r.Key = flowRowKey{peer: r.Peer, localPort: int(r.LocalPort), remotePort: int(r.RemotePort), protocol: int(r.Protocol), direction: r.Direction}.String()
	}
	if series == nil {
		return nil
	}

	// The series of the rows asked for, per bucket of the window.
	sArgs := append(append([]any{}, args...), window.Start, width)
	var match []string
	for _, k := range seriesOrder {
		match = append(match, "(peer_key = ? AND lp = ? AND rp = ? AND protocol = ? AND din = ?)")
		sArgs = append(sArgs, trailhound.EntityRef{Type: k.peer.Type, ID: k.peer.ID}.Key(), k.localPort, k.remotePort, k.protocol, k.direction == "inbound")
	}
	q := base + `
SELECT peer_key, lp, rp, protocol, CASE WHEN din THEN 'inbound' ELSE 'outbound' END, (h - ?) // ? AS b, ` + connSums + `
FROM f WHERE ` + strings.Join(match, " OR ") + ` GROUP BY peer_key, lp, rp, protocol, din, b`
	srows, err := e.db.QueryContext(ctx, q, sArgs...)
	if err != nil {
		return fmt.Errorf("analysis: flow details series: %w", err)
	}
	defer srows.Close()
	byKey := map[string]*FlowDetailSeries{}
	for _, k := range seriesOrder {
		byKey[connSeriesID(trailhound.EntityRef{Type: k.peer.Type, ID: k.peer.ID}.Key(), k)] = series[k]
	}
	for srows.Next() {
		var k flowRowKey
		var key, b int64
		var t FlowDetailTotals
		if err := srows.Scan(append([]any{&key, &k.localPort, &k.remotePort, &k.protocol, &k.direction, &b}, connTotals(&t)...)...); err != nil {
			return fmt.Errorf("analysis: flow details series: %w", err)
		}
		s := byKey[connSeriesID(key, k)]
		if s == nil || b < 0 || int(b) >= len(s.Buckets) {
			continue
		}
		bk := &s.Buckets[b]
		bk.Inbound += t.InboundBytes
		bk.Outbound += t.OutboundBytes
		bk.InboundPackets += t.InboundPackets
		bk.OutboundPackets += t.OutboundPackets
		s.Totals.InboundBytes += t.InboundBytes
		s.Totals.OutboundBytes += t.OutboundBytes
		s.Totals.InboundPackets += t.InboundPackets
		s.Totals.OutboundPackets += t.OutboundPackets
		s.Totals.Accepted += t.Accepted
		s.Totals.Rejected += t.Rejected
		s.Totals.Records += t.Records
	}
	return srows.Err()
}

// connHourRows fills out's totals, rows and row count from the hourly
// rows of base (connQuery's over scanWindow, with args) in the hours
// selected, and returns the rows' peer keys.
func (e *Engine) connHourRows(ctx context.Context, ent entityRow, scanWindow trailhound.Scope, f *flowFilter, far farSide, base string, args []any,
	hours string, hourArgs []any, annotate map[int64]bool, limit int, out *VPCFlowDetails) ([]int64, error) {
	// The totals of the rows kept and, when no filter is set (a filter
	// never keeps them), the records without a peer, in one pass: summed
	// by the few values they depend on, which takes less than filtered
	// sums. (Read while the rows are, they only take longer: both use
	// every core.)
	marked, margs := e.connQuery(ent, scanWindow, f, connMarked, far)
	trows, err := e.db.QueryContext(ctx, marked+`
SELECT kept, peer_key = 0, inbound, action, sum(bytes)::BIGINT, sum(packets)::BIGINT, sum(records)::BIGINT FROM f WHERE `+hours+`
GROUP BY kept, peer_key = 0, inbound, action`, append(margs, hourArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow details: %w", err)
	}
	var noData int64
	for trows.Next() {
		var kept, noPeer, inbound bool
		var action string
		var bytes, packets, records int64
		if err := trows.Scan(&kept, &noPeer, &inbound, &action, &bytes, &packets, &records); err != nil {
			trows.Close()
			return nil, fmt.Errorf("analysis: flow details: %w", err)
		}
		if noPeer {
			noData += records
		}
		if !kept {
			continue
		}
		t := &out.Totals
		if inbound {
			t.InboundBytes += bytes
			t.InboundPackets += packets
		} else {
			t.OutboundBytes += bytes
			t.OutboundPackets += packets
		}
		switch action {
		case "ACCEPT":
			t.Accepted += records
		case "REJECT":
			t.Rejected += records
		}
		t.Records += records
	}
	err = trows.Err()
	trows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: flow details: %w", err)
	}
	if len(f.active) == 0 {
		out.NoData = noData
	}
	return e.connRows(ctx, base, args, hours, hourArgs, annotate, limit, out)
}

// connSeriesID identifies a series row by its peer's key and the row's
// other fields (the peer's id is not read back).
func connSeriesID(peer int64, k flowRowKey) string {
	return strconv.FormatInt(peer, 10) + "/" + strconv.Itoa(k.localPort) + "/" + strconv.Itoa(k.remotePort) + "/" +
		strconv.Itoa(k.protocol) + "/" + k.direction
}

// connVolumeRows is the query of the vpc-flow-volume panel's rows over
// the connection table: the same columns, order and limit as over the
// flows (by peer, service port, protocol, direction and action), limited
// to the finding's peers when peers is set. Peers are named afterwards,
// for the rows returned only. far is where the far side counts in window.
func (e *Engine) connVolumeRows(ent entityRow, window trailhound.Scope, peers []any, far farSide) (string, []any) {
	base, args := e.connQuery(ent, window, &flowFilter{}, connAll, far)
	where := ""
	if peers != nil {
		where = "WHERE peer_key IN (" + placeholders(len(peers)) + ")"
		args = append(args, peers...)
	}
	q := base + `, g AS (
SELECT peer_key AS peer, CASE WHEN lp <= 0 THEN rp WHEN rp <= 0 THEN lp ELSE least(lp, rp) END AS port, protocol,
    inbound, action, sum(bytes) AS bytes, sum(packets) AS packets, sum(records) AS records,
    make_timestamp(min(first_start) * 1000000) AS first_seen, CASE WHEN max(last_end) > 0 THEN make_timestamp(max(last_end) * 1000000) END AS last_seen
FROM f ` + where + ` GROUP BY peer_key, port, protocol, inbound, action
)
SELECT peer, '' AS peer_text, port, protocol, CASE WHEN inbound THEN 'inbound' ELSE 'outbound' END, action, bytes, packets, records, first_seen, last_seen, count(*) OVER ()
FROM g ORDER BY bytes DESC, peer, port, protocol, NOT inbound, action LIMIT ?`
	return q, append(args, flowVolumeMaxRows)
}

// farSide is where an address's far-side rows count in a window: the
// runs of hours (gaps) in which its own interface logged nothing (see
// farCounted). A busy internal address talks mostly with other monitored
// interfaces, which log each connection too: when its own interface
// logged every hour, its far side is not read at all, and otherwise only
// the hours of the gaps are.
type farSide struct {
	gaps []trailhound.Scope
}

// counts reports whether any far-side row can count.
func (f farSide) counts() bool { return len(f.gaps) > 0 }

// maxFarGaps is how many gaps farSide.cond names one by one; past it the
// far side's rows are checked hour by hour against the near side's (a
// variable for the tests of both ways).
var maxFarGaps = 24

// cond is the SQL condition keeping the far-side rows that count, over
// the hour column of alias, with its arguments; key is the address's.
func (f farSide) cond(e *Engine, alias string, key int64) (string, []any) {
	if len(f.gaps) == 0 {
		return " AND false", nil
	}
	ts := e.dialect.Timestamp()
	if len(f.gaps) > maxFarGaps {
		return " AND " + alias + "hour >= " + ts + " AND " + alias + "hour < " + ts + farCounted(alias),
			[]any{f.gaps[0].Start, f.gaps[len(f.gaps)-1].End, key}
	}
	var or []string
	var args []any
	for _, g := range f.gaps {
		or = append(or, alias+"hour >= "+ts+" AND "+alias+"hour < "+ts)
		args = append(args, g.Start, g.End)
	}
	return " AND (" + strings.Join(or, " OR ") + ")", args
}

// farSides reads, for each window, where an address's far side counts
// (never for other entities).
func (e *Engine) farSides(ctx context.Context, ent entityRow, windows ...trailhound.Scope) ([]farSide, error) {
	out := make([]farSide, len(windows))
	if ent.Ref.Type != trailhound.IPAddress || len(windows) == 0 {
		return out, nil
	}
	ts := e.dialect.Timestamp()
	lo, hi := windows[0].Start, windows[0].End
	for _, w := range windows {
		lo, hi = min(lo, w.Start), max(hi, w.End)
	}
	rows, err := e.db.QueryContext(ctx, `SELECT DISTINCT `+e.dialect.EpochSeconds("hour")+` FROM flow_hours WHERE side = 'local' AND key = ? AND hour >= `+ts+` AND hour < `+ts,
		ent.Key, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow hours: %w", err)
	}
	defer rows.Close()
	logged := map[int64]bool{}
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("analysis: flow hours: %w", err)
		}
		logged[h] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: flow hours: %w", err)
	}
	for i, w := range windows {
		out[i].gaps = hourGaps(w, logged)
	}
	return out, nil
}

// hourGaps is the runs of whole hours starting in window that are not
// logged, as windows (rows are filed under the start of their hour).
func hourGaps(window trailhound.Scope, logged map[int64]bool) []trailhound.Scope {
	var gaps []trailhound.Scope
	for h := ceilDiv(window.Start, Hour) * Hour; h < window.End; h += Hour {
		if logged[h] {
			continue
		}
		if n := len(gaps); n > 0 && gaps[n-1].End == h {
			gaps[n-1].End = min(h+Hour, window.End)
			continue
		}
		gaps = append(gaps, trailhound.Scope{Start: h, End: min(h+Hour, window.End)})
	}
	return gaps
}

// connRows fills out's rows (as connDetails describes) and TotalRows from
// the connection rows of base (with args) in the hours selected, and
// returns each row's peer key.
func (e *Engine) connRows(ctx context.Context, base string, args []any, hours string, hourArgs []any, annotate map[int64]bool, limit int,
	out *VPCFlowDetails) ([]int64, error) {
	// The rows: grouped, sorted (ties as sortFlowDetailRows breaks them)
	// and cut. A busy address's week holds half a million rows: they are
	// grouped with the sort's own aggregate only (a sort by peer names
	// them all instead), and the other sums are taken for the rows
	// returned only.
	type rowKey struct {
		peer             int64
		lp, rp, protocol int64
		inbound          bool
	}
	rowArgs := append(append([]any{}, args...), hourArgs...)
	var order string
	var q string
	if out.Sort == "peer" {
		q = base + `, r AS (
SELECT peer_key, lp, rp, protocol, din FROM f WHERE ` + hours + ` GROUP BY peer_key, lp, rp, protocol, din
), l AS (
SELECT r.*, n.id AS label FROM r JOIN (SELECT DISTINCT key, id FROM entities WHERE key IN (SELECT peer_key FROM r)) n ON n.key = r.peer_key
)
SELECT peer_key, lp, rp, protocol, din, count(*) OVER () FROM l`
		order = "label"
	} else {
		agg, sortKey := "0", connSortField[out.Sort]
		if a, ok := connSortAgg[out.Sort]; ok {
			agg, sortKey = a, "s"
		}
		q = base + `, g AS MATERIALIZED (
SELECT peer_key, lp, rp, protocol, din, ` + agg + ` AS s FROM f WHERE ` + hours + ` GROUP BY peer_key, lp, rp, protocol, din
)
SELECT peer_key, lp, rp, protocol, din, (SELECT count(*) FROM g) FROM g`
		order = sortKey
	}
	order += " " + strings.ToUpper(out.Order) + ", " + flowTieBreak
	if len(annotate) > 0 {
		keys := make([]any, 0, len(annotate))
		for k := range annotate {
			keys = append(keys, k)
		}
		order = "peer_key IN (" + placeholders(len(keys)) + ") DESC, " + order
		rowArgs = append(rowArgs, keys...)
	}
	rows, err := e.db.QueryContext(ctx, q+` ORDER BY `+order+` LIMIT ?`, append(rowArgs, limit)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow details: %w", err)
	}
	var picked []rowKey
	for rows.Next() {
		var k rowKey
		if err := rows.Scan(&k.peer, &k.lp, &k.rp, &k.protocol, &k.inbound, &out.TotalRows); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: flow details: %w", err)
		}
		picked = append(picked, k)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: flow details: %w", err)
	}
	sums := map[rowKey]FlowDetailRow{}
	if len(picked) > 0 {
		// The picked rows' sums, joined with the picked rows passed as
		// five list parameters (one bound parameter per value took
		// longer to plan and filter than the query takes to run).
		var peers, lps, rps, protocols []int64
		var inbound []bool
		for _, k := range picked {
			peers, lps, rps = append(peers, k.peer), append(lps, k.lp), append(rps, k.rp)
			protocols, inbound = append(protocols, k.protocol), append(inbound, k.inbound)
		}
		sArgs := append(append([]any{}, args...), listParam(peers), listParam(lps), listParam(rps), listParam(protocols), listParam(inbound))
		sArgs = append(sArgs, hourArgs...)
		q := base + `, k AS (
SELECT unnest(?::BIGINT[]) AS pk, unnest(?::INTEGER[]) AS l, unnest(?::INTEGER[]) AS r, unnest(?::INTEGER[]) AS p, unnest(?::BOOLEAN[]) AS dn
)
SELECT peer_key, lp, rp, protocol, din, ` + connSums + `, min(first_start), max(last_end)
FROM f JOIN k ON f.peer_key = k.pk AND f.lp = k.l AND f.rp = k.r AND f.protocol = k.p AND f.din = k.dn
WHERE ` + hours + ` GROUP BY peer_key, lp, rp, protocol, din`
		srows, err := e.db.QueryContext(ctx, q, sArgs...)
		if err != nil {
			return nil, fmt.Errorf("analysis: flow details: %w", err)
		}
		for srows.Next() {
			var k rowKey
			var r FlowDetailRow
			if err := srows.Scan(&k.peer, &k.lp, &k.rp, &k.protocol, &k.inbound,
				&r.InboundBytes, &r.OutboundBytes, &r.InboundPackets, &r.OutboundPackets, &r.Accepted, &r.Rejected, &r.Records, &r.FirstSeen, &r.LastSeen); err != nil {
				srows.Close()
				return nil, fmt.Errorf("analysis: flow details: %w", err)
			}
			sums[k] = r
		}
		err = srows.Err()
		srows.Close()
		if err != nil {
			return nil, fmt.Errorf("analysis: flow details: %w", err)
		}
	}
	var keys []int64
	for _, k := range picked {
		r, ok := sums[k]
		if !ok {
			return nil, fmt.Errorf("analysis: flow details: the sums of row %+v are missing", k)
		}
		r.LocalPort, r.RemotePort, r.Protocol = k.lp, k.rp, k.protocol
		r.Direction = "outbound"
		if k.inbound {
			r.Direction = "inbound"
		}
		r.ProtocolName = ProtocolName(r.Protocol)
		r.FindingRelated = annotate[k.peer]
		out.Rows = append(out.Rows, r)
		keys = append(keys, k.peer)
	}
	return keys, nil
}
