// Package objstore is where ingestion gets its input and the synthetic log
// generator puts its output: it lists and opens the objects under a local
// folder or an S3 location (AWS or any S3-compatible server), and writes
// objects to either.
//
// A location is a local path (a directory, walked recursively, or a single
// file) or "s3://bucket/prefix". Objects are always listed in lexical byte
// order of their Key, so that ingestion can record the last key it finished
// as a checkpoint and later resume strictly after it. Nothing here looks at
// the content or the names of objects beyond that: recognizing formats is
// the job of the decoders in internal/source.
package objstore

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// Object describes one object of a store, as listed.
type Object struct {
	// URI names the object across stores: the cleaned absolute path of a
	// local file (not a file:// URL), or "s3://bucket/key".
	URI string
	// Key is the object's name in the layout that source detection reads:
	// for local files the slash-separated path relative to the directory
	// given to Parse (the base name when a single file was given), for S3
	// the full object key.
	Key string
	// Size is the object's length in bytes.
	Size int64
	// ModTime is when the object was last written, in UTC.
	ModTime time.Time
	// ETag is the S3 entity tag without its quotes; it is empty for local
	// files.
	ETag string
}

// Lister enumerates the objects of a store.
type Lister interface {
	// List calls fn for every object whose Key sorts strictly after
	// after ("" lists from the start), in lexical byte order of Key. If fn
	// returns an error, List stops and returns that error unchanged; a
	// cancelled ctx stops it with ctx's error.
	List(ctx context.Context, after string, fn func(Object) error) error
}

// Opener reads the content of objects.
type Opener interface {
	// Open returns a stream of the object's content exactly as stored,
	// without decompression. The caller must close it. Open uses o.URI
	// when it is set and otherwise o.Key relative to the store, so an
	// Object rebuilt from a checkpoint needs only one of them.
	Open(ctx context.Context, o Object) (io.ReadCloser, error)
}

// Store lists and opens the objects at one location. Stores are safe for
// concurrent use, so that several objects can be read at once.
type Store interface {
	Lister
	Opener
}

// Writer stores objects at one location. Writers are safe for concurrent
// use.
type Writer interface {
	// Put writes the content of r as the object key, a slash-separated
	// relative path without "." or ".." elements, replacing any object of
	// that name. size is the content's length in bytes, or -1 when it is
	// unknown; a known size that r does not match is an error. Readers
	// never see a partly written object: local files are written to a
	// hidden temporary file in the same directory and renamed into place,
	// and S3 stores an object only once its upload completed.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
}

// Options configure access to S3. Local paths ignore them. Every field is
// optional: the zero value uses the standard AWS configuration of the
// environment (AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE, the shared
// config and credentials files, and the rest of the AWS SDK's credential
// chain).
type Options struct {
	// Endpoint is the base URL of an S3-compatible server, such as
	// "http://127.0.0.1:7070". Empty means AWS_ENDPOINT_URL_S3,
	// AWS_ENDPOINT_URL or endpoint_url from the shared config, and
	// otherwise AWS itself.
	Endpoint string
	// Region signs the requests. Empty means AWS_REGION, AWS_DEFAULT_REGION
	// or the profile's region, and "us-east-1" if none is set. On AWS it
	// must be the bucket's region.
	Region string
	// PathStyle addresses buckets as http://host/bucket/key instead of
	// http://bucket.host/key. Most S3-compatible servers need it; AWS
	// does not.
	PathStyle bool
	// Anonymous sends unsigned requests, for public buckets. It takes
	// precedence over credentials.
	Anonymous bool
	// AccessKeyID and SecretAccessKey, when AccessKeyID is set, are used
	// instead of the credential chain.
	AccessKeyID     string
	SecretAccessKey string
	// ListPageSize is the most keys asked for per listing request; zero
	// means the server's default, 1000 on AWS.
	ListPageSize int
}

// Parse returns the Store at location: "s3://bucket/prefix" for S3, or
// else a local path. A local directory is walked recursively; a local
// file is a store holding that one object. Parse checks that a local path
// exists, but does not contact S3: access errors surface on first use.
//
// A local directory lists regular files only, skips names starting with
// "." below it (hidden files, and the temporary files of Put), and follows
// symbolic links except those that would loop or lead nowhere.
//
// An S3 prefix names a folder or an object: "s3://b/logs" holds the
// object "logs" and the objects under "logs/", but not "logs2/x". A
// prefix ending in "/" is used as is.
func Parse(ctx context.Context, location string, opts Options) (Store, error) {
	bucket, prefix, isS3, err := splitLocation(location)
	if err != nil {
		return nil, err
	}
	if isS3 {
		return newS3Store(ctx, bucket, prefix, opts)
	}
	return newLocalStore(location)
}

// NewWriter returns a Writer that puts objects under location:
// "s3://bucket/prefix" or a local directory, created if missing. Keys are
// joined to the prefix or directory with "/".
func NewWriter(ctx context.Context, location string, opts Options) (Writer, error) {
	bucket, prefix, isS3, err := splitLocation(location)
	if err != nil {
		return nil, err
	}
	if isS3 {
		return newS3Writer(ctx, bucket, prefix, opts)
	}
	return newDirWriter(location)
}

// splitLocation tells S3 locations from local paths and rejects other URL
// schemes, which would otherwise be taken for relative paths.
func splitLocation(location string) (bucket, prefix string, isS3 bool, err error) {
	if location == "" {
		return "", "", false, trailhound.Errorf(trailhound.EINVALID, "empty location: want a path or s3://bucket/prefix")
	}
	scheme, rest, ok := strings.Cut(location, "://")
	if !ok || !isScheme(scheme) {
		return "", "", false, nil
	}
	if !strings.EqualFold(scheme, "s3") {
		return "", "", false, trailhound.Errorf(trailhound.EINVALID, "unsupported location %s: want a path or s3://bucket/prefix", location)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", false, trailhound.Errorf(trailhound.EINVALID, "invalid location %s: no bucket name; want s3://bucket/prefix", location)
	}
	return bucket, prefix, true, nil
}

// isScheme reports whether s has the syntax of a URL scheme of at least
// two characters; one letter is a Windows drive ("C://x" is a path).
func isScheme(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// checkKey rejects keys that Put could not store the same way locally and
// on S3, or that would escape the writer's directory.
func checkKey(key string) error {
	if key == "." || !fs.ValidPath(key) || !filepath.IsLocal(filepath.FromSlash(key)) {
		return trailhound.Errorf(trailhound.EINVALID, "invalid object key %q: want a relative slash-separated path without empty, . or .. elements", key)
	}
	return nil
}

// userError is a failure a user can act on that keeps its cause: errors.As
// finds the *trailhound.Error (code and message) and errors.Is the cause,
// such as fs.ErrNotExist. Its text is the message alone, which is written
// to be complete.
type userError struct {
	err   *trailhound.Error
	cause error
}

func (e *userError) Error() string   { return e.err.Message }
func (e *userError) Unwrap() []error { return []error{e.err, e.cause} }

func userErrorf(cause error, code, format string, args ...any) error {
	return &userError{err: trailhound.Errorf(code, format, args...), cause: cause}
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// errSizeMismatch is wrapped by Put when the content is not as long as
// announced, which usually means a truncated source.
var errSizeMismatch = errors.New("content length differs from the size given")
