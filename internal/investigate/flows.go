package investigate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// adminPorts are the remote administration services whose traffic the
// flow behaviors watch.
var adminPorts = map[int]string{22: "SSH", 23: "Telnet", 3389: "RDP", 5900: "VNC", 5985: "WinRM", 5986: "WinRM"}

// miningPorts are the stratum ports mining pools listen on.
var miningPorts = map[int]bool{3333: true, 3357: true, 4444: true, 5555: true, 7777: true, 9999: true, 14433: true, 14444: true, 45560: true, 45700: true}

// Thresholds of the flow behaviors.
const (
	bruteForceConnections = 20 // accepted inbound connections to an administration port from one address
	// A failed password attempt carries a few kilobytes; a session that
	// got in moves far more. Bytes beyond this allowance per connection,
	// and beyond sessionBytes in all, mean someone logged in.
	attemptAllowance = 8 << 10
	sessionBytes     = 1 << 20
	miningRecords    = 3
)

// flowRow is the scope's flow records of the instance with one remote
// address, port, direction and action.
type flowRow struct {
	remote      int64
	addr        string
	port        int
	direction   string
	action      string
	bytes       int64
	records     int64
	first, last time.Time
}

// peer is what the instance exchanged with one remote address.
type peer struct {
	addr        string
	key         int64
	class       string
	familiar    bool // accepted traffic with the account's instances during the baseline
	flag        *Flag
	adminIn     map[int]int64 // port → accepted inbound records
	adminBytes  map[int]int64 // port → accepted bytes both ways
	mining      map[int]int64 // port → accepted outbound records
	internalNew map[int]int64 // admin port → accepted records with a private peer not seen during the baseline
	accepted    int64
	first, last time.Time
}

// flowTTPs raises the TTPs the instance's VPC flows show: password
// guessing on an administration port, a session that followed, remote
// administration of other hosts of the network, and mining-pool traffic.
func (b *builder) flowTTPs(ctx context.Context) error {
	s := b.s
	ts := b.iv.dialect.Timestamp()
	hourStart := s.scope.Start - s.scope.Start%3600
	rows, err := b.iv.db.QueryContext(ctx, `SELECT remote_key, coalesce(remote_addr, ''), coalesce(port, 0), coalesce(direction, ''), coalesce(action, ''),
  sum(bytes), sum(records), min(coalesce(first_start, hour)), max(coalesce(last_end, hour))
FROM flows WHERE instance_key = ? AND remote_key <> 0 AND hour >= `+ts+` AND hour < `+ts+`
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 3, 4, 5`, s.ref.Key(), hourStart, s.scope.End)
	if err != nil {
		return fmt.Errorf("investigate: flows: %w", err)
	}
	var fr []flowRow
	for rows.Next() {
		var r flowRow
		if err := rows.Scan(&r.remote, &r.addr, &r.port, &r.direction, &r.action, &r.bytes, &r.records, &r.first, &r.last); err != nil {
			rows.Close()
			return fmt.Errorf("investigate: flows: %w", err)
		}
		fr = append(fr, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("investigate: flows: %w", err)
	}
	if len(fr) == 0 {
		return nil
	}
	if hourStart != s.scope.Start || s.scope.End%3600 != 0 {
		b.inv.Notes = append(b.inv.Notes, "Flow records are stored summed per hour, so the whole hours the scope touches were examined for the instance's traffic.")
	}
	remotes := map[int64]bool{}
	for _, r := range fr {
		remotes[r.remote] = true
	}
	list := keyList(remotes)
	known := map[int64]bool{}
	if len(list) > 0 {
		keys, err := b.iv.keys(ctx, `SELECT DISTINCT remote_key FROM flows WHERE account = ? AND action = 'ACCEPT' AND hour >= `+ts+` AND hour < `+ts+
			` AND remote_key IN (`+placeholders(len(list))+`)`, concat([]any{s.ent.Account, s.base.Start, s.base.End}, list)...)
		if err != nil {
			return fmt.Errorf("investigate: flow baseline: %w", err)
		}
		for _, k := range keys {
			known[k] = true
		}
	}
	// Remote administration pairs the instance had during the baseline.
	type pp struct {
		remote int64
		port   int
	}
	knownAdmin := map[pp]bool{}
	prow, err := b.iv.db.QueryContext(ctx, `SELECT DISTINCT remote_key, coalesce(port, 0) FROM flows WHERE instance_key = ? AND action = 'ACCEPT'
  AND port IN (22, 23, 3389, 5900, 5985, 5986) AND hour >= `+ts+` AND hour < `+ts, s.ref.Key(), s.base.Start, s.base.End)
	if err != nil {
		return fmt.Errorf("investigate: flow baseline: %w", err)
	}
	for prow.Next() {
		var p pp
		if err := prow.Scan(&p.remote, &p.port); err != nil {
			prow.Close()
			return fmt.Errorf("investigate: flow baseline: %w", err)
		}
		knownAdmin[p] = true
	}
	err = prow.Err()
	prow.Close()
	if err != nil {
		return fmt.Errorf("investigate: flow baseline: %w", err)
	}
	info, err := b.iv.ipDetails(ctx, remotes)
	if err != nil {
		return err
	}
	peers := map[int64]*peer{}
	var order []int64
	for _, r := range fr {
		p := peers[r.remote]
		if p == nil {
			p = &peer{addr: r.addr, key: r.remote, class: info[r.remote].class, familiar: known[r.remote],
				adminIn: map[int]int64{}, adminBytes: map[int]int64{}, mining: map[int]int64{}, internalNew: map[int]int64{}, first: r.first, last: r.last}
			if f, ok := b.iv.intel.Lookup(r.addr); ok {
				p.flag = &f
			}
			peers[r.remote] = p
			order = append(order, r.remote)
		}
		if r.first.Before(p.first) {
			p.first = r.first
		}
		if r.last.After(p.last) {
			p.last = r.last
		}
		if r.action != "ACCEPT" {
			continue
		}
		p.accepted += r.records
		public := p.class == "" || p.class == "public"
		if _, admin := adminPorts[r.port]; admin {
			p.adminBytes[r.port] += r.bytes
			if r.direction == "ingress" {
				p.adminIn[r.port] += r.records
			}
			if !public && !knownAdmin[pp{r.remote, r.port}] {
				p.internalNew[r.port] += r.records
			}
		}
		if miningPorts[r.port] && r.direction == "egress" && public {
			p.mining[r.port] += r.records
		}
	}
	// External sessions first: lateral movement after an unfamiliar
	// session is graver.
	intruded := false
	for _, k := range order {
		p := peers[k]
		public := p.class == "" || p.class == "public"
		if !public {
			continue
		}
		for _, port := range sortedPorts(p.adminIn) {
			n := p.adminIn[port]
			svc := adminPorts[port]
			excess := p.adminBytes[port] - n*attemptAllowance
			if n >= bruteForceConnections {
				for _, m := range b.iv.ttp.Behavior("remote-admin-brute-force") {
					in := b.flowIndicator(m, p, n)
					in.Procedure = fmt.Sprintf("%s (%s, port %d)", m.Procedure, svc, port)
					in.Severity = Medium
					in.SeverityReason = fmt.Sprintf("%s made %d accepted %s connections to the instance; it %s.", p.addr, n, svc, p.describe())
					if p.familiar {
						in.Severity = Low
					}
					if p.flag != nil {
						in.Severity = in.Severity.raise(1)
					}
					b.add(in)
				}
			}
			if excess > sessionBytes {
				for _, m := range b.iv.ttp.Behavior("remote-admin-session") {
					in := b.flowIndicator(m, p, n)
					in.Procedure = fmt.Sprintf("%s (%s, port %d)", m.Procedure, svc, port)
					reason := fmt.Sprintf("%s exchanged %s over %s with the instance, more than %d failed logins would carry: a session got in.",
						p.addr, humanBytes(p.adminBytes[port]), svc, n)
					switch {
					case !p.familiar || p.flag != nil:
						in.Severity = High
						intruded = true
						reason += " The address " + p.describe() + "."
						if n >= bruteForceConnections {
							reason += " It followed password guessing from the same address."
						}
					default:
						in.Severity = Informational
						reason += " The address " + p.describe() + "."
					}
					in.SeverityReason = reason
					b.add(in)
				}
			}
		}
		for _, port := range sortedPorts(p.mining) {
			n := p.mining[port]
			if n < miningRecords {
				continue
			}
			for _, m := range b.iv.ttp.Behavior("mining-pool") {
				in := b.flowIndicator(m, p, n)
				in.Procedure = fmt.Sprintf("%s (port %d)", m.Procedure, port)
				in.Severity = High
				if p.familiar && p.flag == nil {
					in.Severity = Medium
				}
				in.SeverityReason = fmt.Sprintf("The instance kept %d connections to %s on port %d, a port mining pools use; the address %s.", n, p.addr, port, p.describe())
				b.add(in)
			}
		}
	}
	for _, k := range order {
		p := peers[k]
		for _, port := range sortedPorts(p.internalNew) {
			n := p.internalNew[port]
			behavior := "internal-ssh"
			if port == 3389 {
				behavior = "internal-rdp"
			}
			for _, m := range b.iv.ttp.Behavior(behavior) {
				in := b.flowIndicator(m, p, n)
				in.Procedure = fmt.Sprintf("%s (%s, port %d)", m.Procedure, adminPorts[port], port)
				in.Severity = Medium
				reason := fmt.Sprintf("The instance and %s, a host of the network, exchanged %s connections (%d records) they never exchanged during the baseline.", p.addr, adminPorts[port], n)
				if intruded {
					in.Severity = High
					reason += " It happened after an unfamiliar address got a session on the instance."
				}
				in.SeverityReason = reason
				b.add(in)
			}
		}
		if p.flag != nil {
			in := Indicator{Type: FlaggedIPAddress, IPAddress: p.addr, Reason: p.flag.Reason, ListSource: p.flag.Source, Count: p.accepted,
				FirstSeen: p.first.Unix(), LastSeen: p.last.Unix(), Entities: []Ref{{Type: trailhound.IPAddress, ID: p.addr}}}
			in.Severity = Medium
			in.SeverityReason = fmt.Sprintf("The instance exchanged traffic with %s; the list says: %s. Every connection was rejected.", p.addr, p.flag.Reason)
			if p.accepted > 0 {
				in.Severity = High
				in.SeverityReason = fmt.Sprintf("The instance exchanged %d accepted flow records with %s; the list says: %s.", p.accepted, p.addr, p.flag.Reason)
			}
			b.add(in)
		}
	}
	return nil
}

func (b *builder) flowIndicator(m Mapping, p *peer, records int64) Indicator {
	in := ttpFrom(m, "flows")
	in.IPAddress, in.Count = p.addr, records
	in.Principal = &Ref{Type: b.s.ref.Type, ID: b.s.ref.ID}
	in.FirstSeen, in.LastSeen = p.first.Unix(), p.last.Unix()
	in.Entities = []Ref{{Type: trailhound.IPAddress, ID: p.addr}, {Type: b.s.ref.Type, ID: b.s.ref.ID}}
	return in
}

// describe says in a clause what the baseline knew of a peer.
func (p *peer) describe() string {
	var parts []string
	if p.familiar {
		parts = append(parts, "exchanged accepted traffic with the account's instances during the baseline")
	} else {
		parts = append(parts, "never exchanged accepted traffic with the account's instances during the baseline")
	}
	if p.flag != nil {
		parts = append(parts, "is flagged by threat intelligence: "+p.flag.Reason)
	}
	return strings.Join(parts, " and ")
}

func sortedPorts(m map[int]int64) []int {
	out := make([]int, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
