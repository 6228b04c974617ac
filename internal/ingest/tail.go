package ingest

import (
	"context"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/trailhound/trailhound/internal/objstore"
)

// Tail lists a location that is followed (serve --ingest lists it every
// few minutes) without listing its whole history each time. AWS delivers
// CloudTrail, VPC flow logs and GuardDuty exports under date folders
// (".../<region>/YYYY/MM/DD/..." or, for flow logs with Hive-style
// partitions, ".../year=YYYY/month=MM/day=DD/..."), and a bucket that has
// received logs for a year holds a year of them: listing it all every five
// minutes costs a request per thousand objects, minutes for a large
// organization, to find a few new ones.
//
// The first listing, and one every FullEvery after it, lists every object.
// In between, each date-partitioned folder (the key before its date, a
// partition) is listed from the day before the latest day seen in it, and
// the older days are skipped: the listing jumps over them, one request per
// partition that has older days. Everything else is listed as usual, so a
// new account, region or folder, and any key outside date folders, is seen
// at the next listing. What is seen only by the full listings: objects
// added to, or changed in, days older than that of a partition (a copy of
// old logs into the bucket; `trailhound ingest` reads those at once).
//
// Tail is an objstore.Store; listings after a key (List with after set)
// are plain listings.
type Tail struct {
	objstore.Store
	// FullEvery is how often every object is listed.
	FullEvery time.Duration

	now      func() time.Time // the clock (tests move it)
	mu       sync.Mutex
	lastFull time.Time
	latest   map[partition]time.Time // latest day seen per partition; nil before the first full listing
	last     TailListing
}

// TailListing describes a Tail's last listing.
type TailListing struct {
	Full bool
	// Listed is how many objects it passed on, Jumps how many ranges of
	// old days it skipped (each a listing request of its own).
	Listed, Jumps int
}

// NewTail returns a Tail over s listing every object every fullEvery.
func NewTail(s objstore.Store, fullEvery time.Duration) *Tail {
	return &Tail{Store: s, FullEvery: fullEvery, now: time.Now}
}

// Last describes the last listing.
func (t *Tail) Last() TailListing {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// partition is a date-partitioned folder: the key before the date, and
// the date's layout.
type partition struct {
	prefix string
	hive   bool
}

var (
	// The last date folder of a key: its partition is what precedes it.
	slashDate = regexp.MustCompile(`(?:^|/)(\d{4}/\d{2}/\d{2})/`)
	hiveDate  = regexp.MustCompile(`(?:^|/)(year=\d{4}/month=\d{2}/day=\d{2})/`)
)

const (
	slashLayout = "2006/01/02"
	hiveLayout  = "year=2006/month=01/day=02"
)

// datePartition returns the partition of a key and the day of its date
// folder, or false when the key is in none. Of several date folders the
// last counts.
func datePartition(key string) (partition, time.Time, bool) {
	var best []int
	hive := false
	for _, m := range slashDate.FindAllStringSubmatchIndex(key, -1) {
		best = m
	}
	for _, m := range hiveDate.FindAllStringSubmatchIndex(key, -1) {
		if best == nil || m[2] > best[2] {
			best, hive = m, true
		}
	}
	if best == nil {
		return partition{}, time.Time{}, false
	}
	layout := slashLayout
	if hive {
		layout = hiveLayout
	}
	day, err := time.Parse(layout, key[best[2]:best[3]])
	if err != nil {
		return partition{}, time.Time{}, false // not a date: 2026/13/40
	}
	return partition{prefix: key[:best[2]], hive: hive}, day, true
}

// keyRange is an inclusive range of keys.
type keyRange struct{ from, to string }

// skipRanges are the ranges of keys an incremental listing skips: for each
// partition, its keys up to the day before its latest one (that day's
// folder name itself, so that the day's keys, which are longer, are
// listed). Ranges are sorted; one that reaches into the next, and those
// of a folder that holds both layouts, are dropped, so that no partition's
// recent days are ever skipped.
func skipRanges(latest map[partition]time.Time) []keyRange {
	var rs []keyRange
	for p, day := range latest {
		layout := slashLayout
		if p.hive {
			layout = hiveLayout
		}
		rs = append(rs, keyRange{from: p.prefix, to: p.prefix + day.AddDate(0, 0, -1).Format(layout)})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].from < rs[j].from || rs[i].from == rs[j].from && rs[i].to < rs[j].to })
	out := rs[:0]
	for i, r := range rs {
		if i+1 < len(rs) && r.to >= rs[i+1].from || i > 0 && rs[i-1].from == r.from {
			continue
		}
		out = append(out, r)
	}
	return out
}

// jump stops a listing at the start of a range to skip.
type jump struct{}

func (jump) Error() string { return "jump" }

// List lists the objects as Tail describes.
func (t *Tail) List(ctx context.Context, after string, fn func(objstore.Object) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	full := after != "" || t.latest == nil || now.Sub(t.lastFull) >= t.FullEvery
	seen := map[partition]time.Time{}
	listing := TailListing{Full: full}
	// A date past tomorrow is a mistake (or a forgery): counted, it would
	// hide the partition's real days until the next full listing.
	horizon := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	pass := func(o objstore.Object) error {
		if p, day, ok := datePartition(o.Key); ok && day.After(seen[p]) && !day.After(horizon) {
			seen[p] = day
		}
		listing.Listed++
		return fn(o)
	}
	if full {
		if err := t.Store.List(ctx, after, pass); err != nil {
			return err
		}
		if after == "" {
			t.latest, t.lastFull = seen, now
		}
		t.last = listing
		return nil
	}

	skips := skipRanges(t.latest)
	next := 0 // the first range that may still lie ahead
	from := ""
	for {
		err := t.Store.List(ctx, from, func(o objstore.Object) error {
			for next < len(skips) && skips[next].to < o.Key {
				next++
			}
			if next < len(skips) && o.Key >= skips[next].from {
				from = skips[next].to
				next++
				return jump{}
			}
			return pass(o)
		})
		if _, ok := err.(jump); ok {
			listing.Jumps++
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	for p, day := range seen {
		if day.After(t.latest[p]) {
			t.latest[p] = day
		}
	}
	t.last = listing
	return nil
}
