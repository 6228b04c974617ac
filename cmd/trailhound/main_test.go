package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound/internal/duckdb"
)

// TestMain lets a test run the command in a child process (to kill it):
// with TRAILHOUND_TEST_MAIN set, the test binary is the command.
func TestMain(m *testing.M) {
	if os.Getenv("TRAILHOUND_TEST_MAIN") == "1" {
		var args []string
		json.Unmarshal([]byte(os.Getenv("TRAILHOUND_TEST_ARGS")), &args)
		os.Exit(Main(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// run runs the command in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeTrail writes files CloudTrail log files of perFile events each, in
// the S3 key layout, with deterministic content.
func writeTrail(t testing.TB, dir string, files, perFile int) {
	t.Helper()
	users := []string{"alice", "bob", "carol", "deploy-ci", "dave"}
	ips := []string{"81.2.69.160", "89.160.20.112", "175.16.199.1", "216.160.83.56", "2a02:cf40::1"}
	apis := []struct{ src, name string }{{"ec2", "DescribeInstances"}, {"s3", "ListBuckets"}, {"iam", "ListUsers"}, {"sts", "GetCallerIdentity"}, {"iam", "AttachUserPolicy"}}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for f := 0; f < files; f++ {
		var b strings.Builder
		b.WriteString(`{"Records":[`)
		ts := base.Add(time.Duration(f) * 5 * time.Minute)
		for i := 0; i < perFile; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			u := users[n%len(users)]
			api := apis[(n/3)%len(apis)]
			errPart := ""
			if api.name == "AttachUserPolicy" {
				errPart = `"errorCode":"AccessDenied","errorMessage":"denied",`
			}
			fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%017d","arn":"arn:aws:iam::111122223333:user/%s","accountId":"111122223333","accessKeyId":"AKIA%016d","userName":"%s"},"eventTime":"%s","eventSource":"%s.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"%s","userAgent":"aws-cli/2.15.%d",%s"requestParameters":null,"responseElements":null,"eventID":"%08x-0000-4000-8000-%012x","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`,
				n%len(users), u, n%len(users), u, ts.Add(time.Duration(i)*time.Second).Format(time.RFC3339), api.src, api.name, ips[(n/7)%len(ips)], n%4, errPart, f, n)
			n++
		}
		b.WriteString("]}")
		p := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "01",
			fmt.Sprintf("111122223333_CloudTrail_us-east-1_%s_%04d.json.gz", ts.Format("20060102T1504Z"), f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(b.String()))
		zw.Close()
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fingerprint(t *testing.T, data string) string {
	t.Helper()
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fp, err := st.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestIngestAndStats(t *testing.T) {
	in := t.TempDir()
	writeTrail(t, in, 3, 50)
	os.WriteFile(filepath.Join(in, "broken.json"), []byte(`{"Records":[{"eventTime":`), 0o644)
	data := t.TempDir()

	code, out, errOut := run(t, "ingest", "--json", "--data", data, in)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (one object fails); stderr: %s", code, exitFailed, errOut)
	}
	var sum struct {
		Objects  int                 `json:"objects"`
		Failed   []map[string]string `json:"failed"`
		Events   map[string]int64    `json:"events"`
		Entities map[string]int64    `json:"entities"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if sum.Objects != 4 || len(sum.Failed) != 1 || sum.Events["cloudtrail"] != 150 || sum.Events["vpcflow"] != 0 || sum.Events["guardduty"] != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if !strings.Contains(sum.Failed[0]["error"], "broken.json") || sum.Failed[0]["path"] == "" {
		t.Errorf("failure does not name the object: %+v", sum.Failed[0])
	}
	if sum.Entities["AwsUser"] != 5 || sum.Entities["IpAddress"] != 5 {
		t.Errorf("entities = %v", sum.Entities)
	}

	code, out, _ = run(t, "stats", "--json", "--data", data)
	if code != exitOK {
		t.Fatalf("stats exit %d", code)
	}
	var st struct {
		Events   map[string]int64 `json:"events"`
		Entities map[string]int64 `json:"entities"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Events["cloudtrail"] != 150 || st.Entities["AwsUser"] != 5 {
		t.Errorf("stats = %+v", st)
	}

	// Usage errors exit 2 and say what to do.
	if code, _, errOut := run(t, "ingest", "--data", data); code != exitUsage || !strings.Contains(errOut, "PATH") {
		t.Errorf("ingest without paths: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run(t, "ingest", "--nope"); code != exitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code, _, _ := run(t, "frobnicate"); code != exitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, out, _ := run(t, "ingest", "--help"); code != exitOK || !strings.Contains(out, "Exit status") {
		t.Errorf("ingest --help: exit %d, %q", code, out)
	}
	if code, _, errOut := run(t, "ingest", "--data", data, filepath.Join(in, "missing")); code != exitUsage || !strings.Contains(errOut, "missing") {
		t.Errorf("missing path: exit %d, stderr %q", code, errOut)
	}
}

// TestKillAndResume kills an ingest with SIGKILL at several moments, runs
// the same ingest again, and compares the result with a clean run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	in := t.TempDir()
	writeTrail(t, in, 120, 400)
	clean := t.TempDir()
	if code, _, errOut := run(t, "ingest", "--json", "--data", clean, in); code != exitOK {
		t.Fatalf("clean run: exit %d: %s", code, errOut)
	}
	want := fingerprint(t, clean)

	killed := 0
	for _, delay := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond} {
		data := t.TempDir()
		args, _ := json.Marshal([]string{"ingest", "--json", "--commit-every", "3000", "--workers", "2", "--data", data, in})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "TRAILHOUND_TEST_MAIN=1", "TRAILHOUND_TEST_ARGS="+string(args))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err == nil {
			t.Logf("ingest finished before %v; not a kill", delay)
		} else {
			killed++
		}
		// The store opens after the kill and holds whole objects only.
		st, err := duckdb.Open(context.Background(), data, nil)
		if err != nil {
			t.Fatalf("after kill at %v the store does not open: %v", delay, err)
		}
		var partial, events int64
		st.DB().QueryRow(`SELECT count(*) FROM (SELECT o.object_id FROM objects o LEFT JOIN events e USING (object_id) GROUP BY o.object_id HAVING count(e.event_id) <> any_value(o.records))`).Scan(&partial)
		st.DB().QueryRow(`SELECT count(*) FROM events`).Scan(&events)
		st.Close()
		if partial != 0 {
			t.Errorf("after kill at %v: %d objects stored partly", delay, partial)
		}
		if events%400 != 0 {
			t.Errorf("after kill at %v: %d events, not a whole number of objects", delay, events)
		}
		code, _, errOut := run(t, "ingest", "--json", "--data", data, in)
		if code != exitOK {
			t.Fatalf("resume after kill at %v: exit %d: %s", delay, code, errOut)
		}
		if got := fingerprint(t, data); got != want {
			t.Errorf("kill at %v then resume: the graph differs from a clean run", delay)
		}
	}
	if killed < 2 {
		t.Errorf("only %d of the runs were killed mid-ingest; the corpus is too small for this machine", killed)
	}
}

// TestGenOnlyDays writes one day of a two-day span, and refuses days
// outside the span.
func TestGenOnlyDays(t *testing.T) {
	out := t.TempDir()
	if code, _, errOut := run(t, "gen", "--out", out, "--days", "2", "--start", "2026-04-06", "--scale", "2000", "--accounts", "3", "--only-days", "2-2"); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, errOut)
	}
	days := map[string]int{}
	filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, "/CloudTrail/") {
			rel, _ := filepath.Rel(out, p)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			days[strings.Join(parts[len(parts)-4:len(parts)-1], "-")]++
		}
		return nil
	})
	// The last minutes of a day are delivered in files of the next.
	if days["2026-04-06"] != 0 || days["2026-04-07"] < 100 || len(days) > 2 {
		t.Errorf("CloudTrail files by day %v, want 2026-04-07's", days)
	}
	for _, bad := range []string{"0-1", "2-3", "2-1", "x"} {
		if code, _, _ := run(t, "gen", "--out", t.TempDir(), "--days", "2", "--only-days", bad); code != exitUsage {
			t.Errorf("--only-days %s: exit %d", bad, code)
		}
	}
}
