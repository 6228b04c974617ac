package investigate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/evidence"
)

// Thresholds of the derived behaviors.
const (
	bulkDownloadObjects = 100 // objects downloaded from one unfamiliar origin
	consoleFailures     = 3   // failed console sign-ins
)

// globalSources are services whose calls CloudTrail logs in one region
// whatever region the caller works in, so their region says nothing about
// where resources are.
var globalSources = map[string]bool{
	"iam.amazonaws.com": true, "sts.amazonaws.com": true, "signin.amazonaws.com": true, "organizations.amazonaws.com": true,
	"route53.amazonaws.com": true, "cloudfront.amazonaws.com": true, "ce.amazonaws.com": true, "health.amazonaws.com": true,
	"s3.amazonaws.com": true, "support.amazonaws.com": true,
}

// builder turns a subject into indicators, severity and report parts.
type builder struct {
	iv  *Investigator
	s   *subject
	inv *Investigation
}

func (b *builder) build(ctx context.Context) error {
	b.inv.Notes = append(b.inv.Notes, b.s.notes...)
	b.apiTTPs()
	b.behaviors()
	if b.s.ref.Type == trailhound.Ec2Instance {
		if err := b.flowTTPs(ctx); err != nil {
			return err
		}
	}
	b.newValues()
	if err := b.travel(ctx); err != nil {
		return err
	}
	b.flagged()
	if err := b.relatedFindings(ctx); err != nil {
		return err
	}
	if err := b.relatedGroups(ctx); err != nil {
		return err
	}
	b.finish()
	return nil
}

// ref returns a link to the entity behind a key.
func (b *builder) ref(key int64) *Ref {
	n, ok := b.s.names[key]
	if !ok {
		return nil
	}
	return &Ref{Type: n.Type, ID: n.ID}
}

func (b *builder) originOf(g callGroup) *origin {
	text := g.source
	if g.ip != 0 {
		text = b.s.names[g.ip].ID
	}
	if text == "" {
		text = "(none)"
	}
	return b.s.origins[text]
}

func (b *builder) add(in Indicator) { b.inv.Indicators = append(b.inv.Indicators, in) }

// ttpFrom fills an indicator's ATT&CK fields from a mapping.
func ttpFrom(m Mapping, source string) Indicator {
	return Indicator{Type: TTPObserved, Tactic: m.Tactic, TacticID: m.TacticID, Technique: m.Technique, TechniqueID: m.TechniqueID,
		Procedure: m.Procedure, Source: source}
}

func i64(v int64) *int64 { return &v }

// apiTTPs raises a TTP_OBSERVED for every mapped API, per tactic,
// technique, address and principal, graded by where the calls came from
// and whether the principal made them before.
func (b *builder) apiTTPs() {
	type key struct {
		tactic, technique, api, ip string
		actor                      int64
	}
	type acc struct {
		m           Mapping
		o           *origin
		ok, bad     int64
		first, last time.Time
		example     int64
		known       bool
	}
	accs := map[key]*acc{}
	var order []key
	for _, g := range b.s.groups {
		api := b.s.names[g.api].ID
		maps := b.iv.ttp.API(api)
		if len(maps) == 0 {
			continue
		}
		o := b.originOf(g)
		for _, m := range maps {
			k := key{m.Tactic, m.TechniqueID, api, o.text, g.actor}
			a := accs[k]
			if a == nil {
				a = &acc{m: m, o: o, first: g.first, last: g.last, example: g.example, known: b.s.actorAPI[[2]int64{g.actor, g.api}]}
				accs[k] = a
				order = append(order, k)
			}
			a.ok += g.ok
			a.bad += g.bad
			if g.first.Before(a.first) {
				a.first, a.example = g.first, g.example
			}
			if g.last.After(a.last) {
				a.last = g.last
			}
		}
	}
	for _, k := range order {
		a := accs[k]
		in := ttpFrom(a.m, kindAPI)
		in.APIName, in.APISuccessCount, in.APIFailureCount = k.api, i64(a.ok), i64(a.bad)
		if a.o.key != 0 {
			in.IPAddress = a.o.text
			in.Entities = append(in.Entities, Ref{Type: trailhound.IPAddress, ID: a.o.text})
		}
		in.Principal = b.ref(a.example)
		in.FirstSeen, in.LastSeen = a.first.Unix(), a.last.Unix()
		in.Severity, in.SeverityReason = b.apiSeverity(a.m.Tactic, a.o, a.known, k.actor, a.ok, a.bad)
		b.add(in)
	}
}

// tacticWeight grades what a tactic does when it comes from a suspicious
// origin: reading (discovery, reconnaissance) is the least harmful,
// getting in and collecting data more, changing or taking things most.
func tacticWeight(tactic string) Severity {
	switch tactic {
	case "Discovery", "Reconnaissance", "Resource Development":
		return Low
	case "Initial Access", "Collection", "Command and Control":
		return Medium
	}
	return High
}

// apiSeverity grades mapped calls.
func (b *builder) apiSeverity(tactic string, o *origin, known bool, actor, ok, bad int64) (Severity, string) {
	who := b.s.names[actor].label
	if who == "" {
		who = b.s.names[actor].ID
	}
	if o.suspicious() {
		sev := tacticWeight(tactic)
		reason := fmt.Sprintf("Called from %s: %s.", o.text, strings.Join(o.why, "; "))
		switch {
		case tactic == "Discovery" && bad > 0:
			sev = Medium
			reason += fmt.Sprintf(" %d of %d calls were denied, as when stolen credentials are probed for what they may do.", bad, ok+bad)
		case ok == 0 && tacticWeight(tactic).Rank() > Low.Rank():
			sev = sev.raise(-1)
			reason += " Every call was denied."
		}
		if o.flag != nil {
			sev = sev.raise(1)
		}
		return sev, reason
	}
	switch {
	case known && o.familiarity != famNew:
		return Informational, fmt.Sprintf("Routine: %s made this call during the baseline, and %s.", who, o.describe())
	case known:
		return Low, fmt.Sprintf("%s made this call during the baseline, but %s.", who, o.describe())
	case !b.s.actorHasCalls[actor]:
		return Low, fmt.Sprintf("%s made no call during the baseline, so every call is new; %s.", who, o.describe())
	}
	return Low, fmt.Sprintf("First call of this API by %s since the baseline began; %s.", who, o.describe())
}

// describe says in a clause how familiar an origin is.
func (o *origin) describe() string {
	switch o.familiarity {
	case famKnown:
		return "it came from " + o.text + ", which the principal used during the baseline"
	case famAccount:
		return "it came from " + o.text + ": " + strings.Join(o.why, "; ")
	case famNew:
		return "it came from " + o.text + ", which no call of the account used during the baseline, though nothing else about it is new"
	case famInternal, famService:
		return "it came from " + o.text + ", " + strings.Join(o.why, "; ")
	}
	return "it came from " + o.text
}

// behaviors raises the TTPs that no single call shows.
func (b *builder) behaviors() {
	s := b.s
	// Credentials used from unfamiliar origins: getting in, and passing
	// as the legitimate principal.
	type use struct {
		o           *origin
		actor       int64
		ok, bad     int64
		first, last time.Time
		example     int64
	}
	uses := map[[2]any]*use{}
	var order [][2]any
	for _, g := range s.groups {
		o := b.originOf(g)
		if !o.suspicious() {
			continue
		}
		k := [2]any{o.text, g.actor}
		u := uses[k]
		if u == nil {
			u = &use{o: o, actor: g.actor, first: g.first, last: g.last, example: g.example}
			uses[k] = u
			order = append(order, k)
		}
		u.ok += g.ok
		u.bad += g.bad
		if g.first.Before(u.first) {
			u.first, u.example = g.first, g.example
		}
		if g.last.After(u.last) {
			u.last = g.last
		}
	}
	for _, k := range order {
		u := uses[k]
		for _, m := range b.iv.ttp.Behavior("unfamiliar-origin") {
			in := ttpFrom(m, kindBehavior)
			in.IPAddress, in.APISuccessCount, in.APIFailureCount = u.o.text, i64(u.ok), i64(u.bad)
			in.Entities = []Ref{{Type: trailhound.IPAddress, ID: u.o.text}}
			in.Principal = b.ref(u.example)
			in.FirstSeen, in.LastSeen = u.first.Unix(), u.last.Unix()
			in.Severity = Medium
			if u.o.flag != nil {
				in.Severity = High
			}
			in.SeverityReason = fmt.Sprintf("%d calls came from %s: %s.", u.ok+u.bad, u.o.text, strings.Join(u.o.why, "; "))
			b.add(in)
		}
	}

	// Instance profile credentials used away from their instance.
	type sessIP struct{ principal, ip int64 }
	seen := map[sessIP]bool{}
	for _, u := range s.keyUses {
		n := s.names[u.principal]
		o := s.origins[s.names[u.ip].ID]
		if u.ip == 0 || o == nil || !o.suspicious() || !isInstanceSession(n) || seen[sessIP{u.principal, u.ip}] {
			continue
		}
		seen[sessIP{u.principal, u.ip}] = true
		_, inst, _ := strings.Cut(n.ID, ":")
		for _, m := range b.iv.ttp.Behavior("instance-credentials-outside") {
			in := ttpFrom(m, kindBehavior)
			in.IPAddress, in.APISuccessCount, in.APIFailureCount = o.text, i64(u.ok), i64(u.bad)
			in.Principal = &Ref{Type: n.Type, ID: n.ID}
			in.Entities = []Ref{{Type: trailhound.IPAddress, ID: o.text}, {Type: trailhound.Ec2Instance, ID: inst}}
			in.FirstSeen, in.LastSeen = o.first.Unix(), o.last.Unix()
			in.Severity = High
			in.SeverityReason = fmt.Sprintf("The session is named after instance %s, so its credentials came from the instance's metadata service, yet %d calls came from %s: %s.",
				inst, u.ok+u.bad, o.text, strings.Join(o.why, "; "))
			b.add(in)
		}
	}

	// Resources created or changed in regions the account did not use.
	type regionKey struct {
		region, ip string
		actor      int64
	}
	regions := map[regionKey]*use{}
	var rorder []regionKey
	for _, g := range s.groups {
		api := s.names[g.api].ID
		src, _, _ := strings.Cut(api, ":")
		if g.readOnly || g.region == "" || globalSources[src] || !s.accountHasCalls[g.account] || s.accountRegion[g.account][g.region] {
			continue
		}
		o := b.originOf(g)
		k := regionKey{g.region, o.text, g.actor}
		u := regions[k]
		if u == nil {
			u = &use{o: o, actor: g.actor, first: g.first, last: g.last, example: g.example}
			regions[k] = u
			rorder = append(rorder, k)
		}
		u.ok += g.ok
		u.bad += g.bad
		if g.last.After(u.last) {
			u.last = g.last
		}
	}
	for _, k := range rorder {
		u := regions[k]
		for _, m := range b.iv.ttp.Behavior("unused-region") {
			in := ttpFrom(m, kindBehavior)
			in.Procedure = m.Procedure + " (" + k.region + ")"
			in.IPAddress, in.APISuccessCount, in.APIFailureCount = u.o.text, i64(u.ok), i64(u.bad)
			in.Principal = b.ref(u.example)
			in.FirstSeen, in.LastSeen = u.first.Unix(), u.last.Unix()
			if u.o.key != 0 {
				in.Entities = []Ref{{Type: trailhound.IPAddress, ID: u.o.text}}
			}
			reason := fmt.Sprintf("No call of the account was made in %s during the baseline, and %d calls there changed something.", k.region, u.ok+u.bad)
			if u.o.suspicious() {
				in.Severity = High
				reason += " They came from " + u.o.text + ": " + strings.Join(u.o.why, "; ") + "."
			} else {
				in.Severity = Low
				reason += " " + upperFirst(u.o.describe()) + "."
			}
			in.SeverityReason = reason
			b.add(in)
		}
	}

	// Bulk downloads to unfamiliar origins.
	downloads := map[[2]any]*use{}
	var dorder [][2]any
	for _, g := range s.groups {
		if s.names[g.api].ID != "s3.amazonaws.com:GetObject" {
			continue
		}
		o := b.originOf(g)
		if !o.suspicious() {
			continue
		}
		k := [2]any{o.text, g.actor}
		u := downloads[k]
		if u == nil {
			u = &use{o: o, actor: g.actor, first: g.first, last: g.last, example: g.example}
			downloads[k] = u
			dorder = append(dorder, k)
		}
		u.ok += g.ok
		u.bad += g.bad
		if g.last.After(u.last) {
			u.last = g.last
		}
	}
	for _, k := range dorder {
		u := downloads[k]
		if u.ok < bulkDownloadObjects {
			continue
		}
		for _, m := range b.iv.ttp.Behavior("bulk-download") {
			in := ttpFrom(m, kindBehavior)
			in.APIName = "s3.amazonaws.com:GetObject"
			in.IPAddress, in.APISuccessCount, in.APIFailureCount = u.o.text, i64(u.ok), i64(u.bad)
			in.Entities = []Ref{{Type: trailhound.IPAddress, ID: u.o.text}}
			in.Principal = b.ref(u.example)
			in.FirstSeen, in.LastSeen = u.first.Unix(), u.last.Unix()
			in.Severity = High
			in.SeverityReason = fmt.Sprintf("%d objects were downloaded to %s in %s: %s.", u.ok, u.o.text,
				humanDuration(u.last.Sub(u.first)), strings.Join(u.o.why, "; "))
			b.add(in)
		}
	}

	// Sessions of roles in other accounts.
	for _, c := range s.callers {
		if c.role != "started session" || c.account == "" || c.account == s.ent.Account {
			continue
		}
		var ok, bad int64
		var sus *origin
		for _, u := range s.keyUses {
			if s.names[u.principal].EntityRef != c.ref {
				continue
			}
			ok += u.ok
			bad += u.bad
			if o := s.origins[s.names[u.ip].ID]; u.ip != 0 && o != nil && o.suspicious() && sus == nil {
				sus = o
			}
		}
		for _, m := range b.iv.ttp.Behavior("cross-account-session") {
			in := ttpFrom(m, kindBehavior)
			in.Principal = &Ref{Type: c.ref.Type, ID: c.ref.ID}
			in.APISuccessCount, in.APIFailureCount = i64(ok), i64(bad)
			in.Entities = []Ref{{Type: c.ref.Type, ID: c.ref.ID}, {Type: trailhound.AwsAccount, ID: c.account}}
			reason := fmt.Sprintf("A session of a role in account %s was started from the investigated activity and made %d calls.", c.account, ok+bad)
			if sus != nil {
				in.Severity = High
				in.IPAddress = sus.text
				reason += " It was used from " + sus.text + ": " + strings.Join(sus.why, "; ") + "."
			} else {
				in.Severity = Informational
				reason += " Its calls came from origins the accounts know."
			}
			in.SeverityReason = reason
			b.add(in)
		}
	}

	// Failed console sign-ins.
	type fails struct {
		n       int64
		sus     *origin
		example int64
		first   time.Time
		last    time.Time
	}
	byActor := map[int64]*fails{}
	var actors []int64
	for _, g := range s.groups {
		if s.names[g.api].ID != "signin.amazonaws.com:ConsoleLogin" || g.bad == 0 {
			continue
		}
		f := byActor[g.actor]
		if f == nil {
			f = &fails{example: g.example, first: g.first, last: g.last}
			byActor[g.actor] = f
			actors = append(actors, g.actor)
		}
		f.n += g.bad
		if o := b.originOf(g); o.suspicious() && f.sus == nil {
			f.sus = o
		}
		if g.last.After(f.last) {
			f.last = g.last
		}
	}
	for _, a := range actors {
		f := byActor[a]
		if f.n < consoleFailures {
			continue
		}
		for _, m := range b.iv.ttp.Behavior("console-login-failures") {
			in := ttpFrom(m, kindBehavior)
			in.APIName = "signin.amazonaws.com:ConsoleLogin"
			in.APIFailureCount, in.APISuccessCount = i64(f.n), i64(0)
			in.Principal = b.ref(f.example)
			in.FirstSeen, in.LastSeen = f.first.Unix(), f.last.Unix()
			in.Severity = Low
			in.SeverityReason = fmt.Sprintf("%d console sign-ins failed.", f.n)
			if f.sus != nil {
				in.Severity = Medium
				in.IPAddress = f.sus.text
				in.SeverityReason += " Some came from " + f.sus.text + ": " + strings.Join(f.sus.why, "; ") + "."
			}
			b.add(in)
		}
	}
}

// newValues turns the evidence of the callers into NEW_GEOLOCATION,
// NEW_ASO and NEW_USER_AGENT indicators.
func (b *builder) newValues() {
	allAccounts := map[string]bool{}
	for _, it := range b.s.evidence {
		switch it.Kind {
		case evidence.NewGeolocationAllAccounts, evidence.NewASOAllAccounts, evidence.NewUserAgentAllAccounts:
			allAccounts[string(it.Kind)+"\x00"+it.Value] = true
		}
	}
	for _, it := range b.s.evidence {
		var in Indicator
		var all bool
		switch it.Kind {
		case evidence.NewGeolocation:
			loc := *it.Location
			in = Indicator{Type: NewGeolocation, Location: &loc}
			all = allAccounts[string(evidence.NewGeolocationAllAccounts)+"\x00"+it.Value]
		case evidence.NewASO:
			in = Indicator{Type: NewASO, ASO: it.ASOrg, ASN: it.ASN, Entities: it.Related}
			if in.ASO == "" {
				in.ASO = fmt.Sprintf("AS%d", it.ASN)
			}
			all = allAccounts[string(evidence.NewASOAllAccounts)+"\x00"+it.Value]
		case evidence.NewUserAgent:
			in = Indicator{Type: NewUserAgent, UserAgent: it.UserAgent, Entities: it.Related}
			all = allAccounts[string(evidence.NewUserAgentAllAccounts)+"\x00"+it.Value]
		default:
			continue
		}
		newAcct := it.IsNewForEntireAccount
		in.IsNewForEntireAccount = &newAcct
		for i, a := range it.Addresses {
			if i == 0 {
				in.IPAddress = a.Entity.ID
			}
			in.Entities = append(in.Entities, a.Entity)
		}
		in.Principal = &Ref{Type: it.Entity.Type, ID: it.Entity.ID}
		in.APISuccessCount, in.APIFailureCount = i64(it.Success), i64(it.Failure)
		in.FirstSeen, in.LastSeen = it.Time, it.LastSeen
		who := it.Label
		if who == "" {
			who = it.Entity.ID
		}
		switch {
		case all:
			in.Severity = Low
			in.SeverityReason = fmt.Sprintf("New for %s, for account %s and for every account of the store: nobody used %s during the baseline.", who, it.Account, it.Value)
		case newAcct:
			in.Severity = Low
			in.SeverityReason = fmt.Sprintf("New for %s and for account %s: no call of the account used %s during the baseline.", who, it.Account, it.Value)
		default:
			in.Severity = Informational
			in.SeverityReason = fmt.Sprintf("New for %s, but other principals of account %s used %s during the baseline.", who, it.Account, it.Value)
		}
		b.add(in)
	}
}

// flagged raises FLAGGED_IP_ADDRESS for the origins the threat lists name.
func (b *builder) flagged() {
	texts := make([]string, 0, len(b.s.origins))
	for t := range b.s.origins {
		texts = append(texts, t)
	}
	sort.Strings(texts)
	for _, t := range texts {
		o := b.s.origins[t]
		if o.flag == nil {
			continue
		}
		in := Indicator{Type: FlaggedIPAddress, IPAddress: o.text, Reason: o.flag.Reason, ListSource: o.flag.Source,
			APISuccessCount: i64(o.ok), APIFailureCount: i64(o.bad), FirstSeen: o.first.Unix(), LastSeen: o.last.Unix(),
			Entities: []Ref{{Type: trailhound.IPAddress, ID: o.text}}}
		if o.ok > 0 {
			in.Severity = High
			in.SeverityReason = fmt.Sprintf("%d calls from %s succeeded; the list says: %s.", o.ok, o.text, o.flag.Reason)
		} else {
			in.Severity = Medium
			in.SeverityReason = fmt.Sprintf("Every call from %s was denied; the list says: %s.", o.text, o.flag.Reason)
		}
		b.add(in)
	}
}

// relatedFindings raises RELATED_FINDING for the GuardDuty findings that
// name the entity, the sessions it started or the access keys used, during
// the scope.
func (b *builder) relatedFindings(ctx context.Context) error {
	s := b.s
	refs := []trailhound.EntityRef{s.ref}
	seenRef := map[trailhound.EntityRef]bool{s.ref: true}
	addRef := func(r trailhound.EntityRef) {
		if r.ID != "" && !seenRef[r] {
			seenRef[r] = true
			refs = append(refs, r)
		}
	}
	for _, c := range s.callers {
		addRef(c.ref)
	}
	for _, u := range s.keyUses {
		if n, ok := s.names[u.key]; ok {
			addRef(n.EntityRef)
		}
	}
	found, err := b.findingsInvolving(ctx, refs)
	if err != nil {
		return err
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Severity != found[j].Severity {
			return found[i].Severity > found[j].Severity
		}
		return found[i].ID < found[j].ID
	})
	if len(found) > maxFindings {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%d related findings; the %d most severe are listed.", len(found), maxFindings))
		found = found[:maxFindings]
	}
	for _, f := range found {
		detail, err := b.iv.eng.Finding(ctx, f.ID)
		if err != nil {
			return err
		}
		sev := f.Severity
		in := Indicator{Type: RelatedFinding, FindingID: f.ID, Arn: detail.ARN, FindingType: f.Type, Title: f.Title, FindingSeverity: &sev,
			FirstSeen: f.FirstSeen, LastSeen: f.LastSeen, Entities: []Ref{{Type: trailhound.FindingEntity, ID: f.ID}}}
		for _, e := range detail.Entities {
			if e.Type == trailhound.IPAddress && in.IPAddress == "" {
				in.IPAddress = e.ID
				in.Entities = append(in.Entities, Ref{Type: e.Type, ID: e.ID})
			}
		}
		if ms := b.iv.ttp.Finding(f.Type); len(ms) > 0 {
			m := ms[0]
			in.Tactic, in.TacticID, in.Technique, in.TechniqueID, in.Procedure = m.Tactic, m.TacticID, m.Technique, m.TechniqueID, m.Procedure
		}
		in.Severity = findingSeverity(f.Severity)
		in.SeverityReason = fmt.Sprintf("GuardDuty rated it %.1f (%s).", f.Severity, strings.ToLower(string(in.Severity)))
		if f.Archived {
			in.Severity = in.Severity.raise(-1)
			in.SeverityReason += " It is archived, which lowers it a level."
		}
		b.add(in)
	}
	return nil
}

// findingsInvolving returns the latest versions of the findings that name
// any of the entities and whose observed period overlaps the scope, as the
// associated-findings panel selects them, in one query for all entities.
func (b *builder) findingsInvolving(ctx context.Context, refs []trailhound.EntityRef) ([]analysis.AssociatedFinding, error) {
	ts := b.iv.dialect.Timestamp()
	var out []analysis.AssociatedFinding
	const chunk = 500
	for i := 0; i < len(refs); i += chunk {
		part := refs[i:min(i+chunk, len(refs))]
		keys := make([]any, len(part))
		for j, r := range part {
			keys[j] = r.Key()
		}
		rows, err := b.iv.db.QueryContext(ctx, `SELECT f.id, coalesce(f.title, ''), coalesce(f.type, ''), coalesce(f.severity, 0), coalesce(f.account, ''),
  coalesce(f.region, ''), coalesce(f.first_seen, f.created_at, f.updated_at), coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at),
  coalesce(f.archived, false)
FROM latest_findings f
WHERE f.id IN (SELECT n.id FROM edges r JOIN entities n ON n.key = r.src AND n.namespace = ?
               WHERE r.kind = 'finding_involves' AND r.dst IN (`+placeholders(len(keys))+`))
  AND coalesce(f.first_seen, f.created_at, f.updated_at) < `+ts+`
  AND coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at) >= `+ts,
			concat([]any{string(trailhound.FindingEntity)}, keys, []any{b.s.scope.End, b.s.scope.Start})...)
		if err != nil {
			return nil, fmt.Errorf("investigate: related findings: %w", err)
		}
		for rows.Next() {
			var f analysis.AssociatedFinding
			var first, last time.Time
			if err := rows.Scan(&f.ID, &f.Title, &f.Type, &f.Severity, &f.Account, &f.Region, &first, &last, &f.Archived); err != nil {
				rows.Close()
				return nil, fmt.Errorf("investigate: related findings: %w", err)
			}
			f.FirstSeen, f.LastSeen = first.Unix(), last.Unix()
			out = append(out, f)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("investigate: related findings: %w", err)
		}
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, f := range out {
		if !seen[f.ID] {
			seen[f.ID] = true
			uniq = append(uniq, f)
		}
	}
	return uniq, nil
}

// findingSeverity maps GuardDuty's 0–10 severity onto the five levels, by
// GuardDuty's own bands.
func findingSeverity(v float64) Severity {
	switch {
	case v >= 9:
		return Critical
	case v >= 7:
		return High
	case v >= 4:
		return Medium
	case v > 0:
		return Low
	}
	return Informational
}

// relatedGroups asks the group source for groups that involve the
// investigation's entities.
func (b *builder) relatedGroups(ctx context.Context) error {
	if b.iv.groups == nil {
		b.inv.Notes = append(b.inv.Notes, "No finding-group source is configured, so related finding groups were not looked for.")
		return nil
	}
	refs := []trailhound.EntityRef{b.s.ref}
	for _, c := range b.s.callers {
		if c.ref != b.s.ref {
			refs = append(refs, c.ref)
		}
	}
	groups, err := b.iv.groups.GroupsInvolving(ctx, refs, b.s.scope)
	if err != nil {
		return fmt.Errorf("investigate: finding groups: %w", err)
	}
	for _, g := range groups {
		in := Indicator{Type: RelatedFindingGroup, GroupID: g.ID, Title: g.Title, FirstSeen: g.FirstSeen.Unix(), LastSeen: g.LastSeen.Unix(),
			Entities: []Ref{{Type: trailhound.FindingGroup, ID: g.ID}}}
		sev := g.Severity
		in.FindingSeverity = &sev
		in.Severity = findingSeverity(g.Severity)
		in.SeverityReason = fmt.Sprintf("The group's most severe finding is rated %.1f.", g.Severity)
		if len(g.Tactics) > 0 {
			in.SeverityReason += " Its tactics: " + strings.Join(g.Tactics, " → ") + "."
		}
		b.add(in)
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// humanDuration renders a duration the way reports speak.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f hours", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}
