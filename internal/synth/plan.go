package synth

import (
	"slices"
	"strconv"
	"strings"
)

// event is one CloudTrail record before rendering. Ordinary events are
// drawn per five-minute window from their session; scripted events (session
// openings, sign-ins, everything attackers do) are planned explicitly.
type event struct {
	t    int64 // Unix milliseconds
	s    *session
	op   *opDef
	reg  *region
	acct *account // recipient account
	err  errKind
	rnd  uint64
	x    *extra
}

type errKind uint8

const (
	errNone errKind = iota
	errDenied
	errThrottle
	errNotFound
)

// extra carries what a scripted event needs beyond its session.
type extra struct {
	target  *session // the session an AssumeRole-like call or a sign-in opens
	slots   []slotVal
	shared  string // sharedEventID, for calls logged in two accounts
	reqID   string
	login   *loginSpec
	run     *runSpec
	errCode string
	errMsg  string
	scen    *scenarioRun
	extID   string   // externalId of a third party's AssumeRole
	subject string   // web identity subject
	bytes   int64    // bytes transferred, overriding the random draw
	ua      string   // user agent, overriding the session's
	bkt     *bucket  // the bucket of an S3 call
	acct    *account // the recipient account, when not the session's
}

type slotVal struct {
	s slot
	v string
}

type loginSpec struct {
	fail bool
	mfa  bool
}

// dayOut collects what the planner produces for a day.
type dayOut struct {
	sessions []*session
	scripted []event
}

func (o *dayOut) add(s *session) { o.sessions = append(o.sessions, s) }

func (o *dayOut) emit(t int64, s *session, op *opDef, reg *region, acct *account, rnd uint64, x *extra) {
	o.scripted = append(o.scripted, event{t: t, s: s, op: op, reg: reg, acct: acct, rnd: rnd, x: x})
}

// dayPlan is everything a worker needs to write one day: the sessions that
// are active during it and the scripted events and flows that fall in it,
// by account.
type dayPlan struct {
	day      int
	start    int64 // Unix seconds
	sessions [][]*session
	scripted [][]event
	flows    [][]flowScript
	findings []*findingVersion
}

// planDay builds the plan of a day from the ordinary life of that day and
// the day before (sessions can run past midnight) and from the scenarios.
func (w *world) planDay(day int) *dayPlan {
	p := &dayPlan{day: day, start: w.dayStart(day)}
	n := len(w.accounts)
	p.sessions = make([][]*session, n)
	p.scripted = make([][]event, n)
	p.flows = make([][]flowScript, n)
	lo, hi := p.start*1000, (p.start+86400)*1000
	var outs []*dayOut
	if day > 0 {
		outs = append(outs, w.genDay(day-1))
	}
	outs = append(outs, w.genDay(day))
	outs = append(outs, w.scenarioOut)
	for _, o := range outs {
		for _, s := range o.sessions {
			if s.n > 0 && s.end > lo && s.start < hi {
				p.sessions[s.acct.idx] = append(p.sessions[s.acct.idx], s)
			}
		}
		for _, e := range o.scripted {
			if e.t >= lo && e.t < hi {
				p.scripted[e.acct.idx] = append(p.scripted[e.acct.idx], e)
			}
		}
	}
	for _, list := range p.scripted {
		slices.SortStableFunc(list, func(a, b event) int { return cmpInt64(a.t, b.t) })
	}
	for _, f := range w.flowScripts {
		if f.start >= p.start && f.start < p.start+86400 {
			p.flows[f.acct.idx] = append(p.flows[f.acct.idx], f)
		}
	}
	for _, list := range p.flows {
		slices.SortStableFunc(list, func(a, b flowScript) int { return cmpInt64(a.start, b.start) })
	}
	for _, f := range w.findings {
		for _, v := range f.versions {
			if v.exported >= p.start && v.exported < p.start+86400 {
				p.findings = append(p.findings, v)
			}
		}
	}
	return p
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// weekday returns 0 for Sunday through 6 for Saturday for a Unix day.
func weekday(unixDay int64) int { return int((unixDay%7 + 7 + 4) % 7) }

func (w *world) dayWeekday(day int) int { return weekday(w.start/86400 + int64(day)) }

// genDay plans the ordinary life of one day. Each actor draws from its own
// generator seeded by the actor and the day, so the plan of one actor never
// depends on another.
func (w *world) genDay(day int) *dayOut {
	out := &dayOut{}
	for _, ac := range w.actors {
		r := newRNG(w.seed, 0x5e55, uint64(ac.id), uint64(day))
		w.actorDay(ac, day, &r, out)
	}
	return out
}

// Callers that are AWS services.
func (w *world) serviceCaller(service string) *session {
	if s := w.svcCallers[service]; s != nil {
		return s
	}
	s := &session{kind: idAWSService, invoked: service, ip: service, ua: service, svcCall: true}
	s.render()
	w.svcCallers[service] = s
	return s
}

// assume emits the event(s) that open target: an AssumeRole call by caller,
// logged in the role's account and, when the caller is in another account
// of the organization, also in the caller's (with a shared event id).
func (w *world) assume(out *dayOut, r *rng, t int64, caller, target *session, reg *region, x *extra) {
	if x == nil {
		x = &extra{}
	}
	x.target = target
	x.reqID = r.uuid()
	op := lookupOp("sts:AssumeRole")
	callerAcct := caller.acct
	if callerAcct != nil && callerAcct != target.acct && caller.kind != idAWSService && caller.kind != idAWSAccount {
		x.shared = r.uuid()
		out.emit(t, caller, op, reg, callerAcct, r.next(), x)
	}
	out.emit(t, caller, op, reg, target.acct, r.next(), x)
}

// roleSession builds a session of role rl named name, issued at sec.
func (w *world) roleSession(r *rng, ac *actor, rl *iamRole, name string, sec, dur int64) *session {
	s := newKeySession(r, idAssumedRole)
	s.actor = ac
	s.role = rl
	s.acct = rl.acct
	s.name = roleSessionName(name)
	s.created = sec
	s.start = sec * 1000
	s.end = (sec + dur) * 1000
	if ac != nil {
		s.tls12 = ac.tls12
		s.fail = ac.fail
		s.throttle = ac.throttle
	}
	return s
}

// userSession builds a session of an IAM user with its long-term key.
func (w *world) userSession(r *rng, ac *actor, u *iamUser, sec, dur int64) *session {
	s := &session{seed: r.next(), kind: idIAMUser, actor: ac, user: u, acct: u.acct, created: sec,
		start: sec * 1000, end: (sec + dur) * 1000}
	if len(u.keys) > 0 {
		s.key = u.keys[0]
	}
	if ac != nil {
		s.tls12, s.fail, s.throttle = ac.tls12, ac.fail, ac.throttle
	}
	return s
}

// actorDay plans one actor's sessions for a day.
func (w *world) actorDay(ac *actor, day int, r *rng, out *dayOut) {
	ds := w.dayStart(day)
	dow := w.dayWeekday(day)
	weekend := dow == 0 || dow == 6
	machine := 1.0
	if weekend {
		machine = 0.8
	}
	switch ac.kind {
	case akPersonSSO:
		w.personDay(ac, day, r, out)

	case akPersonIAM:
		// The first legacy user's key is the one the compromised-key
		// scenario leaks: its owner signs CLI calls with it on most
		// working days, so that the investigator has a history (usual
		// addresses, user agent, APIs) to compare the attack with.
		routine := ac.user == w.legacyKeyUser()
		switch {
		case routine && (!weekend || r.chance(0.2)):
		case weekend || !r.chance(0.35):
			return
		}
		p := ac.person
		shift := p.startHour - float64(p.office.UTCOff)
		st := ds + int64((shift+r.float()*p.hours*0.8)*3600)
		if shift < 0 {
			st += 86400
		}
		ip := ac.ips[0]
		if r.chance(0.25) {
			ip = ac.ips[1]
		}
		n := ac.weight * r.lognormal(0, 0.4)
		if !routine && r.chance(0.6) {
			dur := int64(r.between(10, 90) * 60)
			login := w.userSession(r, ac, ac.user, st, 0)
			login.key = ""
			login.ip, login.ua = ip, p.browserUA
			login.render()
			s := w.userSession(r, ac, ac.user, st, dur)
			s.key = "ASIA" + r.chars(base32Set, 16)
			s.console, s.mfa = true, true
			s.ip, s.ua = ip, p.browserUA
			w.finishSession(s, ac, w.mgmt, mixConsoleEngineer, n, 0.8)
			out.add(s)
			out.emit(st*1000+int64(r.intn(900)), login, lookupOp("signin:ConsoleLogin"), w.usEast1, w.mgmt, r.next(), &extra{login: &loginSpec{mfa: true}, target: s})
		} else {
			dur := int64(r.between(5, 40) * 60)
			s := w.userSession(r, ac, ac.user, st, dur)
			s.ip, s.ua = ip, p.cliUA
			w.finishSession(s, ac, w.mgmt, mixCLIDeveloper, n, 0.8)
			out.add(s)
		}

	case akCIUser:
		runs := 0
		if !weekend {
			runs = r.poisson(14)
		} else {
			runs = r.poisson(1)
		}
		total := runs + len(ac.targets)
		caller := w.userSession(r, ac, ac.user, ds, 86400)
		caller.ip = ac.ips[0]
		caller.ua = ac.uas[0]
		caller.render()
		home := ac.acct.home
		tw := make([]float64, len(ac.targets))
		for i, a := range ac.targets {
			tw[i] = 1
			switch a.env() {
			case "prod", "dev":
				tw[i] = 3
			case "staging":
				tw[i] = 2
			}
		}
		tcum := cumulative(tw)
		for i := 0; i < total; i++ {
			var target *account
			var st int64
			if i < runs {
				target = ac.targets[weighted(r, tcum)]
				st = ds + int64((7+r.float()*12)*3600)
			} else {
				target = ac.targets[i-runs]
				st = ds + 2*3600 + int64((i-runs)*180+r.intn(60))
			}
			dur := int64(r.between(3, 12) * 60)
			runNo := 48000 + day*40 + i
			rl := target.roleByNm["TerraformDeployRole"]
			s := w.roleSession(r, ac, rl, "ci-deploy-"+strconv.Itoa(runNo), st, dur)
			s.ip = ac.ips[r.intn(len(ac.ips))]
			s.ua = ac.uas[0]
			w.finishSession(s, ac, target, ac.mixSpec, ac.weight*r.lognormal(0, 0.6)/float64(total), 1/float64(len(target.regions)))
			out.add(s)
			c := *caller
			c.ip = s.ip
			out.emit(st*1000-2000-int64(r.intn(3000)), &c, lookupOp("sts:GetCallerIdentity"), home, ac.acct, r.next(), nil)
			w.assume(out, r, st*1000, &c, s, home, nil)
		}

	case akOIDC:
		runs := r.poisson(4)
		if weekend {
			runs = r.poisson(0.3)
		}
		prov := "arn:aws:iam::" + ac.acct.ID + ":oidc-provider/token.actions.githubusercontent.com"
		for i := 0; i < runs; i++ {
			st := ds + int64((8+r.float()*10)*3600)
			dur := int64(r.between(2, 6) * 60)
			ip := ac.ips[r.intn(len(ac.ips))]
			repo := pick(r, []string{"checkout-service", "catalog-service", "notifications", "web-frontend"})
			subject := "repo:" + w.company + "/" + repo + ":ref:refs/heads/main"
			caller := &session{kind: idWebIdentityUser, webProv: prov, name: subject, acct: ac.acct, ip: ip, ua: uaGHActions}
			caller.render()
			s := w.roleSession(r, ac, ac.role, "GitHubActions", st, dur)
			s.webProv = prov
			s.ip, s.ua = ip, uaCIRunner
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight*r.lognormal(0, 0.5)/4, 0.9)
			out.add(s)
			out.emit(st*1000, caller, lookupOp("sts:AssumeRoleWithWebIdentity"), ac.acct.home, ac.acct, r.next(),
				&extra{target: s, reqID: r.uuid(), subject: subject})
		}

	case akInstance:
		in := ac.inst
		for b := int64(0); b < 4; b++ {
			st := ds + in.offset + b*6*3600
			s := w.instanceSession(ac, st)
			s.n = ac.weight * 0.25 * diurnal(float64((st+3*3600)%86400)/3600) * machine * r.lognormal(0, 0.15)
			out.add(s)
			w.assume(out, r, st*1000-int64(r.intn(20000)), w.serviceCaller("ec2.amazonaws.com"), s, in.reg, nil)
		}

	case akLambda:
		off := int64(hashString(ac.fn)%(3*3600)) - 3*3600
		for b := int64(0); b < 9; b++ {
			st := ds + off + b*3*3600
			if st < ds {
				continue
			}
			s := w.roleSession(r, ac, ac.role, ac.fn, st, 3*3600)
			s.ip, s.ua = ac.ips[0], ac.uas[0]
			n := ac.weight * 0.125 * diurnal(float64((st+5400)%86400)/3600) * machine * r.lognormal(0, 0.2)
			w.finishSession(s, ac, ac.acct, ac.mixSpec, n, 1)
			s.setRegions([]*region{ac.reg}, 1)
			out.add(s)
			w.assume(out, r, st*1000, w.serviceCaller("lambda.amazonaws.com"), s, ac.reg, nil)
		}

	case akConfig:
		names := []string{"AWSConfig-Describe", "EC2DescribeHandlerSession", "S3DescribeHandlerSession"}
		caller := w.serviceCaller(ac.svcPrin)
		for b := int64(0); b < 24; b++ {
			st := ds + b*3600 + int64(r.intn(300))
			s := w.roleSession(r, ac, ac.role, names[b%3], st, 3600)
			s.invoked = ac.svcPrin
			s.ip, s.ua, s.svcCall = ac.svcPrin, ac.svcPrin, true
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight/24*r.lognormal(0, 0.25), 1/float64(len(ac.acct.regions)))
			out.add(s)
			w.assume(out, r, st*1000, caller, s, ac.acct.home, nil)
		}

	case akService:
		for b := int64(0); b < 24; b++ {
			st := ds + b*3600
			var s *session
			if ac.role != nil {
				s = w.roleSession(r, ac, ac.role, serviceSessionName(ac.svcPrin), st, 3600)
				s.invoked = ac.svcPrin
			} else {
				s = &session{seed: r.next(), kind: idAWSService, actor: ac, acct: ac.acct, invoked: ac.svcPrin,
					start: st * 1000, end: (st + 3600) * 1000, created: st}
			}
			s.ip, s.ua, s.svcCall = ac.svcPrin, ac.svcPrin, true
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight/24*diurnal(float64(b)+0.5)*machine, 1/float64(len(ac.acct.regions)))
			out.add(s)
		}

	case akVendor:
		caller := &session{kind: idAWSAccount, name: w.vendorRoleID + ":" + "datadog-aws-integration", invoked: w.vendorAcct, acct: nil}
		caller.render()
		ext := strconv.FormatUint(hashString(ac.acct.ID+"datadog")%1e16, 16)
		for b := int64(0); b < 24; b++ {
			st := ds + b*3600 + int64(r.intn(600))
			s := w.roleSession(r, ac, ac.role, "DatadogAWSIntegration", st, 3600)
			ip := ac.ips[int(b)%len(ac.ips)]
			s.ip, s.ua = ip, ac.uas[0]
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight/24*r.lognormal(0, 0.2)*diurnal(float64(b)+0.5), 1/float64(len(ac.acct.regions)))
			out.add(s)
			c := *caller
			c.ip, c.ua = ip, ac.uas[0]
			w.assume(out, r, st*1000, &c, s, w.usEast1, &extra{extID: ext})
		}

	case akScanner:
		for run := int64(0); run < 6; run++ {
			st := ds + run*4*3600 + 1800 + int64(r.intn(120))
			base := w.roleSession(r, ac, ac.role, ac.fn, st, 1800)
			base.ip, base.ua = ac.ips[0], ac.uas[0]
			base.render()
			w.assume(out, r, st*1000, w.serviceCaller("lambda.amazonaws.com"), base, ac.reg, nil)
			per := ac.weight / 6 / float64(len(ac.targets))
			for i, a := range ac.targets {
				t := st + 5 + int64(i)*20 + int64(r.intn(10))
				rl := a.roleByNm["SecurityAuditRole"]
				s := w.roleSession(r, ac, rl, "security-posture-scanner", t, int64(r.between(6, 18)*60))
				s.ip, s.ua = ac.ips[0], ac.uas[0]
				w.finishSession(s, ac, a, ac.mixSpec, per*r.lognormal(0, 0.3), 1/float64(len(a.regions)))
				out.add(s)
				w.assume(out, r, t*1000, base, s, ac.reg, nil)
			}
		}

	case akRoot:
		for _, rlog := range w.rootLogins {
			if rlog.t < ds || rlog.t >= ds+86400 {
				continue
			}
			rr := newRNG(w.seed, 0x2007, uint64(rlog.t))
			login := &session{seed: rr.next(), kind: idRoot, acct: w.mgmt, ip: rlog.ip, ua: ac.uas[0]}
			login.render()
			s := &session{seed: rr.next(), kind: idRoot, actor: ac, acct: w.mgmt, key: rlog.key,
				console: true, mfa: true, created: rlog.t, start: rlog.t * 1000, end: (rlog.t + int64(rr.between(8, 30))*60) * 1000,
				ip: rlog.ip, ua: ac.uas[0]}
			w.finishSession(s, ac, w.mgmt, ac.mixSpec, ac.weight*rr.lognormal(0, 0.3), 1)
			out.add(s)
			out.emit(rlog.t*1000, login, lookupOp("signin:ConsoleLogin"), w.usEast1, w.mgmt, rr.next(),
				&extra{login: &loginSpec{mfa: true}, target: s})
		}

	case akFederated:
		if weekend {
			return
		}
		caller := w.userSession(r, ac, ac.user, ds, 86400)
		caller.ip, caller.ua = ac.ips[0], ac.uas[0]
		caller.render()
		for h := 13; h < 23; h++ {
			if !r.chance(0.7) {
				continue
			}
			st := ds + int64(h)*3600 + int64(r.intn(3000))
			p := w.people[r.intn(len(w.people))]
			name := roleSessionName("portal-" + p.Username)
			if len(name) > 32 {
				name = name[:32]
			}
			s := newKeySession(r, idFederatedUser)
			s.actor, s.user, s.acct, s.name = ac, ac.user, ac.acct, name
			s.created, s.start, s.end = st, st*1000, (st+int64(r.between(5, 20))*60)*1000
			s.ip, s.ua = ac.ips[0], ac.uas[0]
			s.fail, s.throttle = ac.fail, ac.throttle
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight/7*r.lognormal(0, 0.5), 1)
			out.add(s)
			out.emit(st*1000, caller, lookupOp("sts:GetFederationToken"), ac.acct.home, ac.acct, r.next(),
				&extra{target: s, reqID: r.uuid()})
		}

	case akBackup:
		st := ds + 3600 + int64(r.intn(600))
		s := w.userSession(r, ac, ac.user, st, 2*3600)
		s.ip, s.ua = ac.ips[r.intn(len(ac.ips))], ac.uas[0]
		w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight*r.lognormal(0, 0.2), 1)
		out.add(s)

	case akKeyUser:
		k := r.between(2, 6)
		if weekend {
			k = r.intn(2)
		}
		if ac.name == "terraform-bootstrap" {
			k = 0
			if r.chance(0.15) {
				k = 1
			}
		}
		for i := 0; i < k; i++ {
			st := ds + int64((6+r.float()*14)*3600)
			s := w.userSession(r, ac, ac.user, st, int64(r.between(10, 60)*60))
			s.ip, s.ua = ac.ips[r.intn(len(ac.ips))], ac.uas[0]
			w.finishSession(s, ac, ac.acct, ac.mixSpec, ac.weight/3.5*r.lognormal(0, 0.5), 0.85)
			out.add(s)
		}
	}
}

// personDay plans a person's working day: one to four sessions inside
// their working hours, on weekdays, through Identity Center.
func (w *world) personDay(ac *actor, day int, r *rng, out *dayOut) {
	p := ac.person
	ds := w.dayStart(day)
	shift := p.startHour - float64(p.office.UTCOff)
	localDay := int64(day)
	if shift < 0 {
		shift += 24
		localDay++
	} else if shift >= 24 {
		shift -= 24
		localDay--
	}
	dow := weekday(w.start/86400 + localDay)
	weekend := dow == 0 || dow == 6
	if weekend && !r.chance(0.05) || !weekend && !r.chance(0.95) {
		return
	}
	t0 := ds + int64(shift*3600)
	hours := p.hours
	nDay := ac.weight * r.lognormal(-0.06, 0.35)
	if weekend {
		hours, nDay = 2, nDay*0.15
	}
	ip := ac.ips[0]
	if r.chance(0.25) {
		ip = ac.ips[1]
	}
	k := min(1+r.poisson(1.2), 4)
	evening := !weekend && r.chance(0.08) // on call, or finishing something after dinner
	if evening {
		k++
	}
	shares := make([]float64, k)
	total := 0.0
	for i := range shares {
		shares[i] = r.lognormal(0, 0.6)
		total += shares[i]
	}
	specs := personSpecs(p)
	for i := 0; i < k; i++ {
		st := t0 + int64(r.float()*hours*0.8*3600)
		if evening && i == k-1 {
			st = t0 + int64((20.5-p.startHour+r.float()*2)*3600)
		}
		ch := weighted(r, p.channels)
		var dur int64
		var ua string
		switch ch {
		case 0:
			dur = int64(clampF(r.exp(50), 5, 240) * 60)
			ua = p.browserUA
		case 1:
			dur = int64(clampF(r.exp(30), 3, 180) * 60)
			ua = p.cliUA
		case 2:
			dur = int64(clampF(r.exp(40), 10, 120) * 60)
			ua = p.sdkUA
		default:
			dur = int64(r.between(5, 20) * 60)
			ua = p.tfUA
		}
		ent := p.ents[weighted(r, p.entCum)]
		n := nDay * shares[i] / total
		target := ent.acct
		saml := &session{kind: idSAMLUser, name: p.Email, invoked: w.idcNameQual, ip: ip, ua: ua}
		saml.render()
		if p.chained && target != w.mgmt && ch <= 1 && r.chance(0.35) {
			// Sign in to the management account, then switch into the
			// target through OrganizationAccountAccessRole.
			base := w.roleSession(r, ac, w.mgmt.ssoRoles["AdministratorAccess"], p.Email, st, dur)
			base.ip, base.ua, base.console = ip, ua, ch == 0
			w.finishSession(base, ac, w.mgmt, specs[ch], n*0.05, 0.8)
			saml.acct = w.mgmt
			out.add(base)
			w.samlOpen(out, r, st, saml, base)
			rl := target.roleByNm["OrganizationAccountAccessRole"]
			if rl == nil {
				continue
			}
			t2 := st + int64(r.between(20, 120))
			s := w.roleSession(r, ac, rl, p.Username, t2, dur)
			s.ip, s.ua, s.console = ip, ua, ch == 0
			w.finishSession(s, ac, target, specs[ch], n*0.95, 0.75)
			out.add(s)
			w.assume(out, r, t2*1000, base, s, w.usEast1, nil)
			continue
		}
		rl := target.ssoRoles[ent.permSet]
		s := w.roleSession(r, ac, rl, p.Email, st, dur)
		s.ip, s.ua, s.console = ip, ua, ch == 0
		w.finishSession(s, ac, target, specs[ch], n, 0.75)
		out.add(s)
		saml.acct = target
		w.samlOpen(out, r, st, saml, s)
		if ch >= 1 && (target.kind == "dev" || target.kind == "sandbox") && ent.permSet != "ReadOnlyAccess" && r.chance(0.2) {
			w.scratchBucket(out, r, s, st, dur)
		}
	}
}

// scratchBucket has an engineer create a bucket for an experiment, use it
// and delete it before the session ends.
func (w *world) scratchBucket(out *dayOut, r *rng, s *session, st, dur int64) {
	reg := s.regions[weighted(r, s.regCum)]
	b := &bucket{Name: w.company + "-" + strings.ReplaceAll(strings.Split(s.name, "@")[0], ".", "-") + "-scratch-" + r.hexString(6),
		acct: s.acct, reg: reg, purpose: "scratch"}
	t := st*1000 + int64(r.intn(int(dur*1000/3)))
	end := st*1000 + dur*1000 - 30000
	out.emit(t, s, lookupOp("s3:CreateBucket"), reg, s.acct, r.next(), &extra{bkt: b})
	for i := 0; i < r.between(2, 12); i++ {
		t += int64(r.between(2000, 60000))
		if t >= end {
			break
		}
		out.emit(t, s, lookupOp("s3:PutObject"), reg, s.acct, r.next(), &extra{bkt: b})
	}
	for i := 0; i < r.between(1, 6); i++ {
		t += int64(r.between(2000, 60000))
		if t >= end {
			break
		}
		out.emit(t, s, lookupOp("s3:ListObjects"), reg, s.acct, r.next(), &extra{bkt: b})
	}
	t += int64(r.between(30000, 300000))
	out.emit(min(t, end), s, lookupOp("s3:DeleteObject"), reg, s.acct, r.next(), &extra{bkt: b})
	out.emit(min(t, end)+int64(r.between(1000, 8000)), s, lookupOp("s3:DeleteBucket"), reg, s.acct, r.next(), &extra{bkt: b})
}

// samlOpen emits the Identity Center federation of s: AssumeRoleWithSAML,
// and a ConsoleLogin for console sessions.
func (w *world) samlOpen(out *dayOut, r *rng, st int64, saml, s *session) {
	out.emit(st*1000+int64(r.intn(800)), saml, lookupOp("sts:AssumeRoleWithSAML"), w.idcRegion, s.acct, r.next(),
		&extra{target: s, reqID: r.uuid()})
	if s.console {
		out.emit(st*1000+1000+int64(r.intn(2500)), s, lookupOp("signin:ConsoleLogin"), w.usEast1, s.acct, r.next(),
			&extra{login: &loginSpec{}, target: s})
	}
}

// instanceSession returns the session of an instance's role credentials
// issued at st. It is a pure function of the instance and st, so scenarios
// can find the exact credentials an instance held at any time.
func (w *world) instanceSession(ac *actor, st int64) *session {
	in := ac.inst
	r := newRNG(w.seed, 0x1257, hashString(in.ID), uint64(st))
	s := w.roleSession(&r, ac, in.role, in.ID, st, 6*3600)
	s.ip, s.ua = in.egressIP, ac.uas[0]
	w.finishSession(s, ac, in.acct, ac.mixSpec, 0, 1)
	s.setRegions([]*region{in.reg}, 1)
	return s
}

// instanceBlockStart returns when the credentials an instance holds at sec
// were issued.
func (w *world) instanceBlockStart(in *instance, sec int64) int64 {
	base := w.start + in.offset
	k := (sec - base) / (6 * 3600)
	if sec < base {
		k--
	}
	return base + k*6*3600
}

// finishSession sets the account-specific parts of s and renders it.
func (w *world) finishSession(s *session, ac *actor, a *account, spec string, n float64, home float64) {
	s.acct = a
	s.n = n
	if ac != nil {
		s.mix = ac.mix(a, spec)
		if s.buckets == nil {
			s.buckets = ac.buckets
		}
		if len(ac.uas) > 1 && ac.kind == akInstance {
			s.altUA = ac.uas[1:]
		}
	}
	if len(s.buckets) == 0 || (ac != nil && ac.acct != a) {
		s.buckets = a.buckets
	}
	if s.regions == nil {
		regs := a.regions
		if ac != nil && ac.reg != nil {
			regs = []*region{ac.reg}
		}
		s.setRegions(regs, home)
	}
	s.render()
}

func clampF(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func serviceSessionName(svc string) string {
	switch svc {
	case "guardduty.amazonaws.com":
		return "AmazonGuardDuty"
	case "autoscaling.amazonaws.com":
		return "AutoScaling"
	}
	return "AWSService"
}

// rootLogin is a planned sign-in of the management account's root user.
type rootLogin struct {
	t   int64
	ip  string
	key string // the console session's temporary access key
}
