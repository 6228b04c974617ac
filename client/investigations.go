package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
)

// Investigation answers of the API.
type (
	// Investigation is one investigation with its indicators.
	Investigation = investigate.Investigation
	// Indicator is one indicator of compromise.
	Indicator = investigate.Indicator
	// InvestigationList is one page of investigations.
	InvestigationList = investigate.List
	// InvestigationSummary is an investigation as lists show it.
	InvestigationSummary = investigate.Summary
	// Recommendations are the entities worth investigating.
	Recommendations = investigate.Recommendations
)

// StartInvestigation starts an investigation of an entity over a scope
// (zero values: the entity's default scope) and returns it, RUNNING; poll
// Investigation, or call WaitInvestigation, for the result.
func (c *Client) StartInvestigation(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*Investigation, error) {
	body := map[string]any{"entity": map[string]string{"type": string(ref.Type), "id": ref.ID}}
	if scope.Start != 0 {
		body["scopeStart"] = scope.Start
	}
	if scope.End != 0 {
		body["scopeEnd"] = scope.End
	}
	var out Investigation
	return &out, c.send(ctx, http.MethodPost, "/api/v1/investigations", body, &out)
}

// Investigation returns an investigation.
func (c *Client) Investigation(ctx context.Context, id string) (*Investigation, error) {
	var out Investigation
	return &out, c.get(ctx, "/api/v1/investigations/"+segment(id), nil, &out)
}

// WaitInvestigation polls an investigation every interval until it is no
// longer RUNNING or ctx ends.
func (c *Client) WaitInvestigation(ctx context.Context, id string, interval time.Duration) (*Investigation, error) {
	for {
		inv, err := c.Investigation(ctx, id)
		if err != nil || inv.Status != investigate.Running {
			return inv, err
		}
		select {
		case <-ctx.Done():
			return inv, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// InvestigationParams filter and sort the list of investigations; see
// the API document.
type InvestigationParams struct {
	Entity   string // "<Namespace>/<id>", an id or an ARN
	Status   []investigate.Status
	Severity []investigate.Severity
	State    []investigate.State
	Sort     string // createdAt, severity or status; "-" or "+" before for the direction
	Limit    int
	Cursor   string
}

// Investigations lists investigations.
func (c *Client) Investigations(ctx context.Context, p InvestigationParams) (*InvestigationList, error) {
	q := url.Values{}
	set(q, "entity", p.Entity)
	join := func(name string, vals []string) {
		if len(vals) > 0 {
			q.Set(name, strings.Join(vals, ","))
		}
	}
	var st, sv, sa []string
	for _, v := range p.Status {
		st = append(st, string(v))
	}
	for _, v := range p.Severity {
		sv = append(sv, string(v))
	}
	for _, v := range p.State {
		sa = append(sa, string(v))
	}
	join("status", st)
	join("severity", sv)
	join("state", sa)
	set(q, "sort", p.Sort)
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	set(q, "cursor", p.Cursor)
	var out InvestigationList
	return &out, c.get(ctx, "/api/v1/investigations", q, &out)
}

// SetInvestigationState archives (ARCHIVED) or reactivates (ACTIVE) an
// investigation.
func (c *Client) SetInvestigationState(ctx context.Context, id string, state investigate.State) (*Investigation, error) {
	var out Investigation
	return &out, c.send(ctx, http.MethodPatch, "/api/v1/investigations/"+segment(id), map[string]string{"state": string(state)}, &out)
}

// RecommendedInvestigations lists the entities worth investigating as of
// at (zero: the latest data).
func (c *Client) RecommendedInvestigations(ctx context.Context, at time.Time, limit int) (*Recommendations, error) {
	q := url.Values{}
	if !at.IsZero() {
		q.Set("at", strconv.FormatInt(at.Unix(), 10))
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out Recommendations
	return &out, c.get(ctx, "/api/v1/investigations/recommended", q, &out)
}

// InvestigationReport returns an investigation's report in a format:
// json, html or md.
func (c *Client) InvestigationReport(ctx context.Context, id, format string) ([]byte, error) {
	q := url.Values{}
	set(q, "format", format)
	resp, err := c.do(ctx, "/api/v1/investigations/"+segment(id)+"/report", q)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("client: report: %w", err)
	}
	return b, nil
}

// send sends a JSON body with a method other than GET and decodes the
// answer into out; error answers become *trailhound.Error as with GET.
func (c *Client) send(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("client: %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("client: %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
			return fmt.Errorf("client: %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(data)))
		}
		return &trailhound.Error{Code: e.Error.Code, Message: e.Error.Message}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("client: %s: decode answer: %w", path, err)
	}
	return nil
}
