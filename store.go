package trailhound

import "time"

// Stats counts what a store holds: objects ingested, records by source
// (CloudTrail events, VPC flow records, distinct GuardDuty findings) and
// entities by namespace.
type Stats struct {
	Objects  int64
	Events   map[Source]int64
	Entities map[Namespace]int64
	// PrunedBefore, when set, is the latest cutoff before which the
	// store's records were removed (trailhound prune).
	PrunedBefore time.Time
}
