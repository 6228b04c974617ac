package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
)

// Investigations is what the investigation routes need: starting runs
// and reading, listing and archiving them. *investigate.Service
// implements it.
type Investigations interface {
	Start(ctx context.Context, req investigate.Request) (*investigate.Investigation, error)
	Get(ctx context.Context, id string) (*investigate.Investigation, error)
	List(ctx context.Context, req investigate.ListRequest) (*investigate.List, error)
	SetState(ctx context.Context, id string, state investigate.State) (*investigate.Investigation, error)
	Recommended(ctx context.Context, req investigate.RecommendRequest) (*investigate.Recommendations, error)
}

// SetInvestigations enables the /investigations routes, answered from
// inv. Call it before the server handles requests. Until it is called
// the routes answer not_found, saying investigations are not enabled.
func (s *Server) SetInvestigations(inv Investigations) { s.investigations = inv }

// investigationsOr returns the backend, or writes the error that says it
// is missing.
func (s *Server) investigationsOr(w http.ResponseWriter, r *http.Request) Investigations {
	if s.investigations == nil {
		s.writeError(w, r, trailhound.Errorf(trailhound.ENOTFOUND, "investigations are not enabled on this server"))
	}
	return s.investigations
}

// startRequest is the body of POST /investigations.
type startRequest struct {
	Entity struct {
		Type trailhound.Namespace `json:"type"`
		ID   string               `json:"id"`
	} `json:"entity"`
	ScopeStart int64 `json:"scopeStart"`
	ScopeEnd   int64 `json:"scopeEnd"`
}

// maxBody bounds request bodies: they are a few fields.
const maxBody = 64 << 10

// decodeBody reads a JSON body into v, rejecting unknown fields so that a
// mistyped one is reported rather than ignored.
func decodeBody(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return trailhound.Errorf(trailhound.EINVALID, "cannot read the request body: %v", err)
	}
	if len(body) > maxBody {
		return trailhound.Errorf(trailhound.EINVALID, "the request body is larger than %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return trailhound.Errorf(trailhound.EINVALID, "request body: %s must be a %s", te.Field, te.Type)
		case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return trailhound.Errorf(trailhound.EINVALID, "request body is not valid JSON")
		}
		return trailhound.Errorf(trailhound.EINVALID, "request body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func (s *Server) handleStartInvestigation(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	var req startRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case req.Entity.Type == "" || req.Entity.ID == "":
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "entity must name a type and an id, as {\"type\":\"AwsUser\",\"id\":\"AIDA...\"}"))
		return
	case req.ScopeStart < 0 || req.ScopeEnd < 0:
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "scopeStart and scopeEnd must be positive epoch seconds"))
		return
	}
	res, err := inv.Start(r.Context(), investigate.Request{Entity: trailhound.EntityRef{Type: req.Entity.Type, ID: req.Entity.ID},
		Start: req.ScopeStart, End: req.ScopeEnd})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/investigations/"+url.PathEscape(res.ID))
	writeJSON(w, http.StatusAccepted, res)
}

func (s *Server) handleInvestigation(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	if !noQuery(s, w, r, "investigation") {
		return
	}
	res, err := inv.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// stateRequest is the body of PATCH /investigations/{id}.
type stateRequest struct {
	State investigate.State `json:"state"`
}

func (s *Server) handleInvestigationState(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	var req stateRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := inv.SetState(r.Context(), r.PathValue("id"), investigate.State(strings.ToUpper(string(req.State))))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// listValues reads a filter given comma-separated, repeated, or both.
func listValues(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (s *Server) handleInvestigations(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "entity", "status", "severity", "state", "sort", "limit", "cursor":
		default:
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the investigations list", k))
			return
		}
	}
	req := investigate.ListRequest{Entity: q.Get("entity"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	for _, v := range listValues(q, "status") {
		st := investigate.Status(strings.ToUpper(v))
		if st != investigate.Running && st != investigate.Successful && st != investigate.Failed {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "status %q must be RUNNING, SUCCESSFUL or FAILED", v))
			return
		}
		req.Status = append(req.Status, st)
	}
	for _, v := range listValues(q, "severity") {
		sev, ok := investigate.ParseSeverity(v)
		if !ok {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "severity %q must be INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL", v))
			return
		}
		req.Severity = append(req.Severity, sev)
	}
	for _, v := range listValues(q, "state") {
		st := investigate.State(strings.ToUpper(v))
		if st != investigate.Active && st != investigate.Archived {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "state %q must be ACTIVE or ARCHIVED", v))
			return
		}
		req.State = append(req.State, st)
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Limit = int(min(limit, 1<<30))
	res, err := inv.List(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleRecommended(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "at" && k != "limit" {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the recommended list", k))
			return
		}
	}
	at, err := intParam(q, "at")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := investigate.RecommendRequest{Limit: int(min(limit, 1000))}
	if at != 0 {
		req.At = time.Unix(at, 0).UTC()
	}
	res, err := inv.Recommended(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// reportExtensions are the file extensions of the report formats.
var reportExtensions = map[string]string{investigate.FormatJSON: "json", investigate.FormatHTML: "html", investigate.FormatMarkdown: "md"}

func (s *Server) handleInvestigationReport(w http.ResponseWriter, r *http.Request) {
	inv := s.investigationsOr(w, r)
	if inv == nil {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "format" {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the report", k))
			return
		}
	}
	format := q.Get("format")
	if format == "" {
		format = investigate.FormatJSON
	}
	if format == "markdown" {
		format = investigate.FormatMarkdown
	}
	if investigate.ContentType(format) == "" {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "format %q must be json, html or md", format))
		return
	}
	res, err := inv.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Render first, so that a failure is an error answer rather than a
	// truncated report.
	var buf bytes.Buffer
	if err := investigate.WriteReport(&buf, res, format, investigate.ReportOptions{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", investigate.ContentType(format))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="investigation-`+safeFileName(res.ID)+`.`+reportExtensions[format]+`"`)
	// The HTML report is self-contained: nothing may load or run.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// safeFileName keeps letters, digits, dots and dashes, for a header
// value no id can break.
func safeFileName(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// noQuery rejects parameters on routes that take none.
func noQuery(s *Server, w http.ResponseWriter, r *http.Request, what string) bool {
	for k := range r.URL.Query() {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the %s", k, what))
		return false
	}
	return true
}
