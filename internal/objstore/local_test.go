package objstore_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/objstore"
)

// writeFiles creates files under root from slash-separated names; each
// file holds its own name.
func writeFiles(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, name := range names {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listAll returns every object of s after the checkpoint.
func listAll(t *testing.T, s objstore.Lister, after string) []objstore.Object {
	t.Helper()
	var got []objstore.Object
	if err := s.List(context.Background(), after, func(o objstore.Object) error {
		got = append(got, o)
		return nil
	}); err != nil {
		t.Fatalf("List(after=%q): %v", after, err)
	}
	return got
}

func keys(objs []objstore.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func readAll(t *testing.T, s objstore.Opener, o objstore.Object) string {
	t.Helper()
	rc, err := s.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open(%+v): %v", o, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", o.Key, err)
	}
	return string(b)
}

// wantError checks the user-facing code and that the message names what
// the user must look at.
func wantError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := trailhound.ErrorCode(err); got != code {
		t.Errorf("ErrorCode(%v) = %s, want %s", err, got, code)
	}
	msg := trailhound.ErrorMessage(err)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

func TestLocalListNestedInKeyOrder(t *testing.T) {
	root := t.TempDir()
	// Walk order and key order differ here: "a-c.json" sorts before
	// "a/..." because '-' < '/', and "a/b.json" before "a/b/c.gz"
	// because '.' < '/'.
	files := []string{
		"a/b/c.gz",
		"a/b.json",
		"a/b0",
		"a-c.json",
		"A.txt",
		"z/y/x/w/v.log",
		"with space/é 日本.json",
		"a/b/d/e/f.json.gz",
		"noext",
	}
	writeFiles(t, root, files...)
	// Hidden names are skipped at every level, and so are non-regular files.
	writeFiles(t, root, ".git/HEAD", "a/.swp", "a/b/.hidden/x.json", ".DS_Store")

	s, err := objstore.Parse(context.Background(), root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "")
	want := slices.Clone(files)
	slices.Sort(want)
	if diff := cmp.Diff(want, keys(got)); diff != "" {
		t.Fatalf("keys (-want +got):\n%s", diff)
	}
	for _, o := range got {
		wantURI := filepath.Join(root, filepath.FromSlash(o.Key))
		if o.URI != wantURI {
			t.Errorf("URI = %q, want %q", o.URI, wantURI)
		}
		if o.Size != int64(len(o.Key)) {
			t.Errorf("%s: Size = %d, want %d", o.Key, o.Size, len(o.Key))
		}
		if o.ModTime.Location() != time.UTC || time.Since(o.ModTime) > time.Hour {
			t.Errorf("%s: ModTime = %v, want a recent UTC time", o.Key, o.ModTime)
		}
		if o.ETag != "" {
			t.Errorf("%s: ETag = %q, want empty", o.Key, o.ETag)
		}
		if content := readAll(t, s, o); content != o.Key {
			t.Errorf("content of %s = %q", o.Key, content)
		}
	}

	// A second listing is identical.
	if diff := cmp.Diff(got, listAll(t, s, "")); diff != "" {
		t.Errorf("second listing differs:\n%s", diff)
	}
}

func TestLocalListAfter(t *testing.T) {
	root := t.TempDir()
	files := []string{"a-c", "a/b.json", "a/b/c", "a/b/d/e", "a/b0", "b", "c/d/e/f", "c/d/g"}
	writeFiles(t, root, files...)
	s, err := objstore.Parse(context.Background(), root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Checkpoints at every key, and between and around them, including
	// directory names that are not keys themselves.
	afters := append([]string{"", "0", "a", "a/", "a/b", "a/b/", "a/b/c/", "a/b/d", "a/c", "c/", "c/d/f", "zz"}, files...)
	for _, after := range afters {
		var want []string
		for _, f := range files {
			if f > after {
				want = append(want, f)
			}
		}
		if diff := cmp.Diff(want, keys(listAll(t, s, after))); diff != "" {
			t.Errorf("after %q (-want +got):\n%s", after, diff)
		}
	}
}

func TestLocalSingleFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, "logs/123_CloudTrail_us-east-1.json.gz")
	path := filepath.Join(root, "logs", "123_CloudTrail_us-east-1.json.gz")
	// A relative, uncleaned path is accepted too.
	t.Chdir(root)
	s, err := objstore.Parse(context.Background(), "./logs/../logs/123_CloudTrail_us-east-1.json.gz", objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "")
	if len(got) != 1 {
		t.Fatalf("got %d objects, want 1: %+v", len(got), got)
	}
	o := got[0]
	if o.Key != "123_CloudTrail_us-east-1.json.gz" || o.URI != path || o.Size != int64(len("logs/123_CloudTrail_us-east-1.json.gz")) {
		t.Errorf("object = %+v", o)
	}
	if n := len(listAll(t, s, o.Key)); n != 0 {
		t.Errorf("after its own key: %d objects, want 0", n)
	}
	if content := readAll(t, s, objstore.Object{Key: o.Key}); content != "logs/123_CloudTrail_us-east-1.json.gz" {
		t.Errorf("content = %q", content)
	}
}

func TestLocalMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := objstore.Parse(context.Background(), missing, objstore.Options{})
	wantError(t, err, trailhound.ENOTFOUND)
	if got, want := err.Error(), "no such file or directory: "+missing; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}

	// Objects that vanish after listing report the same way on Open.
	root := t.TempDir()
	writeFiles(t, root, "x.json")
	s, err := objstore.Parse(context.Background(), root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs := listAll(t, s, "")
	if err := os.Remove(objs[0].URI); err != nil {
		t.Fatal(err)
	}
	_, err = s.Open(context.Background(), objs[0])
	wantError(t, err, trailhound.ENOTFOUND, "no such file or directory: "+objs[0].URI)

	// And so does a directory removed after Parse.
	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	wantError(t, s.List(context.Background(), "", func(objstore.Object) error { return nil }), trailhound.ENOTFOUND, root)
}

func TestLocalSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	outside := t.TempDir()
	writeFiles(t, outside, "target.json", "dir/inner.json")
	root := t.TempDir()
	writeFiles(t, root, "real/file.json")
	links := map[string]string{
		"file-link.json":   filepath.Join(outside, "target.json"), // to a file
		"dir-link":         filepath.Join(outside, "dir"),         // to a directory
		"real/loop":        root,                                  // back up the tree: a loop
		"real/self":        ".",                                   // itself: a loop
		"dangling.json":    filepath.Join(outside, "missing"),     // to nothing
		"real/rel-up.json": "../file-link.json",                   // a link to a link
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	s, err := objstore.Parse(context.Background(), root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "")
	want := []string{"dir-link/inner.json", "file-link.json", "real/file.json", "real/rel-up.json"}
	if diff := cmp.Diff(want, keys(got)); diff != "" {
		t.Fatalf("keys (-want +got):\n%s", diff)
	}
	if content := readAll(t, s, got[1]); content != "target.json" {
		t.Errorf("content through link = %q", content)
	}
	if want := filepath.Join(root, "dir-link", "inner.json"); got[0].URI != want {
		t.Errorf("URI = %q, want the path through the link %q", got[0].URI, want)
	}

	// The location itself may be a link.
	linkRoot := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(outside, linkRoot); err != nil {
		t.Fatal(err)
	}
	s, err = objstore.Parse(context.Background(), linkRoot, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dir/inner.json", "target.json"}, keys(listAll(t, s, ""))); diff != "" {
		t.Errorf("through a linked root (-want +got):\n%s", diff)
	}
}

func TestLocalListStops(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, "a", "b/c", "d")
	s, err := objstore.Parse(context.Background(), root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	var seen []string
	err = s.List(context.Background(), "", func(o objstore.Object) error {
		seen = append(seen, o.Key)
		if o.Key == "b/c" {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("List returned %v, want the callback's error unchanged", err)
	}
	if diff := cmp.Diff([]string{"a", "b/c"}, seen); diff != "" {
		t.Errorf("seen (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.List(ctx, "", func(objstore.Object) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestLocalParseErrors(t *testing.T) {
	for _, loc := range []string{"", "gs://bucket/x", "https://example.com/x", "s3://", "s3:///key"} {
		_, err := objstore.Parse(context.Background(), loc, objstore.Options{})
		wantError(t, err, trailhound.EINVALID)
	}
}

func TestLocalPut(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "out", "deeper") // created by NewWriter
	w, err := objstore.NewWriter(ctx, root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, content string, size int64) error {
		return w.Put(ctx, key, strings.NewReader(content), size)
	}
	if err := put("AWSLogs/123/CloudTrail/us-east-1/2026/01/02/x.json.gz", "one", 3); err != nil {
		t.Fatal(err)
	}
	if err := put("top.json", "unknown size", -1); err != nil {
		t.Fatal(err)
	}
	// Overwrite.
	if err := put("top.json", "replaced", 8); err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Parse(ctx, root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "")
	if diff := cmp.Diff([]string{"AWSLogs/123/CloudTrail/us-east-1/2026/01/02/x.json.gz", "top.json"}, keys(got)); diff != "" {
		t.Fatalf("keys (-want +got):\n%s", diff)
	}
	if c := readAll(t, s, got[1]); c != "replaced" {
		t.Errorf("content = %q", c)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(got[1].URI)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want 0644", info.Mode().Perm())
		}
	}

	for _, key := range []string{"", ".", "/abs", "a/../b", "../up", "a//b", "a/", "./a"} {
		wantError(t, put(key, "x", 1), trailhound.EINVALID, "invalid object key")
	}

	// Failed writes leave nothing behind, not even the temporary file.
	if err := put("short.json", "abc", 4); err == nil {
		t.Error("Put with a wrong size succeeded")
	}
	broken := io.MultiReader(strings.NewReader("partial"), errReader{})
	if err := w.Put(ctx, "broken.json", broken, -1); err == nil {
		t.Error("Put from a failing reader succeeded")
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"AWSLogs", "top.json"}, names); diff != "" {
		t.Errorf("directory after failed writes (-want +got):\n%s", diff)
	}

	// A file where the writer's directory should be.
	file := filepath.Join(t.TempDir(), "file")
	writeFiles(t, filepath.Dir(file), "file")
	_, err = objstore.NewWriter(ctx, file, objstore.Options{})
	wantError(t, err, trailhound.EINVALID, "not a directory")
}

// TestLocalPutIsAtomic lists a directory while an object is half written:
// the listing must not show it until Put returns.
func TestLocalPutIsAtomic(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	w, err := objstore.NewWriter(ctx, root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Parse(ctx, root, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- w.Put(ctx, "dir/obj.json", pr, 8) }()
	if _, err := pw.Write([]byte("half")); err != nil {
		t.Fatal(err)
	}
	// The write above returned, so the first half is in the temporary file.
	if got := keys(listAll(t, s, "")); len(got) != 0 {
		t.Errorf("mid-write listing = %q, want nothing", got)
	}
	if _, err := pw.Write([]byte("done")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "")
	if diff := cmp.Diff([]string{"dir/obj.json"}, keys(got)); diff != "" {
		t.Fatalf("keys (-want +got):\n%s", diff)
	}
	if c := readAll(t, s, got[0]); c != "halfdone" {
		t.Errorf("content = %q", c)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "dir"))
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only the object", len(entries))
	}

	// A cancelled Put leaves nothing either.
	cctx, cancel := context.WithCancel(ctx)
	pr, pw = io.Pipe()
	go func() { done <- w.Put(cctx, "dir/cancelled.json", pr, -1) }()
	if _, err := pw.Write([]byte("some")); err != nil {
		t.Fatal(err)
	}
	cancel()
	pw.Close() // the content looks complete, but the context ended first
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Put = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "dir")); len(entries) != 1 {
		t.Errorf("dir holds %d entries after a cancelled Put, want 1", len(entries))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
