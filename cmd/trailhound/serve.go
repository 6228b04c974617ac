package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/api"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/ui"
)

func runServe(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "serve", "", `
Serve the investigation console (at /) and the JSON API (/api/v1) over
the data directory: search, entity profiles and their panels, findings,
and the raw records behind every number. Once listening, it prints the
URL on stdout (and writes it to --ready-file, if given); logs are JSON
lines on stderr. It stops cleanly on SIGINT or SIGTERM, letting requests
in flight finish.

The store is opened for reading and writing by one process at a time.
To add logs while serving, give serve the locations to follow with
--ingest (repeatable; folders or s3://bucket/prefix, as for the ingest
command): it ingests them at start and every --ingest-every, storing new
and changed objects while queries keep answering, and logs each run that
stored something as an ingest_finished line. Listings after the first
skip the days of AWS's date folders (.../YYYY/MM/DD/ and
year=/month=/day=) older than the day before the latest one seen in each
folder, so that a bucket holding years of logs is not listed whole every
few minutes; new folders (accounts, regions) and keys outside date folders
are always listed, and every --ingest-full-every the whole location is
listed again (objects copied into old days wait for it; trailhound ingest
reads them at once). With --keep-days, serve removes the data older than
that many days at start and daily, as trailhound prune does. Otherwise stop serve before
running trailhound ingest on the same data directory.

Exit status: 0 after a clean stop, 2 for usage errors, 3 when the store is
unavailable or the address cannot be bound.`)
	data := dataFlag(env, fs)
	def := env.getenv("TRAILHOUND_LISTEN")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	listen := fs.String("listen", def, "address to listen on, host:port; port 0 picks a free port (env TRAILHOUND_LISTEN)")
	readyFile := fs.String("ready-file", "", "once listening, write the server's URL to this file (for scripts and tests that start serve on port 0)")
	baseline := fs.Duration("baseline", trailhound.DefaultBaseline, "how far before a scope its baseline reaches")
	threatIntel := threatIntelFlag(fs)
	var follow stringList
	fs.Var(&follow, "ingest", "a `location` (folder or s3://bucket/prefix) to ingest at start and every --ingest-every while serving (repeatable)")
	every := fs.Duration("ingest-every", 5*time.Minute, "how often the --ingest locations are listed for new objects")
	keepDays := fs.Int("keep-days", 0, "remove, at start and daily, the data older than this many days (as trailhound prune); 0 keeps everything")
	fullEvery := fs.Duration("ingest-full-every", 24*time.Hour, "how often the --ingest locations are listed whole, old days of date folders included")
	ingestWorkers := fs.Int("ingest-workers", 1, "objects decoded in parallel by --ingest (the other CPUs stay with the queries)")
	geo := geoFlags(env, fs)
	s3 := s3Flags(env, fs)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the whole run to this file, for performance work")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "trailhound serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
			return exitUsage
		}
		defer stop()
	}
	if *baseline < time.Hour {
		fmt.Fprintf(env.stderr, "trailhound serve: --baseline %s is shorter than an hour\n", *baseline)
		return exitUsage
	}
	if *every < minIngestInterval {
		fmt.Fprintf(env.stderr, "trailhound serve: --ingest-every %s is shorter than %s\n", *every, minIngestInterval)
		return exitUsage
	}
	if *keepDays < 0 {
		fmt.Fprintf(env.stderr, "trailhound serve: --keep-days %d is negative\n", *keepDays)
		return exitUsage
	}
	if *fullEvery < 0 {
		fmt.Fprintf(env.stderr, "trailhound serve: --ingest-full-every %s is negative\n", *fullEvery)
		return exitUsage
	}
	if *ingestWorkers < 1 {
		fmt.Fprintf(env.stderr, "trailhound serve: --ingest-workers must be at least 1\n")
		return exitUsage
	}
	var followed []objstore.Store
	for _, loc := range follow {
		s, err := objstore.Parse(ctx, loc, s3.options())
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound serve: --ingest: %v\n", err)
			return exitUsage
		}
		followed = append(followed, ingest.NewTail(s, *fullEvery))
	}
	level := slog.LevelInfo
	if v := env.getenv("TRAILHOUND_LOG_LEVEL"); v != "" {
		_ = level.UnmarshalText([]byte(v))
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))
	limitServeMemory(env)

	st, err := duckdb.Open(ctx, *data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
		log.Debug("open_failed", "error", err.Error())
		return exitRuntime
	}
	defer st.Close()
	// The archive is only read here. A data directory without one (made
	// before archiving existed, or by a copy that left it out) still
	// serves everything but the raw records, which then say why.
	var arch *archive.Archive
	if dir := filepath.Join(*data, "objects"); isDir(dir) || len(followed) > 0 {
		if arch, err = archive.Open(dir); err != nil {
			fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
			return exitRuntime
		}
	} else {
		log.Warn("no_object_archive", "dir", dir)
	}
	engine := analysis.New(st.DB(), analysis.Options{Archive: arch, Baseline: *baseline})
	// Searches without a scope are answered from an index in memory,
	// built in the background a few seconds after start, once the first
	// page's queries had the CPU (searches before it is ready use SQL).
	stopIndex := engine.WarmUp(ctx, searchIndexDelay, log)
	defer stopIndex()
	apiServer := api.New(engine, log)
	// Finding groups follow the findings stored: the watcher places new
	// ones every few seconds until serve stops.
	grp, err := newGroups(env, st, log, *baseline)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
		return exitUsage
	}
	apiServer.SetGroups(grp)
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); grp.Watch(watchCtx, groups.WatchInterval) }()
	defer func() { stopWatch(); <-watched }()
	// Investigations run in the background; stopping serve cancels those
	// still running, which are then marked FAILED.
	inv, err := newInvestigations(ctx, st, log, *baseline, *threatIntel, grp)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
		return errorExit(err)
	}
	defer inv.Close()
	apiServer.SetInvestigations(inv)
	// Ingest runs and prunes take turns.
	var turn sync.Mutex
	if *keepDays > 0 {
		p := &pruner{st: st, arch: arch, groups: grp, keep: *keepDays, every: pruneInterval, turn: &turn, log: log, now: time.Now}
		pruneCtx, stopPrune := context.WithCancel(ctx)
		pruned := make(chan struct{})
		go func() { defer close(pruned); p.run(pruneCtx) }()
		defer func() { stopPrune(); <-pruned }()
		log.Info("pruning", "keep_days", *keepDays, "every", pruneInterval.String())
	}
	if len(followed) > 0 {
		enrich, closeGeo, err := geo.open(*data, log)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
			return exitUsage
		}
		defer closeGeo()
		arch.Clean()
		f := &follower{st: st, stores: followed, every: *every, log: log, turn: &turn,
			opts: ingest.Options{Workers: *ingestWorkers, Log: log, Enrich: enrich, Archive: arch}}
		followCtx, stopFollow := context.WithCancel(ctx)
		followed := make(chan struct{})
		go func() { defer close(followed); f.run(followCtx) }()
		defer func() { stopFollow(); <-followed }()
		log.Info("ingest_following", "locations", len(f.stores), "every", every.String(), "full_every", fullEvery.String())
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
		return exitRuntime
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           handler(apiServer),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Requests outlive the signal until Shutdown lets them finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving", "url", url, "data", *data)
	fmt.Fprintf(env.stdout, "Trailhound is serving %s at %s\n", *data, url)
	fmt.Fprintf(env.stdout, "Console: %s/\n", url)
	if env.listening != nil {
		env.listening(url)
	}
	if *readyFile != "" {
		if err := writeAtomic(*readyFile, []byte(url+"\n")); err != nil {
			fmt.Fprintf(env.stderr, "trailhound serve: --ready-file: %v\n", err)
			srv.Close()
			return exitRuntime
		}
	}

	select {
	case err := <-served:
		fmt.Fprintf(env.stderr, "trailhound serve: %v\n", err)
		return exitRuntime
	case <-ctx.Done():
	}
	// Requests in flight get a few seconds to finish; streams that take
	// longer are cut.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown_failed", "error", err.Error())
	}
	srv.Close()
	log.Info("stopped")
	return exitOK
}

// handler routes /api/ to the JSON API and everything else to the
// embedded console, so one address serves both and console URLs can be
// shared.
func handler(apiSrv http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", apiSrv)
	mux.Handle("/", ui.Handler())
	return mux
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// writeAtomic writes a file under a temporary name and renames it, so a
// reader that polls for the file never sees it half written.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// searchIndexDelay is how long after start serve builds the search index.
const searchIndexDelay = 5 * time.Second
