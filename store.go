package trailhound

// Stats counts what a store holds: objects ingested, records by source
// (CloudTrail events, VPC flow records, distinct GuardDuty findings) and
// entities by namespace.
type Stats struct {
	Objects  int64
	Events   map[Source]int64
	Entities map[Namespace]int64
}
