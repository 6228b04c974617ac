package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/synth"
)

func runGen(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "gen", "--out DIR|s3://bucket/prefix", `
Write the logs of a synthetic AWS organization exactly as AWS delivers them
to S3 — CloudTrail log files, VPC Flow Logs (version 5 custom format) and
GuardDuty findings exports — with weeks of ordinary activity and attack
scenarios hidden in it. The ground truth (malicious entities, time windows,
events, MITRE ATT&CK tactics) is written to truth.json at the root of the
output. The same seed gives the same bytes.

Scenarios: `+strings.Join(synth.ScenarioNames(), ", ")+`
(--scenarios all, a comma-separated list, or name@2026-11-20T14:00Z to
place one at a time).`)
	out := fs.String("out", "", "output folder or s3://bucket/prefix (required)")
	seed := fs.Int64("seed", 1, "random seed")
	accounts := fs.Int("accounts", 6, "accounts in the organization (at least 3)")
	days := fs.Int("days", 7, "days of activity")
	start := fs.String("start", "", "first day, YYYY-MM-DD (default: --days before today)")
	scale := fs.String("scale", "small", "small (~100k CloudTrail events/day), medium (~1M), large (~3.5M), or events per day")
	flows := fs.Int("flows-per-day", 0, "VPC flow records per day (default: twice the events per day)")
	scenarios := fs.String("scenarios", "all", "attack scenarios: all, none, or a comma-separated list")
	onlyDays := fs.String("only-days", "", "write only days FIRST-LAST of the span (from 1, inclusive), exactly as a run over the whole span writes them: a big corpus can be generated and ingested a part at a time")
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout")
	s3 := s3Flags(env, fs)
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(env.stderr, "trailhound gen: --out DIR|s3://bucket/prefix is required, and no arguments are taken")
		return exitUsage
	}
	perDay, err := synth.ParseScale(*scale)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound gen: %v\n", err)
		return exitUsage
	}
	cfg := synth.Config{Seed: *seed, Accounts: *accounts, Days: *days, EventsPerDay: perDay, FlowsPerDay: *flows}
	if *onlyDays != "" {
		if _, err := fmt.Sscanf(*onlyDays, "%d-%d", &cfg.FirstDay, &cfg.LastDay); err != nil || cfg.FirstDay < 1 || cfg.LastDay < cfg.FirstDay || cfg.LastDay > *days {
			fmt.Fprintf(env.stderr, "trailhound gen: --only-days %q: want FIRST-LAST, days of the span counted from 1 (1-%d)\n", *onlyDays, *days)
			return exitUsage
		}
	}
	if *start != "" {
		t, err := time.Parse("2006-01-02", *start)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound gen: --start %q: want YYYY-MM-DD\n", *start)
			return exitUsage
		}
		cfg.Start = t.UTC()
	}
	if *scenarios != "none" && *scenarios != "" {
		cfg.Scenarios, err = synth.ParseScenarios(*scenarios)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound gen: %v\n", err)
			return exitUsage
		}
	}
	w, err := objstore.NewWriter(ctx, *out, s3.options())
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound gen: %v\n", err)
		return exitUsage
	}
	var progress func(synth.Progress)
	if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(p synth.Progress) {
			rate := 0.0
			if s := p.Elapsed.Seconds(); s > 0 {
				rate = float64(p.Events+p.Flows) / s
			}
			fmt.Fprintf(env.stderr, "\r%d/%d tasks  %s events  %s flows  %s records/s  %.1f MB written   ",
				p.Tasks, p.TaskTotal, human(float64(p.Events)), human(float64(p.Flows)), human(rate), float64(p.Bytes)/1e6)
		}
	}
	began := time.Now()
	truth, err := synth.Generate(ctx, cfg, w, progress)
	if progress != nil {
		fmt.Fprintln(env.stderr)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound gen: %v\n", err)
		return exitRuntime
	}
	secs := time.Since(began).Seconds()
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(map[string]any{"out": *out, "seconds": secs, "totals": truth.Totals, "scenarios": truth.Scenarios})
		return exitOK
	}
	fmt.Fprintf(env.stdout, "Wrote %s: %+v in %.1fs\n", *out, truth.Totals, secs)
	for _, s := range truth.Scenarios {
		b, _ := json.Marshal(s)
		fmt.Fprintf(env.stdout, "scenario %s\n", b)
	}
	return exitOK
}
