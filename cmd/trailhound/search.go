package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
)

func runSearch(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "search", "[PATTERN]", `
Find entities through a running server (start one with "trailhound serve").
PATTERN is matched case-insensitively against ids, names and ARNs: "*" and
"?" are wildcards, and without them the match is exact. An address block
(10.0.0.0/16) or dotted wildcards (10.0.*.*) find addresses. With no
PATTERN, every entity (of --type) is listed. Results are sorted by
activity: the API calls the entity took part in, within the scope if one
is given, else in all data.

Times are UTC ISO 8601 (2026-11-01T10:00:00Z; 2026-11-01T10:00 and
2026-11-01 are read as UTC) or epoch seconds. --since D ends the scope at
--scope-end, or else at the end of the current hour.

Examples:
  trailhound search alice
  trailhound search --type AwsRole '*admin*'
  trailhound search 10.0.0.0/16
  trailhound search --type IpAddress --since 24h --limit 20
  trailhound search --type AwsUser --json | jq -r '.results[].id'

Exit status: 0 on success (also when nothing matches), 2 for usage errors
and parameters the server rejects, 3 when no server answers.`)
	server := serverFlag(env, fs)
	typ := fs.String("type", "", "entity type: "+strings.Join(namespaceNames(), ", ")+" (default: all types)")
	limit := fs.Int("limit", 50, "results per page, 1 to 1000")
	cursor := fs.String("cursor", "", "continue from the previous page (printed after a partial page)")
	sc := addScopeFlags(fs)
	asJSON := fs.Bool("json", false, "print the API's JSON answer")
	pos, code, ok := parseInterspersed(fs, args, env)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(env.stderr, "trailhound search: one PATTERN at most, got %d arguments (quote a pattern with spaces)\n", len(pos))
		return exitUsage
	}
	var pattern string
	if len(pos) == 1 {
		pattern = pos[0]
	}
	var ns trailhound.Namespace
	if *typ != "" {
		var ok bool
		if ns, ok = parseNamespace(*typ); !ok {
			fmt.Fprintf(env.stderr, "trailhound search: unknown --type %q; types: %s\n", *typ, strings.Join(namespaceNames(), ", "))
			return exitUsage
		}
	}
	if *limit < 1 || *limit > 1000 {
		fmt.Fprintf(env.stderr, "trailhound search: --limit %d must be between 1 and 1000\n", *limit)
		return exitUsage
	}
	scope, err := sc.resolve(now())
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound search: %v\n", err)
		return exitUsage
	}
	c, err := newClient(*server)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound search: %v\n", err)
		return exitUsage
	}
	raw, err := c.SearchRaw(ctx, client.SearchParams{Type: ns, Q: pattern, Scope: scope, Limit: *limit, Cursor: *cursor})
	if err != nil {
		return apiFailure(env, "search", *server, err)
	}
	if *asJSON {
		return writeRaw(env, raw)
	}
	var res client.SearchResults
	if err := decodeAnswer(raw, &res); err != nil {
		fmt.Fprintf(env.stderr, "trailhound search: %v\n", err)
		return exitRuntime
	}
	w := env.stdout
	if res.Scope != nil {
		fmt.Fprintf(w, "Activity counted in %s\n\n", scopeText(res.Scope.Start, res.Scope.End))
	}
	if len(res.Results) == 0 {
		fmt.Fprintln(w, "No entities match.")
		return exitOK
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "TYPE\tID\tLABEL\tACCOUNT\tFIRST SEEN\tLAST SEEN\tACTIVITY")
	for _, r := range res.Results {
		label := r.Label
		if label == r.ID {
			label = ""
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", cell(string(r.Type)), cell(r.ID), text(label), orDash(cell(r.Account)),
			timeText(r.FirstSeen), timeText(r.LastSeen), r.Activity)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d of %d %s", len(res.Results), res.Total, plural(res.Total, "entity", "entities"))
	if res.Cursor != "" {
		fmt.Fprintf(w, "; next page: --cursor %s", res.Cursor)
	}
	fmt.Fprintln(w)
	return exitOK
}

// now is the clock of --since; tests set it.
var now = time.Now

// serverFlag adds --server with its environment default.
func serverFlag(env *environment, fs *flag.FlagSet) *string {
	def := env.getenv("TRAILHOUND_SERVER")
	if def == "" {
		def = "http://127.0.0.1:8080"
	}
	return fs.String("server", def, "URL of a running \"trailhound serve\" (env TRAILHOUND_SERVER)")
}

// newClient returns a client of server; a bare host:port means http.
func newClient(server string) (*client.Client, error) {
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	return client.New(server, nil)
}

// apiFailure reports a failed API call and returns the exit status: 2 for
// parameters the server rejects, 1 for what it does not know, 3 when it
// cannot be reached or fails.
func apiFailure(env *environment, cmd, server string, err error) int {
	var op *net.OpError
	var dns *net.DNSError
	if errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns) {
		cause := error(dns)
		if dns == nil {
			cause = op.Err
		}
		fmt.Fprintf(env.stderr, "trailhound %s: no Trailhound server answers at %s (%v).\n"+
			"Start one with \"trailhound serve --data DIR\", or point --server (env TRAILHOUND_SERVER) at one that runs.\n",
			cmd, server, cause)
		return exitRuntime
	}
	msg := err.Error()
	var te *trailhound.Error
	if errors.As(err, &te) {
		msg = te.Message
	}
	fmt.Fprintf(env.stderr, "trailhound %s: %s\n", cmd, cell(msg))
	switch trailhound.ErrorCode(err) {
	case trailhound.EINVALID:
		return exitUsage
	case trailhound.ENOTFOUND:
		return exitFailed
	}
	return exitRuntime
}

// writeRaw prints an API answer as the server sent it, on one line.
func writeRaw(env *environment, raw []byte) int {
	raw = []byte(strings.TrimSpace(string(raw)))
	env.stdout.Write(append(raw, '\n'))
	return exitOK
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments ("search alice --type AwsUser"), which the flag
// package alone stops at; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string, env *environment) ([]string, int, bool) {
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

// namespaces are the entity types a user can search and open.
var namespaces = []trailhound.Namespace{
	trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser,
	trailhound.AwsService, trailhound.AccessKey, trailhound.IPAddress, trailhound.UserAgent, trailhound.AutonomousSystem,
	trailhound.Ec2Instance, trailhound.S3Bucket, trailhound.FindingEntity, trailhound.FindingGroup, trailhound.ContainerCluster,
	trailhound.ContainerPod, trailhound.ContainerImage, trailhound.KubernetesSubject,
}

func namespaceNames() []string {
	out := make([]string, len(namespaces))
	for i, ns := range namespaces {
		out[i] = string(ns)
	}
	return out
}

// parseNamespace accepts a type name in any case (awsuser, IPADDRESS).
func parseNamespace(s string) (trailhound.Namespace, bool) {
	for _, ns := range namespaces {
		if strings.EqualFold(s, string(ns)) {
			return ns, true
		}
	}
	return "", false
}

// scopeFlags are --scope-start, --scope-end and --since.
type scopeFlags struct {
	start, end, since string
}

func addScopeFlags(fs *flag.FlagSet) *scopeFlags {
	s := &scopeFlags{}
	fs.StringVar(&s.start, "scope-start", "", "start of the scope: UTC time (2026-11-01T10:00:00Z) or epoch seconds")
	fs.StringVar(&s.end, "scope-end", "", "end of the scope (excluded): UTC time or epoch seconds")
	fs.StringVar(&s.since, "since", "", "scope of this length (90m, 24h, 7d) ending at --scope-end or at the end of the current hour")
	return s
}

// set reports whether any scope flag was given.
func (s *scopeFlags) set() bool { return s.start != "" || s.end != "" || s.since != "" }

// resolve turns the flags into a scope; parts left zero are the server's
// to fill (for an entity, from its default scope). Errors name the flag.
func (s *scopeFlags) resolve(now time.Time) (client.Scope, error) {
	var sc client.Scope
	var err error
	if s.start != "" {
		if sc.Start, err = parseTime(s.start); err != nil {
			return sc, fmt.Errorf("--scope-start: %w", err)
		}
	}
	if s.end != "" {
		if sc.End, err = parseTime(s.end); err != nil {
			return sc, fmt.Errorf("--scope-end: %w", err)
		}
	}
	if s.since != "" {
		if s.start != "" {
			return sc, errors.New("--since and --scope-start both set the start of the scope; give one")
		}
		d, err := parseSince(s.since)
		if err != nil {
			return sc, fmt.Errorf("--since: %w", err)
		}
		if sc.End == 0 {
			// Whole hours let the server answer from its hourly tables.
			sc.End = (now.Unix()/3600 + 1) * 3600
		}
		sc.Start = sc.End - int64(d/time.Second)
	}
	if sc.Start != 0 && sc.End != 0 && sc.End <= sc.Start {
		return sc, fmt.Errorf("--scope-end %s is not after --scope-start %s", timeText(sc.End), timeText(sc.Start))
	}
	return sc, nil
}

// parseTime reads epoch seconds or a UTC ISO 8601 time; a time without a
// zone is UTC.
func parseTime(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%q is not a time after 1970", s)
		}
		return n, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Unix() <= 0 {
				return 0, fmt.Errorf("%q is not a time after 1970", s)
			}
			return t.Unix(), nil
		}
	}
	return 0, fmt.Errorf("%q is not a time: want 2026-11-01T10:00:00Z, 2026-11-01 or epoch seconds", s)
}

var daysRE = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseSince reads a Go duration, with d for days in front (7d, 1d12h).
func parseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if m := daysRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100_000 {
			return 0, fmt.Errorf("%q: too many days", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		s = m[2]
	}
	if s != "" {
		rest, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 90m, 24h or 7d", s)
		}
		d += rest
	}
	if d < time.Minute {
		return 0, errors.New("the scope must be at least a minute long")
	}
	return d, nil
}

// decodeAnswer reads an API answer into its typed form.
func decodeAnswer(raw []byte, out any) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("unexpected answer from the server: %w", err)
	}
	return nil
}

// table aligns columns separated by tabs. Rows may leave trailing cells
// empty; Flush drops the padding they would leave at the ends of lines.
type table struct {
	*tabwriter.Writer
	buf bytes.Buffer
	out io.Writer
}

func newTable(w io.Writer) *table {
	t := &table{out: w}
	t.Writer = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// Flush writes the aligned table.
func (t *table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	lines := strings.SplitAfter(t.buf.String(), "\n")
	t.buf.Reset()
	for _, l := range lines {
		if trimmed := strings.TrimRight(l, " \n"); strings.HasSuffix(l, "\n") {
			t.buf.WriteString(trimmed + "\n")
		} else {
			t.buf.WriteString(trimmed)
		}
	}
	_, err := t.out.Write(t.buf.Bytes())
	t.buf.Reset()
	return err
}

// cell makes a value from the logs safe to print in a table: log fields
// are attacker-controlled, and a terminal must not receive their control
// characters (escape sequences could rewrite what the investigator sees)
// nor a tab or newline that shifts the columns. Those characters,
// invalid UTF-8 and the bidirectional overrides that reorder text are
// shown escaped.
func cell(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, width := utf8.DecodeRuneInString(s[i:])
		w = width
		switch {
		case r == utf8.RuneError && width == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == utf8.RuneError:
		return true
	case r >= 0x200e && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// maxText is the widest free-text cell (titles, labels, user agents):
// one long value would otherwise widen its whole column. Ids are never
// shortened; --json has every value whole.
const maxText = 64

// text is cell for free text, shortened to maxText with a visible mark.
func text(s string) string {
	s = cell(s)
	if utf8.RuneCountInString(s) <= maxText {
		return orDash(s)
	}
	r := []rune(s)
	return string(r[:maxText-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// timeText prints epoch seconds as UTC ISO 8601; zero is unknown.
func timeText(epoch int64) string {
	if epoch == 0 {
		return "-"
	}
	return time.Unix(epoch, 0).UTC().Format(time.RFC3339)
}

// scopeText prints a scope with its length.
func scopeText(start, end int64) string {
	return fmt.Sprintf("%s → %s (%s)", timeText(start), timeText(end), spanText(end-start))
}

// spanText prints a length of time in the largest whole units: 1d, 6h,
// 1d 6h, 90m.
func spanText(secs int64) string {
	if secs <= 0 {
		return "0s"
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if secs >= u.n {
			parts = append(parts, strconv.FormatInt(secs/u.n, 10)+u.unit)
			secs %= u.n
		}
	}
	return strings.Join(parts, " ")
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
