// Command benchquery measures the investigation API on a month of a
// generated organization: every panel of every entity type for a sample
// of busy and quiet entities (warm p50/p95/max, and cold: the first query
// after the store is reopened), search, the summary page, the profile
// header and the raw /events stream, all through `trailhound serve`, whose
// peak resident memory it reports. As the reference, in the same run, it
// computes the same panels with straightforward SQL over the events table
// (no hourly relationship tables) and prints the speed-up. Run it with
// `make bench-query` (BENCH_QUERY_SCALE=small|medium|large).
//
// The generated logs, the ingested store and the entity sample are kept in
// -dir between runs, so only the first run of a scale generates and
// ingests. The large scale is generated and ingested ten days at a time
// (-part-days), each part's logs deleted once ingested: the disk then
// holds the store, its object archive and one part's logs, and an
// interrupted run resumes with the next part.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/duckdb"
)

// Targets of the issue, on a 2-core machine at the large scale.
const (
	targetPanelP95   = 100 * time.Millisecond
	targetPanelCold  = time.Second
	targetSearch     = 50 * time.Millisecond
	targetSummary    = 300 * time.Millisecond
	targetEventsRate = 100_000 // records per second
	targetServeRSS   = 2 << 30 // bytes
)

// corpusStart is the first generated day: fixed, so that a scale always
// produces the same corpus.
var corpusStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func main() {
	dir := flag.String("dir", "bench-data", "where corpora, stores and samples are kept between runs")
	bin := flag.String("bin", "bin/trailhound", "the trailhound binary to measure")
	scale := flag.String("scale", envOr("BENCH_QUERY_SCALE", "small"), "corpus scale: small, medium, large or CloudTrail events per day (env BENCH_QUERY_SCALE)")
	days := flag.Int("days", 30, "days of activity generated")
	reps := flag.Int("reps", 5, "timed repetitions of each warm query (after one untimed)")
	dropLogs := flag.Bool("drop-logs", false, "delete the generated logs once ingested (the store's object archive keeps a copy); saves disk at the large scale")
	partDays := flag.Int("part-days", -1, "generate, ingest and delete the logs this many days at a time, resuming after the last part ingested if interrupted (default: 10 at the large scale, the whole span otherwise)")
	asJSON := flag.Bool("json", false, "print the results as JSON instead of tables")
	flag.Parse()
	if *reps < 1 {
		fail(errors.New("-reps must be at least 1"))
	}
	ctx := context.Background()
	b := &bench{bin: *bin, reps: *reps, scale: *scale, days: *days, root: filepath.Join(*dir, fmt.Sprintf("query-%s-%dd", *scale, *days))}
	logs := filepath.Join(b.root, "logs")
	b.data = filepath.Join(b.root, "store")

	if *partDays < 0 {
		*partDays = 0
		if *scale == "large" {
			*partDays = 10
		}
	}
	if *partDays > 0 && *partDays < *days {
		fail(b.inParts(logs, *partDays))
	} else {
		fail(b.generate(logs, *scale, *days))
		fail(b.ingest(logs))
		if *dropLogs {
			fail(os.RemoveAll(logs))
		}
	}
	fail(b.backfill())
	fail(b.loadSample(ctx))
	b.loadBefore = loadAverage()

	// Through serve: warm queries, then cold ones, each after a restart.
	fail(b.measureServed(ctx))
	fail(b.measureCold(ctx))
	// The reference runs in this process once serve has stopped (one
	// process at a time may open the store).
	fail(b.measureReference(ctx))

	b.loadAfter = loadAverage()
	rep := b.report()
	out, _ := json.MarshalIndent(rep, "", "  ")
	fail(os.WriteFile(filepath.Join(b.root, "results.json"), append(out, '\n'), 0o644))
	if *asJSON {
		os.Stdout.Write(append(out, '\n'))
		return
	}
	var buf bytes.Buffer
	rep.print(&buf)
	// Empty last cells leave padding at the ends of lines.
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		os.Stdout.WriteString(strings.TrimRight(l, " \n") + l[len(strings.TrimRight(l, "\n")):])
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchquery:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchquery: "+format+"\n", args...)
}

// bench holds one run's settings and measurements.
type bench struct {
	bin    string
	reps   int
	scale  string
	days   int
	root   string // bench-data/query-<scale>-<days>d
	data   string // the ingested data directory
	corpus corpusInfo
	sample []sampled

	timings  map[string]*series         // warm, by row name
	engRef   map[string]*series         // warm, of the entities with a reference
	slowest  map[string]slowest         // the entity of each panel row's max
	totals   map[string]analysis.Counts // panel totals, by checkKey
	checked  int                        // reference answers compared
	mismatch []string
	cold     map[string]time.Duration
	ref      map[string]*series // reference, by the same row names
	refNote  map[string]string  // why a row has no reference
	// refFailed lists the reference queries that failed (DuckDB's memory
	// limit), left out of their rows.
	refFailed []string
	events    eventsResult
	serveRSS  int64 // peak resident bytes of any serve process
	opens     []time.Duration

	// The machine's load before and after the measurements: on a shared
	// machine, other work inflates every latency.
	loadBefore, loadAfter string
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:min(3, len(f))], " ")
}

// corpusInfo describes the generated and ingested corpus.
type corpusInfo struct {
	Scale         string           `json:"scale"`
	Days          int              `json:"days"`
	Start         string           `json:"start"`
	Events        map[string]int64 `json:"events"`
	IngestSeconds float64          `json:"ingestSeconds"`
	StoreBytes    int64            `json:"storeBytes"`
	ArchiveBytes  int64            `json:"archiveBytes"`
	GeoIP         bool             `json:"geoip"`
}

// generate writes the corpus with `trailhound gen` unless a complete one
// is there.
func (b *bench) generate(logs, scale string, days int) error {
	done := filepath.Join(b.root, "generated")
	if _, err := os.Stat(done); err == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(b.root, "ingested.json")); err == nil {
		return nil // ingested earlier, logs dropped since
	}
	os.RemoveAll(logs)
	if err := os.MkdirAll(b.root, 0o755); err != nil {
		return err
	}
	logf("generating %s (scale %s, %d days): this takes a while the first time", logs, scale, days)
	cmd := exec.Command(b.bin, "gen", "--out", logs, "--scale", scale, "--days", strconv.Itoa(days),
		"--start", corpusStart.Format("2006-01-02"), "--seed", "11", "--json")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return os.WriteFile(done, out, 0o644)
}

// ingest loads the corpus into the data directory once.
func (b *bench) ingest(logs string) error {
	summary := filepath.Join(b.root, "ingested.json")
	if raw, err := os.ReadFile(summary); err == nil {
		return json.Unmarshal(raw, &b.corpus)
	}
	os.RemoveAll(b.data)
	events, secs, err := b.runIngest(logs)
	if err != nil {
		return err
	}
	return b.ingested(events, secs)
}

// runIngest ingests the logs into the data directory (adding to what it
// holds) and returns the records it stored and the time it took.
func (b *bench) runIngest(logs string) (map[string]int64, float64, error) {
	logf("ingesting %s into %s", logs, b.data)
	cmd := exec.Command(b.bin, "ingest", "--json", "--data", b.data, filepath.Join(logs, "AWSLogs"))
	cmd.Stderr = os.Stderr
	began := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("ingest: %w", err)
	}
	var sum struct {
		Events map[string]int64 `json:"events"`
		Failed []any            `json:"failed"`
	}
	if err := json.Unmarshal(out, &sum); err != nil {
		return nil, 0, fmt.Errorf("ingest summary: %w", err)
	}
	if len(sum.Failed) > 0 {
		return nil, 0, fmt.Errorf("ingest: %d objects failed", len(sum.Failed))
	}
	return sum.Events, time.Since(began).Seconds(), nil
}

// backfill completes the connection table (the VPC flow details' rows)
// of a store ingested, in part, by a version without it: the parts of a
// large corpus take hours, and a store may outlive the binary that began
// it. Only the flows of the last eight days are backfilled, which every
// measured window lies in (the sample's scopes end with its entities'
// data, and the longest is a week).
func (b *bench) backfill() error {
	from := corpusStart.AddDate(0, 0, max(0, b.days-8))
	cmd := exec.Command(b.bin, "backfill", "--json", "--data", b.data, "--from", from.Format("2006-01-02"))
	cmd.Stderr = os.Stderr
	began := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	var sum struct {
		Objects int   `json:"objects"`
		Records int64 `json:"records"`
	}
	if err := json.Unmarshal(out, &sum); err != nil {
		return fmt.Errorf("backfill summary: %w", err)
	}
	if sum.Objects > 0 {
		logf("backfilled the flow connections of %d objects (%d records) from %s in %.0f s",
			sum.Objects, sum.Records, from.Format("2006-01-02"), time.Since(began).Seconds())
	}
	return nil
}

// ingested records what the store holds once the corpus is in.
func (b *bench) ingested(events map[string]int64, secs float64) error {
	_, geo := os.Stat(".geoip")
	b.corpus = corpusInfo{
		Scale: b.scale, Days: b.days, Start: corpusStart.Format("2006-01-02"), Events: events,
		IngestSeconds: secs, StoreBytes: size(filepath.Join(b.data, duckdb.FileName)),
		ArchiveBytes: size(filepath.Join(b.data, "objects")), GeoIP: geo == nil || os.Getenv("TRAILHOUND_GEOIP_DIR") != "" || os.Getenv("TRAILHOUND_GEOIP_CITY") != "",
	}
	raw, _ := json.MarshalIndent(b.corpus, "", "  ")
	return os.WriteFile(filepath.Join(b.root, "ingested.json"), raw, 0o644)
}

// part is one part of a corpus generated and ingested in parts.
type part struct {
	First, Last int
	Events      map[string]int64
	Seconds     float64
}

// inParts generates, ingests and deletes the corpus partDays days at a
// time (gen --only-days writes each part exactly as the whole run would),
// so that the logs on disk never exceed one part. Each part ingested is
// recorded in parts.json; a run interrupted resumes with the next part
// (the part it was ingesting is ingested again, which stores only what
// is missing).
func (b *bench) inParts(logs string, partDays int) error {
	summary := filepath.Join(b.root, "ingested.json")
	if raw, err := os.ReadFile(summary); err == nil {
		return json.Unmarshal(raw, &b.corpus)
	}
	if err := os.MkdirAll(b.root, 0o755); err != nil {
		return err
	}
	record := filepath.Join(b.root, "parts.json")
	var parts []part
	if raw, err := os.ReadFile(record); err == nil {
		if err := json.Unmarshal(raw, &parts); err != nil {
			return fmt.Errorf("%s: %w", record, err)
		}
	} else {
		os.RemoveAll(b.data)
	}
	for first := 1; first <= b.days; first += partDays {
		last := min(first+partDays-1, b.days)
		if slices.ContainsFunc(parts, func(p part) bool { return p.First == first && p.Last == last }) {
			continue
		}
		os.RemoveAll(logs)
		logf("generating days %d-%d of %d (scale %s) into %s", first, last, b.days, b.scale, logs)
		cmd := exec.Command(b.bin, "gen", "--out", logs, "--scale", b.scale, "--days", strconv.Itoa(b.days),
			"--start", corpusStart.Format("2006-01-02"), "--seed", "11", "--only-days", fmt.Sprintf("%d-%d", first, last), "--json")
		cmd.Stderr = os.Stderr
		if _, err := cmd.Output(); err != nil {
			return fmt.Errorf("gen days %d-%d: %w", first, last, err)
		}
		events, secs, err := b.runIngest(logs)
		if err != nil {
			return err
		}
		parts = append(parts, part{First: first, Last: last, Events: events, Seconds: secs})
		raw, _ := json.MarshalIndent(parts, "", "  ")
		if err := os.WriteFile(record, raw, 0o644); err != nil {
			return err
		}
		if err := os.RemoveAll(logs); err != nil {
			return err
		}
	}
	events := map[string]int64{}
	var secs float64
	for _, p := range parts {
		for k, v := range p.Events {
			events[k] += v
		}
		secs += p.Seconds
	}
	return b.ingested(events, secs)
}

// size is the size of a file or of everything under a folder.
func size(p string) int64 {
	var n int64
	filepath.Walk(p, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// sampled is one entity the panels are measured on. Kind is busy (the
// most API calls of its type), quiet (the fewest, but some), flows (the
// most VPC flow bytes) or any (types measured by findings only).
type sampled struct {
	Ref     trailhound.EntityRef `json:"ref"`
	Kind    string               `json:"kind"`
	Account string               `json:"account"`
	Scope   trailhound.Scope     `json:"scope"` // its default scope, set through the API
}

// panelTypes are the types some panel applies to.
func panelTypes() []trailhound.Namespace {
	var out []trailhound.Namespace
	for _, p := range analysis.Panels {
		for _, t := range p.Types {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// keyColumns are the events' entity key columns, as the store attributes
// calls to entities.
var keyColumns = []string{"principal_key", "role_key", "account_key", "ip_key", "ua_key", "access_key_key", "bucket_key"}

// loadSample picks the entities once per corpus and keeps the choice.
func (b *bench) loadSample(ctx context.Context) error {
	path := filepath.Join(b.root, "sample.json")
	if raw, err := os.ReadFile(path); err == nil {
		return json.Unmarshal(raw, &b.sample)
	}
	logf("choosing busy and quiet entities of every type")
	st, err := duckdb.Open(ctx, b.data, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	db := st.DB()
	var parts []string
	for _, c := range keyColumns {
		parts = append(parts, "SELECT "+c+" AS k FROM events WHERE "+c+" <> 0")
	}
	q := `WITH act AS (SELECT k, count(*) AS n FROM (` + strings.Join(parts, " UNION ALL ") + `) GROUP BY k),
ent AS (SELECT key, namespace, id, max(account) AS account FROM entities GROUP BY ALL),
ranked AS (SELECT ent.namespace, ent.id, coalesce(ent.account, '') AS account, act.n,
  row_number() OVER (PARTITION BY ent.namespace ORDER BY act.n DESC, ent.id) AS top,
  row_number() OVER (PARTITION BY ent.namespace ORDER BY act.n, ent.id) AS bottom
  FROM ent JOIN act ON act.k = ent.key)
SELECT namespace, id, account, CASE WHEN top = 1 THEN 'busy' ELSE 'quiet' END FROM ranked WHERE top = 1 OR bottom = 1
UNION ALL
SELECT 'Ec2Instance', id, account, 'flows' FROM (SELECT ent.id, coalesce(ent.account, '') AS account FROM flows JOIN ent ON ent.key = flows.instance_key
  GROUP BY ALL ORDER BY sum(flows.bytes) DESC, ent.id LIMIT 1)
UNION ALL
SELECT 'IpAddress', id, account, 'flows' FROM (SELECT ent.id, coalesce(ent.account, '') AS account FROM flows JOIN ent ON ent.key = flows.remote_key
  GROUP BY ALL ORDER BY sum(flows.bytes) DESC, ent.id LIMIT 1)
UNION ALL
SELECT namespace, min(id), '', 'any' FROM ent WHERE namespace NOT IN (SELECT DISTINCT ent.namespace FROM ent JOIN act ON act.k = ent.key) GROUP BY namespace`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	defer rows.Close()
	types := panelTypes()
	seen := map[trailhound.EntityRef]bool{}
	for rows.Next() {
		var s sampled
		var ns string
		if err := rows.Scan(&ns, &s.Ref.ID, &s.Account, &s.Kind); err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		s.Ref.Type = trailhound.Namespace(ns)
		if !slices.Contains(types, s.Ref.Type) || seen[s.Ref] {
			continue
		}
		seen[s.Ref] = true
		b.sample = append(b.sample, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	sort.Slice(b.sample, func(i, j int) bool {
		if b.sample[i].Ref.Type != b.sample[j].Ref.Type {
			return b.sample[i].Ref.Type < b.sample[j].Ref.Type
		}
		return b.sample[i].Kind < b.sample[j].Kind
	})
	raw, _ := json.MarshalIndent(b.sample, "", "  ")
	return os.WriteFile(path, raw, 0o644)
}

// server is one running `trailhound serve`.
type server struct {
	cmd    *exec.Cmd
	exited chan error
	url    string
	c      *client.Client
	open   time.Duration
}

// start runs serve on a free port and waits until it listens.
func (b *bench) start() (*server, error) {
	ready := filepath.Join(b.root, "serve.url")
	os.Remove(ready)
	logFile, err := os.Create(filepath.Join(b.root, "serve.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(b.bin, "serve", "--data", b.data, "--listen", "127.0.0.1:0", "--ready-file", ready)
	cmd.Stderr = logFile
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("serve exited: %v (see %s)", err, logFile.Name())
		case <-time.After(10 * time.Millisecond):
		}
		if raw, err := os.ReadFile(ready); err == nil {
			s := &server{cmd: cmd, exited: exited, url: strings.TrimSpace(string(raw)), open: time.Since(began)}
			if s.c, err = client.New(s.url, nil); err != nil {
				b.stop(s)
				return nil, err
			}
			b.opens = append(b.opens, s.open)
			return s, nil
		}
	}
	cmd.Process.Kill()
	return nil, errors.New("serve did not start within 10 minutes")
}

// waitSearchIndex asks serve for a search, which starts its index build
// if the delay after start has not, and waits until serve logs the index
// built (or skipped, for a store too large to index).
func (b *bench) waitSearchIndex(ctx context.Context, s *server) error {
	if _, err := s.c.SearchRaw(ctx, client.SearchParams{Q: "*", Limit: 1}); err != nil {
		return err
	}
	log := filepath.Join(b.root, "serve.log")
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		raw, err := os.ReadFile(log)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(`"msg":"search_index_built"`)) || bytes.Contains(raw, []byte(`"msg":"search_index_skipped"`)) {
			return nil
		}
		if bytes.Contains(raw, []byte(`"msg":"search_index_failed"`)) {
			return fmt.Errorf("serve could not build its search index (see %s)", log)
		}
	}
	return errors.New("serve did not build its search index within 5 minutes")
}

// stop records the process's peak resident memory and stops it.
func (b *bench) stop(s *server) {
	if raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid)); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					b.serveRSS = max(b.serveRSS, kb<<10)
				}
			}
		}
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// slowest is the entity of a row's slowest query.
type slowest struct {
	d      time.Duration
	entity string
}

// series is a set of latencies.
type series []time.Duration

func (s series) pct(p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	i := int(math.Ceil(p/100*float64(len(c)))) - 1
	return c[max(i, 0)]
}

// timed runs f once untimed and reps times timed, into row of each map.
// It returns the slowest of the timed runs.
func (b *bench) timed(into []map[string]*series, row string, f func() error) (time.Duration, error) {
	if err := f(); err != nil {
		return 0, fmt.Errorf("%s: %w", row, err)
	}
	var slowest time.Duration
	for i := 0; i < b.reps; i++ {
		began := time.Now()
		if err := f(); err != nil {
			return 0, fmt.Errorf("%s: %w", row, err)
		}
		d := time.Since(began)
		slowest = max(slowest, d)
		for _, m := range into {
			if m[row] == nil {
				m[row] = &series{}
			}
			*m[row] = append(*m[row], d)
		}
	}
	return slowest, nil
}

// panelRow names the row of a panel measured over scopes of a length.
func panelRow(panel, span string) string { return "panel " + panel + " [" + span + "]" }

// searchCases are the searches measured.
func (b *bench) searchCases() []struct {
	name string
	p    client.SearchParams
} {
	cases := []struct {
		name string
		p    client.SearchParams
	}{
		{"search pattern *admin* (all types)", client.SearchParams{Q: "*admin*"}},
		{"search dotted 10.0.*.*", client.SearchParams{Q: "10.0.*.*"}},
		{"search cidr 10.0.0.0/8", client.SearchParams{Q: "10.0.0.0/8"}},
		{"search list AwsRole", client.SearchParams{Type: trailhound.AwsRole}},
		{"search list IpAddress", client.SearchParams{Type: trailhound.IPAddress}},
	}
	for _, s := range b.sample {
		if s.Kind == "busy" && s.Ref.Type == trailhound.AwsUser {
			cases = append(cases, struct {
				name string
				p    client.SearchParams
			}{"search exact user id", client.SearchParams{Q: s.Ref.ID}})
		}
	}
	return cases
}

// measureServed times everything warm through one serve process.
func (b *bench) measureServed(ctx context.Context) error {
	s, err := b.start()
	if err != nil {
		return err
	}
	defer b.stop(s)
	logf("serve opened the store in %v; waiting for its search index", s.open.Round(time.Millisecond))
	// Warm means steady state: the index serve builds in the background
	// after start would otherwise share the CPU with the first panels.
	if err := b.waitSearchIndex(ctx, s); err != nil {
		return err
	}
	logf("measuring warm queries")
	b.timings = map[string]*series{}
	b.engRef = map[string]*series{}
	b.slowest = map[string]slowest{}
	b.totals = map[string]analysis.Counts{}
	c := s.c
	for i := range b.sample {
		e, err := c.Entity(ctx, b.sample[i].Ref)
		if err != nil {
			return fmt.Errorf("entity %s: %w", b.sample[i].Ref, err)
		}
		b.sample[i].Scope = trailhound.Scope{Start: e.DefaultScope.Start, End: e.DefaultScope.End}
		ref := b.sample[i].Ref
		if _, err := b.timed([]map[string]*series{b.timings}, "entity (profile header)", func() error { _, err := c.EntityRaw(ctx, ref); return err }); err != nil {
			return err
		}
	}
	for i, s := range b.sample {
		logf("warm panels of %s (%s), %d/%d", s.Ref, s.Kind, i+1, len(b.sample))
		for _, sc := range scopesOf(s) {
			for _, p := range analysis.PanelsFor(s.Ref.Type) {
				ref, scope, panel := s.Ref, sc.scope, p
				var raw json.RawMessage
				// The speed-up compares the panel and the reference over
				// the same entities: those the reference applies to.
				into := []map[string]*series{b.timings}
				if _, _, ok := referenceQuery(p, s, sc.scope); ok {
					into = append(into, b.engRef)
				}
				row := panelRow(p, sc.span)
				d, err := b.timed(into, row, func() error {
					var err error
					raw, err = c.PanelRaw(ctx, ref, panel, scope, nil)
					return err
				})
				if err != nil {
					return err
				}
				if d > b.slowest[row].d {
					b.slowest[row] = slowest{d, ref.String()}
				}
				if p == analysis.PanelAPICallVolume || p == analysis.PanelActivityDetails {
					var t struct{ Totals analysis.Counts }
					if err := json.Unmarshal(raw, &t); err != nil {
						return fmt.Errorf("%s of %s: %w", p, ref, err)
					}
					b.totals[checkKey(ref, p, sc.span)] = t.Totals
				}
			}
		}
	}
	for _, sc := range b.searchCases() {
		p := sc.p
		if _, err := b.timed([]map[string]*series{b.timings}, sc.name, func() error { _, err := c.SearchRaw(ctx, p); return err }); err != nil {
			return err
		}
	}
	end := b.dataEnd()
	for _, sm := range []struct {
		name  string
		scope client.Scope
	}{{"summary (last 24 hours)", client.Scope{}}, {"summary (7 days)", client.Scope{Start: end - 7*86400, End: end}}} {
		scope := sm.scope
		if _, err := b.timed([]map[string]*series{b.timings}, sm.name, func() error { _, err := c.Summary(ctx, scope); return err }); err != nil {
			return err
		}
	}
	if _, err := b.timed([]map[string]*series{b.timings}, "usage", func() error { _, err := c.Usage(ctx); return err }); err != nil {
		return err
	}
	return b.measureEvents(ctx, c)
}

// dataEnd is the end of the hour of the latest sampled activity.
func (b *bench) dataEnd() int64 {
	var end int64
	for _, s := range b.sample {
		end = max(end, s.Scope.End)
	}
	return end
}

type scopeCase struct {
	span  string
	scope trailhound.Scope
}

// scopesOf are the scopes an entity's panels are measured over: its
// default scope (the console opens with it) and, for busy entities, the
// week that ends with it.
func scopesOf(s sampled) []scopeCase {
	out := []scopeCase{{"24h", s.Scope}}
	if s.Kind == "busy" || s.Kind == "flows" {
		out = append(out, scopeCase{"7d", trailhound.Scope{Start: s.Scope.End - 7*86400, End: s.Scope.End}})
	}
	return out
}

// eventsResult is the /events stream measurement.
type eventsResult struct {
	Entity        string  `json:"entity"`
	Scope         string  `json:"scope"`
	Records       int64   `json:"records"`
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"recordsPerSecond"`
}

// measureEvents streams the raw records of the busiest account's day.
func (b *bench) measureEvents(ctx context.Context, c *client.Client) error {
	var acct *sampled
	for i, s := range b.sample {
		if s.Ref.Type == trailhound.AwsAccount && s.Kind == "busy" {
			acct = &b.sample[i]
		}
	}
	if acct == nil {
		return errors.New("no account in the sample")
	}
	began := time.Now()
	body, err := c.EventsReader(ctx, acct.Ref, acct.Scope, "ndjson", nil)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	defer body.Close()
	var n, size int64
	r := bufio.NewReaderSize(body, 1<<20)
	for {
		line, err := r.ReadSlice('\n')
		size += int64(len(line))
		if len(line) > 0 && line[len(line)-1] == '\n' {
			n++
		}
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("events: %w", err)
		}
	}
	secs := time.Since(began).Seconds()
	b.events = eventsResult{Entity: acct.Ref.String(), Scope: fmt.Sprintf("%d-%d", acct.Scope.Start, acct.Scope.End),
		Records: n, Bytes: size, Seconds: secs, RecordsPerSec: float64(n) / secs}
	return nil
}

// measureCold restarts serve before each measured query, so that the
// query is the first the process answers: the store's caches are empty
// (the operating system's file cache is not dropped; that needs root and
// would slow everyone else on the machine).
func (b *bench) measureCold(ctx context.Context) error {
	b.cold = map[string]time.Duration{}
	prefer := []trailhound.Namespace{trailhound.AwsAccount, trailhound.Ec2Instance, trailhound.AwsRole, trailhound.AwsUser, trailhound.IPAddress}
	pick := func(panel string) *sampled {
		for _, ns := range prefer {
			for i, s := range b.sample {
				if s.Ref.Type == ns && (s.Kind == "busy" || s.Kind == "flows" && ns == trailhound.Ec2Instance) && slices.Contains(analysis.PanelsFor(ns), panel) {
					return &b.sample[i]
				}
			}
		}
		return nil
	}
	type coldCase struct {
		row string
		run func(*client.Client) error
	}
	var cases []coldCase
	for _, p := range analysis.Panels {
		s := pick(p.ID)
		if s == nil {
			continue
		}
		ref, scope, panel := s.Ref, s.Scope, p.ID
		cases = append(cases, coldCase{panelRow(p.ID, "24h"), func(c *client.Client) error {
			_, err := c.PanelRaw(ctx, ref, panel, scope, nil)
			return err
		}})
	}
	cases = append(cases,
		coldCase{"search list IpAddress", func(c *client.Client) error {
			_, err := c.SearchRaw(ctx, client.SearchParams{Type: trailhound.IPAddress})
			return err
		}},
		coldCase{"summary (last 24 hours)", func(c *client.Client) error { _, err := c.Summary(ctx, client.Scope{}); return err }},
	)
	logf("measuring %d cold queries, one serve start each", len(cases))
	for _, cc := range cases {
		s, err := b.start()
		if err != nil {
			return err
		}
		began := time.Now()
		err = cc.run(s.c)
		b.cold[cc.row] = time.Since(began)
		b.stop(s)
		if err != nil {
			return fmt.Errorf("cold %s: %w", cc.row, err)
		}
	}
	return nil
}

// measureReference times the straightforward SQL for each panel and
// sampled entity, over the same scopes, in this process.
func (b *bench) measureReference(ctx context.Context) error {
	logf("measuring the reference queries over the events table")
	st, err := duckdb.Open(ctx, b.data, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	db := st.DB()
	b.ref = map[string]*series{}
	b.refNote = map[string]string{}
	for _, s := range b.sample {
		for _, sc := range scopesOf(s) {
			for _, p := range analysis.PanelsFor(s.Ref.Type) {
				q, args, ok := referenceQuery(p, s, sc.scope)
				if !ok {
					switch {
					case p == analysis.PanelFindings:
						b.refNote[p] = "reads the findings table either way"
					case strings.HasPrefix(p, "vpc-flow"):
						b.refNote[p] = "flow records are stored only as hourly aggregates"
					case b.refNote[p] == "":
						b.refNote[p] = "no reference query"
					}
					continue
				}
				row := panelRow(p, sc.span)
				if _, err := b.timed([]map[string]*series{b.ref}, row, func() error { return drain(ctx, db, q, args) }); err != nil {
					// A reference that fails (DuckDB's memory limit) is
					// reported, and the others still run.
					logf("reference %s of %s: %v", row, s.Ref, err)
					b.refFailed = append(b.refFailed, fmt.Sprintf("%s of %s: %s", row, s.Ref, strings.SplitN(err.Error(), "\n", 2)[0]))
					continue
				}
				if want, ok := b.totals[checkKey(s.Ref, p, sc.span)]; ok {
					if err := b.check(ctx, db, q, args, p, s.Ref, sc.span, want); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func checkKey(ref trailhound.EntityRef, panel, span string) string {
	return ref.String() + "|" + panel + "|" + span
}

// check compares the totals of a reference answer with the panel's, so
// that the speed-up compares two ways of computing the same numbers.
func (b *bench) check(ctx context.Context, db *sql.DB, q string, args []any, panel string, ref trailhound.EntityRef, span string, want analysis.Counts) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var got analysis.Counts
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		switch panel {
		case analysis.PanelAPICallVolume: // bucket, success, failure; bucket -1 is the baseline
			if vals[0].(int64) >= 0 {
				got.Success += vals[1].(int64)
				got.Failure += vals[2].(int64)
			}
		case analysis.PanelActivityDetails: // ip, source, api, caller, success, failure, ...
			got.Success += vals[4].(int64)
			got.Failure += vals[5].(int64)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	b.checked++
	if got != want {
		b.mismatch = append(b.mismatch, fmt.Sprintf("%s of %s [%s]: panel %+v, reference %+v", panel, ref, span, want, got))
	}
	return nil
}

// drain runs a query and reads every row, as a panel would.
func drain(ctx context.Context, db *sql.DB, q string, args []any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}

const ts = "make_timestamp(CAST(? AS BIGINT) * 1000000)"

// subject is how events are attributed to an entity of a type, as the
// store does: a condition on the events' key columns.
func subject(ns trailhound.Namespace) (string, int, bool) {
	switch ns {
	case trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.AwsService:
		return "(principal_key = ? OR role_key = ? OR account_key = ?)", 3, true
	case trailhound.IPAddress:
		return "ip_key = ?", 1, true
	case trailhound.UserAgent:
		return "ua_key = ?", 1, true
	case trailhound.AccessKey:
		return "access_key_key = ?", 1, true
	case trailhound.S3Bucket:
		return "bucket_key = ?", 1, true
	}
	return "", 0, false
}

// referenceQuery is the straightforward SQL of a panel over the events
// table: one statement that scans the entity's events in the scope (and
// the baseline, where the panel compares with it) and groups them as the
// panel does, with the names of the keys joined in. It answers what the
// panel answers, without the hourly relationship tables.
func referenceQuery(panel string, s sampled, scope trailhound.Scope) (string, []any, bool) {
	cond, n, ok := subject(s.Ref.Type)
	if !ok {
		return "", nil, false
	}
	key := s.Ref.Key()
	subj := make([]any, n)
	for i := range subj {
		subj[i] = key
	}
	base := scope.Baseline(trailhound.DefaultBaseline)
	acct := trailhound.EntityRef{Type: trailhound.AwsAccount, ID: s.Account}.Key()
	inScope := "event_time >= " + ts + " AND event_time < " + ts
	with := func(extra ...any) []any { return append(slices.Clone(subj), extra...) }
	// The names of the keys an answer holds, as a panel looks them up.
	names := func(keys string) string {
		return `(SELECT key, any_value(id) AS id FROM entities WHERE key IN (` + keys + `) GROUP BY key)`
	}
	switch panel {
	case analysis.PanelAPICallVolume:
		width := analysis.BucketSeconds(scope)
		return `SELECT CASE WHEN event_time >= ` + ts + ` THEN (epoch_ms(event_time) // 1000 - ?) // ? ELSE -1 END AS bucket,
  count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed)
FROM events WHERE ` + cond + ` AND ` + inScope + ` GROUP BY bucket ORDER BY bucket`,
			append([]any{scope.Start, scope.Start, width}, with(base.Start, scope.End)...), true
	case analysis.PanelActivityDetails:
		caller := "principal_key"
		switch s.Ref.Type {
		case trailhound.AwsRole:
			caller = "principal_key"
		case trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.FederatedUser:
			caller = "access_key_key"
		}
		return `WITH g AS (SELECT ip_key, source_ip, api_key, ` + caller + ` AS caller,
  count(*) FILTER (WHERE NOT failed) AS ok, count(*) FILTER (WHERE failed) AS failed
  FROM events WHERE ` + cond + ` AND ` + inScope + ` GROUP BY ALL)
SELECT g.*, a.id, c.id, i.city, i.country, i.asn FROM g
LEFT JOIN ` + names("SELECT api_key FROM g") + ` a ON a.key = g.api_key LEFT JOIN ` + names("SELECT caller FROM g") + ` c ON c.key = g.caller
LEFT JOIN ip_info i ON i.key = g.ip_key ORDER BY ok + failed DESC`, with(scope.Start, scope.End), true
	case analysis.PanelNewGeolocations:
		place := `coalesce(i.country, '') || '/' || coalesce(i.region, '') || '/' || coalesce(i.city, '')`
		return `WITH s AS (SELECT ` + place + ` AS place, count(*) FILTER (WHERE NOT failed) AS ok, count(*) FILTER (WHERE failed) AS failed
  FROM events JOIN ip_info i ON i.key = events.ip_key WHERE i.country IS NOT NULL AND ` + cond + ` AND ` + inScope + ` GROUP BY place),
b AS (SELECT DISTINCT ` + place + ` AS place FROM events JOIN ip_info i ON i.key = events.ip_key WHERE i.country IS NOT NULL AND ` + cond + ` AND ` + inScope + `),
a AS (SELECT DISTINCT ` + place + ` AS place FROM events JOIN ip_info i ON i.key = events.ip_key WHERE i.country IS NOT NULL AND account_key = ? AND ` + inScope + `)
SELECT s.*, s.place NOT IN (SELECT place FROM a) FROM s WHERE s.place NOT IN (SELECT place FROM b) ORDER BY ok + failed DESC`,
			append(append(with(scope.Start, scope.End), with(base.Start, base.End)...), acct, base.Start, base.End), true
	case analysis.PanelNewAPICalls, analysis.PanelNewUserAgents, analysis.PanelNewASOs:
		dim, join := "api_key", ""
		switch panel {
		case analysis.PanelNewUserAgents:
			dim = "ua_key"
		case analysis.PanelNewASOs:
			dim, join = "i.asn", " JOIN ip_info i ON i.key = events.ip_key"
		}
		return `WITH s AS (SELECT ` + dim + ` AS d, count(*) FILTER (WHERE NOT failed) AS ok, count(*) FILTER (WHERE failed) AS failed
  FROM events` + join + ` WHERE ` + cond + ` AND ` + inScope + ` GROUP BY d),
b AS (SELECT DISTINCT ` + dim + ` AS d FROM events` + join + ` WHERE ` + cond + ` AND ` + inScope + `),
a AS (SELECT DISTINCT ` + dim + ` AS d FROM events` + join + ` WHERE account_key = ? AND ` + inScope + `)
SELECT s.*, n.id, s.d NOT IN (SELECT d FROM a) FROM s LEFT JOIN ` + names("SELECT d FROM s") + ` n ON n.key = s.d
WHERE s.d NOT IN (SELECT d FROM b) ORDER BY ok + failed DESC`,
			append(append(with(scope.Start, scope.End), with(base.Start, base.End)...), acct, base.Start, base.End), true
	case analysis.PanelIncreasedVolume:
		return `WITH c AS (SELECT api_key, count(*) FILTER (WHERE event_time >= ` + ts + `) AS calls,
  count(*) FILTER (WHERE event_time < ` + ts + `) AS baseline
  FROM events WHERE ` + cond + ` AND ` + inScope + ` GROUP BY api_key)
SELECT c.*, n.id FROM c LEFT JOIN ` + names("SELECT api_key FROM c") + ` n ON n.key = c.api_key
WHERE c.calls > c.baseline * ? ORDER BY c.calls DESC`,
			append([]any{scope.Start, scope.Start}, with(base.Start, scope.End, float64(scope.End-scope.Start)/float64(base.End-base.Start))...), true
	case analysis.PanelInteraction:
		// The principals behind the calls from an address or with a user
		// agent, and the sessions of a role. (The sessions a user or a
		// session started come from the AssumeRole relationships, which
		// the events table alone does not hold.)
		if s.Ref.Type != trailhound.IPAddress && s.Ref.Type != trailhound.UserAgent && s.Ref.Type != trailhound.AwsRole {
			return "", nil, false
		}
		return `WITH c AS (SELECT principal_key, role_key, count(*) AS calls, min(event_time) AS first, max(event_time) AS last
  FROM events WHERE ` + cond + ` AND ` + inScope + ` GROUP BY ALL)
SELECT c.*, p.id, r.id FROM c LEFT JOIN ` + names("SELECT principal_key FROM c") + ` p ON p.key = c.principal_key
LEFT JOIN ` + names("SELECT role_key FROM c") + ` r ON r.key = c.role_key
ORDER BY calls DESC`, with(scope.Start, scope.End), true
	}
	return "", nil, false
}

// row is one line of the report.
type row struct {
	Name        string   `json:"name"`
	N           int      `json:"n"`
	P50ms       float64  `json:"p50Ms"`
	P95ms       float64  `json:"p95Ms"`
	MaxMs       float64  `json:"maxMs"`
	ColdMs      *float64 `json:"coldMs,omitempty"`
	RefP50ms    *float64 `json:"referenceP50Ms,omitempty"`
	SpeedUp     *float64 `json:"speedUp,omitempty"`
	RefNote     string   `json:"referenceNote,omitempty"`
	Target      string   `json:"target,omitempty"`
	Slowest     string   `json:"slowestEntity,omitempty"`
	MeetsTarget *bool    `json:"meetsTarget,omitempty"`
}

// report is what a run prints and keeps in results.json.
type report struct {
	Corpus        corpusInfo   `json:"corpus"`
	LoadBefore    string       `json:"loadAverageBefore"`
	LoadAfter     string       `json:"loadAverageAfter"`
	Sample        []sampled    `json:"sample"`
	Rows          []row        `json:"rows"`
	Events        eventsResult `json:"events"`
	EventsMeets   bool         `json:"eventsMeetsTarget"`
	ServeOpenMs   []float64    `json:"serveOpenMs"`
	ServePeakRSS  int64        `json:"servePeakRssBytes"`
	ServeRSSMeets bool         `json:"serveRssMeetsTarget"`
	Checked       int          `json:"referenceTotalsChecked"`
	RefFailed     []string     `json:"referenceFailures,omitempty"`
	Mismatches    []string     `json:"referenceMismatches,omitempty"`
	CPUs          int          `json:"cpus"`
	Reps          int          `json:"reps"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/10) / 100 }

func (b *bench) report() *report {
	rep := &report{Corpus: b.corpus, LoadBefore: b.loadBefore, LoadAfter: b.loadAfter, Sample: b.sample, Events: b.events, ServePeakRSS: b.serveRSS, CPUs: runtime.NumCPU(), Reps: b.reps,
		EventsMeets: b.events.RecordsPerSec >= targetEventsRate, ServeRSSMeets: b.serveRSS < targetServeRSS,
		Checked: b.checked, Mismatches: b.mismatch, RefFailed: b.refFailed}
	for _, d := range b.opens {
		rep.ServeOpenMs = append(rep.ServeOpenMs, ms(d))
	}
	names := make([]string, 0, len(b.timings))
	for k := range b.timings {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return rowOrder(names[i]) < rowOrder(names[j]) })
	for _, name := range names {
		s := *b.timings[name]
		r := row{Name: name, N: len(s), P50ms: ms(s.pct(50)), P95ms: ms(s.pct(95)), MaxMs: ms(s.pct(100)), Slowest: b.slowest[name].entity}
		cold, hasCold := b.cold[name]
		if hasCold {
			v := ms(cold)
			r.ColdMs = &v
		}
		if ref, eng := b.ref[name], b.engRef[name]; ref != nil && eng != nil {
			v := ms(ref.pct(50))
			r.RefP50ms = &v
			if e := ms(eng.pct(50)); e > 0 {
				up := math.Round(v/e*10) / 10
				r.SpeedUp = &up
			}
		} else if strings.HasPrefix(name, "panel ") {
			id := strings.Fields(name)[1]
			r.RefNote = b.refNote[id]
		}
		var meets bool
		switch {
		case strings.HasPrefix(name, "panel "):
			r.Target = fmt.Sprintf("p95 ≤ %d ms", targetPanelP95.Milliseconds())
			meets = s.pct(95) <= targetPanelP95
			if hasCold {
				r.Target += fmt.Sprintf(", cold ≤ %d ms", targetPanelCold.Milliseconds())
				meets = meets && cold <= targetPanelCold
			}
		case strings.HasPrefix(name, "search "):
			r.Target = fmt.Sprintf("p95 ≤ %d ms", targetSearch.Milliseconds())
			meets = s.pct(95) <= targetSearch
		case strings.HasPrefix(name, "summary "):
			r.Target = fmt.Sprintf("p95 ≤ %d ms", targetSummary.Milliseconds())
			meets = s.pct(95) <= targetSummary
		}
		if r.Target != "" {
			r.MeetsTarget = &meets
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep
}

// rowOrder sorts panels in profile order, then the other endpoints.
func rowOrder(name string) string {
	for i, p := range analysis.Panels {
		if strings.HasPrefix(name, "panel "+p.ID+" ") {
			return fmt.Sprintf("0%02d %s", i, name)
		}
	}
	switch {
	case strings.HasPrefix(name, "entity"):
		return "1" + name
	case strings.HasPrefix(name, "search"):
		return "2" + name
	case strings.HasPrefix(name, "summary"):
		return "3" + name
	}
	return "4" + name
}

func (r *report) print(w io.Writer) {
	c := r.Corpus
	var total int64
	for _, n := range c.Events {
		total += n
	}
	fmt.Fprintf(w, "corpus %s from %s: %s CloudTrail events, %s VPC flow records, %s findings (%s records); store %s, archive %s; GeoIP %v\n",
		c.Scale, c.Start, thousands(c.Events["cloudtrail"]), thousands(c.Events["vpcflow"]), thousands(c.Events["guardduty"]), thousands(total),
		gib(c.StoreBytes), gib(c.ArchiveBytes), c.GeoIP)
	fmt.Fprintf(w, "%d entities sampled; %d timed repetitions per query after one untimed; %d CPUs; load average %s before, %s after\n\n",
		len(r.Sample), r.Reps, r.CPUs, r.LoadBefore, r.LoadAfter)
	tw := newTab(w)
	fmt.Fprintln(tw, "endpoint\tn\tp50 ms\tp95 ms\tmax ms\tcold ms\treference p50 ms\tspeed-up\ttarget")
	for _, x := range r.Rows {
		cold, refv, up := "-", "-", "-"
		if x.ColdMs != nil {
			cold = fmt.Sprintf("%.1f", *x.ColdMs)
		}
		if x.RefP50ms != nil {
			refv = fmt.Sprintf("%.1f", *x.RefP50ms)
		}
		if x.SpeedUp != nil {
			up = fmt.Sprintf("%.1fx", *x.SpeedUp)
		} else if x.RefNote != "" {
			up = "n/a"
		}
		target := x.Target
		if x.MeetsTarget != nil {
			target += map[bool]string{true: "  ok", false: "  MISSED"}[*x.MeetsTarget]
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%s\n", x.Name, x.N, x.P50ms, x.P95ms, x.MaxMs, cold, refv, up, target)
	}
	tw.Flush()
	var slow []string
	for _, x := range r.Rows {
		if x.Slowest != "" && x.MeetsTarget != nil && !*x.MeetsTarget {
			slow = append(slow, fmt.Sprintf("  %s: %.1f ms on %s", x.Name, x.MaxMs, x.Slowest))
		}
	}
	if len(slow) > 0 {
		fmt.Fprintf(w, "\nslowest query of each panel row that missed its target:\n%s\n", strings.Join(slow, "\n"))
	}
	e := r.Events
	fmt.Fprintf(w, "\nraw events: %s records (%.1f MB) of %s in %.2f s = %s records/s (target ≥ %s) %s\n",
		thousands(e.Records), float64(e.Bytes)/1e6, e.Entity, e.Seconds, thousands(int64(e.RecordsPerSec)), thousands(targetEventsRate), okText(r.EventsMeets))
	fmt.Fprintf(w, "serve peak RSS: %.0f MiB (target < %.0f MiB) %s; store open times: %s ms\n",
		float64(r.ServePeakRSS)/(1<<20), float64(targetServeRSS)/(1<<20), okText(r.ServeRSSMeets), joinFloats(r.ServeOpenMs))
	fmt.Fprintf(w, "reference totals equal to the panels' (api-call-volume, activity-details): %d of %d\n", r.Checked-len(r.Mismatches), r.Checked)
	for _, m := range r.Mismatches {
		fmt.Fprintf(w, "  MISMATCH %s\n", m)
	}
	for _, f := range r.RefFailed {
		fmt.Fprintf(w, "reference failed (left out of its row): %s\n", f)
	}
	fmt.Fprintln(w, "n/a: no reference: associated-findings reads the findings table either way, and flow records are stored only as hourly aggregates")
}

func okText(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

func joinFloats(v []float64) string {
	var parts []string
	for _, f := range v {
		parts = append(parts, strconv.FormatFloat(f, 'f', 0, 64))
	}
	return strings.Join(parts, ", ")
}

func newTab(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func gib(n int64) string { return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30)) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b bytes.Buffer
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
