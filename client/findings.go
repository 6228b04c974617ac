package client

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound/internal/analysis"
)

type (
	// FindingsList is one page of the findings list.
	FindingsList = analysis.FindingsList
	// FindingSummary is one row of the findings list.
	FindingSummary = analysis.FindingSummary
)

// FindingsParams filters, sorts and pages the findings list; zero values
// mean no filter (active findings of every severity, most severe first).
type FindingsParams struct {
	Severity []string // low, medium, high, critical
	Types    []string // patterns with * and ? wildcards
	Accounts []string
	Regions  []string
	Q        string
	Archived string // "false" (default), "true" or "any"
	Scope    Scope
	Sort     string // e.g. "-lastSeen"
	Limit    int
	Cursor   string
}

// Findings returns one page of the findings list.
func (c *Client) Findings(ctx context.Context, p FindingsParams) (*FindingsList, error) {
	q := url.Values{}
	for k, v := range map[string][]string{"severity": p.Severity, "type": p.Types, "account": p.Accounts, "region": p.Regions} {
		if len(v) > 0 {
			q.Set(k, strings.Join(v, ","))
		}
	}
	set(q, "q", p.Q)
	set(q, "archived", p.Archived)
	set(q, "sort", p.Sort)
	set(q, "cursor", p.Cursor)
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	setScope(q, p.Scope)
	var out FindingsList
	if err := c.get(ctx, "/api/v1/findings", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
