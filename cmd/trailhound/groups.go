package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/groups"
)

func runGroups(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "groups", "[list | show ID | rebuild]", `
Finding groups cluster related findings into probable incidents: findings
that name the same role session, user, access key, instance, external
address or bucket (or entities the behavior graph links, such as a user
and the instance it launched), observed close in time or in the order of
an attack's MITRE ATT&CK tactics. Each member says why it is in its group.

  list         the groups, most severe first (the default)
  show ID      one group: its findings and why each joined, its entities,
               the entities not used to relate findings and why, lineage
  rebuild      regroup every finding from scratch, keeping analysts'
               splits and merges; to repair groups or apply new options

Groups are brought up to date with the findings stored before list and
show answer. The command opens the data directory itself: stop serve on
the same directory first, or use the API (/api/v1/groups) it serves.

Exit status: 0 on success, 1 for an unknown group, 2 for usage errors, 3
when the store is unavailable.`)
	data := dataFlag(env, fs)
	asJSON := fs.Bool("json", false, "print the JSON the API answers")
	status := fs.String("status", "active", "list: active, inactive or any")
	severity := fs.String("severity", "", "list: severity bands, comma-separated (low, medium, high, critical)")
	limit := fs.Int("limit", 50, "list: groups to print, 1 to 1000")
	pos, code, ok := parseGroupsArgs(fs, args, env)
	if !ok {
		return code
	}
	action := "list"
	if len(pos) > 0 {
		action = pos[0]
	}
	switch {
	case action == "list" && len(pos) <= 1, action == "rebuild" && len(pos) == 1, action == "show" && len(pos) == 2:
	default:
		fmt.Fprintf(env.stderr, "trailhound groups: want list, show ID or rebuild, got %q\n", strings.Join(pos, " "))
		return exitUsage
	}
	st, err := duckdb.Open(ctx, *data, nil)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound groups: %v\n", err)
		return exitRuntime
	}
	defer st.Close()
	svc, err := newGroups(env, st, newLogger(env, *asJSON), 0)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound groups: %v\n", err)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(env.stderr, "trailhound groups: %s\n", termSafe(err.Error()))
		switch trailhound.ErrorCode(err) {
		case trailhound.ENOTFOUND:
			return exitFailed
		case trailhound.EINVALID:
			return exitUsage
		}
		return exitRuntime
	}
	if action == "rebuild" {
		res, err := svc.Rebuild(ctx, groups.LocalUser)
		if err != nil {
			return fail(err)
		}
		if *asJSON {
			return writeJSONOut(env.stdout, res)
		}
		fmt.Fprintf(env.stdout, "Rebuilt the finding groups: %d findings in %d active groups.\n", res.Findings, res.Active)
		return exitOK
	}
	if _, err := svc.Update(ctx); err != nil {
		return fail(err)
	}
	if action == "show" {
		d, err := svc.Group(ctx, pos[1])
		if err != nil {
			return fail(err)
		}
		if *asJSON {
			return writeJSONOut(env.stdout, d)
		}
		printGroup(env.stdout, d)
		return exitOK
	}
	if *limit < 1 || *limit > groups.MaxListLimit {
		fmt.Fprintf(env.stderr, "trailhound groups: --limit %d must be between 1 and %d\n", *limit, groups.MaxListLimit)
		return exitUsage
	}
	req := groups.ListRequest{Status: *status, Limit: *limit}
	if *severity != "" {
		req.Severity = strings.Split(*severity, ",")
	}
	list, err := svc.List(ctx, req)
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		return writeJSONOut(env.stdout, list)
	}
	printGroupList(env.stdout, list)
	return exitOK
}

// parseGroupsArgs parses flags placed before, between or after the
// positional arguments.
func parseGroupsArgs(fs *flag.FlagSet, args []string, env *environment) ([]string, int, bool) {
	var pos []string
	for {
		if code, ok := parse(fs, args, env); !ok {
			return nil, code, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// updateGroups places the findings an ingest stored into the finding
// groups; ingest calls it after a run. A failure leaves the stored data
// as it is and tells how to repair the groups.
func updateGroups(ctx context.Context, env *environment, st *duckdb.Store, log *slog.Logger) (*groups.UpdateResult, bool) {
	svc, err := newGroups(env, st, log, 0)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: finding groups were not updated: %v\n", err)
		return nil, false
	}
	res, err := svc.Update(ctx)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound ingest: finding groups were not updated: %v (the data is stored; run \"trailhound groups rebuild\")\n", err)
		return nil, false
	}
	return res, true
}

// newGroups returns the finding groups of st with the grouping windows of
// the environment: TRAILHOUND_GROUP_WINDOW (how far apart in time
// findings sharing an entity may be, default 24h) and
// TRAILHOUND_GROUP_CHAIN_WINDOW (how far when their ATT&CK tactics follow
// each other, default 72h). Every command reads the same variables, so
// ingest, serve and rebuild group alike.
func newGroups(env *environment, st *duckdb.Store, log *slog.Logger, baseline time.Duration) (*groups.Service, error) {
	opts := groups.Options{Log: log, Baseline: baseline}
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{{"TRAILHOUND_GROUP_WINDOW", &opts.Window}, {"TRAILHOUND_GROUP_CHAIN_WINDOW", &opts.ChainWindow}} {
		if s := env.getenv(v.name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < time.Minute {
				return nil, fmt.Errorf("%s=%q must be a duration of a minute or more, such as 24h", v.name, s)
			}
			*v.dst = d
		}
	}
	return groups.New(st.DB(), opts), nil
}

// printGroupsUpdate says what an update changed, when it placed findings.
func printGroupsUpdate(env *environment, res *groups.UpdateResult) {
	if res != nil && res.Findings > 0 {
		fmt.Fprintf(env.stdout, "Finding groups: %d findings placed; %d groups made, %d grown, %d closed; %d active\n",
			res.Findings, res.Created, res.Changed, res.Closed, res.Active)
	}
}

func writeJSONOut(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return exitRuntime
	}
	return exitOK
}

func printGroupList(w io.Writer, l *groups.List) {
	if len(l.Groups) == 0 {
		fmt.Fprintln(w, "No finding groups.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tFINDINGS\tLAST SEEN\tTITLE")
	for _, g := range l.Groups {
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%d\t%s\t%s\n", g.ID, strconv.FormatFloat(g.Severity, 'f', -1, 64), g.Band, g.Status, g.FindingCount,
			isoTime(g.LastSeen), termSafe(g.Title))
	}
	tw.Flush()
	if l.Total > int64(len(l.Groups)) {
		fmt.Fprintf(w, "(%d of %d groups; raise --limit for more)\n", len(l.Groups), l.Total)
	}
}

func printGroup(w io.Writer, d *groups.Detail) {
	fmt.Fprintf(w, "Group %s (%s, %s)\n", d.ID, d.Status, d.Origin)
	fmt.Fprintf(w, "%s\n", termSafe(d.Title))
	fmt.Fprintf(w, "Severity: %s (%s)\n", strconv.FormatFloat(d.Severity, 'f', -1, 64), d.Band)
	var chain []string
	for _, t := range d.Tactics {
		chain = append(chain, t.Name+" ("+t.ID+")")
	}
	if len(chain) > 0 {
		fmt.Fprintf(w, "Tactics: %s\n", strings.Join(chain, " → "))
	}
	fmt.Fprintf(w, "Observed: %s to %s; accounts %s\n", isoTime(d.FirstSeen), isoTime(d.LastSeen), strings.Join(d.Accounts, ", "))
	for _, l := range d.Parents {
		fmt.Fprintf(w, "Parent: %s (%s, %s)\n", l.ID, l.Status, l.Kind)
	}
	for _, l := range d.Children {
		fmt.Fprintf(w, "Child: %s (%s, %s)\n", l.ID, l.Status, l.Kind)
	}
	fmt.Fprintf(w, "\nFindings (%d), in the order they joined:\n", len(d.Findings))
	for _, m := range d.Findings {
		fmt.Fprintf(w, "  %s %s  %s  %s\n", strconv.FormatFloat(m.Severity, 'f', -1, 64), termSafe(m.Type), termSafe(m.ID), isoTime(m.FirstSeen))
		for _, r := range m.Reasons {
			fmt.Fprintf(w, "      %s\n", termSafe(r.Text))
		}
	}
	fmt.Fprintf(w, "\nEntities (%d):\n", len(d.Entities))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range d.Entities {
		rel := ""
		if e.Related {
			rel = " (related)"
		}
		n := fmt.Sprintf("%d findings", len(e.Findings))
		if len(e.Findings) == 1 {
			n = "1 finding"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\n", e.Type, termSafe(e.ID), termSafe(e.Label), n, rel)
	}
	tw.Flush()
	if len(d.Ignored) > 0 {
		fmt.Fprintf(w, "\nNot used to relate findings (%d):\n", len(d.Ignored))
		for _, ig := range d.Ignored {
			fmt.Fprintf(w, "  %s %s: %s\n", ig.Type, termSafe(ig.ID), termSafe(ig.Reason))
		}
	}
	fmt.Fprintf(w, "\nEvidence: %d items", len(d.Evidence))
	if d.EvidenceStatus != "" {
		fmt.Fprintf(w, " (%s)", termSafe(d.EvidenceStatus))
	}
	fmt.Fprintln(w)
}

func isoTime(s int64) string {
	if s == 0 {
		return "-"
	}
	return time.Unix(s, 0).UTC().Format(time.RFC3339)
}

// termSafe shows control characters of attacker-controlled text (titles,
// ids and labels come from logs) as escapes, so that printing them cannot
// drive the terminal.
func termSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
