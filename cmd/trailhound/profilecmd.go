package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis"
)

func runProfile(ctx context.Context, env *environment, args []string) int {
	fs := newFlagSet(env, "profile", "TYPE/ID", `
Print an entity's profile through a running server (start one with
"trailhound serve"): its details (who created it and when, the role behind
a session, an address's location and network...), then each panel of its
type as tables: associated findings, API call volume with its baseline,
activity details, newly observed geolocations, API calls, user agents and
autonomous systems, API calls with increased volume, resource interaction,
VPC flow volume, flow details and average flow by service port. Series are
drawn as sparklines followed by the buckets that have data; panels this
version does not know are printed as JSON. Find ids with "trailhound
search".

The scope defaults to the entity's last 24 hours of data. Times are UTC ISO
8601 (2026-11-01T10:00:00Z; 2026-11-01T10:00 and 2026-11-01 are read as
UTC) or epoch seconds; times printed are UTC.

Examples:
  trailhound profile AwsUser/AIDAEXAMPLEALICE00001
  trailhound profile AwsRole/AROAEXAMPLEADMIN00001 --since 7d
  trailhound profile IpAddress/198.51.100.77 --scope-start 2026-11-01 --scope-end 2026-11-02
  trailhound profile AwsRoleSession/AROAEXAMPLEADMIN00001:alice --panel activity-details \
      --param apiContains=Attach --param ip=89.160.20.0/24
  trailhound profile Ec2Instance/i-0abc1234def567890 --panel vpc-flow-volume --rows 0
  trailhound profile AwsUser/AIDAEXAMPLEALICE00001 --json | jq '.panels["api-call-volume"].totals'

With --json, one JSON object: {"entity": <entity answer>, "scope": {...},
"panels": {"<panel id>": <panel answer>, ...}}, each answer as the API
sends it (see docs/api.md).

Exit status: 0 on success, 1 when the entity is not in the data, 2 for
usage errors and parameters the server rejects (a bad scope, a panel the
type does not have), 3 when no server answers.`)
	server := serverFlag(env, fs)
	var panelFlag, params listFlag
	fs.Var(&panelFlag, "panel", "panel to print, repeatable or comma-separated (default: every panel of the type)")
	fs.Var(&params, "param", "a panel parameter name=value (activity-details filters: api, apiContains, service, ip, ipClass...; bucket=<epoch>), repeatable; needs one --panel")
	sc := addScopeFlags(fs)
	rows := fs.Int("rows", 10, "rows shown per table and per level of a grouping; 0 shows all")
	depth := fs.Int("depth", 0, "levels of the activity-details groupings, 1 to 3 (default: 1 for a whole profile, 3 with --panel)")
	asJSON := fs.Bool("json", false, "print the API's JSON answers")
	pos, code, ok := parseInterspersed(fs, args, env)
	if !ok {
		return code
	}
	panels := panelFlag.split()
	var ref trailhound.EntityRef
	switch len(pos) {
	case 1:
		if ref, ok = trailhound.ParseEntityRef(pos[0]); !ok {
			fmt.Fprintf(env.stderr, "trailhound profile: %q is not TYPE/ID (e.g. AwsUser/AIDAEXAMPLE...)\n", pos[0])
			return exitUsage
		}
	case 2:
		ref = trailhound.EntityRef{Type: trailhound.Namespace(pos[0]), ID: pos[1]}
	default:
		fmt.Fprintln(env.stderr, "trailhound profile: want one entity, TYPE/ID (see trailhound profile --help)")
		return exitUsage
	}
	ns, ok := parseNamespace(string(ref.Type))
	if !ok {
		fmt.Fprintf(env.stderr, "trailhound profile: unknown entity type %q; types: %s\n", ref.Type, strings.Join(namespaceNames(), ", "))
		return exitUsage
	}
	ref.Type = ns
	paramMap := map[string]string{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			fmt.Fprintf(env.stderr, "trailhound profile: --param %q: want name=value\n", p)
			return exitUsage
		}
		paramMap[k] = v
	}
	if len(paramMap) > 0 && len(panels) != 1 {
		fmt.Fprintln(env.stderr, "trailhound profile: --param applies to one panel: name it with --panel")
		return exitUsage
	}
	if *rows < 0 || *depth < 0 || *depth > 3 {
		fmt.Fprintln(env.stderr, "trailhound profile: --rows must be 0 or more, --depth 1 to 3")
		return exitUsage
	}
	if *depth == 0 {
		*depth = 1
		if len(panels) > 0 {
			*depth = 3
		}
	}
	scope, err := sc.resolve(now())
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound profile: %v\n", err)
		return exitUsage
	}
	c, err := newClient(*server)
	if err != nil {
		fmt.Fprintf(env.stderr, "trailhound profile: %v\n", err)
		return exitUsage
	}

	entRaw, err := c.EntityRaw(ctx, ref)
	if err != nil {
		return apiFailure(env, "profile", *server, err)
	}
	var ent client.Entity
	if err := decodeAnswer(entRaw, &ent); err != nil {
		fmt.Fprintf(env.stderr, "trailhound profile: %v\n", err)
		return exitRuntime
	}
	show := ent.Panels
	if len(panels) > 0 {
		show = nil
		for _, p := range panels {
			if !slices.Contains(ent.Panels, p) {
				fmt.Fprintf(env.stderr, "trailhound profile: %s entities have no panel %q; theirs are: %s\n", ent.Type, p, strings.Join(ent.Panels, ", "))
				return exitUsage
			}
			if !slices.Contains(show, p) {
				show = append(show, p)
			}
		}
	}
	defaultScope := !sc.set()
	if defaultScope {
		// One scope for every panel, and the one printed.
		scope = client.Scope{Start: ent.DefaultScope.Start, End: ent.DefaultScope.End}
	}
	answers := make([]json.RawMessage, len(show))
	for i, p := range show {
		if answers[i], err = c.PanelRaw(ctx, ref, p, scope, paramMap); err != nil {
			return apiFailure(env, "profile", *server, err)
		}
	}

	if *asJSON {
		out := struct {
			Entity json.RawMessage            `json:"entity"`
			Scope  *analysis.ScopeJSON        `json:"scope,omitempty"`
			Panels map[string]json.RawMessage `json:"panels"`
		}{Entity: entRaw, Panels: map[string]json.RawMessage{}}
		for i, p := range show {
			out.Panels[p] = answers[i]
		}
		if s, ok := panelScope(answers); ok {
			out.Scope = &s
		}
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(env.stderr, "trailhound profile: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}

	titles := map[string]string{}
	for _, p := range analysis.Panels {
		titles[p.ID] = p.Title
	}
	if infos, err := c.Panels(ctx); err == nil {
		for _, p := range infos {
			titles[p.ID] = p.Title
		}
	}
	pr := &printer{w: env.stdout, rows: *rows, depth: *depth}
	pr.entity(&ent)
	if s, ok := panelScope(answers); ok {
		note := ""
		if defaultScope {
			note = "  (default: the last 24 hours of its data)"
		}
		fmt.Fprintf(pr.w, "Scope:  %s%s\n", scopeText(s.Start, s.End), note)
	}
	for i, p := range show {
		title := titles[p]
		if title == "" {
			title = p
		}
		fmt.Fprintf(pr.w, "\n== %s (%s) ==\n", title, p)
		if err := pr.panel(p, answers[i]); err != nil {
			fmt.Fprintf(env.stderr, "trailhound profile: panel %s: %v\n", p, err)
			return exitRuntime
		}
	}
	return exitOK
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

var _ flag.Value = (*listFlag)(nil)

// split returns the values split at commas, blanks dropped. --panel takes
// a,b; --param is not split, since commas separate a filter's values.
func (l listFlag) split() []string {
	var out []string
	for _, v := range l {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// panelScope returns the scope the panels answered for: every panel
// echoes it.
func panelScope(answers []json.RawMessage) (analysis.ScopeJSON, bool) {
	for _, a := range answers {
		var s struct {
			Scope *analysis.ScopeJSON `json:"scope"`
		}
		if json.Unmarshal(a, &s) == nil && s.Scope != nil && s.Scope.End > 0 {
			return *s.Scope, true
		}
	}
	return analysis.ScopeJSON{}, false
}

// printer renders a profile as text.
type printer struct {
	w     io.Writer
	rows  int // 0: all
	depth int
}

// limit returns how many of n rows to show.
func (p *printer) limit(n int) int {
	if p.rows == 0 || n <= p.rows {
		return n
	}
	return p.rows
}

// more says how many rows were left out, and how to see them.
func (p *printer) more(indent string, shown, n int) {
	if shown < n {
		fmt.Fprintf(p.w, "%s… %d more (--rows 0 shows all)\n", indent, n-shown)
	}
}

func (p *printer) entity(e *client.Entity) {
	fmt.Fprintf(p.w, "%s %s\n", e.Type, cell(e.ID))
	tw := newTable(p.w)
	if e.Label != "" && e.Label != e.ID {
		fmt.Fprintf(tw, "Label:\t%s\n", cell(e.Label))
	}
	if e.ARN != "" {
		fmt.Fprintf(tw, "ARN:\t%s\n", cell(e.ARN))
	}
	if e.Account != "" {
		fmt.Fprintf(tw, "Account:\t%s\n", cell(e.Account))
	}
	fmt.Fprintf(tw, "First seen:\t%s\n", timeText(e.FirstSeen))
	fmt.Fprintf(tw, "Last seen:\t%s\n", timeText(e.LastSeen))
	if ip := e.IP; ip != nil {
		fmt.Fprintf(tw, "Address class:\t%s\n", orDash(cell(ip.Class)))
		if loc := placeText(ip.City, ip.Region, ip.Country); loc != "" {
			if ip.Latitude != nil && ip.Longitude != nil {
				loc += fmt.Sprintf("  (%.4f, %.4f)", *ip.Latitude, *ip.Longitude)
			}
			fmt.Fprintf(tw, "Location:\t%s\n", loc)
		}
		if ip.ASN != 0 {
			fmt.Fprintf(tw, "Network:\tAS%d %s\n", ip.ASN, text(ip.ASOrg))
		}
	}
	tw.Flush()
	if len(e.Facts) > 0 {
		fmt.Fprintln(p.w, "\nDetails:")
		tw := newTable(p.w)
		fmt.Fprintln(tw, "  NAME\tVALUE\tTIME\tEVENT")
		for _, f := range e.Facts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", cell(f.Name), cell(f.Value), timeText(f.Time), orDash(cell(f.EventID)))
		}
		tw.Flush()
	}
	fmt.Fprintf(p.w, "\nPanels: %s\n", strings.Join(e.Panels, ", "))
}

// panel prints one panel's answer. Panels this command does not know
// (a newer server) are printed as indented JSON.
func (p *printer) panel(id string, raw json.RawMessage) error {
	var err error
	switch id {
	case analysis.PanelFindings:
		err = decodeThen(raw, p.findings)
	case analysis.PanelAPICallVolume:
		err = decodeThen(raw, p.apiCallVolume)
	case analysis.PanelActivityDetails:
		err = decodeThen(raw, p.activity)
	case analysis.PanelNewGeolocations:
		err = decodeThen(raw, p.geolocations)
	case analysis.PanelInteraction:
		err = decodeThen(raw, p.interaction)
	case analysis.PanelNewAPICalls, analysis.PanelNewUserAgents, analysis.PanelNewASOs:
		err = decodeThen(raw, p.newly)
	case analysis.PanelVPCFlowVolume:
		err = decodeThen(raw, p.flows)
	case analysis.PanelIncreasedVolume:
		err = decodeThen(raw, p.increased)
	case "vpc-flow-details":
		err = decodeThen(raw, p.flowDetails)
	case "vpc-flow-service-ports":
		err = decodeThen(raw, p.servicePorts)
	default:
		var v any
		if err = json.Unmarshal(raw, &v); err == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(p.w, cellLines(string(b)))
		}
	}
	if err != nil {
		return err
	}
	p.truncation(raw)
	return nil
}

// truncation prints every top-level flag of the answer that says it is
// truncated (newGeolocationsTruncated, truncated...), so a shortened
// answer is never read as whole.
func (p *printer) truncation(raw json.RawMessage) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	var keys []string
	for k, v := range m {
		if strings.Contains(strings.ToLower(k), "truncated") && string(v) != "false" && string(v) != "null" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(p.w, "Truncated by the server: %s = %s\n", cell(k), cell(string(m[k])))
	}
}

func decodeThen[T any](raw json.RawMessage, print func(*T)) error {
	var v T
	if err := decodeAnswer(raw, &v); err != nil {
		return err
	}
	print(&v)
	return nil
}

func (p *printer) findings(a *client.AssociatedFindings) {
	if len(a.Findings) == 0 {
		fmt.Fprintln(p.w, "No findings observed in the scope.")
		return
	}
	n := p.limit(len(a.Findings))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "SEVERITY\tTITLE\tTYPE\tACCOUNT\tREGION\tFIRST OBSERVED\tLAST OBSERVED\tID")
	for _, f := range a.Findings[:n] {
		title := text(f.Title)
		if f.Archived {
			title += " (archived)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", severityText(f.Severity), title, cell(f.Type), cell(f.Account), cell(f.Region),
			timeText(f.FirstSeen), timeText(f.LastSeen), cell(f.ID))
	}
	tw.Flush()
	p.more("", n, len(a.Findings))
}

func severityText(s float64) string {
	band := "low"
	switch {
	case s >= 7:
		band = "high"
	case s >= 4:
		band = "medium"
	}
	return strconv.FormatFloat(s, 'f', -1, 64) + " " + band
}

func (p *printer) apiCallVolume(v *client.APICallVolume) {
	fmt.Fprintf(p.w, "Calls: %d successful, %d failed; baseline %s: %d successful, %d failed\n",
		v.Totals.Success, v.Totals.Failure, scopeText(v.Baseline.Start, v.Baseline.End), v.BaselineTotals.Success, v.BaselineTotals.Failure)
	succ := make([]float64, len(v.Buckets))
	fail := make([]float64, len(v.Buckets))
	var busy []analysis.VolumeBucket
	for i, b := range v.Buckets {
		succ[i], fail[i] = float64(b.Success), float64(b.Failure)
		if b.Success != 0 || b.Failure != 0 {
			busy = append(busy, b)
		}
	}
	p.series(v.BucketSeconds, []string{"success", "failure"}, [][]float64{succ, fail}, "calls")
	if len(busy) == 0 {
		return
	}
	n := p.limit(len(busy))
	tw := newTable(p.w)
	fmt.Fprintf(tw, "BUCKET (%s)\tSUCCESS\tFAILURE\tBASELINE SUCCESS\tBASELINE FAILURE\n", spanText(v.BucketSeconds))
	for _, b := range busy[:n] {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", timeText(b.Start), b.Success, b.Failure, avgText(b.BaselineSuccess), avgText(b.BaselineFailure))
	}
	tw.Flush()
	p.more("", n, len(busy))
	if quiet := len(v.Buckets) - len(busy); quiet > 0 {
		fmt.Fprintf(p.w, "%d of %d buckets without calls not listed\n", quiet, len(v.Buckets))
	}
}

// series prints one sparkline per series, on a common scale per line.
func (p *printer) series(bucket int64, names []string, values [][]float64, unit string) {
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for i, name := range names {
		line, peak := sparkline(values[i], sparkWidth)
		per := spanText(bucket)
		if g := groupSize(len(values[i]), sparkWidth); g > 1 {
			per = spanText(bucket * int64(g))
		}
		if peak == 1 {
			unit = strings.TrimSuffix(unit, "s")
		}
		fmt.Fprintf(p.w, "%-*s %s  max %s %s per %s\n", width, name, line, numText(peak), unit, per)
	}
}

// sparkWidth is the widest sparkline; longer series sum adjacent buckets.
const sparkWidth = 100

func groupSize(n, width int) int {
	if n <= width {
		return 1
	}
	return (n + width - 1) / width
}

// sparkline draws values with block characters, summing adjacent values
// when there are more than width; zero is the lowest block, and any
// non-zero value shows above it. It returns the line and its largest
// (summed) value.
func sparkline(values []float64, width int) (string, float64) {
	g := groupSize(len(values), width)
	var sums []float64
	for i := 0; i < len(values); i += g {
		var s float64
		for _, v := range values[i:min(i+g, len(values))] {
			s += v
		}
		sums = append(sums, s)
	}
	var peak float64
	for _, s := range sums {
		peak = math.Max(peak, s)
	}
	const blocks = "▁▂▃▄▅▆▇█"
	levels := []rune(blocks)
	var b strings.Builder
	for _, s := range sums {
		i := 0
		if s > 0 && peak > 0 {
			i = 1 + int(math.Round(s/peak*float64(len(levels)-2)))
		}
		b.WriteRune(levels[min(i, len(levels)-1)])
	}
	return b.String(), peak
}

func numText(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// avgText prints a baseline average per bucket.
func avgText(v float64) string {
	if v == 0 {
		return "0"
	}
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func (p *printer) activity(a *client.ActivityDetails) {
	window := ""
	if a.Window != a.Scope {
		window = " in " + scopeText(a.Window.Start, a.Window.End)
	}
	fmt.Fprintf(p.w, "Calls%s: %d successful, %d failed\n", window, a.Totals.Success, a.Totals.Failure)
	p.filters(a.Filters)
	caller := map[string]string{"principal": "principal", "session": "role session", "accessKey": "access key"}[a.CallerType]
	if caller == "" {
		caller = cell(a.CallerType)
	}
	levels := []struct {
		name string
		rows []*client.ActivityRow
		path []string
	}{
		{"By source IP address", a.ByIP, []string{"ADDRESS", "API", strings.ToUpper(caller)}},
		{"By API method", a.ByAPI, []string{"API", "ADDRESS", strings.ToUpper(caller)}},
		{"By " + caller, a.ByCaller, []string{strings.ToUpper(caller), "ADDRESS", "API"}},
	}
	for _, l := range levels {
		fmt.Fprintf(p.w, "\n%s:\n", l.name)
		if len(l.rows) == 0 {
			fmt.Fprintln(p.w, "  no calls")
			continue
		}
		tw := newTable(p.w)
		loc := hasLocation(l.rows, p.depth)
		header := "  " + strings.Join(l.path[:p.depth], " → ")
		if loc {
			header += "\tLOCATION"
		}
		fmt.Fprintln(tw, header+"\tSUCCESS\tFAILURE")
		p.activityRows(tw, l.rows, 1, loc)
		tw.Flush()
	}
}

func (p *printer) activityRows(tw io.Writer, rows []*client.ActivityRow, level int, loc bool) {
	indent := strings.Repeat("  ", level)
	n := p.limit(len(rows))
	for _, r := range rows[:n] {
		fmt.Fprintf(tw, "%s%s", indent, activityLabel(r))
		if loc {
			fmt.Fprintf(tw, "\t%s", locationText(r.Location))
		}
		fmt.Fprintf(tw, "\t%d\t%d\n", r.Success, r.Failure)
		if level < p.depth && len(r.Children) > 0 {
			p.activityRows(tw, r.Children, level+1, loc)
		}
	}
	if n < len(rows) {
		// Empty cells keep the line in the table's columns.
		fmt.Fprintf(tw, "%s… %d more (--rows 0 shows all)\t\t\t\n", indent, len(rows)-n)
	}
}

// hasLocation reports whether any row within depth levels carries a
// location, so that tables without addresses have no empty column.
func hasLocation(rows []*client.ActivityRow, depth int) bool {
	for _, r := range rows {
		if r.Location != nil || depth > 1 && hasLocation(r.Children, depth-1) {
			return true
		}
	}
	return false
}

// activityLabel names a row: its label, with the entity's id when the
// label is a name.
func activityLabel(r *client.ActivityRow) string {
	l := text(r.Label)
	if r.Entity != nil && r.Entity.ID != r.Label {
		l += " (" + cell(r.Entity.ID) + ")"
	}
	return l
}

// locationText prints an address's place and network, or its class when
// it has no place.
func locationText(ip *analysis.IPInfo) string {
	if ip == nil {
		return ""
	}
	s := placeText(ip.City, ip.Region, ip.Country)
	if s == "" {
		s = cell(ip.Class)
	}
	if ip.ASN != 0 {
		s += fmt.Sprintf(" AS%d", ip.ASN)
	}
	return strings.TrimSpace(s)
}

func placeText(city, region, country string) string {
	var parts []string
	for _, s := range []string{city, region, country} {
		if s != "" {
			parts = append(parts, cell(s))
		}
	}
	return strings.Join(parts, ", ")
}

func (p *printer) geolocations(g *client.NewGeolocations) {
	if len(g.Locations) == 0 {
		fmt.Fprintln(p.w, "No newly observed geolocations.")
	} else {
		n := p.limit(len(g.Locations))
		tw := newTable(p.w)
		fmt.Fprintln(tw, "LOCATION\tCOORDINATES\tSUCCESS\tFAILURE\tNEW FOR ACCOUNT\tADDRESSES")
		for _, l := range g.Locations[:n] {
			coords := "-"
			if l.Latitude != nil && l.Longitude != nil {
				coords = fmt.Sprintf("%.4f, %.4f", *l.Latitude, *l.Longitude)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", orDash(placeText(l.City, l.Region, l.Country)), coords, l.Success, l.Failure,
				yesNo(l.IsNewForEntireAccount), addressesText(l.Addresses))
		}
		tw.Flush()
		p.more("", n, len(g.Locations))
	}
	if g.Unlocated != (client.Counts{}) {
		fmt.Fprintf(p.w, "Calls from addresses without a known place: %d successful, %d failed\n", g.Unlocated.Success, g.Unlocated.Failure)
	}
}

// addressesText lists a place's addresses with their calls, the first
// few of them.
func addressesText(as []analysis.GeoAddress) string {
	const most = 3
	var parts []string
	for _, a := range as[:min(most, len(as))] {
		parts = append(parts, fmt.Sprintf("%s (%d)", cell(a.Entity.ID), a.Success+a.Failure))
	}
	s := strings.Join(parts, ", ")
	if len(as) > most {
		s += fmt.Sprintf(" and %d more", len(as)-most)
	}
	return orDash(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (p *printer) interaction(r *client.ResourceInteraction) {
	if len(r.Rows) == 0 {
		fmt.Fprintln(p.w, "No interactions in the scope.")
		return
	}
	n := p.limit(len(r.Rows))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "RELATION\tENTITY\tLABEL\tROLE\tSTARTED BY\tCALLS\tSTARTED\tBYTES\tFIRST SEEN\tLAST SEEN")
	for _, row := range r.Rows[:n] {
		label := row.Label
		if label == row.Entity.ID {
			label = ""
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", cell(row.Relation), refText(&row.Entity), text(label),
			refText(row.Role), refText(row.StartedBy), row.Calls, row.Started, row.Bytes, timeText(row.FirstSeen), timeText(row.LastSeen))
	}
	tw.Flush()
	p.more("", n, len(r.Rows))
}

// refText prints an entity link as TYPE/ID, the form profile takes.
func refText(r *analysis.Ref) string {
	if r == nil {
		return "-"
	}
	return cell(string(r.Type) + "/" + r.ID)
}

func (p *printer) newly(v *client.NewlyObserved) {
	what := map[string]string{"api": "API calls", "userAgent": "user agents", "asn": "autonomous systems"}[v.Kind]
	if what == "" {
		what = cell(v.Kind)
	}
	if len(v.Items) == 0 {
		fmt.Fprintf(p.w, "No newly observed %s (baseline %s).\n", what, scopeText(v.Baseline.Start, v.Baseline.End))
		return
	}
	if len(v.Items) == 1 {
		what = strings.TrimSuffix(what, "s")
	}
	fmt.Fprintf(p.w, "%d newly observed %s, not seen in the baseline %s; their calls: %d successful, %d failed\n",
		len(v.Items), what, scopeText(v.Baseline.Start, v.Baseline.End), v.Totals.Success, v.Totals.Failure)
	n := p.limit(len(v.Items))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "NAME\tSUCCESS\tFAILURE\tNEW FOR ACCOUNT")
	for _, it := range v.Items[:n] {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", text(it.Label), it.Success, it.Failure, yesNo(it.IsNewForEntireAccount))
	}
	tw.Flush()
	p.more("", n, len(v.Items))
}

func (p *printer) flows(v *client.VPCFlowVolume) {
	window := ""
	if v.Window != v.Scope {
		window = " in the hours the scope touches, " + scopeText(v.Window.Start, v.Window.End)
	}
	fmt.Fprintf(p.w, "Bytes%s: %s inbound, %s outbound\n", window, bytesText(v.Totals.Inbound), bytesText(v.Totals.Outbound))
	in := make([]float64, len(v.Buckets))
	out := make([]float64, len(v.Buckets))
	busy := 0
	for i, b := range v.Buckets {
		in[i], out[i] = float64(b.Inbound), float64(b.Outbound)
		if b.Inbound != 0 || b.Outbound != 0 {
			busy++
		}
	}
	p.series(v.BucketSeconds, []string{"inbound", "outbound"}, [][]float64{in, out}, "bytes")
	if busy > 0 {
		n := p.limit(busy)
		tw := newTable(p.w)
		fmt.Fprintf(tw, "BUCKET (%s)\tINBOUND\tOUTBOUND\tBASELINE INBOUND\tBASELINE OUTBOUND\n", spanText(v.BucketSeconds))
		shown := 0
		for _, b := range v.Buckets {
			if (b.Inbound == 0 && b.Outbound == 0) || shown == n {
				continue
			}
			shown++
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", timeText(b.Start), b.Inbound, b.Outbound, avgText(b.BaselineInbound), avgText(b.BaselineOutbound))
		}
		tw.Flush()
		p.more("", n, busy)
	}
	if len(v.Rows) == 0 {
		fmt.Fprintln(p.w, "No flows in the scope.")
		return
	}
	fmt.Fprintln(p.w, "\nFlows:")
	n := p.limit(len(v.Rows))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "  PEER\tPORT\tPROTOCOL\tDIRECTION\tACTION\tBYTES\tPACKETS\tRECORDS\tFIRST SEEN\tLAST SEEN")
	for _, r := range v.Rows[:n] {
		peer := text(r.PeerLabel)
		if r.Peer != nil {
			peer = refText(r.Peer)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", peer, r.Port, protocolText(r.Protocol), cell(r.Direction), cell(r.Action),
			r.Bytes, r.Packets, r.Records, timeText(r.FirstSeen), timeText(r.LastSeen))
	}
	tw.Flush()
	p.more("  ", n, len(v.Rows))
}

func protocolText(n int64) string {
	switch n {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 58:
		return "icmpv6"
	}
	return strconv.FormatInt(n, 10)
}

// bytesText prints a byte count exactly, with its size in units after it
// when it is large.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n), ""
	for _, s := range []string{"KiB", "MiB", "GiB", "TiB", "PiB"} {
		v /= unit
		u = s
		if v < unit {
			break
		}
	}
	return fmt.Sprintf("%d B (%.1f %s)", n, v, u)
}

func (p *printer) increased(v *client.IncreasedVolume) {
	fmt.Fprintf(p.w, "Statistic %s, threshold %s; baseline %s\n", cell(v.Statistic), numText(v.Threshold), scopeText(v.Baseline.Start, v.Baseline.End))
	if len(v.APIs) == 0 {
		fmt.Fprintln(p.w, "No API calls with increased volume.")
		return
	}
	n := p.limit(len(v.APIs))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "API\tCALLS\tSUCCESS\tFAILURE\tBASELINE CALLS\tEXPECTED\tSCORE")
	for _, a := range v.APIs[:n] {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", text(a.Label), a.Calls, a.Success, a.Failure, a.BaselineCalls,
			strconv.FormatFloat(a.Expected, 'f', 2, 64), strconv.FormatFloat(a.Score, 'f', 2, 64))
	}
	tw.Flush()
	p.more("", n, len(v.APIs))
}

// flowDetailsAnswer holds the fields of the vpc-flow-details answer this
// command prints (see docs/api.md).
type flowDetailsAnswer struct {
	Scope   analysis.ScopeJSON `json:"scope"`
	Window  analysis.ScopeJSON `json:"window"`
	Filters map[string]string  `json:"filters"`
	Totals  struct {
		InboundBytes  int64 `json:"inboundBytes"`
		OutboundBytes int64 `json:"outboundBytes"`
		Accepted      int64 `json:"accepted"`
		Rejected      int64 `json:"rejected"`
		Records       int64 `json:"records"`
	} `json:"totals"`
	Rows []struct {
		Peer          *analysis.Ref `json:"peer"`
		PeerLabel     string        `json:"peerLabel"`
		LocalPort     int64         `json:"localPort"`
		RemotePort    int64         `json:"remotePort"`
		Protocol      int64         `json:"protocol"`
		Direction     string        `json:"direction"`
		InboundBytes  int64         `json:"inboundBytes"`
		OutboundBytes int64         `json:"outboundBytes"`
		Accepted      int64         `json:"accepted"`
		Rejected      int64         `json:"rejected"`
		FirstSeen     int64         `json:"firstSeen"`
		LastSeen      int64         `json:"lastSeen"`
	} `json:"rows"`
	TotalRows int   `json:"totalRows"`
	NoData    int64 `json:"noDataRecords"`
}

func (p *printer) flowDetails(v *flowDetailsAnswer) {
	window := ""
	if v.Window != v.Scope {
		window = " in the hours the scope touches, " + scopeText(v.Window.Start, v.Window.End)
	}
	fmt.Fprintf(p.w, "Records%s: %d (%d accepted, %d rejected); bytes %s inbound, %s outbound\n", window, v.Totals.Records,
		v.Totals.Accepted, v.Totals.Rejected, bytesText(v.Totals.InboundBytes), bytesText(v.Totals.OutboundBytes))
	p.filters(v.Filters)
	if v.NoData > 0 {
		fmt.Fprintf(p.w, "Records without traffic (NODATA, SKIPDATA): %d\n", v.NoData)
	}
	if len(v.Rows) == 0 {
		fmt.Fprintln(p.w, "No flows in the scope.")
		return
	}
	n := p.limit(len(v.Rows))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "PEER\tLOCAL PORT\tREMOTE PORT\tPROTOCOL\tDIRECTION\tIN BYTES\tOUT BYTES\tACCEPTED\tREJECTED\tFIRST SEEN\tLAST SEEN")
	for _, r := range v.Rows[:n] {
		peer := text(r.PeerLabel)
		if r.Peer != nil {
			peer = refText(r.Peer)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", peer, r.LocalPort, r.RemotePort, protocolText(r.Protocol), cell(r.Direction),
			r.InboundBytes, r.OutboundBytes, r.Accepted, r.Rejected, timeText(r.FirstSeen), timeText(r.LastSeen))
	}
	tw.Flush()
	p.more("", n, len(v.Rows))
	if v.TotalRows > len(v.Rows) {
		fmt.Fprintf(p.w, "The server listed %d of %d rows; narrow the scope or filter (--param) for the others.\n", len(v.Rows), v.TotalRows)
	}
}

// servicePortsAnswer holds the fields of the vpc-flow-service-ports
// answer this command prints.
type servicePortsAnswer struct {
	Baseline      analysis.ScopeJSON `json:"baseline"`
	BucketSeconds int64              `json:"bucketSeconds"`
	Ports         []servicePort      `json:"ports"`
	Other         servicePort        `json:"other"`
}

type servicePort struct {
	Port                    int64   `json:"port"`
	Service                 string  `json:"service"`
	Inbound                 int64   `json:"inbound"`
	Outbound                int64   `json:"outbound"`
	AverageInbound          float64 `json:"averageInbound"`
	AverageOutbound         float64 `json:"averageOutbound"`
	BaselineAverageInbound  float64 `json:"baselineAverageInbound"`
	BaselineAverageOutbound float64 `json:"baselineAverageOutbound"`
}

func (p *printer) servicePorts(v *servicePortsAnswer) {
	fmt.Fprintf(p.w, "Average bytes per %s bucket, in the scope and in the baseline %s\n", spanText(v.BucketSeconds), scopeText(v.Baseline.Start, v.Baseline.End))
	tw := newTable(p.w)
	fmt.Fprintln(tw, "PORT\tSERVICE\tIN BYTES\tOUT BYTES\tAVG IN\tAVG OUT\tBASELINE AVG IN\tBASELINE AVG OUT")
	row := func(port string, sp servicePort) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", port, orDash(cell(sp.Service)), sp.Inbound, sp.Outbound,
			avgText(sp.AverageInbound), avgText(sp.AverageOutbound), avgText(sp.BaselineAverageInbound), avgText(sp.BaselineAverageOutbound))
	}
	for _, sp := range v.Ports {
		row(strconv.FormatInt(sp.Port, 10), sp)
	}
	row("other", v.Other)
	tw.Flush()
}

// filters prints the filters an answer echoes.
func (p *printer) filters(f map[string]string) {
	if len(f) == 0 {
		return
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, cell(k)+"="+cell(f[k]))
	}
	fmt.Fprintf(p.w, "Filters: %s\n", strings.Join(parts, " "))
}

// cellLines is cell for multi-line text: newlines are kept, everything
// else is escaped.
func cellLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = cell(l)
	}
	return strings.Join(lines, "\n")
}
