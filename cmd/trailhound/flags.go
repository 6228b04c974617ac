package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// newFlagSet returns a flag set whose --help prints the synopsis, the
// description and the flags, and whose errors go to stderr.
func newFlagSet(env *environment, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: trailhound %s [flags] %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args; when it returns false the command must return code:
// 0 after --help, 2 after a usage error.
func parse(fs *flag.FlagSet, args []string, env *environment) (int, bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(env.stdout)
		}
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK, false
	}
	if err != nil {
		return exitUsage, false
	}
	return 0, true
}

// dataFlag adds --data with its environment default.
func dataFlag(env *environment, fs *flag.FlagSet) *string {
	def := env.getenv("TRAILHOUND_DATA")
	if def == "" {
		def = "./trailhound-data"
	}
	return fs.String("data", def, "data directory (env TRAILHOUND_DATA)")
}
