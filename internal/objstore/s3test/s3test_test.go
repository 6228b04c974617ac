package s3test_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/objstore/s3test"
)

func TestServer(t *testing.T) {
	srv := s3test.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Errorf("Endpoint = %q, want a loopback URL", srv.Endpoint)
	}
	// Bucket is idempotent.
	if got := srv.Bucket(t, "twice"); got != "twice" {
		t.Errorf("Bucket returned %q", got)
	}
	srv.Bucket(t, "twice")

	ctx := context.Background()
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("twice"), Key: aws.String("a/b.json"), Body: strings.NewReader("{}"),
	}); err != nil {
		t.Fatal(err)
	}
	s, err := objstore.Parse(ctx, "s3://twice", srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s.List(ctx, "", func(o objstore.Object) error {
		keys = append(keys, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "a/b.json" {
		t.Errorf("keys = %q, want [a/b.json]", keys)
	}
}
