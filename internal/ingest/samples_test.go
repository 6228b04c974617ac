package ingest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/trailhound/trailhound"
)

// TestSharedSamples ingests every public sample file shipped beside the
// repository (../shared/samples), documentation pages and deliberately
// broken files included: the run completes, every failure names its
// object and a position, and the real logs among them are stored.
func TestSharedSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "samples")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/samples is not beside the checkout")
	}
	st := openStore(t, t.TempDir())
	sum, err := Run(context.Background(), st, locations(t, dir), Options{Enrich: testEnricher(t)})
	if err != nil {
		t.Fatal(err)
	}
	position := regexp.MustCompile(`(line|record|byte) \d+`)
	for _, f := range sum.Failed {
		if !position.MatchString(f.Error) {
			t.Errorf("failure without a position: %s", f.Error)
		}
	}
	t.Logf("%d objects: %d stored, %d failed, events %v", sum.Objects, sum.Stored, len(sum.Failed), sum.Events)
	if sum.Events[trailhound.SourceCloudTrail] == 0 || sum.Events[trailhound.SourceGuardDuty] == 0 {
		t.Errorf("no CloudTrail events or GuardDuty findings stored from the samples: %v", sum.Events)
	}
	var broken bool
	for _, f := range sum.Failed {
		if filepath.Base(f.Path) == "samples-large.json" {
			broken = true
		}
	}
	if !broken {
		t.Error("samples-large.json, which is not valid JSON, was not reported as failed")
	}
}
