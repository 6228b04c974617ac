package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound/internal/investigate"
	it "github.com/trailhound/trailhound/internal/investigate/investigatetest"
)

// investigateData writes a data directory where alice's key, used from
// London the first day, is used from Suva the second to stop a trail.
func investigateData(t *testing.T) string {
	t.Helper()
	alice := it.User(it.AccountA, "AIDAEXAMPLEALICE00001", "alice", "AKIAEXAMPLEALICE0001")
	var b it.Builder
	b.Repeat(3, time.Hour, it.Call{Time: it.At(0, 9), By: alice, API: "s3:ListBuckets", IP: it.London, UserAgent: "aws-cli/2.15.0"})
	b.Call(it.Call{Time: it.At(1, 8), By: alice, API: "cloudtrail:StopLogging", IP: it.Suva, UserAgent: "curl/8.0 \x1b]0;owned\x07"},
		it.Call{Time: it.At(1, 8.1), By: alice, API: "iam:CreateAccessKey", IP: it.Suva, UserAgent: "curl/8.0 \x1b]0;owned\x07"})
	data := t.TempDir()
	b.IngestDir(t, data)
	return data
}

func TestInvestigateCommand(t *testing.T) {
	data := investigateData(t)
	ref := "AwsUser/AIDAEXAMPLEALICE00001"
	scope := []string{"--scope-start", "2026-11-02T00:00Z", "--scope-end", "2026-11-03T00:00:00Z"}
	intel := filepath.Join(t.TempDir(), "intel.txt")
	os.WriteFile(intel, []byte("# partner list\n202.62.10.5 reported by a partner\n"), 0o644)

	t.Run("text", func(t *testing.T) {
		code, out, errOut := run(t, append([]string{"investigate", "--data", data, "--threat-intel", intel, ref}, scope...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"Severity:  CRITICAL", "Defense Evasion", "T1562.008", "FLAGGED_IP_ADDRESS", "Next steps:"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Error("a control character from the logs reached the terminal")
		}
	})
	t.Run("json since", func(t *testing.T) {
		code, out, errOut := run(t, "investigate", "--data", data, "--format", "json", "--since", "24h", ref)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var inv investigate.Investigation
		if err := json.Unmarshal([]byte(out), &inv); err != nil {
			t.Fatal(err)
		}
		// The 24 hours before the end of the hour of alice's last call.
		if inv.Scope.End != it.At(1, 9).Unix() || inv.Scope.End-inv.Scope.Start != 86400 || inv.ID == "" {
			t.Errorf("scope %+v id %q", inv.Scope, inv.ID)
		}
	})
	t.Run("html file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report.html")
		code, _, errOut := run(t, append([]string{"investigate", "--data", data, "--format", "html", "--out", out, ref}, scope...)...)
		b, err := os.ReadFile(out)
		if code != exitOK || err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(errOut, "report written to") {
			t.Errorf("exit %d, %v: %s", code, err, errOut)
		}
	})
	t.Run("stored for serve", func(t *testing.T) {
		code, out, _ := run(t, "investigate", "--data", data, "--format", "md", ref)
		if code != exitOK || !strings.Contains(out, "# Investigation of AwsUser alice") {
			t.Errorf("exit %d: %s", code, out)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown entity", []string{"AwsUser/AIDANOBODY"}, exitFailed, "no AwsUser entity"},
		{"bad type", []string{"IpAddress/" + it.Suva}, exitUsage, "cannot investigate"},
		{"not a reference", []string{"alice"}, exitUsage, "TYPE/ID"},
		{"format", []string{"--format", "pdf", ref}, exitUsage, "--format"},
		{"time", []string{"--scope-start", "tomorrow", ref}, exitUsage, "--scope-start"},
		{"since and start", []string{"--since", "1h", "--scope-start", "1793577600", ref}, exitUsage, "--since"},
		{"bad list", []string{"--threat-intel", writeFile(t, "bad.txt", "1.2.3.4\nnot-an-ip here\n"), ref}, exitUsage, "bad.txt:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, append([]string{"investigate", "--data", data}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.says) {
				t.Errorf("exit %d (want %d): %s", code, tc.code, errOut)
			}
		})
	}
}

func TestServeThreatIntelErrors(t *testing.T) {
	data := t.TempDir()
	code, _, errOut := run(t, "serve", "--data", data, "--listen", "127.0.0.1:0", "--threat-intel", writeFile(t, "tor.txt", "# exits\n999.1.1.1 typo\n"))
	if code != exitUsage || !strings.Contains(errOut, "tor.txt:2") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
