// Command trailhound is a self-hosted investigation tool for AWS logs: it
// ingests CloudTrail, VPC Flow Logs and GuardDuty findings into a behavior
// graph and answers an investigator's questions about it.
//
// Run "trailhound help" for the subcommands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // the command ran, but something failed (e.g. some objects)
	exitUsage   = 2 // bad flags or arguments
	exitRuntime = 3 // the command could not run (store unavailable, ...)
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) int
}

// environment is what a subcommand may use: its streams and the process
// environment, injected so that tests run Main in-process.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// listening, when set, is told serve's URL once it listens (the demo
	// uses it to print console links with the real port).
	listening func(url string)
}

func commands() []command {
	return []command{
		{"demo", "generate a demo organization with incidents in it and ingest it", runDemo},
		{"ingest", "load AWS log files or S3 prefixes into the data directory", runIngest},
		{"stats", "count the events and entities stored", runStats},
		{"backfill", "store the flow connections of data ingested by an earlier version", runBackfill},
		{"prune", "remove the data of the times before a cutoff, to bound a growing data directory", runPrune},
		{"compact", "shrink the database file to the data it holds (after a prune)", runCompact},
		{"groups", "list, show or rebuild finding groups: related findings as probable incidents", runGroups},
		{"search", "find entities by id, name, ARN, pattern or address block (through serve)", runSearch},
		{"profile", "print an entity's details and profile panels as tables (through serve)", runProfile},
		{"investigate", "investigate a user, role, session, access key or instance: ATT&CK indicators, severity, report", runInvestigate},
		{"serve", "serve the investigation console and JSON API over the data directory", runServe},
		{"gen", "write synthetic AWS logs of an organization with attack scenarios", runGen},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command line args and returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &environment{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Main(ctx, []string{args[1], "--help"}, stdin, stdout, stderr)
		}
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(stderr, "trailhound: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Trailhound investigates AWS activity: it links CloudTrail, VPC Flow Logs and
GuardDuty findings into a behavior graph of accounts, principals, sessions,
access keys, IP addresses, instances and buckets.

Usage:
  trailhound <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "trailhound <command> --help" for a command's flags.
Data is kept in ./trailhound-data unless --data or TRAILHOUND_DATA says otherwise.
`)
}

// limitMemory bounds the heap of a long ingest by a fixed limit rather
// than by the live data alone, so that ingest stays within its memory
// budget whatever the corpus size. GOMEMLIMIT overrides it. (A slower GC
// pace, GOGC=200, saves about a tenth of the CPU on CloudTrail but lets
// flow ingest, which keeps more live data, pass 1 GiB; it is left at the
// default.)
func limitMemory(env *environment) {
	if env.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(384 << 20)
	}
}

// limitServeMemory bounds serve's heap. Its live data is mostly the
// search index (about 60 bytes an entity, 0.45 GB for the 7M entities of
// the large benchmark); left to the default pace, the collector let the
// heap reach twice that between cycles, and serve's resident memory came
// within 3% of 2 GiB. A soft limit of 1 GiB keeps it, with DuckDB's own
// 320 MB, well under; GOMEMLIMIT overrides it.
func limitServeMemory(env *environment) {
	if env.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}
