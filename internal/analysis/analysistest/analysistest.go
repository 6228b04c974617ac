package analysistest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/trailhound/trailhound/internal/archive"
	"github.com/trailhound/trailhound/internal/duckdb"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/geoip/geoiptest"
	"github.com/trailhound/trailhound/internal/graph"
	"github.com/trailhound/trailhound/internal/ingest"
	"github.com/trailhound/trailhound/internal/objstore"
	"github.com/trailhound/trailhound/internal/synth"
)

// WriteFiles writes files under dir, compressing those marked Gzip.
func WriteFiles(t testing.TB, dir string, files []File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(f.Content)
		if f.Gzip {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Enricher geolocates the incident's public addresses from tiny GeoIP
// databases built for the test.
func Enricher(t testing.TB) graph.Enricher {
	t.Helper()
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	asn := filepath.Join(dir, "asn.mmdb")
	geoiptest.WriteCity(t, city, geoiptest.GeoLite2, []geoiptest.City{
		{Network: "81.2.69.0/24", Country: "GB", CountryName: "United Kingdom", Region: "England", City: "London", Latitude: 51.5142, Longitude: -0.0931},
		{Network: "89.160.20.0/24", Country: "SE", CountryName: "Sweden", Region: "Östergötland County", City: "Linköping", Latitude: 58.4167, Longitude: 15.6167},
	})
	geoiptest.WriteASN(t, asn, []geoiptest.ASN{
		{Network: "81.2.69.0/24", Number: 20712, Org: "Andrews & Arnold Ltd"},
		{Network: "89.160.20.0/24", Number: 29518, Org: "Bredband2 AB"},
	})
	r, err := geoip.Open(geoip.Config{City: []string{city}, ASN: []string{asn}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.Enrich
}

// Ingest writes the incident to a temporary folder and ingests it into
// the data directory data (store and object archive), as the ingest
// command lays it out. The store is closed on return, so another process
// or Open may use the directory.
func Ingest(t testing.TB, data string) {
	t.Helper()
	in := t.TempDir()
	WriteFiles(t, in, Incident)
	st, arch := open(t, data)
	defer st.Close()
	ingestDir(t, st, arch, in, 1)
}

// open opens the store and the object archive of data directory data.
func open(t testing.TB, data string) (*duckdb.Store, *archive.Archive) {
	t.Helper()
	st, err := duckdb.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	arch, err := archive.Open(filepath.Join(data, "objects"))
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	return st, arch
}

// ingestDir ingests every object under src, failing the test if any
// object fails.
func ingestDir(t testing.TB, st *duckdb.Store, arch *archive.Archive, src string, workers int) {
	t.Helper()
	ctx := context.Background()
	loc, err := objstore.Parse(ctx, src, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, st, []objstore.Store{loc}, ingest.Options{Enrich: Enricher(t), Archive: arch, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failed) > 0 {
		t.Fatalf("ingest failed: %+v", sum.Failed)
	}
}

// Organization generates the logs of a synthetic organization and
// ingests them into a fresh data directory. It returns the folder of the
// generated AWSLogs, the ground truth, and the open store and archive,
// which the test's cleanup closes.
func Organization(t testing.TB, cfg synth.Config) (logs string, truth *synth.Truth, st *duckdb.Store, arch *archive.Archive) {
	t.Helper()
	out := t.TempDir()
	truth, err := synth.Generate(context.Background(), cfg, synth.DirWriter{Root: out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	st, arch = open(t, data)
	t.Cleanup(func() { st.Close() })
	logs = filepath.Join(out, "AWSLogs")
	ingestDir(t, st, arch, logs, 0)
	return logs, truth, st, arch
}

// Record is a CloudTrail record of the incident read with encoding/json,
// independently of the decoder under test.
type Record struct {
	EventID     string
	Time        time.Time
	Source      string
	Name        string
	Failed      bool
	Type        string // userIdentity.type
	PrincipalID string
	ARN         string
	AccessKey   string
	IssuerID    string // the role behind a session
	Account     string // userIdentity.accountId, or the recipient account when absent
	Recipient   string // recipientAccountId
	SourceIP    string
	UserAgent   string
	Raw         json.RawMessage // the record as written in the file
}

// API is the record's "<eventSource>:<eventName>".
func (r Record) API() string { return r.Source + ":" + r.Name }

// Records returns every distinct CloudTrail record of the incident (the
// first delivery of each event id), oldest first.
func Records(t testing.TB) []Record {
	t.Helper()
	seen := map[string]bool{}
	var out []Record
	addRaw := func(raw json.RawMessage) {
		r, err := ParseRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !seen[r.EventID] {
			seen[r.EventID] = true
			out = append(out, r)
		}
	}
	for _, f := range Incident {
		switch {
		case strings.Contains(f.Path, "/CloudTrail/"):
			var doc struct{ Records []json.RawMessage }
			if err := json.Unmarshal([]byte(f.Content), &doc); err != nil {
				t.Fatal(err)
			}
			for _, r := range doc.Records {
				addRaw(r)
			}
		case strings.Contains(f.Path, "eventbridge-cloudtrail.ndjson"):
			sc := bufio.NewScanner(strings.NewReader(f.Content))
			for sc.Scan() {
				var ev struct{ Detail json.RawMessage }
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					t.Fatal(err)
				}
				addRaw(ev.Detail)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].EventID < out[j].EventID
	})
	return out
}

// ParseRecord reads one CloudTrail record with encoding/json.
func ParseRecord(raw json.RawMessage) (Record, error) {
	var r struct {
		EventID      string `json:"eventID"`
		EventTime    time.Time
		EventSource  string
		EventName    string
		ErrorCode    string
		SourceIP     string `json:"sourceIPAddress"`
		UserAgent    string
		UserIdentity struct {
			Type, PrincipalID, ARN, AccountID, AccessKeyID string
			SessionContext                                 struct {
				SessionIssuer struct{ PrincipalID string }
			}
		}
		ResponseElements json.RawMessage
		Recipient        string `json:"recipientAccountId"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return Record{}, err
	}
	if r.UserIdentity.AccountID == "" {
		r.UserIdentity.AccountID = r.Recipient
	}
	failed := r.ErrorCode != "" || bytes.Contains(r.ResponseElements, []byte(`"ConsoleLogin":"Failure"`))
	return Record{EventID: r.EventID, Time: r.EventTime.UTC(), Source: r.EventSource, Name: r.EventName, Failed: failed,
		Type: r.UserIdentity.Type, PrincipalID: r.UserIdentity.PrincipalID, ARN: r.UserIdentity.ARN, AccessKey: r.UserIdentity.AccessKeyID,
		IssuerID: r.UserIdentity.SessionContext.SessionIssuer.PrincipalID, Account: r.UserIdentity.AccountID,
		Recipient: r.Recipient, SourceIP: r.SourceIP, UserAgent: r.UserAgent, Raw: raw}, nil
}

// ParseRecords reads the records of a CloudTrail log file ({"Records":
// [...]}) with encoding/json.
func ParseRecords(b []byte) ([]Record, error) {
	var doc struct{ Records []json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(doc.Records))
	for _, raw := range doc.Records {
		r, err := ParseRecord(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
