package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "version", "", "Print the version of this binary.")
	asJSON := fs.Bool("json", false, "print a JSON object")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	if *asJSON {
		json.NewEncoder(env.stdout).Encode(map[string]string{"version": version, "revision": rev, "go": runtime.Version()})
		return exitOK
	}
	fmt.Fprintf(env.stdout, "trailhound %s %s %s\n", version, rev, runtime.Version())
	return exitOK
}
