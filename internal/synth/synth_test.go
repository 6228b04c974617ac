package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// memWriter keeps objects in memory.
type memWriter struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memWriter) Put(_ context.Context, key string, r io.Reader, size int64) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return fmt.Errorf("%s: size %d, read %d", key, size, len(b))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	if _, dup := m.objs[key]; dup {
		return fmt.Errorf("%s written twice", key)
	}
	m.objs[key] = b
	return nil
}

// The shared data set: three days (Monday to Wednesday) of a small
// organization with every scenario, parsed with encoding/json as an
// independent check of the generator's hand-written JSON.
var (
	dataOnce sync.Once
	data     *dataset
	dataErr  error
)

var testConfig = Config{Seed: 42, Accounts: 8, Days: 3, Start: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), EventsPerDay: 10000}

type ctRecord struct {
	key string
	raw []byte
	m   map[string]any
	t   time.Time
}

type flowLine struct {
	key    string
	line   string
	f      []string
	start  int64
	region string
}

type findingLine struct {
	key string
	raw []byte
	m   map[string]any
}

type dataset struct {
	truth    *Truth
	objs     map[string][]byte
	ct       []ctRecord
	flows    []flowLine
	findings []findingLine
	other    []string
}

func loadData(t *testing.T) *dataset {
	t.Helper()
	dataOnce.Do(func() {
		cfg := testConfig
		cfg.Scenarios, dataErr = ParseScenarios("all")
		if dataErr != nil {
			return
		}
		mw := &memWriter{}
		tr, err := Generate(context.Background(), cfg, mw, nil)
		if err != nil {
			dataErr = err
			return
		}
		data, dataErr = parseObjects(tr, mw.objs)
	})
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	return data
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func parseObjects(tr *Truth, objs map[string][]byte) (*dataset, error) {
	d := &dataset{truth: tr, objs: objs}
	keys := make([]string, 0, len(objs))
	for k := range objs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case strings.Contains(k, "/CloudTrail/"):
			body, err := gunzip(objs[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			var env struct{ Records []json.RawMessage }
			if err := json.Unmarshal(body, &env); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if len(env.Records) == 0 {
				return nil, fmt.Errorf("%s: no records", k)
			}
			for i, raw := range env.Records {
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					return nil, fmt.Errorf("%s: record %d: %w", k, i, err)
				}
				et, _ := m["eventTime"].(string)
				tm, err := time.Parse(time.RFC3339, et)
				if err != nil {
					return nil, fmt.Errorf("%s: record %d: eventTime %q", k, i, et)
				}
				d.ct = append(d.ct, ctRecord{key: k, raw: raw, m: m, t: tm})
			}
		case strings.Contains(k, "/vpcflowlogs/"):
			body, err := gunzip(objs[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			sc := bufio.NewScanner(bytes.NewReader(body))
			first := true
			for sc.Scan() {
				line := sc.Text()
				if first {
					if line+"\n" != flowHeader {
						return nil, fmt.Errorf("%s: header %q", k, line)
					}
					first = false
					continue
				}
				f := strings.Fields(line)
				st, _ := strconv.ParseInt(f[10], 10, 64)
				d.flows = append(d.flows, flowLine{key: k, line: line, f: f, start: st, region: f[21]})
			}
		case strings.Contains(k, "/GuardDuty/"):
			body, err := gunzip(objs[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			for i, line := range bytes.Split(bytes.TrimRight(body, "\n"), []byte("\n")) {
				var m map[string]any
				if err := json.Unmarshal(line, &m); err != nil {
					return nil, fmt.Errorf("%s: line %d: %w", k, i+1, err)
				}
				d.findings = append(d.findings, findingLine{key: k, raw: line, m: m})
			}
		default:
			d.other = append(d.other, k)
		}
	}
	return d, nil
}

// get walks a decoded JSON value along a dotted path.
func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

var (
	reUUID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reAccount    = regexp.MustCompile(`^\d{12}$`)
	reUserID     = regexp.MustCompile(`^AIDA[A-Z0-9]{17}$`)
	reRoleID     = regexp.MustCompile(`^AROA[A-Z0-9]{17}$`)
	reRoleSessID = regexp.MustCompile(`^AROA[A-Z0-9]{17}:[\w+=,.@-]{2,64}$`)
	reKey        = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)
	reTempKey    = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
	reLongKey    = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	reInstance   = regexp.MustCompile(`^i-[0-9a-f]{17}$`)
	reENI        = regexp.MustCompile(`^eni-[0-9a-f]{17}$`)
	reCTKey      = regexp.MustCompile(`^AWSLogs/(o-[a-z0-9]{10,32})/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	reFlowKey    = regexp.MustCompile(`^AWSLogs/(\d{12})/vpcflowlogs/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/(\d{12})_vpcflowlogs_([a-z0-9-]+)_(fl-[0-9a-f]{17})_(\d{8}T\d{4}Z)_[0-9a-f]{8}\.log\.gz$`)
	reGDKey      = regexp.MustCompile(`^AWSLogs/(\d{12})/GuardDuty/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.jsonl\.gz$`)
)

func TestObjectLayout(t *testing.T) {
	d := loadData(t)
	if !slices.Equal(d.other, []string{"truth.json"}) {
		t.Errorf("unexpected objects besides logs: %v", d.other)
	}
	var ct, fl, gd int
	for k := range d.objs {
		switch {
		case reCTKey.MatchString(k):
			m := reCTKey.FindStringSubmatch(k)
			if m[2] != m[5] || m[3] != m[6] || m[1] != d.truth.OrgID {
				t.Errorf("%s: path and name disagree", k)
			}
			stamp, _ := time.Parse("20060102T1504Z", m[7])
			if stamp.Format("2006/01/02") != m[4] {
				t.Errorf("%s: date folder does not match timestamp", k)
			}
			ct++
		case reFlowKey.MatchString(k):
			m := reFlowKey.FindStringSubmatch(k)
			if m[1] != m[4] || m[2] != m[5] {
				t.Errorf("%s: path and name disagree", k)
			}
			fl++
		case reGDKey.MatchString(k):
			m := reGDKey.FindStringSubmatch(k)
			if m[1] != d.truth.Security {
				t.Errorf("%s: findings are exported by the security account %s", k, d.truth.Security)
			}
			gd++
		case k == "truth.json":
		default:
			t.Errorf("unexpected key %s", k)
		}
	}
	if ct == 0 || fl == 0 || gd == 0 {
		t.Fatalf("objects: %d CloudTrail, %d flow logs, %d GuardDuty", ct, fl, gd)
	}
	// Every object is a gzip stream without a modification time, so the
	// bytes are reproducible.
	for k, b := range d.objs {
		if k == "truth.json" {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if !zr.ModTime.IsZero() {
			t.Errorf("%s: gzip header has a modification time", k)
		}
	}
}

func TestCloudTrailRecords(t *testing.T) {
	d := loadData(t)
	types := map[string]int{}
	names := map[string]int{}
	for _, c := range d.ct {
		m := c.m
		errs := checkRecord(m)
		for _, e := range errs {
			t.Errorf("%s: %s %s: %s", c.key, str(m, "eventName"), str(m, "eventID"), e)
		}
		if len(errs) > 0 && t.Failed() && len(errs) > 20 {
			t.FailNow()
		}
		km := reCTKey.FindStringSubmatch(c.key)
		if str(m, "recipientAccountId") != km[2] {
			t.Errorf("%s: recipientAccountId %s", c.key, str(m, "recipientAccountId"))
		}
		if str(m, "awsRegion") != km[3] {
			t.Errorf("%s: awsRegion %s", c.key, str(m, "awsRegion"))
		}
		stamp, _ := time.Parse("20060102T1504Z", km[7])
		if c.t.Before(stamp.Add(-windowSec*time.Second)) || !c.t.Before(stamp) {
			t.Errorf("%s: event at %s outside the file's delivery window", c.key, c.t)
		}
		types[str(m, "userIdentity.type")]++
		names[str(m, "eventName")]++
	}
	for _, want := range []string{"IAMUser", "AssumedRole", "Root", "AWSService", "FederatedUser", "SAMLUser", "WebIdentityUser", "AWSAccount"} {
		if types[want] == 0 {
			t.Errorf("no %s identity in the logs", want)
		}
	}
	for _, want := range []string{"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetFederationToken", "ConsoleLogin",
		"CreateUser", "CreateAccessKey", "RunInstances", "CreateBucket", "DeleteBucket", "GetObject", "StopLogging", "DeleteTrail"} {
		if names[want] == 0 {
			t.Errorf("no %s event in the logs", want)
		}
	}
	if n := len(d.ct); n < 25000 || n > 45000 {
		t.Errorf("%d CloudTrail events for 3 weekdays at 10000 a day", n)
	}
}

// checkRecord validates one CloudTrail record against the shape AWS writes.
func checkRecord(m map[string]any) []string {
	var errs []string
	fail := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	switch v := str(m, "eventVersion"); v {
	case "1.08", "1.09", "1.10", "1.11":
	default:
		fail("eventVersion %q", v)
	}
	for _, f := range []string{"eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "eventType", "recipientAccountId", "eventCategory"} {
		if str(m, f) == "" {
			fail("missing %s", f)
		}
	}
	if !strings.HasSuffix(str(m, "eventSource"), ".amazonaws.com") {
		fail("eventSource %q", str(m, "eventSource"))
	}
	if !reUUID.MatchString(str(m, "eventID")) {
		fail("eventID %q", str(m, "eventID"))
	}
	if !reAccount.MatchString(str(m, "recipientAccountId")) {
		fail("recipientAccountId %q", str(m, "recipientAccountId"))
	}
	if _, ok := m["readOnly"].(bool); !ok {
		fail("readOnly not a boolean")
	}
	if _, ok := m["managementEvent"].(bool); !ok {
		fail("managementEvent not a boolean")
	}
	switch c := str(m, "eventCategory"); c {
	case "Management", "Data":
	default:
		fail("eventCategory %q", c)
	}
	et := str(m, "eventType")
	switch et {
	case "AwsApiCall":
		if str(m, "requestID") == "" {
			fail("missing requestID")
		}
		if _, ok := m["requestParameters"]; !ok {
			fail("missing requestParameters")
		}
		if _, ok := m["responseElements"]; !ok {
			fail("missing responseElements")
		}
	case "AwsConsoleSignIn":
	default:
		fail("eventType %q", et)
	}
	if ip := str(m, "sourceIPAddress"); !strings.HasSuffix(ip, ".amazonaws.com") {
		if _, err := netip.ParseAddr(ip); err != nil {
			fail("sourceIPAddress %q", ip)
		}
	}
	ui, _ := m["userIdentity"].(map[string]any)
	if ui == nil {
		return append(errs, "missing userIdentity")
	}
	key := str(ui, "accessKeyId")
	switch typ := str(ui, "type"); typ {
	case "IAMUser":
		if !reUserID.MatchString(str(ui, "principalId")) {
			fail("IAMUser principalId %q", str(ui, "principalId"))
		}
		if !strings.HasPrefix(str(ui, "arn"), "arn:aws:iam::"+str(ui, "accountId")+":user/") || str(ui, "userName") == "" {
			fail("IAMUser arn %q userName %q", str(ui, "arn"), str(ui, "userName"))
		}
		if key != "" && !reKey.MatchString(key) || key == "" && str(m, "eventName") != "ConsoleLogin" {
			fail("IAMUser accessKeyId %q", key)
		}
	case "AssumedRole":
		if !reRoleSessID.MatchString(str(ui, "principalId")) || !reTempKey.MatchString(key) {
			fail("AssumedRole principalId %q accessKeyId %q", str(ui, "principalId"), key)
		}
		if !strings.HasPrefix(str(ui, "arn"), "arn:aws:sts::"+str(ui, "accountId")+":assumed-role/") {
			fail("AssumedRole arn %q", str(ui, "arn"))
		}
		iss := get(ui, "sessionContext.sessionIssuer")
		if str(iss, "type") != "Role" || !reRoleID.MatchString(str(iss, "principalId")) || str(iss, "userName") == "" ||
			!strings.HasPrefix(str(iss, "arn"), "arn:aws:iam::"+str(iss, "accountId")+":role/") ||
			!strings.HasPrefix(str(ui, "principalId"), str(iss, "principalId")+":") {
			fail("AssumedRole sessionIssuer %v", iss)
		}
		if _, err := time.Parse(time.RFC3339, str(ui, "sessionContext.attributes.creationDate")); err != nil {
			fail("AssumedRole creationDate")
		}
		if v := str(ui, "sessionContext.attributes.mfaAuthenticated"); v != "true" && v != "false" {
			fail("mfaAuthenticated %q", v)
		}
	case "Root":
		if str(ui, "principalId") != str(ui, "accountId") || str(ui, "arn") != "arn:aws:iam::"+str(ui, "accountId")+":root" {
			fail("Root identity %v", ui)
		}
	case "AWSService":
		if !strings.HasSuffix(str(ui, "invokedBy"), ".amazonaws.com") {
			fail("AWSService invokedBy %q", str(ui, "invokedBy"))
		}
	case "FederatedUser":
		if !reTempKey.MatchString(key) || str(ui, "sessionContext.sessionIssuer.type") != "IAMUser" ||
			!strings.HasPrefix(str(ui, "arn"), "arn:aws:sts::"+str(ui, "accountId")+":federated-user/") {
			fail("FederatedUser identity %v", ui)
		}
	case "SAMLUser", "WebIdentityUser":
		if str(ui, "principalId") == "" || str(ui, "userName") == "" || str(ui, "identityProvider") == "" {
			fail("%s identity %v", typ, ui)
		}
	case "AWSAccount":
		if str(ui, "principalId") == "" || !reAccount.MatchString(str(ui, "accountId")) {
			fail("AWSAccount identity %v", ui)
		}
	default:
		fail("userIdentity.type %q", typ)
	}

	failed := str(m, "errorCode") != ""
	if failed && m["responseElements"] != nil && str(m, "eventName") != "ConsoleLogin" {
		fail("failed call with responseElements")
	}
	req, resp := m["requestParameters"], m["responseElements"]
	switch name := str(m, "eventName"); name {
	case "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity":
		if !strings.HasPrefix(str(req, "roleArn"), "arn:aws:iam::") || str(req, "roleSessionName") == "" {
			fail("%s requestParameters %v", name, req)
		}
		if !failed {
			if !reTempKey.MatchString(str(resp, "credentials.accessKeyId")) ||
				!reRoleSessID.MatchString(str(resp, "assumedRoleUser.assumedRoleId")) ||
				!strings.HasPrefix(str(resp, "assumedRoleUser.arn"), "arn:aws:sts::") {
				fail("%s responseElements %v", name, resp)
			}
			if !strings.HasSuffix(str(resp, "assumedRoleUser.assumedRoleId"), ":"+str(req, "roleSessionName")) {
				fail("%s session name mismatch", name)
			}
		}
	case "GetFederationToken":
		if !failed && (!reTempKey.MatchString(str(resp, "credentials.accessKeyId")) || str(resp, "federatedUser.arn") == "") {
			fail("GetFederationToken responseElements %v", resp)
		}
	case "CreateUser":
		if !failed && (!reUserID.MatchString(str(resp, "user.userId")) || str(resp, "user.userName") != str(req, "userName") ||
			!strings.HasPrefix(str(resp, "user.arn"), "arn:aws:iam::")) {
			fail("CreateUser responseElements %v", resp)
		}
	case "CreateAccessKey":
		if !failed && (!reLongKey.MatchString(str(resp, "accessKey.accessKeyId")) || str(resp, "accessKey.userName") != str(req, "userName")) {
			fail("CreateAccessKey responseElements %v", resp)
		}
	case "RunInstances":
		if str(req, "instanceType") == "" {
			fail("RunInstances without instanceType")
		}
		if !failed {
			items, _ := get(resp, "instancesSet.items").([]any)
			if len(items) == 0 {
				fail("RunInstances without instances")
			}
			for _, it := range items {
				if !reInstance.MatchString(str(it, "instanceId")) || str(it, "instanceType") == "" {
					fail("RunInstances item %v", it)
				}
			}
		}
	case "ConsoleLogin":
		if v := str(resp, "ConsoleLogin"); v != "Success" && v != "Failure" {
			fail("ConsoleLogin result %q", v)
		}
		if v := str(m, "additionalEventData.MFAUsed"); v != "Yes" && v != "No" {
			fail("ConsoleLogin MFAUsed %q", v)
		}
		if str(m, "eventType") != "AwsConsoleSignIn" {
			fail("ConsoleLogin eventType")
		}
	}
	if str(m, "eventSource") == "s3.amazonaws.com" && str(m, "eventName") != "ListBuckets" && str(req, "bucketName") == "" {
		fail("S3 call without bucketName")
	}
	if str(m, "eventCategory") == "Data" && m["managementEvent"] != false {
		fail("data event marked as management")
	}
	return errs
}

func TestFlowLogs(t *testing.T) {
	d := loadData(t)
	if len(d.flows) < 40000 {
		t.Errorf("only %d flow records for 3 days at 20000 a day", len(d.flows))
	}
	var accepted, rejected, nodata int
	for _, f := range d.flows {
		km := reFlowKey.FindStringSubmatch(f.key)
		x := f.f
		if len(x) != 29 {
			t.Fatalf("%s: %d fields: %s", f.key, len(x), f.line)
		}
		if x[0] != "5" || x[1] != km[1] || !reENI.MatchString(x[2]) || x[21] != km[2] {
			t.Fatalf("%s: bad record %s", f.key, f.line)
		}
		if x[16] != "-" && !reInstance.MatchString(x[16]) {
			t.Errorf("%s: instance-id %q", f.key, x[16])
		}
		if !strings.HasPrefix(x[14], "vpc-") || !strings.HasPrefix(x[15], "subnet-") {
			t.Errorf("%s: vpc/subnet %s %s", f.key, x[14], x[15])
		}
		switch x[13] {
		case "NODATA":
			nodata++
			for _, i := range []int{3, 4, 5, 6, 7, 8, 9, 12} {
				if x[i] != "-" {
					t.Errorf("%s: NODATA record with field %d = %q", f.key, i, x[i])
				}
			}
			continue
		case "OK":
		default:
			t.Fatalf("%s: log-status %q", f.key, x[13])
		}
		for _, i := range []int{3, 4, 19, 20} {
			if _, err := netip.ParseAddr(x[i]); err != nil {
				t.Fatalf("%s: address field %d %q", f.key, i, x[i])
			}
		}
		for _, i := range []int{5, 6, 7, 8, 9, 10, 11, 17} {
			if _, err := strconv.ParseInt(x[i], 10, 64); err != nil {
				t.Fatalf("%s: numeric field %d %q", f.key, i, x[i])
			}
		}
		st, _ := strconv.ParseInt(x[10], 10, 64)
		en, _ := strconv.ParseInt(x[11], 10, 64)
		if en < st {
			t.Errorf("%s: end before start", f.key)
		}
		switch x[12] {
		case "ACCEPT":
			accepted++
		case "REJECT":
			rejected++
		default:
			t.Errorf("%s: action %q", f.key, x[12])
		}
		switch x[27] {
		case "ingress":
			if x[28] != "-" {
				t.Errorf("%s: ingress record with traffic-path %s", f.key, x[28])
			}
		case "egress":
			if p, err := strconv.Atoi(x[28]); err != nil || p < 1 || p > 8 {
				t.Errorf("%s: traffic-path %q", f.key, x[28])
			}
		default:
			t.Errorf("%s: flow-direction %q", f.key, x[27])
		}
	}
	if accepted == 0 || rejected == 0 || nodata == 0 {
		t.Errorf("accepted %d, rejected %d, nodata %d", accepted, rejected, nodata)
	}
	if float64(rejected)/float64(accepted+rejected) < 0.05 {
		t.Errorf("too few rejected scans: %d of %d", rejected, accepted+rejected)
	}
}

func TestGuardDutyFindings(t *testing.T) {
	d := loadData(t)
	byID := map[string][]map[string]any{}
	details := map[string]string{"AccessKey": "accessKeyDetails", "Instance": "instanceDetails", "S3Bucket": "s3BucketDetails"}
	actions := map[string]string{"AWS_API_CALL": "awsApiCallAction", "NETWORK_CONNECTION": "networkConnectionAction",
		"PORT_PROBE": "portProbeAction", "DNS_REQUEST": "dnsRequestAction"}
	reID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, f := range d.findings {
		m := f.m
		km := reGDKey.FindStringSubmatch(f.key)
		id := str(m, "id")
		if str(m, "schemaVersion") != "2.0" || !reAccount.MatchString(str(m, "accountId")) || str(m, "partition") != "aws" || !reID.MatchString(id) {
			t.Fatalf("%s: bad finding header %s", f.key, f.raw[:200])
		}
		if str(m, "region") != km[2] {
			t.Errorf("%s: finding region %s", f.key, str(m, "region"))
		}
		if want := "arn:aws:guardduty:" + str(m, "region") + ":" + str(m, "accountId") + ":detector/" + str(m, "service.detectorId") + "/finding/" + id; str(m, "arn") != want {
			t.Errorf("%s: arn %s, want %s", f.key, str(m, "arn"), want)
		}
		if typ := str(m, "type"); !strings.Contains(typ, ":") || !strings.Contains(typ, "/") {
			t.Errorf("%s: type %q", f.key, typ)
		}
		rt := str(m, "resource.resourceType")
		if details[rt] == "" || get(m, "resource."+details[rt]) == nil {
			t.Errorf("%s: resource %q without details", f.key, rt)
		}
		at := str(m, "service.action.actionType")
		if actions[at] == "" || get(m, "service.action."+actions[at]) == nil {
			t.Errorf("%s: action %q without details", f.key, at)
		}
		if sev, _ := m["severity"].(float64); sev <= 0 || sev > 10 {
			t.Errorf("%s: severity %v", f.key, m["severity"])
		}
		if get(m, "service.archived") != false || str(m, "title") == "" || str(m, "description") == "" {
			t.Errorf("%s: archived/title/description", f.key)
		}
		times := map[string]time.Time{}
		for _, p := range []string{"createdAt", "updatedAt", "service.eventFirstSeen", "service.eventLastSeen"} {
			tm, err := time.Parse(time.RFC3339Nano, str(m, p))
			if err != nil {
				t.Fatalf("%s: %s %q", f.key, p, str(m, p))
			}
			times[p] = tm
		}
		if times["updatedAt"].Before(times["createdAt"]) || times["service.eventLastSeen"].Before(times["service.eventFirstSeen"]) ||
			times["createdAt"].Before(times["service.eventFirstSeen"]) {
			t.Errorf("%s: inconsistent times %v", f.key, times)
		}
		byID[id] = append(byID[id], m)
	}
	updated := 0
	for id, vs := range byID {
		sort.Slice(vs, func(i, j int) bool { return str(vs[i], "updatedAt") < str(vs[j], "updatedAt") })
		for i := 1; i < len(vs); i++ {
			a, b := vs[i-1], vs[i]
			if str(a, "createdAt") != str(b, "createdAt") || str(a, "type") != str(b, "type") || str(a, "updatedAt") == str(b, "updatedAt") {
				t.Errorf("finding %s: versions disagree", id)
			}
			if get(b, "service.count").(float64) < get(a, "service.count").(float64) {
				t.Errorf("finding %s: count decreased", id)
			}
		}
		if len(vs) > 1 {
			updated++
		}
	}
	if updated == 0 {
		t.Error("no finding was updated over time")
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 9, Accounts: 4, Days: 1, Start: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), EventsPerDay: 8000}
	cfg.Scenarios, _ = ParseScenarios("ssh-brute-force@2026-04-06T03:00:00Z,console-login-tor,privilege-escalation")
	digest := func(cfg Config) map[string][32]byte {
		t.Helper()
		mw := &memWriter{}
		if _, err := Generate(context.Background(), cfg, mw, nil); err != nil {
			t.Fatal(err)
		}
		out := map[string][32]byte{}
		for k, v := range mw.objs {
			out[k] = sha256.Sum256(v)
		}
		return out
	}
	cfg.Workers = 1
	a := digest(cfg)
	cfg.Workers = 3
	b := digest(cfg)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("output depends on parallelism (-1 worker +3 workers):\n%.2000s", diff)
	}
	cfg.Seed = 10
	c := digest(cfg)
	same := 0
	for k, v := range c {
		if a[k] == v {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d objects identical across seeds", same)
	}
}

func TestTruth(t *testing.T) {
	d := loadData(t)
	var written Truth
	if err := json.Unmarshal(d.objs["truth.json"], &written); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*d.truth, written); diff != "" {
		t.Errorf("truth.json differs from the returned truth:\n%s", diff)
	}
	if got := len(d.truth.Scenarios); got != len(ScenarioNames()) {
		t.Fatalf("%d scenarios", got)
	}
	if d.truth.Totals.CloudTrailEvents != int64(len(d.ct)) || d.truth.Totals.FlowRecords != int64(len(d.flows)) ||
		d.truth.Totals.FindingVersions != int64(len(d.findings)) {
		t.Errorf("totals %+v disagree with the logs (%d, %d, %d)", d.truth.Totals, len(d.ct), len(d.flows), len(d.findings))
	}
	ctByID := map[string]*ctRecord{}
	for i := range d.ct {
		ctByID[str(d.ct[i].m, "eventID")] = &d.ct[i]
	}
	spanStart, spanEnd := d.truth.Start, d.truth.End
	for _, sc := range d.truth.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if !sc.Start.Before(sc.End) || sc.Start.Before(spanStart) || sc.End.After(spanEnd) {
				t.Fatalf("window %s..%s outside %s..%s", sc.Start, sc.End, spanStart, spanEnd)
			}
			if len(sc.Tactics) == 0 || len(sc.Techniques) == 0 || len(sc.FindingIDs) == 0 || sc.Description == "" {
				t.Errorf("incomplete: %+v", sc)
			}
			if len(sc.EventIDs) == 0 && sc.FlowRecords == 0 {
				t.Error("no records")
			}
			for _, id := range sc.EventIDs {
				c := ctByID[id]
				if c == nil {
					t.Fatalf("event %s not in the logs", id)
				}
				if c.t.Before(sc.Start) || c.t.After(sc.End) {
					t.Errorf("event %s at %s outside the window", id, c.t)
				}
			}
			checkEntitiesInWindow(t, d, sc)
		})
	}
}

// checkEntitiesInWindow verifies that every entity of a scenario appears in
// some record inside its window.
func checkEntitiesInWindow(t *testing.T, d *dataset, sc TruthScenario) {
	t.Helper()
	namespaces := map[string]bool{"AwsUser": true, "AwsRole": true, "AwsRoleSession": true, "AccessKey": true, "IpAddress": true,
		"Ec2Instance": true, "S3Bucket": true, "UserAgent": true, "Finding": true}
	var inWindow [][]byte
	for _, c := range d.ct {
		if !c.t.Before(sc.Start) && !c.t.After(sc.End) {
			inWindow = append(inWindow, c.raw)
		}
	}
	for _, f := range d.flows {
		if f.start >= sc.Start.Unix() && f.start <= sc.End.Unix() {
			inWindow = append(inWindow, []byte(f.line))
		}
	}
	for _, f := range d.findings {
		if ts, _ := time.Parse(time.RFC3339Nano, str(f.m, "createdAt")); !ts.Before(sc.Start) && !ts.After(sc.End) {
			inWindow = append(inWindow, f.raw)
		}
	}
	if len(sc.Entities) < 3 {
		t.Errorf("only %d entities", len(sc.Entities))
	}
	for _, e := range sc.Entities {
		ns, id, ok := strings.Cut(e, "/")
		if !ok || !namespaces[ns] || id == "" {
			t.Errorf("entity %q", e)
			continue
		}
		found := false
		for _, raw := range inWindow {
			if bytes.Contains(raw, []byte(id)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("entity %s does not appear in the window", e)
		}
	}
}

// TestScenariosAlone stages each scenario alone in the smallest
// organization the generator accepts.
func TestScenariosAlone(t *testing.T) {
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Seed: 3, Accounts: 3, Days: 1, Start: time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), EventsPerDay: 3000,
				Scenarios: []Scenario{{Name: name}}}
			mw := &memWriter{}
			tr, err := Generate(context.Background(), cfg, mw, nil)
			if err != nil {
				t.Fatal(err)
			}
			d, err := parseObjects(tr, mw.objs)
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Scenarios) != 1 {
				t.Fatalf("%d scenarios", len(tr.Scenarios))
			}
			sc := tr.Scenarios[0]
			if len(sc.FindingIDs) == 0 || len(sc.EventIDs) == 0 && sc.FlowRecords == 0 {
				t.Errorf("scenario left no trace: %+v", sc)
			}
			if sc.Start.Before(tr.Start.Add(16*time.Hour - 30*time.Minute)) {
				t.Errorf("placed at %s, not in the last third of the span", sc.Start)
			}
			checkEntitiesInWindow(t, d, sc)
		})
	}
}

// TestFindingsReferenceLogs checks that every entity a finding names exists
// in the CloudTrail or flow logs.
func TestFindingsReferenceLogs(t *testing.T) {
	d := loadData(t)
	seen := map[string]bool{}
	for _, c := range d.ct {
		m := c.m
		for _, p := range []string{"userIdentity.accessKeyId", "userIdentity.principalId", "sourceIPAddress", "requestParameters.bucketName",
			"responseElements.credentials.accessKeyId"} {
			if v := str(m, p); v != "" {
				seen[v] = true
			}
		}
		if items, ok := get(m, "responseElements.instancesSet.items").([]any); ok {
			for _, it := range items {
				seen[str(it, "instanceId")] = true
			}
		}
	}
	for _, f := range d.flows {
		seen[f.f[3]], seen[f.f[4]], seen[f.f[16]] = true, true, true
	}
	check := func(f findingLine, what, v string) {
		if v != "" && !seen[v] {
			t.Errorf("finding %s (%s): %s %s not in the logs", str(f.m, "id"), str(f.m, "type"), what, v)
		}
	}
	for _, f := range d.findings {
		m := f.m
		check(f, "access key", str(m, "resource.accessKeyDetails.accessKeyId"))
		if p := str(m, "resource.accessKeyDetails.principalId"); p != "" && str(m, "resource.accessKeyDetails.userType") != "Root" {
			check(f, "principal", p)
		}
		check(f, "instance", str(m, "resource.instanceDetails.instanceId"))
		if bs, ok := get(m, "resource.s3BucketDetails").([]any); ok {
			for _, b := range bs {
				check(f, "bucket", str(b, "name"))
			}
		}
		for _, p := range []string{"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
			"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
			"service.action.networkConnectionAction.localIpDetails.ipAddressV4"} {
			check(f, "address", str(m, p))
		}
		if ds, ok := get(m, "service.action.portProbeAction.portProbeDetails").([]any); ok {
			for _, x := range ds {
				check(f, "address", str(x, "remoteIpDetails.ipAddressV4"))
			}
		}
	}
}

// principalOf groups calls by the user or role behind them.
func principalOf(m map[string]any) string {
	ui := get(m, "userIdentity")
	switch str(ui, "type") {
	case "AssumedRole", "FederatedUser":
		return str(ui, "sessionContext.sessionIssuer.arn")
	case "AWSService":
		return str(ui, "invokedBy")
	case "IAMUser", "Root":
		return str(ui, "arn")
	}
	return str(ui, "principalId")
}

func TestHeavyTailedActivity(t *testing.T) {
	d := loadData(t)
	counts := map[string]int{}
	for _, c := range d.ct {
		counts[principalOf(c.m)]++
	}
	var ns []int
	total := 0
	for _, n := range counts {
		ns = append(ns, n)
		total += n
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ns)))
	top := int(math.Ceil(float64(len(ns)) / 10))
	sum := 0
	for _, n := range ns[:top] {
		sum += n
	}
	share := float64(sum) / float64(total)
	t.Logf("%d principals; top %d make %.0f%% of calls", len(ns), top, 100*share)
	if len(ns) < 100 {
		t.Errorf("only %d principals", len(ns))
	}
	if share < 0.5 {
		t.Errorf("top 10%% of principals make %.2f of calls, want at least 0.5", share)
	}
}

func TestPeopleWorkOfficeHours(t *testing.T) {
	d := loadData(t)
	cfg, err := testConfig.withDefaults(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	offset := map[string]int{}
	for _, p := range w.people {
		offset[p.Email] = p.office.UTCOff
		offset[p.Username] = p.office.UTCOff
	}
	first := d.truth.End
	for _, sc := range d.truth.Scenarios {
		if sc.Start.Before(first) {
			first = sc.Start
		}
	}
	var in, all int
	for _, c := range d.ct {
		if !c.t.Before(first) {
			continue
		}
		ui := get(c.m, "userIdentity")
		name := ""
		switch str(ui, "type") {
		case "AssumedRole":
			arn := str(ui, "arn")
			if strings.Contains(arn, "AWSReservedSSO_") || strings.Contains(arn, "OrganizationAccountAccessRole") {
				name = arn[strings.LastIndexByte(arn, '/')+1:]
			}
		case "IAMUser":
			name = str(ui, "userName")
		}
		off, ok := offset[name]
		if !ok {
			continue
		}
		local := c.t.Add(time.Duration(off) * time.Hour)
		all++
		if h := local.Hour(); h >= 7 && h < 21 && local.Weekday() != time.Saturday && local.Weekday() != time.Sunday {
			in++
		}
	}
	share := float64(in) / float64(all)
	t.Logf("%d calls by people, %.1f%% on weekdays between 07:00 and 21:00 local time", all, 100*share)
	if all < 1000 || share < 0.9 {
		t.Errorf("people: %d calls, %.2f in working hours", all, share)
	}
}

func TestStableBaselines(t *testing.T) {
	d := loadData(t)
	first := d.truth.End
	attackerIPs := map[string]string{}
	for _, sc := range d.truth.Scenarios {
		if sc.Start.Before(first) {
			first = sc.Start
		}
		for _, e := range sc.Entities {
			if ip, ok := strings.CutPrefix(e, "IpAddress/"); ok {
				attackerIPs[ip] = sc.Name
			}
		}
	}
	type seen struct {
		n        int
		ips, uas map[string]bool
	}
	by := map[string]*seen{}
	for _, c := range d.ct {
		ip := str(c.m, "sourceIPAddress")
		if sc, bad := attackerIPs[ip]; bad {
			var start time.Time
			for _, s := range d.truth.Scenarios {
				if s.Name == sc {
					start = s.Start
				}
			}
			if c.t.Before(start) {
				t.Errorf("attacker address %s of %s seen at %s, before the scenario", ip, sc, c.t)
			}
		}
		if !c.t.Before(first) {
			continue
		}
		p := str(c.m, "userIdentity.arn")
		if p == "" {
			continue
		}
		s := by[p]
		if s == nil {
			s = &seen{ips: map[string]bool{}, uas: map[string]bool{}}
			by[p] = s
		}
		s.n++
		s.ips[ip] = true
		s.uas[str(c.m, "userAgent")] = true
	}
	checked := 0
	for p, s := range by {
		if s.n < 30 {
			continue
		}
		checked++
		if len(s.ips) > 4 || len(s.uas) > 4 {
			t.Errorf("%s: %d calls from %d addresses with %d user agents before any attack", p, s.n, len(s.ips), len(s.uas))
		}
	}
	if checked < 50 {
		t.Errorf("only %d principals with a baseline", checked)
	}
}

// TestLeakedKeyHasHistory checks that the key the compromised-key scenario
// leaks was used by its owner before the attack, from the owner's usual
// addresses: without that history an investigator has nothing to compare
// the new country with.
func TestLeakedKeyHasHistory(t *testing.T) {
	d := loadData(t)
	for _, sc := range d.truth.Scenarios {
		if sc.Name != "compromised-access-key" {
			continue
		}
		var key, attacker string
		for _, e := range sc.Entities {
			if k, ok := strings.CutPrefix(e, "AccessKey/"); ok {
				key = k
			}
			if ip, ok := strings.CutPrefix(e, "IpAddress/"); ok {
				attacker = ip
			}
		}
		before, days := 0, map[string]bool{}
		ips := map[string]bool{}
		for _, c := range d.ct {
			if str(c.m, "userIdentity.accessKeyId") != key || !c.t.Before(sc.Start) {
				continue
			}
			ip := str(c.m, "sourceIPAddress")
			if ip == attacker {
				t.Fatalf("the attacker's address %s used the key before the attack", ip)
			}
			before++
			ips[ip] = true
			days[c.t.Format(time.DateOnly)] = true
		}
		t.Logf("key %s: %d calls on %d days from %d addresses before the attack", key, before, len(days), len(ips))
		if before < 20 || len(days) < 2 {
			t.Errorf("key %s: %d calls on %d days before the attack; its owner should use it routinely", key, before, len(days))
		}
		return
	}
	t.Fatal("no compromised-access-key scenario in the test data")
}

func TestParseScale(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"small", ScaleSmall, true}, {"medium", ScaleMedium, true}, {"large", ScaleLarge, true}, {"", ScaleSmall, true},
		{"250000", 250000, true}, {"2_000_000", 2000000, true}, {"huge", 0, false}, {"10", 0, false}, {"-5", 0, false},
	} {
		got, err := ParseScale(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseScale(%q) = %d, %v", tc.in, got, err)
		}
	}
	if ScaleLarge*30 < 100_000_000 {
		t.Error("large does not reach 100M events in 30 days")
	}
}

func TestParseScenarios(t *testing.T) {
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want []Scenario
		ok   bool
	}{
		{"", nil, true},
		{"ssh-brute-force", []Scenario{{Name: "ssh-brute-force"}}, true},
		{"ssh-brute-force, s3-exfiltration", []Scenario{{Name: "ssh-brute-force"}, {Name: "s3-exfiltration"}}, true},
		{"crypto-mining@2026-01-05T10:00Z", []Scenario{{Name: "crypto-mining", At: at}}, true},
		{"crypto-mining@2026-01-05T10:00:00Z", []Scenario{{Name: "crypto-mining", At: at}}, true},
		{"nope", nil, false},
		{"ssh-brute-force,ssh-brute-force", nil, false},
		{"crypto-mining@yesterday", nil, false},
	} {
		got, err := ParseScenarios(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseScenarios(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); tc.ok && diff != "" {
			t.Errorf("ParseScenarios(%q):\n%s", tc.in, diff)
		}
	}
	all, err := ParseScenarios("all")
	if err != nil || len(all) != len(ScenarioNames()) || len(all) != 9 {
		t.Errorf("all: %v %v", all, err)
	}
	if diff := cmp.Diff(all, AllScenarios()); diff != "" {
		t.Errorf("AllScenarios differs from ParseScenarios(\"all\"):\n%s", diff)
	}
}

func TestConfigValidation(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"few accounts", Config{Accounts: 2, Start: start}},
		{"not midnight", Config{Start: start.Add(time.Hour)}},
		{"scenario outside span", Config{Start: start, Days: 2, Scenarios: []Scenario{{Name: "crypto-mining", At: start.AddDate(0, 0, 5)}}}},
		{"unknown scenario", Config{Start: start, Scenarios: []Scenario{{Name: "x"}}}},
		{"bad org id", Config{Start: start, OrgID: "org-1"}},
	} {
		if _, err := Generate(context.Background(), tc.cfg, &memWriter{}, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestDirWriter(t *testing.T) {
	dw := DirWriter{Root: t.TempDir()}
	ctx := context.Background()
	if err := dw.Put(ctx, "a/b/c.txt", strings.NewReader("hello"), 5); err != nil {
		t.Fatal(err)
	}
	if err := dw.Put(ctx, "../escape", strings.NewReader("x"), 1); err == nil {
		t.Error("accepted a key outside the root")
	}
	if err := dw.Put(ctx, "a/short", strings.NewReader("x"), 2); err == nil {
		t.Error("accepted a short write")
	}
}

func TestProgress(t *testing.T) {
	cfg := Config{Seed: 1, Accounts: 3, Days: 1, Start: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), EventsPerDay: 2000}
	var last Progress
	calls := 0
	tr, err := Generate(context.Background(), cfg, &memWriter{}, func(p Progress) { last, calls = p, calls+1 })
	if err != nil {
		t.Fatal(err)
	}
	if calls != last.TaskTotal || last.Tasks != last.TaskTotal || last.Days != 1 || last.Events != tr.Totals.CloudTrailEvents {
		t.Errorf("progress %+v after %d calls, totals %+v", last, calls, tr.Totals)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := Config{Seed: 1, Accounts: 3, Days: 5, Start: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), EventsPerDay: 50000}
	_, err := Generate(ctx, cfg, &memWriter{}, func(Progress) { cancel() })
	if err == nil {
		t.Fatal("no error after cancel")
	}
}

// TestCatalogRendersValidJSON renders every call of the catalog, as a
// success and as each kind of failure, and checks the record with
// encoding/json and the record rules.
func TestCatalogRendersValidJSON(t *testing.T) {
	cfg, err := testConfig.withDefaults(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ac *actor
	for _, a := range w.actors {
		if a.kind == akInstance && a.acct.kind == "prod" {
			ac = a
			break
		}
	}
	s := w.instanceSession(ac, w.start)
	wk := newWorker(w, &memWriter{}, nil)
	for _, op := range catalog {
		switch op.special {
		case spAssumeRole, spAssumeRoleSAML, spAssumeRoleWebIdentity, spGetFederationToken, spConsoleLogin, spRunInstances:
			continue // need a scripted target; covered by the generated data
		}
		for _, ek := range []errKind{errNone, errDenied, errThrottle, errNotFound} {
			if ek == errNotFound && op.nfP == 0 {
				continue
			}
			e := event{t: w.start*1000 + 1234, s: s, op: op, acct: s.acct, err: ek, rnd: uint64(op.id)*7 + uint64(ek)}
			e.reg = wk.regionFor(s, op, &rng{s: 1}, e.rnd)
			b := wk.record(nil, &e)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s:%s: %v\n%s", op.svc.prefix, op.name, err, b)
			}
			for _, msg := range checkRecord(m) {
				t.Errorf("%s:%s: %s", op.svc.prefix, op.name, msg)
			}
			if ek != errNone && str(m, "errorCode") == "" {
				t.Errorf("%s:%s: failure without errorCode", op.svc.prefix, op.name)
			}
		}
	}
}

// TestDaysInParts generates a span whole and in two parts: the parts'
// objects together are the whole run's, byte for byte (truth.json aside,
// whose totals count the days written).
func TestDaysInParts(t *testing.T) {
	cfg := Config{Seed: 5, Accounts: 3, Days: 3, Start: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), EventsPerDay: 4000}
	var err error
	if cfg.Scenarios, err = ParseScenarios("console-login-tor@2026-04-07T22:00:00Z,crypto-mining"); err != nil {
		t.Fatal(err)
	}
	run := func(cfg Config) map[string][32]byte {
		t.Helper()
		mw := &memWriter{}
		if _, err := Generate(context.Background(), cfg, mw, nil); err != nil {
			t.Fatal(err)
		}
		out := map[string][32]byte{}
		for k, v := range mw.objs {
			if k != "truth.json" {
				out[k] = sha256.Sum256(v)
			}
		}
		return out
	}
	whole := run(cfg)
	parts := map[string][32]byte{}
	for _, days := range [][2]int{{1, 2}, {3, 3}} {
		c := cfg
		c.FirstDay, c.LastDay = days[0], days[1]
		for k, v := range run(c) {
			if _, dup := parts[k]; dup {
				t.Errorf("%s written by two parts", k)
			}
			parts[k] = v
		}
	}
	if len(whole) < 10 {
		t.Fatalf("only %d objects: the test is wrong", len(whole))
	}
	if diff := cmp.Diff(whole, parts); diff != "" {
		t.Errorf("parts differ from the whole run (-whole +parts):\n%.2000s", diff)
	}
	c := cfg
	c.FirstDay, c.LastDay = 2, 4
	if _, err := Generate(context.Background(), c, &memWriter{}, nil); err == nil {
		t.Error("days 2 to 4 of 3 accepted")
	}
}
