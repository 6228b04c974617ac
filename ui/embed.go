// Package ui embeds the investigation console, the React application built
// from this folder into dist/, and serves it. The built files are committed
// so that `go build` needs no Node.js; `make ui` rebuilds them and CI fails
// when the committed build differs from the sources.
package ui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// ContentSecurityPolicy is sent with every console response. Scripts come
// only from the console's own hashed files, never inline; log-derived text
// is rendered as text, and this policy is the second line of defence if a
// rendering bug ever let markup through. Inline styles stay allowed because
// the chart library positions its tooltips with style attributes.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// Handler serves the console: files under /assets/ (content-hashed names,
// cached for a year) and, for every other path, index.html, so that a
// shared URL such as /entities/AwsUser/AIDA...?scopeStart=... opens the
// view it names. Paths under /api/ never reach it.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	index, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		index = []byte("<!doctype html><title>Trailhound</title><p>The console was not built: run make ui.</p>")
	}
	files := http.FileServerFS(sub)
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if strings.HasPrefix(p, "/assets/") {
			if _, err := fs.Stat(sub, strings.TrimPrefix(p, "/")); err != nil {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			h.Add("Vary", "Accept-Encoding")
			if gz := compressed(sub, strings.TrimPrefix(p, "/")); gz != nil && acceptsGzip(r) {
				h.Set("Content-Encoding", "gzip")
				h.Set("Content-Type", mime.TypeByExtension(path.Ext(p)))
				http.ServeContent(w, r, "", started, bytes.NewReader(gz))
				return
			}
			files.ServeHTTP(w, r)
			return
		}
		// Every route of the single-page application gets index.html; the
		// application itself shows "not found" for routes it does not know.
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", started, bytes.NewReader(index))
	})
}

// gzipped holds the compressed copies of the text assets, made on first
// request: the console's JavaScript is about a third of its size gzipped.
var gzipped sync.Map // name → []byte, nil when not worth compressing

// compressed returns the gzip-compressed content of a text asset, or nil
// for other files.
func compressed(fsys fs.FS, name string) []byte {
	if v, ok := gzipped.Load(name); ok {
		return v.([]byte)
	}
	var out []byte
	switch path.Ext(name) {
	case ".js", ".css", ".json", ".svg", ".html":
		if b, err := fs.ReadFile(fsys, name); err == nil {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			out = buf.Bytes()
		}
	}
	gzipped.Store(name, out)
	return out
}

// acceptsGzip reports whether the client takes gzip-encoded responses.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
