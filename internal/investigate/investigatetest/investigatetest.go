// Package investigatetest builds small behavior graphs for the tests of
// evidence and investigations: CloudTrail calls, VPC flows and GuardDuty
// findings written as AWS delivers them and ingested into a fresh store,
// with addresses geolocated by a tiny GeoIP database whose places are
// chosen for the edge cases (both sides of the antimeridian, IPv6, private
// and unknown addresses).
package investigatetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/geoip/geoiptest"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
)

// Addresses of the fixture's places. Each is in a network of the GeoIP
// fixture; Private and Unlocated are not.
const (
	London     = "81.2.69.160"   // GB, AS20712 Andrews & Arnold
	London2    = "81.2.69.161"   // the same network
	Linkoping  = "89.160.20.112" // SE, AS29518 Bredband2
	Suva       = "202.62.10.5"   // FJ, east of the antimeridian (178.4°E)
	Apia       = "202.4.48.9"    // WS, west of it (171.8°W), 1,150 km from Suva
	Tokyo6     = "2001:268:c000::7"
	Sydney     = "1.128.0.9"      // AU
	Singapore  = "128.199.200.17" // SG, a hosting network
	Private    = "10.0.1.25"
	Unlocated  = "100.24.0.1" // public, absent from the fixture
	AccountA   = "111122223333"
	AccountB   = "444455556666"
	RegionHome = "eu-west-1"
)

// Enricher geolocates the fixture's addresses.
func Enricher(t testing.TB) graph.Enricher {
	t.Helper()
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	asn := filepath.Join(dir, "asn.mmdb")
	geoiptest.WriteCity(t, city, geoiptest.GeoLite2, []geoiptest.City{
		{Network: "81.2.69.0/24", Country: "GB", CountryName: "United Kingdom", Region: "England", City: "London", Latitude: 51.5142, Longitude: -0.0931},
		{Network: "89.160.20.0/24", Country: "SE", CountryName: "Sweden", Region: "Östergötland County", City: "Linköping", Latitude: 58.4167, Longitude: 15.6167},
		{Network: "202.62.10.0/24", Country: "FJ", CountryName: "Fiji", Region: "Central", City: "Suva", Latitude: -18.1416, Longitude: 178.4419},
		{Network: "202.4.48.0/24", Country: "WS", CountryName: "Samoa", Region: "Tuamasaga", City: "Apia", Latitude: -13.8333, Longitude: -171.7667},
		{Network: "2001:268:c000::/40", Country: "JP", CountryName: "Japan", Region: "Tokyo", City: "Tokyo", Latitude: 35.6895, Longitude: 139.6917},
		{Network: "1.128.0.0/16", Country: "AU", CountryName: "Australia", Region: "New South Wales", City: "Sydney", Latitude: -33.8688, Longitude: 151.209},
		{Network: "128.199.200.0/24", Country: "SG", CountryName: "Singapore", City: "Singapore", Latitude: 1.2897, Longitude: 103.8501},
	})
	geoiptest.WriteASN(t, asn, []geoiptest.ASN{
		{Network: "81.2.69.0/24", Number: 20712, Org: "Andrews & Arnold Ltd"},
		{Network: "89.160.20.0/24", Number: 29518, Org: "Bredband2 AB"},
		{Network: "202.62.10.0/24", Number: 9241, Org: "Fiji Intl Telecom"},
		{Network: "202.4.48.0/24", Number: 38800, Org: "Digicel Samoa"},
		{Network: "2001:268:c000::/40", Number: 2516, Org: "KDDI CORPORATION"},
		{Network: "1.128.0.0/16", Number: 1221, Org: "Telstra Limited"},
		{Network: "128.199.200.0/24", Number: 14061, Org: "DigitalOcean, LLC"},
	})
	r, err := geoip.Open(geoip.Config{City: []string{city}, ASN: []string{asn}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.Enrich
}

// Caller is who makes a call: an IAM user (with a long-term key), or a
// session of a role (with the session's key).
type Caller struct {
	Account   string
	UserID    string // AIDA...: an IAM user
	UserName  string
	RoleID    string // AROA...: a session of this role
	RoleName  string
	Session   string // the session name (an instance id for instance profiles)
	AccessKey string
}

// User returns an IAM user caller.
func User(account, id, name, key string) Caller {
	return Caller{Account: account, UserID: id, UserName: name, AccessKey: key}
}

// RoleSession returns a caller that is a session of a role.
func RoleSession(account, roleID, roleName, session, key string) Caller {
	return Caller{Account: account, RoleID: roleID, RoleName: roleName, Session: session, AccessKey: key}
}

// Ref returns the caller's entity as "<Namespace>/<id>".
func (c Caller) Ref() string {
	if c.RoleID != "" {
		return "AwsRoleSession/" + c.RoleID + ":" + c.Session
	}
	return "AwsUser/" + c.UserID
}

// Call is one CloudTrail record.
type Call struct {
	Time      time.Time
	By        Caller
	API       string // "iam:CreateAccessKey" or "iam.amazonaws.com:CreateAccessKey"
	IP        string
	UserAgent string
	Region    string
	Error     string // an error code, e.g. AccessDenied
	// Assumes, for sts:AssumeRole, is the session it starts.
	Assumes *Caller
	// Login is the ConsoleLogin result ("Success" or "Failure").
	Login string
}

// Builder collects calls, flows and findings and writes them as objects.
type Builder struct {
	calls    []Call
	flows    []string
	findings []string
	n        int
}

// Call adds calls.
func (b *Builder) Call(cs ...Call) { b.calls = append(b.calls, cs...) }

// Repeat adds n copies of c, spaced by every.
func (b *Builder) Repeat(n int, every time.Duration, c Call) {
	for i := 0; i < n; i++ {
		x := c
		x.Time = c.Time.Add(time.Duration(i) * every)
		b.calls = append(b.calls, x)
	}
}

// Flow adds one VPC flow record of an instance's interface: local is the
// instance's address, remote the peer; ingress says the packets came from
// the peer.
func (b *Builder) Flow(t time.Time, account, instance, local, remote string, localPort, remotePort int, ingress bool, packets, bytes int64, action string) {
	src, dst, sp, dp, dir := remote, local, remotePort, localPort, "ingress"
	if !ingress {
		src, dst, sp, dp, dir = local, remote, localPort, remotePort, "egress"
	}
	b.flows = append(b.flows, fmt.Sprintf("5 %s eni-0a1b2c3d4e5f60001 %s %s %d %d 6 %d %d %d %d %s OK vpc-0a1b2c3d subnet-0a1b2c3d %s 3 IPv4 %s %s %s %sa - - - - %s -",
		account, src, dst, sp, dp, packets, bytes, t.Unix(), t.Unix()+60, action, instance, src, dst, RegionHome, RegionHome, dir))
}

// Finding adds a GuardDuty finding about an access key of an IAM user
// (userID, userName) or an instance (instance set), with a remote address.
func (b *Builder) Finding(id, typ string, severity float64, account string, first, last time.Time, userID, userName, key, instance, remoteIP string) {
	var resource string
	if instance != "" {
		resource = fmt.Sprintf(`{"resourceType":"Instance","instanceDetails":{"instanceId":%q}}`, instance)
	} else {
		resource = fmt.Sprintf(`{"resourceType":"AccessKey","accessKeyDetails":{"accessKeyId":%q,"principalId":%q,"userName":%q,"userType":"IAMUser"}}`, key, userID, userName)
	}
	action := fmt.Sprintf(`{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"ListBuckets","serviceName":"s3.amazonaws.com","callerType":"Remote IP","remoteIpDetails":{"ipAddressV4":%q}}}`, remoteIP)
	b.findings = append(b.findings, fmt.Sprintf(`{"schemaVersion":"2.0","accountId":%q,"region":%q,"partition":"aws","id":%q,"arn":"arn:aws:guardduty:%s:%s:detector/d1/finding/%s","type":%q,"resource":%s,"service":{"serviceName":"guardduty","detectorId":"d1","action":%s,"resourceRole":"TARGET","eventFirstSeen":%q,"eventLastSeen":%q,"archived":false,"count":1},"severity":%v,"createdAt":%q,"updatedAt":%q,"title":"Finding %s","description":"Fixture finding."}`,
		account, RegionHome, id, RegionHome, account, id, typ, resource, action,
		first.UTC().Format("2006-01-02T15:04:05.000Z"), last.UTC().Format("2006-01-02T15:04:05.000Z"), severity,
		first.UTC().Format("2006-01-02T15:04:05.000Z"), last.UTC().Format("2006-01-02T15:04:05.000Z"), id))
}

// record renders one call as a CloudTrail record.
func (b *Builder) record(c Call) map[string]any {
	b.n++
	src, name, _ := strings.Cut(c.API, ":")
	if !strings.Contains(src, ".") {
		src += ".amazonaws.com"
	}
	region := c.Region
	if region == "" {
		region = RegionHome
	}
	by := c.By
	id := map[string]any{"accountId": by.Account, "accessKeyId": by.AccessKey}
	if by.RoleID != "" {
		roleARN := "arn:aws:iam::" + by.Account + ":role/" + by.RoleName
		id["type"] = "AssumedRole"
		id["principalId"] = by.RoleID + ":" + by.Session
		id["arn"] = "arn:aws:sts::" + by.Account + ":assumed-role/" + by.RoleName + "/" + by.Session
		id["sessionContext"] = map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": by.RoleID, "arn": roleARN, "accountId": by.Account, "userName": by.RoleName},
			"attributes":    map[string]any{"creationDate": c.Time.UTC().Format(time.RFC3339), "mfaAuthenticated": "false"},
		}
	} else {
		id["type"] = "IAMUser"
		id["principalId"] = by.UserID
		id["arn"] = "arn:aws:iam::" + by.Account + ":user/" + by.UserName
		id["userName"] = by.UserName
	}
	rec := map[string]any{
		"eventVersion": "1.08", "userIdentity": id, "eventTime": c.Time.UTC().Format(time.RFC3339),
		"eventSource": src, "eventName": name, "awsRegion": region, "sourceIPAddress": c.IP, "userAgent": c.UserAgent,
		"requestParameters": nil, "responseElements": nil,
		"eventID":   fmt.Sprintf("%08x-0000-4000-8000-%012x", b.n, b.n),
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": by.Account, "eventCategory": "Management",
	}
	if c.Error != "" {
		rec["errorCode"] = c.Error
		rec["errorMessage"] = "denied"
	}
	if c.Assumes != nil {
		s := c.Assumes
		rec["requestParameters"] = map[string]any{"roleArn": "arn:aws:iam::" + s.Account + ":role/" + s.RoleName, "roleSessionName": s.Session}
		rec["responseElements"] = map[string]any{
			"credentials":     map[string]any{"accessKeyId": s.AccessKey, "expiration": c.Time.Add(time.Hour).UTC().Format(time.RFC3339)},
			"assumedRoleUser": map[string]any{"assumedRoleId": s.RoleID + ":" + s.Session, "arn": "arn:aws:sts::" + s.Account + ":assumed-role/" + s.RoleName + "/" + s.Session},
		}
	}
	if c.Login != "" {
		rec["eventType"] = "AwsConsoleSignIn"
		rec["responseElements"] = map[string]any{"ConsoleLogin": c.Login}
		rec["additionalEventData"] = map[string]any{"MFAUsed": "No"}
	}
	return rec
}

// Ingest writes everything added so far into a folder laid out as AWS
// delivers it and ingests it into a fresh data directory, returning the
// open store (closed by the test's cleanup).
func (b *Builder) Ingest(t testing.TB) *duckdb.Store {
	t.Helper()
	st := b.ingest(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	return st
}

// IngestDir ingests into the data directory data, as the ingest command
// lays it out, and closes the store, so that a command may open it.
func (b *Builder) IngestDir(t testing.TB, data string) {
	t.Helper()
	b.ingest(t, data).Close()
}

func (b *Builder) ingest(t testing.TB, data string) *duckdb.Store {
	t.Helper()
	in := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(in, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One CloudTrail file per account and hour keeps objects small and
	// the layout realistic.
	files := map[string][]map[string]any{}
	var order []string
	for _, c := range b.calls {
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_f.json.gz", c.By.Account, RegionHome,
			c.Time.UTC().Format("2006/01/02"), c.By.Account, RegionHome, c.Time.UTC().Format("20060102T15Z"))
		if _, ok := files[key]; !ok {
			order = append(order, key)
		}
		files[key] = append(files[key], b.record(c))
	}
	for _, key := range order {
		data, err := json.Marshal(map[string]any{"Records": files[key]})
		if err != nil {
			t.Fatal(err)
		}
		write(key, data)
	}
	if len(b.flows) > 0 {
		head := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path\n"
		write("AWSLogs/"+AccountA+"/vpcflowlogs/"+RegionHome+"/2026/11/01/"+AccountA+"_vpcflowlogs_"+RegionHome+"_fl-0a1b2c3d_20261101T0000Z_f.log.gz",
			[]byte(head+strings.Join(b.flows, "\n")+"\n"))
	}
	if len(b.findings) > 0 {
		write("AWSLogs/"+AccountA+"/GuardDuty/"+RegionHome+"/2026/11/01/f.jsonl.gz", []byte(strings.Join(b.findings, "\n")+"\n"))
	}
	ctx := context.Background()
	st, err := duckdb.Open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	arch, err := archive.Open(filepath.Join(data, "objects"))
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	loc, err := objstore.Parse(ctx, in, objstore.Options{})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, st, []objstore.Store{loc}, ingest.Options{Enrich: Enricher(t), Archive: arch, Workers: 1})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if len(sum.Failed) > 0 {
		st.Close()
		t.Fatalf("ingest failed: %+v", sum.Failed)
	}
	return st
}

// Day is the fixture's first day; the baseline of a scope on a later day
// reaches back over it.
var Day = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// At returns the time d days and h hours after Day.
func At(d int, h float64) time.Time {
	return Day.Add(time.Duration(d)*24*time.Hour + time.Duration(h*float64(time.Hour)))
}
