package analysis

import (
	"time"

	"github.com/trailhound/trailhound"
)

// Bucket sizes of time series, in seconds.
const (
	Minute int64 = 60
	Hour   int64 = 3600
	Day    int64 = 86400
)

// MaxPoints is the most buckets a series should have; the bucket size
// grows (minute, hour, day, then whole numbers of days) to stay under it,
// so a chart stays readable whatever the scope's length.
const MaxPoints = 200

// MinScope is the shortest scope, in seconds. Detective's minimum is one
// hour; ours is finer because minute buckets are cheap to compute.
const MinScope int64 = 60

// BucketSeconds returns the bucket size for a scope: the smallest of a
// minute, an hour or a day that yields at most MaxPoints buckets, or the
// smallest number of days that does.
func BucketSeconds(s trailhound.Scope) int64 {
	d := s.End - s.Start
	for _, b := range []int64{Minute, Hour, Day} {
		if ceilDiv(d, b) <= MaxPoints {
			return b
		}
	}
	return ceilDiv(ceilDiv(d, Day), MaxPoints) * Day
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// ResolveScope fills the parts of a requested scope that are absent (zero)
// from def and checks the result: the end must be after the start, by at
// least MinScope. Errors are EINVALID and name the parameter at fault,
// using the URL parameter names scopeStart and scopeEnd.
func ResolveScope(start, end int64, def trailhound.Scope) (trailhound.Scope, error) {
	s := def
	switch {
	case start != 0 && end != 0:
		s = trailhound.Scope{Start: start, End: end}
	case start != 0:
		// Keep the default length, so that moving the start alone slides
		// the window rather than producing an empty or inverted one.
		s = trailhound.Scope{Start: start, End: start + max(def.End-def.Start, Day)}
	case end != 0:
		s = trailhound.Scope{Start: end - max(def.End-def.Start, Day), End: end}
	}
	if s.End <= s.Start {
		return s, trailhound.Errorf(trailhound.EINVALID, "scopeEnd (%d) must be after scopeStart (%d)", s.End, s.Start)
	}
	if s.End-s.Start < MinScope {
		return s, trailhound.Errorf(trailhound.EINVALID, "scopeEnd (%d) must be at least %d seconds after scopeStart (%d)", s.End, MinScope, s.Start)
	}
	return s, nil
}

// entityDefaultScope is the last 24 hours of an entity's data, in whole
// hours so that hourly relationship rows answer it exactly: it ends at
// the end of the hour of the last observation.
func entityDefaultScope(last time.Time) trailhound.Scope {
	end := (last.Unix()/Hour + 1) * Hour
	return trailhound.Scope{Start: end - Day, End: end}
}

// ScopeJSON is a scope as the API returns it.
type ScopeJSON struct {
	Start int64 `json:"scopeStart"`
	End   int64 `json:"scopeEnd"`
}

func scopeJSON(s trailhound.Scope) ScopeJSON { return ScopeJSON{Start: s.Start, End: s.End} }
