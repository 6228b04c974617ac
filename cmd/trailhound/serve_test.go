package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/objstore/s3test"
)

// syncBuffer is a bytes.Buffer the command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is serve started through Main for a test.
type served struct {
	url            string
	stdout, stderr *syncBuffer
	exit           chan struct{} // closed when Main returned, code set
	code           int
	cancel         context.CancelFunc
}

// startServe runs serve over data, on port 0 with extra flags, through
// Main, and waits for its URL. Serve stops when the test ends, unless
// stop stopped it before.
func startServe(t *testing.T, data string, extra ...string) *served {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exit: make(chan struct{}), cancel: cancel}
	args := append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0", "--ready-file", ready}, extra...)
	go func() {
		defer close(s.exit)
		s.code = Main(ctx, args, strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() { s.stop(t) })
	for deadline := time.Now().Add(30 * time.Second); s.url == "" && time.Now().Before(deadline); {
		select {
		case <-s.exit:
			t.Fatalf("serve exited with %d: %s", s.code, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if b, err := os.ReadFile(ready); err == nil {
			s.url = strings.TrimSpace(string(b))
		}
	}
	if s.url == "" {
		t.Fatalf("serve did not report its address: %s", s.stderr.String())
	}
	return s
}

// aliceCalls counts the incident's calls by alice, from the records.
func aliceCalls(t *testing.T) client.Counts {
	t.Helper()
	var want client.Counts
	for _, r := range analysistest.Records(t) {
		if r.PrincipalID == analysistest.AliceID {
			if r.Failed {
				want.Failure++
			} else {
				want.Success++
			}
		}
	}
	return want
}

// waitForCalls polls an entity's API call volume until its totals are
// want, for up to a minute, and returns the last totals read.
func waitForCalls(t *testing.T, c *client.Client, ref trailhound.EntityRef, scope client.Scope, want client.Counts) client.Counts {
	t.Helper()
	var got client.Counts
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v, err := c.APICallVolume(context.Background(), ref, scope); err == nil {
			if got = v.Totals; got == want {
				break
			}
		}
	}
	return got
}

// stop stops serve and returns its exit status.
func (s *served) stop(t *testing.T) int {
	s.cancel()
	select {
	case <-s.exit:
	case <-time.After(15 * time.Second):
		t.Error("serve did not stop")
		return -1
	}
	return s.code
}

// TestServe ingests the multi-source incident, starts the command's Main
// with serve on port 0, and asks it the investigator's questions through
// the Go client. Expected numbers come from the input records, read
// independently of the decoder and the store.
func TestServe(t *testing.T) {
	data := t.TempDir()
	analysistest.Ingest(t, data)
	ctx := context.Background()
	srv := startServe(t, data)
	url, stdout, stderr := srv.url, srv.stdout, srv.stderr
	if !strings.Contains(stdout.String(), url) {
		t.Errorf("stdout %q does not print the URL %s", stdout.String(), url)
	}
	c, err := client.New(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	records := analysistest.Records(t)
	day := client.Scope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()}
	alice := trailhound.EntityRef{Type: trailhound.AwsUser, ID: analysistest.AliceID}
	session := trailhound.EntityRef{Type: trailhound.AwsRoleSession, ID: analysistest.SessionID}

	t.Run("alice api call volume", func(t *testing.T) {
		want := aliceCalls(t)
		v, err := c.APICallVolume(ctx, alice, day)
		if err != nil {
			t.Fatal(err)
		}
		if v.Totals != want || want.Success != 4 {
			t.Errorf("totals %+v, want %+v", v.Totals, want)
		}
		var sum client.Counts
		for _, b := range v.Buckets {
			sum.Success += b.Success
			sum.Failure += b.Failure
		}
		if sum != want || len(v.Buckets) != 24 {
			t.Errorf("%d buckets summing to %+v", len(v.Buckets), sum)
		}
	})

	t.Run("new geolocations", func(t *testing.T) {
		g, err := c.NewGeolocations(ctx, alice, client.Scope{Start: time.Date(2026, 11, 1, 10, 30, 0, 0, time.UTC).Unix(), End: time.Date(2026, 11, 1, 11, 30, 0, 0, time.UTC).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		// alice signed in from London in the baseline; the GetObject from
		// Linköping is new for her, not for the account (her session was
		// there first); the IPv6 ListBuckets has no known place.
		if len(g.Locations) != 1 || g.Locations[0].City != "Linköping" || g.Locations[0].Success != 1 || g.Locations[0].IsNewForEntireAccount ||
			g.Unlocated != (client.Counts{Success: 1}) {
			t.Errorf("new geolocations %+v", g)
		}
	})

	t.Run("failed AttachUserPolicy of the session", func(t *testing.T) {
		d, err := c.ActivityDetails(ctx, session, day, client.ActivityOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var row *client.ActivityRow
		for _, r := range d.ByAPI {
			if r.Label == "iam.amazonaws.com:AttachUserPolicy" {
				row = r
			}
		}
		if row == nil || row.Failure != 1 || row.Success != 0 {
			t.Fatalf("AttachUserPolicy row %+v", row)
		}
		ip := row.Children[0]
		key := ip.Children[0]
		if ip.Entity.ID != "89.160.20.112" || key.Entity.ID != "ASIAEXAMPLESESSION01" || key.Failure != 1 {
			t.Errorf("AttachUserPolicy path %+v → %+v", ip, key)
		}
		// The same call through a filter on the failed API's hour.
		f, err := c.ActivityDetails(ctx, session, day, client.ActivityOptions{Bucket: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).Unix(),
			Filters: map[string]string{"apiContains": "Attach", "ip": "89.160.20.0/24"}})
		if err != nil {
			t.Fatal(err)
		}
		if f.Totals != (client.Counts{Failure: 1}) {
			t.Errorf("filtered totals %+v", f.Totals)
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, q := range []string{"10.0.0.0/16", "10.0.*.*"} {
			res, err := c.Search(ctx, client.SearchParams{Type: trailhound.IPAddress, Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range res.Results {
				ids = append(ids, r.ID)
			}
			if !cmp.Equal(ids, []string{"10.0.2.7", "10.0.1.25"}) {
				t.Errorf("%s: %q", q, ids)
			}
		}
		res, err := c.Search(ctx, client.SearchParams{Q: "*alice*"})
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, r := range res.Results {
			found = append(found, trailhound.EntityRef{Type: r.Type, ID: r.ID}.String())
		}
		// Case-insensitive: alice's access key id matches too.
		want := []string{"AwsUser/" + analysistest.AliceID, "AwsRoleSession/" + analysistest.SessionID, "AccessKey/AKIAEXAMPLEALICE0001"}
		if !cmp.Equal(found, want) || res.Total != 3 {
			t.Errorf("*alice*: %q, want %q", found, want)
		}
		if _, err := c.Search(ctx, client.SearchParams{Q: "10.0.0.0/40"}); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("bad CIDR: %v", err)
		}
	})

	t.Run("finding", func(t *testing.T) {
		f, err := c.Finding(ctx, analysistest.FindingID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range f.Entities {
			got = append(got, trailhound.EntityRef{Type: e.Type, ID: e.ID}.String())
		}
		want := []string{"AwsAccount/111122223333", "Ec2Instance/i-0abc1234def567890", "IpAddress/10.0.1.25", "IpAddress/198.51.100.77"}
		if !cmp.Equal(got, want) {
			t.Errorf("involved %q, want %q", got, want)
		}
		af, err := c.AssociatedFindings(ctx, trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID}, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(af.Findings) != 1 || af.Findings[0].ID != analysistest.FindingID || af.Findings[0].Scope != f.DefaultScope {
			t.Errorf("associated findings %+v", af.Findings)
		}
		// Every involved entity is a working link.
		for _, e := range f.Entities {
			if _, err := c.Entity(ctx, trailhound.EntityRef{Type: e.Type, ID: e.ID}); err != nil {
				t.Errorf("%s/%s: %v", e.Type, e.ID, err)
			}
		}
	})

	t.Run("raw events of the session", func(t *testing.T) {
		got, err := c.Events(ctx, session, day, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want, gotS []string
		for _, r := range records {
			if r.PrincipalID == analysistest.SessionID {
				want = append(want, string(r.Raw))
			}
		}
		for _, g := range got {
			gotS = append(gotS, string(g))
		}
		if len(want) != 3 || !cmp.Equal(gotS, want) {
			t.Errorf("raw events:\n%s", cmp.Diff(want, gotS))
		}
		// The record behind the failed call alone.
		failed, err := c.Events(ctx, session, day, map[string]string{"api": "AttachUserPolicy"})
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || string(failed[0]) != want[1] {
			t.Errorf("failed call's record: %s", failed)
		}
	})

	t.Run("hostile strings", func(t *testing.T) {
		e, err := c.Entity(ctx, trailhound.EntityRef{Type: trailhound.UserAgent, ID: analysistest.HostileUA})
		if err != nil {
			t.Fatal(err)
		}
		u, err := c.Entity(ctx, trailhound.EntityRef{Type: trailhound.AwsUser, ID: analysistest.HostileID})
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != analysistest.HostileUA || u.ARN != analysistest.HostileARN {
			t.Errorf("got %q and %q", e.ID, u.ARN)
		}
	})

	t.Run("unknown entity", func(t *testing.T) {
		_, err := c.Entity(ctx, trailhound.EntityRef{Type: trailhound.AwsUser, ID: "AIDANOBODY"})
		if trailhound.ErrorCode(err) != trailhound.ENOTFOUND {
			t.Errorf("got %v", err)
		}
	})

	if code := srv.stop(t); code != exitOK {
		t.Errorf("serve exited with %d: %s", code, stderr.String())
	}
	// Logs are JSON lines with constant messages.
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	var msgs []string
	for sc.Scan() {
		var line struct{ Msg string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("log line is not JSON: %s", sc.Text())
		}
		msgs = append(msgs, line.Msg)
	}
	if len(msgs) < 3 || msgs[0] != "serving" || msgs[len(msgs)-1] != "stopped" {
		t.Errorf("log messages %q", msgs)
	}
}

// TestServeUsage checks the flag errors of serve.
func TestServeUsage(t *testing.T) {
	if code, _, _ := run(t, "serve", "extra"); code != exitUsage {
		t.Errorf("extra argument: exit %d", code)
	}
	if code, _, _ := run(t, "serve", "--baseline", "1m"); code != exitUsage {
		t.Errorf("short baseline: exit %d", code)
	}
	if code, _, errOut := run(t, "serve", "--ingest", t.TempDir(), "--ingest-every", "10ms"); code != exitUsage || !strings.Contains(errOut, "--ingest-every") {
		t.Errorf("short ingest interval: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "serve", "--ingest", t.TempDir(), "--ingest-full-every", "-1h"); code != exitUsage || !strings.Contains(errOut, "--ingest-full-every") {
		t.Errorf("negative full listing interval: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "serve", "--ingest", filepath.Join(t.TempDir(), "missing")); code != exitUsage || !strings.Contains(errOut, "--ingest") {
		t.Errorf("missing ingest folder: exit %d %s", code, errOut)
	}
	if code, out, _ := run(t, "serve", "--help"); code != exitOK || !strings.Contains(out, "--ready-file") && !strings.Contains(out, "ready-file") {
		t.Errorf("help: exit %d %s", code, out)
	}
}

// TestServeIngests starts serve over an empty data directory following an
// empty folder, then delivers the incident's files into the folder, as
// AWS delivers logs to a bucket: serve ingests them while it serves, and
// the numbers it answers are the records', counted once however many
// times the folder is listed again.
func TestServeIngests(t *testing.T) {
	t.Setenv("TRAILHOUND_LOG_LEVEL", "debug")
	data, logs := t.TempDir(), t.TempDir()
	ctx := context.Background()
	srv := startServe(t, data, "--ingest", logs, "--ingest-every", "1s")
	url, stderr := srv.url, srv.stderr
	c, err := client.New(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := trailhound.EntityRef{Type: trailhound.AwsUser, ID: analysistest.AliceID}
	day := client.Scope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()}
	if _, err := c.APICallVolume(ctx, alice, day); err == nil {
		t.Fatal("alice is known before her logs were delivered")
	}
	want := aliceCalls(t)
	// Delivered at once (written aside, the folder renamed in), as S3
	// shows an object only once it is complete.
	staging := t.TempDir()
	analysistest.WriteFiles(t, staging, analysistest.Incident)
	tops, err := os.ReadDir(staging)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tops {
		if err := os.Rename(filepath.Join(staging, e.Name()), filepath.Join(logs, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	// A file that cannot be read fails once, and is not read again while
	// it stays as it is.
	// (Written aside and renamed in, so that no run sees it half written.)
	aside := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(aside, []byte("not a log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(aside, filepath.Join(logs, "notes.txt")); err != nil {
		t.Fatal(err)
	}

	// finished counts the runs logged so far, the objects they stored, and
	// the objects the last one found unchanged.
	var failedBefore, failures, fullListings int
	finished := func() (runs, stored, unchanged int) {
		failures, fullListings = 0, 0
		for _, line := range strings.Split(stderr.String(), "\n") {
			var m struct {
				Msg          string `json:"msg"`
				Stored       int    `json:"stored"`
				Unchanged    int    `json:"unchanged"`
				FailedBefore int    `json:"failed_before"`
				FullListing  bool   `json:"full_listing"`
			}
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "ingest_finished" {
				runs++
				if m.FullListing {
					fullListings++
				}
				stored += m.Stored
				unchanged, failedBefore = m.Unchanged, m.FailedBefore
			}
			if strings.Contains(line, `"object_failed"`) {
				failures++
			}
		}
		return runs, stored, unchanged
	}
	if got := waitForCalls(t, c, alice, day, want); got != want || want.Success == 0 {
		t.Fatalf("alice's calls %+v once her logs were delivered, want %+v; log:\n%s", got, want, stderr.String())
	}
	// Once a run finds every delivered file unchanged (they may have been
	// stored over several runs, as they arrived), two more runs list the
	// same objects again and change nothing.
	var runs, stored, unchanged int
	for deadline := time.Now().Add(30 * time.Second); unchanged != len(analysistest.Incident) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		runs, stored, unchanged = finished()
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n, _, _ := finished(); n >= runs+2 {
			break
		}
	}
	if n, s, last := finished(); n < runs+2 || stored == 0 || s != stored || last != len(analysistest.Incident) {
		t.Errorf("%d runs after the first that found the %d files unchanged (%d stored by then), %d stored in all, %d unchanged in the last",
			n-runs, len(analysistest.Incident), stored, s, last)
	}
	// Only the first listing (of the empty folder) lists it whole.
	if fullListings != 1 {
		t.Errorf("%d full listings, want 1", fullListings)
	}
	if failures != 1 || failedBefore != 1 {
		t.Errorf("the unreadable file failed %d times, and was passed over by the last run %d times; want 1 and 1", failures, failedBefore)
	}
	if v, err := c.APICallVolume(ctx, alice, day); err != nil || v.Totals != want {
		t.Errorf("alice's calls after listing again: %+v, %v", v, err)
	}
	if code := srv.stop(t); code != exitOK {
		t.Errorf("serve exited with %d: %s", code, stderr.String())
	}
}

// TestServeIngestsS3 follows a prefix of a real S3-compatible server:
// logs put in the bucket while serve runs are answered for.
func TestServeIngestsS3(t *testing.T) {
	s3srv := s3test.Start(t)
	bucket := s3srv.Bucket(t, "trail-logs")
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	ctx := context.Background()
	srv := startServe(t, t.TempDir(), "--ingest", "s3://"+bucket+"/org", "--ingest-every", "1s",
		"--s3-endpoint", s3srv.Endpoint, "--s3-region", s3srv.Region, "--s3-path-style")
	c, err := client.New(srv.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := trailhound.EntityRef{Type: trailhound.AwsUser, ID: analysistest.AliceID}
	day := client.Scope{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()}
	want := aliceCalls(t)
	local := t.TempDir()
	analysistest.WriteFiles(t, local, analysistest.Incident)
	w, err := objstore.NewWriter(ctx, "s3://"+bucket+"/org", s3srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range analysistest.Incident {
		p := filepath.Join(local, filepath.FromSlash(f.Path))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Put(ctx, f.Path, bytes.NewReader(b), int64(len(b))); err != nil {
			t.Fatal(err)
		}
	}
	if got := waitForCalls(t, c, alice, day, want); got != want || want.Success == 0 {
		t.Fatalf("alice's calls %+v once her logs were put in the bucket, want %+v; log:\n%s", got, want, srv.stderr.String())
	}
	if code := srv.stop(t); code != exitOK {
		t.Errorf("serve exited with %d: %s", code, srv.stderr.String())
	}
}
