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

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/groups"
)

// Finding groups as the API answers them.
type (
	// GroupList is one page of finding groups.
	GroupList = groups.List
	// GroupSummary is a finding group as lists show it.
	GroupSummary = groups.Summary
	// Group is a finding group with its members, entities, lineage and
	// evidence.
	Group = groups.Detail
	// GroupGraph is a finding group as nodes and edges.
	GroupGraph = groups.Graph
	// GroupEditResult is the answer to a split or a merge.
	GroupEditResult = groups.EditResult
	// GroupAudit lists the edits of a group.
	GroupAudit = groups.Audit
)

// GroupsParams are the filters of Groups; see the API document. Slices
// match any of their values.
type GroupsParams struct {
	Status   string // active (default), inactive or any
	Severity []string
	Tactics  []string
	Accounts []string
	Entities []trailhound.EntityRef
	Findings []string
	Q        string
	Sort     string
	Limit    int
	Cursor   string
}

// Groups lists finding groups.
func (c *Client) Groups(ctx context.Context, p GroupsParams) (*GroupList, error) {
	q := url.Values{}
	set(q, "status", p.Status)
	set(q, "severity", strings.Join(p.Severity, ","))
	set(q, "tactic", strings.Join(p.Tactics, ","))
	set(q, "account", strings.Join(p.Accounts, ","))
	for _, e := range p.Entities {
		q.Add("entity", e.String())
	}
	set(q, "finding", strings.Join(p.Findings, ","))
	set(q, "q", p.Q)
	set(q, "sort", p.Sort)
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	set(q, "cursor", p.Cursor)
	var out GroupList
	return &out, c.get(ctx, "/api/v1/groups", q, &out)
}

// Group returns a finding group.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	var out Group
	return &out, c.get(ctx, "/api/v1/groups/"+segment(id), nil, &out)
}

// GroupGraph returns a finding group as nodes and edges; aggregate
// collapses findings of the same type into one node. A zero maxNodes
// keeps the server's default.
func (c *Client) GroupGraph(ctx context.Context, id string, aggregate bool, maxNodes int) (*GroupGraph, error) {
	q := url.Values{"aggregate": {strconv.FormatBool(aggregate)}}
	if maxNodes != 0 {
		q.Set("maxNodes", strconv.Itoa(maxNodes))
	}
	var out GroupGraph
	return &out, c.get(ctx, "/api/v1/groups/"+segment(id)+"/graph", q, &out)
}

// GroupAudit returns the analysts' edits of a group.
func (c *Client) GroupAudit(ctx context.Context, id string) (*GroupAudit, error) {
	var out GroupAudit
	return &out, c.get(ctx, "/api/v1/groups/"+segment(id)+"/audit", nil, &out)
}

// SplitGroup moves finding out of group id; who names the analyst in the
// audit log.
func (c *Client) SplitGroup(ctx context.Context, id, finding, who string) (*GroupEditResult, error) {
	var out GroupEditResult
	return &out, c.post(ctx, "/api/v1/groups/"+segment(id)+"/split", who, map[string]string{"finding": finding}, &out)
}

// MergeGroups merges group other into group id; who names the analyst in
// the audit log.
func (c *Client) MergeGroups(ctx context.Context, id, other, who string) (*GroupEditResult, error) {
	var out GroupEditResult
	return &out, c.post(ctx, "/api/v1/groups/"+segment(id)+"/merge", who, map[string]string{"group": other}, &out)
}

// post sends body as JSON, with who in the user header, and decodes the
// answer into out. Error answers become *trailhound.Error as for GET.
func (c *Client) post(ctx context.Context, path, who string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("client: %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if who != "" {
		req.Header.Set("X-Trailhound-User", who)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" {
			return fmt.Errorf("client: %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(raw)))
		}
		return &trailhound.Error{Code: e.Error.Code, Message: e.Error.Message}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: %s: decode answer: %w", path, err)
	}
	return nil
}
