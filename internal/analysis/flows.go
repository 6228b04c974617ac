package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/trailhound/trailhound"
)

// VPCFlowVolume is the "Overall VPC flow volume" panel of an instance or
// an address: inbound and outbound bytes per bucket with the baseline's
// average per bucket, and the flows behind them as rows. Flow records are
// stored summed per hour, so the panel counts the whole hours the scope
// touches (Window) and buckets are at least an hour long. Directions are
// the entity's: for an address on the far side of a flow, the instance's
// outbound traffic is its inbound.
type VPCFlowVolume struct {
	Entity        Ref          `json:"entity"`
	Scope         ScopeJSON    `json:"scope"`
	Window        ScopeJSON    `json:"window"`
	Baseline      ScopeJSON    `json:"baseline"`
	BucketSeconds int64        `json:"bucketSeconds"`
	Buckets       []FlowBucket `json:"buckets"`
	Totals        FlowTotals   `json:"totals"`
	// Rows are the flows of the window by peer, port, protocol, direction
	// and action, the largest (bytes) first, at most FlowVolumeMaxRows of
	// them: Truncated says more exist, TotalRows how many. The
	// vpc-flow-details panel pages through every one.
	Rows      []FlowRow `json:"rows"`
	TotalRows int       `json:"totalRows"`
	Truncated bool      `json:"truncated"`
	// Finding, with the finding parameter, is the finding whose addresses
	// and instances the traffic is limited to: Detective's "VPC flow
	// volume to and from the finding's IP address".
	Finding *FlowFinding `json:"finding,omitempty"`
}

// FlowVolumeMaxRows bounds the rows of the vpc-flow-volume panel: a busy
// instance's day can hold tens of thousands of peer and port combinations.
const FlowVolumeMaxRows = 1000

// flowVolumeMaxRows is FlowVolumeMaxRows, lowered by tests.
var flowVolumeMaxRows = FlowVolumeMaxRows

// FlowBucket is one point of the flow series.
type FlowBucket struct {
	Start            int64   `json:"start"`
	Inbound          int64   `json:"inbound"`
	Outbound         int64   `json:"outbound"`
	BaselineInbound  float64 `json:"baselineInbound"`
	BaselineOutbound float64 `json:"baselineOutbound"`
}

// FlowTotals are bytes in each direction.
type FlowTotals struct {
	Inbound  int64 `json:"inbound"`
	Outbound int64 `json:"outbound"`
}

// FlowRow is the traffic with one peer on one service port, protocol,
// direction and action. Peer links the remote address, or for an address
// on the far side the instance (or the local address when the record
// names no instance). Port is the service port (the lower of the two);
// Protocol the IANA number.
type FlowRow struct {
	Peer      *Ref   `json:"peer,omitempty"`
	PeerLabel string `json:"peerLabel"`
	Port      int64  `json:"port"`
	Protocol  int64  `json:"protocol"`
	Direction string `json:"direction"` // inbound or outbound
	Action    string `json:"action"`    // ACCEPT or REJECT
	Bytes     int64  `json:"bytes"`
	Packets   int64  `json:"packets"`
	Records   int64  `json:"records"`
	FirstSeen int64  `json:"firstSeen"`
	LastSeen  int64  `json:"lastSeen"`
}

// flowSide selects the flow rows where the entity is on one side.
type flowSide struct {
	cond     string // SQL condition on the entity's key (its one parameter); see where
	flip     bool   // the entity is the remote side: directions reverse, and only some hours count (farCounted)
	peerKey  string
	peerText string
	// hours is the side of the hourly flow bytes (table flow_hours) that
	// counts this side's traffic, "" when the flows must be read.
	hours string
}

// farCounted keeps an address's far-side rows (other interfaces' records
// of traffic with it) only in the hours in which it has no near-side rows
// (its own interface's records). Flow logs record every connection
// between two monitored interfaces twice, once on each, and an
// interface's log holds all its traffic: counting both sides would double
// the address's traffic with every monitored peer. Where its own interface
// is not logged (an address outside the monitored VPCs, or an hour its
// log is missing), the far side is all there is, and counts.
func farCounted(alias string) string {
	return " AND " + alias + "hour NOT IN (SELECT fh.hour FROM flow_hours fh WHERE fh.side = 'local' AND fh.key = ?)"
}

// where is the condition selecting the side's rows of the entity with
// the given key, with its arguments: on the far side, only in the hours
// that count it.
func (s flowSide) where(key int64) (string, []any) {
	if s.flip {
		return s.cond + farCounted(""), []any{key, key}
	}
	return s.cond, []any{key}
}

func flowSides(ns trailhound.Namespace) ([]flowSide, bool) {
	local := flowSide{"", false, "remote_key", "coalesce(remote_addr, '')", ""}
	// The peer's text is a function of its key (keys hash type and id),
	// which lets the rows be grouped by key alone.
	remote := flowSide{"remote_key = ?", true, "CASE WHEN instance_key <> 0 THEN instance_key ELSE local_key END",
		"CASE WHEN instance_key <> 0 THEN instance_id ELSE coalesce(local_addr, '') END", ""}
	switch ns {
	case trailhound.Ec2Instance:
		local.cond, local.hours = "instance_key = ?", "instance"
		return []flowSide{local}, true
	case trailhound.IPAddress:
		local.cond, local.hours = "local_key = ?", "local"
		return []flowSide{local, remote}, true
	}
	return nil, false
}

// flowSideQueries are the queries of one side's series (sq) and
// baseline totals (bq) in the vpc-flow-volume panel; empty when the side
// does not count.
type flowSideQueries struct {
	flip       bool
	sq, bq     string
	sargs, bas []any
}

// flowSeries adds each side's bytes to out's buckets, totals and
// baseline averages (n buckets of width over out's window).
func (e *Engine) flowSeries(ctx context.Context, out *VPCFlowVolume, sides []flowSideQueries, n int64, base trailhound.Scope, width int64,
	inbound func(direction string, flip bool) bool) error {
	for _, side := range sides {
		if side.sq != "" {
			r, err := e.db.QueryContext(ctx, side.sq, side.sargs...)
			if err != nil {
				return fmt.Errorf("analysis: vpc flow volume: %w", err)
			}
			for r.Next() {
				var b, bytes int64
				var dir string
				if err := r.Scan(&b, &dir, &bytes); err != nil {
					r.Close()
					return fmt.Errorf("analysis: vpc flow volume: %w", err)
				}
				in := inbound(dir, side.flip)
				if b >= 0 && b < n {
					if in {
						out.Buckets[b].Inbound += bytes
					} else {
						out.Buckets[b].Outbound += bytes
					}
				}
				if in {
					out.Totals.Inbound += bytes
				} else {
					out.Totals.Outbound += bytes
				}
			}
			err = r.Err()
			r.Close()
			if err != nil {
				return fmt.Errorf("analysis: vpc flow volume: %w", err)
			}
		}
		if side.bq == "" {
			continue
		}
		// Baseline totals by direction, for the averages per bucket.
		br, err := e.db.QueryContext(ctx, side.bq, side.bas...)
		if err != nil {
			return fmt.Errorf("analysis: vpc flow baseline: %w", err)
		}
		nb := float64(base.End-base.Start) / float64(width)
		for br.Next() {
			var dir string
			var bytes int64
			if err := br.Scan(&dir, &bytes); err != nil {
				br.Close()
				return fmt.Errorf("analysis: vpc flow baseline: %w", err)
			}
			for i := range out.Buckets {
				if inbound(dir, side.flip) {
					out.Buckets[i].BaselineInbound += float64(bytes) / nb
				} else {
					out.Buckets[i].BaselineOutbound += float64(bytes) / nb
				}
			}
		}
		err = br.Err()
		br.Close()
		if err != nil {
			return fmt.Errorf("analysis: vpc flow baseline: %w", err)
		}
	}
	return nil
}

func (e *Engine) vpcFlowVolume(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*VPCFlowVolume, error) {
	sides, ok := flowSides(ent.Ref.Type)
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelVPCFlowVolume, ent.Ref.Type)
	}
	var finding *FlowFinding
	var peerArgs []any
	for k, v := range params {
		if k != FlowFilterFinding {
			return nil, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of panel %s (known: finding)", k, PanelVPCFlowVolume)
		}
		if v == "" {
			continue
		}
		var keys map[int64]bool
		var err error
		if finding, keys, err = e.findingPeers(ctx, v, FlowFilterFinding, ent.Ref); err != nil {
			return nil, err
		}
		peerArgs = []any{int64(0)} // no peer: nothing matches
		for k := range keys {
			peerArgs = append(peerArgs, k)
		}
	}
	window, width := flowWindow(scope)
	base := window.Baseline(e.baseline)
	n := ceilDiv(window.End-window.Start, width)
	out := &VPCFlowVolume{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Window: scopeJSON(window), Baseline: scopeJSON(base),
		BucketSeconds: width, Buckets: make([]FlowBucket, n), Rows: []FlowRow{}, Finding: finding}
	for i := range out.Buckets {
		out.Buckets[i].Start = window.Start + int64(i)*width
	}
	ts := e.dialect.Timestamp()
	inbound := func(direction string, flip bool) bool { return (direction == "ingress") != flip }
	// The rows of every side, in the entity's directions, summed in SQL:
	// a busy instance's week holds hundreds of thousands of hourly rows.
	var parts []string
	var partArgs []any
	// An address's far side counts only in the hours its own interface
	// logged nothing (farSide): when it logged every hour, the far side's
	// series or baseline is not read at all, and otherwise only the runs
	// of hours that count it are.
	fars, err := e.farSides(ctx, ent, window, base)
	if err != nil {
		return nil, err
	}
	farWindow, farBase := fars[0], fars[1]
	var series []flowSideQueries
	for _, side := range sides {
		// The conditions on the window's rows and the baseline's: the
		// far side's are bound to the hours that count it in each.
		cond, condArgs := side.cond, []any{ent.Key}
		if finding != nil {
			cond += " AND " + side.peerKey + " IN (" + placeholders(len(peerArgs)) + ")"
			condArgs = append(condArgs, peerArgs...)
		}
		wCond, wArgs, bCond, bArgs := cond, condArgs, cond, condArgs
		if side.flip {
			fc, fa := farWindow.cond(e, "", ent.Key)
			wCond, wArgs = cond+fc, append(append([]any{}, condArgs...), fa...)
			fc, fa = farBase.cond(e, "", ent.Key)
			bCond, bArgs = cond+fc, append(append([]any{}, condArgs...), fa...)
		}
		in, outb := "'inbound'", "'outbound'"
		if side.flip {
			in, outb = outb, in
		}
		parts = append(parts, `SELECT `+side.peerKey+` AS peer, `+side.peerText+` AS peer_text, coalesce(port, 0) AS port,
	coalesce(protocol, -1) AS protocol, CASE WHEN coalesce(direction, '') = 'ingress' THEN `+in+` ELSE `+outb+` END AS dir,
	coalesce(action, '') AS action, bytes, packets, records, first_start, last_end
FROM flows WHERE `+wCond+` AND hour >= `+ts+` AND hour < `+ts)
		partArgs = append(append(partArgs, wArgs...), window.Start, window.End)

		// The series: from the hourly bytes of this side when it has
		// them, from the flows otherwise (far side, or a finding's peers).
		q := flowSideQueries{flip: side.flip}
		q.sq, q.sargs = `SELECT `+e.bucketExpr("hour")+` AS b, coalesce(direction, ''), sum(bytes) FROM flows WHERE `+wCond+` AND hour >= `+ts+` AND hour < `+ts+` GROUP BY 1, 2`,
			append(append([]any{window.Start, width}, wArgs...), window.Start, window.End)
		q.bq, q.bas = `SELECT coalesce(direction, ''), sum(bytes) FROM flows WHERE `+bCond+` AND hour >= `+ts+` AND hour < `+ts+` GROUP BY 1`,
			append(append([]any{}, bArgs...), base.Start, base.End)
		if side.hours != "" && finding == nil {
			q.sq, q.sargs = `SELECT `+e.bucketExpr("hour")+` AS b, direction, sum(bytes) FROM flow_hours WHERE side = ? AND key = ? AND hour >= `+ts+` AND hour < `+ts+` GROUP BY 1, 2`,
				[]any{window.Start, width, side.hours, ent.Key, window.Start, window.End}
			q.bq, q.bas = `SELECT direction, sum(bytes) FROM flow_hours WHERE side = ? AND key = ? AND hour >= `+ts+` AND hour < `+ts+` GROUP BY 1`,
				[]any{side.hours, ent.Key, base.Start, base.End}
		}
		if side.flip && !farWindow.counts() {
			q.sq, q.sargs = "", nil
		}
		if side.flip && !farBase.counts() {
			q.bq, q.bas = "", nil
		}
		series = append(series, q)
	}

	// The largest rows (bytes, then peer key, port, protocol, direction
	// and action), with the count of all of them: read while the series
	// are.
	rq := `WITH f AS (` + strings.Join(parts, "\nUNION ALL\n") + `),
g AS (SELECT peer, min(peer_text) AS peer_text, port, protocol, dir, action, sum(bytes) AS bytes, sum(packets) AS packets, sum(records) AS records,
	min(first_start) AS first_seen, max(last_end) AS last_seen FROM f GROUP BY peer, port, protocol, dir, action)
SELECT peer, peer_text, port, protocol, dir, action, bytes, packets, records, first_seen, last_seen, count(*) OVER ()
FROM g ORDER BY bytes DESC, peer, port, protocol, dir, action LIMIT ?`
	rargs := append(partArgs, flowVolumeMaxRows)
	if ok, err := e.connsUsable(ctx, window, &flowFilter{}); err != nil {
		return nil, err
	} else if ok {
		// The same rows from the connection table, which holds each
		// entity's rows together (the flows are in far-side order).
		rq, rargs = e.connVolumeRows(ent, window, peerArgs, farWindow)
	}
	type keyed struct {
		peer int64
		row  FlowRow
	}
	var all []keyed
	rowsDone := make(chan error, 1)
	go func() {
		rowsDone <- func() error {
			r, err := e.db.QueryContext(ctx, rq, rargs...)
			if err != nil {
				return fmt.Errorf("analysis: vpc flow volume: %w", err)
			}
			defer r.Close()
			for r.Next() {
				var k keyed
				var first, last sql.NullTime
				var total int64
				if err := r.Scan(&k.peer, &k.row.PeerLabel, &k.row.Port, &k.row.Protocol, &k.row.Direction, &k.row.Action,
					&k.row.Bytes, &k.row.Packets, &k.row.Records, &first, &last, &total); err != nil {
					return fmt.Errorf("analysis: vpc flow volume: %w", err)
				}
				if first.Valid {
					k.row.FirstSeen = first.Time.Unix()
				}
				if last.Valid {
					k.row.LastSeen = last.Time.Unix()
				}
				out.TotalRows = int(total)
				all = append(all, k)
			}
			if err := r.Err(); err != nil {
				return fmt.Errorf("analysis: vpc flow volume: %w", err)
			}
			return nil
		}()
	}()
	if err := e.flowSeries(ctx, out, series, n, base, width, inbound); err != nil {
		<-rowsDone
		return nil, err
	}
	if err := <-rowsDone; err != nil {
		return nil, err
	}
	out.Truncated = out.TotalRows > len(all)
	// A peer is an address or an instance whose id is the row's label,
	// which its key confirms (keys hash type and id); the others, if any,
	// are looked up.
	peers := map[int64]bool{}
	for i := range all {
		r := &all[i]
		if r.peer == 0 {
			continue
		}
		for _, ns := range []trailhound.Namespace{trailhound.IPAddress, trailhound.Ec2Instance} {
			if ref := (trailhound.EntityRef{Type: ns, ID: r.row.PeerLabel}); ref.Key() == r.peer {
				r.row.Peer = &Ref{ref.Type, ref.ID}
			}
		}
		if r.row.Peer == nil {
			peers[r.peer] = true
		}
	}
	names, err := e.names(ctx, peers)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if p, ok := names[r.peer]; ok && r.peer != 0 {
			r.row.Peer = &Ref{p.Ref.Type, p.Ref.ID}
			if r.row.PeerLabel == "" {
				r.row.PeerLabel = p.Ref.ID
			}
		}
		out.Rows = append(out.Rows, r.row)
	}
	return out, nil
}
