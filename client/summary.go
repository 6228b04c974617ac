package client

import (
	"context"
	"net/url"
)

// Summary returns the summary page for scope (zero values: the last 24
// hours of data).
func (c *Client) Summary(ctx context.Context, scope Scope) (*Summary, error) {
	q := url.Values{}
	setScope(q, scope)
	var out Summary
	if err := c.get(ctx, "/api/v1/summary", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Usage returns the ingested volume per account, region and source and
// the Detective charge estimate.
func (c *Client) Usage(ctx context.Context) (*Usage, error) {
	var out Usage
	if err := c.get(ctx, "/api/v1/usage", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
