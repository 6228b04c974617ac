package ui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	h := Handler()
	tests := []struct {
		name, method, path string
		status             int
		contains           string
	}{
		{"root", "GET", "/", 200, `<div id="root">`},
		{"deep link", "GET", "/entities/AwsUser/AIDAEXAMPLE?scopeStart=1&scopeEnd=2", 200, `<div id="root">`},
		{"missing asset", "GET", "/assets/nope.js", 404, ""},
		{"traversal", "GET", "/assets/../../embed.go", 200, `<div id="root">`},
		{"post", "POST", "/", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if tt.contains != "" && !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("body does not contain %q:\n%s", tt.contains, rec.Body.String())
			}
		})
	}
}

func TestAssetsServedAndCached(t *testing.T) {
	entries, err := dist.ReadDir("dist/assets")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no built assets in dist/assets (run make ui): %v", err)
	}
	name := entries[0].Name()
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/assets/"+name, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /assets/%s: %d", name, rec.Code)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control = %q", cc)
	}
}

func TestAssetsGzipped(t *testing.T) {
	entries, err := dist.ReadDir("dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	var js string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".js") {
			js = e.Name()
			break
		}
	}
	if js == "" {
		t.Fatal("no JavaScript in dist/assets")
	}
	plain, _ := dist.ReadFile("dist/assets/" + js)
	req := httptest.NewRequest("GET", "/assets/"+js, nil)
	req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("decompressed asset differs from the file (%v)", err)
	}
	// Without gzip in Accept-Encoding, the file as is.
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/assets/"+js, nil))
	if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), plain) {
		t.Fatalf("plain request got Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
}
