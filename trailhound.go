// Package trailhound is the domain of Trailhound, a self-hosted investigation
// tool for AWS logs. It holds the types every other package speaks in —
// normalized events, entities of the behavior graph, scopes, findings and
// errors — and the few interfaces that connect decoding, storage and
// analysis. It depends on the standard library only; implementations live
// under internal/ and are named after what they wrap.
package trailhound

// Source names a family of AWS logs that Trailhound understands.
type Source string

// The sources Trailhound ingests.
const (
	SourceCloudTrail Source = "cloudtrail"
	SourceVPCFlow    Source = "vpcflow"
	SourceGuardDuty  Source = "guardduty"
)

// Sources lists every source in a stable order, for summaries and reports.
var Sources = []Source{SourceCloudTrail, SourceVPCFlow, SourceGuardDuty}
