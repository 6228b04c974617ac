package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/ingest"
)

func runBackfill(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "backfill", "", `
Complete what a data directory created by an earlier version lacks. Such a
store keeps VPC flow records only by service port; the flow details (both
ports of every connection) are then computed by reading the archived flow
logs again on every request, which takes seconds for a busy instance or
address. Backfill reads those archived objects once and stores their
connections, after which the details of any window come from the store.

It runs while nothing else uses the data directory. It can run in parts
(--from, --to: the objects holding flows of that time, say the last weeks
first) and be stopped and run again at any time: it resumes where it
stopped. Objects whose archived copy is missing or unreadable are listed
and left; the others are stored.

Exit status: 0 when every object asked for was backfilled, 1 when some
failed, 2 for usage errors, 3 when the store is unavailable.`)
	data := dataFlag(env, fs)
	from := fs.String("from", "", "only objects holding flows at or after this time (RFC 3339 or a date, UTC)")
	to := fs.String("to", "", "only objects holding flows before this time")
	workers := fs.Int("workers", 0, "objects decoded in parallel (default: one per CPU)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object on stdout")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "trailhound backfill: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var opts ingest.BackfillOptions
	for _, f := range []struct {
		name, value string
		into        *time.Time
	}{{"--from", *from, &opts.From}, {"--to", *to, &opts.To}} {
		sec, err := parseWhen(f.value)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound backfill: %s: %v\n", f.name, err)
			return exitUsage
		}
		if sec != 0 {
			*f.into = time.Unix(sec, 0).UTC()
		}
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && !opts.To.After(opts.From) {
		fmt.Fprintln(env.stderr, "trailhound backfill: --to must be after --from")
		return exitUsage
	}
	log := newLogger(env, *asJSON)
	limitMemory(env)
	st, err := duckdb.Open(ctx, *data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound backfill: %v\n", err)
		return exitRuntime
	}
	defer st.Close()
	if opts.Archive, err = archive.Open(filepath.Join(*data, "objects")); err != nil {
		fmt.Fprintf(env.stderr, "trailhound backfill: %v\n", err)
		return exitRuntime
	}
	opts.Workers, opts.Log, opts.Optimize = *workers, log, st.Optimize
	if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := &progressBar{w: env.stderr}
		opts.Progress = bar.update
	}
	sum, err := ingest.Backfill(ctx, st, opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound backfill: %v\n", err)
		return exitRuntime
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(sum)
	} else {
		w := env.stdout
		fmt.Fprintf(w, "Backfilled %d flow log objects (%d records) in %s.\n", sum.Objects, sum.Records,
			time.Duration(sum.Seconds*float64(time.Second)).Round(time.Millisecond))
		for _, f := range sum.Failed {
			fmt.Fprintf(w, "FAILED %s: %s\n", printable(f.Path), printable(f.Error))
		}
		switch {
		case sum.Complete:
			fmt.Fprintln(w, "The store is complete: the flow details of any window come from the store.")
		default:
			var why []string
			if len(sum.Failed) > 0 {
				why = append(why, fmt.Sprintf("%d failed", len(sum.Failed)))
			}
			if left := sum.Remaining - len(sum.Failed); left > 0 {
				why = append(why, fmt.Sprintf("%d outside --from/--to", left))
			}
			fmt.Fprintf(w, "%d objects are left (%s); run backfill again to complete the store.\n", sum.Remaining, strings.Join(why, ", "))
		}
	}
	if len(sum.Failed) > 0 {
		return exitFailed
	}
	return exitOK
}
