// Package client is a Go client of Trailhound's JSON API (/api/v1). The
// command line uses it, and so do the end-to-end tests, which therefore
// check the API the way programs see it. Answers are the analysis
// engine's own types, so the client never drifts from the server.
package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// Answers of the API.
type (
	// SearchResults is one page of a search.
	SearchResults = analysis.SearchResults
	// SearchResult is one entity found.
	SearchResult = analysis.SearchResult
	// Entity is an entity's profile header.
	Entity = analysis.Entity
	// APICallVolume is the api-call-volume panel.
	APICallVolume = analysis.APICallVolume
	// ActivityDetails is the activity-details panel.
	ActivityDetails = analysis.ActivityDetails
	// ActivityRow is one row of the activity details' groupings.
	ActivityRow = analysis.ActivityRow
	// Counts are successful and failed API calls.
	Counts = analysis.Counts
	// Finding is a GuardDuty finding with its involved entities.
	Finding = analysis.Finding
	// PanelInfo describes a panel and the types it applies to.
	PanelInfo = analysis.PanelInfo
	// AssociatedFindings is the associated-findings panel.
	AssociatedFindings = analysis.AssociatedFindings
	// NewGeolocations is the new-geolocations panel.
	NewGeolocations = analysis.NewGeolocations
	// ResourceInteraction is the resource-interaction panel.
	ResourceInteraction = analysis.ResourceInteraction
	// NewlyObserved is the new-api-calls, new-user-agents and new-asos
	// panels.
	NewlyObserved = analysis.NewlyObserved
	// VPCFlowVolume is the vpc-flow-volume panel.
	VPCFlowVolume = analysis.VPCFlowVolume
	// IncreasedVolume is the increased-volume panel.
	IncreasedVolume = analysis.IncreasedVolume
	// Summary is the summary page.
	Summary = analysis.Summary
	// Usage is the ingested volume and the Detective charge estimate.
	Usage = analysis.Usage
)

// Client calls one Trailhound server. It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
}

// New returns a client of the server at baseURL (e.g.
// "http://127.0.0.1:8080"). A nil hc uses http.DefaultClient.
func New(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, trailhound.Errorf(trailhound.EINVALID, "server URL %q must be http://host:port or https://host:port", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimSuffix(baseURL, "/"), hc: hc}, nil
}

// Scope limits an answer to [Start, End) in epoch seconds; zero values
// leave the server's default (for an entity, its last 24 hours of data).
type Scope = trailhound.Scope

// SearchParams are the parameters of Search; see the API document.
type SearchParams struct {
	Type   trailhound.Namespace
	Q      string
	Scope  Scope
	Limit  int
	Cursor string
}

// Search finds entities.
func (c *Client) Search(ctx context.Context, p SearchParams) (*SearchResults, error) {
	q := url.Values{}
	set(q, "type", string(p.Type))
	set(q, "q", p.Q)
	setScope(q, p.Scope)
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	set(q, "cursor", p.Cursor)
	var out SearchResults
	return &out, c.get(ctx, "/api/v1/search", q, &out)
}

// EntityPath is the API path of an entity: its id is one path segment,
// percent-encoded, so ids with slashes, colons and spaces are safe.
func EntityPath(ref trailhound.EntityRef) string {
	return "/api/v1/entities/" + segment(string(ref.Type)) + "/" + segment(ref.ID)
}

// segment escapes s as one path segment. PathEscape leaves dots alone, so
// an id that is "." or ".." would be read as path navigation; those are
// sent as %2E, which the server takes literally.
func segment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// Entity returns an entity's profile header.
func (c *Client) Entity(ctx context.Context, ref trailhound.EntityRef) (*Entity, error) {
	var out Entity
	return &out, c.get(ctx, EntityPath(ref), nil, &out)
}

// Panel fetches one panel of an entity into out. Params are the panel's
// own parameters.
func (c *Client) Panel(ctx context.Context, ref trailhound.EntityRef, panel string, scope Scope, params map[string]string, out any) error {
	q := url.Values{}
	setScope(q, scope)
	for k, v := range params {
		q.Set(k, v)
	}
	return c.get(ctx, EntityPath(ref)+"/panels/"+segment(panel), q, out)
}

// APICallVolume returns the api-call-volume panel of an entity.
func (c *Client) APICallVolume(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*APICallVolume, error) {
	var out APICallVolume
	return &out, c.Panel(ctx, ref, analysis.PanelAPICallVolume, scope, nil, &out)
}

// ActivityOptions narrow the activity-details panel: Bucket, when not
// zero, is the start of one bucket of the scope's series to count alone;
// Filters are the panel's filter parameters (api, notApi, apiContains,
// service, notService, ip, notIp, ipClass), each a comma-separated list.
type ActivityOptions struct {
	Bucket  int64
	Filters map[string]string
}

// ActivityDetails returns the activity-details panel of an entity.
func (c *Client) ActivityDetails(ctx context.Context, ref trailhound.EntityRef, scope Scope, opts ActivityOptions) (*ActivityDetails, error) {
	params := map[string]string{}
	for k, v := range opts.Filters {
		params[k] = v
	}
	if opts.Bucket != 0 {
		params["bucket"] = strconv.FormatInt(opts.Bucket, 10)
	}
	var out ActivityDetails
	return &out, c.Panel(ctx, ref, analysis.PanelActivityDetails, scope, params, &out)
}

// AssociatedFindings returns the findings that name an entity and were
// observed during the scope.
func (c *Client) AssociatedFindings(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*AssociatedFindings, error) {
	var out AssociatedFindings
	return &out, c.Panel(ctx, ref, analysis.PanelFindings, scope, nil, &out)
}

// NewGeolocations returns the places an entity's calls came from during
// the scope and not during the baseline.
func (c *Client) NewGeolocations(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*NewGeolocations, error) {
	var out NewGeolocations
	return &out, c.Panel(ctx, ref, analysis.PanelNewGeolocations, scope, nil, &out)
}

// ResourceInteraction returns who assumed what and when, for a principal,
// an address or a user agent.
func (c *Client) ResourceInteraction(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*ResourceInteraction, error) {
	var out ResourceInteraction
	return &out, c.Panel(ctx, ref, analysis.PanelInteraction, scope, nil, &out)
}

// NewlyObserved returns one of the newly observed panels (new-api-calls,
// new-user-agents, new-asos) of an entity.
func (c *Client) NewlyObserved(ctx context.Context, ref trailhound.EntityRef, panel string, scope Scope) (*NewlyObserved, error) {
	var out NewlyObserved
	return &out, c.Panel(ctx, ref, panel, scope, nil, &out)
}

// VPCFlowVolume returns the inbound and outbound traffic of an instance
// or an address, with the flows behind it.
func (c *Client) VPCFlowVolume(ctx context.Context, ref trailhound.EntityRef, scope Scope) (*VPCFlowVolume, error) {
	var out VPCFlowVolume
	return &out, c.Panel(ctx, ref, analysis.PanelVPCFlowVolume, scope, nil, &out)
}

// IncreasedVolume returns the APIs an entity called more during the scope
// than its baseline predicts. A zero minScore keeps the server's default
// threshold.
func (c *Client) IncreasedVolume(ctx context.Context, ref trailhound.EntityRef, scope Scope, minScore float64) (*IncreasedVolume, error) {
	var params map[string]string
	if minScore != 0 {
		params = map[string]string{"minScore": strconv.FormatFloat(minScore, 'g', -1, 64)}
	}
	var out IncreasedVolume
	return &out, c.Panel(ctx, ref, analysis.PanelIncreasedVolume, scope, params, &out)
}

// Panels lists the panels the server knows and the types they apply to.
func (c *Client) Panels(ctx context.Context) ([]PanelInfo, error) {
	var out struct{ Panels []PanelInfo }
	return out.Panels, c.get(ctx, "/api/v1/panels", nil, &out)
}

// Finding returns a finding's latest version and its involved entities.
func (c *Client) Finding(ctx context.Context, id string) (*Finding, error) {
	var out Finding
	return &out, c.get(ctx, "/api/v1/findings/"+segment(id), nil, &out)
}

// EventsReader streams the raw records behind an entity's numbers from
// the entity type's default source (CloudTrail for the types API calls
// are attributed to, VPC flows for instances, GuardDuty findings
// otherwise; RecordsReader names the source) in the given format (json,
// ndjson or csv), with the filters of the panels they stand behind. The
// caller closes it; a stream cut short by the server fails with an error
// when read.
func (c *Client) EventsReader(ctx context.Context, ref trailhound.EntityRef, scope Scope, format string, filters map[string]string) (io.ReadCloser, error) {
	q := url.Values{}
	for k, v := range filters {
		q.Set(k, v)
	}
	q.Set("entity", ref.String())
	setScope(q, scope)
	set(q, "format", format)
	resp, err := c.do(ctx, "/api/v1/events", q)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Events returns the raw records behind an entity's numbers from the
// entity type's default source, one JSON value each: CloudTrail records
// exactly as delivered, oldest first (FlowRecords and FindingRecords read
// the other sources).
func (c *Client) Events(ctx context.Context, ref trailhound.EntityRef, scope Scope, filters map[string]string) ([]json.RawMessage, error) {
	body, err := c.EventsReader(ctx, ref, scope, "ndjson", filters)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var out []json.RawMessage
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		out = append(out, json.RawMessage(append([]byte(nil), sc.Bytes()...)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("client: events: %w", err)
	}
	return out, nil
}

func set(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func setScope(q url.Values, s Scope) {
	if s.Start != 0 {
		q.Set("scopeStart", strconv.FormatInt(s.Start, 10))
	}
	if s.End != 0 {
		q.Set("scopeEnd", strconv.FormatInt(s.End, 10))
	}
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	resp, err := c.do(ctx, path, q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: %s: decode answer: %w", path, err)
	}
	return nil
}

// do sends a GET and turns error answers into *trailhound.Error with the
// server's code and message, so callers test codes with
// trailhound.ErrorCode as they would for the engine itself.
func (c *Client) do(ctx context.Context, path string, q url.Values) (*http.Response, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(b, &body) != nil || body.Error.Code == "" {
		return nil, fmt.Errorf("client: %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return nil, &trailhound.Error{Code: body.Error.Code, Message: body.Error.Message}
}
