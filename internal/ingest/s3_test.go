package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/objstore/s3test"
)

// TestS3 ingests the incident from a real S3-compatible server and checks
// that the graph equals the one ingested from a local folder.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t, "trail-logs")
	ctx := context.Background()

	local := t.TempDir()
	writeCorpus(t, local, incident)
	w, err := objstore.NewWriter(ctx, "s3://"+bucket+"/org", srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.Walk(local, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return w.Put(ctx, filepath.ToSlash(rel), f, info.Size())
	})
	if err != nil {
		t.Fatal(err)
	}

	enrich := testEnricher(t)
	fromLocal := openStore(t, t.TempDir())
	if _, err := Run(ctx, fromLocal, locations(t, local), Options{Enrich: enrich}); err != nil {
		t.Fatal(err)
	}
	remote, err := objstore.Parse(ctx, "s3://"+bucket+"/org", srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	fromS3 := openStore(t, t.TempDir())
	sum, err := Run(ctx, fromS3, []objstore.Store{remote}, Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != len(incident)-1 || len(sum.Failed) != 0 {
		t.Fatalf("from S3: stored %d, failed %v", sum.Stored, sum.Failed)
	}
	a, _ := fromLocal.Fingerprint(ctx)
	b, _ := fromS3.Fingerprint(ctx)
	if a != b {
		t.Error("graph ingested from S3 differs from the graph ingested from a folder")
	}
	// A second pass over the bucket reads nothing: ETags and sizes match.
	again, err := Run(ctx, fromS3, []objstore.Store{remote}, Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != len(incident) {
		t.Errorf("second pass over S3: %d unchanged, want %d", again.Unchanged, len(incident))
	}
}
