package synth

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// scenarioDef is an attack the generator can stage.
type scenarioDef struct {
	name       string
	title      string
	dur        time.Duration // how long it needs, for placement
	tactics    []Tactic
	techniques []Technique
	build      func(w *world, sr *scenarioRun, r *rng)
}

// scenarioRun is a staged instance of a scenario.
type scenarioRun struct {
	def      *scenarioDef
	at       int64 // Unix seconds
	start    int64
	end      int64
	acct     *account
	desc     string
	entities []trailhound.EntityRef
	findings []*finding
}

func (sr *scenarioRun) add(ns trailhound.Namespace, id string) {
	ref := trailhound.EntityRef{Type: ns, ID: id}
	if !slices.Contains(sr.entities, ref) {
		sr.entities = append(sr.entities, ref)
	}
}

// extend widens the scenario's window to include sec.
func (sr *scenarioRun) extend(sec int64) {
	if sr.start == 0 || sec < sr.start {
		sr.start = sec
	}
	if sec+1 > sr.end {
		sr.end = sec + 1
	}
}

var (
	taInitialAccess = Tactic{"TA0001", "Initial Access"}
	taExecution     = Tactic{"TA0002", "Execution"}
	taPersistence   = Tactic{"TA0003", "Persistence"}
	taPrivEsc       = Tactic{"TA0004", "Privilege Escalation"}
	taDefEvasion    = Tactic{"TA0005", "Defense Evasion"}
	taCredAccess    = Tactic{"TA0006", "Credential Access"}
	taDiscovery     = Tactic{"TA0007", "Discovery"}
	taLateral       = Tactic{"TA0008", "Lateral Movement"}
	taCollection    = Tactic{"TA0009", "Collection"}
	taExfiltration  = Tactic{"TA0010", "Exfiltration"}
	taImpact        = Tactic{"TA0040", "Impact"}
)

var (
	tValidCloudAccounts = Technique{"T1078.004", "Valid Accounts: Cloud Accounts"}
	tCloudInfraDisc     = Technique{"T1580", "Cloud Infrastructure Discovery"}
	tCloudAcctDisc      = Technique{"T1087.004", "Account Discovery: Cloud Account"}
	tCloudServiceDisc   = Technique{"T1526", "Cloud Service Discovery"}
	tAddCloudCreds      = Technique{"T1098.001", "Account Manipulation: Additional Cloud Credentials"}
	tAddCloudRoles      = Technique{"T1098.003", "Account Manipulation: Additional Cloud Roles"}
	tCreateCloudAcct    = Technique{"T1136.003", "Create Account: Cloud Account"}
	tResourceHijack     = Technique{"T1496", "Resource Hijacking"}
	tUnusedRegions      = Technique{"T1535", "Unused/Unsupported Cloud Regions"}
	tCreateInstance     = Technique{"T1578.002", "Modify Cloud Compute Infrastructure: Create Cloud Instance"}
	tPasswordGuessing   = Technique{"T1110.001", "Brute Force: Password Guessing"}
	tExternalRemote     = Technique{"T1133", "External Remote Services"}
	tSSH                = Technique{"T1021.004", "Remote Services: SSH"}
	tCloudStorage       = Technique{"T1530", "Data from Cloud Storage"}
	tExfilWeb           = Technique{"T1567", "Exfiltration Over Web Service"}
	tMultiHopProxy      = Technique{"T1090.003", "Proxy: Multi-hop Proxy"}
	tIMDS               = Technique{"T1552.005", "Unsecured Credentials: Cloud Instance Metadata API"}
	tExploitPublic      = Technique{"T1190", "Exploit Public-Facing Application"}
	tDisableCloudLogs   = Technique{"T1562.008", "Impair Defenses: Disable or Modify Cloud Logs"}
	tTempElevated       = Technique{"T1548.005", "Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access"}
	tCloudSecrets       = Technique{"T1555.006", "Credentials from Password Stores: Cloud Secrets Management Stores"}
)

var scenarioDefs = []*scenarioDef{
	{name: "compromised-access-key", title: "Leaked IAM user access key used from a new country for reconnaissance", dur: 2 * time.Hour,
		tactics:    []Tactic{taInitialAccess, taDiscovery},
		techniques: []Technique{tValidCloudAccounts, tCloudInfraDisc, tCloudAcctDisc, tCloudServiceDisc},
		build:      buildCompromisedKey},
	{name: "privilege-escalation", title: "IAM privilege escalation: keys for another user, AdministratorAccess, new console password", dur: 2 * time.Hour,
		tactics:    []Tactic{taPrivEsc, taPersistence, taInitialAccess},
		techniques: []Technique{tAddCloudCreds, tAddCloudRoles, tCreateCloudAcct, tValidCloudAccounts},
		build:      buildPrivEsc},
	{name: "crypto-mining", title: "Crypto-mining instances launched in unused regions", dur: 7 * time.Hour,
		tactics:    []Tactic{taImpact, taDefEvasion, taExecution},
		techniques: []Technique{tResourceHijack, tUnusedRegions, tCreateInstance, tValidCloudAccounts},
		build:      buildCryptoMining},
	{name: "ssh-brute-force", title: "SSH brute force against a bastion, then a successful login", dur: 3 * time.Hour,
		tactics:    []Tactic{taCredAccess, taInitialAccess, taLateral},
		techniques: []Technique{tPasswordGuessing, tExternalRemote, tSSH},
		build:      buildSSHBruteForce},
	{name: "s3-exfiltration", title: "Bulk download of customer data from S3 to a new address", dur: 2 * time.Hour,
		tactics:    []Tactic{taCollection, taExfiltration, taDiscovery},
		techniques: []Technique{tCloudStorage, tExfilWeb, tValidCloudAccounts},
		build:      buildS3Exfiltration},
	{name: "console-login-tor", title: "Console sign-in without MFA from Tor exit nodes", dur: 90 * time.Minute,
		tactics:    []Tactic{taInitialAccess, taDefEvasion, taDiscovery},
		techniques: []Technique{tValidCloudAccounts, tMultiHopProxy, tCloudInfraDisc},
		build:      buildConsoleTor},
	{name: "instance-credential-exfiltration", title: "EC2 instance role credentials stolen and used outside AWS", dur: 2 * time.Hour,
		tactics:    []Tactic{taInitialAccess, taCredAccess, taDiscovery, taCollection},
		techniques: []Technique{tExploitPublic, tIMDS, tCloudServiceDisc, tCloudSecrets},
		build:      buildInstanceCredExfil},
	{name: "cloudtrail-tampering", title: "CloudTrail logging stopped and a trail deleted", dur: time.Hour,
		tactics:    []Tactic{taDefEvasion},
		techniques: []Technique{tDisableCloudLogs, tValidCloudAccounts},
		build:      buildCloudTrailTampering},
	{name: "cross-account-lateral-movement", title: "Lateral movement through a chain of cross-account roles", dur: 2 * time.Hour,
		tactics:    []Tactic{taLateral, taPrivEsc, taCredAccess, taDiscovery},
		techniques: []Technique{tValidCloudAccounts, tTempElevated, tCloudSecrets, tCloudAcctDisc},
		build:      buildLateralMovement},
}

func scenarioByName(name string) *scenarioDef {
	for _, d := range scenarioDefs {
		if d.name == name {
			return d
		}
	}
	return nil
}

// placeScenarios stages the configured scenarios. Scenarios without a time
// are spread over the last third of the span, each in its own slot.
func (w *world) placeScenarios() {
	w.scenarioOut = &dayOut{}
	span := w.end - w.start
	third := w.start + span*2/3
	var auto []Scenario
	for _, s := range w.cfg.Scenarios {
		if s.At.IsZero() {
			auto = append(auto, s)
		}
	}
	slot := (w.end - third) / int64(max(1, len(auto)))
	ai := 0
	for _, s := range w.cfg.Scenarios {
		d := scenarioByName(s.Name)
		r := newRNG(w.seed, 0x5ce0, hashString(d.name))
		sr := &scenarioRun{def: d}
		if s.At.IsZero() {
			lo := third + int64(ai)*slot
			room := slot - int64(d.dur/time.Second) - 600
			at := lo + 300
			if room > 0 {
				at += int64(r.intn(int(min(room, 1<<31-1))))
			}
			if last := w.end - int64(d.dur/time.Second) - 300; at > last {
				at = max(w.start, last)
			}
			sr.at = at
			ai++
		} else {
			sr.at = s.At.Unix()
		}
		d.build(w, sr, &r)
		sr.start = max(sr.start, w.start)
		sr.end = min(sr.end, w.end)
		w.scenarios = append(w.scenarios, sr)
	}
}

// script emits an attacker's calls one after another.
type script struct {
	w  *world
	sr *scenarioRun
	r  *rng
	t  int64 // Unix milliseconds of the next call
}

func (w *world) newScript(sr *scenarioRun, r *rng) *script {
	return &script{w: w, sr: sr, r: r, t: sr.at * 1000}
}

func (sc *script) wait(minMs, maxMs int) { sc.t += int64(sc.r.between(minMs, maxMs)) }

// call emits one call by s at the current time and advances the clock.
func (sc *script) call(s *session, name string, reg *region, x *extra) {
	op := lookupOp(name)
	if x == nil {
		x = &extra{}
	}
	x.scen = sc.sr
	rnd := sc.r.next()
	if reg == nil {
		switch {
		case op.svc.global:
			reg = sc.w.usEast1
		case op.svc == svcS3 && op.needs&needBucket != 0:
			if x.bkt == nil {
				x.bkt = s.bucketFor(rnd)
			}
			reg = x.bkt.reg
		case op.svc == svcS3:
			reg = sc.w.usEast1
		default:
			reg = s.acct.home
		}
	}
	acct := s.acct
	if x.acct != nil {
		acct = x.acct
	}
	sc.w.scenarioOut.emit(sc.t, s, op, reg, acct, rnd, x)
	sc.sr.extend(sc.t / 1000)
	sc.wait(400, 2500)
}

// denied emits a call that fails with the service's access denied error.
func (sc *script) denied(s *session, name string, reg *region) {
	code, msg := deniedError(lookupOp(name), s.arn)
	sc.call(s, name, reg, &extra{errCode: code, errMsg: msg})
}

// recon emits n discovery calls across services and regions, failing at
// the given rate.
func (sc *script) recon(s *session, n int, fail float64, regions []*region, ops []string) {
	for i := 0; i < n; i++ {
		name := ops[sc.r.intn(len(ops))]
		op := lookupOp(name)
		var reg *region
		if !op.svc.global && op.svc != svcS3 {
			reg = regions[sc.r.intn(len(regions))]
		}
		if sc.r.chance(fail) {
			sc.denied(s, name, reg)
		} else {
			sc.call(s, name, reg, nil)
		}
		sc.t -= int64(sc.r.between(0, 1800)) // bursts: calls overlap
		if sc.t < sc.sr.at*1000 {
			sc.t = sc.sr.at * 1000
		}
	}
}

// attacker returns a session that uses an IAM user's access key from h.
func (w *world) attackerUser(sr *scenarioRun, u *iamUser, key string, h host, ua string, at int64) *session {
	s := &session{seed: hashString(sr.def.name + key), kind: idIAMUser, user: u, acct: u.acct, key: key,
		ip: h.IP, ua: ua, created: at, start: at * 1000, end: at * 1000, scen: sr, buckets: u.acct.buckets}
	s.render()
	return s
}

func slotsOf(kv ...any) []slotVal {
	var out []slotVal
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, slotVal{kv[i].(slot), kv[i+1].(string)})
	}
	return out
}

// sweepRegions returns every region, used or not, the way reconnaissance
// tools sweep them all.
func (w *world) sweepRegions() []*region { return w.allRegs }

// preferUser finds a user by name in the first account that has one.
func (w *world) preferUser(names ...string) *iamUser {
	for _, n := range names {
		for _, a := range w.accounts {
			if u := a.user(n); u != nil && len(u.keys) > 0 {
				return u
			}
		}
	}
	return nil
}

var reconOps = []string{
	"iam:ListUsers", "iam:ListRoles", "iam:ListPolicies", "iam:ListGroups", "iam:GetAccountAuthorizationDetails",
	"iam:ListAccessKeys", "iam:GetAccountSummary", "iam:ListAttachedUserPolicies", "iam:ListAccountAliases",
	"ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeSnapshots", "ec2:DescribeVolumes",
	"ec2:DescribeKeyPairs", "ec2:DescribeImages", "ec2:DescribeRegions", "s3:ListBuckets", "lambda:ListFunctions20150331",
	"secretsmanager:ListSecrets", "ssm:DescribeParameters", "rds:DescribeDBInstances", "kms:ListKeys", "dynamodb:ListTables",
	"cloudtrail:DescribeTrails", "guardduty:ListDetectors", "organizations:DescribeOrganization", "organizations:ListAccounts",
	"sns:ListTopics", "sqs:ListQueues", "ecr:DescribeRepositories", "eks:ListClusters", "logs:DescribeLogGroups",
	"cloudformation:ListStacks", "route53:ListHostedZones", "ecs:DescribeClusters",
}

// keyFinding registers an IAM finding about an access key.
func (w *world) keyFinding(sr *scenarioRun, r *rng, typ string, sev float64, s *session, api, svcName, errCode string,
	h host, times []int64, title, desc string, anomalous []string) *finding {
	userType, userName, principal := "IAMUser", "", ""
	switch s.kind {
	case idIAMUser:
		userName, principal = s.user.Name, s.user.ID
	case idAssumedRole:
		userType, userName, principal = "AssumedRole", s.role.Name, s.assumedRoleID()
	case idRoot:
		userType, userName, principal = "Root", "Root", s.acct.ID
	}
	f := &finding{typ: typ, title: title, desc: desc, acct: s.acct, reg: w.usEast1, severity: sev, feature: "CloudTrail",
		role: "TARGET", scen: sr,
		resource: accessKeyResource(s.key, principal, userType, userName),
		action:   apiCallAction(api, svcName, errCode, s.ua, h)}
	if !svcIsGlobal(svcName) {
		f.reg = s.acct.home
	}
	if anomalous != nil {
		f.addInfo = anomalyInfo(anomalous, userName, userType, h, s.ua)
	}
	w.addFinding(f, r, times, nil)
	w.scenarioFinding(sr, f)
	return f
}

func svcIsGlobal(source string) bool {
	switch source {
	case "iam.amazonaws.com", "signin.amazonaws.com", "organizations.amazonaws.com", "sts.amazonaws.com":
		return true
	}
	return false
}

// scenarioFinding records a finding in the scenario and widens the window
// to its first report.
func (w *world) scenarioFinding(sr *scenarioRun, f *finding) {
	if len(f.versions) == 0 {
		return
	}
	sr.findings = append(sr.findings, f)
	sr.add(trailhound.FindingEntity, f.id)
	sr.extend(f.versions[0].exported)
}

// eventTimes returns the times (Unix seconds) of the scenario's scripted
// calls by session s, optionally only those of the named operations.
func (w *world) eventTimes(s *session, names ...string) []int64 {
	var out []int64
	for _, e := range w.scenarioOut.scripted {
		if e.s != s {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, e.op.svc.prefix+":"+e.op.name) {
			continue
		}
		out = append(out, e.t/1000)
	}
	slices.Sort(out)
	return out
}

// legacyKeyUser is the first early employee's legacy IAM user: the owner
// uses its access key routinely (see actorDay) and the compromised-key
// scenario leaks it.
func (w *world) legacyKeyUser() *iamUser {
	for _, p := range w.people {
		if p.iamUser != nil {
			return p.iamUser
		}
	}
	return nil
}

func buildCompromisedKey(w *world, sr *scenarioRun, r *rng) {
	// The victim: an early employee's IAM user, whose key normally signs
	// CLI calls from the office.
	u := w.legacyKeyUser()
	sr.acct = u.acct
	h := attackerDOSingapore
	ua := "aws-cli/1.29.62 Python/3.8.10 Linux/5.4.0-169-generic botocore/1.31.62"
	s := w.attackerUser(sr, u, u.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	sc.call(s, "sts:GetCallerIdentity", u.acct.home, nil)
	sc.wait(20000, 60000)
	regions := w.sweepRegions()
	for burst := 0; burst < 3; burst++ {
		sc.recon(s, r.between(70, 130), 0.62, regions, reconOps)
		sc.wait(4*60000, 9*60000)
	}
	sc.denied(s, "secretsmanager:GetSecretValue", u.acct.home)
	sc.denied(s, "iam:CreateUser", nil)
	sr.desc = fmt.Sprintf("The long-term access key %s of IAM user %s was used from %s (%s, %s, AS%d) — a country and network the user never "+
		"used — for bursts of reconnaissance across services and all regions, most of it denied.",
		u.keys[0], u.Name, h.IP, h.City, h.Name, h.ASN)
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, u.keys[0])
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	times := w.eventTimes(s)
	w.keyFinding(sr, r, "Discovery:IAMUser/AnomalousBehavior", 2, s, "ListBuckets", "s3.amazonaws.com", "", h, times,
		"Unusual resource discovery APIs were invoked by "+u.Name+".",
		"APIs commonly used in discovery tactics were invoked by user IAMUser : "+u.Name+" under unusual circumstances. Such activity is not typically seen from this user.",
		[]string{"ListBuckets", "DescribeInstances", "ListUsers", "GetAccountAuthorizationDetails", "ListSecrets"})
}

func buildPrivEsc(w *world, sr *scenarioRun, r *rng) {
	var a *account
	var victim *iamUser
	for _, kind := range []string{"dev", "prod", "staging", "data", "management"} {
		if c := w.account(kind); c != nil && len(c.users) >= 3 {
			a = c
			break
		}
	}
	if a == nil {
		a = w.mgmt
	}
	for _, u := range a.users {
		if len(u.keys) > 0 && !u.console {
			victim = u
			break
		}
	}
	var targets []*iamUser
	for _, u := range a.users {
		if u != victim {
			targets = append(targets, u)
		}
	}
	for len(targets) < 2 {
		targets = append(targets, w.addUser(a, &idGen{r: newRNG(r.next())}, fmt.Sprintf("ops-automation-%d", len(targets)+1), 0, false, false))
	}
	sr.acct = a
	h := attackerIPVolume
	ua := "aws-cli/2.13.25 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off command/iam.create-access-key"
	s := w.attackerUser(sr, victim, victim.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	sc.call(s, "sts:GetCallerIdentity", a.home, nil)
	sc.call(s, "iam:GetUser", nil, &extra{slots: slotsOf(slUser, victim.Name)})
	sc.call(s, "iam:ListAttachedUserPolicies", nil, &extra{slots: slotsOf(slUser, victim.Name)})
	sc.call(s, "iam:ListUsers", nil, nil)
	sc.call(s, "iam:ListRoles", nil, nil)
	sc.call(s, "iam:ListAttachedUserPolicies", nil, &extra{slots: slotsOf(slUser, targets[0].Name)})
	sc.wait(60000, 180000)
	newKey := "AKIA" + r.chars(base32Set, 16)
	sc.call(s, "iam:CreateAccessKey", nil, &extra{slots: slotsOf(slTargetUser, targets[0].Name, slNewKey, newKey)})
	sc.wait(20000, 90000)
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	sc.call(s, "iam:AttachUserPolicy", nil, &extra{slots: slotsOf(slTargetUser, victim.Name, slPolicyArn, admin)})
	sc.wait(20000, 90000)
	sc.call(s, "iam:CreateLoginProfile", nil, &extra{slots: slotsOf(slTargetUser, targets[1].Name)})
	sc.wait(2*60000, 4*60000)

	// The stolen identity of the first target, through its new key.
	t0 := targets[0]
	t0.keys = append(t0.keys, newKey)
	s2 := w.attackerUser(sr, t0, newKey, h, ua, sc.t/1000)
	sc.call(s2, "sts:GetCallerIdentity", a.home, nil)
	sc.call(s2, "iam:ListUsers", nil, nil)
	sc.call(s2, "s3:ListBuckets", nil, nil)
	sc.call(s2, "ec2:DescribeInstances", a.home, nil)
	backdoor := "aws-support-sync"
	backdoorID := "AIDA" + r.chars(base32Set, 17)
	sc.call(s2, "iam:CreateUser", nil, &extra{slots: slotsOf(slTargetUser, backdoor, slNewUserID, backdoorID)})
	bdKey := "AKIA" + r.chars(base32Set, 16)
	sc.call(s2, "iam:CreateAccessKey", nil, &extra{slots: slotsOf(slTargetUser, backdoor, slNewKey, bdKey)})
	sc.call(s2, "iam:AttachUserPolicy", nil, &extra{slots: slotsOf(slTargetUser, backdoor, slPolicyArn, admin)})
	sc.wait(3*60000, 6*60000)

	// A console sign-in without MFA with the password set above.
	t1 := targets[1]
	login := &session{kind: idIAMUser, user: t1, acct: a, ip: h.IP, ua: "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", scen: sr}
	login.render()
	cons := &session{seed: r.next(), kind: idIAMUser, user: t1, acct: a, key: "ASIA" + r.chars(base32Set, 16), console: true,
		ip: h.IP, ua: login.ua, created: sc.t / 1000, scen: sr, buckets: a.buckets}
	cons.render()
	sc.call(login, "signin:ConsoleLogin", w.usEast1, &extra{login: &loginSpec{}, target: cons})
	for _, n := range []string{"iam:GetAccountSummary", "iam:ListUsers", "ec2:DescribeInstances", "s3:ListBuckets", "iam:ListRoles"} {
		sc.call(cons, n, nil, nil)
		sc.wait(3000, 20000)
	}

	sr.desc = fmt.Sprintf("The access key of %s, which may manage IAM, was used from %s (%s, AS%d) with a Kali Linux CLI to create an access "+
		"key for %s, attach AdministratorAccess to itself, and set a console password for %s. The new key then created a backdoor user "+
		"%s with its own key and administrator rights, and %s signed in to the console without MFA.",
		victim.Name, h.IP, h.Name, h.ASN, t0.Name, t1.Name, backdoor, t1.Name)
	sr.add(trailhound.AwsUser, victim.ID)
	sr.add(trailhound.AccessKey, victim.keys[0])
	sr.add(trailhound.AwsUser, t0.ID)
	sr.add(trailhound.AccessKey, newKey)
	sr.add(trailhound.AwsUser, t1.ID)
	sr.add(trailhound.AccessKey, bdKey)
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	w.keyFinding(sr, r, "PrivilegeEscalation:IAMUser/AnomalousBehavior", 5, s, "AttachUserPolicy", "iam.amazonaws.com", "", h,
		w.eventTimes(s, "iam:AttachUserPolicy", "iam:CreateLoginProfile"),
		"Unusual privilege escalation APIs were invoked by "+victim.Name+".",
		"APIs commonly used in privilege escalation tactics were invoked by user IAMUser : "+victim.Name+" under unusual circumstances.",
		[]string{"AttachUserPolicy", "CreateLoginProfile"})
	w.keyFinding(sr, r, "Persistence:IAMUser/AnomalousBehavior", 5, s, "CreateAccessKey", "iam.amazonaws.com", "", h,
		w.eventTimes(s, "iam:CreateAccessKey"),
		"Unusual persistence APIs were invoked by "+victim.Name+".",
		"APIs commonly used in persistence tactics were invoked by user IAMUser : "+victim.Name+" under unusual circumstances.",
		[]string{"CreateAccessKey"})
	w.keyFinding(sr, r, "PenTest:IAMUser/KaliLinux", 5, s, "ListUsers", "iam.amazonaws.com", "", h, w.eventTimes(s),
		"API ListUsers was invoked from a Kali Linux computer.",
		"API ListUsers was invoked using root credentials from a Kali Linux computer. Kali Linux is a popular penetration testing tool.",
		nil)
}

// newDefaultVPC creates the default network of a region the account never
// used, where hijacked instances land.
func (w *world) newDefaultVPC(a *account, reg *region, g *idGen) *regionRes {
	if rr := a.rrAt(reg); rr != nil {
		return rr
	}
	rr := &regionRes{acct: a, reg: reg, detectorID: g.r.hexString(32), flowLogID: g.hex17("fl-"), scripted: true}
	v := &vpc{id: g.hex17("vpc-"), cidr: parseIPv4("172.31.0.0")}
	for z := range reg.AZs {
		sn := &subnet{id: g.hex17("subnet-"), az: z, public: true, base: v.cidr + uint32(z)<<12, next: 10 + uint32(g.r.intn(200))}
		v.subnets = append(v.subnets, sn)
	}
	rr.vpc = v
	rr.sgs = []string{g.hex17("sg-")}
	rr.amis = []string{g.hex17("ami-")}
	rr.kms = []string{g.r.uuid()}
	a.rr[reg.Name] = rr
	a.rrIdx[reg.idx] = rr
	return rr
}

func buildCryptoMining(w *world, sr *scenarioRun, r *rng) {
	u := w.preferUser("svc-loadtest", "svc-deploy-dev", "svc-etl-legacy", "legacy-smtp-relay", "terraform-bootstrap")
	a := u.acct
	sr.acct = a
	h := attackerVultrTokyo
	ua := "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.15.0-86-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57"
	s := w.attackerUser(sr, u, u.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	g := &idGen{r: newRNG(w.seed, 0xc0de, hashString(a.ID))}
	sc.call(s, "sts:GetCallerIdentity", a.home, nil)
	sc.call(s, "ec2:DescribeRegions", a.home, nil)
	targets := w.unused[:min(3, len(w.unused))]
	types := []string{"c5.24xlarge", "c6i.32xlarge", "m5.24xlarge", "c5a.24xlarge"}
	var launched []*instance
	var launchTimes []int64
	for i, reg := range targets {
		rr := w.newDefaultVPC(a, reg, g)
		sc.call(s, "ec2:DescribeAccountAttributes", reg, nil)
		sc.call(s, "ec2:DescribeImages", reg, &extra{slots: slotsOf(slAMI, rr.amis[0])})
		sc.call(s, "ec2:CreateKeyPair", reg, nil)
		sc.call(s, "ec2:CreateSecurityGroup", reg, &extra{slots: slotsOf(slVPC, rr.vpc.id)})
		sc.call(s, "ec2:AuthorizeSecurityGroupIngress", reg, &extra{slots: slotsOf(slSG, rr.sgs[0])})
		// A GPU type first, refused for the account's vCPU quota.
		sc.call(s, "ec2:RunInstances", reg, &extra{run: &runSpec{typ: "p3.16xlarge", count: 4, rr: rr, ami: rr.amis[0]},
			errCode: "Client.VcpuLimitExceeded", errMsg: "You have requested more vCPU capacity than your current vCPU limit of 64 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit."})
		typ := types[i%len(types)]
		n := 2
		spec := &runSpec{typ: typ, count: n, rr: rr, ami: rr.amis[0]}
		for k := 0; k < n; k++ {
			in := &instance{ID: g.hex17("i-"), Type: typ, tier: "miner", acct: a, reg: reg, rr: rr, ami: rr.amis[0], sg: rr.sgs[0]}
			in.Name = ""
			sn := rr.vpc.subnets[k%len(rr.vpc.subnets)]
			in.eni = w.newENI(rr.vpc, sn, "instance", g)
			in.eni.inst = in
			in.eni.pubIP = reg.publicIP(&g.r)
			in.eni.pubText = ipString(in.eni.pubIP)
			in.egressIP = in.eni.pubText
			in.launch = sc.t / 1000
			rr.instances = append(rr.instances, in)
			spec.instances = append(spec.instances, in)
			launched = append(launched, in)
		}
		sc.call(s, "ec2:RunInstances", reg, &extra{run: spec})
		launchTimes = append(launchTimes, sc.t/1000)
		sc.wait(30000, 120000)
	}
	sc.call(s, "ec2:DescribeInstances", targets[0], nil)

	// Mining: each instance keeps a connection to a pool on a stratum port.
	ports := []int{3333, 4444, 14444}
	domains := []string{"pool.supportxmr.com", "xmr-eu1.nanopool.org", "gulf.moneroocean.stream"}
	end := launchTimes[len(launchTimes)-1] + 5*3600
	for i, in := range launched {
		pool := miningPools[i%len(miningPools)]
		port := ports[i%len(ports)]
		poolIP := parseIPv4(pool.IP)
		start := in.launch + int64(r.between(90, 240))
		var times []int64
		sp := ephemeral(r)
		for t := start; t < end; t += 600 {
			fsc := flowScript{acct: a, rr: in.rr, start: t, scen: sr}
			out := int64(r.between(380, 900))
			fsc.recs = []flowRec{
				{e: in.eni, src: in.eni.privIP, dst: poolIP, sport: sp, dport: port, proto: 6, packets: out, bytes: out * int64(r.between(90, 140)), start: t, end: t + 600, egress: true, path: 8},
				{e: in.eni, src: poolIP, dst: in.eni.privIP, sport: port, dport: sp, proto: 6, packets: out * 2, bytes: out * int64(r.between(150, 260)), start: t, end: t + 600},
			}
			w.flowScripts = append(w.flowScripts, fsc)
			times = append(times, t)
			sr.extend(t)
		}
		eni := in.eni
		fDNS := &finding{typ: "CryptoCurrency:EC2/BitcoinTool.B!DNS", acct: a, reg: in.reg, severity: 8, feature: "DnsLogs", role: "ACTOR", scen: sr,
			title:    "Bitcoin-related domain name queried by EC2 instance " + in.ID + ".",
			desc:     "EC2 instance " + in.ID + " is querying a domain name " + domains[i%len(domains)] + " that is associated with Bitcoin-related activity.",
			resource: instanceResource(in, in.launch), action: dnsAction(domains[i%len(domains)])}
		w.addFinding(fDNS, r, times, nil)
		w.scenarioFinding(sr, fDNS)
		fNet := &finding{typ: "CryptoCurrency:EC2/BitcoinTool.B", acct: a, reg: in.reg, severity: 8, feature: "FlowLogs", role: "ACTOR", scen: sr,
			title:    "EC2 instance " + in.ID + " is communicating with a Bitcoin-related IP address.",
			desc:     "EC2 instance " + in.ID + " is communicating outbound with a Bitcoin-related IP address " + pool.IP + " on port " + fmt.Sprint(port) + ".",
			resource: instanceResource(in, in.launch), action: networkAction("OUTBOUND", eni, sp, pool, port, "Unknown", false)}
		w.addFinding(fNet, r, times, nil)
		w.scenarioFinding(sr, fNet)
		sr.add(trailhound.Ec2Instance, in.ID)
		sr.add(trailhound.IPAddress, pool.IP)
	}
	sr.desc = fmt.Sprintf("The access key of %s was used from %s (%s, AS%d) to create key pairs and open security groups in %d regions the "+
		"organization never uses, then launch %d large instances there (a GPU request was refused for quota). The instances connect to "+
		"Monero mining pools on stratum ports.", u.Name, h.IP, h.Name, h.ASN, len(targets), len(launched))
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, u.keys[0])
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	w.keyFinding(sr, r, "Impact:IAMUser/AnomalousBehavior", 8, s, "RunInstances", "ec2.amazonaws.com", "", h,
		w.eventTimes(s, "ec2:RunInstances"),
		"User "+u.Name+" is anomalously invoking APIs commonly used in impact tactics.",
		"APIs commonly used in impact tactics were invoked by user IAMUser : "+u.Name+" under unusual circumstances. Such activity is not typically seen from this user.",
		[]string{"RunInstances", "CreateKeyPair", "AuthorizeSecurityGroupIngress"})
}

// runSpec describes a RunInstances call.
type runSpec struct {
	typ       string
	count     int
	rr        *regionRes
	ami       string
	instances []*instance
}

func buildSSHBruteForce(w *world, sr *scenarioRun, r *rng) {
	var bastion *instance
	for _, kind := range []string{"prod", "staging", "shared-services"} {
		if a := w.account(kind); a != nil {
			for _, in := range a.allInstances() {
				if in.ssh {
					bastion = in
					break
				}
			}
		}
		if bastion != nil {
			break
		}
	}
	a := bastion.acct
	sr.acct = a
	h := attackerChinanet
	src := parseIPv4(h.IP)
	e := bastion.eni
	t := sr.at
	var times []int64
	// Hundreds of short connections, each a failed password attempt.
	attempts := r.between(450, 800)
	for i := 0; i < attempts; i++ {
		sp := ephemeral(r)
		p := int64(r.between(11, 24))
		fsc := flowScript{acct: a, rr: bastion.rr, start: t, scen: sr}
		fsc.recs = []flowRec{
			{e: e, src: src, dst: e.privIP, sport: sp, dport: 22, proto: 6, packets: p, bytes: p*int64(r.between(80, 130)) + 1200, start: t, end: t + 60, flags: 19, pktDst: e.privIP},
			{e: e, src: e.privIP, dst: src, sport: 22, dport: sp, proto: 6, packets: p - 2, bytes: p*int64(r.between(90, 150)) + 1800, start: t, end: t + 60, flags: 27, egress: true, path: 8},
		}
		w.flowScripts = append(w.flowScripts, fsc)
		times = append(times, t)
		sr.extend(t)
		t += int64(r.between(2, 9))
	}
	// Then the password works: a long interactive session.
	t += int64(r.between(120, 400))
	sp := ephemeral(r)
	for k := 0; k < 5; k++ {
		fsc := flowScript{acct: a, rr: bastion.rr, start: t, scen: sr}
		fsc.recs = []flowRec{
			{e: e, src: src, dst: e.privIP, sport: sp, dport: 22, proto: 6, packets: int64(r.between(300, 900)), bytes: int64(r.between(40000, 120000)), start: t, end: t + 600, flags: 2, pktDst: e.privIP},
			{e: e, src: e.privIP, dst: src, sport: 22, dport: sp, proto: 6, packets: int64(r.between(400, 1200)), bytes: int64(r.between(200000, 2500000)), start: t, end: t + 600, flags: 18, egress: true, path: 8},
		}
		w.flowScripts = append(w.flowScripts, fsc)
		sr.extend(t)
		t += 600
	}
	// From the bastion, SSH into internal hosts.
	var internal []*instance
	for _, in := range bastion.rr.instances {
		if in != bastion {
			internal = append(internal, in)
		}
	}
	for k := 0; k < min(3, len(internal)); k++ {
		in := internal[k]
		sp := ephemeral(r)
		fsc := flowScript{acct: a, rr: bastion.rr, start: t, scen: sr}
		fsc.recs = []flowRec{
			{e: e, src: e.privIP, dst: in.eni.privIP, sport: sp, dport: 22, proto: 6, packets: 40, bytes: 7400, start: t, end: t + 60, flags: 3, egress: true, path: 1},
			{e: in.eni, src: e.privIP, dst: in.eni.privIP, sport: sp, dport: 22, proto: 6, packets: 40, bytes: 7400, start: t, end: t + 60, flags: 3},
			{e: in.eni, src: in.eni.privIP, dst: e.privIP, sport: 22, dport: sp, proto: 6, packets: 36, bytes: 9100, start: t, end: t + 60, flags: 19, egress: true, path: 1, pktDst: e.privIP},
		}
		w.flowScripts = append(w.flowScripts, fsc)
		sr.extend(t)
		t += int64(r.between(30, 120))
	}
	f := &finding{typ: "UnauthorizedAccess:EC2/SSHBruteForce", acct: a, reg: bastion.reg, severity: 2, feature: "FlowLogs", role: "TARGET", scen: sr,
		title:    h.IP + " is performing SSH brute force attacks against " + bastion.ID + ".",
		desc:     h.IP + " is performing SSH brute force attacks against " + bastion.ID + ". Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
		resource: instanceResource(bastion, bastion.launch), action: networkAction("INBOUND", e, 22, h, ephemeral(r), "SSH", false)}
	w.addFinding(f, r, times, nil)
	w.scenarioFinding(sr, f)
	sr.desc = fmt.Sprintf("%s (%s, AS%d) made %d SSH connection attempts in under two hours against bastion %s, whose port 22 is open to "+
		"the internet; then a long interactive session from the same address, and SSH connections from the bastion into internal hosts.",
		h.IP, h.Name, h.ASN, attempts, bastion.ID)
	sr.add(trailhound.Ec2Instance, bastion.ID)
	sr.add(trailhound.IPAddress, h.IP)
}

func buildS3Exfiltration(w *world, sr *scenarioRun, r *rng) {
	u := w.preferUser("svc-analytics-export", "svc-etl-legacy", "backup-sync")
	a := u.acct
	sr.acct = a
	var target *bucket
	for _, b := range a.buckets {
		if b.purpose == "exports" || b.purpose == "lake" {
			target = b
			break
		}
	}
	if target == nil {
		target = a.buckets[0]
	}
	h := attackerLinodeFRA
	ua := "aws-cli/2.13.5 Python/3.11.4 Linux/6.2.0-26-generic exe/x86_64.ubuntu.22 prompt/off command/s3.sync"
	s := w.attackerUser(sr, u, u.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	sc.call(s, "sts:GetCallerIdentity", a.home, nil)
	sc.call(s, "s3:ListBuckets", nil, nil)
	for _, b := range a.buckets {
		sc.call(s, "s3:GetBucketLocation", nil, &extra{bkt: b})
	}
	for i := 0; i < 30; i++ {
		sc.call(s, "s3:ListObjects", nil, &extra{bkt: target})
	}
	n := r.between(1400, 2400)
	var total int64
	for i := 0; i < n; i++ {
		size := int64(r.lognormal(16.5, 0.8)) // tens of megabytes per export part
		total += size
		sc.call(s, "s3:GetObject", nil, &extra{bkt: target, bytes: size})
		sc.t -= int64(r.between(0, 1200)) // several downloads in parallel
	}
	for _, b := range a.buckets {
		if b.purpose == "uploads" || b.purpose == "backups" {
			for i := 0; i < 40; i++ {
				sc.call(s, "s3:GetObject", nil, &extra{bkt: b, bytes: int64(r.lognormal(14, 1))})
				sc.t -= 1500
			}
			sr.add(trailhound.S3Bucket, b.Name)
		}
	}
	sr.desc = fmt.Sprintf("The access key of %s, normally used from the data center, downloaded %d objects (%.1f GB) from %s and other buckets "+
		"to %s (%s, AS%d) within an hour, with a different client.", u.Name, n, float64(total)/1e9, target.Name, h.IP, h.Name, h.ASN)
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, u.keys[0])
	sr.add(trailhound.S3Bucket, target.Name)
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	times := w.eventTimes(s, "s3:GetObject")
	f := &finding{typ: "Exfiltration:S3/AnomalousBehavior", acct: a, reg: target.reg, severity: 8, feature: "S3DataEvents", role: "TARGET", scen: sr,
		title: "Unusual S3 API GetObject was invoked by " + u.Name + ".",
		desc:  "An IAM entity invoked an S3 API in a suspicious way. APIs commonly used in exfiltration tactics were invoked by user IAMUser : " + u.Name + " under unusual circumstances.",
		resource: func(b []byte, _ *findingVersion) []byte {
			b = append(b, `{"resourceType":"S3Bucket",`...)
			b = appendAccessKeyDetails(b, u.keys[0], u.ID, "IAMUser", u.Name)
			b = b[:len(b)-1]
			b = append(b, `,"s3BucketDetails":[{"owner":{"id":"`...)
			b = appendHex(b, hashString(a.ID), 16)
			b = appendHex(b, hashString(a.Name), 16)
			b = appendHex(b, hashString(a.Email), 16)
			b = appendHex(b, hashString(target.Name), 16)
			b = append(b, `"},"createdAt":"`...)
			b = appendRFC3339Milli(b, (w.start-400*86400)*1000)
			b = append(b, `","name":"`...)
			b = append(b, target.Name...)
			b = append(b, `","defaultServerSideEncryption":{"encryptionType":"AES256"},"arn":"arn:aws:s3:::`...)
			b = append(b, target.Name...)
			b = append(b, `","type":"Destination","tags":[],"publicAccess":{"effectivePermission":"NOT_PUBLIC","permissionConfiguration":{"bucketLevelPermissions":{"accessControlList":{"allowsPublicReadAccess":false,"allowsPublicWriteAccess":false},"bucketPolicy":{"allowsPublicReadAccess":false,"allowsPublicWriteAccess":false},"blockPublicAccess":{"ignorePublicAcls":true,"restrictPublicBuckets":true,"blockPublicAcls":true,"blockPublicPolicy":true}},"accountLevelPermissions":{"blockPublicAccess":{"ignorePublicAcls":true,"restrictPublicBuckets":true,"blockPublicAcls":true,"blockPublicPolicy":true}}}}}]}`...)
			return b
		},
		action:  apiCallAction("GetObject", "s3.amazonaws.com", "", ua, h),
		addInfo: anomalyInfo([]string{"GetObject", "ListObjects"}, u.Name, "IAMUser", h, ua)}
	w.addFinding(f, r, times, nil)
	w.scenarioFinding(sr, f)
}

func buildConsoleTor(w *world, sr *scenarioRun, r *rng) {
	var u *iamUser
	for _, p := range w.people {
		if p.iamUser != nil {
			u = p.iamUser // the last one, unlike compromised-access-key
		}
	}
	a := u.acct
	sr.acct = a
	ua := "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"
	sc := w.newScript(sr, r)
	fail := &session{kind: idIAMUser, user: u, acct: a, ip: torExitBerlin.IP, ua: ua, scen: sr}
	fail.render()
	for i := 0; i < 3; i++ {
		sc.call(fail, "signin:ConsoleLogin", w.usEast1, &extra{login: &loginSpec{fail: true}})
		sc.wait(15000, 60000)
	}
	sc.wait(2*60000, 5*60000)
	h := torExitStockholm
	login := &session{kind: idIAMUser, user: u, acct: a, ip: h.IP, ua: ua, scen: sr}
	login.render()
	cons := &session{seed: r.next(), kind: idIAMUser, user: u, acct: a, key: "ASIA" + r.chars(base32Set, 16), console: true,
		mfa: false, ip: h.IP, ua: ua, created: sc.t / 1000, scen: sr, buckets: a.buckets}
	cons.render()
	sc.call(login, "signin:ConsoleLogin", w.usEast1, &extra{login: &loginSpec{}, target: cons})
	sc.wait(5000, 15000)
	ops := []string{"iam:GetAccountSummary", "iam:ListUsers", "iam:ListAccessKeys", "iam:ListRoles", "ec2:DescribeInstances",
		"ec2:DescribeSecurityGroups", "s3:ListBuckets", "s3:ListObjects", "s3:GetObject", "secretsmanager:ListSecrets",
		"organizations:ListAccounts", "organizations:DescribeOrganization", "ce:GetCostAndUsage", "cloudtrail:LookupEvents",
		"guardduty:ListDetectors", "lambda:ListFunctions20150331"}
	regions := a.regions
	for i := 0; i < r.between(45, 80); i++ {
		name := ops[r.intn(len(ops))]
		op := lookupOp(name)
		var reg *region
		if !op.svc.global && op.svc != svcS3 {
			reg = regions[r.intn(len(regions))]
		}
		sc.call(cons, name, reg, nil)
		sc.wait(2000, 40000)
	}
	sr.desc = fmt.Sprintf("Three failed console sign-ins for IAM user %s from Tor exit %s, then a successful one without MFA from Tor exit "+
		"%s, followed by half an hour of console browsing of IAM, EC2, S3, secrets and billing.", u.Name, torExitBerlin.IP, h.IP)
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, cons.key)
	sr.add(trailhound.IPAddress, torExitBerlin.IP)
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	w.keyFinding(sr, r, "UnauthorizedAccess:IAMUser/TorIPCaller", 5, cons, "ConsoleLogin", "signin.amazonaws.com", "", h,
		append([]int64{sr.start}, w.eventTimes(cons)...),
		"API ConsoleLogin was invoked from a Tor exit node.",
		"API ConsoleLogin was invoked from a Tor exit node IP address "+h.IP+".", nil)
}

func buildInstanceCredExfil(w *world, sr *scenarioRun, r *rng) {
	a := w.account("prod")
	var in *instance
	for _, x := range a.allInstances() {
		if x.web && x.rr.vpc != nil && len(x.rr.vpc.albs) > 0 {
			in = x
			break
		}
	}
	sr.acct = a
	var ac *actor
	for _, x := range w.actors {
		if x.inst == in {
			ac = x
		}
	}
	h := attackerContabo
	// Probing the application behind the load balancer for a server-side
	// request forgery that reaches the instance metadata service.
	alb := in.rr.vpc.albs[0]
	src := parseIPv4(h.IP)
	t := max(w.start, sr.at-int64(r.between(900, 1500)))
	for i := 0; i < 40; i++ {
		sp := ephemeral(r)
		fsc := flowScript{acct: a, rr: in.rr, start: t, scen: sr}
		fsc.recs = []flowRec{
			{e: alb, src: src, dst: alb.privIP, sport: sp, dport: 443, proto: 6, packets: 12, bytes: int64(r.between(1800, 4200)), start: t, end: t + 60, flags: 3, pktDst: alb.privIP},
			{e: alb, src: alb.privIP, dst: src, sport: 443, dport: sp, proto: 6, packets: 10, bytes: int64(r.between(2000, 9000)), start: t, end: t + 60, flags: 19, egress: true, path: 8},
			{e: in.eni, src: alb.privIP, dst: in.eni.privIP, sport: ephemeral(r), dport: 8080, proto: 6, packets: 8, bytes: int64(r.between(1500, 3800)), start: t, end: t + 60, flags: 3},
		}
		w.flowScripts = append(w.flowScripts, fsc)
		sr.extend(t)
		t += int64(r.between(10, 40))
	}
	// The credentials the instance held at that moment, used from outside.
	block := w.instanceBlockStart(in, sr.at)
	base := w.instanceSession(ac, block)
	s := *base
	s.ip = h.IP
	s.ua = "aws-cli/1.32.40 Python/3.11.6 Linux/6.1.0-18-amd64 botocore/1.34.40"
	s.altUA = nil
	s.scen = sr
	s.buckets = a.buckets
	sc := w.newScript(sr, r)
	sc.call(&s, "sts:GetCallerIdentity", in.reg, nil)
	sc.wait(60000, 180000)
	sc.call(&s, "s3:ListBuckets", nil, nil)
	sc.denied(&s, "iam:ListRoles", nil)
	sc.denied(&s, "iam:GetRole", nil)
	sc.call(&s, "ec2:DescribeInstances", in.reg, nil)
	sc.denied(&s, "lambda:ListFunctions20150331", in.reg)
	sc.wait(60000, 240000)
	sc.call(&s, "secretsmanager:GetSecretValue", in.reg, nil)
	sc.call(&s, "secretsmanager:GetSecretValue", in.reg, nil)
	sc.call(&s, "ssm:GetParameters", in.reg, nil)
	sc.wait(120000, 300000)
	for _, b := range a.buckets {
		if b.purpose == "uploads" || b.purpose == "assets" {
			sc.call(&s, "s3:ListObjects", nil, &extra{bkt: b})
			for i := 0; i < 15; i++ {
				sc.call(&s, "s3:GetObject", nil, &extra{bkt: b})
				sc.wait(2000, 20000)
			}
		}
	}
	sc.wait(120000, 300000)
	sc.recon(&s, 25, 0.7, a.regions, reconOps)
	sr.desc = fmt.Sprintf("After probing the public load balancer in front of %s from %s (%s, AS%d), the attacker used the instance role "+
		"credentials %s of %s from that address, outside AWS: identity checks, secrets, parameters and S3 objects.",
		in.ID, h.IP, h.Name, h.ASN, s.key, in.role.Name)
	sr.add(trailhound.Ec2Instance, in.ID)
	sr.add(trailhound.AwsRole, in.role.ID)
	sr.add(trailhound.AwsRoleSession, s.assumedRoleID())
	sr.add(trailhound.AccessKey, s.key)
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, s.ua)
	w.keyFinding(sr, r, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8, &s, "GetCallerIdentity", "sts.amazonaws.com", "", h,
		w.eventTimes(&s),
		"Credentials for instance role "+in.role.Name+" used from external IP address.",
		"Credentials created exclusively for an EC2 instance using instance role "+in.role.Name+" have been used from external IP address "+h.IP+".", nil)
}

func buildCloudTrailTampering(w *world, sr *scenarioRun, r *rng) {
	u := w.preferUser("terraform-bootstrap")
	a := u.acct
	sr.acct = a
	h := attackerOmegatech
	ua := "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0-13-amd64 exe/x86_64.debian.12 prompt/off command/cloudtrail.stop-logging"
	s := w.attackerUser(sr, u, u.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	sc.call(s, "sts:GetCallerIdentity", a.home, nil)
	for _, reg := range a.regions {
		sc.call(s, "cloudtrail:DescribeTrails", reg, nil)
	}
	sc.call(s, "cloudtrail:GetTrailStatus", a.home, nil)
	sc.call(s, "cloudtrail:GetEventSelectors", a.home, nil)
	sc.call(s, "guardduty:ListDetectors", a.home, nil)
	sc.wait(30000, 90000)
	sc.call(s, "cloudtrail:StopLogging", a.home, nil)
	sc.wait(10000, 40000)
	sc.call(s, "cloudtrail:PutEventSelectors", a.home, nil)
	sc.wait(10000, 40000)
	sc.call(s, "cloudtrail:DeleteTrail", a.home, nil)
	sc.call(s, "ec2:DescribeFlowLogs", a.home, nil)
	sc.denied(s, "organizations:ListAWSServiceAccessForOrganization", nil)
	sc.denied(s, "cloudtrail:StopLogging", a.home) // the organization trail is protected by an SCP
	sr.desc = fmt.Sprintf("The access key of %s, used from %s (%s, AS%d), stopped logging on trail %s, narrowed its event selectors and "+
		"deleted it; an attempt on the organization trail was denied.", u.Name, h.IP, h.Name, h.ASN, a.trail)
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, u.keys[0])
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	w.keyFinding(sr, r, "Stealth:IAMUser/CloudTrailLoggingDisabled", 2, s, "StopLogging", "cloudtrail.amazonaws.com", "", h,
		w.eventTimes(s, "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"),
		"AWS CloudTrail trail "+a.trail+" was disabled.",
		"AWS CloudTrail trail arn:aws:cloudtrail:"+a.home.Name+":"+a.ID+":trail/"+a.trail+" was disabled by "+u.Name+" calling StopLogging under unusual circumstances. This can be attackers' attempt to cover their tracks by eliminating any trace of activity performed while they accessed your account.", nil)
}

func buildLateralMovement(w *world, sr *scenarioRun, r *rng) {
	ci := w.ciAccount()
	u := ci.user("svc-ci-deploy")
	var chain []*account
	for _, kind := range []string{"dev", "staging", "security", "data"} {
		if a := w.account(kind); a != nil && a != ci && a.roleByNm["TerraformDeployRole"] != nil && len(chain) < 2 {
			chain = append(chain, a)
		}
	}
	prod := w.account("prod")
	chain = append(chain, prod)
	sr.acct = prod
	h := attackerDOFrankfurt
	ua := "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11"
	s := w.attackerUser(sr, u, u.keys[0], h, ua, sr.at)
	sc := w.newScript(sr, r)
	sc.call(s, "sts:GetCallerIdentity", ci.home, nil)
	sc.call(s, "iam:ListRoles", nil, nil)
	sr.add(trailhound.AwsUser, u.ID)
	sr.add(trailhound.AccessKey, u.keys[0])
	prev := s
	var names []string
	for i, a := range chain {
		rl := a.roleByNm["TerraformDeployRole"]
		sess := fmt.Sprintf("deploy-%d", 1000+r.intn(9000))
		t := sc.t / 1000
		next := w.roleSession(r, nil, rl, sess, t, 3600)
		next.ip, next.ua, next.scen = h.IP, ua, sr
		next.buckets = a.buckets
		next.render()
		// The hop is logged in both accounts.
		x := &extra{scen: sr, reqID: r.uuid(), target: next}
		if prev.acct != a {
			x.shared = r.uuid()
			xc := *x
			xc.acct = prev.acct
			sc.call(prev, "sts:AssumeRole", ci.home, &xc)
			sc.t -= 1500
		}
		xr := *x
		xr.acct = a
		sc.call(prev, "sts:AssumeRole", ci.home, &xr)
		sc.call(next, "sts:GetCallerIdentity", a.home, nil)
		if i < len(chain)-1 {
			sc.call(next, "iam:ListRoles", nil, nil)
			sc.call(next, "organizations:DescribeOrganization", nil, nil)
			sc.wait(30000, 120000)
		}
		sr.add(trailhound.AwsRole, rl.ID)
		sr.add(trailhound.AwsRoleSession, next.assumedRoleID())
		sr.add(trailhound.AccessKey, next.key)
		names = append(names, a.Name)
		prev = next
	}
	final := prev
	sc.call(final, "secretsmanager:ListSecrets", prod.home, nil)
	for i := 0; i < 3; i++ {
		sc.call(final, "secretsmanager:GetSecretValue", prod.home, nil)
	}
	sc.call(final, "rds:DescribeDBInstances", prod.home, nil)
	sc.call(final, "s3:ListBuckets", nil, nil)
	sc.call(final, "iam:ListUsers", nil, nil)
	sc.call(final, "ec2:DescribeInstances", prod.home, nil)
	sc.recon(final, 20, 0.3, prod.regions, reconOps)
	sr.desc = fmt.Sprintf("The CI user %s's key, used from %s (%s, AS%d), assumed TerraformDeployRole in %s, and from each role session the "+
		"next one, ending in %s where it read secrets and mapped the account.", u.Name, h.IP, h.Name, h.ASN, strings.Join(names, ", then "), prod.Name)
	sr.add(trailhound.IPAddress, h.IP)
	sr.add(trailhound.UserAgent, ua)
	w.keyFinding(sr, r, "CredentialAccess:IAMUser/AnomalousBehavior", 5, final, "GetSecretValue", "secretsmanager.amazonaws.com", "", h,
		w.eventTimes(final, "secretsmanager:GetSecretValue", "secretsmanager:ListSecrets"),
		"Unusual credential access APIs were invoked by TerraformDeployRole.",
		"APIs commonly used to gain access to secrets were invoked by AssumedRole : TerraformDeployRole under unusual circumstances.",
		[]string{"GetSecretValue", "ListSecrets"})
}
