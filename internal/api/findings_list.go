package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// FindingLister is the findings list. *analysis.Engine implements it; an
// Analyzer that does not answers the route with an error saying so.
type FindingLister interface {
	Findings(ctx context.Context, req analysis.FindingsRequest) (*analysis.FindingsList, error)
}

// listParam splits a repeatable, comma-separated parameter:
// ?severity=high&severity=critical and ?severity=high,critical are equal.
func listParam(vals []string) []string {
	var out []string
	for _, v := range vals {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *Server) handleFindings(w http.ResponseWriter, r *http.Request) {
	fl, ok := s.a.(FindingLister)
	if !ok {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINTERNAL, "this server has no findings list"))
		return
	}
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
	res, err := fl.Findings(r.Context(), analysis.FindingsRequest{
		Severity: listParam(q["severity"]), Types: listParam(q["type"]), Accounts: listParam(q["account"]),
		Regions: listParam(q["region"]), Q: q.Get("q"), Archived: q.Get("archived"),
		Start: start, End: end, Sort: q.Get("sort"), Limit: int(min(limit, 1<<30)), Cursor: q.Get("cursor"),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
