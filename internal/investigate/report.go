package investigate

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// Report formats.
const (
	FormatJSON     = "json"
	FormatHTML     = "html"
	FormatMarkdown = "md"
)

// ReportOptions tunes a report.
type ReportOptions struct {
	// ConsoleURL prefixes the links to profiles ("https://trailhound.example");
	// empty keeps them relative to the console's root, as the API serves
	// them.
	ConsoleURL string
	// GeneratedAt is printed in the report; zero prints nothing, which
	// keeps reports reproducible.
	GeneratedAt time.Time
}

// ContentType returns the media type of a report format, or "" for an
// unknown format.
func ContentType(format string) string {
	switch format {
	case FormatJSON:
		return "application/json; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	}
	return ""
}

// WriteReport renders an investigation in a format: json (the
// investigation as the API returns it), html (a self-contained page: inline
// styles, no script, no external resource, every value escaped) or md
// (Markdown with every log-derived value escaped, so that a crafted user
// agent cannot inject markup or links into a ticket).
func WriteReport(w io.Writer, inv *Investigation, format string, opts ReportOptions) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(inv)
	case FormatHTML:
		return reportTemplate.Execute(w, newReportView(visibleInvestigation(inv), opts))
	case FormatMarkdown:
		return writeMarkdown(w, newReportView(visibleInvestigation(inv), opts))
	}
	return trailhound.Errorf(trailhound.EINVALID, "report format %q must be json, html or md", format)
}

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"lower": func(s Severity) string { return strings.ToLower(string(s)) },
}).Parse(reportHTML))

// visible replaces control characters, escape sequences included, so
// that no report carries them, whatever a log held.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// visibleInvestigation returns a copy of the investigation whose texts
// hold no control characters.
func visibleInvestigation(inv *Investigation) *Investigation {
	c := *inv
	c.Label, c.ARN, c.Summary = visible(c.Label), visible(c.ARN), visible(c.Summary)
	each := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = visible(s)
		}
		return out
	}
	c.SeverityReasons, c.NextSteps, c.Notes = each(c.SeverityReasons), each(c.NextSteps), each(c.Notes)
	c.Indicators = make([]Indicator, len(inv.Indicators))
	for i, in := range inv.Indicators {
		in.SeverityReason, in.UserAgent, in.Title, in.Reason, in.Procedure = visible(in.SeverityReason), visible(in.UserAgent), visible(in.Title),
			visible(in.Reason), visible(in.Procedure)
		c.Indicators[i] = in
	}
	c.Addresses = make([]AddressSummary, len(inv.Addresses))
	for i, a := range inv.Addresses {
		a.Why = each(a.Why)
		c.Addresses[i] = a
	}
	return &c
}

// reportView is what the HTML and Markdown reports show, prepared so that
// the templates only print.
type reportView struct {
	Inv         *Investigation
	Title       string
	Entity      string
	Profile     string
	ScopeText   string
	Baseline    string
	Generated   string
	Tactics     []TacticSummary
	Sections    []indicatorSection
	Addresses   []addressView
	Involved    []involvedView
	NextSteps   []string
	Notes       []string
	Reasons     []string
	Severity    Severity
	IsFinished  bool
	StatusLine  string
	TotalByType []string
}

type indicatorSection struct {
	Type       IndicatorType
	Title      string
	Indicators []indicatorView
}

type indicatorView struct {
	Severity Severity
	Headline string
	Fields   []field
	Reason   string
	Links    []link
}

type field struct{ Name, Value string }

type link struct{ Text, URL string }

type addressView struct {
	AddressSummary
	Place   string
	Network string
	Why     string
	URL     string
}

type involvedView struct {
	Involved
	URL string
}

func newReportView(inv *Investigation, opts ReportOptions) *reportView {
	v := &reportView{Inv: inv, Severity: inv.Severity, Reasons: inv.SeverityReasons, NextSteps: inv.NextSteps, Notes: inv.Notes,
		Tactics: inv.Tactics, IsFinished: inv.Status == Successful}
	name := inv.Entity.ID
	if inv.Label != "" && inv.Label != inv.Entity.ID {
		name = inv.Label + " (" + inv.Entity.ID + ")"
	}
	v.Entity = string(inv.Entity.Type) + " " + name
	v.Title = "Investigation of " + v.Entity
	profile := func(r Ref) string { return opts.ConsoleURL + ProfilePath(r, inv.Scope) }
	v.Profile = profile(inv.Entity)
	v.ScopeText = fmt.Sprintf("%s to %s (%s)", isoTime(inv.Scope.Start), isoTime(inv.Scope.End), humanDuration(secondsDuration(inv.Scope.End-inv.Scope.Start)))
	v.Baseline = fmt.Sprintf("%s to %s", isoTime(inv.Baseline.Start), isoTime(inv.Baseline.End))
	if !opts.GeneratedAt.IsZero() {
		v.Generated = opts.GeneratedAt.UTC().Format(time.RFC3339)
	}
	v.StatusLine = string(inv.Status) + ", " + string(inv.State)
	if inv.Error != "" {
		v.StatusLine += ": " + inv.Error
	}
	for _, t := range IndicatorTypes {
		var sec indicatorSection
		for _, in := range inv.Indicators {
			if in.Type == t {
				sec.Indicators = append(sec.Indicators, indicatorViewOf(in, profile))
			}
		}
		if len(sec.Indicators) > 0 {
			sec.Type, sec.Title = t, t.Title()
			v.Sections = append(v.Sections, sec)
			v.TotalByType = append(v.TotalByType, fmt.Sprintf("%d %s", len(sec.Indicators), strings.ToLower(sec.Title)))
		}
	}
	for _, a := range inv.Addresses {
		av := addressView{AddressSummary: a, Why: strings.Join(a.Why, "; ")}
		if a.Location != nil {
			av.Place = a.Location.String()
		}
		if a.ASN != 0 {
			av.Network = fmt.Sprintf("AS%d %s", a.ASN, a.ASO)
		}
		if a.Class != "service" {
			av.URL = profile(Ref{Type: trailhound.IPAddress, ID: a.IP})
		}
		v.Addresses = append(v.Addresses, av)
	}
	for _, e := range inv.Involved {
		e.Label = visible(e.Label)
		v.Involved = append(v.Involved, involvedView{Involved: e, URL: profile(e.Entity)})
	}
	return v
}

func indicatorViewOf(in Indicator, profile func(Ref) string) indicatorView {
	v := indicatorView{Severity: in.Severity, Reason: in.SeverityReason}
	add := func(name, value string) {
		if value != "" {
			v.Fields = append(v.Fields, field{name, visible(value)})
		}
	}
	count := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	switch in.Type {
	case TTPObserved:
		v.Headline = fmt.Sprintf("%s — %s %s", in.Tactic, in.TechniqueID, in.Technique)
		add("Procedure", in.Procedure)
		add("API", in.APIName)
		add("IP address", in.IPAddress)
		add("Successful calls", count(in.APISuccessCount))
		add("Failed calls", count(in.APIFailureCount))
		if in.Count > 0 {
			add("Flow records", strconv.FormatInt(in.Count, 10))
		}
	case ImpossibleTravel:
		v.Headline = fmt.Sprintf("%s → %s", in.StartingLocation.String(), in.EndingLocation.String())
		add("Starting IP address", in.StartingIPAddress)
		add("Ending IP address", in.EndingIPAddress)
		add("Hours between", strconv.FormatFloat(*in.HourlyTimeDelta, 'f', 2, 64))
		add("Distance (km)", strconv.FormatFloat(*in.DistanceKm, 'f', 0, 64))
		add("Speed (km/h)", strconv.FormatFloat(*in.SpeedKmh, 'f', 0, 64))
	case FlaggedIPAddress:
		v.Headline = in.IPAddress
		add("Reason", in.Reason)
		add("List", in.ListSource)
		add("Successful calls", count(in.APISuccessCount))
		add("Failed calls", count(in.APIFailureCount))
		if in.Count > 0 {
			add("Flow records", strconv.FormatInt(in.Count, 10))
		}
	case NewGeolocation:
		v.Headline = in.Location.String()
		add("IP address", in.IPAddress)
	case NewASO:
		v.Headline = fmt.Sprintf("%s (AS%d)", in.ASO, in.ASN)
		add("IP address", in.IPAddress)
	case NewUserAgent:
		v.Headline = in.UserAgent
		add("IP address", in.IPAddress)
	case RelatedFinding:
		v.Headline = in.FindingType
		add("Title", in.Title)
		add("Finding", in.FindingID)
		add("ARN", in.Arn)
		add("IP address", in.IPAddress)
		if in.FindingSeverity != nil {
			add("GuardDuty severity", strconv.FormatFloat(*in.FindingSeverity, 'f', 1, 64))
		}
		if in.Tactic != "" {
			add("ATT&CK", fmt.Sprintf("%s — %s %s", in.Tactic, in.TechniqueID, in.Technique))
		}
	case RelatedFindingGroup:
		v.Headline = in.Title
		add("Group", in.GroupID)
	}
	if in.IsNewForEntireAccount != nil {
		add("New for the entire account", strconv.FormatBool(*in.IsNewForEntireAccount))
	}
	if in.Principal != nil {
		add("Principal", string(in.Principal.Type)+" "+in.Principal.ID)
		v.Links = append(v.Links, link{Text: in.Principal.ID, URL: profile(*in.Principal)})
	}
	if in.FirstSeen != 0 {
		add("First seen", isoTime(in.FirstSeen))
	}
	if in.LastSeen != 0 && in.LastSeen != in.FirstSeen {
		add("Last seen", isoTime(in.LastSeen))
	}
	v.Headline = visible(v.Headline)
	for i := range v.Links {
		v.Links[i].Text = visible(v.Links[i].Text)
	}
	for _, e := range in.Entities {
		if e.Type == trailhound.FindingGroup {
			v.Links = append(v.Links, link{Text: "Finding group " + e.ID, URL: "/groups/" + escapeSegment(e.ID)})
			continue
		}
		if e.Type == trailhound.FindingEntity {
			v.Links = append(v.Links, link{Text: "Finding " + e.ID, URL: "/findings/" + escapeSegment(e.ID)})
			continue
		}
		v.Links = append(v.Links, link{Text: visible(string(e.Type) + " " + e.ID), URL: profile(e)})
	}
	return v
}

// writeMarkdown renders the Markdown report. Every value that came from
// logs goes through md, which escapes Markdown and HTML syntax.
func writeMarkdown(w io.Writer, v *reportView) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s\n\n", md(v.Title))
	p("| | |\n|---|---|\n")
	p("| Severity | **%s** |\n", md(string(v.Severity)))
	p("| Entity | [%s](%s) |\n", md(v.Entity), mdURL(v.Profile))
	if v.Inv.ARN != "" {
		p("| ARN | %s |\n", md(v.Inv.ARN))
	}
	if v.Inv.Account != "" {
		p("| Account | %s |\n", md(v.Inv.Account))
	}
	p("| Scope | %s |\n", md(v.ScopeText))
	p("| Baseline | %s |\n", md(v.Baseline))
	p("| Status | %s |\n", md(v.StatusLine))
	p("| Investigation | %s |\n", md(v.Inv.ID))
	if v.Generated != "" {
		p("| Generated | %s |\n", md(v.Generated))
	}
	p("\n## Overview\n\n%s\n\n", md(v.Inv.Summary))
	if len(v.Reasons) > 0 {
		p("Why %s:\n\n", md(string(v.Severity)))
		for _, r := range v.Reasons {
			p("- %s\n", md(r))
		}
		p("\n")
	}
	if len(v.Tactics) > 0 {
		p("## TTP mapping (MITRE ATT&CK)\n\n| Tactic | Technique | Severity | Procedures |\n|---|---|---|---|\n")
		for _, t := range v.Tactics {
			for _, tech := range t.Techniques {
				p("| %s | %s %s | %s | %s |\n", md(t.Tactic), md(tech.TechniqueID), md(tech.Technique), md(string(tech.Severity)),
					md(listSome(tech.Procedures, 8)))
			}
		}
		p("\n")
	}
	if len(v.NextSteps) > 0 {
		p("## Recommended next steps\n\n")
		for i, s := range v.NextSteps {
			p("%d. %s\n", i+1, md(s))
		}
		p("\n")
	}
	p("## Indicators\n\n")
	if len(v.Sections) == 0 {
		p("No indicator.\n\n")
	}
	for _, sec := range v.Sections {
		p("### %s (%d)\n\n", md(sec.Title), len(sec.Indicators))
		for _, in := range sec.Indicators {
			p("- **%s** %s\n", md(string(in.Severity)), md(in.Headline))
			for _, f := range in.Fields {
				p("  - %s: %s\n", md(f.Name), md(f.Value))
			}
			p("  - Why: %s\n", md(in.Reason))
			if len(in.Links) > 0 {
				var links []string
				for _, l := range in.Links {
					links = append(links, fmt.Sprintf("[%s](%s)", md(l.Text), mdURL(l.URL)))
				}
				p("  - Open: %s\n", strings.Join(links, ", "))
			}
		}
		p("\n")
	}
	if len(v.Addresses) > 0 {
		p("## Source addresses\n\n| Address | Place | Network | Calls (ok/failed) | Familiarity | Why |\n|---|---|---|---|---|---|\n")
		for _, a := range v.Addresses {
			addr := md(a.IP)
			if a.URL != "" {
				addr = fmt.Sprintf("[%s](%s)", addr, mdURL(a.URL))
			}
			p("| %s | %s | %s | %d/%d | %s | %s |\n", addr, md(a.Place), md(a.Network), a.Success, a.Failure, md(a.Familiarity), md(a.Why))
		}
		p("\n")
	}
	if len(v.Involved) > 0 {
		p("## Entities examined\n\n| Entity | Role | Account | Calls |\n|---|---|---|---|\n")
		for _, e := range v.Involved {
			name := string(e.Entity.Type) + " " + e.Entity.ID
			if e.Label != "" && e.Label != e.Entity.ID {
				name += " (" + e.Label + ")"
			}
			p("| [%s](%s) | %s | %s | %d |\n", md(name), mdURL(e.URL), md(e.Role), md(e.Account), e.Calls)
		}
		p("\n")
	}
	if len(v.Notes) > 0 {
		p("## Notes\n\n")
		for _, n := range v.Notes {
			p("- %s\n", md(n))
		}
		p("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// md escapes text for Markdown: every ASCII punctuation character that
// Markdown or its HTML pass-through gives meaning to is backslash-escaped,
// < and & become entities, and line breaks become spaces so that a value
// stays inside its list item or table cell.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~', '>', '"', '\'', ':', '=', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdURL makes a link target safe inside Markdown's (...): the paths are
// built with escapeSegment already; parentheses, spaces and angle
// brackets that a console URL might hold are percent-encoded.
func mdURL(u string) string {
	r := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "\\", "%5C", "\n", "", "\r", "")
	return r.Replace(u)
}
