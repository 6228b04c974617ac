// Command bench measures end-to-end ingest throughput on generated corpora
// and compares it, in the same run, with DuckDB's own read_json and
// read_csv loading the same CloudTrail and flow files into equivalent
// tables. It also measures two floors, the CPU time that decompressing the
// files and that DuckDB copying the rows the ingest stored in its biggest
// table take alone, and prints the rate an ingest doing nothing else could
// reach on this machine's CPUs. Run it with `make bench`.
//
// It prints one line per measurement and, with -json, a JSON document.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/klauspost/compress/gzip"

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
	CPUSeconds    float64 `json:"cpuSeconds"` // user + system, every thread
}

// cpuSeconds is the user and system time this process has used so far.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()).Seconds()
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
	ctFloor, err := storeFloor(ctx, filepath.Join(*dir, "store-cloudtrail"), ct.Records, "events")
	must(err)
	flowFloor, err := storeFloor(ctx, filepath.Join(*dir, "store-vpcflow"), flows.Records, "flows", "flow_conns")
	must(err)
	ctGunzip, err := gunzipFloor(filepath.Join(ctDir, "AWSLogs"), ct.Records, "/CloudTrail/", ".json.gz")
	must(err)
	flowGunzip, err := gunzipFloor(filepath.Join(flowDir, "AWSLogs"), flows.Records, "/vpcflowlogs/", ".log.gz")
	must(err)
	results := []result{ct, ref, ctGunzip, ctFloor, flows, flowRef, flowGunzip, flowFloor}
	// The best rate an ingest could reach if decompressing its input and
	// storing its biggest tables' rows were all it did, on every CPU.
	bound := func(a, b result) float64 {
		perRecord := a.CPUSeconds/float64(a.Records) + b.CPUSeconds/float64(b.Records)
		return float64(runtime.NumCPU()) / perRecord
	}
	ctBound, flowBound := bound(ctGunzip, ctFloor), bound(flowGunzip, flowFloor)

	ratio := ct.RecordsPerSec / ref.RecordsPerSec
	flowRatio := flows.RecordsPerSec / flowRef.RecordsPerSec
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(map[string]any{"results": results, "cloudtrailVsReadJSON": ratio, "vpcflowVsReadCSV": flowRatio,
			"cloudtrailBound": ctBound, "vpcflowBound": flowBound, "cpus": runtime.NumCPU()})
		return
	}
	fmt.Printf("%-62s %12s %10s %12s %9s %10s %16s\n", "measurement", "records", "seconds", "records/s", "MB/s", "peak RSS", "CPU-s/M records")
	for _, r := range results {
		rss := "-"
		if r.PeakRSSMiB > 0 {
			rss = fmt.Sprintf("%.0f MiB", r.PeakRSSMiB)
		}
		mbs := "-"
		if r.Bytes > 0 {
			mbs = fmt.Sprintf("%.1f", r.MBPerSec)
		}
		fmt.Printf("%-62s %12d %10.2f %12.0f %9s %10s %16.1f\n", r.Name, r.Records, r.Seconds, r.RecordsPerSec, mbs, rss, r.CPUSeconds/float64(r.Records)*1e6)
	}
	fmt.Printf("CloudTrail end-to-end ingest vs DuckDB read_json: %.2fx (%d CPUs)\n", ratio, runtime.NumCPU())
	fmt.Printf("VPC flow end-to-end ingest vs DuckDB read_csv: %.2fx (%d CPUs)\n", flowRatio, runtime.NumCPU())
	fmt.Printf("Bound (%d CPUs): an ingest that only decompressed its input and stored its biggest tables' rows, CPU time of both above, every CPU busy:\n", runtime.NumCPU())
	fmt.Printf("  CloudTrail: %.0f records/s (reached %.2fx of it); VPC flows: %.0f records/s (reached %.2fx of it)\n",
		ctBound, ct.RecordsPerSec/ctBound, flowBound, flows.RecordsPerSec/flowBound)
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
		RecordsPerSec: float64(n) / secs, MBPerSec: float64(sum.Bytes) / secs / 1e6, PeakRSSMiB: rss,
		CPUSeconds: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}, nil
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

// gunzipFloor times decompressing the files below src whose paths contain
// part and end with suffix, with the gzip reader the ingest uses, on one
// goroutine: the CPU time every ingest of those files spends at least.
func gunzipFloor(src string, records int64, part, suffix string) (result, error) {
	var files []string
	var size int64
	filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, part) && strings.HasSuffix(p, suffix) {
			files = append(files, p)
			size += info.Size()
		}
		return nil
	})
	buf := make([]byte, 1<<20)
	began, cpu := time.Now(), cpuSeconds()
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return result{}, err
		}
		z, err := gzip.NewReader(f)
		if err == nil {
			_, err = io.CopyBuffer(io.Discard, z, buf)
		}
		f.Close()
		if err != nil {
			return result{}, fmt.Errorf("gunzip %s: %w", p, err)
		}
	}
	secs := time.Since(began).Seconds()
	return result{Name: "gunzip of the same files (floor)", Records: records, Bytes: size, Seconds: secs,
		RecordsPerSec: float64(records) / secs, MBPerSec: float64(size) / secs / 1e6, CPUSeconds: cpuSeconds() - cpu}, nil
}

// storeFloor times DuckDB copying the rows an ingest stored in tables (the
// ones with a row per record or close to it), from the ingest's store into
// a fresh database, with all its threads and no memory limit: no parsing,
// no graph, no other table. The copy's rate in input records (records, the
// ingest's count) bounds what any ingest that stores those rows can reach
// on this machine.
func storeFloor(ctx context.Context, store string, records int64, tables ...string) (result, error) {
	db, done, err := freshDB()
	if err != nil {
		return result{}, err
	}
	defer done()
	path := filepath.Join(store, "trailhound.duckdb")
	if _, err := db.ExecContext(ctx, `ATTACH '`+strings.ReplaceAll(path, "'", "''")+`' AS src (READ_ONLY)`); err != nil {
		return result{}, fmt.Errorf("store floor: %w", err)
	}
	var what []string
	for _, t := range tables {
		var rows int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM src.`+t).Scan(&rows); err != nil {
			return result{}, fmt.Errorf("store floor: %w", err)
		}
		what = append(what, fmt.Sprintf("%d %s", rows, t))
	}
	began, cpu := time.Now(), cpuSeconds()
	for i, t := range tables {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE floor%d AS SELECT * FROM src.%s`, i, t)); err != nil {
			return result{}, fmt.Errorf("store floor: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return result{}, fmt.Errorf("store floor: %w", err)
	}
	secs := time.Since(began).Seconds()
	return result{Name: fmt.Sprintf("duckdb copy of %s rows (floor)", strings.Join(what, " + ")), Records: records, Seconds: secs,
		RecordsPerSec: float64(records) / secs, CPUSeconds: cpuSeconds() - cpu}, nil
}

// freshDB opens a DuckDB database in a new temporary folder, on one
// connection; done closes it and deletes the folder.
func freshDB() (*sql.DB, func(), error) {
	dir, err := os.MkdirTemp("", "bench-db-")
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "bench.duckdb"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// reference times query, which creates the table ref, in a fresh DuckDB
// database; the files below src that input selects are its input size.
func reference(ctx context.Context, name, src string, input func(path string) bool, query string) (result, error) {
	db, done, err := freshDB()
	if err != nil {
		return result{}, err
	}
	defer done()
	var size int64
	filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && input(p) {
			size += info.Size()
		}
		return nil
	})
	began, cpu := time.Now(), cpuSeconds()
	if _, err := db.ExecContext(ctx, query); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	secs, cpu := time.Since(began).Seconds(), cpuSeconds()-cpu
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ref`).Scan(&n); err != nil {
		return result{}, err
	}
	return result{Name: name, Records: n, Bytes: size, Seconds: secs,
		RecordsPerSec: float64(n) / secs, MBPerSec: float64(size) / secs / 1e6, CPUSeconds: cpu}, nil
}
