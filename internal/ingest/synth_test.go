package ingest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/synth"
)

// TestSyntheticOrganization ingests a generated organization with every
// scenario: every generated object decodes with the project's decoders,
// every record is stored, and every entity the ground truth names is in
// the graph, seen inside the scenario's window. A finding must reference
// entities that the logs also show.
func TestSyntheticOrganization(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests an organization")
	}
	ctx := context.Background()
	out := t.TempDir()
	scen := synth.AllScenarios()
	truth, err := synth.Generate(ctx, synth.Config{Seed: 42, Days: 2, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		EventsPerDay: 20_000, FlowsPerDay: 20_000, Scenarios: scen}, synth.DirWriter{Root: out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, t.TempDir())
	sum, err := Run(ctx, st, locations(t, filepath.Join(out, "AWSLogs")), Options{Enrich: testEnricher(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failed) > 0 {
		t.Fatalf("%d generated objects failed, first: %+v", len(sum.Failed), sum.Failed[0])
	}
	if got, want := sum.Events[trailhound.SourceCloudTrail], truth.Totals.CloudTrailEvents; got != want {
		t.Errorf("stored %d CloudTrail events, generated %d", got, want)
	}
	if got, want := sum.Events[trailhound.SourceVPCFlow], truth.Totals.FlowRecords; got != want {
		t.Errorf("stored %d flow records, generated %d", got, want)
	}
	if got, want := sum.Events[trailhound.SourceGuardDuty], truth.Totals.FindingVersions; got != want {
		t.Errorf("stored %d finding versions, generated %d", got, want)
	}
	if len(truth.Scenarios) != len(synth.ScenarioNames()) {
		t.Errorf("%d scenarios in the truth, want %d", len(truth.Scenarios), len(synth.ScenarioNames()))
	}
	for _, s := range truth.Scenarios {
		for _, e := range s.Entities {
			ref, ok := trailhound.ParseEntityRef(e)
			if !ok {
				t.Errorf("%s: bad entity reference %q", s.Name, e)
				continue
			}
			var first, last time.Time
			err := st.DB().QueryRow(`SELECT min(first_seen), max(last_seen) FROM entities WHERE key = ?`, ref.Key()).Scan(&first, &last)
			if err != nil || first.IsZero() {
				t.Errorf("%s: %s is not in the graph", s.Name, e)
				continue
			}
			// Long-lived victims (a user, a bucket) exist before the attack;
			// each must at least be seen during it.
			if last.Before(s.Start.Add(-time.Minute)) || first.After(s.End.Add(time.Minute)) {
				t.Errorf("%s: %s seen %s–%s, outside the window %s–%s", s.Name, e, first, last, s.Start, s.End)
			}
		}
	}
	// Role chaining across accounts: each session of the lateral movement
	// was started by the previous one, the first by the compromised user.
	for _, s := range truth.Scenarios {
		if s.Name != "cross-account-lateral-movement" {
			continue
		}
		var prev trailhound.EntityRef
		var sessions int
		for _, e := range s.Entities {
			ref, _ := trailhound.ParseEntityRef(e)
			switch ref.Type {
			case trailhound.AwsUser:
				if prev.IsZero() {
					prev = ref
				}
			case trailhound.AwsRoleSession:
				sessions++
				var n int
				err := st.DB().QueryRow(`SELECT count(*) FROM edges WHERE kind = 'started_by' AND src = ? AND dst = ?`, ref.Key(), prev.Key()).Scan(&n)
				if err != nil || n == 0 {
					t.Errorf("lateral movement: %s is not linked as started by %s", ref, prev)
				}
				prev = ref
			}
		}
		if sessions < 2 {
			t.Errorf("lateral movement names %d sessions, want a chain", sessions)
		}
	}
	// Every entity a finding names (other than addresses outside the
	// organization, and the account) appears in the logs too.
	var orphans int
	err = st.DB().QueryRow(`
		SELECT count(*) FROM (SELECT DISTINCT e.dst FROM edges e WHERE e.kind = 'finding_involves') f
		JOIN (SELECT DISTINCT key, namespace FROM entities) n ON n.key = f.dst
		WHERE n.namespace IN ('AwsUser', 'AwsRole', 'AwsRoleSession', 'AccessKey', 'Ec2Instance', 'S3Bucket')
		  AND f.dst NOT IN (SELECT principal_key FROM events UNION SELECT role_key FROM events UNION SELECT access_key_key FROM events
		                    UNION SELECT bucket_key FROM events UNION SELECT instance_key FROM flows
		                    UNION SELECT dst FROM edges WHERE kind IN ('created', 'started_by'))`).Scan(&orphans)
	if err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		t.Errorf("%d entities named by findings never appear in the logs", orphans)
	}
}
