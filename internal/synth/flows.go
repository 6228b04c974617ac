package synth

import (
	"context"
	"strconv"
)

// FlowLogHeader names the fields of the custom version-5 format the
// organization's flow logs use: every default field plus the version 3-5
// fields that matter for investigations. Every flow log file starts with
// it.
const FlowLogHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"

// flowHeader is the header line of a flow log file.
const flowHeader = FlowLogHeader + "\n"

// TCP flag values as flow logs report them (OR-ed over the interval).
const (
	tcpFIN    = 1
	tcpSYN    = 2
	tcpRST    = 4
	tcpSYNACK = 18
)

// flowRec is one flow log record.
type flowRec struct {
	e        *eni
	src, dst uint32
	sport    int
	dport    int
	proto    int
	packets  int64
	bytes    int64
	start    int64
	end      int64
	reject   bool
	nodata   bool
	flags    int
	pktSrc   uint32 // 0: same as src
	pktDst   uint32
	srcSvc   string
	dstSvc   string
	egress   bool
	path     int // 0: not applicable
}

// flowScript is a planned burst of flow records: scenario traffic and the
// probes that background GuardDuty findings refer to.
type flowScript struct {
	acct  *account
	rr    *regionRes
	start int64 // Unix seconds of the first record
	recs  []flowRec
	scen  *scenarioRun
}

// flowStream is one account-region whose flow logs are collected, with its
// share of the organization's flow records.
type flowStream struct {
	rr    *regionRes
	share float64
	// ENIs by role, for choosing endpoints.
	web, app, all, public, bastions []*eni
}

func (w *world) buildFlowStreams() {
	total := 0.0
	for _, a := range w.accounts {
		for _, reg := range a.regions {
			rr := a.rr[reg.Name]
			if rr.vpc == nil || len(rr.instances) == 0 {
				continue
			}
			fs := &flowStream{rr: rr}
			for _, in := range rr.instances {
				e := in.eni
				fs.all = append(fs.all, e)
				switch {
				case in.ssh:
					fs.bastions = append(fs.bastions, e)
				case in.web:
					fs.web = append(fs.web, e)
				default:
					fs.app = append(fs.app, e)
				}
				if e.pubIP != 0 {
					fs.public = append(fs.public, e)
				}
			}
			fs.public = append(fs.public, rr.vpc.albs...)
			fs.share = float64(len(rr.vpc.enis))
			if a.env() == "prod" {
				fs.share *= 2
			}
			total += fs.share
			w.flowStreams = append(w.flowStreams, fs)
			rr.flows = fs
		}
	}
	for _, fs := range w.flowStreams {
		fs.share /= total
	}
}

// flowDay writes an account's flow log files for a day, per region.
func (wk *worker) flowDay(ctx context.Context, p *dayPlan, a *account) error {
	w := wk.w
	scripts := p.flows[a.idx]
	for _, rr := range a.flowRegions() {
		fs := rr.flows
		var mine []*flowScript
		for i := range scripts {
			if scripts[i].rr == rr {
				mine = append(mine, &scripts[i])
			}
		}
		si := 0
		for wi := int64(0); wi < 86400/windowSec; wi++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			ws := p.start + wi*windowSec
			recs := wk.flows[:0]
			if fs != nil {
				lam := w.flowsPerDay * fs.share / (86400 / windowSec) * diurnal(float64(ws%86400)/3600+0.04)
				r := newRNG(w.seed, 0xf10e, uint64(a.idx), uint64(rr.reg.idx), uint64(ws))
				n := r.poisson(lam)
				for len(recs) < n {
					recs = wk.background(recs, fs, &r, ws)
				}
			}
			for ; si < len(mine); si++ {
				sc := mine[si]
				if sc.start >= ws+windowSec {
					break
				}
				recs = append(recs, sc.recs...)
				if sc.scen != nil {
					wk.noteScenarioFlows(sc.scen, len(sc.recs))
				}
			}
			wk.flows = recs
			if len(recs) == 0 {
				continue
			}
			if err := wk.writeFlowFile(ctx, a, rr, ws+windowSec, recs); err != nil {
				return err
			}
		}
	}
	return nil
}

// flowRegions lists the account's regions that have flow logs, including
// regions where only scenario traffic happens.
func (a *account) flowRegions() []*regionRes {
	var out []*regionRes
	for _, rr := range a.rrIdx {
		if rr != nil && rr.vpc != nil && (rr.flows != nil || rr.scripted) {
			out = append(out, rr)
		}
	}
	return out
}

func ephemeral(r *rng) int { return 32768 + r.intn(28232) }

// background appends one conversation of ordinary traffic.
func (wk *worker) background(recs []flowRec, fs *flowStream, r *rng, ws int64) []flowRec {
	v := fs.rr.vpc
	st := ws + int64(r.intn(windowSec-60))
	en := st + 60
	x := r.float()
	switch {
	case x < 0.18 && len(v.albs) > 0 && len(fs.web) > 0:
		// Load balancer to web tier.
		alb, web := pick(r, v.albs), pick(r, fs.web)
		sp := ephemeral(r)
		p, by := r.between(4, 40), int64(r.lognormal(8, 1.2))
		rp, rby := p+r.between(0, 10), int64(r.lognormal(9.5, 1.4))
		recs = append(recs,
			flowRec{e: web, src: alb.privIP, dst: web.privIP, sport: sp, dport: 8080, proto: 6, packets: int64(p), bytes: by, start: st, end: en, flags: 3},
			flowRec{e: web, src: web.privIP, dst: alb.privIP, sport: 8080, dport: sp, proto: 6, packets: int64(rp), bytes: rby, start: st, end: en, flags: 19, egress: true, path: 1},
			flowRec{e: alb, src: alb.privIP, dst: web.privIP, sport: sp, dport: 8080, proto: 6, packets: int64(p), bytes: by, start: st, end: en, flags: 3, egress: true, path: 1},
			flowRec{e: alb, src: web.privIP, dst: alb.privIP, sport: 8080, dport: sp, proto: 6, packets: int64(rp), bytes: rby, start: st, end: en, flags: 19})
	case x < 0.34 && len(v.albs) > 0:
		// Customers to the public load balancer.
		alb := pick(r, v.albs)
		client := pick(r, customerPrefixes).addr(r)
		sp := ephemeral(r)
		p := r.between(6, 60)
		recs = append(recs,
			flowRec{e: alb, src: client, dst: alb.privIP, sport: sp, dport: 443, proto: 6, packets: int64(p), bytes: int64(r.lognormal(8.3, 1.1)), start: st, end: en, flags: 3, pktDst: alb.privIP},
			flowRec{e: alb, src: alb.privIP, dst: client, sport: 443, dport: sp, proto: 6, packets: int64(p + r.between(0, 20)), bytes: int64(r.lognormal(10.5, 1.5)), start: st, end: en, flags: 19, egress: true, path: 8})
	case x < 0.46 && v.db != nil && len(fs.app)+len(fs.web) > 0:
		// Application to database.
		src := pick(r, fs.all)
		db := v.db
		sp := ephemeral(r)
		p := r.between(10, 300)
		recs = append(recs,
			flowRec{e: src, src: src.privIP, dst: db.privIP, sport: sp, dport: 5432, proto: 6, packets: int64(p), bytes: int64(r.lognormal(9, 1.3)), start: st, end: en, egress: true, path: 1},
			flowRec{e: src, src: db.privIP, dst: src.privIP, sport: 5432, dport: sp, proto: 6, packets: int64(p + r.between(0, 40)), bytes: int64(r.lognormal(10.5, 1.6)), start: st, end: en},
			flowRec{e: db, src: src.privIP, dst: db.privIP, sport: sp, dport: 5432, proto: 6, packets: int64(p), bytes: int64(r.lognormal(9, 1.3)), start: st, end: en},
			flowRec{e: db, src: db.privIP, dst: src.privIP, sport: 5432, dport: sp, proto: 6, packets: int64(p + r.between(0, 40)), bytes: int64(r.lognormal(10.5, 1.6)), start: st, end: en, egress: true, path: 1})
	case x < 0.60:
		// Instance to S3 through the gateway endpoint.
		src := pick(r, fs.all)
		s3ip := pick(r, fs.rr.reg.s3).addr(r)
		sp := ephemeral(r)
		p := r.between(8, 400)
		recs = append(recs,
			flowRec{e: src, src: src.privIP, dst: s3ip, sport: sp, dport: 443, proto: 6, packets: int64(p), bytes: int64(r.lognormal(9.5, 1.8)), start: st, end: en, egress: true, path: 7, dstSvc: "S3"},
			flowRec{e: src, src: s3ip, dst: src.privIP, sport: 443, dport: sp, proto: 6, packets: int64(p + r.between(0, 100)), bytes: int64(r.lognormal(11, 2)), start: st, end: en, srcSvc: "S3"})
	case x < 0.72:
		// Instance to an AWS API endpoint, or to the internet, through NAT.
		src := pick(r, fs.all)
		var dst uint32
		svcName := ""
		dport := 443
		if r.chance(0.55) {
			dst = pick(r, fs.rr.reg.aws).addr(r)
			svcName = "AMAZON"
		} else {
			dst = pick(r, egressPrefixes).addr(r)
			if r.chance(0.1) {
				dport = 80
			}
		}
		sp := ephemeral(r)
		p := r.between(5, 120)
		nat := v.nat
		nsp := 1024 + r.intn(64000)
		out, in := int64(r.lognormal(8.5, 1.2)), int64(r.lognormal(10, 1.8))
		if src.pubIP != 0 {
			recs = append(recs,
				flowRec{e: src, src: src.privIP, dst: dst, sport: sp, dport: dport, proto: 6, packets: int64(p), bytes: out, start: st, end: en, egress: true, path: 8, dstSvc: svcName},
				flowRec{e: src, src: dst, dst: src.privIP, sport: dport, dport: sp, proto: 6, packets: int64(p), bytes: in, start: st, end: en, srcSvc: svcName})
			break
		}
		recs = append(recs,
			flowRec{e: src, src: src.privIP, dst: dst, sport: sp, dport: dport, proto: 6, packets: int64(p), bytes: out, start: st, end: en, egress: true, path: 1, dstSvc: svcName},
			flowRec{e: src, src: dst, dst: src.privIP, sport: dport, dport: sp, proto: 6, packets: int64(p), bytes: in, start: st, end: en, srcSvc: svcName},
			flowRec{e: nat, src: nat.privIP, dst: dst, sport: nsp, dport: dport, proto: 6, packets: int64(p), bytes: out, start: st, end: en, egress: true, path: 8, pktSrc: src.privIP, dstSvc: svcName},
			flowRec{e: nat, src: dst, dst: nat.privIP, sport: dport, dport: nsp, proto: 6, packets: int64(p), bytes: in, start: st, end: en, pktDst: src.privIP, srcSvc: svcName})
	case x < 0.80 && len(fs.all) > 1:
		// East-west between instances.
		a, b := pick(r, fs.all), pick(r, fs.all)
		if a == b {
			break
		}
		port := pick(r, []int{8443, 9090, 6379, 10250, 8080})
		sp := ephemeral(r)
		p := int64(r.between(4, 200))
		by, rby := int64(r.lognormal(8, 1.3)), int64(r.lognormal(9, 1.5))
		recs = append(recs,
			flowRec{e: a, src: a.privIP, dst: b.privIP, sport: sp, dport: port, proto: 6, packets: p, bytes: by, start: st, end: en, egress: true, path: 1},
			flowRec{e: a, src: b.privIP, dst: a.privIP, sport: port, dport: sp, proto: 6, packets: p, bytes: rby, start: st, end: en},
			flowRec{e: b, src: a.privIP, dst: b.privIP, sport: sp, dport: port, proto: 6, packets: p, bytes: by, start: st, end: en},
			flowRec{e: b, src: b.privIP, dst: a.privIP, sport: port, dport: sp, proto: 6, packets: p, bytes: rby, start: st, end: en, egress: true, path: 1})
	case x < 0.96 && len(fs.public) > 0:
		// Internet background noise: probes of every port, rejected by
		// security groups.
		dst := pick(r, fs.public)
		var src uint32
		if r.chance(0.35) {
			src = parseIPv4Cached(pick(r, scannerHosts).IP)
		} else {
			src = pick(r, noisePrefixes).addr(r)
		}
		port := scanPorts[weighted(r, scanPortWeights)]
		proto := 6
		if port == 53 || port == 161 || port == 5060 || port == 11211 {
			proto = 17
		}
		if dst.kind == "instance" && dst.inst.ssh && port == 22 {
			break // bastion SSH is open; handled by scripted probes
		}
		recs = append(recs, flowRec{e: dst, src: src, dst: dst.privIP, sport: ephemeral(r), dport: port, proto: proto,
			packets: int64(r.between(1, 3)), bytes: int64(r.between(40, 180)), start: st, end: en, reject: true, flags: tcpSYN, pktDst: dst.privIP})
	default:
		// An interface with nothing to report in the interval.
		e := pick(r, fs.all)
		recs = append(recs, flowRec{e: e, start: st, end: en, nodata: true})
	}
	return recs
}

var ipCache = map[string]uint32{}

func init() {
	for _, h := range scannerHosts {
		ipCache[h.IP] = parseIPv4(h.IP)
	}
}

func parseIPv4Cached(s string) uint32 {
	if v, ok := ipCache[s]; ok {
		return v
	}
	return parseIPv4(s)
}

// writeFlowFile renders records into one flow log object.
func (wk *worker) writeFlowFile(ctx context.Context, a *account, rr *regionRes, stamp int64, recs []flowRec) error {
	w := wk.w
	b := append(wk.buf[:0], flowHeader...)
	for i := range recs {
		b = appendFlow(b, a, rr, &recs[i])
	}
	wk.buf = b
	r := newRNG(w.seed, 0xf11e, uint64(a.idx), uint64(rr.reg.idx), uint64(stamp))
	key := append(wk.key[:0], "AWSLogs/"...)
	key = append(key, a.ID...)
	key = append(key, "/vpcflowlogs/"...)
	key = append(key, rr.reg.Name...)
	key = append(key, '/')
	key = appendDatePath(key, stamp)
	key = append(key, '/')
	key = append(key, a.ID...)
	key = append(key, "_vpcflowlogs_"...)
	key = append(key, rr.reg.Name...)
	key = append(key, '_')
	key = append(key, rr.flowLogID...)
	key = append(key, '_')
	key = appendCompactStamp(key, stamp)
	key = append(key, '_')
	key = appendHex(key, r.next(), 8)
	key = append(key, ".log.gz"...)
	wk.key = key
	wk.stats.flows += int64(len(recs))
	return wk.put(ctx, string(key), b)
}

// appendFlow appends one record line in the header's field order.
func appendFlow(b []byte, a *account, rr *regionRes, f *flowRec) []byte {
	e := f.e
	b = append(b, "5 "...)
	b = append(b, a.ID...)
	b = append(b, ' ')
	b = append(b, e.id...)
	if f.nodata {
		b = append(b, " - - - - - - - "...)
		b = strconv.AppendInt(b, f.start, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, f.end, 10)
		b = append(b, " - NODATA "...)
		b = append(b, rr.vpc.id...)
		b = append(b, ' ')
		b = append(b, e.sub.id...)
		b = append(b, ' ')
		if e.inst != nil {
			b = append(b, e.inst.ID...)
		} else {
			b = append(b, '-')
		}
		b = append(b, " - - - - "...)
		b = append(b, rr.reg.Name...)
		b = append(b, ' ')
		b = append(b, rr.reg.AZIDs[e.sub.az]...)
		return append(b, " - - - - - -\n"...)
	}
	b = append(b, ' ')
	b = appendIPv4(b, f.src)
	b = append(b, ' ')
	b = appendIPv4(b, f.dst)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.sport), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.dport), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f.proto), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.packets, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.bytes, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.start, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, f.end, 10)
	if f.reject {
		b = append(b, " REJECT OK "...)
	} else {
		b = append(b, " ACCEPT OK "...)
	}
	b = append(b, rr.vpc.id...)
	b = append(b, ' ')
	b = append(b, e.sub.id...)
	b = append(b, ' ')
	if e.inst != nil {
		b = append(b, e.inst.ID...)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	if f.proto == 6 {
		b = strconv.AppendInt(b, int64(f.flags), 10)
	} else {
		b = append(b, '0')
	}
	b = append(b, " IPv4 "...)
	if f.pktSrc != 0 {
		b = appendIPv4(b, f.pktSrc)
	} else {
		b = appendIPv4(b, f.src)
	}
	b = append(b, ' ')
	if f.pktDst != 0 {
		b = appendIPv4(b, f.pktDst)
	} else {
		b = appendIPv4(b, f.dst)
	}
	b = append(b, ' ')
	b = append(b, rr.reg.Name...)
	b = append(b, ' ')
	b = append(b, rr.reg.AZIDs[e.sub.az]...)
	b = append(b, " - - "...)
	if f.srcSvc != "" {
		b = append(b, f.srcSvc...)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	if f.dstSvc != "" {
		b = append(b, f.dstSvc...)
	} else {
		b = append(b, '-')
	}
	if f.egress {
		b = append(b, " egress "...)
	} else {
		b = append(b, " ingress "...)
	}
	if f.egress && f.path > 0 {
		b = strconv.AppendInt(b, int64(f.path), 10)
	} else {
		b = append(b, '-')
	}
	return append(b, '\n')
}
