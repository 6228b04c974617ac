package analysis_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestSyntheticVolume checks the api-call-volume panel of every entity a
// generated organization's attack scenarios name, and of every account,
// against counts taken from the generated CloudTrail files with
// encoding/json: over the whole span (hourly relationship rows) and over
// a scope shifted by a minute (events).
func TestSyntheticVolume(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	logs, truth, st, arch := analysistest.Organization(t, synth.Config{Seed: 7, Days: 1, Start: start, EventsPerDay: 4000, FlowsPerDay: 1000, Scenarios: scen})
	eng := analysis.New(st.DB(), analysis.Options{Archive: arch})
	records := readGenerated(t, logs)
	if int64(len(records)) != truth.Totals.CloudTrailEvents {
		t.Fatalf("read %d distinct records, generated %d", len(records), truth.Totals.CloudTrailEvents)
	}

	refs := map[trailhound.EntityRef]bool{}
	for _, a := range truth.Accounts {
		refs[trailhound.EntityRef{Type: trailhound.AwsAccount, ID: a.ID}] = true
	}
	for _, s := range truth.Scenarios {
		for _, e := range s.Entities {
			r, ok := trailhound.ParseEntityRef(e)
			if ok && (r.Type == trailhound.AwsUser || r.Type == trailhound.AwsRoleSession || r.Type == trailhound.AccessKey ||
				r.Type == trailhound.IPAddress || r.Type == trailhound.UserAgent) {
				refs[r] = true
			}
		}
	}
	span := trailhound.Scope{Start: truth.Start.Unix(), End: truth.End.Unix()}
	shifted := trailhound.Scope{Start: span.Start + 60, End: span.End - 60}
	checked := 0
	for r := range refs {
		for _, sc := range []trailhound.Scope{span, shifted} {
			var want analysis.Counts
			for _, rec := range records {
				if u := rec.Time.Unix(); u >= sc.Start && u < sc.End && attributed(rec, r) {
					if rec.Failed {
						want.Failure++
					} else {
						want.Success++
					}
				}
			}
			got, err := eng.Panel(ctx, analysis.PanelRequest{Entity: r, Panel: analysis.PanelAPICallVolume, Start: sc.Start, End: sc.End})
			if trailhound.ErrorCode(err) == trailhound.ENOTFOUND && want == (analysis.Counts{}) {
				continue // named by a finding or flows only
			}
			if err != nil {
				t.Errorf("%s: %v", r, err)
				continue
			}
			v := got.(*analysis.APICallVolume)
			if v.Totals != want {
				t.Errorf("%s %s: totals %+v, want %+v", r, v.Basis, v.Totals, want)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d panels checked", checked)
	}
}

// readGenerated reads every CloudTrail record under dir with
// encoding/json, keeping the first delivery of each event id.
func readGenerated(t *testing.T, dir string) []analysistest.Record {
	t.Helper()
	seen := map[string]bool{}
	var out []analysistest.Record
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !strings.Contains(filepath.ToSlash(p), "/CloudTrail/") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		recs, err := analysistest.ParseRecords(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range recs {
			if !seen[r.EventID] {
				seen[r.EventID] = true
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
