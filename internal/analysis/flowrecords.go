package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"sync"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// The store keeps flow records summed per hour with the service port
// only (the lower of the two ports), which is what the volume series
// need. The details Detective shows — local and remote port, the two
// halves of a connection on one row — need the records themselves, so
// they are read back from the archived objects: each stored row names its
// object and line range, and the same decoder that ingested the object
// reads it again. The numbers of the details are therefore sums over
// exactly the records /events returns.

// flowView is one flow record as an entity sees it.
type flowView struct {
	peer                  Ref
	peerAddr              netip.Addr // the other side's address (for an instance peer, its local address)
	peerInstance          bool
	localPort, remotePort int
	protocol              int
	direction             string // who opened the connection: inbound (the peer) or outbound (the entity)
	inbound               bool   // the record's bytes flow towards the entity
	action                string
	hour                  int64
	far                   bool // the entity is the record's remote side
}

func (v *flowView) peerKey() int64 {
	if v.peer.Type == "" {
		return 0
	}
	return trailhound.EntityRef{Type: v.peer.Type, ID: v.peer.ID}.Key()
}

// orientedFlow is a record with its local and remote side decided as
// ingest decides them (internal/graph): egress means the bytes flow from
// the local side to the remote one.
type orientedFlow struct {
	local, remote         string
	localAddr, remoteAddr netip.Addr
	localPort, remotePort int
	egress                bool
}

// orientFlow mirrors the orientation of internal/graph, which assigns
// every stored flow row its local and remote address and direction; a
// test checks that both agree on every record of a generated
// organization. The flow-direction field decides when present;
// otherwise the private side is local when exactly one side is private,
// and when both or neither are, the side with the lower port is taken
// as the server and the flow as ingress to it.
func orientFlow(f *trailhound.Flow) orientedFlow {
	src, srcAddr := canonicalFlowAddr(f.SrcAddr)
	dst, dstAddr := canonicalFlowAddr(f.DstAddr)
	egress := orientedFlow{src, dst, srcAddr, dstAddr, f.SrcPort, f.DstPort, true}
	ingress := orientedFlow{dst, src, dstAddr, srcAddr, f.DstPort, f.SrcPort, false}
	switch f.Direction {
	case "ingress":
		return ingress
	case "egress":
		return egress
	}
	sp, dp := privateFlowAddr(srcAddr), privateFlowAddr(dstAddr)
	switch {
	case sp && !dp:
		return egress
	case dp && !sp:
		return ingress
	case f.SrcPort != 0 && f.SrcPort < f.DstPort:
		return egress
	default:
		return ingress
	}
}

func canonicalFlowAddr(s string) (string, netip.Addr) {
	if s == "" || s == "-" {
		return "", netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", netip.Addr{}
	}
	if a.Is4() {
		return s, a
	}
	a = a.Unmap().WithZone("")
	return a.String(), a
}

var cgnatPrefix = netip.MustParsePrefix("100.64.0.0/10")

func privateFlowAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || cgnatPrefix.Contains(a.Unmap())
}

// servicePortOf is the port that names a flow's service, as the store
// keeps it: the lower of the two, ignoring an absent (zero) one.
func servicePortOf(a, b int) int {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	default:
		return min(a, b)
	}
}

// connectionDirection says who opened a connection, from the entity's
// ports: the side whose port is the service port is the server. When the
// ports are equal (ICMP, 53 to 53) the record's own direction is used.
func connectionDirection(localPort, remotePort int, inbound bool) string {
	if localPort != remotePort {
		if servicePortOf(localPort, remotePort) == localPort {
			return "inbound"
		}
		return "outbound"
	}
	if inbound {
		return "inbound"
	}
	return "outbound"
}

// flowViews returns how the entity sees a record: as the local side, as
// the remote side, or both (an address talking to itself), in buf.
func flowViews(ent trailhound.EntityRef, f *trailhound.Flow, o *orientedFlow, buf *[2]flowView) []flowView {
	var hour int64
	if !f.Start.IsZero() {
		u := f.Start.Unix()
		hour = u - u%3600
	}
	n := 0
	local := false
	switch ent.Type {
	case trailhound.Ec2Instance:
		local = f.InstanceID == ent.ID
	case trailhound.IPAddress:
		local = o.local != "" && o.local == ent.ID
	}
	if local {
		v := &buf[n]
		n++
		*v = flowView{localPort: o.localPort, remotePort: o.remotePort, protocol: f.Protocol, inbound: !o.egress, action: f.Action, hour: hour}
		if o.remote != "" {
			v.peer = Ref{Type: trailhound.IPAddress, ID: o.remote}
			v.peerAddr = o.remoteAddr
		}
		v.direction = connectionDirection(v.localPort, v.remotePort, v.inbound)
	}
	if ent.Type == trailhound.IPAddress && o.remote != "" && o.remote == ent.ID {
		v := &buf[n]
		n++
		*v = flowView{localPort: o.remotePort, remotePort: o.localPort, protocol: f.Protocol, inbound: o.egress, action: f.Action, hour: hour,
			peerAddr: o.localAddr, far: true}
		switch {
		case graph.IsInstanceID(f.InstanceID):
			v.peer = Ref{Type: trailhound.Ec2Instance, ID: f.InstanceID}
			v.peerInstance = true
		case o.local != "":
			v.peer = Ref{Type: trailhound.IPAddress, ID: o.local}
		}
		v.direction = connectionDirection(v.localPort, v.remotePort, v.inbound)
	}
	return buf[:n]
}

// flowObject is an archived object holding some of an entity's flow
// records, with the range of lines they occupy.
type flowObject struct {
	id          int64
	sha         string
	key, uri    string
	source      string
	first, last int
}

// flowObjects lists the objects whose stored rows hold the entity's
// records in the window, oldest first. Protocol, action and the
// finding's peers are exact on stored rows, so they narrow the objects.
func (e *Engine) flowObjects(ctx context.Context, ent entityRow, window trailhound.Scope, f *flowFilter) ([]flowObject, error) {
	ts := e.dialect.Timestamp()
	var cond string
	var args []any
	peers := func() (string, []any) {
		list := make([]any, 0, len(f.peers))
		for k := range f.peers {
			list = append(list, k)
		}
		if len(list) == 0 {
			list = append(list, int64(0))
		}
		return "(" + placeholders(len(list)) + ")", list
	}
	switch ent.Ref.Type {
	case trailhound.Ec2Instance:
		cond, args = "f.instance_key = ?", []any{ent.Key}
		if f.finding != "" {
			in, list := peers()
			cond += " AND f.remote_key IN " + in
			args = append(args, list...)
		}
	case trailhound.IPAddress:
		if f.finding != "" {
			in, list := peers()
			cond = "((f.local_key = ? AND f.remote_key IN " + in + ") OR (f.remote_key = ? AND (f.instance_key IN " + in +
				" OR (f.instance_key = 0 AND f.local_key IN " + in + "))" + farCounted("f.") + "))"
			args = append(append(append(append(append(append(args, ent.Key), list...), ent.Key), list...), list...), ent.Key)
		} else {
			// The far side's objects only for the hours that count it.
			cond, args = "(f.local_key = ? OR (f.remote_key = ?"+farCounted("f.")+"))", []any{ent.Key, ent.Key, ent.Key}
		}
	default:
		return nil, trailhound.Errorf(trailhound.EINVALID, "%s entities have no VPC flow records", ent.Ref.Type)
	}
	cond += " AND f.hour >= " + ts + " AND f.hour < " + ts
	args = append(args, window.Start, window.End)
	if len(f.protocol) > 0 {
		cond += " AND coalesce(f.protocol, -1) IN (" + placeholders(len(f.protocol)) + ")"
		for _, p := range f.protocol {
			args = append(args, p)
		}
	}
	if len(f.action) > 0 {
		cond += " AND f.action IN (" + placeholders(len(f.action)) + ")"
		for _, a := range f.action {
			args = append(args, a)
		}
	}
	q := `SELECT f.object_id, o.sha256, o.key, o.uri, coalesce(o.source, ''), min(f.first_line), max(f.last_line), min(f.hour) AS h
FROM flows f JOIN objects o ON o.object_id = f.object_id
WHERE ` + cond + `
GROUP BY f.object_id, o.sha256, o.key, o.uri, o.source
ORDER BY h, f.object_id`
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow objects: %w", err)
	}
	defer rows.Close()
	var out []flowObject
	for rows.Next() {
		var o flowObject
		var h any
		if err := rows.Scan(&o.id, &o.sha, &o.key, &o.uri, &o.source, &o.first, &o.last, &h); err != nil {
			return nil, fmt.Errorf("analysis: flow objects: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: flow objects: %w", err)
	}
	return out, nil
}

// nearHours returns the hours of the window (epoch seconds) in which the
// address with key has near-side flow rows.
func (e *Engine) nearHours(ctx context.Context, key int64, window trailhound.Scope) (map[int64]bool, error) {
	ts := e.dialect.Timestamp()
	rows, err := e.db.QueryContext(ctx, `SELECT DISTINCT `+e.dialect.EpochSeconds("hour")+` FROM flow_hours
WHERE side = 'local' AND key = ? AND hour >= `+ts+` AND hour < `+ts, key, window.Start, window.End)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow hours: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("analysis: flow hours: %w", err)
		}
		out[h] = true
	}
	return out, rows.Err()
}

// flowScan reads an entity's flow records in a window from the archive.
type flowScan struct {
	e      *Engine
	ent    entityRow
	window trailhound.Scope
	filter *flowFilter
	// near holds, for an address, the hours of the window in which its
	// own interface logged traffic: its far-side records of those hours
	// are not counted (see farCounted).
	near map[int64]bool
}

// flowItem is one record that passed, as the entity sees it, with what
// its readers use copied out of the decoder's buffers.
type flowItem struct {
	view           flowView
	bytes, packets int64
	start, end     int64 // epoch seconds, zero when absent
	rec            *FlowRecord
}

// flowWorkers is how many objects are decoded at once. Decoding is most
// of the cost of reading records back; objects are independent, so they
// are decoded side by side and their records passed on in order.
var flowWorkers = max(2, min(runtime.GOMAXPROCS(0), 4))

// objectItems is the outcome of decoding one object.
type objectItems struct {
	items []flowItem
	err   error
	done  chan struct{}
}

// each calls fn with every record of the entity in the window that
// passes the filter, object by object (oldest first), in line order.
// With lines, each item carries the record as /events returns it.
func (s *flowScan) each(ctx context.Context, lines bool, fn func(*flowItem) error) error {
	if s.e.archive == nil {
		return trailhound.Errorf(trailhound.EINVALID, "raw records are unavailable: this server has no object archive")
	}
	objs, err := s.e.flowObjects(ctx, s.ent, s.window, s.filter)
	if err != nil {
		return err
	}
	if s.ent.Ref.Type == trailhound.IPAddress {
		if s.near, err = s.e.nearHours(ctx, s.ent.Key, s.window); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A bounded queue of objects being decoded, in order: at most
	// flowWorkers wait to be read, which bounds the memory they hold.
	queue := make(chan *objectItems, flowWorkers)
	go func() {
		defer close(queue)
		for i := range objs {
			r := &objectItems{done: make(chan struct{})}
			select {
			case queue <- r:
			case <-ctx.Done():
				return
			}
			go func(o *flowObject) {
				defer close(r.done)
				r.items, r.err = s.object(ctx, o, lines)
			}(&objs[i])
		}
	}()
	var failure error
	for r := range queue {
		<-r.done
		if failure != nil {
			continue // drain: every decoding goroutine has ended on return
		}
		if r.err != nil {
			failure = r.err
			cancel()
			continue
		}
		for i := range r.items {
			if err := fn(&r.items[i]); err != nil {
				failure = err
				cancel()
				break
			}
		}
	}
	return failure
}

// object decodes one object and returns the entity's records in it.
func (s *flowScan) object(ctx context.Context, o *flowObject, lines bool) ([]flowItem, error) {
	rc, err := s.e.openArchived(o.sha)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow records: %s: %w", o.uri, err)
	}
	defer rc.Close()
	var r io.Reader = rc
	sink := &flowSink{scan: s, obj: o, strs: map[string]string{}}
	sink.needle, sink.anyColon = lineNeedle(s.ent.Ref)
	if lines {
		sink.tee = tees.Get().(*lineTee)
		defer tees.Put(sink.tee)
		sink.tee.reset(o.first, o.last)
		r = io.TeeReader(rc, sink.tee)
	}
	dec, r, err := archivedDecoder(r, trailhound.Source(o.source), o.key)
	if err != nil {
		return nil, fmt.Errorf("analysis: flow records: %s: %w", o.uri, err)
	}
	if dec.Source() != trailhound.SourceVPCFlow {
		return nil, fmt.Errorf("analysis: flow records: %s: archived object is not a flow log", o.uri)
	}
	err = dec.Decode(ctx, o.uri, r, sink)
	if sink.err != nil {
		return nil, sink.err
	}
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("analysis: flow records: %w", err)
	}
	return sink.items, nil
}

// flowSink receives the records of one object and keeps the entity's.
type flowSink struct {
	scan  *flowScan
	obj   *flowObject
	tee   *lineTee
	buf   [2]flowView
	items []flowItem
	strs  map[string]string // the object's strings, copied once each
	err   error             // told apart from the decoder's errors

	needle   []byte // see KeepLine
	anyColon bool
}

// str copies a string out of the decoder's buffer, once per object:
// accounts, interfaces, addresses and the like repeat from line to line.
func (k *flowSink) str(s string) string {
	if s == "" {
		return ""
	}
	if c, ok := k.strs[s]; ok {
		return c
	}
	c := strings.Clone(s)
	k.strs[c] = c
	return c
}

// KeepLine implements source.LineFilter: the lines outside the object's
// range of the entity's records, and the lines that cannot name the
// entity, are not parsed. An instance's records name its id verbatim; an
// IPv4 address's records name it verbatim unless written as IPv6 (an
// IPv4-mapped address in hexadecimal), so lines with a colon are parsed
// too. Other entities (IPv6 addresses, whose text varies) keep every
// line of the range.
func (k *flowSink) KeepLine(line int, text []byte) bool {
	if line < k.obj.first {
		return false
	}
	if line > k.obj.last || k.needle == nil {
		return true // past the range, Flow stops the decoding
	}
	return bytes.Contains(text, k.needle) || (k.anyColon && bytes.IndexByte(text, ':') >= 0)
}

// lineNeedle is the text every record line of ent contains (see KeepLine),
// and whether lines with a colon must be kept as well; nil when there is
// none.
func lineNeedle(ent trailhound.EntityRef) ([]byte, bool) {
	switch ent.Type {
	case trailhound.Ec2Instance:
		if graph.IsInstanceID(ent.ID) {
			return []byte(ent.ID), false
		}
	case trailhound.IPAddress:
		if a, err := netip.ParseAddr(ent.ID); err == nil && a.Is4() && a.String() == ent.ID {
			return []byte(ent.ID), true
		}
	}
	return nil, false
}

func (k *flowSink) Flow(f *trailhound.Flow) error {
	if f.Line < k.obj.first {
		return nil
	}
	if f.Line > k.obj.last {
		return errEnough
	}
	o := orientFlow(f)
	views := flowViews(k.scan.ent.Ref, f, &o, &k.buf)
	var line []byte
	for i := range views {
		v := &views[i]
		if v.hour < k.scan.window.Start || v.hour >= k.scan.window.End || (v.far && k.scan.near[v.hour]) || !k.scan.filter.keep(v) {
			continue
		}
		it := flowItem{view: *v, bytes: f.Bytes, packets: f.Packets}
		it.view.peer.ID = k.str(v.peer.ID)
		if !f.Start.IsZero() {
			it.start = f.Start.Unix()
		}
		if !f.End.IsZero() {
			it.end = f.End.Unix()
		}
		if k.tee != nil {
			if line == nil {
				if line = k.tee.take(f.Line); line == nil {
					k.err = fmt.Errorf("analysis: flow records: %s: line %d was not read", k.obj.uri, f.Line)
					return k.err
				}
			}
			it.rec = &FlowRecord{Object: k.obj.uri, Line: f.Line, Record: string(line), Version: f.Version, Account: k.str(f.AccountID),
				InterfaceID: k.str(f.InterfaceID), InstanceID: k.str(f.InstanceID), SrcAddr: k.str(f.SrcAddr), DstAddr: k.str(f.DstAddr),
				SrcPort: f.SrcPort, DstPort: f.DstPort, Protocol: f.Protocol, Packets: f.Packets, Bytes: f.Bytes, Start: it.start, End: it.end,
				Action: k.str(f.Action), LogStatus: k.str(f.LogStatus), VPCID: k.str(f.VPCID), FlowDirection: k.str(f.Direction),
				LocalPort: v.localPort, RemotePort: v.remotePort, Direction: v.direction, Traffic: "outbound"}
			if v.inbound {
				it.rec.Traffic = "inbound"
			}
		}
		k.items = append(k.items, it)
	}
	return nil
}

func (k *flowSink) APICall(*trailhound.APICall) error { return nil }
func (k *flowSink) Finding(*trailhound.Finding) error { return nil }

// lineTee sees an object's bytes as the decoder reads them and keeps the
// text of the lines in [lo, hi], numbered as the decoder numbers them
// (every line, from 1). The decoder reads ahead of the record it emits,
// so a record's line is always complete here by the time it arrives;
// lines are dropped once a later record is taken. The text of the lines
// kept lives in one buffer that is compacted as lines are dropped, so
// reading an object allocates nothing per line.
type lineTee struct {
	lo, hi  int
	n       int    // complete lines seen
	buf     []byte // the queued lines' text, then the partial line's
	partial int    // where the partial line starts in buf; -1 when none is kept
	queue   []teeLine
	head    int
}

// tees are line tees with their buffers, reused from object to object.
var tees = sync.Pool{New: func() any { return &lineTee{} }}

// reset readies the tee for another object, keeping its buffers.
func (t *lineTee) reset(lo, hi int) {
	*t = lineTee{lo: lo, hi: hi, buf: t.buf[:0], partial: -1, queue: t.queue[:0]}
}

type teeLine struct {
	n        int
	off, end int
}

func (t *lineTee) Write(p []byte) (int, error) {
	size := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if t.wanted(t.n + 1) {
				if t.partial < 0 {
					t.partial = len(t.buf)
				}
				t.buf = append(t.buf, p...)
			}
			break
		}
		t.n++
		if t.wanted(t.n) {
			off := t.partial
			if off < 0 {
				off = len(t.buf)
			}
			t.buf = append(t.buf, p[:i]...)
			t.partial = -1
			off, end := t.clean(t.n, off, len(t.buf))
			t.queue = append(t.queue, teeLine{t.n, off, end})
		}
		p = p[i+1:]
	}
	return size, nil
}

func (t *lineTee) wanted(n int) bool { return n >= t.lo && n <= t.hi }

var flowLineBOM = []byte{0xef, 0xbb, 0xbf}

// clean trims a line's carriage return, and the byte order mark of the
// first line, as the decoder does.
func (t *lineTee) clean(n, off, end int) (int, int) {
	if end > off && t.buf[end-1] == '\r' {
		end--
	}
	if n == 1 && bytes.HasPrefix(t.buf[off:end], flowLineBOM) {
		off += len(flowLineBOM)
	}
	return off, end
}

// take returns the text of line n and forgets the lines before it. The
// last line of an object may have no line break: it is then the partial
// line, complete because the decoder reached the end of the object. The
// text is valid until the tee is written to again.
func (t *lineTee) take(n int) []byte {
	for t.head < len(t.queue) && t.queue[t.head].n < n {
		t.head++
	}
	if t.head >= 256 && t.head*2 >= len(t.queue) {
		t.compact()
	}
	if t.head < len(t.queue) && t.queue[t.head].n == n {
		q := t.queue[t.head]
		return t.buf[q.off:q.end]
	}
	if n == t.n+1 && t.partial >= 0 {
		off, end := t.clean(n, t.partial, len(t.buf))
		return t.buf[off:end]
	}
	return nil
}

// compact moves the text still needed to the front of the buffer.
func (t *lineTee) compact() {
	from := len(t.buf)
	switch {
	case t.head < len(t.queue):
		from = t.queue[t.head].off
	case t.partial >= 0:
		from = t.partial
	}
	t.buf = t.buf[:copy(t.buf, t.buf[from:])]
	t.queue = t.queue[:copy(t.queue, t.queue[t.head:])]
	t.head = 0
	for i := range t.queue {
		t.queue[i].off -= from
		t.queue[i].end -= from
	}
	if t.partial >= 0 {
		t.partial -= from
	}
}
