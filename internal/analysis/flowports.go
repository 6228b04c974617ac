package analysis

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/trailhound/trailhound"
)

// VPCFlowServicePorts is Detective's "Average VPC flow by common service
// ports": for each well-known service port, the average bytes per bucket
// in each direction during the scope and during the baseline, so that a
// port whose traffic departs from its habit stands out. Ports are the
// service port the store keeps (the lower of a flow's two ports), over
// TCP, UDP and SCTP; other traffic, ICMP included, is summed in Other so
// that the ports and Other add up to the volume panel's totals.
type VPCFlowServicePorts struct {
	Entity        Ref       `json:"entity"`
	Scope         ScopeJSON `json:"scope"`
	Window        ScopeJSON `json:"window"`
	Baseline      ScopeJSON `json:"baseline"`
	BucketSeconds int64     `json:"bucketSeconds"`
	// Buckets and BaselineBuckets are the number of buckets the averages
	// divide by (every bucket, active or not).
	Buckets         int64              `json:"buckets"`
	BaselineBuckets float64            `json:"baselineBuckets"`
	Ports           []ServicePortFlow  `json:"ports"`
	Other           ServicePortFlow    `json:"other"`
	Series          *ServicePortSeries `json:"series,omitempty"`
}

// ServicePortFlow is the traffic of one service port. Inbound and
// Outbound are the window's bytes; the averages are per bucket.
type ServicePortFlow struct {
	Port                    int64   `json:"port"`
	Service                 string  `json:"service"`
	Inbound                 int64   `json:"inbound"`
	Outbound                int64   `json:"outbound"`
	Records                 int64   `json:"records"`
	AverageInbound          float64 `json:"averageInbound"`
	AverageOutbound         float64 `json:"averageOutbound"`
	BaselineInbound         int64   `json:"baselineInbound"`
	BaselineOutbound        int64   `json:"baselineOutbound"`
	BaselineAverageInbound  float64 `json:"baselineAverageInbound"`
	BaselineAverageOutbound float64 `json:"baselineAverageOutbound"`
}

// ServicePortSeries is one port's traffic per bucket (the port
// parameter; TCP, UDP and SCTP), the timeline behind a bar.
type ServicePortSeries struct {
	Port    int64        `json:"port"`
	Buckets []FlowBucket `json:"buckets"`
}

// ServicePort is a well-known port. Always ports are listed even without
// traffic; the others only when the scope or the baseline has some.
type ServicePort struct {
	Port    int64
	Service string
	Always  bool
}

// ServicePorts lists the ports of the panel, in the order it shows them.
// The mining pool ports are listed only when present: they are the
// Stratum ports cryptocurrency miners use, which ordinary servers never
// do.
var ServicePorts = []ServicePort{
	{22, "SSH", true}, {80, "HTTP", true}, {443, "HTTPS", true}, {3389, "RDP", true}, {53, "DNS", true},
	{3306, "MySQL", true}, {5432, "PostgreSQL", true}, {1433, "SQL Server", true}, {25, "SMTP", true}, {123, "NTP", true},
	{445, "SMB", true}, {21, "FTP", true}, {23, "Telnet", true}, {6379, "Redis", true}, {27017, "MongoDB", true}, {8080, "HTTP alternate", true},
	{110, "POP3", false}, {143, "IMAP", false}, {389, "LDAP", false}, {465, "SMTPS", false}, {587, "SMTP submission", false},
	{636, "LDAPS", false}, {993, "IMAPS", false}, {995, "POP3S", false}, {1521, "Oracle", false}, {2049, "NFS", false},
	{2375, "Docker API", false}, {5439, "Redshift", false}, {5900, "VNC", false}, {5985, "WinRM", false}, {5986, "WinRM over HTTPS", false},
	{8443, "HTTPS alternate", false}, {9200, "Elasticsearch", false}, {11211, "Memcached", false},
	{3333, "Mining pool (Stratum)", false}, {4444, "Mining pool (Stratum)", false}, {14444, "Mining pool (Stratum)", false},
}

// portProtocols are the protocols whose port numbers name services.
var portProtocols = []int64{6, 17, 132}

func (e *Engine) vpcFlowServicePorts(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*VPCFlowServicePorts, error) {
	sides, ok := flowSides(ent.Ref.Type)
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelVPCFlowServicePorts, ent.Ref.Type)
	}
	seriesPort := int64(-1)
	for k, v := range params {
		if k != "port" {
			return nil, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of panel %s (known: port)", k, PanelVPCFlowServicePorts)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 65535 {
			return nil, trailhound.Errorf(trailhound.EINVALID, "port %q must be a port number (0-65535)", v)
		}
		seriesPort = n
	}
	window, width := flowWindow(scope)
	base := window.Baseline(e.baseline)
	n := ceilDiv(window.End-window.Start, width)
	nb := float64(base.End-base.Start) / float64(width)
	out := &VPCFlowServicePorts{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Window: scopeJSON(window), Baseline: scopeJSON(base),
		BucketSeconds: width, Buckets: n, BaselineBuckets: nb, Ports: []ServicePortFlow{}, Other: ServicePortFlow{Service: "other"}}
	if seriesPort >= 0 {
		out.Series = &ServicePortSeries{Port: seriesPort, Buckets: make([]FlowBucket, n)}
		for i := range out.Series.Buckets {
			out.Series.Buckets[i].Start = window.Start + int64(i)*width
		}
	}
	byPort := map[int64]*ServicePortFlow{}
	for _, p := range ServicePorts {
		byPort[p.Port] = &ServicePortFlow{Port: p.Port, Service: p.Service}
	}
	target := func(port, proto int64) *ServicePortFlow {
		if slices.Contains(portProtocols, proto) {
			if f := byPort[port]; f != nil {
				return f
			}
		}
		return &out.Other
	}
	ts := e.dialect.Timestamp()
	for _, side := range sides {
		inbound := func(dir string) bool { return (dir == "ingress") != side.flip }
		for _, period := range []struct {
			s        trailhound.Scope
			baseline bool
		}{{window, false}, {base, true}} {
			cond, args := side.where(ent.Key)
			q := `SELECT coalesce(port, 0), coalesce(protocol, -1), coalesce(direction, ''), sum(bytes), sum(records)
FROM flows WHERE ` + cond + ` AND hour >= ` + ts + ` AND hour < ` + ts + ` GROUP BY 1, 2, 3`
			args = append(args, period.s.Start, period.s.End)
			if side.hours != "" {
				// The same sums, hourly, for the instance or local side.
				q = `SELECT port, protocol, direction, sum(bytes), sum(records)
FROM flow_hours WHERE side = ? AND key = ? AND hour >= ` + ts + ` AND hour < ` + ts + ` GROUP BY 1, 2, 3`
				args = append([]any{side.hours}, args...)
			}
			rows, err := e.db.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, fmt.Errorf("analysis: service ports: %w", err)
			}
			for rows.Next() {
				var port, proto, bytes, records int64
				var dir string
				if err := rows.Scan(&port, &proto, &dir, &bytes, &records); err != nil {
					rows.Close()
					return nil, fmt.Errorf("analysis: service ports: %w", err)
				}
				t := target(port, proto)
				switch {
				case period.baseline && inbound(dir):
					t.BaselineInbound += bytes
				case period.baseline:
					t.BaselineOutbound += bytes
				case inbound(dir):
					t.Inbound += bytes
					t.Records += records
				default:
					t.Outbound += bytes
					t.Records += records
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("analysis: service ports: %w", err)
			}
		}
		if out.Series != nil {
			cond, cargs := side.where(ent.Key)
			q := `SELECT ` + e.bucketExpr("hour") + ` AS b, coalesce(direction, ''), sum(bytes)
FROM flows WHERE ` + cond + ` AND hour >= ` + ts + ` AND hour < ` + ts + ` AND port = ? AND coalesce(protocol, -1) IN (6, 17, 132) GROUP BY 1, 2`
			args := append(append(append([]any{window.Start, width}, cargs...), window.Start, window.End), seriesPort)
			rows, err := e.db.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, fmt.Errorf("analysis: service port series: %w", err)
			}
			for rows.Next() {
				var b, bytes int64
				var dir string
				if err := rows.Scan(&b, &dir, &bytes); err != nil {
					rows.Close()
					return nil, fmt.Errorf("analysis: service port series: %w", err)
				}
				if b < 0 || b >= n {
					continue
				}
				if inbound(dir) {
					out.Series.Buckets[b].Inbound += bytes
				} else {
					out.Series.Buckets[b].Outbound += bytes
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("analysis: service port series: %w", err)
			}
		}
	}
	average := func(f *ServicePortFlow) {
		if n > 0 {
			f.AverageInbound = float64(f.Inbound) / float64(n)
			f.AverageOutbound = float64(f.Outbound) / float64(n)
		}
		if nb > 0 {
			f.BaselineAverageInbound = float64(f.BaselineInbound) / nb
			f.BaselineAverageOutbound = float64(f.BaselineOutbound) / nb
		}
	}
	for _, p := range ServicePorts {
		f := byPort[p.Port]
		if !p.Always && f.Inbound+f.Outbound+f.BaselineInbound+f.BaselineOutbound+f.Records == 0 {
			continue
		}
		average(f)
		out.Ports = append(out.Ports, *f)
	}
	average(&out.Other)
	return out, nil
}
