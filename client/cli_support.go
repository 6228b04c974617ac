package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/trailhound/trailhound"
)

// The Raw methods return an answer's JSON exactly as the server sent it,
// for programs that print or forward it (the command line's --json) and
// must not drop fields this client does not know yet. Decode the bytes
// into the typed answers to read them.

// SearchRaw is Search returning the answer's bytes.
func (c *Client) SearchRaw(ctx context.Context, p SearchParams) (json.RawMessage, error) {
	q := url.Values{}
	set(q, "type", string(p.Type))
	set(q, "q", p.Q)
	setScope(q, p.Scope)
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	set(q, "cursor", p.Cursor)
	var out json.RawMessage
	if err := c.get(ctx, "/api/v1/search", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// EntityRaw is Entity returning the answer's bytes.
func (c *Client) EntityRaw(ctx context.Context, ref trailhound.EntityRef) (json.RawMessage, error) {
	var out json.RawMessage
	if err := c.get(ctx, EntityPath(ref), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PanelRaw is Panel returning the answer's bytes.
func (c *Client) PanelRaw(ctx context.Context, ref trailhound.EntityRef, panel string, scope Scope, params map[string]string) (json.RawMessage, error) {
	var out json.RawMessage
	if err := c.Panel(ctx, ref, panel, scope, params, &out); err != nil {
		return nil, err
	}
	return out, nil
}
