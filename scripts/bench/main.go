// Command bench measures end-to-end ingest throughput on generated corpora
// and compares it, in the same run, with DuckDB's own read_json loading the
// same CloudTrail files into an equivalent table. Run it with `make bench`.
//
// It prints one line per measurement and, with -json, a JSON document.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/synth"
)

type result struct {
	Name          string  `json:"name"`
	Records       int64   `json:"records"`
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"recordsPerSecond"`
	MBPerSec      float64 `json:"mbPerSecond"`
	PeakRSSMiB    float64 `json:"peakRssMiB"`
}

func main() {
	dir := flag.String("dir", "bench-data", "where corpora are generated (kept between runs) and stores are written")
	bin := flag.String("bin", "bin/trailhound", "the trailhound binary to measure")
	ctPerDay := flag.Int("cloudtrail-per-day", 350_000, "CloudTrail events per day of the CloudTrail corpus (3 days)")
	flowsPerDay := flag.Int("flows-per-day", 5_000_000, "VPC flow records per day of the flow corpus (2 days)")
	asJSON := flag.Bool("json", false, "print results as JSON")
	flag.Parse()
	ctx := context.Background()
	ctDir := filepath.Join(*dir, fmt.Sprintf("cloudtrail-%d", *ctPerDay))
	flowDir := filepath.Join(*dir, fmt.Sprintf("vpcflow-%d", *flowsPerDay))
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	must(generate(ctx, ctDir, synth.Config{Seed: 7, Days: 3, Start: start, EventsPerDay: *ctPerDay, FlowsPerDay: 1}))
	must(generate(ctx, flowDir, synth.Config{Seed: 8, Days: 2, Start: start, EventsPerDay: 1_000, FlowsPerDay: *flowsPerDay}))

	// The ingests run before the reference: Linux reports a child's peak
	// memory as at least the parent's at the time it started the child,
	// and the reference grows this process by DuckDB's working memory.
	ct, err := ingest(*bin, filepath.Join(*dir, "store-cloudtrail"), filepath.Join(ctDir, "AWSLogs"), "cloudtrail")
	must(err)
	flows, err := ingest(*bin, filepath.Join(*dir, "store-vpcflow"), filepath.Join(flowDir, "AWSLogs"), "vpcflow")
	must(err)
	ref, err := readJSON(ctx, filepath.Join(ctDir, "AWSLogs"))
	must(err)
	flowRef, err := readCSV(ctx, filepath.Join(flowDir, "AWSLogs"))
	must(err)
	results := []result{ct, ref, flows, flowRef}

	ratio := ct.RecordsPerSec / ref.RecordsPerSec
	flowRatio := flows.RecordsPerSec / flowRef.RecordsPerSec
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(map[string]any{"results": results, "cloudtrailVsReadJSON": ratio, "vpcflowVsReadCSV": flowRatio, "cpus": runtime.NumCPU()})
		return
	}
	fmt.Printf("%-34s %12s %10s %12s %9s %10s\n", "measurement", "records", "seconds", "records/s", "MB/s", "peak RSS")
	for _, r := range results {
		rss := "-"
		if r.PeakRSSMiB > 0 {
			rss = fmt.Sprintf("%.0f MiB", r.PeakRSSMiB)
		}
		fmt.Printf("%-34s %12d %10.2f %12.0f %9.1f %10s\n", r.Name, r.Records, r.Seconds, r.RecordsPerSec, r.MBPerSec, rss)
	}
	fmt.Printf("CloudTrail end-to-end ingest vs DuckDB read_json: %.2fx (%d CPUs)\n", ratio, runtime.NumCPU())
	fmt.Printf("VPC flow end-to-end ingest vs DuckDB read_csv: %.2fx (%d CPUs)\n", flowRatio, runtime.NumCPU())
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// generate writes a corpus unless a complete one is already there.
func generate(ctx context.Context, dir string, cfg synth.Config) error {
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err == nil {
		return nil
	}
	os.RemoveAll(dir)
	w, err := objstore.NewWriter(ctx, dir, objstore.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generating %s ...\n", dir)
	_, err = synth.Generate(ctx, cfg, w, nil)
	return err
}

// ingest runs the binary on a fresh data directory and reads its summary.
func ingest(bin, data, src, source string) (result, error) {
	os.RemoveAll(data)
	cmd := exec.Command(bin, "ingest", "--json", "--data", data, src)
	cmd.Stderr = os.Stderr
	began := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("ingest %s: %w", src, err)
	}
	secs := time.Since(began).Seconds()
	var sum struct {
		Events map[string]int64 `json:"events"`
		Bytes  int64            `json:"bytes"`
	}
	if err := json.Unmarshal(out, &sum); err != nil {
		return result{}, fmt.Errorf("ingest summary: %w", err)
	}
	rss := 0.0
	if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(u.Maxrss) / 1024
	}
	n := sum.Events[source]
	return result{Name: "trailhound ingest " + source, Records: n, Bytes: sum.Bytes, Seconds: secs,
		RecordsPerSec: float64(n) / secs, MBPerSec: float64(sum.Bytes) / secs / 1e6, PeakRSSMiB: rss}, nil
}

// readJSON loads the CloudTrail files with DuckDB's read_json into a table
// of the columns Trailhound keeps per event (the reference).
func readJSON(ctx context.Context, src string) (result, error) {
	glob := filepath.Join(src, "**", "*_CloudTrail_*.json.gz")
	q := `CREATE TABLE ref AS
SELECT r->>'eventID' AS event_id, (r->>'eventTime')::TIMESTAMP AS event_time, r->>'eventSource' AS event_source,
       r->>'eventName' AS event_name, r->>'eventType' AS event_type, r->>'awsRegion' AS aws_region,
       r->>'recipientAccountId' AS recipient_account, r->'userIdentity'->>'type' AS identity_type,
       r->'userIdentity'->>'principalId' AS principal_id, r->'userIdentity'->>'arn' AS principal_arn,
       r->'userIdentity'->>'accessKeyId' AS access_key_id, r->>'sourceIPAddress' AS source_ip,
       r->>'userAgent' AS user_agent, r->>'errorCode' AS error_code, (r->>'readOnly')::BOOLEAN AS read_only
FROM (SELECT unnest(Records) AS r FROM read_json('` + strings.ReplaceAll(glob, "'", "''") + `', columns = {Records: 'JSON[]'}, format = 'unstructured', maximum_object_size = 268435456))`
	return reference(ctx, "duckdb read_json (reference)", src, func(p string) bool { return strings.Contains(p, "/CloudTrail/") }, q)
}

// readCSV loads the flow log files with DuckDB's read_csv into a table of
// the fields Trailhound keeps per flow (the reference for flows). The
// generator writes every file in one version-5 format, whose header is
// given to read_csv with the column types: DuckDB then reads the files in
// parallel without sniffing each one, its fastest way to load them.
func readCSV(ctx context.Context, src string) (result, error) {
	glob := filepath.Join(src, "*", "vpcflowlogs", "**", "*.log.gz")
	var cols []string
	for _, f := range strings.Fields(synth.FlowLogHeader) {
		cols = append(cols, "'"+f+"': 'VARCHAR'")
	}
	q := `CREATE TABLE ref AS
SELECT "account-id" AS account, "interface-id" AS interface_id, srcaddr, dstaddr, srcport::INTEGER AS srcport, dstport::INTEGER AS dstport,
       protocol::INTEGER AS protocol, packets::BIGINT AS packets, bytes::BIGINT AS bytes, to_timestamp(start::BIGINT) AS start_time,
       to_timestamp("end"::BIGINT) AS end_time, action, "log-status" AS log_status
FROM read_csv('` + strings.ReplaceAll(glob, "'", "''") + `', delim = ' ', header = true, nullstr = '-', auto_detect = false,
              columns = {` + strings.Join(cols, ", ") + `})`
	return reference(ctx, "duckdb read_csv (flow reference)", src, func(p string) bool {
		return strings.Contains(p, "/vpcflowlogs/") && strings.HasSuffix(p, ".log.gz")
	}, q)
}

// reference times query, which creates the table ref, in a fresh DuckDB
// database; the files below src that input selects are its input size.
func reference(ctx context.Context, name, src string, input func(path string) bool, query string) (result, error) {
	dbDir, err := os.MkdirTemp("", "bench-reference-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dbDir)
	db, err := sql.Open("duckdb", filepath.Join(dbDir, "ref.duckdb"))
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	var size int64
	filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && input(p) {
			size += info.Size()
		}
		return nil
	})
	began := time.Now()
	if _, err := db.ExecContext(ctx, query); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	secs := time.Since(began).Seconds()
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ref`).Scan(&n); err != nil {
		return result{}, err
	}
	return result{Name: name, Records: n, Bytes: size, Seconds: secs,
		RecordsPerSec: float64(n) / secs, MBPerSec: float64(size) / secs / 1e6}, nil
}
