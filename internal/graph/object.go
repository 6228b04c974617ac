package graph

import (
	"time"

	"github.com/trailhound/trailhound"
)

// Object statuses recorded in the objects table.
const (
	StatusStored    = "stored"    // its records were stored
	StatusPruned    = "pruned"    // its records were stored, and removed by a prune since
	StatusSkipped   = "skipped"   // recognized, and deliberately holds nothing to store (e.g. a digest file)
	StatusDuplicate = "duplicate" // same content as an object stored before
)

// ObjectWrite is one object to store: where it came from, its content hash
// and what it contributed to the graph. Batch is nil for skipped objects.
type ObjectWrite struct {
	URI     string
	Key     string
	Size    int64
	ModTime time.Time
	ETag    string
	SHA256  string
	Source  trailhound.Source
	Reason  string // why it was skipped
	Batch   *Batch
}

// ObjectResult says what became of one object of a write.
type ObjectResult struct {
	Status string
	// New counts records stored for the first time, by source; records
	// already stored from another object are counted in Duplicates.
	New        map[trailhound.Source]int64
	Duplicates int64
}

// IPInfo is the enrichment of one address, as the store keeps it.
type IPInfo struct {
	Class       string
	Country     string
	CountryName string
	Region      string
	City        string
	Latitude    float64
	Longitude   float64
	ASN         uint32
	ASOrg       string
}

// Enricher looks up an address. It is called once per address the store
// has not seen before.
type Enricher func(ip string) IPInfo

// ObjectSig identifies a stored object cheaply, so that a second ingest of
// the same files skips them without reading them.
type ObjectSig struct {
	Size    int64
	ModTime time.Time
	ETag    string
}

// OptimizeResult says which tables a store reorganized for reading after
// an ingest run (duckdb.Store.Optimize).
type OptimizeResult struct {
	// Tables are the tables rewritten, with their rows before and after.
	Tables  []OptimizedTable `json:"tables"`
	Seconds float64          `json:"seconds"`
}

// OptimizedTable is one table rewritten.
type OptimizedTable struct {
	Name   string `json:"name"`
	Before int64  `json:"rowsBefore"`
	After  int64  `json:"rowsAfter"`
}

// ConnObject is a stored flow log object whose connection rows
// (flow_conns) the store lacks: it was ingested before the table existed.
// Backfilling reads it again from the archive.
type ConnObject struct {
	ID      int64
	BatchID int64
	URI     string
	Key     string
	SHA256  string
	Source  trailhound.Source
	Size    int64
}

// ConnRows are the connection rows of one object, to backfill.
type ConnRows struct {
	Object ConnObject
	Conns  map[ConnKey]*ConnAgg
}

// PruneResult says what removing the data before a time took away
// (duckdb.Store.Prune).
type PruneResult struct {
	// Before is the cutoff: records of earlier times are removed.
	Before time.Time `json:"before"`
	// DryRun is set when nothing was removed: the counts are what would
	// have been.
	DryRun bool `json:"dryRun"`
	// Rows are the rows removed per table.
	Rows map[string]int64 `json:"rows"`
	// Emptied is how many stored objects lost their last records (now
	// marked pruned); Unreferenced are the content hashes of those that
	// no stored object shares: their archived copies can go.
	Emptied      int64    `json:"objectsEmptied"`
	Unreferenced []string `json:"-"`
	Seconds      float64  `json:"seconds"`
}
