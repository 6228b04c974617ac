// Package analysis answers an investigator's questions about the stored
// behavior graph: it resolves scopes and baselines, searches entities,
// describes one entity, computes the profile panels and finds the raw
// records behind every number. It sits between the store and the JSON API
// (internal/api), so the console and scripts see the same answers.
//
// Panels are defined once, in portable SQL over the tables the store
// writes; the few constructs that differ between SQL engines (turning
// epoch seconds into timestamps and back, case-insensitive matching) go
// through a Dialect, so that a second store only supplies another Dialect.
package analysis
