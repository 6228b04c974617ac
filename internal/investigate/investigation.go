// Package investigate runs automated investigations, as Amazon
// Detective's Investigations do for IAM users and roles, and beyond them
// for role sessions, access keys and EC2 instances: over a scope, it
// gathers the entity's activity (and that of the role sessions it started,
// across accounts), compares it with the baseline before the scope, and
// reports indicators of compromise with Detective's names and fields —
// TTP_OBSERVED (calls and behaviors mapped to MITRE ATT&CK through the
// table in ttp.tsv), IMPOSSIBLE_TRAVEL, FLAGGED_IP_ADDRESS (from the
// user's threat-intelligence lists), NEW_GEOLOCATION, NEW_ASO,
// NEW_USER_AGENT, RELATED_FINDING and RELATED_FINDING_GROUP — each with a
// severity and the reason for it, an overall severity with its reasoning
// as sentences, and recommended next steps.
//
// Where Detective is opaque, every judgement here is stated: a call is
// routine when its principal made it during the baseline from an origin
// its account knew; an origin (source address) is unfamiliar when no call
// of the account came from it during the baseline and something else
// about it is new too (a user agent no account used, a network or place
// new for the account) or a threat list names it. Unfamiliar origins
// turn otherwise ordinary calls into indicators.
//
// Investigations are stored in the store's investigations table
// (migration 002) by the Service, which runs them in the background for
// the API and synchronously for the command line, and renders reports as
// JSON, a self-contained HTML page or Markdown.
package investigate

import (
	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/evidence"
)

// Ref names an entity: the link target of every identifier.
type Ref = analysis.Ref

// ScopeJSON is a time range in epoch seconds as the API spells it.
type ScopeJSON = analysis.ScopeJSON

// Location is a place as the enrichment names it.
type Location = evidence.Location

// Severity grades an indicator or an investigation, as Detective does.
type Severity string

// Severities, least to most severe.
const (
	Informational Severity = "INFORMATIONAL"
	Low           Severity = "LOW"
	Medium        Severity = "MEDIUM"
	High          Severity = "HIGH"
	Critical      Severity = "CRITICAL"
)

// Severities lists the severities, least severe first.
var Severities = []Severity{Informational, Low, Medium, High, Critical}

// Rank orders severities: 1 for INFORMATIONAL to 5 for CRITICAL, 0 for
// none.
func (s Severity) Rank() int {
	for i, x := range Severities {
		if x == s {
			return i + 1
		}
	}
	return 0
}

// raise returns the severity n levels up (or down, for negative n), kept
// between INFORMATIONAL and CRITICAL.
func (s Severity) raise(n int) Severity {
	r := s.Rank() + n
	r = min(max(r, 1), len(Severities))
	return Severities[r-1]
}

func maxSeverity(a, b Severity) Severity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, bool) {
	for _, x := range Severities {
		if equalFold(string(x), s) {
			return x, true
		}
	}
	return "", false
}

// Status is where a run stands.
type Status string

// Statuses of a run.
const (
	Running    Status = "RUNNING"
	Successful Status = "SUCCESSFUL"
	Failed     Status = "FAILED"
)

// State is the analyst's review state: archiving marks the review done.
type State string

// Review states.
const (
	Active   State = "ACTIVE"
	Archived State = "ARCHIVED"
)

// IndicatorType is the type of an indicator, spelled as Detective's API
// does.
type IndicatorType string

// Indicator types.
const (
	TTPObserved         IndicatorType = "TTP_OBSERVED"
	ImpossibleTravel    IndicatorType = "IMPOSSIBLE_TRAVEL"
	FlaggedIPAddress    IndicatorType = "FLAGGED_IP_ADDRESS"
	NewGeolocation      IndicatorType = "NEW_GEOLOCATION"
	NewASO              IndicatorType = "NEW_ASO"
	NewUserAgent        IndicatorType = "NEW_USER_AGENT"
	RelatedFinding      IndicatorType = "RELATED_FINDING"
	RelatedFindingGroup IndicatorType = "RELATED_FINDING_GROUP"
)

// IndicatorTypes lists the types in the order reports present them.
var IndicatorTypes = []IndicatorType{TTPObserved, ImpossibleTravel, FlaggedIPAddress, RelatedFinding, RelatedFindingGroup,
	NewGeolocation, NewASO, NewUserAgent}

// Title returns the type's name as Detective's console shows it.
func (t IndicatorType) Title() string {
	switch t {
	case TTPObserved:
		return "Tactics, techniques, and procedures"
	case ImpossibleTravel:
		return "Impossible travel"
	case FlaggedIPAddress:
		return "Flagged IP addresses"
	case NewGeolocation:
		return "New geolocations"
	case NewASO:
		return "New autonomous system organizations"
	case NewUserAgent:
		return "New user agents"
	case RelatedFinding:
		return "Related findings"
	case RelatedFindingGroup:
		return "Related finding groups"
	}
	return string(t)
}

// Investigation is one run: what was investigated, how it went, and what
// it found.
type Investigation struct {
	ID       string    `json:"id"`
	Entity   Ref       `json:"entity"`
	Label    string    `json:"label,omitempty"`
	ARN      string    `json:"arn,omitempty"`
	Account  string    `json:"account,omitempty"`
	Scope    ScopeJSON `json:"scope"`
	Baseline ScopeJSON `json:"baseline"`
	Status   Status    `json:"status"`
	State    State     `json:"state"`
	// Severity is the overall severity, set once the run succeeded;
	// SeverityReasons say why, most important first.
	Severity        Severity `json:"severity,omitempty"`
	SeverityReasons []string `json:"severityReasons"`
	// Summary is the overview in one or two sentences.
	Summary   string `json:"summary,omitempty"`
	CreatedAt int64  `json:"createdAt"`
	UpdatedAt int64  `json:"updatedAt"`
	// Error says why a FAILED run failed.
	Error string `json:"error,omitempty"`
	// Indicators are the indicators of compromise, most severe first.
	Indicators []Indicator `json:"indicators"`
	// IndicatorCounts counts the indicators by type.
	IndicatorCounts map[IndicatorType]int `json:"indicatorCounts"`
	// Tactics is the TTP mapping: the ATT&CK tactics observed in
	// kill-chain order, each with its techniques.
	Tactics []TacticSummary `json:"tactics"`
	// Involved are the entities whose activity was examined: the entity,
	// the role sessions it started (across accounts), the sessions of an
	// instance, the access keys used.
	Involved []Involved `json:"involved"`
	// Addresses are the source addresses of the activity, most calls
	// first, with what the baseline knew of them.
	Addresses []AddressSummary `json:"addresses"`
	// NextSteps are the recommended next steps, most urgent first.
	NextSteps []string `json:"nextSteps"`
	// Notes say what could not be checked and why (no baseline, no
	// threat lists, addresses without a place, truncation).
	Notes []string `json:"notes"`
}

// Indicator is one indicator of compromise. Type says which of the
// optional fields are set, as in Detective's API: TTP_OBSERVED has tactic,
// technique, procedure, ipAddress, apiName and the success and failure
// counts; IMPOSSIBLE_TRAVEL the starting and ending addresses and
// locations and hourlyTimeDelta; FLAGGED_IP_ADDRESS ipAddress and reason;
// NEW_GEOLOCATION location, ipAddress and isNewForEntireAccount; NEW_ASO
// aso and isNewForEntireAccount; NEW_USER_AGENT userAgent and
// isNewForEntireAccount; RELATED_FINDING arn, findingType and ipAddress;
// RELATED_FINDING_GROUP groupId.
type Indicator struct {
	Type     IndicatorType `json:"type"`
	Severity Severity      `json:"severity"`
	// SeverityReason says why the indicator has its severity.
	SeverityReason string `json:"severityReason"`
	// Principal is whose activity shows the indicator: the entity itself
	// or one of the involved sessions.
	Principal *Ref `json:"principal,omitempty"`

	// TTP_OBSERVED (and the ATT&CK mapping of a RELATED_FINDING).
	Tactic      string `json:"tactic,omitempty"`
	TacticID    string `json:"tacticId,omitempty"`
	Technique   string `json:"technique,omitempty"`
	TechniqueID string `json:"techniqueId,omitempty"`
	Procedure   string `json:"procedure,omitempty"`
	// Source is what the TTP was read from: "api" (a mapped call),
	// "behavior" (a pattern over many records) or "flows" (VPC flow
	// records of an instance).
	Source          string `json:"source,omitempty"`
	APIName         string `json:"apiName,omitempty"`
	APISuccessCount *int64 `json:"apiSuccessCount,omitempty"`
	APIFailureCount *int64 `json:"apiFailureCount,omitempty"`
	IPAddress       string `json:"ipAddress,omitempty"`

	// IMPOSSIBLE_TRAVEL.
	StartingIPAddress string    `json:"startingIpAddress,omitempty"`
	EndingIPAddress   string    `json:"endingIpAddress,omitempty"`
	StartingLocation  *Location `json:"startingLocation,omitempty"`
	EndingLocation    *Location `json:"endingLocation,omitempty"`
	// HourlyTimeDelta is the time between leaving one place and arriving
	// at the other, in hours.
	HourlyTimeDelta *float64 `json:"hourlyTimeDelta,omitempty"`
	DistanceKm      *float64 `json:"distanceKm,omitempty"`
	SpeedKmh        *float64 `json:"speedKmh,omitempty"`

	// FLAGGED_IP_ADDRESS: the list's reason and where it says so.
	Reason     string `json:"reason,omitempty"`
	ListSource string `json:"listSource,omitempty"`

	// NEW_GEOLOCATION, NEW_ASO, NEW_USER_AGENT.
	Location              *Location `json:"location,omitempty"`
	ASO                   string    `json:"aso,omitempty"`
	ASN                   int64     `json:"asn,omitempty"`
	UserAgent             string    `json:"userAgent,omitempty"`
	IsNewForEntireAccount *bool     `json:"isNewForEntireAccount,omitempty"`

	// RELATED_FINDING.
	FindingID       string   `json:"findingId,omitempty"`
	Arn             string   `json:"arn,omitempty"`
	FindingType     string   `json:"findingType,omitempty"`
	Title           string   `json:"title,omitempty"`
	FindingSeverity *float64 `json:"findingSeverity,omitempty"`

	// RELATED_FINDING_GROUP.
	GroupID string `json:"groupId,omitempty"`

	// Count is how many records (calls, flow records) the indicator
	// rests on, for the types that have no success and failure counts.
	Count     int64 `json:"count,omitempty"`
	FirstSeen int64 `json:"firstSeen,omitempty"`
	LastSeen  int64 `json:"lastSeen,omitempty"`
	// Entities are the drill-down targets: the address, the user agent,
	// the finding, the autonomous system, the instance.
	Entities []Ref `json:"entities,omitempty"`
}

// TacticSummary is one tactic of the TTP mapping.
type TacticSummary struct {
	Tactic     string             `json:"tactic"`
	TacticID   string             `json:"tacticId"`
	Severity   Severity           `json:"severity"`
	Techniques []TechniqueSummary `json:"techniques"`
}

// TechniqueSummary is one technique of a tactic, with the calls or
// behaviors behind it.
type TechniqueSummary struct {
	TechniqueID string   `json:"techniqueId"`
	Technique   string   `json:"technique"`
	Severity    Severity `json:"severity"`
	Indicators  int      `json:"indicators"`
	// Procedures are the distinct API names and behaviors.
	Procedures []string `json:"procedures"`
}

// Involved is an entity whose activity the investigation examined, and
// why.
type Involved struct {
	Entity Ref    `json:"entity"`
	Label  string `json:"label,omitempty"`
	// Role says how it is involved: "investigated", "started session"
	// (role chaining, cross-account included), "instance session",
	// "access key".
	Role    string `json:"role"`
	Account string `json:"account,omitempty"`
	Calls   int64  `json:"calls"`
}

// AddressSummary is a source address of the activity with what the
// baseline knew about it.
type AddressSummary struct {
	IP       string    `json:"ip"`
	Class    string    `json:"class,omitempty"`
	Location *Location `json:"location,omitempty"`
	ASN      int64     `json:"asn,omitempty"`
	ASO      string    `json:"aso,omitempty"`
	Success  int64     `json:"success"`
	Failure  int64     `json:"failure"`
	// Familiarity is "known" (the principal used it during the
	// baseline), "account" (another principal of the account did),
	// "new" (nobody in the account did, but nothing else about it is
	// new either), "unfamiliar" (new, and corroborated: see Why) or
	// "internal" (a private address).
	Familiarity string   `json:"familiarity"`
	Why         []string `json:"why,omitempty"`
	Flagged     *Flag    `json:"flagged,omitempty"`
}

// EntityTypes are the types an investigation can be about.
var EntityTypes = []trailhound.Namespace{trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser,
	trailhound.AccessKey, trailhound.Ec2Instance}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
