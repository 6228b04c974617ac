package trailhound

import "time"

// Scope is a half-open time range [Start, End) in epoch seconds, the unit of
// Amazon Detective's scopeStart/scopeEnd URL parameters.
type Scope struct {
	Start int64
	End   int64
}

// DefaultBaseline is how far before a scope the baseline reaches.
const DefaultBaseline = 45 * 24 * time.Hour

// Valid reports whether the scope is non-empty.
func (s Scope) Valid() bool { return s.End > s.Start }

// Duration returns the length of the scope.
func (s Scope) Duration() time.Duration { return time.Duration(s.End-s.Start) * time.Second }

// Baseline returns the range of length d that ends where the scope starts.
func (s Scope) Baseline(d time.Duration) Scope {
	return Scope{Start: s.Start - int64(d/time.Second), End: s.Start}
}

// Contains reports whether t falls inside the scope.
func (s Scope) Contains(t time.Time) bool {
	u := t.Unix()
	return u >= s.Start && u < s.End
}
