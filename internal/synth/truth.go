package synth

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Truth is the ground truth of a generated data set: the organization and
// what happened in it. Generate returns it and writes it as truth.json at
// the root of the output, so that tests and evaluations can check whether an
// investigation found the attacks.
type Truth struct {
	// Generator names what produced the data set.
	Generator string `json:"generator"`
	// Seed is the configuration's seed.
	Seed int64 `json:"seed"`
	// OrgID is the AWS Organizations id in the CloudTrail keys.
	OrgID string `json:"orgId"`
	// Company is the organization's name, which prefixes bucket names.
	Company string `json:"company"`
	// Start and End bound the span, [Start, End).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// EventsPerDay and FlowsPerDay are the configured volumes (weekly
	// averages: people and CI work on weekdays).
	EventsPerDay int `json:"eventsPerDay"`
	FlowsPerDay  int `json:"flowsPerDay"`
	// Management is the management account's id.
	Management string `json:"managementAccount"`
	// Security is the security account's id, the GuardDuty delegated
	// administrator under whose prefix findings are exported.
	Security string `json:"securityAccount"`
	// Regions are the regions the organization uses, home first.
	Regions []string `json:"regions"`
	// Accounts lists the organization's accounts.
	Accounts []TruthAccount `json:"accounts"`
	// Scenarios lists the staged attacks in the order configured.
	Scenarios []TruthScenario `json:"scenarios"`
	// Totals counts what was written.
	Totals Totals `json:"totals"`
}

// TruthAccount describes one account of the organization.
type TruthAccount struct {
	// ID is the 12-digit account id.
	ID string `json:"id"`
	// Name is the account's name in the organization (prod, dev, ...).
	Name string `json:"name"`
	// Email is the account's root email address.
	Email string `json:"email"`
	// Regions are the regions the account works in.
	Regions []string `json:"regions"`
}

// TruthScenario is one staged attack: when it happened, which entities are
// malicious (attacker infrastructure) or compromised, which records it
// produced, and what it means in MITRE ATT&CK terms.
type TruthScenario struct {
	// Name is the scenario's name, as ParseScenarios accepts it.
	Name string `json:"name"`
	// Title summarizes the attack in a line.
	Title string `json:"title"`
	// Description tells what happened, naming the entities involved.
	Description string `json:"description"`
	// Account is the main victim account.
	Account string `json:"account"`
	// Start and End bound every record of the scenario (CloudTrail events,
	// flow records, the first export of each GuardDuty finding).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Entities are "<Namespace>/<id>" references, in Amazon Detective's
	// namespaces (AwsUser, AwsRole, AwsRoleSession, AccessKey, IpAddress,
	// Ec2Instance, S3Bucket, UserAgent, Finding), of everything malicious
	// (attacker infrastructure, tools, launched instances, findings) or
	// compromised (victim users, keys, roles, sessions, instances,
	// buckets).
	Entities []string `json:"entities"`
	// Tactics and Techniques place the scenario in MITRE ATT&CK.
	Tactics    []Tactic    `json:"tactics"`
	Techniques []Technique `json:"techniques"`
	// EventIDs are the CloudTrail eventID values of the attacker's calls,
	// in time order; a call logged in two accounts has two.
	EventIDs []string `json:"eventIds"`
	// FindingIDs and FindingTypes are the GuardDuty findings it raised.
	FindingIDs   []string `json:"findingIds"`
	FindingTypes []string `json:"findingTypes"`
	// FlowRecords counts the flow log records of its traffic.
	FlowRecords int `json:"flowRecords"`
	// StartHere suggests where an analyst would begin: the most severe
	// finding the scenario raised, as "Finding/<id>".
	StartHere string `json:"startHere,omitempty"`
}

// Tactic is a MITRE ATT&CK tactic.
type Tactic struct {
	// ID is the tactic's identifier, such as TA0001.
	ID string `json:"id"`
	// Name is the tactic's name, such as Initial Access.
	Name string `json:"name"`
}

// Technique is a MITRE ATT&CK technique or sub-technique.
type Technique struct {
	// ID is the technique's identifier, such as T1078.004.
	ID string `json:"id"`
	// Name is the technique's name.
	Name string `json:"name"`
}

// Totals counts what was written.
type Totals struct {
	// Objects is the number of log objects written, truth.json aside.
	Objects int64 `json:"objects"`
	// Bytes is their compressed size.
	Bytes int64 `json:"bytes"`
	// CloudTrailEvents counts CloudTrail records.
	CloudTrailEvents int64 `json:"cloudTrailEvents"`
	// FlowRecords counts VPC flow log records.
	FlowRecords int64 `json:"flowRecords"`
	// FindingVersions counts GuardDuty finding exports, updates included.
	FindingVersions int64 `json:"findingVersions"`
	// Findings counts distinct GuardDuty findings.
	Findings int `json:"findings"`
}

// truthCollector gathers scenario records found while writing, from all
// workers; the result is sorted, so it does not depend on their order.
type truthCollector struct {
	mu     sync.Mutex
	events map[*scenarioRun][]idAt
	flows  map[*scenarioRun]int
}

type idAt struct {
	t  int64
	id string
}

func (wk *worker) noteScenarioEvent(sr *scenarioRun, t int64, id string) {
	tc := wk.truth
	tc.mu.Lock()
	tc.events[sr] = append(tc.events[sr], idAt{t, id})
	tc.mu.Unlock()
}

func (wk *worker) noteScenarioFlows(sr *scenarioRun, n int) {
	tc := wk.truth
	tc.mu.Lock()
	tc.flows[sr] += n
	tc.mu.Unlock()
}

// truth assembles the ground truth after generation.
func (w *world) truth(tc *truthCollector, totals Totals) *Truth {
	t := &Truth{
		Generator:    "trailhound synth",
		Seed:         w.cfg.Seed,
		OrgID:        w.orgID,
		Company:      w.company,
		Start:        w.timeOf(w.start),
		End:          w.timeOf(w.end),
		EventsPerDay: w.cfg.EventsPerDay,
		FlowsPerDay:  w.cfg.FlowsPerDay,
		Management:   w.mgmt.ID,
		Security:     w.security.ID,
		Totals:       totals,
		Accounts:     []TruthAccount{},
		Scenarios:    []TruthScenario{},
	}
	for _, r := range w.regions {
		t.Regions = append(t.Regions, r.Name)
	}
	for _, a := range w.accounts {
		ta := TruthAccount{ID: a.ID, Name: a.Name, Email: a.Email}
		for _, r := range a.regions {
			ta.Regions = append(ta.Regions, r.Name)
		}
		t.Accounts = append(t.Accounts, ta)
	}
	t.Totals.Findings = len(w.findings)
	for _, sr := range w.scenarios {
		ts := TruthScenario{
			Name: sr.def.name, Title: sr.def.title, Description: sr.desc, Account: sr.acct.ID,
			Start: w.timeOf(sr.start), End: w.timeOf(sr.end),
			Tactics: sr.def.tactics, Techniques: sr.def.techniques,
			EventIDs: []string{}, FindingIDs: []string{}, FindingTypes: []string{},
		}
		for _, e := range sr.entities {
			ts.Entities = append(ts.Entities, e.String())
		}
		evs := slices.Clone(tc.events[sr])
		slices.SortFunc(evs, func(a, b idAt) int {
			if a.t != b.t {
				return cmpInt64(a.t, b.t)
			}
			return strings.Compare(a.id, b.id)
		})
		for _, e := range evs {
			ts.EventIDs = append(ts.EventIDs, e.id)
		}
		ts.FlowRecords = tc.flows[sr]
		best := -1.0
		for _, f := range sr.findings {
			if len(f.versions) == 0 {
				continue
			}
			ts.FindingIDs = append(ts.FindingIDs, f.id)
			if !slices.Contains(ts.FindingTypes, f.typ) {
				ts.FindingTypes = append(ts.FindingTypes, f.typ)
			}
			if f.severity > best {
				best = f.severity
				ts.StartHere = "Finding/" + f.id
			}
		}
		t.Scenarios = append(t.Scenarios, ts)
	}
	return t
}
