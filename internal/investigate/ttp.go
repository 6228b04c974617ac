package investigate

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ttpData is the maintained mapping of AWS activity to MITRE ATT&CK; see
// the comment at its top for the format.
//
//go:embed ttp.tsv
var ttpData string

// Tactic is a MITRE ATT&CK Enterprise tactic.
type Tactic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tactics lists the ATT&CK Enterprise tactics in kill-chain order, the
// order reports present them in.
var Tactics = []Tactic{
	{"TA0043", "Reconnaissance"},
	{"TA0042", "Resource Development"},
	{"TA0001", "Initial Access"},
	{"TA0002", "Execution"},
	{"TA0003", "Persistence"},
	{"TA0004", "Privilege Escalation"},
	{"TA0005", "Defense Evasion"},
	{"TA0006", "Credential Access"},
	{"TA0007", "Discovery"},
	{"TA0008", "Lateral Movement"},
	{"TA0009", "Collection"},
	{"TA0011", "Command and Control"},
	{"TA0010", "Exfiltration"},
	{"TA0040", "Impact"},
}

// tacticRank orders tactic names along the kill chain.
var tacticRank = func() map[string]int {
	m := map[string]int{}
	for i, t := range Tactics {
		m[t.Name] = i
	}
	return m
}()

// Mapping is one line of the ATT&CK mapping: an API, a derived behavior or
// a GuardDuty finding type and the tactic and technique it stands for.
type Mapping struct {
	Kind        string `json:"kind"` // api, behavior or finding
	Key         string `json:"key"`
	TacticID    string `json:"tacticId"`
	Tactic      string `json:"tactic"`
	TechniqueID string `json:"techniqueId"`
	Technique   string `json:"technique"`
	Procedure   string `json:"procedure"`
}

// Mapping kinds.
const (
	kindAPI      = "api"
	kindBehavior = "behavior"
	kindFinding  = "finding"
)

// TTPTable is the parsed mapping.
type TTPTable struct {
	all      []Mapping
	api      map[string][]Mapping
	behavior map[string][]Mapping
	finding  map[string][]Mapping
	prefixes []string // finding keys, longest first
}

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// ParseTTPTable reads a mapping in the ttp.tsv format, reporting the line
// of the first problem.
func ParseTTPTable(data string) (*TTPTable, error) {
	t := &TTPTable{api: map[string][]Mapping{}, behavior: map[string][]Mapping{}, finding: map[string][]Mapping{}}
	ids := map[string]string{}
	for _, tc := range Tactics {
		ids[tc.Name] = tc.ID
	}
	seen := map[Mapping]bool{}
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("ttp table: line %d: want 6 tab-separated fields, have %d", n+1, len(f))
		}
		m := Mapping{Kind: f[0], Key: f[1], TechniqueID: f[2], Technique: f[3], Tactic: f[4], Procedure: f[5]}
		m.TacticID = ids[m.Tactic]
		switch {
		case m.Kind != kindAPI && m.Kind != kindBehavior && m.Kind != kindFinding:
			return nil, fmt.Errorf("ttp table: line %d: unknown kind %q", n+1, m.Kind)
		case m.Key == "":
			return nil, fmt.Errorf("ttp table: line %d: empty key", n+1)
		case m.Kind == kindAPI && !strings.Contains(m.Key, ".amazonaws.com:"):
			return nil, fmt.Errorf("ttp table: line %d: API %q must be <eventSource>:<eventName>", n+1, m.Key)
		case !techniqueID.MatchString(m.TechniqueID):
			return nil, fmt.Errorf("ttp table: line %d: bad technique id %q", n+1, m.TechniqueID)
		case m.Technique == "" || m.Procedure == "":
			return nil, fmt.Errorf("ttp table: line %d: empty technique name or procedure", n+1)
		case m.TacticID == "":
			return nil, fmt.Errorf("ttp table: line %d: unknown tactic %q", n+1, m.Tactic)
		case seen[m]:
			return nil, fmt.Errorf("ttp table: line %d: duplicate mapping", n+1)
		}
		seen[m] = true
		t.all = append(t.all, m)
		switch m.Kind {
		case kindAPI:
			t.api[m.Key] = append(t.api[m.Key], m)
		case kindBehavior:
			t.behavior[m.Key] = append(t.behavior[m.Key], m)
		case kindFinding:
			if len(t.finding[m.Key]) == 0 {
				t.prefixes = append(t.prefixes, m.Key)
			}
			t.finding[m.Key] = append(t.finding[m.Key], m)
		}
	}
	sort.Slice(t.prefixes, func(i, j int) bool { return len(t.prefixes[i]) > len(t.prefixes[j]) })
	return t, nil
}

// DefaultTTPTable is the mapping kept in the repository (ttp.tsv).
var DefaultTTPTable = func() *TTPTable {
	t, err := ParseTTPTable(ttpData)
	if err != nil {
		// The table is embedded and its test parses it: a broken
		// table cannot ship.
		panic(err)
	}
	return t
}()

// All returns every mapping in file order.
func (t *TTPTable) All() []Mapping { return t.all }

// API returns the mappings of an API, "<eventSource>:<eventName>".
func (t *TTPTable) API(api string) []Mapping { return t.api[api] }

// Behavior returns the mappings of a derived behavior.
func (t *TTPTable) Behavior(name string) []Mapping { return t.behavior[name] }

// Finding returns the mappings of the longest type prefix that a GuardDuty
// finding type starts with, or none.
func (t *TTPTable) Finding(typ string) []Mapping {
	for _, p := range t.prefixes {
		if strings.HasPrefix(typ, p) {
			return t.finding[p]
		}
	}
	return nil
}
