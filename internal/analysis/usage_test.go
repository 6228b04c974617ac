package analysis_test

import (
	"bufio"
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/synth"
)

func TestTieredCost(t *testing.T) {
	for _, c := range []struct {
		gb, want float64
	}{
		{-5, 0},
		{0, 0},
		{0.5, 1},
		{1, 2},
		{999, 1998},
		{1000, 2000},
		{1001, 2001},
		{5000, 6000},
		{5001, 6000.5},
		{10000, 8500},
		{10001, 8500.25},
		{20000, 11000},
	} {
		if got := analysis.TieredCost(c.gb, analysis.DetectiveTiers); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("TieredCost(%v) = %v, want %v", c.gb, got, c.want)
		}
	}
}

func TestAccountRegionFromKey(t *testing.T) {
	for _, c := range []struct {
		key, account, region string
		ok                   bool
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/x.json.gz", "111122223333", "us-east-1", true},
		{"prefix/AWSLogs/o-abc123/444455556666/vpcflowlogs/eu-west-1/2026/x.log.gz", "444455556666", "eu-west-1", true},
		{"AWSLogs/111122223333/GuardDuty/ap-southeast-7/2026/x.jsonl.gz", "111122223333", "ap-southeast-7", true},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/x.json.gz", "", "", false},
		{"exports/eventbridge.ndjson", "", "", false},
		{"111122223333/CloudTrail/us-east-1/2026/x.json.gz", "111122223333", "us-east-1", true},
		{"o-abc123/111122223333/CloudTrail/us-east-1/2026/x.json.gz", "111122223333", "us-east-1", true},
		{"AWSLogs/1111222233334/CloudTrail/us-east-1/x", "", "", false},
		{"AWSLogs/111122223333/CloudTrail/x.json", "", "", false},
	} {
		a, r, ok := analysis.AccountRegionFromKey(c.key)
		if a != c.account || r != c.region || ok != c.ok {
			t.Errorf("AccountRegionFromKey(%q) = %q, %q, %v; want %q, %q, %v", c.key, a, r, ok, c.account, c.region, c.ok)
		}
	}
}

func TestProjectBytes(t *testing.T) {
	for _, c := range []struct{ bytes, covered, want int64 }{{100, 1, 3000}, {100, 30, 100}, {100, 7, 428}, {5, 0, 0}} {
		if got := analysis.ProjectBytes(c.bytes, c.covered); got != c.want {
			t.Errorf("ProjectBytes(%d, %d) = %d, want %d", c.bytes, c.covered, got, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	e := newEngine(t)
	got, err := e.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The test's own reading of the incident's files: sizes as written,
	// records counted per format, account and region from the path (or,
	// for the EventBridge export, from its one record).
	dir := t.TempDir()
	analysistest.WriteFiles(t, dir, analysistest.Incident)
	type group struct{ account, region, source string }
	type vol struct{ records, bytes int64 }
	want := map[group]*vol{}
	for _, f := range analysistest.Incident {
		if strings.Contains(f.Path, "CloudTrail-Digest") {
			continue // recognized and skipped, not data
		}
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		g := group{analysistest.Account, "us-east-1", "cloudtrail"}
		parts := strings.Split(f.Path, "/")
		if parts[0] == "AWSLogs" {
			if strings.HasPrefix(parts[1], "o-") {
				parts = append(parts[:1], parts[2:]...)
			}
			g.account, g.region = parts[1], parts[3]
			g.source = map[string]string{"CloudTrail": "cloudtrail", "vpcflowlogs": "vpcflow", "GuardDuty": "guardduty"}[parts[2]]
		}
		var n int64
		if rs, err := analysistest.ParseRecords([]byte(f.Content)); err == nil && len(rs) > 0 {
			n = int64(len(rs))
		} else {
			sc := bufio.NewScanner(strings.NewReader(f.Content))
			for sc.Scan() {
				if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "version ") {
					n++
				}
			}
		}
		v := want[g]
		if v == nil {
			v = &vol{}
			want[g] = v
		}
		v.records += n
		v.bytes += st.Size()
	}
	day := unix("2026-11-01T00:00:00Z")
	if got.WindowStart != day-29*86400 || got.WindowEnd != day+86400 || got.CoveredDays != 1 {
		t.Errorf("window %d..%d covering %d days, want %d..%d covering 1", got.WindowStart, got.WindowEnd, got.CoveredDays, day-29*86400, day+86400)
	}
	if len(got.Series) != len(want) {
		t.Errorf("%d series, want %d: %+v", len(got.Series), len(want), got.Series)
	}
	perRegion := map[string]int64{}
	for _, s := range got.Series {
		w := want[group{s.Account, s.Region, string(s.Source)}]
		if w == nil {
			t.Errorf("unexpected series %s/%s/%s", s.Account, s.Region, s.Source)
			continue
		}
		if s.Events != w.records || s.Bytes != w.bytes || s.ProjectedBytes != w.bytes*30 {
			t.Errorf("%s/%s/%s: %d records, %d bytes, %d projected; want %d, %d, %d", s.Account, s.Region, s.Source,
				s.Events, s.Bytes, s.ProjectedBytes, w.records, w.bytes, w.bytes*30)
		}
		if len(s.Days) != 30 || s.Days[29].Start != day || s.Days[29].Events != w.records || s.Days[29].Bytes != w.bytes {
			t.Errorf("%s/%s/%s: days %+v", s.Account, s.Region, s.Source, s.Days)
		}
		if s.FirstSeen < day || s.LastSeen >= day+86400 || s.FirstSeen > s.LastSeen {
			t.Errorf("%s/%s/%s: first %d last %d", s.Account, s.Region, s.Source, s.FirstSeen, s.LastSeen)
		}
		perRegion[s.Region] += w.bytes * 30
	}
	if len(got.Charges) != len(perRegion) {
		t.Errorf("charges %+v, want regions %v", got.Charges, perRegion)
	}
	for _, c := range got.Charges {
		gb := float64(perRegion[c.Region]) / (1 << 30)
		if c.Account != analysistest.Account || c.ProjectedBytes != perRegion[c.Region] || c.ProjectedGB != gb ||
			c.MonthlyUSD != math.Round(gb*2*100)/100 {
			t.Errorf("charge %+v, want %d bytes", c, perRegion[c.Region])
		}
	}
}

// TestUsageFirstLastSeen checks one series' first and last record times
// exactly: the incident's earliest and latest calls are both in
// us-east-1 (the hostile user's first call and alice's GetObject).
func TestUsageFirstLastSeen(t *testing.T) {
	e := newEngine(t)
	got, err := e.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	records := analysistest.Records(t)
	first, last := records[0].Time.Unix(), records[len(records)-1].Time.Unix()
	found := false
	for _, s := range got.Series {
		if s.Region == "us-east-1" && s.Source == trailhound.SourceCloudTrail {
			found = true
			if s.FirstSeen != first || s.LastSeen != last {
				t.Errorf("first/last seen %d/%d, want %d/%d", s.FirstSeen, s.LastSeen, first, last)
			}
		}
	}
	if !found {
		t.Error("no us-east-1 CloudTrail series")
	}
}

// TestEmptyStore checks that the summary and usage of a store without
// data are empty answers, not errors.
func TestEmptyStore(t *testing.T) {
	dir, err := tempDir()
	if err != nil {
		t.Fatal(err)
	}
	st, err := duckdb.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := analysis.New(st.DB(), analysis.Options{})
	s, err := e.Summary(context.Background(), analysis.SummaryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.NewGeolocations)+len(s.TopRoles)+len(s.TopUsers)+len(s.TopInstances)+len(s.Freshness) != 0 || s.Findings.High.Count != 0 {
		t.Errorf("summary of an empty store %+v", s)
	}
	u, err := e.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Series) != 0 || len(u.Charges) != 0 || u.TotalMonthlyUSD != 0 {
		t.Errorf("usage of an empty store %+v", u)
	}
}

// TestUsageByObject checks the usage of a generated organization's three
// days against a reading of the stored objects one by one: each counts on
// the UTC day of its first record, under the account and region of its
// key (AccountRegionFromKey) or of its records.
func TestUsageByObject(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, _, st, _ := analysistest.Organization(t, synth.Config{Seed: 3, Days: 3, Start: start, EventsPerDay: 1000, FlowsPerDay: 2000, Scenarios: synth.AllScenarios()})
	got, err := analysis.New(st.DB(), analysis.Options{}).Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT o.key, coalesce(o.source, ''), o.size, o.records,
    (SELECT min(first_time) FROM object_accounts a WHERE a.object_id = o.object_id),
    (SELECT max(last_time) FROM object_accounts a WHERE a.object_id = o.object_id),
    coalesce((SELECT min(account) FROM object_accounts a WHERE a.object_id = o.object_id), ''),
    coalesce((SELECT min(region) FROM object_accounts a WHERE a.object_id = o.object_id), ''),
    coalesce(o.mod_time, o.ingested_at)
FROM objects o WHERE o.status = 'stored'`)
	if err != nil {
		t.Fatal(err)
	}
	type group struct{ account, region, source string }
	type vol struct {
		events, bytes, first, last int64
		days                       map[int64][2]int64
	}
	want := map[group]*vol{}
	var lastDay int64
	objects := 0
	for rows.Next() {
		var key, source, acct, region string
		var size, records int64
		var t0, t1 sql.NullTime
		var fallback time.Time
		if err := rows.Scan(&key, &source, &size, &records, &t0, &t1, &acct, &region, &fallback); err != nil {
			t.Fatal(err)
		}
		objects++
		if a, r, ok := analysis.AccountRegionFromKey(key); ok {
			acct, region = a, r
		}
		first, last := fallback.Unix(), fallback.Unix()
		if t0.Valid {
			first, last = t0.Time.Unix(), t1.Time.Unix()
		}
		day := first - first%86400
		lastDay = max(lastDay, day)
		g := group{acct, region, source}
		v := want[g]
		if v == nil {
			v = &vol{first: first, last: last, days: map[int64][2]int64{}}
			want[g] = v
		}
		v.first, v.last = min(v.first, first), max(v.last, last)
		d := v.days[day]
		v.days[day] = [2]int64{d[0] + records, d[1] + size}
		v.events += records
		v.bytes += size
	}
	rows.Close()
	if objects < 100 || len(want) < 6 {
		t.Fatalf("%d objects in %d series: too few to compare", objects, len(want))
	}
	if got.WindowEnd != lastDay+86400 || got.CoveredDays != 3 {
		t.Errorf("window ends %d covering %d days, want %d and 3", got.WindowEnd, got.CoveredDays, lastDay+86400)
	}
	if len(got.Series) != len(want) {
		t.Errorf("%d series, want %d", len(got.Series), len(want))
	}
	for _, s := range got.Series {
		w := want[group{s.Account, s.Region, string(s.Source)}]
		if w == nil {
			t.Errorf("unexpected series %s/%s/%s", s.Account, s.Region, s.Source)
			continue
		}
		if s.Events != w.events || s.Bytes != w.bytes || s.FirstSeen != w.first || s.LastSeen != w.last {
			t.Errorf("%s/%s/%s: %d records, %d bytes, %d–%d; want %d, %d, %d–%d", s.Account, s.Region, s.Source,
				s.Events, s.Bytes, s.FirstSeen, s.LastSeen, w.events, w.bytes, w.first, w.last)
		}
		for _, d := range s.Days {
			if wd := w.days[d.Start]; d.Events != wd[0] || d.Bytes != wd[1] {
				t.Errorf("%s/%s/%s day %d: %d records, %d bytes; want %d, %d", s.Account, s.Region, s.Source, d.Start, d.Events, d.Bytes, wd[0], wd[1])
			}
		}
	}
}
