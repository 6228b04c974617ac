package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/synth"
)

// The demo organization: a few days of a small company, with three
// incidents in it.
const demoScenarios = "compromised-access-key,crypto-mining,instance-credential-exfiltration"

func runDemo(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "demo", "", `
First run: generate a small AWS organization (three days of ordinary activity
with incidents hidden in it), ingest it into a data directory with a
progress bar, say where to begin the investigation, and serve the API over
it (like "trailhound serve") until interrupted. A second run reuses what
exists.

Scenarios: `+demoScenarios+`.`)
	data := fs.String("data", envOr(env, "TRAILHOUND_DEMO_DATA", "./trailhound-demo"), "data directory of the demo (env TRAILHOUND_DEMO_DATA)")
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (and do not serve)")
	serve := fs.Bool("serve", true, "serve the API once the data is ingested")
	listen := fs.String("listen", envOr(env, "TRAILHOUND_LISTEN", "127.0.0.1:8080"), "address to serve on (env TRAILHOUND_LISTEN)")
	geo := geoFlags(env, fs)
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	logs := filepath.Join(*data, "logs")
	truthPath := filepath.Join(logs, "truth.json")
	log := newLogger(env, *asJSON)
	limitMemory(env)

	if _, err := os.Stat(truthPath); err != nil {
		scen, _ := synth.ParseScenarios(demoScenarios)
		start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
		w, err := objstore.NewWriter(ctx, logs, objstore.Options{})
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(env.stderr, "Generating a demo organization in %s ...\n", logs)
		if _, err := synth.Generate(ctx, synth.Config{Seed: 2026, Days: 3, Start: start, EventsPerDay: 100_000, Scenarios: scen}, w, nil); err != nil {
			fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
			return exitRuntime
		}
	}
	var truth synth.Truth
	b, err := os.ReadFile(truthPath)
	if err == nil {
		err = json.Unmarshal(b, &truth)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %s: %v; remove %s and run again\n", truthPath, err, *data)
		return exitRuntime
	}

	enrich, closeGeo, err := geo.open(*data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitUsage
	}
	closeGeo = sync.OnceFunc(closeGeo)
	defer closeGeo()
	st, err := duckdb.Open(ctx, *data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitRuntime
	}
	closeStore := sync.OnceValue(st.Close)
	defer closeStore()
	arch, err := archive.Open(filepath.Join(*data, "objects"))
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitRuntime
	}
	src, err := objstore.Parse(ctx, filepath.Join(logs, "AWSLogs"), objstore.Options{})
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitRuntime
	}
	opts := ingest.Options{Log: log, Enrich: enrich, Archive: arch}
	if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := &progressBar{w: env.stderr}
		opts.Progress = bar.update
	}
	sum, err := ingest.Run(ctx, st, []objstore.Store{src}, opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitRuntime
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound demo: %v\n", err)
		return exitRuntime
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(map[string]any{"data": *data, "ingest": sum, "stats": map[string]any{"objects": stats.Objects, "events": stats.Events, "entities": stats.Entities}, "scenarios": truth.Scenarios})
		return exitOK
	}
	fmt.Fprintf(env.stdout, "Demo data in %s: %d CloudTrail events, %d VPC flow records, %d GuardDuty findings, %d entities.\n",
		*data, stats.Events[trailhound.SourceCloudTrail], stats.Events[trailhound.SourceVPCFlow], stats.Events[trailhound.SourceGuardDuty], total(stats.Entities))
	fmt.Fprintln(env.stdout, "\nHidden in it:")
	for _, s := range truth.Scenarios {
		fmt.Fprintf(env.stdout, "- %s (%s – %s)\n", s.Title, s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339))
		if s.StartHere != "" {
			fmt.Fprintf(env.stdout, "  start with %s\n", s.StartHere)
		}
	}
	if !*serve {
		fmt.Fprintf(env.stdout, "\nExplore it: trailhound serve --data %s\n", *data)
		return exitOK
	}
	env.listening = func(base string) {
		fmt.Fprintln(env.stdout, "\nOpen the console and start where an analyst would, at a finding:")
		for _, s := range truth.Scenarios {
			if ns, id, ok := strings.Cut(s.StartHere, "/"); ok && ns == string(trailhound.FindingEntity) {
				fmt.Fprintf(env.stdout, "  %s/findings/%s\n", base, url.PathEscape(id))
			}
		}
		fmt.Fprintf(env.stdout, "The JSON API is under %s/api/v1/ (for example %s/api/v1/search?type=AwsUser).\n\n", base, base)
	}
	// The server opens the store itself.
	closeStore()
	closeGeo()
	return runServe(ctx, env, []string{"--data", *data, "--listen", *listen})
}

func envOr(env *environment, name, def string) string {
	if v := env.getenv(name); v != "" {
		return v
	}
	return def
}

func total(m map[trailhound.Namespace]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
