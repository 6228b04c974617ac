package analysis

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// The VPC flow details of a busy entity over days are read from its daily
// rows (flow_conn_days, migration 008) when they are up to date, with the
// window's partial days at either end (a few hours) grouped from the
// hourly connection rows and matched to their whole day's rows by number.
// Grouping every distinct row of a busy address's week (half a million)
// to show the thousand with the most inbound bytes took most of a view's
// time; instead:
//
//   - the rows shown are found by a threshold algorithm: every row in the
//     top D of some day (or partial day) is a candidate, summed exactly
//     over the window; a row in no day's top D has at most the sum of the
//     days' D-th values (T) in all, so when the limit-th candidate has more
//     than T, the candidates' top rows are the window's. Otherwise the
//     hourly rows answer, as they do for every other case;
//   - the rows are counted without grouping them: a day's row is the
//     window's first of its connection when the previous day it occurs on
//     is before the window. A row of the partial day before the whole
//     days is new unless a whole day's row has that day as its previous
//     one; a row of the partial day after them is new unless its whole
//     day's row has a previous day in the window; a row of both is
//     counted once;
//   - the totals are plain sums of the days' rows, less the few without a
//     peer (which filtered sums over every row took longer to leave out).
//
// The daily rows are kept for entities with a day of many rows only
// (duckdb.FlowConnHeavyRows), and read with the default order (inbound
// bytes, descending) and no filter.

// flowDayDepth is how deep each day's rows are read per row asked for
// (D above is flowDayDepth times the limit); a variable for the tests.
var flowDayDepth = 10

// flowDayEdgeHours bounds the hours of partial days a window may have for
// its daily rows to answer. The partial days' hourly rows are grouped with
// every sum (the hourly path groups by one), and matched to their whole
// days: about 100 ms for a day of the busiest address on the large
// benchmark, more than grouping its whole week by the hour takes with one
// sum (so a "last 7 days" ending mid-day, with 24 partial hours, is read
// by the hour). A variable for the tests.
var flowDayEdgeHours int64 = 6

// flowDayAnswered and flowDayUnsettled count the views the daily rows
// answered and those whose candidates did not settle (for the tests).
var flowDayAnswered, flowDayUnsettled atomic.Int64

// flowDayVersion selects the version of the daily rows, which each build
// of them increments.
const flowDayVersion = `(SELECT coalesce(max(value), 0) FROM store_state WHERE name = 'flow_conn_days.version')`

// flowDayTies is how many rows past the limit are read to find those tied
// with the limit-th; more ties leave the view to the hourly rows.
const flowDayTies = 64

// connDayRows fills out's totals, rows and row count, as connDetails does
// from the hourly rows, from the daily rows of ent over rowsWindow (whole
// hours) when they answer, and returns the rows' peer keys. It reports
// false, changing nothing, when they do not: ent's days are not kept or
// not up to date, the window holds no whole day, or the candidates do not
// settle the top rows.
func (e *Engine) connDayRows(ctx context.Context, ent entityRow, rowsWindow trailhound.Scope, limit int, out *VPCFlowDetails) ([]int64, bool, error) {
	side := 0
	switch ent.Ref.Type {
	case trailhound.Ec2Instance:
	case trailhound.IPAddress:
		side = 1
	default:
		return nil, false, nil
	}
	a := ceilDiv(rowsWindow.Start, Day)
	b := rowsWindow.End/Day - 1
	if rowsWindow.Start < 0 || b < a {
		return nil, false, nil
	}
	var heavy, dirty bool
	var version int64
	err := e.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM flow_conn_heavy WHERE side = ? AND key = ?),
    EXISTS (SELECT 1 FROM flow_conn_dirty WHERE day BETWEEN ? AND ?), `+flowDayVersion, side, ent.Key, a-1, b+1).Scan(&heavy, &dirty, &version)
	if err != nil {
		return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
	}
	if !heavy || dirty {
		return nil, false, nil
	}

	// The partial days: their hourly rows grouped (e, first telling the
	// window's start from its end), each with the number and previous day
	// of its row on the whole day (which the table holds: the days next to
	// the window are up to date).
	ts := e.dialect.Timestamp()
	fullStart, fullEnd := a*Day, (b+1)*Day
	edges := rowsWindow.Start < fullStart || rowsWindow.End > fullEnd
	if (fullStart-rowsWindow.Start)+(rowsWindow.End-fullEnd) > flowDayEdgeHours*Hour {
		return nil, false, nil
	}
	const rowKey = "peer_key, lp, rp, protocol, din"
	edge := `SELECT g.*, x.rid, x.prev FROM (
    SELECT hour < ` + ts + ` AS first, ` + rowKey + `, ` + connSums + `, min(first_start) AS fs, max(last_end) AS le
    FROM (SELECT *, ` + graph.ConnInboundSQL + ` AS din FROM (
        SELECT hour, peer_key, local_port AS lp, remote_port AS rp, protocol, NOT egress AS inbound, action, bytes, packets, records, first_start, last_end
        FROM flow_conns WHERE side = ? AND key = ? AND (hour >= ` + ts + ` AND hour < ` + ts + ` OR hour >= ` + ts + ` AND hour < ` + ts + `)))
    GROUP BY first, ` + rowKey + `
) g LEFT JOIN (SELECT day, ` + rowKey + `, rid, prev FROM flow_conn_days WHERE side = ? AND key = ? AND day IN (?, ?)) x
    ON x.day = CASE WHEN g.first THEN ? ELSE ? END AND x.peer_key = g.peer_key AND x.lp = g.lp AND x.rp = g.rp AND x.protocol = g.protocol AND x.din = g.din`
	edgeArgs := []any{fullStart, side, ent.Key, rowsWindow.Start, fullStart, fullEnd, rowsWindow.End, side, ent.Key, a - 1, b + 1, a - 1, b + 1}

	// The candidates summed (inbound bytes only) and those with at least
	// the limit-th's bytes; T; the days' totals and first rows (dg, less
	// d0's: those without a peer, a few, which filtered sums over every
	// row took longer to leave out), and their longest list; the partial
	// days' likewise (eg).
	depth := flowDayDepth * limit
	dayRange := `FROM flow_conn_days WHERE side = ? AND key = ? AND day BETWEEN ? AND ?`
	dArgs := []any{side, ent.Key, a, b}
	const daySums = `coalesce(sum(ib), 0)::BIGINT, coalesce(sum(ob), 0)::BIGINT, coalesce(sum(ip), 0)::BIGINT, coalesce(sum(op), 0)::BIGINT,
    coalesce(sum(acc), 0)::BIGINT, coalesce(sum(rej), 0)::BIGINT, coalesce(sum(rec), 0)::BIGINT, coalesce(sum((coalesce(prev, -1) < ?)::INT), 0)::BIGINT`
	// The partial days are grouped once, into a temporary table of a
	// connection of their own that the statements then share.
	var db interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	} = e.db
	if edges {
		conn, err := e.db.Conn(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE flow_day_edges AS `+edge, edgeArgs...); err != nil {
			return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS flow_day_edges`)
		db = conn
	}
	q := `WITH `
	var args []any
	if edges {
		q += `e AS (SELECT * FROM flow_day_edges), `
	}
	q += `l AS (
SELECT rid, ib, rk ` + dayRange + ` AND peer_key <> 0`
	args = append(args, dArgs...)
	if edges {
		q += `
UNION ALL
SELECT rid, ib, row_number() OVER (PARTITION BY first ORDER BY ib DESC, ` + flowTieBreak + `) FROM e WHERE peer_key <> 0`
	}
	q += `
)`
	pArgs := args
	// The aggregates, read while the candidates are (each statement
	// leaves a core idle part of the time).
	aq := q + `, dg AS (
SELECT ` + daySums + `, coalesce(max(rk), 0) ` + dayRange + `
), d0 AS (
SELECT ` + daySums + ` ` + dayRange + ` AND peer_key = 0
), th AS (
SELECT coalesce(sum(ib), 0)::BIGINT FROM l WHERE rk = ?
), `
	aArgs := append(append(append(append(append([]any{}, pArgs...), a), dArgs...), a), dArgs...)
	aArgs = append(aArgs, depth)
	if edges {
		aq += `eg AS (
SELECT coalesce(sum(ib) FILTER (WHERE peer_key <> 0), 0)::BIGINT, coalesce(sum(ob) FILTER (WHERE peer_key <> 0), 0)::BIGINT,
    coalesce(sum(ip) FILTER (WHERE peer_key <> 0), 0)::BIGINT, coalesce(sum(op) FILTER (WHERE peer_key <> 0), 0)::BIGINT,
    coalesce(sum(acc) FILTER (WHERE peer_key <> 0), 0)::BIGINT, coalesce(sum(rej) FILTER (WHERE peer_key <> 0), 0)::BIGINT,
    coalesce(sum(rec) FILTER (WHERE peer_key <> 0), 0)::BIGINT, coalesce(sum(rec) FILTER (WHERE peer_key = 0), 0)::BIGINT,
    count(*) FILTER (WHERE first AND peer_key <> 0)
        - (SELECT count(*) FROM e WHERE first AND peer_key <> 0 AND rid IN (SELECT rid ` + dayRange + ` AND prev = ?))
        + count(*) FILTER (WHERE NOT first AND peer_key <> 0 AND coalesce(prev, -1) < ?)
        - (SELECT count(*) FROM e e1 JOIN e e2 USING (rid) WHERE e1.first AND NOT e2.first AND e1.peer_key <> 0 AND coalesce(e2.prev, -1) < ?),
    greatest(count(*) FILTER (WHERE first AND peer_key <> 0), count(*) FILTER (WHERE NOT first AND peer_key <> 0)),
    count(*) FILTER (WHERE peer_key <> 0 AND rid IS NULL)
FROM e
)`
		aArgs = append(append(aArgs, dArgs...), a-1, a, a)
	} else {
		aq += `eg AS (
SELECT 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT
)`
	}
	aq += `
SELECT dg.*, d0.*, th.*, eg.* FROM dg CROSS JOIN d0 CROSS JOIN th CROSS JOIN eg`
	var sumAll, sumNone, sumEdge FlowDetailTotals
	var allFirst, noneFirst, maxRank, threshold, edgeNoData, edgeRows, longest, unmatched int64
	aggs := make(chan error, 1)
	readAggs := func() {
		dest := append(connTotals(&sumAll), &allFirst, &maxRank)
		dest = append(append(dest, connTotals(&sumNone)...), &noneFirst, &threshold)
		dest = append(append(dest, connTotals(&sumEdge)...), &edgeNoData, &edgeRows, &longest, &unmatched)
		aggs <- db.QueryRowContext(ctx, aq, aArgs...).Scan(dest...)
	}
	if edges {
		readAggs() // on the one connection
	} else {
		go readAggs()
	}

	// The candidates with the most bytes, and a few more: those tied with
	// the limit-th are ordered by the tie-break once their rows are known.
	q += `, c AS (
SELECT DISTINCT rid FROM l WHERE rk <= ?
)
SELECT rid, sum(ib)::BIGINT AS ib FROM l WHERE rid IN (SELECT rid FROM c) GROUP BY rid ORDER BY ib DESC LIMIT ?`
	args = append(append([]any{}, pArgs...), depth, limit+flowDayTies)
	var rids []int64
	var ibs []int64
	err = func() error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rid, ib int64
			if err := rows.Scan(&rid, &ib); err != nil {
				return err
			}
			rids, ibs = append(rids, rid), append(ibs, ib)
		}
		return rows.Err()
	}()
	if aerr := <-aggs; err == nil {
		err = aerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
	}
	deeper := maxRank > int64(depth) || longest > int64(depth)
	count := allFirst - noneFirst + edgeRows
	var totals FlowDetailTotals
	for i, p := range connTotals(&totals) {
		*p.(*int64) = *connTotals(&sumAll)[i].(*int64) - *connTotals(&sumNone)[i].(*int64) + *connTotals(&sumEdge)[i].(*int64)
	}
	noData := sumNone.Records + edgeNoData
	// The rows picked: the limit first, and those tied with the last of
	// them, unless more may be tied than were read.
	if len(rids) > limit {
		n := limit
		for n < len(rids) && ibs[n] == ibs[limit-1] {
			n++
		}
		if n == limit+flowDayTies {
			return nil, false, nil
		}
		rids, ibs = rids[:n], ibs[:n]
	}
	// Settled when no day has rows beyond its top D (every row is a
	// candidate), or when the limit-th candidate has more than any other
	// row can (a tie with T could go either way by the tie-break, which
	// the other rows were not ranked by). A partial day's row missing from
	// its whole day means the days changed under the query: the hours
	// answer instead.
	if unmatched > 0 || deeper && (len(rids) < limit || ibs[limit-1] <= threshold) {
		flowDayUnsettled.Add(1)
		return nil, false, nil
	}

	// The sums of the rows picked, by number.
	all := `SELECT rid, ` + rowKey + `, ib, ob, ip, op, acc, rej, rec, fs, le FROM flow_conn_days
WHERE side = ? AND key = ? AND day BETWEEN ? AND ? AND rid IN (SELECT unnest(?::INTEGER[]))`
	args = []any{side, ent.Key, a, b, listParam(rids)}
	if edges {
		all += `
UNION ALL
SELECT rid, ` + rowKey + `, ib, ob, ip, op, acc, rej, rec, fs, le FROM flow_day_edges WHERE rid IN (SELECT unnest(?::INTEGER[]))`
		args = append(args, listParam(rids))
	}
	q = `SELECT ` + rowKey + `, sum(ib)::BIGINT, sum(ob)::BIGINT, sum(ip)::BIGINT, sum(op)::BIGINT, sum(acc)::BIGINT, sum(rej)::BIGINT, sum(rec)::BIGINT, min(fs), max(le)
FROM (` + all + `) GROUP BY rid, ` + rowKey
	srows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
	}
	defer srows.Close()
	var list []FlowDetailRow
	var keys []int64
	for srows.Next() {
		var r FlowDetailRow
		var peer int64
		var inbound bool
		if err := srows.Scan(&peer, &r.LocalPort, &r.RemotePort, &r.Protocol, &inbound, &r.InboundBytes, &r.OutboundBytes, &r.InboundPackets, &r.OutboundPackets,
			&r.Accepted, &r.Rejected, &r.Records, &r.FirstSeen, &r.LastSeen); err != nil {
			return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
		}
		r.Direction = "outbound"
		if inbound {
			r.Direction = "inbound"
		}
		r.ProtocolName = ProtocolName(r.Protocol)
		list = append(list, r)
		keys = append(keys, peer)
	}
	if err := srows.Err(); err != nil {
		return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
	}
	// Rows built again between the statements may be numbered anew.
	var now int64
	if err := e.db.QueryRowContext(ctx, `SELECT `+flowDayVersion).Scan(&now); err != nil {
		return nil, false, fmt.Errorf("analysis: flow details by day: %w", err)
	}
	if now != version {
		return nil, false, nil
	}
	if len(list) != len(rids) {
		return nil, false, fmt.Errorf("analysis: flow details by day: %d rows picked, %d summed", len(rids), len(list))
	}
	// In the details order (ties by peer key, ports, protocol and
	// direction), cut to the limit.
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		x, y := &list[i], &list[j]
		return cmp.Or(-cmp.Compare(x.InboundBytes, y.InboundBytes), cmp.Compare(keys[i], keys[j]), cmp.Compare(x.LocalPort, y.LocalPort),
			cmp.Compare(x.RemotePort, y.RemotePort), cmp.Compare(x.Protocol, y.Protocol), strings.Compare(x.Direction, y.Direction))
	})
	idx = idx[:min(len(idx), limit)]
	out.Rows = make([]FlowDetailRow, 0, len(idx))
	sortedKeys := make([]int64, 0, len(idx))
	for _, i := range idx {
		out.Rows = append(out.Rows, list[i])
		sortedKeys = append(sortedKeys, keys[i])
	}
	out.Totals = totals
	out.NoData = noData
	out.TotalRows = int(count)
	flowDayAnswered.Add(1)
	return sortedKeys, true, nil
}
