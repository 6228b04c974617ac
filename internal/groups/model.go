package groups

import (
	"fmt"
	"time"

	"github.com/trailhound/trailhound"
)

// Ref names an entity of the behavior graph, as every answer of the API
// does.
type Ref struct {
	Type trailhound.Namespace `json:"type"`
	ID   string               `json:"id"`
}

func (r Ref) entityRef() trailhound.EntityRef { return trailhound.EntityRef{Type: r.Type, ID: r.ID} }

// String renders the reference as "<Namespace>/<id>".
func (r Ref) String() string { return string(r.Type) + "/" + r.ID }

// Scope is a time range in epoch seconds, [ScopeStart, ScopeEnd).
type Scope struct {
	Start int64 `json:"scopeStart"`
	End   int64 `json:"scopeEnd"`
}

// Group statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// How a group came to be (Summary.Origin) and how a parent relates to a
// child (Lineage.Kind).
const (
	OriginGrouped = "grouped" // built from findings as they arrived
	OriginBridge  = "bridge"  // a finding related to several groups
	OriginMerge   = "merge"   // an analyst merged groups
	OriginSplit   = "split"   // an analyst split a member out
	OriginRebuild = "rebuild" // (edits only) groups rebuilt from scratch
)

// Reason kinds: why a finding is in a group.
const (
	// ReasonFirst: the finding started the group.
	ReasonFirst = "first"
	// ReasonSharedEntity: the finding and an earlier member name the
	// same entity.
	ReasonSharedEntity = "shared-entity"
	// ReasonRelatedEntity: one of them names an entity the behavior graph
	// links to an entity the other names (a user and the instance it
	// launched).
	ReasonRelatedEntity = "related-entity"
	// ReasonAnalystMerge: an analyst merged the finding's group into this
	// one.
	ReasonAnalystMerge = "analyst-merge"
	// ReasonAnalystSplit: an analyst split the finding out of its group.
	ReasonAnalystSplit = "analyst-split"
)

// Relations through which a finding reaches an entity it does not name,
// read "<named entity> <relation> <entity>".
const (
	RelCreated   = "created"
	RelCreatedBy = "created_by"
	RelStarted   = "started"
	RelStartedBy = "started_by"
	RelHasKey    = "has_access_key"
	RelKeyOf     = "access_key_of"
)

var relationText = map[string]string{
	RelCreated:   "created",
	RelCreatedBy: "was created by",
	RelStarted:   "started",
	RelStartedBy: "was started by",
	RelHasKey:    "has the access key",
	RelKeyOf:     "is an access key of",
}

// Reason says why a finding is a member of a group: the finding it joined
// through and what relates the two.
type Reason struct {
	Kind string `json:"kind"`
	// Finding is the member the finding joined through (for analyst
	// merges, the first finding of the group merged into).
	Finding string `json:"finding,omitempty"`
	// Entity is the entity both findings involve.
	Entity *Ref `json:"entity,omitempty"`
	// Named and Relation, when set, say how the joining finding reaches
	// Entity without naming it: it names Named, which Relation relates
	// to Entity ("Ec2Instance i-1 created_by AwsUser AIDA...").
	Named    *Ref   `json:"named,omitempty"`
	Relation string `json:"relation,omitempty"`
	// ViaNamed and ViaRelation say the same of the member joined through.
	ViaNamed    *Ref   `json:"viaNamed,omitempty"`
	ViaRelation string `json:"viaRelation,omitempty"`
	// GapSeconds is the time between the two findings' observed periods
	// (0 when they overlap).
	GapSeconds int64 `json:"gapSeconds"`
	// Chained is set when the gap exceeded the window and the findings
	// were related because their tactics follow each other (Tactics,
	// earlier finding first).
	Chained bool     `json:"chained,omitempty"`
	Tactics []string `json:"tactics,omitempty"`
	// Who and At name the analyst and the time of an analyst edit.
	Who string `json:"who,omitempty"`
	At  int64  `json:"at,omitempty"`
	// Text explains the reason in a sentence.
	Text string `json:"text"`
}

// explain fills r.Text.
func (r *Reason) explain() {
	switch r.Kind {
	case ReasonFirst:
		r.Text = "First finding of the group."
	case ReasonAnalystMerge:
		r.Text = fmt.Sprintf("Merged by %s at %s with the group of finding %s.", r.Who, time.Unix(r.At, 0).UTC().Format(time.RFC3339), r.Finding)
	case ReasonAnalystSplit:
		r.Text = fmt.Sprintf("Split out of its group by %s at %s.", r.Who, time.Unix(r.At, 0).UTC().Format(time.RFC3339))
	case ReasonSharedEntity, ReasonRelatedEntity:
		s := fmt.Sprintf("Shares %s with finding %s", r.Entity, r.Finding)
		var via []string
		if r.Named != nil {
			via = append(via, fmt.Sprintf("this finding's %s %s %s", r.Named, relationText[r.Relation], r.Entity))
		}
		if r.ViaNamed != nil {
			via = append(via, fmt.Sprintf("that finding's %s %s %s", r.ViaNamed, relationText[r.ViaRelation], r.Entity))
		}
		for i, v := range via {
			if i == 0 {
				s += " (" + v
			} else {
				s += "; " + v
			}
			if i == len(via)-1 {
				s += ")"
			}
		}
		if r.GapSeconds == 0 {
			s += ", observed at overlapping times"
		} else {
			s += ", observed " + humanDuration(r.GapSeconds) + " apart"
		}
		if r.Chained {
			s += fmt.Sprintf(", beyond the window but in tactic order (%s)", chainTitle(r.Tactics))
		}
		r.Text = s + "."
	}
}

// humanDuration renders seconds as "42s", "17m", "3h05m" or "2d04h".
func humanDuration(s int64) string {
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm", s/60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

// Summary is one finding group as lists show it.
type Summary struct {
	ID     string `json:"id"`
	Group  Ref    `json:"group"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Origin string `json:"origin"`
	// Severity is the highest member severity; Band names its range.
	Severity float64 `json:"severity"`
	Band     string  `json:"band"`
	// Tactics is the tactics chain: the members' ATT&CK tactics in
	// kill-chain order.
	Tactics  []Tactic `json:"tactics"`
	Accounts []string `json:"accounts"`
	// FindingCount, EntityCount and PrincipalCount count the members,
	// the entities that relate them and the principals among those (a
	// role and its sessions are one).
	FindingCount   int `json:"findingCount"`
	EntityCount    int `json:"entityCount"`
	PrincipalCount int `json:"principalCount"`
	// FirstSeen and LastSeen bound the members' observed periods; Scope
	// is the group's default scope (first to last, at least a minute).
	FirstSeen int64 `json:"firstSeen"`
	LastSeen  int64 `json:"lastSeen"`
	Scope     Scope `json:"scope"`
	CreatedAt int64 `json:"createdAt"`
	UpdatedAt int64 `json:"updatedAt"`
	// ClosedAt is when the group became inactive.
	ClosedAt int64 `json:"closedAt,omitempty"`
}

// Band names the range of a severity as GuardDuty does: "low" (below 4),
// "medium" (4 to below 7), "high" (7 to below 9), "critical" (9 and
// above).
func Band(severity float64) string {
	switch {
	case severity >= 9:
		return "critical"
	case severity >= 7:
		return "high"
	case severity >= 4:
		return "medium"
	}
	return "low"
}

// bandRange is the [low, high) severity range of a band.
var bandRange = map[string][2]float64{
	"low":      {0, 4},
	"medium":   {4, 7},
	"high":     {7, 9},
	"critical": {9, 1000},
}

// Detail is one group with its members, entities, lineage and evidence.
type Detail struct {
	Summary
	// Parents and Children are the lineage: the groups this one was made
	// from and those it became.
	Parents  []Lineage `json:"parents"`
	Children []Lineage `json:"children"`
	// Findings are the members in the order they joined, each with why.
	Findings []Member `json:"findings"`
	// Entities are the entities the members name and that relate them,
	// with the members that involve each.
	Entities []InvolvedEntity `json:"entities"`
	// Ignored are the entities the members name that were not used to
	// relate findings, and why.
	Ignored []IgnoredEntity `json:"ignored"`
	// Evidence are informational items about the group's principals
	// during EvidenceScope: the group's scope, from a while before its
	// first finding (the calls a finding describes often start before
	// GuardDuty's first sighting). EvidenceStatus says why there is none
	// when evidence could not be computed.
	Evidence       []any  `json:"evidence"`
	EvidenceScope  Scope  `json:"evidenceScope"`
	EvidenceStatus string `json:"evidenceStatus,omitempty"`
}

// Lineage is a parent or child of a group.
type Lineage struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// Kind is how the child was made: bridge, merge or split.
	Kind string `json:"kind"`
	// Finding is the finding that bridged the parents, or the one split
	// out.
	Finding string `json:"finding,omitempty"`
	At      int64  `json:"at"`
}

// Member is one finding of a group.
type Member struct {
	ID        string  `json:"id"`
	Finding   Ref     `json:"finding"`
	Type      string  `json:"type"`
	Title     string  `json:"title"`
	Severity  float64 `json:"severity"`
	Band      string  `json:"band"`
	Account   string  `json:"account"`
	Region    string  `json:"region"`
	FirstSeen int64   `json:"firstSeen"`
	LastSeen  int64   `json:"lastSeen"`
	Archived  bool    `json:"archived"`
	// Tactic is the ATT&CK tactic of the finding's type, if any.
	Tactic string `json:"tactic,omitempty"`
	// Entities are the entities the finding names.
	Entities []Ref `json:"entities"`
	// JoinedAt is when the finding was added to the group's lineage.
	JoinedAt int64    `json:"joinedAt"`
	Reasons  []Reason `json:"reasons"`
}

// InvolvedEntity is an entity of a group and the members that involve it.
type InvolvedEntity struct {
	Type     trailhound.Namespace `json:"type"`
	ID       string               `json:"id"`
	Label    string               `json:"label,omitempty"`
	Findings []string             `json:"findings"`
	// Related is set for entities no member names, which relate members
	// through the behavior graph.
	Related   bool  `json:"related,omitempty"`
	FirstSeen int64 `json:"firstSeen"`
	LastSeen  int64 `json:"lastSeen"`
}

// IgnoredEntity is an entity not used to relate findings.
type IgnoredEntity struct {
	Type     trailhound.Namespace `json:"type"`
	ID       string               `json:"id"`
	Reason   string               `json:"reason"`
	Findings []string             `json:"findings"`
}

// Edit is an analyst's change to the groups, as the audit log keeps it.
type Edit struct {
	Seq    int64  `json:"seq"`
	At     int64  `json:"at"`
	Who    string `json:"who"`
	Action string `json:"action"` // split, merge, rebuild
	// Group is the group edited; Other the group merged with it.
	Group   string `json:"group,omitempty"`
	Other   string `json:"other,omitempty"`
	Finding string `json:"finding,omitempty"`
	// Results are the groups the edit made.
	Results []string `json:"results"`
	Text    string   `json:"text"`
}

// EditResult answers a split or a merge: the edit and the groups it made.
type EditResult struct {
	Edit   Edit      `json:"edit"`
	Groups []Summary `json:"groups"`
}

// Audit lists the edits that touched a group.
type Audit struct {
	Group Ref    `json:"group"`
	Edits []Edit `json:"edits"`
}

// GroupRef is a group a finding belongs to.
type GroupRef struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Status   string  `json:"status"`
	Severity float64 `json:"severity"`
}

// groupScope is a group's default scope: its first to last observed
// time, inclusive, at least a minute long.
func groupScope(first, last int64) Scope {
	end := last + 1
	if end < first+60 {
		end = first + 60
	}
	return Scope{Start: first, End: end}
}
