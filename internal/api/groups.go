package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/groups"
)

// Groups is what the finding-group routes read and change.
// *groups.Service implements it.
type Groups interface {
	List(ctx context.Context, req groups.ListRequest) (*groups.List, error)
	Group(ctx context.Context, id string) (*groups.Detail, error)
	Graph(ctx context.Context, id string, o groups.GraphOptions) (*groups.Graph, error)
	Split(ctx context.Context, id, finding, who string) (*groups.EditResult, error)
	Merge(ctx context.Context, id, other, who string) (*groups.EditResult, error)
	Audit(ctx context.Context, id string) (*groups.Audit, error)
}

// SetGroups gives the server the finding groups to serve. Call it before
// the server handles requests; until then the group routes answer that
// groups are not available.
func (s *Server) SetGroups(g Groups) { s.groups = g }

// UserHeader names the analyst behind a change, for the audit log of
// finding groups. Trailhound does not authenticate it: put a proxy that
// does in front of the server and let it set the header.
const UserHeader = "X-Trailhound-User"

// groupsOrError returns the groups, or answers that there are none.
func (s *Server) groupsOrError(w http.ResponseWriter, r *http.Request) Groups {
	if s.groups == nil {
		s.writeError(w, r, trailhound.Errorf(trailhound.ENOTFOUND, "finding groups are not available on this server"))
	}
	return s.groups
}

// listParams are the parameters of the group list, each of which may
// repeat or hold a comma-separated list (entity excepted: ids may hold
// commas).
var listParams = map[string]bool{"status": true, "severity": true, "tactic": true, "account": true, "entity": true, "finding": true,
	"q": true, "sort": true, "limit": true, "cursor": true, "scopeStart": true, "scopeEnd": true}

func (s *Server) handleGroups(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if !listParams[k] {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the group list", k))
			return
		}
	}
	list := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	start, end, err := scopeParams(q)
	if err == nil && start > 0 && end > 0 && end <= start {
		err = trailhound.Errorf(trailhound.EINVALID, "scopeEnd %d must be after scopeStart %d", end, start)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := groups.ListRequest{Status: q.Get("status"), Severity: list("severity"), Tactics: list("tactic"), Accounts: list("account"),
		Findings: list("finding"), Q: q.Get("q"), Sort: q.Get("sort"), Limit: int(min(limit, 1<<30)), Cursor: q.Get("cursor")}
	if start > 0 {
		req.From = time.Unix(start, 0)
	}
	if end > 0 {
		req.To = time.Unix(end, 0)
	}
	for _, v := range q["entity"] {
		ref, ok := trailhound.ParseEntityRef(v)
		if !ok {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "entity %q must be <type>/<id>", v))
			return
		}
		req.Entities = append(req.Entities, ref)
	}
	res, err := g.List(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	if !noParams(s, w, r, "group") {
		return
	}
	res, err := g.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleGroupGraph(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	q := r.URL.Query()
	o := groups.GraphOptions{Aggregate: true}
	for k := range q {
		switch k {
		case "aggregate":
			b, err := strconv.ParseBool(q.Get(k))
			if err != nil {
				s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "aggregate %q must be true or false", q.Get(k)))
				return
			}
			o.Aggregate = b
		case "maxNodes":
			n, err := intParam(q, k)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			o.MaxNodes = int(min(n, 100_000))
		default:
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the group graph", k))
			return
		}
	}
	res, err := g.Graph(r.Context(), r.PathValue("id"), o)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// SplitRequest is the body of POST /groups/{id}/split: the finding to
// move out of the group.
type SplitRequest struct {
	Finding string `json:"finding"`
}

// MergeRequest is the body of POST /groups/{id}/merge: the group to
// merge with.
type MergeRequest struct {
	Group string `json:"group"`
}

func (s *Server) handleGroupSplit(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	var body SplitRequest
	if err := readBody(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.Finding == "" {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "finding: the body must name the finding to split out, {\"finding\": \"<id>\"}"))
		return
	}
	res, err := g.Split(r.Context(), r.PathValue("id"), body.Finding, r.Header.Get(UserHeader))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleGroupMerge(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	var body MergeRequest
	if err := readBody(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.Group == "" {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "group: the body must name the group to merge with, {\"group\": \"<id>\"}"))
		return
	}
	res, err := g.Merge(r.Context(), r.PathValue("id"), body.Group, r.Header.Get(UserHeader))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleGroupAudit(w http.ResponseWriter, r *http.Request) {
	g := s.groupsOrError(w, r)
	if g == nil {
		return
	}
	if !noParams(s, w, r, "group audit") {
		return
	}
	res, err := g.Audit(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// noParams answers an error and returns false when the request has query
// parameters, which route what names takes none of.
func noParams(s *Server, w http.ResponseWriter, r *http.Request, what string) bool {
	for k := range r.URL.Query() {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the %s", k, what))
		return false
	}
	return true
}

// readBody decodes a small JSON request body into v. The body must be
// sent as application/json: a browser sends that type across sites only
// after a preflight, so a page elsewhere cannot make an analyst's browser
// edit groups with a plain form.
func readBody(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return trailhound.Errorf(trailhound.EINVALID, "the request body must be JSON sent as Content-Type: application/json")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return trailhound.Errorf(trailhound.EINVALID, "the request body is empty")
		}
		return trailhound.Errorf(trailhound.EINVALID, "the request body is not valid: %v", err)
	}
	return nil
}
