package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
)

func runIngest(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "ingest", "PATH|s3://bucket/prefix ...", `
Load AWS logs into the data directory: CloudTrail log files (and EventBridge,
lookup-events and NDJSON exports), VPC Flow Logs (default and custom
formats, CloudWatch/Firehose envelopes, transit gateway) and GuardDuty
findings (S3 exports, EventBridge events, get-findings output), plain or
gzip-compressed, in any mix. Folders are walked recursively. The format of
each object is recognized from its S3 key layout or, failing that, from
its content.

Ingesting is idempotent: objects stored before are skipped, copies of the
same content are recognized, and events already stored from another trail
are not counted twice. An object that cannot be read is reported with the
position of the problem and skipped whole; the others are still stored.

Exit status: 0 when every object was stored or skipped on purpose, 1 when
some objects failed, 2 for usage errors, 3 when the store is unavailable.`)
	data := dataFlag(env, fs)
	asJSON := fs.Bool("json", false, "print the summary as one JSON object on stdout")
	workers := fs.Int("workers", 0, "objects decoded in parallel (default: one per CPU)")
	commitEvery := fs.Int("commit-every", 100_000, "records gathered per transaction: fewer lose less work to an interruption, more are faster")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	geo := geoFlags(env, fs)
	s3 := s3Flags(env, fs)
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "trailhound ingest: give at least one PATH or s3://bucket/prefix to ingest")
		fs.Usage()
		return exitUsage
	}
	log := newLogger(env, *asJSON)
	limitMemory(env)
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
			return exitUsage
		}
		defer stop()
	}

	var stores []objstore.Store
	for _, loc := range fs.Args() {
		s, err := objstore.Parse(ctx, loc, s3.options())
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
			return exitUsage
		}
		stores = append(stores, s)
	}
	enrich, closeGeo, err := geo.open(*data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
		return exitUsage
	}
	defer closeGeo()
	st, err := duckdb.Open(ctx, *data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
		log.Debug("open_failed", "error", err.Error())
		return exitRuntime
	}
	defer st.Close()

	arch, err := archive.Open(filepath.Join(*data, "objects"))
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
		return exitRuntime
	}
	arch.Clean()
	opts := ingest.Options{Workers: *workers, Log: log, Enrich: enrich, CommitRecords: *commitEvery, Archive: arch}
	var bar *progressBar
	if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = &progressBar{w: env.stderr}
		opts.Progress = bar.update
	}
	sum, err := ingest.Run(ctx, st, stores, opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: %v\n", err)
		return exitRuntime
	}
	// New findings join their finding groups before the command returns.
	grouped, groupsOK := updateGroups(ctx, env, st, log)
	if *asJSON {
		out := struct {
			*ingest.Summary
			Failed []ingest.Failure     `json:"failed"`
			Groups *groups.UpdateResult `json:"groups,omitempty"`
		}{sum, sum.Failed, grouped}
		if out.Failed == nil {
			out.Failed = []ingest.Failure{}
		}
		if sum.Skipped == nil {
			sum.Skipped = []ingest.Failure{}
		}
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(out)
	} else {
		printSummary(env, sum)
		printGroupsUpdate(env, grouped)
	}
	if len(sum.Failed) > 0 || !groupsOK {
		return exitFailed
	}
	return exitOK
}

func printSummary(env *environment, s *ingest.Summary) {
	w := env.stdout
	fmt.Fprintf(w, "Objects: %d listed, %d stored, %d unchanged since the last run, %d copies of stored objects, %d skipped, %d failed\n",
		s.Objects, s.Stored, s.Unchanged, s.Duplicates, len(s.Skipped), len(s.Failed))
	fmt.Fprintf(w, "New records: %d CloudTrail events, %d VPC flow records, %d GuardDuty finding versions",
		s.Events[trailhound.SourceCloudTrail], s.Events[trailhound.SourceVPCFlow], s.Events[trailhound.SourceGuardDuty])
	if s.DuplicateEvents > 0 {
		fmt.Fprintf(w, " (%d already stored from other objects)", s.DuplicateEvents)
	}
	fmt.Fprintln(w)
	if s.Seconds > 0 {
		total := s.Events[trailhound.SourceCloudTrail] + s.Events[trailhound.SourceVPCFlow] + s.Events[trailhound.SourceGuardDuty]
		fmt.Fprintf(w, "Time: %s (%.0f records/s, %.1f MB/s)\n", time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond),
			float64(total)/s.Seconds, float64(s.Bytes)/s.Seconds/1e6)
	}
	if o := s.Optimized; o != nil {
		var parts []string
		for _, t := range o.Tables {
			parts = append(parts, fmt.Sprintf("%s %d → %d rows", t.Name, t.Before, t.After))
		}
		fmt.Fprintf(w, "Optimized for queries in %s: %s\n", time.Duration(o.Seconds*float64(time.Second)).Round(time.Millisecond), strings.Join(parts, ", "))
	}
	if len(s.Entities) > 0 {
		var parts []string
		keys := make([]string, 0, len(s.Entities))
		for k := range s.Entities {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.Entities[trailhound.Namespace(k)]))
		}
		fmt.Fprintf(w, "Entities stored: %s\n", strings.Join(parts, ", "))
	}
	for _, f := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", f.Path, f.Error)
	}
	for _, f := range s.Failed {
		fmt.Fprintf(env.stderr, "failed %s\n", f.Error)
	}
}

// newLogger logs text to stderr; with --json, only warnings and errors,
// so that stdout stays machine-readable and stderr quiet.
func newLogger(env *environment, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	if v := env.getenv("TRAILHOUND_LOG_LEVEL"); v != "" {
		_ = level.UnmarshalText([]byte(v))
	}
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level}))
}
