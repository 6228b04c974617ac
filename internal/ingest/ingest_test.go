package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/geoip/geoiptest"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/objstore"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnricher builds tiny GeoIP databases for the corpus's addresses.
func testEnricher(t testing.TB) graph.Enricher {
	t.Helper()
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	asn := filepath.Join(dir, "asn.mmdb")
	geoiptest.WriteCity(t, city, geoiptest.GeoLite2, []geoiptest.City{
		{Network: "81.2.69.0/24", Country: "GB", CountryName: "United Kingdom", Region: "England", City: "London", Latitude: 51.5142, Longitude: -0.0931},
		{Network: "89.160.20.0/24", Country: "SE", CountryName: "Sweden", Region: "Östergötland County", City: "Linköping", Latitude: 58.4167, Longitude: 15.6167},
		{Network: "185.220.101.0/24", Country: "DE", CountryName: "Germany", City: "Frankfurt am Main", Latitude: 50.11, Longitude: 8.68},
	})
	geoiptest.WriteASN(t, asn, []geoiptest.ASN{
		{Network: "81.2.69.0/24", Number: 20712, Org: "Andrews & Arnold Ltd"},
		{Network: "89.160.20.0/24", Number: 29518, Org: "Bredband2 AB"},
		{Network: "185.220.101.0/24", Number: 208294, Org: "CIA TRIAD SECURITY LLC"},
	})
	r, err := geoip.Open(geoip.Config{City: []string{city}, ASN: []string{asn}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.Enrich
}

func openStore(t testing.TB, dir string) *duckdb.Store {
	t.Helper()
	st, err := duckdb.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func locations(t testing.TB, paths ...string) []objstore.Store {
	t.Helper()
	var out []objstore.Store
	for _, p := range paths {
		s, err := objstore.Parse(context.Background(), p, objstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// graphAnswers asks the stored graph the questions an investigator of the
// incident would ask, so the golden file shows the extraction is right.
func graphAnswers(t testing.TB, st *duckdb.Store) map[string]any {
	t.Helper()
	q := func(query string, args ...any) []string {
		rows, err := st.DB().Query(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		var out []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				parts = append(parts, strings.TrimSpace(strings.ReplaceAll(fmtValue(v), "\n", " ")))
			}
			out = append(out, strings.Join(parts, " | "))
		}
		return out
	}
	key := func(ns trailhound.Namespace, id string) int64 { return trailhound.EntityRef{Type: ns, ID: id}.Key() }
	session := key(trailhound.AwsRoleSession, "AROAEXAMPLEADMIN00001:alice")
	alice := key(trailhound.AwsUser, aliceID)
	return map[string]any{
		"entities":           q(`SELECT namespace, id, any_value(label ORDER BY label NULLS LAST), min(first_seen), max(last_seen) FROM entities WHERE namespace <> 'Api' GROUP BY namespace, id ORDER BY namespace, id`),
		"session_started_by": q(`SELECT e.namespace, e.id, count(DISTINCT r.event_id) FROM edges r JOIN (SELECT DISTINCT key, namespace, id FROM entities) e ON e.key = r.dst WHERE r.kind = 'started_by' AND r.src = ? GROUP BY ALL ORDER BY ALL`, session),
		"alice_api_calls":    q(`SELECT a.id, sum(r.success), sum(r.failure) FROM edges r JOIN (SELECT DISTINCT key, id FROM entities) a ON a.key = r.dst WHERE r.kind = 'called_api' AND r.src = ? GROUP BY ALL ORDER BY ALL`, alice),
		"session_api_calls":  q(`SELECT a.id, sum(r.success), sum(r.failure) FROM edges r JOIN (SELECT DISTINCT key, id FROM entities) a ON a.key = r.dst WHERE r.kind = 'called_api' AND r.src = ? GROUP BY ALL ORDER BY ALL`, session),
		"facts":              q(`SELECT e.namespace, e.id, f.name, f.value FROM facts f JOIN (SELECT DISTINCT key, namespace, id FROM entities) e ON e.key = f.key ORDER BY ALL`),
		"ip_info":            q(`SELECT ip, class, country, city, asn, as_org FROM ip_info ORDER BY ip`),
		"flows":              q(`SELECT hour, instance_id, local_addr, remote_addr, port, protocol, direction, action, log_status, bytes, packets, records, first_line, last_line FROM flows ORDER BY ALL`),
		"findings":           q(`SELECT id, type, updated_at, archived, count, severity, first_seen, last_seen FROM latest_findings`),
		"finding_entities":   q(`SELECT DISTINCT e.namespace, e.id FROM edges r JOIN (SELECT DISTINCT key, namespace, id FROM entities) e ON e.key = r.dst WHERE r.kind = 'finding_involves' ORDER BY ALL`),
		"events":             q(`SELECT event_id, event_name, identity_type, source_ip, error_code, failed, login_result, mfa_used, bucket_key <> 0 FROM events ORDER BY event_id`),
	}
}

func fmtValue(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	return strings.Trim(s, `"`)
}

func golden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestIncident ingests the multi-source incident with bad objects mixed in
// and checks the summary and the graph against a golden file.
func TestIncident(t *testing.T) {
	in := t.TempDir()
	writeCorpus(t, in, incident)
	writeCorpus(t, in, badFiles)
	os.WriteFile(filepath.Join(in, "bad", "truncated.json.gz"), truncatedGzip(ctFile1), 0o644)
	st := openStore(t, t.TempDir())
	sum, err := Run(context.Background(), st, locations(t, in), Options{Enrich: testEnricher(t), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sum.Failed {
		sum.Failed[i].Path = strings.TrimPrefix(sum.Failed[i].Path, in+string(filepath.Separator))
		sum.Failed[i].Error = strings.ReplaceAll(sum.Failed[i].Error, in+string(filepath.Separator), "")
	}
	for i := range sum.Skipped {
		sum.Skipped[i].Path = strings.TrimPrefix(sum.Skipped[i].Path, in+string(filepath.Separator))
	}
	sum.Seconds, sum.Bytes = 0, 0
	if sum.Optimized != nil {
		sum.Optimized.Seconds = 0
	}
	if len(sum.Failed) != 5 {
		t.Errorf("failed objects = %d, want 5: %+v", len(sum.Failed), sum.Failed)
	}
	for _, f := range sum.Failed {
		if !strings.Contains(f.Error, f.Path) {
			t.Errorf("error for %s does not name the object: %s", f.Path, f.Error)
		}
	}
	golden(t, "incident", map[string]any{"summary": sum, "graph": graphAnswers(t, st)})
}

// TestIdempotent ingests the incident again, through overlapping
// locations, and with copies under other names: nothing changes.
func TestIdempotent(t *testing.T) {
	in := t.TempDir()
	writeCorpus(t, in, incident)
	st := openStore(t, t.TempDir())
	enrich := testEnricher(t)
	ctx := context.Background()
	first, err := Run(ctx, st, locations(t, in), Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	fp1, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.Stored != len(incident)-1 || len(first.Skipped) != 1 {
		t.Fatalf("first run: stored %d skipped %d, want %d and 1", first.Stored, len(first.Skipped), len(incident)-1)
	}

	// The same folder and a sub-folder of it: every object is unchanged.
	again, err := Run(ctx, st, locations(t, in, filepath.Join(in, "AWSLogs")), Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != len(incident) || again.Stored != 0 {
		t.Errorf("second run: unchanged %d stored %d, want %d and 0", again.Unchanged, again.Stored, len(incident))
	}

	// A copy of every file under another name is recognized by content.
	cp := t.TempDir()
	var renamed []corpusFile
	for _, f := range incident {
		f.path = strings.ReplaceAll(f.path, "/", "_") + ".copy"
		if f.gzip {
			f.path += ".gz"
		}
		renamed = append(renamed, f)
	}
	writeCorpus(t, cp, renamed)
	copies, err := Run(ctx, st, locations(t, cp), Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	if copies.Stored != 0 || copies.Duplicates != len(incident)-1 {
		t.Errorf("copies: stored %d duplicates %d, want 0 and %d", copies.Stored, copies.Duplicates, len(incident)-1)
	}
	for _, src := range trailhound.Sources {
		if copies.Events[src] != 0 {
			t.Errorf("copies added %d %s records", copies.Events[src], src)
		}
	}
	fp2, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fp1 != fp2 {
		t.Error("graph changed after ingesting the same data again")
	}

	// A trail that redelivers events in different files, grouped
	// differently: the events are stored once.
	re := t.TempDir()
	writeCorpus(t, re, []corpusFile{{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/redelivered.json", strings.Replace(ctFile1, `{"Records":[`, `{"Records":[`+"\n", 1), false}})
	red, err := Run(ctx, st, locations(t, re), Options{Enrich: enrich})
	if err != nil {
		t.Fatal(err)
	}
	if red.Events[trailhound.SourceCloudTrail] != 0 || red.DuplicateEvents != 4 {
		t.Errorf("redelivered trail: %d new events, %d duplicates; want 0 and 4", red.Events[trailhound.SourceCloudTrail], red.DuplicateEvents)
	}
	fp3, err := st.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fp3 != fp1 {
		t.Error("graph changed after a redelivery of stored events")
	}
}
