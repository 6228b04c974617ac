package analysis

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
)

// The VPC flow details are computed from the connection table
// (flow_conns: records summed per hour, both ports, protocol, direction
// and action, filed under each side's entity) when it holds every flow of
// the window, all in one query: a busy address's week can hold a million
// distinct rows, which DuckDB groups, totals and sorts faster than they
// could be handed to Go. Two cases read the records from the archive
// instead (flowScan), with the same results: windows holding flows
// ingested before the table existed and not backfilled since (trailhound
// backfill), and filters on the peer's address (CIDR blocks and address
// classes are not expressible over keys).

// connsUsable reports whether the connection table can answer a details
// query over window with filter.
func (e *Engine) connsUsable(ctx context.Context, window trailhound.Scope, f *flowFilter) (bool, error) {
	if len(f.ip) > 0 || len(f.notIP) > 0 || len(f.ipClass) > 0 {
		return false, nil
	}
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

// maxConnsWindows bounds the windows connsUsable remembers.
const maxConnsWindows = 10_000

// connRows selects the rows of connQuery by their peer.
type connRows int

const (
	connPeered connRows = iota // rows with a peer, filtered
	connNoPeer                 // rows without a peer (NODATA), which no filter keeps
	connAll                    // every row, unfiltered
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
	where := "peer_key <> 0"
	switch {
	case which == connAll:
		where = "true"
	case which == connNoPeer:
		where = "peer_key = 0"
	case len(cond) > 0:
		where += " AND " + strings.Join(cond, " AND ")
		args = append(args, cargs...)
	}
	q := `WITH v AS (
` + sel + `
), d AS (
SELECT *, CASE WHEN lp <> rp THEN (CASE WHEN lp <= 0 THEN rp WHEN rp <= 0 THEN lp ELSE least(lp, rp) END) = lp ELSE inbound END AS din
FROM v
), f AS (
SELECT * FROM d WHERE ` + where + `
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

// connSortExpr is the SQL of each details sort key over the grouped rows.
var connSortExpr = map[string]string{
	"inbound": "ib", "outbound": "ob", "bytes": "ib + ob", "packets": "ip + op", "records": "rec", "accepted": "acc",
	"rejected": "rej", "firstSeen": "fs", "lastSeen": "ls", "peer": "label", "localPort": "lp", "remotePort": "rp",
	"protocol": "protocol", "direction": "NOT din",
}

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

	// Records without a peer count apart, when no filter is set (a
	// filter never keeps them).
	if len(f.active) == 0 {
		q, qa := e.connQuery(ent, scanWindow, f, connNoPeer, far)
		q += `
SELECT coalesce(sum(records), 0)::BIGINT FROM f WHERE h >= ? AND h < ?`
		if err := e.db.QueryRowContext(ctx, q, append(qa, rowsWindow.Start, rowsWindow.End)...).Scan(&out.NoData); err != nil {
			return fmt.Errorf("analysis: flow details: %w", err)
		}
	}

	// The rows: grouped, sorted (ties as sortFlowDetailRows breaks them)
	// and cut, with the totals of all. Only a sort by peer needs every
	// row's label; otherwise only the rows returned are named.
	order := connSortExpr[out.Sort] + " " + strings.ToUpper(out.Order) + ", " + flowTieBreak
	rowArgs := append(append([]any{}, args...), rowsWindow.Start, rowsWindow.End)
	if len(annotate) > 0 {
		keys := make([]any, 0, len(annotate))
		for k := range annotate {
			keys = append(keys, k)
		}
		order = "peer_key IN (" + placeholders(len(keys)) + ") DESC, " + order
		rowArgs = append(rowArgs, keys...)
	}
	rowArgs = append(rowArgs, limit)
	labelled := "SELECT r.*, '' AS label FROM r"
	if out.Sort == "peer" {
		labelled = `SELECT r.*, n.id AS label FROM r JOIN (SELECT DISTINCT key, id FROM entities WHERE key IN (SELECT peer_key FROM r)) n ON n.key = r.peer_key`
	}
	q := base + `, r AS (
SELECT peer_key, lp, rp, protocol, din, ` + connSums + `, min(first_start) AS fs, max(last_end) AS ls
FROM f WHERE h >= ? AND h < ? GROUP BY peer_key, lp, rp, protocol, din
), l AS (
` + labelled + `
)
SELECT peer_key, lp, rp, protocol, CASE WHEN din THEN 'inbound' ELSE 'outbound' END, ib, ob, ip, op, acc, rej, rec, fs, ls,
    count(*) OVER (), sum(ib) OVER ()::BIGINT, sum(ob) OVER ()::BIGINT, sum(ip) OVER ()::BIGINT, sum(op) OVER ()::BIGINT,
    sum(acc) OVER ()::BIGINT, sum(rej) OVER ()::BIGINT, sum(rec) OVER ()::BIGINT
FROM l ORDER BY ` + order + ` LIMIT ?`
	rows, err := e.db.QueryContext(ctx, q, rowArgs...)
	if err != nil {
		return fmt.Errorf("analysis: flow details: %w", err)
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var r FlowDetailRow
		var key int64
		var total int
		err := rows.Scan(&key, &r.LocalPort, &r.RemotePort, &r.Protocol, &r.Direction,
			&r.InboundBytes, &r.OutboundBytes, &r.InboundPackets, &r.OutboundPackets, &r.Accepted, &r.Rejected, &r.Records, &r.FirstSeen, &r.LastSeen,
			&total, &out.Totals.InboundBytes, &out.Totals.OutboundBytes, &out.Totals.InboundPackets, &out.Totals.OutboundPackets,
			&out.Totals.Accepted, &out.Totals.Rejected, &out.Totals.Records)
		if err != nil {
			return fmt.Errorf("analysis: flow details: %w", err)
		}
		r.ProtocolName = ProtocolName(r.Protocol)
		r.FindingRelated = annotate[key]
		out.TotalRows = total
		out.Rows = append(out.Rows, r)
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analysis: flow details: %w", err)
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
	q = base + `
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
