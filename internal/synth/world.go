package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// world is the synthetic organization: accounts, regions, network, IAM
// principals, resources, and the actors that use them. It is built once
// from the seed, before any log is written, and only read afterwards.
type world struct {
	cfg      Config
	seed     uint64
	company  string
	domain   string
	orgID    string
	start    int64 // Unix seconds of the first day
	end      int64 // Unix seconds after the last day
	days     int
	accounts []*account
	mgmt     *account
	security *account
	regions  []*region // regions in use; regions[0] is home
	unused   []*region // regions nobody uses
	people   []*person
	actors   []*actor
	// Identity Center, for the SAML sessions of people.
	idcRegion    *region
	idcIssuer    string
	idcNameQual  string
	permSets     map[string]string // permission set name -> role suffix
	scale        float64           // sqrt(events per day / 100k), at least 1
	vendorAcct   string
	rootLogins   []*rootLogin
	scenarios    []*scenarioRun
	scenarioOut  *dayOut // scripted attacker activity over the whole span
	flowScripts  []flowScript
	findings     []*finding
	svcCallers   map[string]*session
	allRegs      []*region // regions in use, then unused ones; region.idx indexes it
	flowStreams  []*flowStream
	usEast1      *region
	vendorRoleID string
	ctPerDay     float64 // ordinary CloudTrail events per day, from Config
	flowsPerDay  float64
}

// account is one AWS account of the organization.
type account struct {
	idx      int
	ID       string
	Name     string
	Email    string
	kind     string
	regions  []*region
	home     *region
	users    []*iamUser
	roles    []*iamRole
	roleByNm map[string]*iamRole
	buckets  []*bucket
	rr       map[string]*regionRes
	rrIdx    []*regionRes // by region idx, nil where the account has nothing
	trail    string       // an account-level trail besides the organization trail
	zones    []string
	policies []string // customer managed policy ARNs
	ssoRoles map[string]*iamRole
}

// regionRes holds an account's resources in one region.
type regionRes struct {
	acct        *account
	reg         *region
	vpc         *vpc
	instances   []*instance
	functions   []string
	kms         []string
	secrets     []string
	params      []string
	logGroups   []string
	stacks      []string
	clusters    []string
	ecsServices []string
	taskDefs    []string
	repos       []string
	tables      []string
	sgs         []string
	amis        []string
	volumes     []string
	tgs         []string
	lbs         []string
	dbs         []string
	asgs        []string
	alarms      []string
	queues      []string
	topics      []string
	buckets     []*bucket
	has         needs
	natIP       string
	flowLogID   string
	detectorID  string
	flows       *flowStream // nil when it has no ordinary traffic
	scripted    bool        // scenario traffic happens here
}

type vpc struct {
	id      string
	cidr    uint32 // 10.x.0.0/16 base
	subnets []*subnet
	enis    []*eni // every interface with flow logs: instances, NAT, load balancer, database
	nat     *eni
	albs    []*eni
	db      *eni
}

type subnet struct {
	id     string
	az     int
	public bool
	base   uint32
	next   uint32
}

// eni is a network interface whose traffic the flow logs record.
type eni struct {
	id       string
	kind     string // instance, nat, alb, rds
	inst     *instance
	sub      *subnet
	privIP   uint32
	pubIP    uint32
	privText string
	pubText  string
}

type instance struct {
	ID      string
	Name    string
	Type    string
	tier    string
	acct    *account
	reg     *region
	rr      *regionRes
	eni     *eni
	role    *iamRole
	profile string // instance profile id, AIPA...
	ami     string
	sg      string
	launch  int64
	offset  int64 // seconds: when in each 6-hour block its credentials rotate
	// egressIP is where its API calls come from: its public address, or
	// the NAT gateway's.
	egressIP string
	ssh      bool // port 22 open to the internet (bastions)
	web      bool // serves HTTP behind a load balancer
}

type iamUser struct {
	Name    string
	ID      string
	ARN     string
	acct    *account
	keys    []string
	console bool
	mfa     bool
}

type iamRole struct {
	Name    string
	Path    string
	ID      string
	ARN     string
	acct    *account
	service string // for service-linked roles, the service principal
	sso     bool
}

type bucket struct {
	Name    string
	acct    *account
	reg     *region
	purpose string
}

// accountRoster lists account kinds in the order they are created.
var accountRoster = []string{"management", "security", "prod", "dev", "staging", "shared-services", "data", "sandbox",
	"payments-prod", "payments-dev", "ml-platform", "analytics", "edge-prod", "identity", "marketing-web", "legacy-erp"}

var companies = []struct{ name, domain string }{
	{"halyard", "halyard.io"}, {"kestrelpay", "kestrelpay.com"}, {"lumenfield", "lumenfield.com"},
	{"orbitra", "orbitra.io"}, {"quillon", "quillon.net"}, {"verdantly", "verdantly.com"},
	{"brightkite", "brightkite.io"}, {"northloop", "northloop.dev"},
}

// idGen draws identifiers in the formats AWS uses.
type idGen struct{ r rng }

func (g *idGen) accountID() string { return strconv.Itoa(1+g.r.intn(9)) + g.r.chars("0123456789", 11) }
func (g *idGen) principal(prefix string) string {
	return prefix + g.r.chars(base32Set, 17)
}
func (g *idGen) accessKey(prefix string) string { return prefix + g.r.chars(base32Set, 16) }
func (g *idGen) hex17(prefix string) string     { return prefix + "0" + g.r.hexString(16) }

func newWorld(cfg Config) (*world, error) {
	w := &world{cfg: cfg, seed: uint64(cfg.Seed)}
	w.start = cfg.Start.Unix()
	w.days = cfg.Days
	w.end = w.start + int64(cfg.Days)*86400
	w.scale = math.Max(1, math.Sqrt(float64(cfg.EventsPerDay)/100000))
	w.ctPerDay = float64(cfg.EventsPerDay)
	w.flowsPerDay = float64(cfg.FlowsPerDay)
	g := &idGen{r: newRNG(w.seed, hashString("world"))}
	r := &g.r

	co := companies[r.intn(len(companies))]
	w.company, w.domain = co.name, co.domain
	w.orgID = cfg.OrgID
	if w.orgID == "" {
		w.orgID = "o-" + r.chars(lowerAlnum, 10)
	}
	w.vendorAcct = "464622532012"

	// Regions.
	fp := regionFootprints[r.intn(len(regionFootprints))]
	n := 2 + r.intn(3) // 2..4 regions in use
	for i := 0; i < n; i++ {
		reg := *allRegions[fp[i]]
		reg.idx = i
		w.regions = append(w.regions, &reg)
	}
	w.allRegs = append(w.allRegs, w.regions...)
	for _, name := range unusedRegionNames {
		reg := *allRegions[name]
		reg.idx = len(w.allRegs)
		w.unused = append(w.unused, &reg)
		w.allRegs = append(w.allRegs, &reg)
	}
	for _, reg := range w.allRegs {
		if reg.Name == "us-east-1" {
			w.usEast1 = reg
		}
	}
	if w.usEast1 == nil {
		reg := *allRegions["us-east-1"]
		reg.idx = len(w.allRegs)
		w.usEast1 = &reg
		w.allRegs = append(w.allRegs, &reg)
	}
	w.svcCallers = map[string]*session{}
	for _, s := range []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com"} {
		w.serviceCaller(s)
	}
	w.vendorRoleID = g.principal("AROA")
	w.idcRegion = w.regions[0]
	w.idcIssuer = "https://portal.sso." + w.idcRegion.Name + ".amazonaws.com/saml/assertion/" + r.chars(mixedAlnum, 24)
	w.idcNameQual = r.chars(mixedAlnum, 27) + "="
	w.permSets = map[string]string{}
	for _, ps := range []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit", "Billing", "DataEngineer", "DeveloperAccess"} {
		w.permSets[ps] = r.hexString(16)
	}

	// Accounts.
	for i := 0; i < cfg.Accounts; i++ {
		kind := accountRoster[i%len(accountRoster)]
		name := kind
		if i >= len(accountRoster) {
			name = fmt.Sprintf("%s-%d", kind, i/len(accountRoster)+1)
		}
		a := &account{idx: i, ID: g.accountID(), Name: name, kind: kind, roleByNm: map[string]*iamRole{},
			rr: map[string]*regionRes{}, ssoRoles: map[string]*iamRole{}, rrIdx: make([]*regionRes, len(w.allRegs))}
		a.Email = "aws+" + name + "@" + w.domain
		a.home = w.regions[0]
		a.regions = w.accountRegions(a, r)
		w.accounts = append(w.accounts, a)
	}
	w.mgmt = w.accounts[0]
	w.security = w.accounts[1]
	for _, a := range w.accounts {
		w.buildAccount(a, g)
	}
	w.buildPeople(g)
	w.buildActors(g)
	w.precompileMixes()
	w.buildBackground()
	w.placeScenarios()
	w.buildFlowStreams()
	return w, nil
}

// accountRegions chooses the regions an account works in.
func (w *world) accountRegions(a *account, r *rng) []*region {
	n := len(w.regions)
	switch a.kind {
	case "security", "prod", "edge-prod", "payments-prod":
		return w.regions
	case "management", "shared-services", "identity":
		return w.regions[:1]
	case "sandbox":
		return []*region{w.regions[0], w.regions[n-1]}
	default:
		return w.regions[:min(n, 2)]
	}
}

func (a *account) isWorkload() bool {
	switch a.kind {
	case "management", "security", "identity":
		return false
	}
	return true
}

func (a *account) env() string {
	switch {
	case strings.Contains(a.Name, "prod"):
		return "prod"
	case strings.Contains(a.Name, "dev"), a.kind == "sandbox":
		return "dev"
	case a.kind == "staging":
		return "staging"
	}
	return a.Name
}

func (w *world) addRole(a *account, g *idGen, name, path, service string) *iamRole {
	rl := &iamRole{Name: name, Path: path, ID: g.principal("AROA"), acct: a, service: service}
	rl.ARN = "arn:aws:iam::" + a.ID + ":role" + path + name
	a.roles = append(a.roles, rl)
	a.roleByNm[name] = rl
	return rl
}

func (w *world) addUser(a *account, g *idGen, name string, keys int, console, mfa bool) *iamUser {
	u := &iamUser{Name: name, ID: g.principal("AIDA"), acct: a, console: console, mfa: mfa}
	u.ARN = "arn:aws:iam::" + a.ID + ":user/" + name
	for i := 0; i < keys; i++ {
		u.keys = append(u.keys, g.accessKey("AKIA"))
	}
	a.users = append(a.users, u)
	return u
}

func (w *world) addBucket(a *account, name string, reg *region, purpose string) *bucket {
	b := &bucket{Name: name, acct: a, reg: reg, purpose: purpose}
	a.buckets = append(a.buckets, b)
	a.rr[reg.Name].buckets = append(a.rr[reg.Name].buckets, b)
	a.rr[reg.Name].has |= needBucket
	return b
}

// tierSpec describes a fleet of instances of one role.
type tierSpec struct {
	tier, typ string
	count     int
	public    bool
	ssh       bool
	web       bool
}

func (w *world) buildAccount(a *account, g *idGen) {
	r := &g.r
	co := w.company
	env := a.env()
	for ri, reg := range a.regions {
		rr := &regionRes{acct: a, reg: reg}
		a.rr[reg.Name] = rr
		a.rrIdx[reg.idx] = rr
		rr.detectorID = r.hexString(32)
		for k := 0; k < 2+r.intn(2); k++ {
			rr.kms = append(rr.kms, r.uuid())
		}
		for k := 0; k < 3; k++ {
			rr.amis = append(rr.amis, g.hex17("ami-"))
		}
		rr.params = []string{"/" + env + "/app/config", "/" + env + "/app/feature-flags", "/" + env + "/db/host", "/" + env + "/observability/api-key", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}
		rr.secrets = []string{
			"arn:aws:secretsmanager:" + reg.Name + ":" + a.ID + ":secret:" + env + "/db/app-credentials-" + r.chars(mixedAlnum, 6),
			"arn:aws:secretsmanager:" + reg.Name + ":" + a.ID + ":secret:" + env + "/api/payment-provider-" + r.chars(mixedAlnum, 6),
			"arn:aws:secretsmanager:" + reg.Name + ":" + a.ID + ":secret:" + env + "/ci/deploy-token-" + r.chars(mixedAlnum, 6),
		}
		rr.stacks = []string{"StackSet-baseline-" + r.uuid(), env + "-network", env + "-observability"}
		rr.logGroups = []string{"/aws/cloudtrail/" + env, "/" + env + "/application", "/aws/vpc/flow-logs"}
		rr.alarms = []string{env + "-high-cpu", env + "-5xx-rate", env + "-billing-estimate"}
		rr.topics = []string{env + "-alerts", env + "-deployments"}
		rr.queues = []string{env + "-jobs", env + "-jobs-dlq"}
		rr.sgs = []string{g.hex17("sg-"), g.hex17("sg-")}
		rr.flowLogID = g.hex17("fl-")
		if !a.isWorkload() && a != w.security {
			// The management account runs no workloads; its default VPC
			// still exists.
			rr.vpc = &vpc{id: g.hex17("vpc-"), cidr: parseIPv4("172.31.0.0")}
			continue
		}
		// Network: one VPC per region, public and private subnets in two
		// zones, a NAT gateway, flow logs to the log archive.
		v := &vpc{id: g.hex17("vpc-"), cidr: uint32(10)<<24 | uint32((a.idx*8+ri)%250+1)<<16}
		rr.vpc = v
		for z := 0; z < 2; z++ {
			for p := 0; p < 2; p++ {
				sn := &subnet{id: g.hex17("subnet-"), az: z, public: p == 0, base: v.cidr + uint32(z*2+p)<<12}
				sn.next = 10
				v.subnets = append(v.subnets, sn)
			}
		}
		natSub := v.subnets[0]
		v.nat = w.newENI(v, natSub, "nat", g)
		v.nat.pubIP = reg.publicIP(r)
		v.nat.pubText = ipString(v.nat.pubIP)
		rr.natIP = v.nat.pubText

		if a == w.security {
			// Security tooling runs as functions in the home region only.
			if ri == 0 {
				rr.functions = []string{"security-posture-scanner", "guardduty-findings-forwarder"}
				rr.has |= needFunction
			}
			continue
		}
		// Workloads.
		s := w.scale
		homeF := 1.0
		if ri > 0 {
			homeF = 0.5
		}
		cnt := func(base float64) int { return max(1, int(math.Round(base*s*homeF))) }
		var tiers []tierSpec
		switch a.kind {
		case "shared-services":
			tiers = []tierSpec{{"ci-runner", "c6i.2xlarge", cnt(1.5), false, false, false}, {"bastion", "t3.micro", 1, true, true, false}}
		case "data":
			tiers = []tierSpec{{"etl-worker", "r6i.2xlarge", cnt(1.5), false, false, false}, {"airflow", "m6i.xlarge", 1, false, false, false}}
		case "sandbox":
			tiers = []tierSpec{{"experiment", "t3.large", cnt(0.7), true, false, false}}
		default:
			tiers = []tierSpec{{"web", "m6i.large", cnt(1.2), false, false, true}, {"api", "c6i.xlarge", cnt(1.2), false, false, true},
				{"worker", "r6i.large", cnt(0.8), false, false, false}}
			if ri == 0 && (env == "prod" || a.kind == "staging") {
				tiers = append(tiers, tierSpec{"bastion", "t3.micro", 1, true, true, false})
			}
			if env == "prod" {
				tiers = append(tiers, tierSpec{"eks-node", "m6i.2xlarge", cnt(1.5), false, false, false})
			}
		}
		for _, t := range tiers {
			roleName := env + "-" + t.tier + "-instance-role"
			if a.kind == "shared-services" || a.kind == "data" || a.kind == "sandbox" {
				roleName = t.tier + "-instance-role"
			}
			if t.tier == "eks-node" {
				roleName = "eks-node-group-" + env + "-NodeInstanceRole-" + r.chars(upperAlnum, 12)
			}
			role := a.roleByNm[roleName]
			if role == nil {
				role = w.addRole(a, g, roleName, "/", "")
			}
			profile := g.principal("AIPA")
			for k := 0; k < t.count; k++ {
				in := &instance{ID: g.hex17("i-"), Type: t.typ, tier: t.tier, acct: a, reg: reg, rr: rr, role: role,
					profile: profile, ami: rr.amis[0], sg: rr.sgs[0], ssh: t.ssh, web: t.web}
				in.Name = fmt.Sprintf("%s-%s-%d", env, t.tier, k+1)
				in.launch = w.start - int64(86400*(3+r.intn(200))) - int64(r.intn(86400))
				in.offset = int64(r.intn(6 * 3600))
				sub := v.subnets[1+2*(k%2)] // private subnets
				if t.public {
					sub = v.subnets[2*(k%2)]
				}
				in.eni = w.newENI(v, sub, "instance", g)
				in.eni.inst = in
				if t.public {
					in.eni.pubIP = reg.publicIP(r)
					in.eni.pubText = ipString(in.eni.pubIP)
					in.egressIP = in.eni.pubText
				} else {
					in.egressIP = rr.natIP
				}
				rr.instances = append(rr.instances, in)
				rr.volumes = append(rr.volumes, g.hex17("vol-"))
			}
		}
		rr.has |= needInstance | needVolume
		if a.kind != "shared-services" && a.kind != "sandbox" && a.kind != "data" {
			rr.lbs = []string{env + "-public-alb", env + "-internal-alb"}
			rr.tgs = []string{env + "-web-tg", env + "-api-tg"}
			v.albs = []*eni{w.newENI(v, v.subnets[0], "alb", g), w.newENI(v, v.subnets[2], "alb", g)}
			for _, e := range v.albs {
				e.pubIP = reg.publicIP(r)
				e.pubText = ipString(e.pubIP)
			}
			rr.dbs = []string{env + "-orders-db", env + "-accounts-db"}
			v.db = w.newENI(v, v.subnets[1], "rds", g)
			rr.asgs = []string{env + "-web-asg", env + "-api-asg", env + "-worker-asg"}
			rr.clusters = []string{env + "-services"}
			rr.ecsServices = []string{"checkout", "catalog", "notifications"}
			for _, sname := range rr.ecsServices {
				rr.taskDefs = append(rr.taskDefs, sname+":"+strconv.Itoa(40+r.intn(200)))
			}
			rr.tables = []string{env + "-sessions", env + "-idempotency-keys", env + "-feature-store"}
			rr.has |= needLB | needDB | needASG | needECS | needTable
			rr.functions = []string{env + "-orders-processor", env + "-image-resizer", env + "-webhook-dispatcher", env + "-nightly-export"}
			if ri > 0 {
				rr.functions = rr.functions[:2]
			}
			rr.has |= needFunction
		}
		if a.kind == "data" {
			rr.functions = []string{"glue-job-trigger", "partition-compactor"}
			rr.tables = []string{"ingestion-checkpoints"}
			rr.has |= needFunction | needTable
		}
		rr.repos = []string{"checkout", "catalog", "notifications", "base-images/python"}
		rr.has |= needRepo
	}

	// IAM: roles every account has.
	for _, slr := range []struct{ name, svc string }{
		{"AWSServiceRoleForConfig", "config.amazonaws.com"},
		{"AWSServiceRoleForAmazonGuardDuty", "guardduty.amazonaws.com"},
		{"AWSServiceRoleForSSO", "sso.amazonaws.com"},
		{"AWSServiceRoleForSupport", "support.amazonaws.com"},
		{"AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com"},
		{"AWSServiceRoleForSecurityHub", "securityhub.amazonaws.com"},
	} {
		w.addRole(a, g, slr.name, "/aws-service-role/"+slr.svc+"/", slr.svc)
	}
	if a.isWorkload() {
		w.addRole(a, g, "AWSServiceRoleForAutoScaling", "/aws-service-role/autoscaling.amazonaws.com/", "autoscaling.amazonaws.com")
		w.addRole(a, g, "AWSServiceRoleForElasticLoadBalancing", "/aws-service-role/elasticloadbalancing.amazonaws.com/", "elasticloadbalancing.amazonaws.com")
	}
	if a != w.mgmt {
		w.addRole(a, g, "OrganizationAccountAccessRole", "/", "")
	}
	w.addRole(a, g, "SecurityAuditRole", "/", "")
	w.addRole(a, g, "DatadogIntegrationRole", "/", "")
	if a.isWorkload() || a.kind == "security" {
		w.addRole(a, g, "TerraformDeployRole", "/", "")
	}
	if a.isWorkload() && a.kind != "sandbox" && a.kind != "shared-services" {
		w.addRole(a, g, "github-actions-deploy", "/", "")
	}
	for _, reg := range a.regions {
		for _, fn := range a.rr[reg.Name].functions {
			if a.roleByNm[fn+"-role"] == nil {
				w.addRole(a, g, fn+"-role", "/service-role/", "")
			}
		}
	}
	// Identity Center permission sets provisioned into the account.
	for _, ps := range w.accountPermSets(a) {
		path := "/aws-reserved/sso.amazonaws.com/"
		if w.idcRegion.Name != "us-east-1" {
			path += w.idcRegion.Name + "/"
		}
		rl := w.addRole(a, g, "AWSReservedSSO_"+ps+"_"+w.permSets[ps], path, "")
		rl.sso = true
		a.ssoRoles[ps] = rl
	}
	a.policies = []string{"arn:aws:iam::" + a.ID + ":policy/" + env + "-app-access", "arn:aws:iam::" + a.ID + ":policy/deny-leave-org-boundary"}

	// IAM users: few, as in any organization that moved to Identity Center,
	// but the legacy ones are still there.
	switch a.kind {
	case "management":
		w.addUser(a, g, "break-glass-admin", 0, true, true)
		w.addUser(a, g, "terraform-bootstrap", 1, false, false)
	case "shared-services":
		w.addUser(a, g, "svc-ci-deploy", 1, false, false)
	case "prod":
		w.addUser(a, g, "backup-sync", 1, false, false)
		w.addUser(a, g, "svc-analytics-export", 1, false, false)
		w.addUser(a, g, "legacy-smtp-relay", 1, false, false)
		if w.cfg.Accounts < 7 {
			// Without a data account, the reporting portal lives here.
			w.addUser(a, g, "reporting-portal", 1, false, false)
		}
	case "dev":
		w.addUser(a, g, "svc-deploy-dev", 1, false, false)
		w.addUser(a, g, "terraform-admin", 1, false, false)
		w.addUser(a, g, "svc-monitoring", 1, false, false)
	case "data":
		w.addUser(a, g, "reporting-portal", 1, false, false)
		w.addUser(a, g, "svc-etl-legacy", 1, false, false)
	case "staging":
		w.addUser(a, g, "svc-loadtest", 1, false, false)
	}

	// Buckets.
	home := a.home.Name
	switch a.kind {
	case "security":
		w.addBucket(a, co+"-org-cloudtrail-"+a.ID, a.home, "cloudtrail")
		w.addBucket(a, co+"-vpc-flow-logs-"+a.ID, a.home, "flowlogs")
		w.addBucket(a, co+"-guardduty-findings-"+a.ID, a.home, "guardduty")
		w.addBucket(a, co+"-config-history-"+a.ID, a.home, "config")
		w.addBucket(a, "aws-athena-query-results-"+a.ID+"-"+home, a.home, "athena")
	case "management":
		w.addBucket(a, co+"-billing-reports", a.home, "billing")
		w.addBucket(a, "cf-templates-"+r.chars(lowerAlnum, 12)+"-"+home, a.home, "cfn")
	case "shared-services":
		w.addBucket(a, co+"-terraform-state", a.home, "tfstate")
		w.addBucket(a, co+"-ci-artifacts", a.home, "artifacts")
		w.addBucket(a, co+"-ci-cache", a.home, "artifacts")
	case "data":
		w.addBucket(a, co+"-data-lake-raw", a.home, "lake")
		w.addBucket(a, co+"-data-lake-curated", a.home, "lake")
		w.addBucket(a, co+"-reports", a.home, "reports")
		w.addBucket(a, "aws-athena-query-results-"+a.ID+"-"+home, a.home, "athena")
	case "sandbox":
		w.addBucket(a, co+"-sandbox-scratch", a.home, "scratch")
	default:
		if a.isWorkload() {
			w.addBucket(a, co+"-"+a.Name+"-assets", a.home, "assets")
			w.addBucket(a, co+"-"+a.Name+"-uploads", a.home, "uploads")
			w.addBucket(a, co+"-"+a.Name+"-alb-logs", a.home, "alblogs")
			if env == "prod" {
				w.addBucket(a, co+"-customer-exports", a.home, "exports")
				w.addBucket(a, co+"-"+a.Name+"-backups", a.home, "backups")
			}
			if len(a.regions) > 1 {
				w.addBucket(a, co+"-"+a.Name+"-assets-"+a.regions[1].Name, a.regions[1], "assets")
			}
		}
	}
	a.trail = "management-events"
	if a.kind == "security" {
		a.trail = "security-data-events"
	}
	a.zones = []string{"Z0" + r.chars(upperAlnum, 19)}
}

// accountPermSets returns the Identity Center permission sets assigned in
// an account.
func (w *world) accountPermSets(a *account) []string {
	switch a.kind {
	case "management":
		return []string{"AdministratorAccess", "Billing", "ReadOnlyAccess", "SecurityAudit"}
	case "security":
		return []string{"AdministratorAccess", "SecurityAudit", "ReadOnlyAccess"}
	case "data":
		return []string{"AdministratorAccess", "DataEngineer", "ReadOnlyAccess", "SecurityAudit"}
	case "dev", "sandbox", "payments-dev":
		return []string{"AdministratorAccess", "PowerUserAccess", "DeveloperAccess", "ReadOnlyAccess", "SecurityAudit"}
	default:
		return []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit", "DeveloperAccess"}
	}
}

func (w *world) newENI(v *vpc, sn *subnet, kind string, g *idGen) *eni {
	e := &eni{id: g.hex17("eni-"), kind: kind, sub: sn}
	e.privIP = sn.base + sn.next
	sn.next += 1 + uint32(g.r.intn(40))
	e.privText = ipString(e.privIP)
	v.enis = append(v.enis, e)
	return e
}

func (w *world) account(kind string) *account {
	for _, a := range w.accounts {
		if a.kind == kind {
			return a
		}
	}
	return nil
}

func (a *account) user(name string) *iamUser {
	for _, u := range a.users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// allInstances lists an account's instances in all regions, in a stable
// order.
func (a *account) allInstances() []*instance {
	var out []*instance
	for _, reg := range a.regions {
		out = append(out, a.rr[reg.Name].instances...)
	}
	return out
}

func (w *world) dayStart(day int) int64 { return w.start + int64(day)*86400 }

func (w *world) timeOf(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
