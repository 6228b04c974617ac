package cloudtrail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
)

// samplesDir holds the shared collection of public log samples, checked
// out beside the repository (../shared from its root). Tests that use it
// are skipped when it is absent.
const samplesDir = "../../../../shared/samples"

func sampleFile(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, filepath.FromSlash(rel)))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not available", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sampleLines returns the non-empty lines of a sample file.
func sampleLines(t *testing.T, rel string) [][]byte {
	t.Helper()
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(sampleFile(t, rel)))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	return lines
}

// TestBrokenSample decodes opensearch-catalog's samples-large.json, which
// is not valid JSON upstream (an object closed twice at line 85): the
// error must say where.
func TestBrokenSample(t *testing.T) {
	data := sampleFile(t, "opensearch-catalog/integrations/observability/aws_cloudtrail/data/samples-large.json")
	calls, err := decode(t, "samples-large.json", bytes.NewReader(data))
	var de *trailhound.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DecodeError", err)
	}
	want := trailhound.Position{Line: 85, Record: 2, Offset: 3053}
	if de.Pos != want {
		t.Errorf("position %+v, want %+v", de.Pos, want)
	}
	// The second record is complete when the stray brace comes.
	if len(calls) != 2 {
		t.Errorf("%d records before the error, want 2", len(calls))
	}
	t.Log(err)
}

// TestSampleEventsOneByOne decodes every CloudTrail event of the shared
// samples as its own object: each must decode or fail with a DecodeError,
// never panic. Panther's events are test fragments, many incomplete.
func TestSampleEventsOneByOne(t *testing.T) {
	for _, f := range []struct{ file, member string }{
		{"awsdocs/cloudtrail/cloudtrail-events.ndjson", "event"},
		{"panther-analysis/AWS.CloudTrail.tests.ndjson", "log"},
	} {
		decoded, failed := 0, 0
		for i, line := range sampleLines(t, f.file) {
			var wrapper map[string]json.RawMessage
			if err := json.Unmarshal(line, &wrapper); err != nil {
				t.Fatalf("%s:%d: %v", f.file, i+1, err)
			}
			calls, err := decode(t, f.file, bytes.NewReader(wrapper[f.member]))
			var de *trailhound.DecodeError
			switch {
			case err == nil:
				decoded += len(calls)
			case errors.As(err, &de):
				failed++
			default:
				t.Errorf("%s:%d: %v is not a DecodeError", f.file, i+1, err)
			}
		}
		t.Logf("%s: %d records, %d fragments rejected", f.file, decoded, failed)
		if decoded == 0 {
			t.Errorf("%s: nothing decoded", f.file)
		}
	}
}

// TestSamplesOfOtherSourcesNotClaimed checks that Detect leaves GuardDuty,
// Security Hub, VPC flow, DNS and EKS samples to their own decoders.
func TestSamplesOfOtherSourcesNotClaimed(t *testing.T) {
	check := func(name string, head []byte) {
		if c := (Decoder{}).Detect("upload/"+name, head); c != source.No {
			t.Errorf("%s: Detect = %v on %.80q", name, c, head)
		}
	}
	for _, file := range []string{
		"panther-analysis/AWS.GuardDuty.tests.ndjson",
		"panther-analysis/AWS.SecurityFindingFormat.tests.ndjson",
		"panther-analysis/AWS.VPCFlow.tests.ndjson",
		"panther-analysis/AWS.VPCDns.tests.ndjson",
		"panther-analysis/Amazon.EKS.Audit.tests.ndjson",
		"panther-analysis/OCSF.NetworkActivity.tests.ndjson",
		"panther-analysis/OCSF.DnsActivity.tests.ndjson",
	} {
		for _, line := range sampleLines(t, file) {
			var wrapper struct{ Log json.RawMessage }
			if err := json.Unmarshal(line, &wrapper); err != nil {
				t.Fatal(err)
			}
			check(file, wrapper.Log)
		}
	}
	for _, file := range []string{
		"elastic-integrations/packages/aws/data_stream/guardduty/_dev/test/pipeline/test-guardduty.log",
		"elastic-integrations/packages/aws/data_stream/securityhub_findings/_dev/test/pipeline/test-securityhub-findings.PARTIAL-first3.log",
		"elastic-integrations/packages/aws/data_stream/route53_resolver_logs/_dev/test/pipeline/test-route53.log",
	} {
		for _, line := range sampleLines(t, file) {
			check(file, line)
		}
	}
	var flows []struct{ Body string }
	if err := json.Unmarshal(sampleFile(t, "opensearch-catalog/integrations/observability/amazon_vpc_flow/data/sample.json"), &flows); err != nil {
		t.Fatal(err)
	}
	for _, f := range flows {
		check("vpc flow", []byte(f.Body))
	}
	check("guardduty.json", sampleFile(t, "awsdocs/guardduty/asff-guardduty-finding.json"))
}
