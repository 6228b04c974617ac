package investigate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// finish orders the indicators and derives what the report shows from
// them: the counts, the TTP mapping, the overall severity with its
// reasons, the involved entities and addresses, the next steps, the notes
// and the overview.
func (b *builder) finish() {
	inv := b.inv
	typeRank := map[IndicatorType]int{}
	for i, t := range IndicatorTypes {
		typeRank[t] = i
	}
	sort.SliceStable(inv.Indicators, func(i, j int) bool {
		a, c := inv.Indicators[i], inv.Indicators[j]
		if a.Severity.Rank() != c.Severity.Rank() {
			return a.Severity.Rank() > c.Severity.Rank()
		}
		if a.Type != c.Type {
			return typeRank[a.Type] < typeRank[c.Type]
		}
		if a.Tactic != c.Tactic {
			return tacticRank[a.Tactic] < tacticRank[c.Tactic]
		}
		if a.FirstSeen != c.FirstSeen {
			return a.FirstSeen < c.FirstSeen
		}
		return a.TechniqueID+a.APIName+a.IPAddress < c.TechniqueID+c.APIName+c.IPAddress
	})
	inv.IndicatorCounts = map[IndicatorType]int{}
	for _, in := range inv.Indicators {
		inv.IndicatorCounts[in.Type]++
	}
	inv.Tactics = tacticSummaries(inv.Indicators)
	b.overall()
	b.involved()
	b.addresses()
	inv.NextSteps = nextSteps(b)
	if b.iv.intel.Len() == 0 {
		inv.Notes = append(inv.Notes, "No threat-intelligence list is loaded (serve and investigate take --threat-intel FILE), so no address could be flagged.")
	}
	inv.Summary = b.summary()
}

// tacticSummaries groups the TTP indicators by tactic and technique, in
// kill-chain order.
func tacticSummaries(ins []Indicator) []TacticSummary {
	byTactic := map[string]*TacticSummary{}
	byTech := map[[2]string]*TechniqueSummary{}
	procs := map[[2]string]map[string]bool{}
	for _, in := range ins {
		if in.Type != TTPObserved {
			continue
		}
		t := byTactic[in.Tactic]
		if t == nil {
			t = &TacticSummary{Tactic: in.Tactic, TacticID: in.TacticID, Severity: in.Severity}
			byTactic[in.Tactic] = t
		}
		t.Severity = maxSeverity(t.Severity, in.Severity)
		k := [2]string{in.Tactic, in.TechniqueID}
		tech := byTech[k]
		if tech == nil {
			tech = &TechniqueSummary{TechniqueID: in.TechniqueID, Technique: in.Technique, Severity: in.Severity, Procedures: []string{}}
			byTech[k] = tech
			procs[k] = map[string]bool{}
		}
		tech.Severity = maxSeverity(tech.Severity, in.Severity)
		tech.Indicators++
		p := in.APIName
		if in.Source != kindAPI {
			p = in.Procedure
		}
		if !procs[k][p] {
			procs[k][p] = true
			tech.Procedures = append(tech.Procedures, p)
		}
	}
	out := make([]TacticSummary, 0, len(byTactic))
	for k, t := range byTactic {
		var techs []TechniqueSummary
		for tk, tech := range byTech {
			if tk[0] == k {
				sort.Strings(tech.Procedures)
				techs = append(techs, *tech)
			}
		}
		sort.Slice(techs, func(i, j int) bool {
			if techs[i].Severity.Rank() != techs[j].Severity.Rank() {
				return techs[i].Severity.Rank() > techs[j].Severity.Rank()
			}
			return techs[i].TechniqueID < techs[j].TechniqueID
		})
		t.Techniques = techs
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return tacticRank[out[i].Tactic] < tacticRank[out[j].Tactic] })
	return out
}

// overall sets the investigation's severity: that of its most severe
// indicator, raised a level when medium-or-worse activity spans three
// tactics or more (an intrusion moving along the kill chain rather than
// one odd call), and at least HIGH when a flagged address's calls
// succeeded alongside medium-or-worse techniques. Reasons are sentences,
// most severe first.
func (b *builder) overall() {
	inv := b.inv
	top := Informational
	for _, in := range inv.Indicators {
		top = maxSeverity(top, in.Severity)
	}
	var reasons []string
	// Medium-or-worse TTPs, one sentence per tactic.
	seriousTactics := []string{}
	for _, t := range inv.Tactics {
		if t.Severity.Rank() < Medium.Rank() {
			continue
		}
		seriousTactics = append(seriousTactics, t.Tactic)
		var procs []string
		ips := map[string]bool{}
		for _, in := range inv.Indicators {
			if in.Type == TTPObserved && in.Tactic == t.Tactic && in.Severity.Rank() >= Medium.Rank() {
				p := shortAPI(in.APIName)
				if in.Source != kindAPI || p == "" {
					p = in.Procedure
				}
				if !containsString(procs, p) {
					procs = append(procs, p)
				}
				if in.IPAddress != "" {
					ips[in.IPAddress] = true
				}
			}
		}
		reasons = append(reasons, fmt.Sprintf("%s (%s)%s: %s.", t.Tactic, t.Severity, fromAddresses(ips), listSome(procs, 5)))
	}
	for _, in := range inv.Indicators {
		if in.Severity.Rank() < Medium.Rank() {
			continue
		}
		switch in.Type {
		case ImpossibleTravel:
			reasons = append(reasons, fmt.Sprintf("Impossible travel (%s): from %s to %s, %.0f km in %.2f hours.", in.Severity,
				in.StartingLocation.String(), in.EndingLocation.String(), *in.DistanceKm, *in.HourlyTimeDelta))
		case FlaggedIPAddress:
			reasons = append(reasons, fmt.Sprintf("Flagged address (%s): %s — %s.", in.Severity, in.IPAddress, in.Reason))
		case RelatedFinding:
			reasons = append(reasons, fmt.Sprintf("Related finding (%s): %s, rated %.1f by GuardDuty.", in.Severity, in.FindingType, *in.FindingSeverity))
		case RelatedFindingGroup:
			reasons = append(reasons, fmt.Sprintf("Related finding group (%s): %s.", in.Severity, in.Title))
		}
	}
	if len(seriousTactics) >= 3 && top.Rank() < Critical.Rank() {
		top = top.raise(1)
		reasons = append([]string{fmt.Sprintf("Medium-or-worse activity spans %d tactics of the kill chain (%s): an intrusion moving from step to step rather than one odd call, so the severity is raised a level to %s.",
			len(seriousTactics), strings.Join(seriousTactics, " → "), top)}, reasons...)
	}
	flaggedOK := false
	for _, in := range inv.Indicators {
		if in.Type == FlaggedIPAddress && in.Severity == High {
			flaggedOK = true
		}
	}
	if flaggedOK && len(seriousTactics) > 0 && top.Rank() < High.Rank() {
		top = High
		reasons = append([]string{"Calls from an address on a threat-intelligence list succeeded alongside medium-or-worse techniques, so the severity is at least HIGH."}, reasons...)
	}
	if len(reasons) == 0 {
		var low []string
		for _, t := range IndicatorTypes {
			n := 0
			for _, in := range inv.Indicators {
				if in.Type == t && in.Severity == Low {
					n++
				}
			}
			if n > 0 {
				low = append(low, fmt.Sprintf("%d %s", n, strings.ToLower(t.Title())))
			}
		}
		switch {
		case len(low) > 0:
			reasons = append(reasons, "Only low-severity indicators: "+strings.Join(low, ", ")+". New, but from origins the account knows.")
		case len(inv.Indicators) > 0:
			reasons = append(reasons, "Nothing stands out: every mapped call was routine for the principal and came from origins its account knows.")
		default:
			reasons = append(reasons, "No indicator: no activity of the entity during the scope matched any check.")
		}
	}
	inv.Severity, inv.SeverityReasons = top, reasons
}

// involved lists the entities whose activity was examined, with their
// calls, and the access keys used.
func (b *builder) involved() {
	s := b.s
	calls := map[int64]int64{}
	keyCalls := map[int64]int64{}
	for _, u := range s.keyUses {
		calls[u.principal] += u.ok + u.bad
		if u.key != 0 {
			keyCalls[u.key] += u.ok + u.bad
		}
	}
	byRef := map[trailhound.EntityRef]int64{}
	for k, n := range calls {
		if nm, ok := s.names[k]; ok {
			byRef[nm.EntityRef] += n
		}
	}
	var out []Involved
	for _, c := range s.callers {
		n := byRef[c.ref]
		if c.ref.Type == trailhound.AwsRole || c.ref.Type == trailhound.AccessKey {
			n = 0
			for _, v := range calls {
				n += v
			}
			for _, c2 := range s.callers {
				if c2.ref != c.ref {
					n -= byRef[c2.ref]
				}
			}
		}
		out = append(out, Involved{Entity: Ref{Type: c.ref.Type, ID: c.ref.ID}, Label: c.label, Role: c.role, Account: c.account, Calls: n})
	}
	if s.ref.Type == trailhound.Ec2Instance {
		out = append([]Involved{{Entity: Ref{Type: s.ref.Type, ID: s.ref.ID}, Label: s.ent.Label, Role: "investigated", Account: s.ent.Account}}, out...)
	}
	var keys []Involved
	for k, n := range keyCalls {
		nm := s.names[k]
		if nm.EntityRef == s.ref {
			continue
		}
		keys = append(keys, Involved{Entity: Ref{Type: nm.Type, ID: nm.ID}, Role: "access key", Account: nm.account, Calls: n})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Calls != keys[j].Calls {
			return keys[i].Calls > keys[j].Calls
		}
		return keys[i].Entity.ID < keys[j].Entity.ID
	})
	b.inv.Involved = append(out, keys...)
	if b.inv.Involved == nil {
		b.inv.Involved = []Involved{}
	}
}

// addresses lists the origins with what the baseline knew of them.
func (b *builder) addresses() {
	out := []AddressSummary{}
	for _, o := range b.s.origins {
		a := AddressSummary{IP: o.text, Class: o.class, Location: o.loc, ASN: o.asn, ASO: o.aso, Success: o.ok, Failure: o.bad,
			Familiarity: o.familiarity, Why: o.why, Flagged: o.flag}
		if o.key == 0 {
			a.Class = "service"
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if a.Success+a.Failure != c.Success+c.Failure {
			return a.Success+a.Failure > c.Success+c.Failure
		}
		return a.IP < c.IP
	})
	b.inv.Addresses = out
}

// summary is the overview sentence.
func (b *builder) summary() string {
	inv := b.inv
	who := string(inv.Entity.Type) + " " + inv.Entity.ID
	if inv.Label != "" && inv.Label != inv.Entity.ID {
		who = string(inv.Entity.Type) + " " + inv.Label + " (" + inv.Entity.ID + ")"
	}
	var calls int64
	for _, o := range b.s.origins {
		calls += o.ok + o.bad
	}
	sessions := 0
	for _, c := range b.s.callers {
		if c.role == "started session" {
			sessions++
		}
	}
	msg := fmt.Sprintf("%s made %s from %s between %s and %s", who, plural(int(calls), "call"), plural(len(b.s.origins), "origin"),
		isoTime(inv.Scope.Start), isoTime(inv.Scope.End))
	if sessions > 0 {
		msg += fmt.Sprintf(", including those of %s it started", plural(sessions, "role session"))
	}
	msg += "."
	sus := 0
	for _, o := range b.s.origins {
		if o.suspicious() {
			sus++
		}
	}
	if sus > 0 {
		msg += fmt.Sprintf(" %s unfamiliar to the account or flagged.", plural(sus, "origin")+map[bool]string{true: " is", false: " are"}[sus == 1])
	}
	if len(inv.Tactics) > 0 {
		var names []string
		for _, t := range inv.Tactics {
			if t.Severity.Rank() >= Medium.Rank() {
				names = append(names, t.Tactic)
			}
		}
		if len(names) > 0 {
			msg += " Tactics at medium severity or above: " + strings.Join(names, ", ") + "."
		}
	}
	return msg + fmt.Sprintf(" Severity %s.", inv.Severity)
}

func shortAPI(api string) string {
	if _, name, ok := strings.Cut(api, ":"); ok {
		return name
	}
	return api
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listSome joins up to n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func fromAddresses(ips map[string]bool) string {
	if len(ips) == 0 {
		return ""
	}
	list := make([]string, 0, len(ips))
	for ip := range ips {
		list = append(list, ip)
	}
	sort.Strings(list)
	return " from " + listSome(list, 3)
}

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// plural renders a count with its noun, "1 call", "2 calls".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
