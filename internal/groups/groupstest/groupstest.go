// Package groupstest builds small stores of GuardDuty findings and
// CloudTrail calls for the tests of finding groups, their API and their
// command: findings are written as GuardDuty exports them and ingested
// through the real pipeline, so the groups are computed from what the
// store really holds.
package groupstest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
)

// Identifiers of the fixture.
const (
	Account   = "111122223333"
	AliceID   = "AIDAEXAMPLEALICE00001"
	AliceKey  = "AKIAEXAMPLEALICE0001"
	BobID     = "AIDAEXAMPLEBOB000001"
	BobKey    = "AKIAEXAMPLEBOB000001"
	Attacker  = "45.32.9.163"
	Pool      = "51.68.175.14"
	Miner     = "i-0aaaaaaaaaaaaaaa1"
	Bastion   = "i-0bbbbbbbbbbbbbbb2"
	PrivateIP = "10.0.0.5"
)

// Finding describes one GuardDuty finding version.
type Finding struct {
	ID       string
	Type     string
	Severity float64
	// First and Last are the observed period; the version is updated at
	// Last plus five minutes.
	First, Last time.Time
	// Key and Principal name an AccessKey resource (IAM user); Instance
	// an Instance resource with PrivateIP.
	Key, Principal, User string
	Instance             string
	// Remote is the remote address of the action.
	Remote string
}

// JSON renders the finding as GuardDuty exports it.
func (f Finding) JSON() string {
	var resource, action string
	switch {
	case f.Instance != "":
		resource = fmt.Sprintf(`{"resourceType":"Instance","instanceDetails":{"instanceId":%q,"networkInterfaces":[{"privateIpAddress":%q}]}}`, f.Instance, PrivateIP)
		action = fmt.Sprintf(`{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","remoteIpDetails":{"ipAddressV4":%q}}}`, f.Remote)
	default:
		resource = fmt.Sprintf(`{"resourceType":"AccessKey","accessKeyDetails":{"accessKeyId":%q,"principalId":%q,"userType":"IAMUser","userName":%q}}`, f.Key, f.Principal, f.User)
		action = fmt.Sprintf(`{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"ListBuckets","serviceName":"s3.amazonaws.com","remoteIpDetails":{"ipAddressV4":%q}}}`, f.Remote)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	title, _ := json.Marshal(f.Type + " finding " + f.ID)
	return fmt.Sprintf(`{"schemaVersion":"2.0","accountId":%q,"region":"us-east-1","partition":"aws","id":%q,"arn":"arn:aws:guardduty:us-east-1:%s:detector/d1/finding/%s","type":%q,"resource":%s,"service":{"serviceName":"guardduty","detectorId":"d1","action":%s,"resourceRole":"TARGET","eventFirstSeen":%q,"eventLastSeen":%q,"archived":false,"count":1},"severity":%v,"createdAt":%q,"updatedAt":%q,"title":%s,"description":"test"}`,
		Account, f.ID, Account, f.ID, f.Type, resource, action, ts(f.First), ts(f.Last), f.Severity, ts(f.First.Add(5*time.Minute)), ts(f.Last.Add(5*time.Minute)), title)
}

// T is a time of the fixture's day, 2026-11-01, as "15:04".
func T(hhmm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", "2026-11-01 "+hhmm)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// Batch1 is the first delivery: alice's key used from the attacker's
// address for discovery; an instance she launched mining; bob's key
// stopping CloudTrail; a port probe of a bastion with the same private
// address as the miner (in another network).
var Batch1 = []Finding{
	{ID: "f1-discovery", Type: "Discovery:IAMUser/AnomalousBehavior", Severity: 2, First: T("10:00"), Last: T("10:10"),
		Key: AliceKey, Principal: AliceID, User: "alice", Remote: Attacker},
	{ID: "f2-mining", Type: "CryptoCurrency:EC2/BitcoinTool.B", Severity: 8, First: T("10:20"), Last: T("12:00"), Instance: Miner, Remote: Pool},
	{ID: "f3-stealth", Type: "Stealth:IAMUser/CloudTrailLoggingDisabled", Severity: 2, First: T("10:30"), Last: T("10:31"),
		Key: BobKey, Principal: BobID, User: "bob", Remote: "91.92.240.19"},
	{ID: "f4-probe", Type: "Recon:EC2/PortProbeUnprotectedPort", Severity: 2, First: T("09:00"), Last: T("11:00"), Instance: Bastion, Remote: "162.142.125.212"},
}

// Batch2 is a later delivery: a new version of the mining finding, an
// impact finding on alice's key and the miner, and bob again.
var Batch2 = []Finding{
	{ID: "f2-mining", Type: "CryptoCurrency:EC2/BitcoinTool.B", Severity: 8, First: T("10:20"), Last: T("14:00"), Instance: Miner, Remote: Pool},
	{ID: "f5-impact", Type: "Impact:IAMUser/AnomalousBehavior", Severity: 8, First: T("12:30"), Last: T("12:40"),
		Key: AliceKey, Principal: AliceID, User: "alice", Remote: Attacker},
	{ID: "f6-bob", Type: "Persistence:IAMUser/AnomalousBehavior", Severity: 5, First: T("13:00"), Last: T("13:05"),
		Key: BobKey, Principal: BobID, User: "bob", Remote: "91.92.240.19"},
}

// launch is alice launching the miner, which relates the mining finding
// to her.
const launch = `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"` + AliceID + `","arn":"arn:aws:iam::` + Account + `:user/alice","accountId":"` + Account + `","accessKeyId":"` + AliceKey + `","userName":"alice"},"eventTime":"2026-11-01T10:15:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","sourceIPAddress":"` + Attacker + `","userAgent":"aws-cli/2.15.0","requestParameters":{"instanceType":"p3.16xlarge"},"responseElements":{"instancesSet":{"items":[{"instanceId":"` + Miner + `","instanceType":"p3.16xlarge"}]}},"eventID":"e0000000-0000-4000-8000-0000000000a1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"` + Account + `","eventCategory":"Management"}]}`

// Files returns the objects of a delivery: the findings as one GuardDuty
// export and, with withLaunch, alice's RunInstances call.
func Files(name string, fs []Finding, withLaunch bool) []analysistest.File {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.JSON())
		b.WriteByte('\n')
	}
	out := []analysistest.File{{Path: "AWSLogs/" + Account + "/GuardDuty/us-east-1/2026/11/01/" + name + ".jsonl.gz", Content: b.String(), Gzip: true}}
	if withLaunch {
		out = append(out, analysistest.File{Path: "AWSLogs/" + Account + "/CloudTrail/us-east-1/2026/11/01/" + Account + "_CloudTrail_us-east-1_20261101T1015Z_" + name + ".json.gz",
			Content: launch, Gzip: true})
	}
	return out
}

// Ingest writes files to a folder and ingests them into st, as one
// delivery, failing the test if an object fails.
func Ingest(t testing.TB, st *duckdb.Store, files []analysistest.File) {
	t.Helper()
	dir := t.TempDir()
	analysistest.WriteFiles(t, dir, files)
	IngestDir(t, st, dir)
}

// IngestDir ingests every object under dir into st, failing the test if
// an object fails.
func IngestDir(t testing.TB, st *duckdb.Store, dir string) {
	t.Helper()
	ctx := context.Background()
	loc, err := objstore.Parse(ctx, dir, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, st, []objstore.Store{loc}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failed) > 0 {
		t.Fatalf("ingest failed: %+v", sum.Failed)
	}
}

// Open opens a fresh store in a temporary data directory, closed when the
// test ends.
func Open(t testing.TB) (*duckdb.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := duckdb.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}
