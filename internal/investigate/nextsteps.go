package investigate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// nextSteps recommends what to do, most urgent first, from what the
// indicators show. Each step names the entities and times it is about so
// that it can be acted on from the report alone.
func nextSteps(b *builder) []string {
	inv, s := b.inv, b.s
	var steps []string
	add := func(format string, args ...any) {
		st := fmt.Sprintf(format, args...)
		if !containsString(steps, st) {
			steps = append(steps, st)
		}
	}
	serious := func(in Indicator) bool { return in.Severity.Rank() >= Medium.Rank() }
	// techniqueAPIs lists the calls behind medium-or-worse indicators of
	// the techniques whose id starts with one of the prefixes.
	techniqueAPIs := func(prefixes ...string) []string {
		var out []string
		for _, in := range inv.Indicators {
			if in.Type != TTPObserved || !serious(in) || in.Source != kindAPI {
				continue
			}
			for _, p := range prefixes {
				if strings.HasPrefix(in.TechniqueID, p) && !containsString(out, shortAPI(in.APIName)) {
					out = append(out, shortAPI(in.APIName))
				}
			}
		}
		sort.Strings(out)
		return out
	}

	// Credentials used from suspicious origins: cut them off first.
	var longKeys, sessionRoles []string
	for _, u := range s.keyUses {
		o := s.origins[s.names[u.ip].ID]
		if u.ip == 0 || o == nil || !o.suspicious() {
			continue
		}
		if k := s.names[u.key].ID; strings.HasPrefix(k, "AKIA") && !containsString(longKeys, k) {
			longKeys = append(longKeys, k)
		}
		if p := s.names[u.principal]; p.Type == trailhound.AwsRoleSession {
			if role, _, ok := strings.Cut(p.ID, ":"); ok && !containsString(sessionRoles, role) {
				sessionRoles = append(sessionRoles, role)
			}
		}
	}
	sort.Strings(longKeys)
	sort.Strings(sessionRoles)
	if len(longKeys) > 0 {
		add("Deactivate access key %s (aws iam update-access-key --status Inactive) now, and issue a new one only once you know how it leaked: it was used from unfamiliar origins.",
			strings.Join(longKeys, ", "))
	}
	if len(sessionRoles) > 0 {
		add("Revoke the active sessions of role %s (IAM console: Revoke active sessions, which denies credentials issued before now); its temporary credentials were used from unfamiliar origins.",
			strings.Join(sessionRoles, ", "))
	}
	var sus []string
	for _, o := range s.origins {
		if o.suspicious() {
			sus = append(sus, o.text)
		}
	}
	sort.Strings(sus)
	for _, in := range inv.Indicators {
		if in.Type == TTPObserved && in.Source == "flows" && serious(in) && in.IPAddress != "" && !containsString(sus, in.IPAddress) {
			sus = append(sus, in.IPAddress)
		}
	}
	if len(sus) > 0 {
		add("Block %s at the network edge (security groups, network ACLs, WAF) and search the other accounts for activity from %s.",
			listSome(sus, 5), pluralThem(len(sus)))
	}
	if apis := techniqueAPIs("T1098", "T1136", "T1525", "T1556", "T1484"); len(apis) > 0 {
		add("Undo what the attacker left behind: review every user, role, access key, login profile, key pair, policy and trust change made with %s between %s and %s, and delete what nobody asked for.",
			strings.Join(apis, ", "), isoTime(inv.Scope.Start), isoTime(inv.Scope.End))
	}
	if apis := techniqueAPIs("T1562", "T1666"); len(apis) > 0 {
		add("Restore the defenses changed with %s: restart trail logging (aws cloudtrail start-logging), recreate deleted trails, detectors and flow logs, and close the security group rules opened; logs may have a gap from the first of these calls.",
			strings.Join(apis, ", "))
	}
	if apis := techniqueAPIs("T1578", "T1496", "T1059.009"); len(apis) > 0 {
		add("Find and remove the compute created or changed with %s (instances, snapshots), which may be running up costs.", strings.Join(apis, ", "))
	}
	var regions []string
	for _, in := range inv.Indicators {
		if in.Type == TTPObserved && in.TechniqueID == "T1535" && serious(in) {
			if i := strings.LastIndex(in.Procedure, "("); i >= 0 {
				r := strings.TrimSuffix(in.Procedure[i+1:], ")")
				if !containsString(regions, r) {
					regions = append(regions, r)
				}
			}
		}
	}
	if len(regions) > 0 {
		add("List and terminate what was created in %s (instances, key pairs, security groups), and consider a service control policy that denies the regions you do not use.",
			strings.Join(regions, ", "))
	}
	if apis := techniqueAPIs("T1555", "T1552"); len(apis) > 0 {
		add("Rotate the secrets and parameters read with %s from unfamiliar origins, and the credentials they hold.", strings.Join(apis, ", "))
	}
	for _, in := range inv.Indicators {
		switch {
		case in.Type == TTPObserved && in.TechniqueID == "T1567" && serious(in):
			add("Find which objects were downloaded to %s (S3 data events of the buckets) and whether they hold personal or secret data; follow your breach-notification process.", in.IPAddress)
		case in.Type == TTPObserved && in.TechniqueID == "T1552.005" && serious(in):
			add("Treat the instance behind %s as compromised: find how its metadata credentials leaked (server-side request forgery, IMDSv1), require IMDSv2, and replace it.", in.Principal.ID)
		case in.Type == TTPObserved && (in.TechniqueID == "T1110.001" || in.TechniqueID == "T1133") && in.Source == "flows" && serious(in):
			add("Restrict remote administration ports of %s to known addresses; snapshot its volumes for forensics, then rebuild it, since a session from %s got in.", s.ref.ID, in.IPAddress)
		case in.Type == TTPObserved && in.TechniqueID == "T1496" && in.Source == "flows" && serious(in):
			add("Stop instance %s: it talks to a mining pool at %s. Then find who launched it.", s.ref.ID, in.IPAddress)
		case in.Type == TTPObserved && in.TechniqueID == "T1550.001" && serious(in):
			add("Investigate session %s in its own account: the activity crossed into it.", in.Principal.ID)
		case in.Type == ImpossibleTravel && serious(in):
			add("Ask the owner of %s whether they were in %s and %s within %.2f hours; if not, the credentials are shared with someone else.",
				inv.Entity.ID, in.StartingLocation.String(), in.EndingLocation.String(), *in.HourlyTimeDelta)
		}
	}
	var findings []string
	for _, in := range inv.Indicators {
		if in.Type == RelatedFinding && serious(in) {
			findings = append(findings, in.FindingID)
		}
	}
	if len(findings) > 0 {
		add("Review the related GuardDuty findings %s, and archive them once handled.", listSome(findings, 5))
	}
	if inv.Severity.Rank() <= Low.Rank() && len(steps) == 0 {
		add("No action is needed on this evidence; archive the investigation once reviewed, or widen the scope if you suspect earlier activity.")
	}
	add("Open the profile of %s for this scope to read every call behind the indicators: %s.", inv.Entity.ID, ProfilePath(inv.Entity, inv.Scope))
	return steps
}

func pluralThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// ProfilePath is the console path of an entity's profile over a scope,
// the drill-down target of every indicator.
func ProfilePath(r Ref, s ScopeJSON) string {
	return fmt.Sprintf("/entities/%s/%s?scopeStart=%d&scopeEnd=%d", escapeSegment(string(r.Type)), escapeSegment(r.ID), s.Start, s.End)
}

// escapeSegment percent-encodes everything but unreserved characters, so
// that the path is safe in HTML attributes, Markdown link targets and
// terminals alike.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	out := b.String()
	if out == "." || out == ".." {
		return strings.Repeat("%2E", len(out))
	}
	return out
}
