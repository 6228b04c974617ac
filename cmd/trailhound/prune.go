package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
)

func runPrune(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "prune", "", `
Remove the data of the times before a cutoff, to bound a data directory
that serve --ingest keeps growing: CloudTrail events, flow records and
every hourly rollup of earlier hours; GuardDuty findings last observed
before it; entities last seen before it that nothing left refers to; and
the archived copies of log objects none of whose records is left. The
cutoff is rounded down to its hour. Findings still observed after it stay
whole, and entities seen on both sides keep their first-seen time.

Stored objects stay recognized: ingesting the same logs again does not
bring their old records back. The finding groups are rebuilt over the
findings left. The file does not shrink (later writes reuse the space);
trailhound compact gives the space back.

Without --yes nothing is removed: it prints what would be. It runs while
nothing else uses the data directory (stop serve first; or let serve
prune by itself with serve --keep-days).

Exit status: 0 on success, 2 for usage errors, 3 when the store is
unavailable.`)
	data := dataFlag(env, fs)
	before := fs.String("before", "", "remove what precedes this time (RFC 3339 or a date, UTC)")
	keepDays := fs.Int("keep-days", 0, "remove what precedes this many days before now (instead of --before)")
	yes := fs.Bool("yes", false, "remove (without it, only print what would be removed)")
	memory := fs.String("memory", "2GB", "how much memory DuckDB may use for the removal (one transaction)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object on stdout")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "trailhound prune: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var cutoff time.Time
	switch {
	case (*before == "") == (*keepDays == 0):
		fmt.Fprintln(env.stderr, "trailhound prune: give either --before TIME or --keep-days N")
		return exitUsage
	case *keepDays < 0:
		fmt.Fprintf(env.stderr, "trailhound prune: --keep-days %d is negative\n", *keepDays)
		return exitUsage
	case *keepDays > 0:
		cutoff = time.Now().UTC().AddDate(0, 0, -*keepDays)
	default:
		sec, err := parseWhen(*before)
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound prune: --before: %v\n", err)
			return exitUsage
		}
		cutoff = time.Unix(sec, 0).UTC()
	}
	log := newLogger(env, *asJSON)
	st, err := duckdb.Open(ctx, *data, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound prune: %v\n", err)
		return exitRuntime
	}
	defer st.Close()
	// One transaction holds what it removes until it commits: millions of
	// rows on a large store, more than the 320 MB other commands allow.
	if err := st.SetMemoryLimit(ctx, *memory); err != nil {
		fmt.Fprintf(env.stderr, "trailhound prune: --memory: %v\n", err)
		return exitUsage
	}
	res, err := st.Prune(ctx, cutoff, !*yes)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound prune: %v\n", err)
		return exitRuntime
	}
	var rebuilt *groups.UpdateResult
	copies := len(res.Unreferenced) // what a dry run would remove
	if *yes {
		arch, err := archive.Open(filepath.Join(*data, "objects"))
		if err != nil {
			fmt.Fprintf(env.stderr, "trailhound prune: %v\n", err)
			return exitRuntime
		}
		// This prune's copies, and any an earlier one left (a crash after
		// its commit).
		if copies, err = removePrunedCopies(ctx, st, arch); err != nil {
			fmt.Fprintf(env.stderr, "trailhound prune: %v\n", err)
			return exitRuntime
		}
		if res.Rows["findings"] > 0 {
			svc, err := newGroups(env, st, log, 0)
			if err != nil {
				fmt.Fprintf(env.stderr, "trailhound prune: %v\n", err)
				return exitUsage
			}
			if rebuilt, err = svc.Rebuild(ctx, groups.LocalUser); err != nil {
				fmt.Fprintf(env.stderr, "trailhound prune: finding groups: %v\n", err)
				return exitRuntime
			}
		}
	}
	if *asJSON {
		return writeJSONOut(env.stdout, struct {
			Before          time.Time            `json:"before"`
			DryRun          bool                 `json:"dryRun"`
			Rows            map[string]int64     `json:"rows"`
			ObjectsEmptied  int64                `json:"objectsEmptied"`
			ArchivedObjects int                  `json:"archivedObjects"`
			Groups          *groups.UpdateResult `json:"groups,omitempty"`
			Seconds         float64              `json:"seconds"`
		}{res.Before, res.DryRun, res.Rows, res.Emptied, copies, rebuilt, res.Seconds})
	}
	w := env.stdout
	verb := "Removed"
	if res.DryRun {
		verb = "Would remove"
	}
	fmt.Fprintf(w, "%s the data before %s:\n", verb, res.Before.Format(time.RFC3339))
	tables := make([]string, 0, len(res.Rows))
	for t := range res.Rows {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		fmt.Fprintf(w, "  %-16s %12d rows\n", t, res.Rows[t])
	}
	fmt.Fprintf(w, "  %-16s %12d objects (marked pruned, still recognized)\n", "emptied", res.Emptied)
	fmt.Fprintf(w, "  %-16s %12d objects\n", "archived copies", copies)
	if rebuilt != nil {
		fmt.Fprintf(w, "Rebuilt the finding groups: %d findings in %d active groups.\n", rebuilt.Findings, rebuilt.Active)
	}
	if res.DryRun {
		fmt.Fprintln(w, "Nothing was removed: run again with --yes to remove it.")
	}
	return exitOK
}
