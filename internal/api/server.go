// Package api is Trailhound's HTTP JSON API under /api/v1: search, entity
// profiles and their panels, findings, the summary page, usage and the
// raw records behind every number. It translates HTTP into calls of the analysis engine and its
// answers and errors back into JSON; it holds no logic of its own beyond
// parsing parameters, so the console, scripts and the Go client (client/)
// all see what the engine computes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/trailhound/trailhound/internal/analysis"
)

// Analyzer is what the API reads: the analysis engine's questions.
// *analysis.Engine implements it; tests may substitute their own.
type Analyzer interface {
	Search(ctx context.Context, req analysis.SearchRequest) (*analysis.SearchResults, error)
	Entity(ctx context.Context, ref EntityRef) (*analysis.Entity, error)
	Panel(ctx context.Context, req analysis.PanelRequest) (any, error)
	Finding(ctx context.Context, id string) (*analysis.Finding, error)
	Events(ctx context.Context, req analysis.EventsRequest) (*analysis.EventStream, error)
	Summary(ctx context.Context, req analysis.SummaryRequest) (*analysis.Summary, error)
	Usage(ctx context.Context) (*analysis.Usage, error)
}

// Server serves the API. It implements http.Handler.
type Server struct {
	a      Analyzer
	log    *slog.Logger
	mux    *http.ServeMux
	groups Groups // nil until SetGroups

	// investigations is nil until SetInvestigations.
	investigations Investigations
}

// New returns a Server answering from a. A nil log discards.
func New(a Analyzer, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{a: a, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

// Prefix is the path every API route starts with.
const Prefix = "/api/v1"

// route is one documented endpoint: docs/openapi.yaml lists exactly
// these paths (a test checks it).
type route struct {
	pattern string // method and path, as ServeMux takes it
	handler func(*Server, http.ResponseWriter, *http.Request)
}

// An id is one path segment with "/" escaped as %2F (ARNs and user agents
// hold slashes). The last entity pattern also accepts unescaped slashes in
// an id, for hand-typed URLs; the panel pattern is more specific and
// wins, which is why clients must escape.
var routeTable = []route{
	{"GET " + Prefix + "/search", (*Server).handleSearch},
	{"GET " + Prefix + "/panels", (*Server).handlePanels},
	{"GET " + Prefix + "/entities/{type}/{id}", (*Server).handleEntity},
	{"GET " + Prefix + "/entities/{type}/{id}/panels/{panel}", (*Server).handlePanel},
	{"GET " + Prefix + "/entities/{type}/{id...}", (*Server).handleEntity},
	// The same with the entity in the query (?type=&id=): browsers resolve
	// an id of "." or ".." in a path, even percent-encoded, as navigation,
	// and attacker-chosen values (a user agent of "..") must stay openable.
	{"GET " + Prefix + "/entity", (*Server).handleEntity},
	{"GET " + Prefix + "/entity/panels/{panel}", (*Server).handlePanel},
	{"GET " + Prefix + "/findings", (*Server).handleFindings},
	{"GET " + Prefix + "/findings/{id}", (*Server).handleFinding},
	{"GET " + Prefix + "/events", (*Server).handleEvents},
	{"GET " + Prefix + "/summary", (*Server).handleSummary},
	{"GET " + Prefix + "/usage", (*Server).handleUsage},
	{"GET " + Prefix + "/groups", (*Server).handleGroups},
	{"GET " + Prefix + "/groups/{id}", (*Server).handleGroup},
	{"GET " + Prefix + "/groups/{id}/graph", (*Server).handleGroupGraph},
	{"GET " + Prefix + "/groups/{id}/audit", (*Server).handleGroupAudit},
	{"POST " + Prefix + "/groups/{id}/split", (*Server).handleGroupSplit},
	{"POST " + Prefix + "/groups/{id}/merge", (*Server).handleGroupMerge},
	{"POST " + Prefix + "/investigations", (*Server).handleStartInvestigation},
	{"GET " + Prefix + "/investigations", (*Server).handleInvestigations},
	{"GET " + Prefix + "/investigations/recommended", (*Server).handleRecommended},
	{"GET " + Prefix + "/investigations/{id}", (*Server).handleInvestigation},
	{"PATCH " + Prefix + "/investigations/{id}", (*Server).handleInvestigationState},
	{"GET " + Prefix + "/investigations/{id}/report", (*Server).handleInvestigationReport},
}

func (s *Server) routes() {
	for _, r := range routeTable {
		h := r.handler
		s.mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) { h(s, w, req) })
	}
	s.mux.HandleFunc(Prefix+"/", s.handleUnknown)
}

// ServeHTTP implements http.Handler: it logs each request with its status
// and duration.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	s.log.Info("http_request", "method", r.Method, "path", r.URL.EscapedPath(), "status", rec.status,
		"bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
}

// statusRecorder remembers the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush lets streamed responses reach the client as they are written.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
