package synth

import (
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// Config describes the organization and the span to generate. The zero
// value of every field except Start has a sensible default; see Defaults.
type Config struct {
	// Seed makes the output reproducible: the same configuration and seed
	// produce the same bytes.
	Seed int64
	// Accounts is the number of AWS accounts in the organization, at least
	// 3 (management, security, prod); 8 by default (adding dev, staging,
	// shared-services, data and sandbox).
	Accounts int
	// Days is the number of days to generate, at least 1; 7 by default.
	Days int
	// Start is the first day, a UTC midnight. The default is the midnight
	// Days days before today.
	Start time.Time
	// EventsPerDay is the number of CloudTrail events per day across the
	// organization, averaged over a week (people and CI work on weekdays);
	// see ParseScale. 100,000 by default.
	EventsPerDay int
	// FlowsPerDay is the number of VPC flow log records per day across the
	// organization; twice EventsPerDay by default.
	FlowsPerDay int
	// Scenarios are the attacks to hide in the span.
	Scenarios []Scenario
	// OrgID is the AWS Organizations id ("o-" and 10 to 32 lowercase
	// letters or digits); drawn from the seed when empty.
	OrgID string
	// Workers bounds the number of files generated in parallel; the
	// number of CPUs by default.
	Workers int
	// FirstDay and LastDay, when set, write only days FirstDay to LastDay
	// (counted from 1, inclusive) of the span. The span is planned as a
	// whole either way, so the days written are byte for byte those a run
	// over the whole span writes: a big corpus can be generated, ingested
	// and deleted a part at a time. The truth then covers those days.
	FirstDay, LastDay int
}

// Scenario is one attack to stage. A zero At places it automatically in
// the last third of the span.
type Scenario struct {
	// Name is one of ScenarioNames.
	Name string
	// At is when the attack starts.
	At time.Time
}

// Scale presets, in CloudTrail events per day (weekly averages).
const (
	// ScaleSmall is for demos and tests: a few hundred thousand events in a
	// few days.
	ScaleSmall = 100_000
	// ScaleMedium is a mid-sized organization.
	ScaleMedium = 1_000_000
	// ScaleLarge is for benchmarks: over 100 million events in 30 days.
	ScaleLarge = 3_500_000
)

// ParseScale turns "small", "medium", "large" or a number of events per
// day into events per day.
func ParseScale(s string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "small":
		return ScaleSmall, nil
	case "medium":
		return ScaleMedium, nil
	case "large":
		return ScaleLarge, nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	if err != nil || n < 1000 || n > 100_000_000 {
		return 0, trailhound.Errorf(trailhound.EINVALID, "scale %q: want small, medium, large or a number of events per day between 1000 and 100000000", s)
	}
	return n, nil
}

// ScenarioNames lists the attack scenarios the generator knows, in the
// order "all" stages them.
func ScenarioNames() []string {
	out := make([]string, len(scenarioDefs))
	for i, d := range scenarioDefs {
		out[i] = d.name
	}
	return out
}

// AllScenarios returns every scenario, each at the time the generator
// picks, as --scenarios all does.
func AllScenarios() []Scenario {
	out := make([]Scenario, 0, len(ScenarioNames()))
	for _, n := range ScenarioNames() {
		out = append(out, Scenario{Name: n})
	}
	return out
}

// ParseScenarios parses a comma-separated list of scenario names, each
// optionally followed by "@" and a time (RFC 3339, or a shorter form such as
// 2026-01-05T10:00Z or 2026-01-05), or the word "all". An empty string
// means no scenarios.
func ParseScenarios(s string) ([]Scenario, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []Scenario
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, at, hasAt := strings.Cut(part, "@")
		name = strings.TrimSpace(name)
		var when time.Time
		if hasAt {
			t, err := parseWhen(strings.TrimSpace(at))
			if err != nil {
				return nil, trailhound.Errorf(trailhound.EINVALID, "scenario %q: time %q: want RFC 3339 such as 2026-01-05T10:00:00Z", name, at)
			}
			when = t
		}
		if name == "all" {
			if hasAt {
				return nil, trailhound.Errorf(trailhound.EINVALID, "scenarios: \"all\" cannot take a time")
			}
			for _, n := range ScenarioNames() {
				if !seen[n] {
					seen[n] = true
					out = append(out, Scenario{Name: n})
				}
			}
			continue
		}
		if scenarioByName(name) == nil {
			return nil, trailhound.Errorf(trailhound.EINVALID, "unknown scenario %q (known: %s, or all)", name, strings.Join(ScenarioNames(), ", "))
		}
		if seen[name] {
			return nil, trailhound.Errorf(trailhound.EINVALID, "scenario %q listed twice", name)
		}
		seen[name] = true
		out = append(out, Scenario{Name: name, At: when})
	}
	return out, nil
}

func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, trailhound.Errorf(trailhound.EINVALID, "bad time %q", s)
}

// withDefaults fills zero fields and validates the configuration.
func (c Config) withDefaults(now time.Time) (Config, error) {
	if c.Accounts == 0 {
		c.Accounts = 8
	}
	if c.Days == 0 {
		c.Days = 7
	}
	if c.EventsPerDay == 0 {
		c.EventsPerDay = ScaleSmall
	}
	if c.FlowsPerDay == 0 {
		c.FlowsPerDay = 2 * c.EventsPerDay
	}
	if c.Start.IsZero() {
		d := now.UTC().Truncate(24 * time.Hour)
		c.Start = d.AddDate(0, 0, -c.Days)
	}
	c.Start = c.Start.UTC()
	switch {
	case c.Accounts < 3 || c.Accounts > 200:
		return c, trailhound.Errorf(trailhound.EINVALID, "accounts: %d: want 3 to 200", c.Accounts)
	case c.Days < 1 || c.Days > 400:
		return c, trailhound.Errorf(trailhound.EINVALID, "days: %d: want 1 to 400", c.Days)
	case c.EventsPerDay < 1000 || c.EventsPerDay > 100_000_000:
		return c, trailhound.Errorf(trailhound.EINVALID, "events per day: %d: want 1000 to 100000000", c.EventsPerDay)
	case c.FlowsPerDay < 0:
		return c, trailhound.Errorf(trailhound.EINVALID, "flows per day: %d: want at least 0", c.FlowsPerDay)
	case !c.Start.Equal(c.Start.Truncate(24 * time.Hour)):
		return c, trailhound.Errorf(trailhound.EINVALID, "start %s: want a UTC midnight", c.Start.Format(time.RFC3339))
	}
	if (c.FirstDay != 0 || c.LastDay != 0) && (c.FirstDay < 1 || c.LastDay < c.FirstDay || c.LastDay > c.Days) {
		return c, trailhound.Errorf(trailhound.EINVALID, "days %d to %d: want 1 <= first <= last <= %d", c.FirstDay, c.LastDay, c.Days)
	}
	if c.OrgID != "" && !validOrgID(c.OrgID) {
		return c, trailhound.Errorf(trailhound.EINVALID, "organization id %q: want o- and 10 to 32 lowercase letters or digits", c.OrgID)
	}
	end := c.Start.AddDate(0, 0, c.Days)
	seen := map[string]bool{}
	for _, s := range c.Scenarios {
		d := scenarioByName(s.Name)
		if d == nil {
			return c, trailhound.Errorf(trailhound.EINVALID, "unknown scenario %q", s.Name)
		}
		if seen[s.Name] {
			return c, trailhound.Errorf(trailhound.EINVALID, "scenario %q listed twice", s.Name)
		}
		seen[s.Name] = true
		if !s.At.IsZero() && (s.At.Before(c.Start) || s.At.Add(d.dur).After(end)) {
			return c, trailhound.Errorf(trailhound.EINVALID, "scenario %s at %s: needs %s inside %s..%s",
				s.Name, s.At.UTC().Format(time.RFC3339), d.dur, c.Start.Format(time.RFC3339), end.Format(time.RFC3339))
		}
	}
	return c, nil
}

func validOrgID(s string) bool {
	if !strings.HasPrefix(s, "o-") || len(s) < 12 || len(s) > 34 {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
