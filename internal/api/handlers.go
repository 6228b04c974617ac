package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/groups"
)

// EntityRef names an entity; it is the domain's reference type.
type EntityRef = trailhound.EntityRef

// scopeParams reads scopeStart and scopeEnd (epoch seconds, both
// optional), naming the parameter that does not parse.
func scopeParams(q url.Values) (start, end int64, err error) {
	if start, err = intParam(q, "scopeStart"); err != nil {
		return
	}
	end, err = intParam(q, "scopeEnd")
	return
}

func intParam(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, trailhound.Errorf(trailhound.EINVALID, "%s %q must be a positive integer (epoch seconds for times)", name, v)
	}
	return n, nil
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end, err := scopeParams(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.a.Search(r.Context(), analysis.SearchRequest{Type: trailhound.Namespace(q.Get("type")), Q: q.Get("q"),
		Start: start, End: end, Limit: int(min(limit, 1<<30)), Cursor: q.Get("cursor")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handlePanels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"panels": analysis.Panels})
}

// entityPath is the entity a request names: in its path
// (/entities/{type}/{id}), or in its query (/entity?type=&id=).
func entityPath(r *http.Request) EntityRef {
	if r.PathValue("type") == "" {
		q := r.URL.Query()
		return EntityRef{Type: trailhound.Namespace(q.Get("type")), ID: q.Get("id")}
	}
	return EntityRef{Type: trailhound.Namespace(r.PathValue("type")), ID: r.PathValue("id")}
}

// entityInQuery says whether the request names its entity in the query.
func entityInQuery(r *http.Request) bool { return r.PathValue("type") == "" }

func (s *Server) handleEntity(w http.ResponseWriter, r *http.Request) {
	ent, err := s.a.Entity(r.Context(), entityPath(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ent)
}

func (s *Server) handlePanel(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end, err := scopeParams(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	params := map[string]string{}
	for k, v := range q {
		if k != "scopeStart" && k != "scopeEnd" && len(v) > 0 && !(entityInQuery(r) && (k == "type" || k == "id")) {
			params[k] = v[0]
		}
	}
	res, err := s.a.Panel(r.Context(), analysis.PanelRequest{Entity: entityPath(r), Panel: r.PathValue("panel"), Start: start, End: end, Params: params})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleFinding(w http.ResponseWriter, r *http.Request) {
	f, err := s.a.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// With finding groups, the answer also says which groups the finding
	// is in (the active one first), so a finding links to its incident.
	if gf, ok := s.groups.(groupsOfFinding); ok && gf != nil {
		gs, err := gf.GroupsOf(r.Context(), f.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			*analysis.Finding
			Groups []groups.GroupRef `json:"groups"`
		}{f, gs})
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// groupsOfFinding is the part of the groups service the finding route
// uses.
type groupsOfFinding interface {
	GroupsOf(ctx context.Context, findingID string) ([]groups.GroupRef, error)
}

func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, trailhound.Errorf(trailhound.ENOTFOUND, "no API route %s %s", r.Method, r.URL.EscapedPath()))
}
