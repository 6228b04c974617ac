package api

import (
	"net/http"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

func (s *Server) handleSummary(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "scopeStart" && k != "scopeEnd" {
			s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of the summary", k))
			return
		}
	}
	start, end, err := scopeParams(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.a.Summary(r.Context(), analysis.SummaryRequest{Start: start, End: end})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleUsage(w http.ResponseWriter, r *http.Request) {
	for k := range r.URL.Query() {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of usage", k))
		return
	}
	res, err := s.a.Usage(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
