package objstore_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/objstore/s3test"
)

// TestS3 runs against one server; each case uses its own bucket.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()

	parse := func(t *testing.T, loc string, opts objstore.Options) objstore.Store {
		t.Helper()
		s, err := objstore.Parse(ctx, loc, opts)
		if err != nil {
			t.Fatalf("Parse(%s): %v", loc, err)
		}
		return s
	}
	writer := func(t *testing.T, loc string) objstore.Writer {
		t.Helper()
		w, err := objstore.NewWriter(ctx, loc, srv.Options())
		if err != nil {
			t.Fatalf("NewWriter(%s): %v", loc, err)
		}
		return w
	}
	put := func(t *testing.T, w objstore.Writer, key, content string) {
		t.Helper()
		if err := w.Put(ctx, key, strings.NewReader(content), int64(len(content))); err != nil {
			t.Fatalf("Put(%s): %v", key, err)
		}
	}

	t.Run("PutListOpen", func(t *testing.T) {
		bucket := srv.Bucket(t, "put-list-open")
		w := writer(t, "s3://"+bucket+"/logs")
		files := []string{"b/c.json.gz", "a.json", "b.json", "a/b/c/d.json", "b-c"}
		for _, k := range files {
			put(t, w, k, "content of "+k)
		}
		s := parse(t, "s3://"+bucket+"/logs", srv.Options())
		got := listAll(t, s, "")
		var want []string
		for _, k := range files {
			want = append(want, "logs/"+k)
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, keys(got)); diff != "" {
			t.Fatalf("keys (-want +got):\n%s", diff)
		}
		for _, o := range got {
			content := "content of " + strings.TrimPrefix(o.Key, "logs/")
			sum := md5.Sum([]byte(content))
			if o.URI != "s3://"+bucket+"/"+o.Key {
				t.Errorf("URI = %q", o.URI)
			}
			if o.Size != int64(len(content)) {
				t.Errorf("%s: Size = %d, want %d", o.Key, o.Size, len(content))
			}
			if o.ETag != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: ETag = %q, want the MD5 of the content without quotes", o.Key, o.ETag)
			}
			if o.ModTime.Location() != time.UTC || time.Since(o.ModTime) > time.Hour {
				t.Errorf("%s: ModTime = %v, want a recent UTC time", o.Key, o.ModTime)
			}
			if c := readAll(t, s, o); c != content {
				t.Errorf("content of %s = %q, want %q", o.Key, c, content)
			}
			// From the key alone, as after a restart from a checkpoint.
			if c := readAll(t, s, objstore.Object{Key: o.Key}); c != content {
				t.Errorf("content of %s by key = %q, want %q", o.Key, c, content)
			}
		}
	})

	t.Run("PrefixIsAFolder", func(t *testing.T) {
		bucket := srv.Bucket(t, "prefixes")
		w := writer(t, "s3://"+bucket)
		for _, k := range []string{"logs/a", "logs/b/c", "logs2/x", "logs-old/y", "other/z", "top"} {
			put(t, w, k, k)
		}
		for _, tc := range []struct {
			loc  string
			want []string
		}{
			{"s3://" + bucket, []string{"logs-old/y", "logs/a", "logs/b/c", "logs2/x", "other/z", "top"}},
			{"s3://" + bucket + "/", []string{"logs-old/y", "logs/a", "logs/b/c", "logs2/x", "other/z", "top"}},
			{"s3://" + bucket + "/logs", []string{"logs/a", "logs/b/c"}},
			{"s3://" + bucket + "/logs/", []string{"logs/a", "logs/b/c"}},
			{"s3://" + bucket + "/logs/b", []string{"logs/b/c"}},
			{"s3://" + bucket + "/logs/a", []string{"logs/a"}}, // one object
			{"s3://" + bucket + "/log", nil},
			{"s3://" + bucket + "/nothing/here", nil},
		} {
			if diff := cmp.Diff(tc.want, keys(listAll(t, parse(t, tc.loc, srv.Options()), ""))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.loc, diff)
			}
		}
	})

	t.Run("PaginationAndCheckpoints", func(t *testing.T) {
		bucket := srv.Bucket(t, "many")
		// Objects are placed in the server's storage directly: 1,050
		// uploads would be slow, and the listing is what is under test.
		var want []string
		for i := range 1050 {
			key := fmt.Sprintf("AWSLogs/%02d/%04d.json", i%7, i)
			want = append(want, key)
			p := filepath.Join(srv.Dir, bucket, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(key), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(want)

		// The server's default page size (1000) and small pages.
		for _, pageSize := range []int{0, 7, 1000} {
			opts := srv.Options()
			opts.ListPageSize = pageSize
			s := parse(t, "s3://"+bucket+"/AWSLogs", opts)
			if diff := cmp.Diff(want, keys(listAll(t, s, ""))); diff != "" {
				t.Errorf("page size %d (-want +got):\n%s", pageSize, diff)
			}
		}

		opts := srv.Options()
		opts.ListPageSize = 100
		s := parse(t, "s3://"+bucket+"/AWSLogs/", opts)
		for _, after := range []string{want[0], want[99], want[100], want[500], want[1048], want[1049], "AWSLogs/03/", "AWSLogs/03", "AWSLogs", "B"} {
			var w []string
			for _, k := range want {
				if k > after {
					w = append(w, k)
				}
			}
			if diff := cmp.Diff(w, keys(listAll(t, s, after))); diff != "" {
				t.Errorf("after %q (-want +got):\n%s", after, diff)
			}
		}

		// Stopping mid-page returns the callback's error.
		stop := errors.New("stop")
		n := 0
		err := s.List(ctx, "", func(objstore.Object) error {
			n++
			if n == 150 {
				return stop
			}
			return nil
		})
		if err != stop || n != 150 {
			t.Errorf("List stopped with %v after %d objects, want the callback's error after 150", err, n)
		}
	})

	t.Run("SpecialCharacters", func(t *testing.T) {
		bucket := srv.Bucket(t, "special")
		w := writer(t, "s3://"+bucket+"/p q")
		names := []string{
			"space in name.json",
			"plus+sign",
			"percent%20not-escaped",
			"a=b&c=d",
			"question?mark",
			"hash#tag",
			"unicode/é日本🙂.json",
			"paren (1),semi;colon",
			"tilde~quote'bang!star*dollar$at@",
			"brackets[x]{y}",
			"caret^backtick`pipe|",
			"lt<gt>",
		}
		for _, k := range names {
			put(t, w, k, "x"+k)
		}
		s := parse(t, "s3://"+bucket+"/p q", srv.Options())
		got := listAll(t, s, "")
		var want []string
		for _, k := range names {
			want = append(want, "p q/"+k)
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, keys(got)); diff != "" {
			t.Fatalf("keys (-want +got):\n%s", diff)
		}
		for _, o := range got {
			if c := readAll(t, s, o); c != "x"+strings.TrimPrefix(o.Key, "p q/") {
				t.Errorf("content of %q = %q", o.Key, c)
			}
		}
		// A checkpoint with special characters resumes after it.
		if diff := cmp.Diff(want[3:], keys(listAll(t, s, want[2]))); diff != "" {
			t.Errorf("after %q (-want +got):\n%s", want[2], diff)
		}
	})

	t.Run("PutReaders", func(t *testing.T) {
		bucket := srv.Bucket(t, "readers")
		w := writer(t, "s3://"+bucket+"/out/")
		big := bytes.Repeat([]byte("0123456789abcdef"), (9<<20)/16) // beyond the in-memory spool
		cases := []struct {
			key  string
			r    io.Reader
			size int64
			want []byte
		}{
			{"seekable", bytes.NewReader([]byte("seek")), 4, []byte("seek")},
			{"seekable-unknown-size", bytes.NewReader([]byte("seek?")), -1, []byte("seek?")},
			{"stream", io.MultiReader(strings.NewReader("str"), strings.NewReader("eam")), 6, []byte("stream")},
			{"stream-unknown-size", io.MultiReader(strings.NewReader("str"), strings.NewReader("eam?")), -1, []byte("stream?")},
			{"empty", strings.NewReader(""), 0, []byte{}},
			{"big-stream", io.MultiReader(bytes.NewReader(big)), -1, big},
		}
		for _, tc := range cases {
			if err := w.Put(ctx, tc.key, tc.r, tc.size); err != nil {
				t.Fatalf("Put(%s): %v", tc.key, err)
			}
		}
		s := parse(t, "s3://"+bucket+"/out", srv.Options())
		for _, tc := range cases {
			got := readAll(t, s, objstore.Object{URI: "s3://" + bucket + "/out/" + tc.key})
			if !bytes.Equal([]byte(got), tc.want) {
				t.Errorf("%s: got %d bytes, want %d", tc.key, len(got), len(tc.want))
			}
		}
		if err := w.Put(ctx, "short", strings.NewReader("abc"), 4); err == nil {
			t.Error("Put with a wrong size succeeded")
		}
		if err := w.Put(ctx, "short-stream", io.MultiReader(strings.NewReader("abc")), 2); err == nil {
			t.Error("Put of a stream with a wrong size succeeded")
		}
		if err := w.Put(ctx, "../escape", strings.NewReader("abc"), 3); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("Put with an invalid key = %v, want %s", err, trailhound.EINVALID)
		}
		names := keys(listAll(t, s, ""))
		if slices.Contains(names, "out/short") || slices.Contains(names, "out/short-stream") {
			t.Errorf("failed puts left objects: %q", names)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		s := parse(t, "s3://no-such-bucket/logs", srv.Options())
		err := s.List(ctx, "", func(objstore.Object) error { return nil })
		wantError(t, err, trailhound.ENOTFOUND, "s3://no-such-bucket/logs", "bucket no-such-bucket does not exist", srv.Endpoint, "check the bucket name and the endpoint")

		_, err = s.Open(ctx, objstore.Object{Key: "logs/x.json"})
		wantError(t, err, trailhound.ENOTFOUND, "s3://no-such-bucket/logs/x.json")

		w := writer(t, "s3://no-such-bucket/logs")
		wantError(t, w.Put(ctx, "k", strings.NewReader("v"), 1), trailhound.ENOTFOUND, "s3://no-such-bucket/logs/k")
	})

	t.Run("MissingKey", func(t *testing.T) {
		bucket := srv.Bucket(t, "missing-key")
		s := parse(t, "s3://"+bucket, srv.Options())
		_, err := s.Open(ctx, objstore.Object{Key: "not/there.json"})
		wantError(t, err, trailhound.ENOTFOUND, "s3://"+bucket+"/not/there.json", "no such object")
	})

	t.Run("BadCredentials", func(t *testing.T) {
		bucket := srv.Bucket(t, "secret")
		put(t, writer(t, "s3://"+bucket), "k", "v")
		for name, change := range map[string]func(*objstore.Options){
			"wrong secret":     func(o *objstore.Options) { o.SecretAccessKey = "wrong" },
			"unknown key":      func(o *objstore.Options) { o.AccessKeyID = "nobody" },
			"anonymous access": func(o *objstore.Options) { o.Anonymous = true },
		} {
			opts := srv.Options()
			change(&opts)
			s := parse(t, "s3://"+bucket, opts)
			err := s.List(ctx, "", func(objstore.Object) error { return nil })
			wantError(t, err, trailhound.EUNAUTHORIZED, "s3://"+bucket+"/")
			if name == "anonymous access" {
				wantError(t, err, trailhound.EUNAUTHORIZED, "anonymous")
			} else {
				wantError(t, err, trailhound.EUNAUTHORIZED, "check the access key and secret given", srv.Endpoint)
			}
			_, err = s.Open(ctx, objstore.Object{Key: "k"})
			wantError(t, err, trailhound.EUNAUTHORIZED, "s3://"+bucket+"/k")
			w, err := objstore.NewWriter(ctx, "s3://"+bucket, opts)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, w.Put(ctx, "new", strings.NewReader("v"), 1), trailhound.EUNAUTHORIZED, "s3://"+bucket+"/new")
		}
	})
}

func TestS3Unreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	s, err := objstore.Parse(context.Background(), "s3://bucket/prefix", objstore.Options{
		Endpoint: endpoint, PathStyle: true, AccessKeyID: "k", SecretAccessKey: "s",
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.List(context.Background(), "", func(objstore.Object) error { return nil })
	wantError(t, err, trailhound.EINVALID, "s3://bucket/prefix", "cannot reach the S3 endpoint", endpoint, "AWS_ENDPOINT_URL")
}

// TestS3WrongRegion checks the message for a bucket in another region,
// from a server that answers the way AWS does.
func TestS3WrongRegion(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Bucket-Region", "eu-west-3")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMovedPermanently)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>trail</Bucket></Error>`)
	}))
	defer srv.Close()
	s, err := objstore.Parse(context.Background(), "s3://trail/AWSLogs", objstore.Options{
		Endpoint: srv.URL, Region: "us-east-1", PathStyle: true, AccessKeyID: "k", SecretAccessKey: "s",
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.List(context.Background(), "", func(objstore.Object) error { return nil })
	wantError(t, err, trailhound.EINVALID, "s3://trail/AWSLogs", "region eu-west-3", "AWS_REGION=eu-west-3")
}

func TestS3InvalidOptions(t *testing.T) {
	for _, endpoint := range []string{"127.0.0.1:7070", "ftp://host", "http://"} {
		_, err := objstore.Parse(context.Background(), "s3://b/p", objstore.Options{Endpoint: endpoint})
		wantError(t, err, trailhound.EINVALID, "invalid S3 endpoint")
	}
}
