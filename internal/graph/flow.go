package graph

import (
	"net/netip"
	"strings"

	"github.com/trailhound/trailhound"
)

// Flow implements source.Sink. Records are summed per FlowKey; the decoder
// reuses f and its strings, so every string kept is cloned, and only when a
// new key is created.
func (b *Batch) Flow(f *trailhound.Flow) error {
	b.FlowRecords++
	local, remote, localPort, remotePort, dir := orient(f)
	port := servicePort(localPort, remotePort)
	var hour int64
	if !f.Start.IsZero() {
		hour = f.Start.Unix() - f.Start.Unix()%3600
	}
	k := FlowKey{
		Hour:        hour,
		Account:     f.AccountID,
		InterfaceID: f.InterfaceID,
		InstanceID:  f.InstanceID,
		LocalAddr:   local,
		RemoteAddr:  remote,
		Port:        port,
		Protocol:    f.Protocol,
		Direction:   dir,
		Action:      f.Action,
		LogStatus:   f.LogStatus,
		Region:      f.Region,
		VPCID:       f.VPCID,
	}
	agg := b.Flows[k]
	if agg == nil {
		k = cloneKey(k)
		agg = &FlowAgg{First: f.Start.Unix(), Last: f.End.Unix(), FirstLine: f.Line}
		if IsInstanceID(k.InstanceID) {
			agg.instanceKey = trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: k.InstanceID}.Key()
		}
		if k.LocalAddr != "" {
			agg.localKey = trailhound.EntityRef{Type: trailhound.IPAddress, ID: k.LocalAddr}.Key()
		}
		if k.RemoteAddr != "" {
			agg.remoteKey = trailhound.EntityRef{Type: trailhound.IPAddress, ID: k.RemoteAddr}.Key()
		}
		b.Flows[k] = agg
		b.flowEntities(&k, f)
	}
	if hour != 0 {
		b.conn(agg, f, hour, localPort, remotePort, dir == "egress")
	}
	agg.Bytes += f.Bytes
	agg.Packets += f.Packets
	agg.Records++
	if s := f.Start.Unix(); !f.Start.IsZero() && s < agg.First {
		agg.First = s
	}
	if e := f.End.Unix(); e > agg.Last {
		agg.Last = e
	}
	if f.Line > agg.LastLine {
		agg.LastLine = f.Line
	}
	if agg.FirstLine == 0 || f.Line < agg.FirstLine {
		agg.FirstLine = f.Line
	}
	return nil
}

// conn adds a record to its row of the connection table. Records without
// a start have no hour and no row, as in the hourly flow tables.
func (b *Batch) conn(agg *FlowAgg, f *trailhound.Flow, hour int64, localPort, remotePort int, egress bool) {
	ck := ConnKey{Hour: hour, InstanceKey: agg.instanceKey, LocalKey: agg.localKey, RemoteKey: agg.remoteKey,
		LocalPort: int32(localPort), RemotePort: int32(remotePort), Protocol: int32(f.Protocol), Egress: egress, Action: f.Action}
	c := b.Conns[ck]
	if c == nil {
		ck.Action = b.intern(ck.Action)
		c = &ConnAgg{First: f.Start.Unix()}
		b.Conns[ck] = c
	}
	c.Bytes += f.Bytes
	c.Packets += f.Packets
	c.Records++
	c.First = min(c.First, f.Start.Unix())
	if !f.End.IsZero() {
		c.Last = max(c.Last, f.End.Unix())
	}
}

// flowEntities observes the entities a new flow key names.
func (b *Batch) flowEntities(k *FlowKey, f *trailhound.Flow) {
	t := f.Start
	if k.Account != "" {
		b.observe(trailhound.EntityRef{Type: trailhound.AwsAccount, ID: k.Account}, k.Account, "", k.Account, t)
	}
	if IsInstanceID(k.InstanceID) {
		b.observe(trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: k.InstanceID}, k.InstanceID, "", k.Account, t)
	}
	if k.LocalAddr != "" {
		b.IPs[k.LocalAddr] = struct{}{}
		b.observe(trailhound.EntityRef{Type: trailhound.IPAddress, ID: k.LocalAddr}, k.LocalAddr, "", "", t)
	}
	if k.RemoteAddr != "" {
		b.IPs[k.RemoteAddr] = struct{}{}
		b.observe(trailhound.EntityRef{Type: trailhound.IPAddress, ID: k.RemoteAddr}, k.RemoteAddr, "", "", t)
	}
}

func cloneKey(k FlowKey) FlowKey {
	k.Account = strings.Clone(k.Account)
	k.InterfaceID = strings.Clone(k.InterfaceID)
	k.InstanceID = strings.Clone(k.InstanceID)
	k.LocalAddr = strings.Clone(k.LocalAddr)
	k.RemoteAddr = strings.Clone(k.RemoteAddr)
	k.Direction = strings.Clone(k.Direction)
	k.Action = strings.Clone(k.Action)
	k.LogStatus = strings.Clone(k.LogStatus)
	k.Region = strings.Clone(k.Region)
	k.VPCID = strings.Clone(k.VPCID)
	return k
}

// orient decides which side of a flow is the monitored interface (local)
// and which is the peer (remote). The flow-direction field says so when the
// log format includes it. Otherwise: the private side is local when exactly
// one side is private; when both or neither are, the side with the lower
// port is taken as the server and the flow as ingress to it.
func orient(f *trailhound.Flow) (local, remote string, localPort, remotePort int, dir string) {
	src, srcAddr, _ := canonicalFast(f.SrcAddr)
	dst, dstAddr, _ := canonicalFast(f.DstAddr)
	switch f.Direction {
	case "ingress":
		return dst, src, f.DstPort, f.SrcPort, "ingress"
	case "egress":
		return src, dst, f.SrcPort, f.DstPort, "egress"
	}
	sp, dp := isPrivate(srcAddr), isPrivate(dstAddr)
	switch {
	case sp && !dp:
		return src, dst, f.SrcPort, f.DstPort, "egress"
	case dp && !sp:
		return dst, src, f.DstPort, f.SrcPort, "ingress"
	case f.SrcPort != 0 && f.SrcPort < f.DstPort:
		return src, dst, f.SrcPort, f.DstPort, "egress"
	default:
		return dst, src, f.DstPort, f.SrcPort, "ingress"
	}
}

// servicePort picks the port that names the service of a flow: the lower of
// the two, since clients use ephemeral high ports.
func servicePort(a, b int) int {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	case a < b:
		return a
	default:
		return b
	}
}

// canonicalFast avoids a parse for the common case of an IPv4 dotted quad
// already in canonical form, and returns the input string itself then.
func canonicalFast(s string) (string, netip.Addr, bool) {
	if s == "" || s == "-" {
		return "", netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return "", netip.Addr{}, false
	}
	if addr.Is4() {
		return s, addr, true
	}
	addr = addr.Unmap().WithZone("")
	return addr.String(), addr, true
}

func isPrivate(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || cgnat.Contains(a.Unmap())
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Finding implements source.Sink.
func (b *Batch) Finding(f *trailhound.Finding) error {
	t := f.UpdatedAt
	first, last := f.FirstSeen, f.LastSeen
	if first.IsZero() {
		first = f.CreatedAt
	}
	if last.IsZero() {
		last = t
	}
	fk := b.observe(trailhound.EntityRef{Type: trailhound.FindingEntity, ID: f.ID}, f.Type, f.ARN, f.AccountID, first)
	b.observe(trailhound.EntityRef{Type: trailhound.FindingEntity, ID: f.ID}, f.Type, f.ARN, f.AccountID, last)
	version := f.ID + "@" + f.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	for _, ref := range f.Entities {
		if ref.IsZero() {
			continue
		}
		var k int64
		if ref.Type == trailhound.IPAddress {
			canon, _, ok := CanonicalIP(ref.ID)
			if !ok {
				continue
			}
			b.IPs[canon] = struct{}{}
			ref.ID = canon
		}
		k = b.observe(ref, ref.ID, "", accountOf(ref, f.AccountID), first)
		b.observe(ref, ref.ID, "", accountOf(ref, f.AccountID), last)
		e := Edge{Kind: RelFindingOf, Src: fk, Dst: k, First: first, Last: last, EventID: version}
		b.Edges = append(b.Edges, e)
	}
	b.Findings = append(b.Findings, f)
	return nil
}

func accountOf(ref trailhound.EntityRef, account string) string {
	switch ref.Type {
	case trailhound.IPAddress, trailhound.UserAgent:
		return ""
	}
	return account
}
