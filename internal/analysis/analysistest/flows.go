package analysistest

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// FlowLine is one VPC flow log record read by the tests with their own
// simple parser, independently of the decoder under test: the file it
// came from, its line number (every line counts, from 1), its text and
// its fields by the names of the flow log format.
type FlowLine struct {
	Path   string
	Line   int
	Text   string
	Fields map[string]string
}

// defaultFlowHeader is the field order of the default format (version 2).
var defaultFlowHeader = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")

// ParseFlowLog reads the records of a plain-text flow log object: a
// header line naming the fields, or none for the default format.
func ParseFlowLog(path, content string) []FlowLine {
	var out []FlowLine
	header := defaultFlowHeader
	for i, l := range strings.Split(content, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		fields := strings.Fields(l)
		if fields[0] == "version" || fields[0] == "account-id" {
			header = fields
			continue
		}
		m := map[string]string{}
		for j, v := range fields {
			if j < len(header) {
				m[header[j]] = v
			}
		}
		out = append(out, FlowLine{Path: path, Line: i + 1, Text: l, Fields: m})
	}
	return out
}

// IncidentFlows returns the flow records of the incident.
func IncidentFlows() []FlowLine {
	var out []FlowLine
	for _, f := range Incident {
		if strings.Contains(f.Path, "/vpcflowlogs/") {
			out = append(out, ParseFlowLog(f.Path, f.Content)...)
		}
	}
	return out
}

// Int returns a numeric field, or def when it is absent ("-").
func (l FlowLine) Int(name string, def int64) int64 {
	v, err := strconv.ParseInt(l.Fields[name], 10, 64)
	if err != nil {
		return def
	}
	return v
}

// Get returns a field, "" when absent ("-" or missing).
func (l FlowLine) Get(name string) string {
	if v := l.Fields[name]; v != "-" {
		return v
	}
	return ""
}

// FlowSide is a flow record as one entity sees it, worked out by the
// tests from the record alone.
type FlowSide struct {
	Peer                  string // "IpAddress/<addr>" or "Ec2Instance/<id>"; "" without addresses
	PeerAddr              string
	LocalPort, RemotePort int64
	Protocol              int64
	Inbound               bool   // the bytes flow towards the entity
	Direction             string // who opened the connection: inbound or outbound
	Action                string
	Bytes, Packets        int64
	Start, End            int64
	Hour                  int64
	Far                   bool // the entity is the record's remote side
}

// CountedSides returns, for every line (in order), the sides the panels
// count for the entity: Sides, less an address's far sides in the hours
// in which any line has it as the near side (its own interface logged
// its traffic then, so other interfaces' records of it repeat it).
func CountedSides(lines []FlowLine, entity string) [][]FlowSide {
	near := map[int64]bool{}
	all := make([][]FlowSide, len(lines))
	for i, l := range lines {
		all[i] = l.Sides(entity)
		for _, s := range all[i] {
			if !s.Far && strings.HasPrefix(entity, "IpAddress/") {
				near[s.Hour] = true
			}
		}
	}
	for i, sides := range all {
		kept := sides[:0]
		for _, s := range sides {
			if !(s.Far && near[s.Hour]) {
				kept = append(kept, s)
			}
		}
		all[i] = kept
	}
	return all
}

func privateAddr(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

// Sides returns how an entity ("Ec2Instance/<id>" or "IpAddress/<addr>",
// addresses in canonical form) sees the record: as the monitored side,
// as the peer, or not at all. The monitored side is the one flow-direction
// names, or else the private one, or else the one with the lower port.
func (l FlowLine) Sides(entity string) []FlowSide {
	src, dst := l.Get("srcaddr"), l.Get("dstaddr")
	sp, dp := l.Int("srcport", 0), l.Int("dstport", 0)
	egress := false
	switch l.Get("flow-direction") {
	case "egress":
		egress = true
	case "ingress":
	default:
		switch {
		case privateAddr(src) && !privateAddr(dst):
			egress = true
		case privateAddr(dst) && !privateAddr(src):
		default:
			egress = sp != 0 && sp < dp
		}
	}
	local, remote, lp, rp := dst, src, dp, sp
	if egress {
		local, remote, lp, rp = src, dst, sp, dp
	}
	canon := func(s string) string {
		if a, err := netip.ParseAddr(s); err == nil {
			return a.Unmap().String()
		}
		return ""
	}
	local, remote = canon(local), canon(remote)
	base := FlowSide{Protocol: l.Int("protocol", -1), Action: l.Get("action"), Bytes: l.Int("bytes", 0), Packets: l.Int("packets", 0),
		Start: l.Int("start", 0), End: l.Int("end", 0)}
	base.Hour = base.Start - base.Start%3600
	direction := func(s *FlowSide) {
		service := s.LocalPort
		if s.LocalPort <= 0 || (s.RemotePort > 0 && s.RemotePort < s.LocalPort) {
			service = s.RemotePort
		}
		switch {
		case s.LocalPort == s.RemotePort && s.Inbound, s.LocalPort != s.RemotePort && service == s.LocalPort:
			s.Direction = "inbound"
		default:
			s.Direction = "outbound"
		}
	}
	var out []FlowSide
	inst := l.Get("instance-id")
	if entity == "Ec2Instance/"+inst && inst != "" || entity == "IpAddress/"+local && local != "" {
		s := base
		s.LocalPort, s.RemotePort, s.Inbound = lp, rp, !egress
		if remote != "" {
			s.Peer, s.PeerAddr = "IpAddress/"+remote, remote
		}
		direction(&s)
		out = append(out, s)
	}
	if entity == "IpAddress/"+remote && remote != "" {
		s := base
		s.LocalPort, s.RemotePort, s.Inbound, s.PeerAddr, s.Far = rp, lp, egress, local, true
		switch {
		case inst != "":
			s.Peer = "Ec2Instance/" + inst
		case local != "":
			s.Peer = "IpAddress/" + local
		}
		direction(&s)
		out = append(out, s)
	}
	return out
}

// IngestFiles writes files to a temporary folder and ingests them into
// the data directory data, as Ingest does for the incident.
func IngestFiles(t testing.TB, data string, files []File) {
	t.Helper()
	in := t.TempDir()
	WriteFiles(t, in, files)
	st, arch := open(t, data)
	defer st.Close()
	ingestDir(t, st, arch, in, 1)
}
