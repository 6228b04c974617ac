package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
)

func runStats(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "stats", "", `
Count what the data directory holds: CloudTrail events, VPC flow records and
GuardDuty findings, and the entities of the behavior graph by type.`)
	data := dataFlag(env, fs)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "trailhound stats: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	st, err := duckdb.Open(ctx, *data, nil)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound stats: %v\n", err)
		return exitRuntime
	}
	defer st.Close()
	s, err := st.Stats(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound stats: %v\n", err)
		return exitRuntime
	}
	if *asJSON {
		out := map[string]any{"objects": s.Objects, "events": s.Events, "entities": s.Entities}
		if !s.PrunedBefore.IsZero() {
			out["prunedBefore"] = s.PrunedBefore
		}
		json.NewEncoder(env.stdout).Encode(out)
		return exitOK
	}
	fmt.Fprintf(env.stdout, "Objects:   %d\n", s.Objects)
	if !s.PrunedBefore.IsZero() {
		fmt.Fprintf(env.stdout, "Pruned:    the records before %s were removed\n", s.PrunedBefore.Format(time.RFC3339))
	}
	for _, src := range trailhound.Sources {
		fmt.Fprintf(env.stdout, "%-10s %d\n", string(src)+":", s.Events[src])
	}
	keys := make([]string, 0, len(s.Entities))
	for k := range s.Entities {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	fmt.Fprintln(env.stdout, "Entities:")
	for _, k := range keys {
		fmt.Fprintf(env.stdout, "  %-18s %d\n", k, s.Entities[trailhound.Namespace(k)])
	}
	return exitOK
}
