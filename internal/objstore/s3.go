package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trailhound/trailhound"
)

// defaultRegion signs requests when nothing configures a region. AWS
// answers a request for a bucket elsewhere with the bucket's region, which
// the error then names; S3-compatible servers mostly accept any region.
const defaultRegion = "us-east-1"

// s3Conn is what S3 stores and writers share: a client and what is needed
// to explain its failures.
type s3Conn struct {
	client    *s3.Client
	bucket    string
	prefix    string
	endpoint  string                  // for messages: the override, or "" for AWS
	region    string                  // for messages
	creds     aws.CredentialsProvider // nil for anonymous access
	credsFrom string                  // where credentials come from, for messages
}

func newS3Conn(ctx context.Context, bucket, prefix string, opts Options) (*s3Conn, error) {
	if opts.Endpoint != "" {
		u, err := url.Parse(opts.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, trailhound.Errorf(trailhound.EINVALID, "invalid S3 endpoint %q: want a URL such as http://127.0.0.1:7070", opts.Endpoint)
		}
	}
	var load []func(*config.LoadOptions) error
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	c := &s3Conn{bucket: bucket, prefix: prefix}
	switch {
	case opts.Anonymous:
		load = append(load, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
		c.credsFrom = "anonymous access"
	case opts.AccessKeyID != "":
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, "")))
		c.credsFrom = "the access key and secret given"
	default:
		c.credsFrom = "the credentials of the AWS credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials, instance or task role)"
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, userErrorf(err, trailhound.EINVALID, "cannot load the AWS configuration: %v: check AWS_PROFILE and ~/.aws/config", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	c.region = cfg.Region
	if !opts.Anonymous {
		c.creds = cfg.Credentials
	}
	switch {
	case opts.Endpoint != "":
		c.endpoint = opts.Endpoint
	case os.Getenv("AWS_ENDPOINT_URL_S3") != "":
		c.endpoint = os.Getenv("AWS_ENDPOINT_URL_S3")
	case cfg.BaseEndpoint != nil:
		c.endpoint = *cfg.BaseEndpoint
	}
	if c.endpoint != "" && cfg.RequestChecksumCalculation == aws.RequestChecksumCalculationUnset {
		// Checksums on every upload are recent on AWS and not understood
		// by every S3-compatible server; send them only where required,
		// unless AWS_REQUEST_CHECKSUM_CALCULATION says otherwise.
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	}
	c.client = s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = opts.PathStyle
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	})
	return c, nil
}

// uri names a key of the bucket.
func (c *s3Conn) uri(key string) string { return "s3://" + c.bucket + "/" + key }

// checkCredentials fails early, and clearly, when the credential chain
// finds nothing: the SDK's own error for that is buried in a request
// error. Credentials are cached, so this costs nothing after the first.
func (c *s3Conn) checkCredentials(ctx context.Context, what string) error {
	if c.creds == nil {
		return nil
	}
	if _, err := c.creds.Retrieve(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return userErrorf(err, trailhound.EUNAUTHORIZED,
			"%s: no AWS credentials: %v: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or use anonymous access for a public bucket", what, err)
	}
	return nil
}

// fail explains a failed request on what (an s3:// URI) in terms of what
// to check. action is the IAM action the request needs.
func (c *s3Conn) fail(ctx context.Context, what, action string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return fmt.Errorf("objstore: %s: %w", what, ctxErr)
	}
	endpoint := c.endpoint
	if endpoint == "" {
		endpoint = "AWS S3 in " + c.region
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return userErrorf(err, trailhound.EINVALID,
			"%s: cannot reach the S3 endpoint (%s): %v: check the endpoint (AWS_ENDPOINT_URL) and the network", what, endpoint, send.Err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("objstore: %s: %w", what, err)
	}
	code, msg := api.ErrorCode(), api.ErrorMessage()
	detail := code
	if msg != "" {
		detail += ": " + msg
	}
	if region := bucketRegion(err); region != "" && region != c.region {
		return userErrorf(err, trailhound.EINVALID,
			"%s: the bucket is in region %s, not %s: set the region (AWS_REGION=%s)", what, region, c.region, region)
	}
	switch code {
	case "NoSuchBucket":
		return userErrorf(err, trailhound.ENOTFOUND,
			"%s: bucket %s does not exist at %s: check the bucket name and the endpoint", what, c.bucket, endpoint)
	case "NoSuchKey", "NotFound":
		return userErrorf(err, trailhound.ENOTFOUND, "%s: no such object", what)
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity",
		"XAdminUserNotFound": // versitygw's answer to an unknown access key, with status 404
		return userErrorf(err, trailhound.EUNAUTHORIZED,
			"%s: %s rejected the credentials (%s): check %s, and that they belong to this endpoint", what, endpoint, detail, c.credsFrom)
	case "AccessDenied", "AllAccessDisabled", "AccountProblem", "Forbidden":
		if c.creds == nil {
			return userErrorf(err, trailhound.EUNAUTHORIZED,
				"%s: access denied (%s): anonymous access needs a public bucket; use credentials otherwise", what, detail)
		}
		return userErrorf(err, trailhound.EUNAUTHORIZED,
			"%s: access denied (%s): check that %s allow %s on it", what, detail, c.credsFrom, action)
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return userErrorf(err, trailhound.EINVALID,
			"%s: the bucket is not in region %s (%s): set the bucket's region (AWS_REGION), or the endpoint of an S3-compatible server", what, c.region, detail)
	}
	// Codes S3-compatible servers invent still come with a standard status.
	switch httpStatus(err) {
	case http.StatusUnauthorized, http.StatusForbidden:
		return userErrorf(err, trailhound.EUNAUTHORIZED,
			"%s: %s refused access (%s): check %s, that they belong to this endpoint, and that they allow %s", what, endpoint, detail, c.credsFrom, action)
	case http.StatusNotFound:
		return userErrorf(err, trailhound.ENOTFOUND, "%s: not found at %s (%s)", what, endpoint, detail)
	}
	return userErrorf(err, trailhound.EINTERNAL, "%s: S3 request failed at %s (%s)", what, endpoint, detail)
}

// httpStatus returns the status of the response that caused err, or 0.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// bucketRegion returns the region AWS says a bucket is in, from the
// header it adds to errors caused by a wrong region.
func bucketRegion(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// inScope reports whether key belongs to the location: the prefix is a
// folder (or one object) unless it ends in "/", in which case any key
// under it does.
func (c *s3Conn) inScope(key string) bool {
	p := c.prefix
	return p == "" || strings.HasSuffix(p, "/") || key == p ||
		(strings.HasPrefix(key, p) && key[len(p)] == '/')
}

// s3Store lists and reads objects under a bucket prefix.
type s3Store struct {
	*s3Conn
	pageSize int32
}

func newS3Store(ctx context.Context, bucket, prefix string, opts Options) (Store, error) {
	c, err := newS3Conn(ctx, bucket, prefix, opts)
	if err != nil {
		return nil, err
	}
	s := &s3Store{s3Conn: c}
	if opts.ListPageSize > 0 {
		s.pageSize = int32(min(opts.ListPageSize, 1<<30))
	}
	return s, nil
}

func (s *s3Store) List(ctx context.Context, after string, fn func(Object) error) error {
	what := s.uri(s.prefix)
	if err := s.checkCredentials(ctx, what); err != nil {
		return err
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket)}
	if s.prefix != "" {
		in.Prefix = aws.String(s.prefix)
	}
	if after != "" {
		in.StartAfter = aws.String(after)
	}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	for {
		out, err := s.client.ListObjectsV2(ctx, in)
		if err != nil {
			return s.fail(ctx, what, "s3:ListBucket", err)
		}
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			// Servers that ignore StartAfter would repeat objects.
			if key <= after || !s.inScope(key) {
				continue
			}
			obj := Object{
				URI:  s.uri(key),
				Key:  key,
				Size: aws.ToInt64(o.Size),
				ETag: strings.Trim(aws.ToString(o.ETag), `"`),
			}
			if o.LastModified != nil {
				obj.ModTime = o.LastModified.UTC()
			}
			if err := fn(obj); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		if out.NextContinuationToken == nil || *out.NextContinuationToken == "" {
			return fmt.Errorf("objstore: list %s: the server said the listing is truncated but gave no continuation token", what)
		}
		in.ContinuationToken = out.NextContinuationToken
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (s *s3Store) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	bucket, key := s.bucket, o.Key
	if o.URI != "" {
		rest, ok := strings.CutPrefix(o.URI, "s3://")
		if !ok {
			return nil, trailhound.Errorf(trailhound.EINVALID, "not an S3 object: %s", o.URI)
		}
		bucket, key, _ = strings.Cut(rest, "/")
	}
	what := "s3://" + bucket + "/" + key
	if bucket == "" || key == "" {
		return nil, trailhound.Errorf(trailhound.EINVALID, "invalid S3 object %s", what)
	}
	if err := s.checkCredentials(ctx, what); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, s.fail(ctx, what, "s3:GetObject", err)
	}
	return out.Body, nil
}

// s3Writer puts objects under a bucket prefix.
type s3Writer struct {
	*s3Conn
}

func newS3Writer(ctx context.Context, bucket, prefix string, opts Options) (Writer, error) {
	c, err := newS3Conn(ctx, bucket, prefix, opts)
	if err != nil {
		return nil, err
	}
	return &s3Writer{s3Conn: c}, nil
}

func (w *s3Writer) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := checkKey(key); err != nil {
		return err
	}
	full := key
	if w.prefix != "" {
		full = strings.TrimSuffix(w.prefix, "/") + "/" + key
	}
	what := w.uri(full)
	if err := w.checkCredentials(ctx, what); err != nil {
		return err
	}
	body, n, cleanup, err := seekable(ctx, r, size)
	if err != nil {
		return fmt.Errorf("objstore: put %s: %w", what, err)
	}
	defer cleanup()
	in := &s3.PutObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(full), Body: body}
	if n >= 0 {
		in.ContentLength = aws.Int64(n)
	}
	if _, err := w.client.PutObject(ctx, in); err != nil {
		return w.fail(ctx, what, "s3:PutObject", err)
	}
	return nil
}

// spoolMemory is how much of an unseekable upload is held in memory before
// the rest goes to a temporary file.
const spoolMemory = 8 << 20

// seekable returns r as an io.ReadSeeker with its length, or -1 if still
// unknown. Signing a request over plain HTTP needs the payload's hash, so
// the SDK must be able to read the body twice; other readers are copied to
// memory, or to a temporary file beyond spoolMemory.
func seekable(ctx context.Context, r io.Reader, size int64) (io.ReadSeeker, int64, func(), error) {
	nothing := func() {}
	if rs, ok := r.(io.ReadSeeker); ok {
		if size < 0 {
			return rs, -1, nothing, nil
		}
		// Check the announced size against what is left to read.
		cur, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, 0, nothing, err
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, 0, nothing, err
		}
		if _, err := rs.Seek(cur, io.SeekStart); err != nil {
			return nil, 0, nothing, err
		}
		if end-cur != size {
			return nil, 0, nothing, fmt.Errorf("%w: got %d bytes, want %d", errSizeMismatch, end-cur, size)
		}
		return rs, size, nothing, nil
	}
	src := ctxReader{ctx: ctx, r: r}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(src, spoolMemory+1))
	if err != nil {
		return nil, 0, nothing, err
	}
	if n <= spoolMemory {
		if size >= 0 && n != size {
			return nil, 0, nothing, fmt.Errorf("%w: got %d bytes, want %d", errSizeMismatch, n, size)
		}
		return bytes.NewReader(buf.Bytes()), n, nothing, nil
	}
	f, err := os.CreateTemp("", "trailhound-upload-*")
	if err != nil {
		return nil, 0, nothing, err
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		cleanup()
		return nil, 0, nothing, err
	}
	rest, err := io.Copy(f, src)
	if err != nil {
		cleanup()
		return nil, 0, nothing, err
	}
	n += rest
	if size >= 0 && n != size {
		cleanup()
		return nil, 0, nothing, fmt.Errorf("%w: got %d bytes, want %d", errSizeMismatch, n, size)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, 0, nothing, err
	}
	return f, n, cleanup, nil
}
