package groups

import "strings"

// Tactic is a MITRE ATT&CK Enterprise tactic, spelled as ATT&CK spells it.
type Tactic struct {
	ID   string `json:"id"`   // TA0001
	Name string `json:"name"` // Initial Access
}

// Tactics lists the ATT&CK Enterprise tactics in kill-chain order, from
// the earliest stage of an attack to the most severe. A group's tactics
// chain is ordered by this list, and tactic chaining (see Options) uses it
// to decide whether a later finding continues an earlier one.
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

// TacticMapping maps a finding type to a tactic: the longest Prefix that
// begins the finding's type wins, so specific types override their
// threat purpose. Tactic is an ATT&CK name from Tactics, or "" for types
// that describe no step of an attack (policy findings).
type TacticMapping struct {
	Prefix string
	Tactic string
}

// TacticMappings is the table from finding types to ATT&CK tactics.
//
// GuardDuty types read ThreatPurpose:ResourceType/ThreatFamily.Mechanism!Artifact;
// the threat purpose names the stage of the attack, and a few families
// say more than their purpose (a brute-force is credential access even
// though GuardDuty files it under UnauthorizedAccess). Security Hub
// (ASFF) types read Namespace/Category/Classifier, and their
// "TTPs/<tactic>" categories name ATT&CK tactics directly; they are
// listed so that findings imported from Security Hub chain with
// GuardDuty's.
var TacticMappings = []TacticMapping{
	// GuardDuty threat purposes.
	{"Recon:", "Reconnaissance"},
	{"InitialAccess:", "Initial Access"},
	{"UnauthorizedAccess:", "Initial Access"},
	{"Execution:", "Execution"},
	{"Persistence:", "Persistence"},
	{"Backdoor:", "Command and Control"},
	{"PrivilegeEscalation:", "Privilege Escalation"},
	{"DefenseEvasion:", "Defense Evasion"},
	{"Stealth:", "Defense Evasion"},
	{"CredentialAccess:", "Credential Access"},
	{"Discovery:", "Discovery"},
	{"PenTest:", "Discovery"}, // calls from penetration-testing systems enumerate the account
	{"Behavior:", "Command and Control"},
	{"Trojan:", "Command and Control"},
	{"Exfiltration:", "Exfiltration"},
	{"Impact:", "Impact"},
	{"CryptoCurrency:", "Impact"}, // resource hijacking (T1496)
	{"Policy:", ""},
	// GuardDuty families that say more than their threat purpose.
	{"UnauthorizedAccess:EC2/SSHBruteForce", "Credential Access"},
	{"UnauthorizedAccess:EC2/RDPBruteForce", "Credential Access"},
	{"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration", "Credential Access"},
	{"UnauthorizedAccess:EC2/MetadataDNSRebind", "Credential Access"},
	{"Behavior:EC2/TrafficVolumeUnusual", "Exfiltration"},
	{"Trojan:EC2/DNSDataExfiltration", "Exfiltration"},
	{"Recon:IAMUser/", "Discovery"}, // API enumeration from inside the account
	// Security Hub (ASFF) types.
	{"TTPs/Initial Access", "Initial Access"},
	{"TTPs/Execution", "Execution"},
	{"TTPs/Persistence", "Persistence"},
	{"TTPs/Privilege Escalation", "Privilege Escalation"},
	{"TTPs/Defense Evasion", "Defense Evasion"},
	{"TTPs/Credential Access", "Credential Access"},
	{"TTPs/Discovery", "Discovery"},
	{"TTPs/Lateral Movement", "Lateral Movement"},
	{"TTPs/Collection", "Collection"},
	{"TTPs/Command and Control", "Command and Control"},
	{"Effects/Data Exfiltration", "Exfiltration"},
	{"Effects/Resource Consumption", "Impact"},
	{"Effects/Data Destruction", "Impact"},
}

// TacticOf returns the tactic of a finding type, or "" when the table maps
// it to none.
func TacticOf(findingType string) string {
	best, tactic := -1, ""
	for _, m := range TacticMappings {
		if len(m.Prefix) > best && strings.HasPrefix(findingType, m.Prefix) {
			best, tactic = len(m.Prefix), m.Tactic
		}
	}
	return tactic
}

// tacticRank is a tactic's position in Tactics, or -1 for none.
func tacticRank(name string) int {
	for i, t := range Tactics {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// tacticByName returns the tactic named name.
func tacticByName(name string) (Tactic, bool) {
	if i := tacticRank(name); i >= 0 {
		return Tactics[i], true
	}
	return Tactic{}, false
}

// chainTitle renders tactic names the way titles show them: in sentence
// case ("Credential access"), joined by arrows.
func chainTitle(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = sentenceCase(n)
	}
	return strings.Join(parts, " → ")
}

// sentenceCase lowers every word but the first, keeping "and" and
// acronyms as they are.
func sentenceCase(s string) string {
	words := strings.Fields(s)
	for i := 1; i < len(words); i++ {
		words[i] = strings.ToLower(words[i])
	}
	return strings.Join(words, " ")
}
