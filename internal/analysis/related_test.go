package analysis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
)

// gdFinding is what a test finding names.
type gdFinding struct {
	id, typ             string
	severity            float64
	lastSeen            time.Time
	instance, privateIP string
	accessKey, user     string
	remoteIP            string
	bucket              string
}

func (f gdFinding) json(t *testing.T) string {
	resource := map[string]any{"resourceType": "Instance"}
	action := map[string]any{}
	switch {
	case f.instance != "":
		resource["instanceDetails"] = map[string]any{"instanceId": f.instance, "networkInterfaces": []any{map[string]any{"privateIpAddress": f.privateIP}}}
		action = map[string]any{"actionType": "NETWORK_CONNECTION", "networkConnectionAction": map[string]any{"remoteIpDetails": map[string]any{"ipAddressV4": f.remoteIP}}}
	case f.accessKey != "":
		resource = map[string]any{"resourceType": "AccessKey", "accessKeyDetails": map[string]any{"accessKeyId": f.accessKey, "principalId": f.user, "userType": "IAMUser", "userName": "u"}}
		action = map[string]any{"actionType": "AWS_API_CALL", "awsApiCallAction": map[string]any{"api": "ListBuckets", "remoteIpDetails": map[string]any{"ipAddressV4": f.remoteIP}}}
	case f.bucket != "":
		resource = map[string]any{"resourceType": "S3Bucket", "s3BucketDetails": []any{map[string]any{"name": f.bucket}}}
	}
	ts := f.lastSeen.UTC().Format("2006-01-02T15:04:05.000Z")
	first := f.lastSeen.Add(-time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	b, err := json.Marshal(map[string]any{"schemaVersion": "2.0", "accountId": analysistest.Account, "region": "us-east-1", "partition": "aws",
		"id": f.id, "arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/" + f.id, "type": f.typ, "severity": f.severity,
		"createdAt": ts, "updatedAt": ts, "title": "title " + f.id, "description": "d", "resource": resource,
		"service": map[string]any{"serviceName": "guardduty", "action": action, "eventFirstSeen": first, "eventLastSeen": ts, "count": 1, "archived": false}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRelatedFindings builds findings that share instances, addresses and
// keys, plus a scanner probing a hundred instances, and checks each
// finding's related findings, the entities shared and those ignored.
func TestRelatedFindings(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	findings := []gdFinding{
		{id: "aaaa", typ: "Backdoor:EC2/C&CActivity.B", severity: 8, lastSeen: t0.Add(2 * time.Hour), instance: "i-0aaaaaaaaaaaaaaa1", privateIP: "10.0.0.5", remoteIP: "203.0.113.10"},
		{id: "bbbb", typ: "Recon:EC2/PortProbeUnprotectedPort", severity: 5, lastSeen: t0.Add(3 * time.Hour), instance: "i-0aaaaaaaaaaaaaaa1", privateIP: "10.0.0.5", remoteIP: "192.0.2.66"},
		{id: "cccc", typ: "UnauthorizedAccess:IAMUser/MaliciousIPCaller", severity: 8, lastSeen: t0.Add(5 * time.Hour), accessKey: "AKIAEXAMPLERELATED01", user: "AIDAEXAMPLERELATED001", remoteIP: "203.0.113.10"},
		{id: "gggg", typ: "Backdoor:EC2/DenialOfService.Tcp", severity: 5, lastSeen: t0.Add(4 * time.Hour), instance: "i-0aaaaaaaaaaaaaaa1", privateIP: "10.0.0.6", remoteIP: "198.51.100.99"},
		{id: "dddd", typ: "Policy:S3/BucketBlockPublicAccessDisabled", severity: 9, lastSeen: t0.Add(6 * time.Hour), bucket: "lonely-bucket"},
		{id: "eeee", typ: "UnauthorizedAccess:IAMUser/ConsoleLogin", severity: 2, lastSeen: t0.Add(time.Hour), accessKey: "AKIAEXAMPLERELATED01", user: "AIDAEXAMPLERELATED001", remoteIP: "198.51.100.1"},
	}
	// A scanner probes 101 other instances: with bbbb, 102 findings name it.
	for i := range 101 {
		findings = append(findings, gdFinding{id: fmt.Sprintf("scan%03d", i), typ: "Recon:EC2/PortProbeUnprotectedPort", severity: 2, lastSeen: t0.Add(time.Duration(i) * time.Minute),
			instance: fmt.Sprintf("i-0bbbbbbbbbbbbb%03d", i), privateIP: fmt.Sprintf("10.1.%d.%d", i/200, i%200+1), remoteIP: "192.0.2.66"})
	}
	var lines []string
	for _, f := range findings {
		lines = append(lines, f.json(t))
	}
	data := t.TempDir()
	analysistest.IngestFiles(t, data, []analysistest.File{{Path: "AWSLogs/111122223333/GuardDuty/us-east-1/2026/11/02/related.jsonl.gz", Content: strings.Join(lines, "\n") + "\n", Gzip: true}})
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arch, _ := archive.Open(filepath.Join(data, "objects"))
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})

	type rel struct {
		ID     string
		Shared []string
	}
	related := func(id string) ([]rel, *analysis.Finding) {
		f, err := eng.Finding(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		var out []rel
		for _, r := range f.Related {
			var shared []string
			for _, s := range r.Shared {
				shared = append(shared, string(s.Type)+"/"+s.ID)
			}
			out = append(out, rel{r.ID, shared})
			if r.Finding != (analysis.Ref{Type: trailhound.FindingEntity, ID: r.ID}) || r.Scope.End <= r.Scope.Start {
				t.Errorf("%s: related %+v", id, r)
			}
		}
		return out, f
	}
	inst := "Ec2Instance/i-0aaaaaaaaaaaaaaa1"
	cases := []struct {
		id      string
		want    []rel
		ignored []string
	}{
		// Most severe first, then the most recently seen.
		{"aaaa", []rel{{"cccc", []string{"IpAddress/203.0.113.10"}}, {"gggg", []string{inst}}, {"bbbb", []string{inst, "IpAddress/10.0.0.5"}}},
			[]string{"AwsAccount/111122223333 common-type 107"}},
		// The scanner's address relates nothing: 102 findings name it.
		{"bbbb", []rel{{"aaaa", []string{inst, "IpAddress/10.0.0.5"}}, {"gggg", []string{inst}}},
			[]string{"AwsAccount/111122223333 common-type 107", "IpAddress/192.0.2.66 too-many-findings 102"}},
		{"cccc", []rel{{"aaaa", []string{"IpAddress/203.0.113.10"}}, {"eeee", []string{"AccessKey/AKIAEXAMPLERELATED01", "AwsUser/AIDAEXAMPLERELATED001"}}},
			[]string{"AwsAccount/111122223333 common-type 107"}},
		// Sharing only the account relates nothing.
		{"dddd", nil, []string{"AwsAccount/111122223333 common-type 107"}},
		{"scan000", nil, []string{"AwsAccount/111122223333 common-type 107", "IpAddress/192.0.2.66 too-many-findings 102"}},
	}
	for _, c := range cases {
		got, f := related(c.id)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s related (-want +got):\n%s", c.id, diff)
		}
		var ignored []string
		for _, i := range f.RelatedIgnored {
			ignored = append(ignored, fmt.Sprintf("%s/%s %s %d", i.Type, i.ID, i.Reason, i.Findings))
		}
		if !cmp.Equal(ignored, c.ignored) || f.RelatedTotal != len(c.want) || f.RelatedTruncated {
			t.Errorf("%s: ignored %q total %d, want %q", c.id, ignored, f.RelatedTotal, c.ignored)
		}
	}

	// The same answer, computed by set intersection over the findings'
	// entity lists, for every finding.
	entities := map[string]map[string]bool{}
	named := map[string]int{}
	answers := map[string]*analysis.Finding{}
	for _, f := range findings {
		got, err := eng.Finding(context.Background(), f.id)
		if err != nil {
			t.Fatal(err)
		}
		answers[f.id] = got
		entities[f.id] = map[string]bool{}
		for _, e := range got.Entities {
			entities[f.id][string(e.Type)+"/"+e.ID] = true
			named[string(e.Type)+"/"+e.ID]++
		}
	}
	for _, f := range findings {
		want := map[string]bool{}
		for _, g := range findings {
			if g.id == f.id {
				continue
			}
			for e := range entities[f.id] {
				if entities[g.id][e] && !strings.HasPrefix(e, "AwsAccount/") && named[e] <= analysis.MaxFindingsPerSharedEntity {
					want[g.id] = true
				}
			}
		}
		got := answers[f.id].Related
		if len(got) != len(want) {
			t.Errorf("%s: %d related, want %d", f.id, len(got), len(want))
		}
		for _, r := range got {
			if !want[r.ID] {
				t.Errorf("%s: %s is not related", f.id, r.ID)
			}
		}
	}
}
