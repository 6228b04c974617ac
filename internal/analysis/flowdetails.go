package analysis

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
)

// VPCFlowDetails is the activity details of the "Overall VPC flow volume"
// panel, as Detective shows them when an interval or the scope is picked:
// one row per peer (the remote address of an instance; the instance, or
// the local address, talking to an address), local port, remote port,
// protocol and direction, with the bytes and packets each way and how
// many records were accepted and rejected. The rows are computed from the
// connection table, which keeps both ports (flowconns.go), or from the
// flow records themselves, read back from the archived objects; their
// totals equal the volume panel's when no filter is set.
type VPCFlowDetails struct {
	Entity Ref       `json:"entity"`
	Scope  ScopeJSON `json:"scope"`
	// Window is the whole hours the scope touches (flow records are
	// placed by the hour of their start, as the volume panel counts
	// them); BucketSeconds is the volume panel's bucket size over it.
	Window        ScopeJSON `json:"window"`
	BucketSeconds int64     `json:"bucketSeconds"`
	// Bucket is the bucket the rows count, when one was asked for.
	Bucket *ScopeJSON `json:"bucket,omitempty"`
	// Finding, with the finding parameter, is the finding whose
	// addresses and instances the rows are limited to.
	Finding *FlowFinding `json:"finding,omitempty"`
	// Annotated, with the annotate parameter, is the finding whose
	// addresses and instances mark rows as findingRelated.
	Annotated *FlowFinding       `json:"annotated,omitempty"`
	Filters   map[string]string  `json:"filters,omitempty"`
	Totals    FlowDetailTotals   `json:"totals"`
	Rows      []FlowDetailRow    `json:"rows"`
	TotalRows int                `json:"totalRows"`
	Truncated bool               `json:"truncated"`
	Sort      string             `json:"sort"`
	Order     string             `json:"order"`
	Series    []FlowDetailSeries `json:"series,omitempty"`
	// NoData counts the records of the window without traffic (log
	// status NODATA or SKIPDATA): they have no peer or ports, so no row,
	// and are not in Totals.
	NoData int64 `json:"noDataRecords"`
	// Overflow sums the records of rows beyond the most a panel keeps in
	// memory (MaxFlowDetailRows distinct rows). Totals are the sum of
	// every row, listed or not, and Overflow.
	Overflow *FlowDetailTotals `json:"overflow,omitempty"`
}

// FlowFinding names a finding and the addresses and instances of it that
// a flow view uses.
type FlowFinding struct {
	ID    string `json:"id"`
	Peers []Ref  `json:"peers"`
}

// FlowDetailTotals are the sums of a set of flow records.
type FlowDetailTotals struct {
	InboundBytes    int64 `json:"inboundBytes"`
	OutboundBytes   int64 `json:"outboundBytes"`
	InboundPackets  int64 `json:"inboundPackets"`
	OutboundPackets int64 `json:"outboundPackets"`
	Accepted        int64 `json:"accepted"`
	Rejected        int64 `json:"rejected"`
	Records         int64 `json:"records"`
}

func (t *FlowDetailTotals) add(v *flowView, bytes, packets int64) {
	if v.inbound {
		t.InboundBytes += bytes
		t.InboundPackets += packets
	} else {
		t.OutboundBytes += bytes
		t.OutboundPackets += packets
	}
	switch v.action {
	case "ACCEPT":
		t.Accepted++
	case "REJECT":
		t.Rejected++
	}
	t.Records++
}

// FlowDetailRow is the traffic of one connection shape. Direction says
// who opened it: "inbound" when the peer connected to the entity's
// service port, "outbound" when the entity connected to the peer's (the
// service port is the lower of the two, as the store keeps it; with equal
// ports, the direction the bytes flowed). Accepted and Rejected count
// records. Key identifies the row for its series (series parameter).
type FlowDetailRow struct {
	Key             string `json:"key"`
	Peer            Ref    `json:"peer"`
	PeerLabel       string `json:"peerLabel"`
	LocalPort       int64  `json:"localPort"`
	RemotePort      int64  `json:"remotePort"`
	Protocol        int64  `json:"protocol"`
	ProtocolName    string `json:"protocolName,omitempty"`
	Direction       string `json:"direction"`
	InboundBytes    int64  `json:"inboundBytes"`
	OutboundBytes   int64  `json:"outboundBytes"`
	InboundPackets  int64  `json:"inboundPackets"`
	OutboundPackets int64  `json:"outboundPackets"`
	Accepted        int64  `json:"accepted"`
	Rejected        int64  `json:"rejected"`
	Records         int64  `json:"records"`
	FirstSeen       int64  `json:"firstSeen"`
	LastSeen        int64  `json:"lastSeen"`
	// FindingRelated marks rows whose peer the annotate finding names
	// (Detective's Annotations column).
	FindingRelated bool `json:"findingRelated,omitempty"`
}

// FlowDetailSeries is one row's traffic per bucket of the volume panel's
// series, to draw over it (Detective's row overlay).
type FlowDetailSeries struct {
	Key     string             `json:"key"`
	Buckets []FlowSeriesBucket `json:"buckets"`
	Totals  FlowDetailTotals   `json:"totals"`
}

// FlowSeriesBucket is one point of a row's series.
type FlowSeriesBucket struct {
	Start           int64 `json:"start"`
	Inbound         int64 `json:"inbound"`
	Outbound        int64 `json:"outbound"`
	InboundPackets  int64 `json:"inboundPackets"`
	OutboundPackets int64 `json:"outboundPackets"`
}

// Limits of the details rows.
const (
	DefaultFlowDetailRows = 1000
	MaxFlowDetailLimit    = 10000
	// MaxFlowDetailRows bounds the distinct rows held while records are
	// read; traffic of further rows is summed in Overflow.
	MaxFlowDetailRows = 200000
)

// flowRowKey is the identity of a details row.
type flowRowKey struct {
	peer                  Ref
	localPort, remotePort int
	protocol              int
	direction             string
}

func (k flowRowKey) String() string {
	return string(k.peer.Type) + "/" + k.peer.ID + "/" + strconv.Itoa(k.localPort) + "/" + strconv.Itoa(k.remotePort) + "/" +
		strconv.Itoa(k.protocol) + "/" + k.direction
}

// parseFlowRowKey reads a row key, <type>/<id>/<localPort>/<remotePort>/
// <protocol>/<direction>. Ids never hold "/" (addresses, instance ids),
// but the fields are taken from the end anyway.
func parseFlowRowKey(s string) (flowRowKey, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 6 {
		return flowRowKey{}, false
	}
	n := len(parts)
	k := flowRowKey{peer: Ref{Type: trailhound.Namespace(parts[0]), ID: strings.Join(parts[1:n-4], "/")}, direction: parts[n-1]}
	var err1, err2, err3 error
	k.localPort, err1 = strconv.Atoi(parts[n-4])
	k.remotePort, err2 = strconv.Atoi(parts[n-3])
	k.protocol, err3 = strconv.Atoi(parts[n-2])
	ok := err1 == nil && err2 == nil && err3 == nil && k.peer.ID != "" &&
		(k.peer.Type == trailhound.IPAddress || k.peer.Type == trailhound.Ec2Instance) &&
		(k.direction == "inbound" || k.direction == "outbound")
	return k, ok
}

// flowWindow is the whole hours a scope touches and the bucket size of a
// flow series over them: flows are stored per hour, so buckets are at
// least an hour.
func flowWindow(scope trailhound.Scope) (trailhound.Scope, int64) {
	window := trailhound.Scope{Start: scope.Start / Hour * Hour, End: ceilDiv(scope.End, Hour) * Hour}
	return window, max(BucketSeconds(window), Hour)
}

// findingPeers looks up a finding for a flow view: the addresses and
// instances it names, except the entity itself. An unknown finding is
// ENOTFOUND naming the parameter.
func (e *Engine) findingPeers(ctx context.Context, id, param string, self trailhound.EntityRef) (*FlowFinding, map[int64]bool, error) {
	var n int
	if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM findings WHERE id = ?`, id).Scan(&n); err != nil {
		return nil, nil, fmt.Errorf("analysis: finding peers: %w", err)
	}
	if n == 0 {
		return nil, nil, trailhound.Errorf(trailhound.ENOTFOUND, "no finding with id %q in the data (%s)", id, param)
	}
	fk := trailhound.EntityRef{Type: trailhound.FindingEntity, ID: id}.Key()
	rows, err := e.db.QueryContext(ctx, `SELECT DISTINCT n.namespace, n.id FROM edges r JOIN entities n ON n.key = r.dst
WHERE r.kind = 'finding_involves' AND r.src = ? AND n.namespace IN (?, ?) ORDER BY 1, 2`, fk, string(trailhound.IPAddress), string(trailhound.Ec2Instance))
	if err != nil {
		return nil, nil, fmt.Errorf("analysis: finding peers: %w", err)
	}
	defer rows.Close()
	out := &FlowFinding{ID: id, Peers: []Ref{}}
	keys := map[int64]bool{}
	for rows.Next() {
		var ns, pid string
		if err := rows.Scan(&ns, &pid); err != nil {
			return nil, nil, fmt.Errorf("analysis: finding peers: %w", err)
		}
		r := trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: pid}
		if r == self {
			continue
		}
		out.Peers = append(out.Peers, Ref{r.Type, r.ID})
		keys[r.Key()] = true
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("analysis: finding peers: %w", err)
	}
	return out, keys, nil
}

// findingDefaultScope is a finding's own scope, which a flow view of the
// finding opens with.
// Like Finding, it runs from the first observation (or the creation) to
// the last.
func (e *Engine) findingDefaultScope(ctx context.Context, id, param string) (trailhound.Scope, error) {
	var created, first, last sql.NullTime
	err := e.db.QueryRowContext(ctx, `SELECT created_at, first_seen, last_seen FROM latest_findings WHERE id = ?`, id).Scan(&created, &first, &last)
	if err == sql.ErrNoRows {
		return trailhound.Scope{}, trailhound.Errorf(trailhound.ENOTFOUND, "no finding with id %q in the data (%s)", id, param)
	}
	if err != nil {
		return trailhound.Scope{}, fmt.Errorf("analysis: finding scope: %w", err)
	}
	unix := func(t sql.NullTime) int64 {
		if !t.Valid {
			return 0
		}
		return t.Time.Unix()
	}
	from, to := unix(first), unix(last)
	if from == 0 {
		from = unix(created)
	}
	s := findingScope(from, max(to, from))
	return trailhound.Scope{Start: s.Start, End: s.End}, nil
}

// flowDetailSorts are the sort keys of the details rows and whether they
// sort descending by default.
var flowDetailSorts = map[string]bool{
	"inbound": true, "outbound": true, "bytes": true, "packets": true, "records": true, "accepted": true, "rejected": true,
	"firstSeen": true, "lastSeen": true, "peer": false, "localPort": false, "remotePort": false, "protocol": false, "direction": false,
}

func (e *Engine) vpcFlowDetails(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*VPCFlowDetails, error) {
	filter, err := parseFlowFilter(params, "panel "+PanelVPCFlowDetails, "bucket", "sort", "order", "limit", "series", "annotate")
	if err != nil {
		return nil, err
	}
	window, width := flowWindow(scope)
	out := &VPCFlowDetails{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Window: scopeJSON(window), BucketSeconds: width,
		Rows: []FlowDetailRow{}, Sort: "inbound", Order: "desc"}
	if len(filter.active) > 0 {
		out.Filters = filter.active
	}
	rowsWindow := window
	if v := params["bucket"]; v != "" {
		b, err := strconv.ParseInt(v, 10, 64)
		if err != nil || b < window.Start || b >= window.End || (b-window.Start)%width != 0 {
			return nil, trailhound.Errorf(trailhound.EINVALID,
				"bucket %q is not the start of a bucket of the flow series (buckets of %d seconds from %d, the start of the scope's first hour)", v, width, window.Start)
		}
		rowsWindow = trailhound.Scope{Start: b, End: min(b+width, window.End)}
		bj := scopeJSON(rowsWindow)
		out.Bucket = &bj
	}
	if v := params["sort"]; v != "" {
		desc, ok := flowDetailSorts[v]
		if !ok {
			names := make([]string, 0, len(flowDetailSorts))
			for k := range flowDetailSorts {
				names = append(names, k)
			}
			slices.Sort(names)
			return nil, trailhound.Errorf(trailhound.EINVALID, "sort %q must be one of %s", v, strings.Join(names, ", "))
		}
		out.Sort = v
		out.Order = map[bool]string{true: "desc", false: "asc"}[desc]
	}
	if v := params["order"]; v != "" {
		if v != "asc" && v != "desc" {
			return nil, trailhound.Errorf(trailhound.EINVALID, "order %q must be asc or desc", v)
		}
		out.Order = v
	}
	limit := DefaultFlowDetailRows
	if v := params["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxFlowDetailLimit {
			return nil, trailhound.Errorf(trailhound.EINVALID, "limit %q must be a number from 1 to %d", v, MaxFlowDetailLimit)
		}
		limit = n
	}
	var series map[flowRowKey]*FlowDetailSeries
	var seriesOrder []flowRowKey
	if v := params["series"]; v != "" {
		series = map[flowRowKey]*FlowDetailSeries{}
		n := ceilDiv(window.End-window.Start, width)
		for _, s := range splitList(v) {
			k, ok := parseFlowRowKey(s)
			if !ok {
				return nil, trailhound.Errorf(trailhound.EINVALID,
					"series %q is not a row key (<type>/<id>/<localPort>/<remotePort>/<protocol>/<direction>, the key of a row)", s)
			}
			if series[k] != nil {
				continue
			}
			fs := &FlowDetailSeries{Key: k.String(), Buckets: make([]FlowSeriesBucket, n)}
			for i := range fs.Buckets {
				fs.Buckets[i].Start = window.Start + int64(i)*width
			}
			series[k] = fs
			seriesOrder = append(seriesOrder, k)
		}
	}
	if filter.finding != "" {
		if out.Finding, filter.peers, err = e.findingPeers(ctx, filter.finding, FlowFilterFinding, ent.Ref); err != nil {
			return nil, err
		}
	}
	var annotate map[int64]bool
	if v := params["annotate"]; v != "" {
		if out.Annotated, annotate, err = e.findingPeers(ctx, v, "annotate", ent.Ref); err != nil {
			return nil, err
		}
	}

	ok, err := e.connsUsable(ctx, window, filter)
	if err == nil && ok && filter.addressed() {
		ok, err = e.connAddressPeers(ctx, ent, window, filter)
	}
	if err != nil {
		return nil, err
	} else if ok {
		if err := e.connDetails(ctx, ent, window, rowsWindow, width, filter, out, series, seriesOrder, annotate, limit); err != nil {
			return nil, err
		}
		for _, k := range seriesOrder {
			out.Series = append(out.Series, *series[k])
		}
		return out, nil
	}

	// Rows need the bucket's records; series need the whole window's.
	scanWindow := rowsWindow
	if series != nil {
		scanWindow = window
	}
	rows := map[flowRowKey]*FlowDetailRow{}
	var overflow FlowDetailTotals
	scan := &flowScan{e: e, ent: ent, window: scanWindow, filter: filter}
	err = scan.each(ctx, false, func(it *flowItem) error {
		v := &it.view
		inRows := v.hour >= rowsWindow.Start && v.hour < rowsWindow.End
		if v.peer.Type == "" {
			if inRows {
				out.NoData++
			}
			return nil
		}
		k := flowRowKey{peer: v.peer, localPort: v.localPort, remotePort: v.remotePort, protocol: v.protocol, direction: v.direction}
		if s := series[k]; s != nil {
			b := &s.Buckets[(v.hour-window.Start)/width]
			if v.inbound {
				b.Inbound += it.bytes
				b.InboundPackets += it.packets
			} else {
				b.Outbound += it.bytes
				b.OutboundPackets += it.packets
			}
			s.Totals.add(v, it.bytes, it.packets)
		}
		if !inRows {
			return nil
		}
		out.Totals.add(v, it.bytes, it.packets)
		r := rows[k]
		if r == nil {
			if len(rows) >= MaxFlowDetailRows {
				overflow.add(v, it.bytes, it.packets)
				return nil
			}
			r = &FlowDetailRow{Key: k.String(), Peer: k.peer, PeerLabel: k.peer.ID, LocalPort: int64(k.localPort), RemotePort: int64(k.remotePort),
				Protocol: int64(k.protocol), ProtocolName: ProtocolName(int64(k.protocol)), Direction: k.direction,
				FirstSeen: it.start, LastSeen: it.end, FindingRelated: annotate[v.peerKey()]}
			rows[k] = r
		}
		var t FlowDetailTotals
		t.add(v, it.bytes, it.packets)
		r.InboundBytes += t.InboundBytes
		r.OutboundBytes += t.OutboundBytes
		r.InboundPackets += t.InboundPackets
		r.OutboundPackets += t.OutboundPackets
		r.Accepted += t.Accepted
		r.Rejected += t.Rejected
		r.Records++
		r.FirstSeen = min(r.FirstSeen, it.start)
		r.LastSeen = max(r.LastSeen, it.end)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if overflow.Records > 0 {
		out.Overflow = &overflow
		out.Truncated = true
	}
	list := make([]FlowDetailRow, 0, len(rows))
	for _, r := range rows {
		list = append(list, *r)
	}
	sortFlowDetailRows(list, out.Sort, out.Order == "desc", annotate != nil)
	out.TotalRows = len(list)
	if len(list) > limit {
		list = list[:limit]
		out.Truncated = true
	}
	out.Rows = list
	for _, k := range seriesOrder {
		out.Series = append(out.Series, *series[k])
	}
	return out, nil
}

// sortFlowDetailRows orders rows by a sort key, ties by peer key, local
// port, remote port, protocol and direction (flowTieBreak), so the order is
// stable across calls and the same from either source of rows; annotated
// rows come first when a finding annotates them, as Detective sorts.
func sortFlowDetailRows(rows []FlowDetailRow, by string, desc, annotated bool) {
	value := func(r *FlowDetailRow) int64 {
		switch by {
		case "outbound":
			return r.OutboundBytes
		case "bytes":
			return r.InboundBytes + r.OutboundBytes
		case "packets":
			return r.InboundPackets + r.OutboundPackets
		case "records":
			return r.Records
		case "accepted":
			return r.Accepted
		case "rejected":
			return r.Rejected
		case "firstSeen":
			return r.FirstSeen
		case "lastSeen":
			return r.LastSeen
		case "localPort":
			return r.LocalPort
		case "remotePort":
			return r.RemotePort
		case "protocol":
			return r.Protocol
		}
		return r.InboundBytes
	}
	type keyed struct {
		row  FlowDetailRow
		peer int64
	}
	list := make([]keyed, len(rows))
	for i := range rows {
		list[i] = keyed{rows[i], trailhound.EntityRef{Type: rows[i].Peer.Type, ID: rows[i].Peer.ID}.Key()}
	}
	slices.SortFunc(list, func(ka, kb keyed) int {
		a, b := &ka.row, &kb.row
		if annotated && a.FindingRelated != b.FindingRelated {
			if a.FindingRelated {
				return -1
			}
			return 1
		}
		var c int
		switch by {
		case "peer":
			c = strings.Compare(a.PeerLabel, b.PeerLabel)
		case "direction":
			c = strings.Compare(a.Direction, b.Direction)
		default:
			c = cmp.Compare(value(a), value(b))
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(ka.peer, kb.peer), cmp.Compare(a.LocalPort, b.LocalPort), cmp.Compare(a.RemotePort, b.RemotePort),
			cmp.Compare(a.Protocol, b.Protocol), strings.Compare(a.Direction, b.Direction))
	})
	for i := range list {
		rows[i] = list[i].row
	}
}

// flowTieBreak is sortFlowDetailRows' order of ties in SQL.
const flowTieBreak = "peer_key, lp, rp, protocol, NOT din"
