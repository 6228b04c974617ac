package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/investigate"
)

// stringList is a flag that may be repeated.
type stringList []string

// String implements flag.Value.
func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value: each use of the flag adds a value.
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// threatIntelFlag adds the repeatable --threat-intel flag.
func threatIntelFlag(fs *flag.FlagSet) *stringList {
	var l stringList
	fs.Var(&l, "threat-intel", "threat-intelligence list: one IP address or CIDR network per line, optionally followed by a reason; # starts a comment (repeatable)")
	return &l
}

// newInvestigations returns the investigation service of serve: over the
// store, with the threat lists, and with finding groups when the group
// service can answer investigations' questions.
func newInvestigations(ctx context.Context, st *duckdb.Store, log *slog.Logger, baseline time.Duration, threatFiles []string, groups any) (*investigate.Service, error) {
	opts := investigate.ServiceOptions{Log: log, Options: investigate.Options{Baseline: baseline}}
	if len(threatFiles) > 0 {
		ti, err := investigate.LoadThreatIntel(threatFiles...)
		if err != nil {
			return nil, err
		}
		opts.ThreatIntel = ti
		log.Info("threat_intel_loaded", "files", len(threatFiles), "entries", ti.Len())
	}
	if gs, ok := groups.(investigate.GroupSource); ok && gs != nil {
		opts.Groups = gs
	}
	return investigate.NewService(ctx, st.DB(), opts)
}

func runInvestigate(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "investigate", "TYPE/ID [flags]", `
Investigate an entity over a scope, as Amazon Detective's investigations do,
directly on the data directory (stop serve first: one process at a time).
TYPE is AwsUser, AwsRole, AwsRoleSession, FederatedUser, AccessKey or
Ec2Instance; ID is the entity's id (users and roles also by ARN), e.g.

  trailhound investigate AwsUser/AIDAEXAMPLEALICE00001 --since 24h
  trailhound investigate AccessKey/AKIAEXAMPLE0000000001 --scope-start 2026-11-03T00:00Z --scope-end 2026-11-04T00:00Z
  trailhound investigate Ec2Instance/i-0abc1234def567890 --format html --out report.html

Without a scope, the entity's last 24 hours of activity are investigated.
The investigation is stored in the data directory, so serve lists it.

Exit status: 0 when the investigation ran, 1 when the entity is unknown, 2
for usage errors (including a malformed threat-intelligence list), 3 when
the store is unavailable.`)
	data := dataFlag(env, fs)
	startFlag := fs.String("scope-start", "", "scope start: epoch seconds or RFC 3339 (2026-11-03T10:00:00Z)")
	endFlag := fs.String("scope-end", "", "scope end: epoch seconds or RFC 3339")
	since := fs.Duration("since", 0, "investigate this long before --scope-end, or before the end of the hour of the entity's last activity (e.g. 24h)")
	threat := threatIntelFlag(fs)
	format := fs.String("format", "text", "output: text, json, html or md")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	baseline := fs.Duration("baseline", trailhound.DefaultBaseline, "how far before the scope its baseline reaches")
	if code, ok := parse(fs, args, env); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(env.stderr, "trailhound investigate: "+format+"\n", a...)
		return code
	}
	// Flags may also follow TYPE/ID, as the synopsis shows them.
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	target := fs.Arg(0)
	if rest := fs.Args()[1:]; len(rest) > 0 {
		if code, ok := parse(fs, rest, env); !ok {
			return code
		}
		if fs.NArg() > 0 {
			return fail(exitUsage, "unexpected argument %q: investigate one entity at a time", fs.Arg(0))
		}
	}
	ref, ok := trailhound.ParseEntityRef(target)
	if !ok {
		return fail(exitUsage, "%q must be TYPE/ID, e.g. AwsUser/AIDAEXAMPLEALICE00001", target)
	}
	switch *format {
	case "text", investigate.FormatJSON, investigate.FormatHTML, investigate.FormatMarkdown:
	default:
		return fail(exitUsage, "--format %q must be text, json, html or md", *format)
	}
	start, err := parseWhen(*startFlag)
	if err != nil {
		return fail(exitUsage, "--scope-start: %v", err)
	}
	end, err := parseWhen(*endFlag)
	if err != nil {
		return fail(exitUsage, "--scope-end: %v", err)
	}
	if *since < 0 || (*since > 0 && start != 0) {
		return fail(exitUsage, "--since takes a positive duration and cannot be combined with --scope-start")
	}
	if *baseline < time.Hour {
		return fail(exitUsage, "--baseline %s is shorter than an hour", *baseline)
	}
	var ti *investigate.ThreatIntel
	if len(*threat) > 0 {
		if ti, err = investigate.LoadThreatIntel(*threat...); err != nil {
			return fail(exitUsage, "%v", err)
		}
	}
	st, err := duckdb.Open(ctx, *data, nil)
	if err != nil {
		return fail(exitRuntime, "%v", err)
	}
	defer st.Close()
	grp, err := newGroups(env, st, nil, *baseline)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	svc, err := investigate.NewService(ctx, st.DB(), investigate.ServiceOptions{Options: investigate.Options{Baseline: *baseline, ThreatIntel: ti, Groups: grp}})
	if err != nil {
		return fail(exitRuntime, "%v", err)
	}
	defer svc.Close()
	req := investigate.Request{Entity: ref, Start: start, End: end}
	if *since > 0 {
		if end == 0 {
			_, def, err := svc.Investigator().Resolve(ctx, investigate.Request{Entity: ref})
			if err != nil {
				return fail(errorExit(err), "%s", trailhound.ErrorMessage(err))
			}
			end = def.End
		}
		req.Start, req.End = end-int64(*since/time.Second), end
	}
	inv, err := svc.Run(ctx, req)
	if err != nil {
		if trailhound.ErrorCode(err) == trailhound.EINTERNAL {
			return fail(exitRuntime, "%v", err)
		}
		return fail(errorExit(err), "%s", trailhound.ErrorMessage(err))
	}
	w := env.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fail(exitRuntime, "--out: %v", err)
		}
		defer f.Close()
		w = f
	}
	if *format == "text" {
		err = writeInvestigationText(w, inv)
	} else {
		err = investigate.WriteReport(w, inv, *format, investigate.ReportOptions{})
	}
	if err != nil {
		return fail(exitRuntime, "%v", err)
	}
	if *out != "" {
		fmt.Fprintf(env.stderr, "Investigation %s: %s, report written to %s\n", inv.ID, inv.Severity, *out)
	}
	return exitOK
}

// errorExit maps a user-facing error to the exit status.
func errorExit(err error) int {
	switch trailhound.ErrorCode(err) {
	case trailhound.ENOTFOUND:
		return exitFailed
	case trailhound.EINVALID:
		return exitUsage
	}
	return exitRuntime
}

// parseWhen reads epoch seconds or an RFC 3339 time (seconds and the zone
// may be left out: 2026-11-03T10:00Z, 2026-11-03); "" is zero.
func parseWhen(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, fmt.Errorf("%q is neither epoch seconds nor an RFC 3339 time", s)
}

// writeInvestigationText prints the investigation for a terminal. Values
// from logs pass through printable, so that a crafted user agent cannot
// send escape sequences to the terminal.
func writeInvestigationText(w io.Writer, inv *investigate.Investigation) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	name := inv.Entity.ID
	if inv.Label != "" && inv.Label != inv.Entity.ID {
		name = inv.Label + " (" + inv.Entity.ID + ")"
	}
	p("Investigation %s of %s %s\n", inv.ID, inv.Entity.Type, printable(name))
	p("Scope:     %s to %s\n", fmtTime(inv.Scope.Start), fmtTime(inv.Scope.End))
	p("Baseline:  %s to %s\n", fmtTime(inv.Baseline.Start), fmtTime(inv.Baseline.End))
	p("Severity:  %s\n\n", inv.Severity)
	p("%s\n", printable(inv.Summary))
	for _, r := range inv.SeverityReasons {
		p("  - %s\n", printable(r))
	}
	if len(inv.Tactics) > 0 {
		p("\nMITRE ATT&CK:\n")
		for _, t := range inv.Tactics {
			for _, tech := range t.Techniques {
				p("  %-20s %-13s %-10s %s\n", t.Tactic, tech.TechniqueID, tech.Severity, printable(tech.Technique))
			}
		}
	}
	p("\nIndicators (%d):\n", len(inv.Indicators))
	for _, in := range inv.Indicators {
		var what string
		switch in.Type {
		case investigate.TTPObserved:
			what = in.Tactic + " " + in.TechniqueID + " " + in.Procedure
			if in.APIName != "" {
				what += " [" + in.APIName + "]"
			}
		case investigate.ImpossibleTravel:
			what = in.StartingIPAddress + " → " + in.EndingIPAddress
		case investigate.FlaggedIPAddress:
			what = in.IPAddress + ": " + in.Reason
		case investigate.NewGeolocation:
			what = in.Location.String()
		case investigate.NewASO:
			what = fmt.Sprintf("%s (AS%d)", in.ASO, in.ASN)
		case investigate.NewUserAgent:
			what = in.UserAgent
		case investigate.RelatedFinding:
			what = in.FindingType + " " + in.FindingID
		case investigate.RelatedFindingGroup:
			what = in.Title + " " + in.GroupID
		}
		if in.IPAddress != "" && in.Type != investigate.FlaggedIPAddress {
			what += " from " + in.IPAddress
		}
		p("  %-13s %-21s %s\n", in.Severity, in.Type, printable(what))
	}
	if len(inv.NextSteps) > 0 {
		p("\nNext steps:\n")
		for i, s := range inv.NextSteps {
			p("  %d. %s\n", i+1, printable(s))
		}
	}
	if len(inv.Notes) > 0 {
		p("\nNotes:\n")
		for _, n := range inv.Notes {
			p("  - %s\n", printable(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtTime(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// printable replaces control characters (escape sequences included) with
// a visible marker.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '�'
		}
		return r
	}, s)
}
