package investigate

import (
	"slices"
	"strings"
	"testing"
)

// attackTactics are the tactics ATT&CK (Enterprise) files each technique
// of the table under, so that a mapping never reports a technique under a
// tactic ATT&CK does not give it.
var attackTactics = map[string][]string{
	"T1078.004": {"Defense Evasion", "Persistence", "Privilege Escalation", "Initial Access"},
	"T1133":     {"Initial Access", "Persistence"},
	"T1059":     {"Execution"},
	"T1059.009": {"Execution"},
	"T1651":     {"Execution"},
	"T1648":     {"Execution"},
	"T1098":     {"Persistence", "Privilege Escalation"},
	"T1098.001": {"Persistence", "Privilege Escalation"},
	"T1098.003": {"Persistence", "Privilege Escalation"},
	"T1136.003": {"Persistence"},
	"T1525":     {"Persistence"},
	"T1556.006": {"Credential Access", "Defense Evasion", "Persistence"},
	"T1548.005": {"Privilege Escalation", "Defense Evasion"},
	"T1484.002": {"Defense Evasion", "Privilege Escalation"},
	"T1562":     {"Defense Evasion"},
	"T1562.001": {"Defense Evasion"},
	"T1562.007": {"Defense Evasion"},
	"T1562.008": {"Defense Evasion"},
	"T1578.001": {"Defense Evasion"},
	"T1578.002": {"Defense Evasion"},
	"T1578.003": {"Defense Evasion"},
	"T1666":     {"Defense Evasion"},
	"T1535":     {"Defense Evasion"},
	"T1555.006": {"Credential Access"},
	"T1552":     {"Credential Access"},
	"T1552.005": {"Credential Access"},
	"T1110.001": {"Credential Access"},
	"T1087.004": {"Discovery"},
	"T1069.003": {"Discovery"},
	"T1201":     {"Discovery"},
	"T1580":     {"Discovery"},
	"T1619":     {"Discovery"},
	"T1526":     {"Discovery"},
	"T1613":     {"Discovery"},
	"T1518.001": {"Discovery"},
	"T1654":     {"Discovery"},
	"T1550.001": {"Defense Evasion", "Lateral Movement"},
	"T1021.001": {"Lateral Movement"},
	"T1021.004": {"Lateral Movement"},
	"T1530":     {"Collection"},
	"T1537":     {"Exfiltration"},
	"T1567":     {"Exfiltration"},
	"T1496":     {"Impact"},
	"T1485":     {"Impact"},
	"T1490":     {"Impact"},
	"T1531":     {"Impact"},
	"T1595":     {"Reconnaissance"},
	"T1090.003": {"Command and Control"},
	"T1071":     {"Command and Control"},
	"T1588.002": {"Resource Development"},
}

func TestTTPTableFollowsATTACK(t *testing.T) {
	names := map[string]string{}
	for _, m := range DefaultTTPTable.All() {
		allowed, ok := attackTactics[m.TechniqueID]
		if !ok {
			t.Errorf("%s %s: technique %s is not in the test's ATT&CK list; add it with its tactics", m.Kind, m.Key, m.TechniqueID)
			continue
		}
		if !slices.Contains(allowed, m.Tactic) {
			t.Errorf("%s %s: ATT&CK files %s under %v, not %s", m.Kind, m.Key, m.TechniqueID, allowed, m.Tactic)
		}
		if n, ok := names[m.TechniqueID]; ok && n != m.Technique {
			t.Errorf("%s is named both %q and %q", m.TechniqueID, n, m.Technique)
		}
		names[m.TechniqueID] = m.Technique
		if sub := strings.Contains(m.TechniqueID, "."); sub != strings.Contains(m.Technique, ": ") {
			t.Errorf("%s %q: sub-techniques are named \"Parent: Sub\", techniques without a colon", m.TechniqueID, m.Technique)
		}
	}
}

// TestTTPTableCoversScenarios checks that every call the generator's
// attack scenarios make is mapped, so that the quality test measures
// detection rather than gaps in the table.
func TestTTPTableCoversScenarios(t *testing.T) {
	sources := map[string]string{"iam": "iam", "ec2": "ec2", "s3": "s3", "sts": "sts", "lambda": "lambda", "secretsmanager": "secretsmanager",
		"ssm": "ssm", "rds": "rds", "kms": "kms", "dynamodb": "dynamodb", "cloudtrail": "cloudtrail", "guardduty": "guardduty",
		"organizations": "organizations", "sns": "sns", "sqs": "sqs", "ecr": "ecr", "eks": "eks", "logs": "logs",
		"cloudformation": "cloudformation", "route53": "route53", "ecs": "ecs", "signin": "signin", "ce": "ce"}
	calls := []string{
		// Reconnaissance sweeps (reconOps of internal/synth).
		"iam:ListUsers", "iam:ListRoles", "iam:ListPolicies", "iam:ListGroups", "iam:GetAccountAuthorizationDetails",
		"iam:ListAccessKeys", "iam:GetAccountSummary", "iam:ListAttachedUserPolicies", "iam:ListAccountAliases",
		"ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeSnapshots", "ec2:DescribeVolumes",
		"ec2:DescribeKeyPairs", "ec2:DescribeImages", "ec2:DescribeRegions", "s3:ListBuckets", "lambda:ListFunctions20150331",
		"secretsmanager:ListSecrets", "ssm:DescribeParameters", "rds:DescribeDBInstances", "kms:ListKeys", "dynamodb:ListTables",
		"cloudtrail:DescribeTrails", "guardduty:ListDetectors", "organizations:DescribeOrganization", "organizations:ListAccounts",
		"sns:ListTopics", "sqs:ListQueues", "ecr:DescribeRepositories", "eks:ListClusters", "logs:DescribeLogGroups",
		"cloudformation:ListStacks", "route53:ListHostedZones", "ecs:DescribeClusters",
		// The scenarios' own calls.
		"sts:GetCallerIdentity", "secretsmanager:GetSecretValue", "iam:CreateUser", "iam:GetUser", "iam:CreateAccessKey",
		"iam:AttachUserPolicy", "iam:CreateLoginProfile", "signin:ConsoleLogin", "ec2:DescribeAccountAttributes", "ec2:CreateKeyPair",
		"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RunInstances", "s3:GetBucketLocation", "s3:ListObjects",
		"s3:GetObject", "ce:GetCostAndUsage", "cloudtrail:LookupEvents", "iam:GetRole", "ssm:GetParameters", "cloudtrail:GetTrailStatus",
		"cloudtrail:GetEventSelectors", "cloudtrail:StopLogging", "cloudtrail:PutEventSelectors", "cloudtrail:DeleteTrail",
		"ec2:DescribeFlowLogs", "organizations:ListAWSServiceAccessForOrganization", "sts:AssumeRole",
	}
	for _, c := range calls {
		svc, name, _ := strings.Cut(c, ":")
		api := sources[svc] + ".amazonaws.com:" + name
		if len(DefaultTTPTable.API(api)) == 0 {
			t.Errorf("%s is not mapped", api)
		}
	}
}

func TestTTPTableBehaviors(t *testing.T) {
	for _, b := range []string{"unfamiliar-origin", "instance-credentials-outside", "unused-region", "bulk-download", "cross-account-session",
		"console-login-failures", "remote-admin-brute-force", "remote-admin-session", "internal-ssh", "internal-rdp", "mining-pool"} {
		if len(DefaultTTPTable.Behavior(b)) == 0 {
			t.Errorf("behavior %q is used by the investigation but not mapped", b)
		}
	}
}

func TestTTPTableFindings(t *testing.T) {
	for typ, want := range map[string]string{
		"UnauthorizedAccess:IAMUser/TorIPCaller":                               "T1090.003",
		"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": "T1552.005",
		"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B":                     "T1078.004",
		"UnauthorizedAccess:EC2/SSHBruteForce":                                 "T1110.001",
		"CryptoCurrency:EC2/BitcoinTool.B!DNS":                                 "T1496",
		"Stealth:IAMUser/CloudTrailLoggingDisabled":                            "T1562.008",
		"Recon:EC2/PortProbeUnprotectedPort":                                   "T1595",
		"Policy:IAMUser/RootCredentialUsage":                                   "",
	} {
		got := ""
		if ms := DefaultTTPTable.Finding(typ); len(ms) > 0 {
			got = ms[0].TechniqueID
		}
		if got != want {
			t.Errorf("%s: technique %q, want %q", typ, got, want)
		}
	}
}

func TestParseTTPTableErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"fields", "api\tiam.amazonaws.com:X\tT1098\tName\tPersistence\n", "line 1: want 6"},
		{"kind", "call\tiam.amazonaws.com:X\tT1098\tName\tPersistence\tp\n", `line 1: unknown kind "call"`},
		{"api", "# c\napi\tiam:X\tT1098\tName\tPersistence\tp\n", `line 2: API "iam:X"`},
		{"technique", "api\tiam.amazonaws.com:X\tT10\tName\tPersistence\tp\n", `bad technique id "T10"`},
		{"tactic", "api\tiam.amazonaws.com:X\tT1098\tName\tpersistence\tp\n", `unknown tactic "persistence"`},
		{"duplicate", "api\tiam.amazonaws.com:X\tT1098\tName\tPersistence\tp\napi\tiam.amazonaws.com:X\tT1098\tName\tPersistence\tp\n", "line 2: duplicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTTPTable(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}
