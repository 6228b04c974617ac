package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/objstore/s3test"
)

func TestDatePartition(t *testing.T) {
	for _, c := range []struct {
		key, prefix string
		hive        bool
		day         string // "" when the key is in no date folder
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/27/111122223333_CloudTrail_us-east-1_20261127T1805Z_x.json.gz",
			"AWSLogs/111122223333/CloudTrail/us-east-1/", false, "2026-11-27"},
		{"AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/2025/01/31/f.json.gz", "AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/", false, "2025-01-31"},
		{"AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/27/18/f.log.gz", "AWSLogs/111122223333/vpcflowlogs/us-east-1/", false, "2026-11-27"},
		{"flows/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=27/hour=18/f.log.gz",
			"flows/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-1/", true, "2026-11-27"},
		{"2026/11/27/f.json", "", false, "2026-11-27"},
		// Of several date folders the last counts.
		{"exports/2024/01/02/AWSLogs/1/GuardDuty/us-east-1/2026/11/27/f.jsonl.gz", "exports/2024/01/02/AWSLogs/1/GuardDuty/us-east-1/", false, "2026-11-27"},
		{"x/year=2024/month=01/day=02/y/2026/11/27/f", "x/year=2024/month=01/day=02/y/", false, "2026-11-27"},
		{"x/2024/01/02/y/year=2026/month=11/day=27/f", "x/2024/01/02/y/", true, "2026-11-27"},
		// Not date folders.
		{"AWSLogs/1/CloudTrail/us-east-1/2026/13/40/f.json.gz", "", false, ""},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/11/27", "", false, ""},
		{"logs/20261127/f.json", "", false, ""},
		{"a2026/11/27/f", "", false, ""},
		{"manual/export.json", "", false, ""},
	} {
		p, day, ok := datePartition(c.key)
		if c.day == "" {
			if ok {
				t.Errorf("%s: partition %+v %s, want none", c.key, p, day)
			}
			continue
		}
		if !ok || p.prefix != c.prefix || p.hive != c.hive || day.Format(time.DateOnly) != c.day {
			t.Errorf("%s: %+v %s %v, want %q hive=%v %s", c.key, p, day, ok, c.prefix, c.hive, c.day)
		}
	}
}

func TestSkipRanges(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	got := skipRanges(map[partition]time.Time{
		{prefix: "AWSLogs/1/CloudTrail/us-east-1/"}:              day("2026-12-01"),
		{prefix: "AWSLogs/1/CloudTrail/eu-west-1/"}:              day("2026-11-27"),
		{prefix: "flows/region=x/", hive: true}:                  day("2026-11-27"),
		{prefix: "nest/"}:                                        day("2026-11-27"),
		{prefix: "nest/2025/01/01/inner/"}:                       day("2026-11-27"), // inside the range of nest/: nest/'s is dropped
		{prefix: ""}:                                             day("2026-11-27"),
		{prefix: "AWSLogs/1/CloudTrail/us-east-1/2019/01/01/z/"}: day("2026-11-27"),
		// Both layouts in one folder: neither is skipped.
		{prefix: "both/"}:             day("2026-11-27"),
		{prefix: "both/", hive: true}: day("2026-11-20"),
	})
	want := []keyRange{
		{"", "2026/11/26"},
		{"AWSLogs/1/CloudTrail/eu-west-1/", "AWSLogs/1/CloudTrail/eu-west-1/2026/11/26"},
		{"AWSLogs/1/CloudTrail/us-east-1/2019/01/01/z/", "AWSLogs/1/CloudTrail/us-east-1/2019/01/01/z/2026/11/26"},
		{"flows/region=x/", "flows/region=x/year=2026/month=11/day=26"},
		{"nest/2025/01/01/inner/", "nest/2025/01/01/inner/2026/11/26"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(keyRange{})); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
}

// tailCase is a location a Tail lists, written through put.
type tailCase struct {
	store  objstore.Store
	prefix string // of the listed keys (an S3 location's)
	put    func(t *testing.T, key string)
}

func dirTailCase(t *testing.T) tailCase {
	dir := t.TempDir()
	s, err := objstore.Parse(context.Background(), dir, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tailCase{store: s, put: func(t *testing.T, key string) {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(key), 0o644); err != nil {
			t.Fatal(err)
		}
	}}
}

func s3TailCase(t *testing.T) tailCase {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t, "tail-logs")
	ctx := context.Background()
	w, err := objstore.NewWriter(ctx, "s3://"+bucket+"/org", srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	// Small pages, so that listings span several requests.
	opts := srv.Options()
	opts.ListPageSize = 3
	s, err := objstore.Parse(ctx, "s3://"+bucket+"/org", opts)
	if err != nil {
		t.Fatal(err)
	}
	return tailCase{store: s, prefix: "org/", put: func(t *testing.T, key string) {
		if err := w.Put(ctx, key, strings.NewReader(key), int64(len(key))); err != nil {
			t.Fatal(err)
		}
	}}
}

// listKeys lists through tl and returns the keys relative to the
// location (S3 keys carry its prefix).
func listKeys(t *testing.T, tl *Tail, prefix string) []string {
	t.Helper()
	var keys []string
	err := tl.List(context.Background(), "", func(o objstore.Object) error {
		keys = append(keys, strings.TrimPrefix(o.Key, prefix))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("listing out of order: %q", keys)
	}
	return keys
}

// TestTail follows a location as serve --ingest does, over a local folder
// and over a real S3-compatible server: what each listing returns, as the
// location receives new days, new partitions and late objects.
func TestTail(t *testing.T) {
	for name, mk := range map[string]func(*testing.T) tailCase{"dir": dirTailCase, "s3": s3TailCase} {
		t.Run(name, func(t *testing.T) {
			c := mk(t)
			const (
				east = "AWSLogs/111122223333/CloudTrail/us-east-1/"
				west = "AWSLogs/111122223333/CloudTrail/us-west-2/"
				hive = "AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-1/"
			)
			var all []string
			put := func(keys ...string) {
				for _, k := range keys {
					c.put(t, k)
					all = append(all, k)
				}
				slices.Sort(all)
			}
			for d := 20; d <= 27; d++ {
				put(fmt.Sprintf(east+"2026/11/%02d/a.json.gz", d), fmt.Sprintf(east+"2026/11/%02d/b.json.gz", d))
			}
			put(west+"2026/11/26/a.json.gz", west+"2026/11/27/a.json.gz")
			put(hive+"year=2026/month=11/day=25/hour=23/f.log.gz", hive+"year=2026/month=11/day=27/hour=00/f.log.gz")
			put("manual/export.json", "AWSLogs/111122223333/CloudTrail/us-east-1/README")

			now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
			tl := NewTail(c.store, 24*time.Hour)
			tl.now = func() time.Time { return now }
			step := func(what string, wantFull bool, wantJumps int, want []string) {
				t.Helper()
				got := listKeys(t, tl, c.prefix)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: keys (-want +got):\n%s", what, diff)
				}
				if l := tl.Last(); l.Full != wantFull || l.Jumps != wantJumps || l.Listed != len(got) {
					t.Errorf("%s: listing %+v, want full %v, %d jumps, %d listed", what, l, wantFull, wantJumps, len(got))
				}
				now = now.Add(5 * time.Minute)
			}
			step("first", true, 0, all)

			recent := []string{
				hive + "year=2026/month=11/day=27/hour=00/f.log.gz",
				east + "2026/11/26/a.json.gz", east + "2026/11/26/b.json.gz", east + "2026/11/27/a.json.gz", east + "2026/11/27/b.json.gz",
				east + "README",
				west + "2026/11/26/a.json.gz", west + "2026/11/27/a.json.gz",
				"manual/export.json",
			}
			slices.Sort(recent)
			// us-east-1's 20th to 25th and the flows' 25th are skipped;
			// us-west-2 has no older day.
			step("second", false, 2, recent)

			// deliver puts keys that the next listing must return.
			deliver := func(keys ...string) {
				put(keys...)
				recent = append(recent, keys...)
				slices.Sort(recent)
			}
			forget := func(prefix string) {
				recent = slices.DeleteFunc(recent, func(k string) bool { return strings.HasPrefix(k, prefix) })
			}

			// The day goes on; then a new day starts.
			deliver(east + "2026/11/27/c.json.gz")
			step("same day", false, 2, recent)
			deliver(east + "2026/11/28/a.json.gz")
			step("new day, first seen", false, 2, recent)
			forget(east + "2026/11/26/")
			step("new day", false, 2, recent)

			// A new account's partition, however old its days, is listed
			// at once; so is a key outside date folders.
			deliver("AWSLogs/444455556666/CloudTrail/us-east-1/2025/01/01/old.json.gz", "notes.txt")
			step("new partition", false, 2, recent)

			// A date in the future does not hide the partition's days.
			deliver(west + "2031/01/01/misdated.json.gz")
			step("future date", false, 2, recent)
			deliver(west + "2026/11/28/a.json.gz")
			step("after a future date", false, 2, recent)
			forget(west + "2026/11/26/")

			// A late object in an old day waits for the full listing.
			put(east + "2026/11/21/late.json.gz")
			step("late object", false, 3, recent)
			now = now.Add(24 * time.Hour)
			step("full again", true, 0, all)

			// Listings after a key are plain.
			var got []string
			after := east + "2026/11/28/a.json.gz"
			if err := tl.List(context.Background(), c.prefix+after, func(o objstore.Object) error {
				got = append(got, strings.TrimPrefix(o.Key, c.prefix))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, k := range all {
				if k > after {
					want = append(want, k)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" || !tl.Last().Full {
				t.Errorf("after %s: keys (-want +got):\n%s", after, diff)
			}
		})
	}
}

// TestTailRandom lists random layouts incrementally, nested date folders
// included, and checks what Tail promises: nothing listed that is not
// there; the keys of a known partition's latest two days always listed;
// a key left out only when it sorts within a known partition's older
// days; and everything listed again by the next full listing.
func TestTailRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	prefixes := []string{"", "a/", "a/b/", "a/2025/01/01/b/", "AWSLogs/1/CloudTrail/us-east-1/", "AWSLogs/1/CloudTrail/us-east-2/", "z/"}
	for iter := 0; iter < 20; iter++ {
		c := dirTailCase(t)
		keys := map[string]bool{}
		put := func() {
			var k string
			p := prefixes[rng.IntN(len(prefixes))]
			day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(40))
			switch rng.IntN(6) {
			case 0:
				k = p + fmt.Sprintf("plain%d.json", rng.IntN(50))
			case 1:
				k = p + day.Format(hiveLayout) + fmt.Sprintf("/f%d.log", rng.IntN(50))
			default:
				k = p + day.Format(slashLayout) + fmt.Sprintf("/f%d.json", rng.IntN(50))
			}
			c.put(t, k)
			keys[k] = true
		}
		for range 60 {
			put()
		}
		now := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
		tl := NewTail(c.store, time.Hour)
		tl.now = func() time.Time { return now }
		listKeys(t, tl, "")
		for round := 0; round < 4; round++ {
			// What the tail knew before this listing.
			latest := map[partition]time.Time{}
			for p, d := range tl.latest {
				latest[p] = d
			}
			for range 10 {
				put()
			}
			now = now.Add(time.Minute)
			got := map[string]bool{}
			for _, k := range listKeys(t, tl, "") {
				if !keys[k] {
					t.Fatalf("listed %s, which is not there", k)
				}
				got[k] = true
			}
			for k := range keys {
				if got[k] {
					continue
				}
				if p, day, ok := datePartition(k); ok && !latest[p].IsZero() && !day.Before(latest[p].AddDate(0, 0, -1)) {
					t.Fatalf("iteration %d round %d: %s of a recent day of its partition is not listed", iter, round, k)
				}
				old := false
				for p, d := range latest {
					layout := slashLayout
					if p.hive {
						layout = hiveLayout
					}
					old = old || k >= p.prefix && k <= p.prefix+d.AddDate(0, 0, -1).Format(layout)
				}
				if !old {
					t.Fatalf("iteration %d round %d: %s is not listed, yet in no partition's older days", iter, round, k)
				}
			}
		}
		now = now.Add(time.Hour)
		if got := listKeys(t, tl, ""); len(got) != len(keys) || !tl.Last().Full {
			t.Fatalf("full listing: %d keys of %d", len(got), len(keys))
		}
	}
}
