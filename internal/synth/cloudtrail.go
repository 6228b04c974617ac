package synth

import (
	"context"
	"slices"
	"strconv"
)

const (
	windowSec      = 300  // CloudTrail delivers about every five minutes
	maxFileRecords = 2500 // busy accounts get several files per window
)

// cloudTrailDay writes an account's CloudTrail files for one day.
func (wk *worker) cloudTrailDay(ctx context.Context, p *dayPlan, a *account) error {
	w := wk.w
	sessions := p.sessions[a.idx]
	scripted := p.scripted[a.idx]
	si := 0
	nreg := len(w.allRegs)
	if cap(wk.byReg) < nreg {
		wk.byReg = make([][]int32, nreg)
	}
	wk.byReg = wk.byReg[:nreg]
	for wi := int64(0); wi < 86400/windowSec; wi++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ws := p.start + wi*windowSec
		lo, hi := ws*1000, (ws+windowSec)*1000
		gw := uint64(ws / windowSec)
		evs := wk.evs[:0]
		for _, s := range sessions {
			if s.end <= lo || s.start >= hi {
				continue
			}
			evs = wk.drawSession(evs, s, lo, hi, gw)
		}
		for si < len(scripted) && scripted[si].t < hi {
			evs = append(evs, scripted[si])
			si++
		}
		wk.evs = evs
		if len(evs) == 0 {
			continue
		}
		slices.SortFunc(evs, func(x, y event) int {
			if x.t != y.t {
				return cmpInt64(x.t, y.t)
			}
			return cmpInt64(int64(x.rnd>>1), int64(y.rnd>>1))
		})
		for i := range wk.byReg {
			wk.byReg[i] = wk.byReg[i][:0]
		}
		for i := range evs {
			ri := evs[i].reg.idx
			wk.byReg[ri] = append(wk.byReg[ri], int32(i))
		}
		for ri, idx := range wk.byReg {
			for part := 0; len(idx) > 0; part++ {
				n := min(len(idx), maxFileRecords)
				if err := wk.writeCloudTrailFile(ctx, a, w.allRegs[ri], ws+windowSec, part, idx[:n]); err != nil {
					return err
				}
				idx = idx[n:]
			}
		}
	}
	return nil
}

// drawSession appends the ordinary events session s makes in [lo, hi).
func (wk *worker) drawSession(evs []event, s *session, lo, hi int64, gw uint64) []event {
	a, b := max(lo, s.start), min(hi, s.end)
	lam := s.n * float64(b-a) / float64(s.end-s.start)
	r := newRNG(s.seed, gw)
	k := r.poisson(lam)
	for i := 0; i < k; i++ {
		e := event{t: a + int64(r.intn(int(b-a))), s: s, acct: s.acct, rnd: r.next()}
		e.op = s.mix.ops[weighted(&r, s.mix.cum)]
		e.reg = wk.regionFor(s, e.op, &r, e.rnd)
		op := e.op
		switch {
		case op.listish && r.chance(s.fail):
			e.err = errDenied
		case r.chance(s.throttle):
			e.err = errThrottle
		case op.nfP > 0 && r.chance(op.nfP):
			e.err = errNotFound
		}
		evs = append(evs, e)
	}
	return evs
}

// regionFor decides where a call is logged: global services in us-east-1,
// S3 calls where the bucket is, others in one of the session's regions
// that has the resources the call needs.
func (wk *worker) regionFor(s *session, op *opDef, r *rng, rnd uint64) *region {
	w := wk.w
	switch {
	case op.svc.global:
		return w.usEast1
	case op.svc == svcS3:
		if op.needs&needBucket == 0 {
			return w.usEast1
		}
		if b := s.bucketFor(rnd); b != nil {
			return b.reg
		}
	}
	reg := s.regions[weighted(r, s.regCum)]
	if op.needs == 0 {
		return reg
	}
	if rr := s.acct.rrAt(reg); rr != nil && rr.has&op.needs == op.needs {
		return reg
	}
	for _, rg := range s.regions {
		if rr := s.acct.rrAt(rg); rr != nil && rr.has&op.needs == op.needs {
			return rg
		}
	}
	return s.acct.home
}

// bucketFor picks the bucket of an S3 call from the event's seed, so that
// the region chosen while drawing and the bucket rendered later agree.
func (s *session) bucketFor(rnd uint64) *bucket {
	if len(s.buckets) == 0 {
		return nil
	}
	return s.buckets[int(splitmix(rnd^0xb0c4e7)%uint64(len(s.buckets)))]
}

func (a *account) rrAt(reg *region) *regionRes {
	if reg.idx >= 0 && reg.idx < len(a.rrIdx) {
		return a.rrIdx[reg.idx]
	}
	return nil
}

// writeCloudTrailFile renders events idx of wk.evs into one log file.
func (wk *worker) writeCloudTrailFile(ctx context.Context, a *account, reg *region, stamp int64, part int, idx []int32) error {
	w := wk.w
	b := wk.buf[:0]
	b = append(b, `{"Records":[`...)
	for i, k := range idx {
		if i > 0 {
			b = append(b, ',')
		}
		b = wk.record(b, &wk.evs[k])
	}
	b = append(b, "]}"...)
	wk.buf = b
	r := newRNG(w.seed, 0xc7f1, uint64(a.idx), uint64(reg.idx), uint64(stamp), uint64(part))
	key := wk.key[:0]
	key = append(key, "AWSLogs/"...)
	key = append(key, w.orgID...)
	key = append(key, '/')
	key = append(key, a.ID...)
	key = append(key, "/CloudTrail/"...)
	key = append(key, reg.Name...)
	key = append(key, '/')
	key = appendDatePath(key, stamp)
	key = append(key, '/')
	key = append(key, a.ID...)
	key = append(key, "_CloudTrail_"...)
	key = append(key, reg.Name...)
	key = append(key, '_')
	key = appendCompactStamp(key, stamp)
	key = append(key, '_')
	key = r.appendChars(key, mixedAlnum, 16)
	key = append(key, ".json.gz"...)
	wk.key = key
	wk.stats.events += int64(len(idx))
	return wk.put(ctx, string(key), b)
}

// evctx resolves template slots for one event, each at most once.
type evctx struct {
	w    *world
	e    *event
	r    rng
	rr   *regionRes
	have uint64
	vals [numSlots]string
	bkt  *bucket
	inst *instance
	role *iamRole
}

func (c *evctx) reset(w *world, e *event) {
	c.w, c.e = w, e
	c.r = rng{s: e.rnd}
	c.rr = e.acct.rrAt(e.reg)
	if c.rr == nil {
		c.rr = e.acct.rrIdx[e.acct.home.idx]
	}
	c.have = 0
	c.bkt, c.inst, c.role = nil, nil, nil
}

func (c *evctx) get(sl slot) string {
	if c.have&(1<<sl) != 0 {
		return c.vals[sl]
	}
	v := c.resolve(sl)
	c.vals[sl] = v
	c.have |= 1 << sl
	return v
}

// pickStr chooses from the region's list, falling back to the account's
// home region.
func (c *evctx) pickStr(list []string, home func(*regionRes) []string) string {
	if len(list) == 0 {
		h := c.e.acct.rrIdx[c.e.acct.home.idx]
		list = home(h)
		if len(list) == 0 {
			return "default"
		}
	}
	return list[c.r.intn(len(list))]
}

func (c *evctx) bucket() *bucket {
	if c.bkt == nil && c.e.x != nil {
		c.bkt = c.e.x.bkt
	}
	if c.bkt == nil {
		c.bkt = c.e.s.bucketFor(c.e.rnd)
		if c.bkt == nil {
			a := c.e.acct
			if len(a.buckets) == 0 {
				a = c.w.security
			}
			c.bkt = a.buckets[0]
		}
	}
	return c.bkt
}

func (c *evctx) instance() *instance {
	if c.inst == nil {
		if s := c.e.s; s.actor != nil && s.actor.inst != nil && s.actor.inst.acct == c.e.acct {
			c.inst = s.actor.inst
			return c.inst
		}
		list := c.rr.instances
		if len(list) == 0 {
			for _, reg := range c.e.acct.regions {
				if l := c.e.acct.rrAt(reg).instances; len(l) > 0 {
					list = l
					break
				}
			}
		}
		if len(list) == 0 {
			return nil
		}
		c.inst = list[c.r.intn(len(list))]
	}
	return c.inst
}

func (c *evctx) pickRole() *iamRole {
	if c.role == nil {
		roles := c.e.acct.roles
		c.role = roles[c.r.intn(len(roles))]
	}
	return c.role
}

func (c *evctx) resolve(sl slot) string {
	if x := c.e.x; x != nil {
		for _, v := range x.slots {
			if v.s == sl {
				return v.v
			}
		}
	}
	rr := c.rr
	r := &c.r
	switch sl {
	case slRegion:
		return c.e.reg.Name
	case slAcct:
		return c.e.acct.ID
	case slBucket:
		return c.bucket().Name
	case slKey:
		return objectKey(r, c.bucket(), c.e.t/1000)
	case slPrefix:
		k := objectKey(r, c.bucket(), c.e.t/1000)
		for i := len(k) - 1; i > 0; i-- {
			if k[i] == '/' {
				return k[:i+1]
			}
		}
		return ""
	case slInstance:
		if in := c.instance(); in != nil {
			return in.ID
		}
		return ""
	case slUser:
		us := c.e.acct.users
		if len(us) == 0 {
			return "admin"
		}
		return us[r.intn(len(us))].Name
	case slTargetUser:
		return c.get(slUser)
	case slRole:
		return c.pickRole().Name
	case slRoleArn:
		return c.pickRole().ARN
	case slPolicyArn:
		if r.chance(0.6) {
			return pick(r, awsManagedPolicies)
		}
		return pick(r, c.e.acct.policies)
	case slKMS:
		return c.pickStr(rr.kms, func(h *regionRes) []string { return h.kms })
	case slSecret:
		return c.pickStr(rr.secrets, func(h *regionRes) []string { return h.secrets })
	case slParam:
		return c.pickStr(rr.params, func(h *regionRes) []string { return h.params })
	case slFunction:
		if s := c.e.s; s.actor != nil && s.actor.kind == akLambda && s.actor.acct == c.e.acct {
			return s.actor.fn
		}
		return c.pickStr(rr.functions, func(h *regionRes) []string { return h.functions })
	case slLogGroup:
		return c.pickStr(rr.logGroups, func(h *regionRes) []string { return h.logGroups })
	case slStack:
		return c.pickStr(rr.stacks, func(h *regionRes) []string { return h.stacks })
	case slCluster:
		return c.pickStr(rr.clusters, func(h *regionRes) []string { return h.clusters })
	case slECSService:
		return c.pickStr(rr.ecsServices, func(h *regionRes) []string { return h.ecsServices })
	case slTaskDef:
		return c.pickStr(rr.taskDefs, func(h *regionRes) []string { return h.taskDefs })
	case slRepo:
		return c.pickStr(rr.repos, func(h *regionRes) []string { return h.repos })
	case slTable:
		return c.pickStr(rr.tables, func(h *regionRes) []string { return h.tables })
	case slSG:
		return c.pickStr(rr.sgs, func(h *regionRes) []string { return h.sgs })
	case slVPC:
		if rr.vpc != nil {
			return rr.vpc.id
		}
		return c.e.acct.rrIdx[c.e.acct.home.idx].vpc.id
	case slSubnet:
		if rr.vpc != nil && len(rr.vpc.subnets) > 0 {
			return rr.vpc.subnets[r.intn(len(rr.vpc.subnets))].id
		}
		return ""
	case slAMI:
		return c.pickStr(rr.amis, func(h *regionRes) []string { return h.amis })
	case slVolume:
		return c.pickStr(rr.volumes, func(h *regionRes) []string { return h.volumes })
	case slTargetGroup:
		return c.pickStr(rr.tgs, func(h *regionRes) []string { return h.tgs })
	case slLB:
		return c.pickStr(rr.lbs, func(h *regionRes) []string { return h.lbs })
	case slDB:
		return c.pickStr(rr.dbs, func(h *regionRes) []string { return h.dbs })
	case slASG:
		return c.pickStr(rr.asgs, func(h *regionRes) []string { return h.asgs })
	case slAlarm:
		return c.pickStr(rr.alarms, func(h *regionRes) []string { return h.alarms })
	case slQueue:
		return c.pickStr(rr.queues, func(h *regionRes) []string { return h.queues })
	case slTopic:
		return c.pickStr(rr.topics, func(h *regionRes) []string { return h.topics })
	case slZone:
		return c.e.acct.zones[0]
	case slTrail:
		return c.e.acct.trail
	case slUUID:
		return r.uuid()
	case slHex16:
		return r.hexString(16)
	case slDigest:
		return r.hexString(64)
	case slBytesOut:
		if x := c.e.x; x != nil && x.bytes > 0 {
			return strconv.FormatInt(x.bytes, 10)
		}
		switch c.e.op.name {
		case "GetObject":
			return strconv.FormatInt(int64(r.lognormal(10.5, 1.6)), 10)
		case "ListObjects", "ListBuckets":
			return strconv.Itoa(r.between(600, 24000))
		}
		return strconv.Itoa(r.between(150, 1800))
	case slBytesIn:
		if x := c.e.x; x != nil && x.bytes > 0 {
			return strconv.FormatInt(x.bytes, 10)
		}
		return strconv.FormatInt(int64(r.lognormal(10, 1.8)), 10)
	case slEpochMs:
		return strconv.FormatInt(c.e.t, 10)
	case slNow:
		return string(appendJavaDate(nil, c.e.t/1000))
	case slXAmzID:
		return r.chars(base64Set, 76)
	case slCBC:
		if c.e.reg.Name == "us-east-1" {
			return ""
		}
		return `,"CreateBucketConfiguration":{"LocationConstraint":"` + c.e.reg.Name + `","xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}`
	case slNewKey:
		return "AKIA" + r.chars(base32Set, 16)
	case slNewUserID:
		return "AIDA" + r.chars(base32Set, 17)
	case slTargetAcct:
		as := c.w.accounts
		return as[r.intn(len(as))].ID
	}
	return ""
}

var awsManagedPolicies = []string{
	"arn:aws:iam::aws:policy/ReadOnlyAccess",
	"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
	"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
	"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
	"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
}

// objectKey draws an object key that fits the bucket's purpose.
func objectKey(r *rng, b *bucket, sec int64) string {
	k := make([]byte, 0, 96)
	switch b.purpose {
	case "assets":
		k = append(k, "static/"...)
		k = append(k, pick(r, []string{"js", "css", "img", "fonts"})...)
		k = append(k, '/')
		k = appendHex(k, r.next(), 10)
		k = append(k, pick(r, []string{".js", ".css", ".webp", ".woff2", ".png"})...)
	case "uploads":
		k = append(k, "uploads/"...)
		k = appendDatePath(k, sec-int64(r.intn(30))*86400)
		k = append(k, '/')
		k = r.appendUUID(k)
		k = append(k, pick(r, []string{".jpg", ".png", ".pdf", ".heic"})...)
	case "exports":
		k = append(k, "exports/customers/"...)
		y, mo, _, _, _, _ := civil(sec - int64(r.intn(120))*86400)
		k = append4(k, y)
		k = append(k, '-')
		k = append2(k, mo)
		k = append(k, "/part-"...)
		k = strconv.AppendInt(k, int64(10000+r.intn(90000)), 10)
		k = append(k, ".csv.gz"...)
	case "backups":
		k = append(k, "db/"...)
		k = append(k, pick(r, []string{"orders", "accounts", "ledger"})...)
		k = append(k, '/')
		k = appendDatePath(k, sec)
		k = append(k, "/dump-"...)
		k = append2(k, r.intn(24))
		k = append(k, ".sql.gz.part"...)
		k = strconv.AppendInt(k, int64(r.intn(400)), 10)
	case "lake":
		k = append(k, pick(r, []string{"raw/events", "raw/clickstream", "curated/orders", "curated/sessions"})...)
		k = append(k, "/dt="...)
		y, mo, d, _, _, _ := civil(sec - int64(r.intn(3))*86400)
		k = append4(k, y)
		k = append(k, '-')
		k = append2(k, mo)
		k = append(k, '-')
		k = append2(k, d)
		k = append(k, "/hr="...)
		k = append2(k, r.intn(24))
		k = append(k, "/part-"...)
		k = strconv.AppendInt(k, int64(r.intn(100000)), 10)
		k = append(k, '-')
		k = appendHex(k, r.next(), 8)
		k = append(k, ".snappy.parquet"...)
	case "reports":
		k = append(k, "reports/"...)
		y, mo, _, _, _, _ := civil(sec)
		k = append4(k, y)
		k = append(k, '/')
		k = append2(k, mo)
		k = append(k, '/')
		k = append(k, pick(r, []string{"revenue-summary", "churn-analysis", "ops-kpis", "regional-sales"})...)
		k = append(k, ".pdf"...)
	case "artifacts":
		k = append(k, "builds/"...)
		k = append(k, pick(r, []string{"checkout", "catalog", "notifications", "web-frontend"})...)
		k = append(k, '/')
		k = appendHex(k, r.next(), 12)
		k = append(k, "/artifact.tar.gz"...)
	case "tfstate":
		k = append(k, "env/"...)
		k = append(k, pick(r, []string{"prod", "staging", "dev", "shared"})...)
		k = append(k, "/terraform.tfstate"...)
	case "alblogs":
		k = append(k, "AWSLogs/"...)
		k = append(k, b.acct.ID...)
		k = append(k, "/elasticloadbalancing/"...)
		k = append(k, b.reg.Name...)
		k = append(k, '/')
		k = appendDatePath(k, sec)
		k = append(k, '/')
		k = appendHex(k, r.next(), 16)
		k = append(k, ".log.gz"...)
	default:
		k = append(k, "data/"...)
		k = appendHex(k, r.next(), 12)
		k = append(k, ".json"...)
	}
	return string(k)
}
