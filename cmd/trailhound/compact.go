package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trailhound/trailhound/internal/duckdb"
)

func runCompact(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "compact", "", `
Give back to the file system the space the database file no longer uses.
DuckDB reuses the space that prune and the table rewrites after ingest
free, but never shrinks its file: compact copies what is live into a new
file, checks that every table holds the same rows, and puts the copy in
place of the original in one rename (on any failure the original stays
as it was). It needs free disk for the copy, about the size of the live
data, and runs while nothing else uses the data directory (stop serve
first).

Exit status: 0 on success, 2 for usage errors, 3 when the store is
unavailable or the copy failed.`)
	data := dataFlag(env, fs)
	memory := fs.String("memory", "1GB", "how much memory DuckDB may use for the copy")
	asJSON := fs.Bool("json", false, "print the result as one JSON object on stdout")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "trailhound compact: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	res, err := duckdb.Compact(ctx, *data, *memory, newLogger(env, *asJSON))
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound compact: %v\n", err)
		return errorExit(err)
	}
	if *asJSON {
		return writeJSONOut(env.stdout, res)
	}
	fmt.Fprintf(env.stdout, "Compacted %s: %s → %s in %s.\n", *data, bytesText(res.BytesBefore), bytesText(res.BytesAfter),
		time.Duration(res.Seconds*float64(time.Second)).Round(time.Millisecond))
	return exitOK
}
