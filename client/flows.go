package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// Answers of the VPC flow panels, the related findings and the raw
// records of flows and findings.
type (
	// VPCFlowDetails is the vpc-flow-details panel.
	VPCFlowDetails = analysis.VPCFlowDetails
	// FlowDetailRow is one row of the flow details.
	FlowDetailRow = analysis.FlowDetailRow
	// FlowDetailSeries is one row's traffic per bucket.
	FlowDetailSeries = analysis.FlowDetailSeries
	// VPCFlowServicePorts is the vpc-flow-service-ports panel.
	VPCFlowServicePorts = analysis.VPCFlowServicePorts
	// FlowRecord is one flow log record behind the flow numbers.
	FlowRecord = analysis.FlowRecord
	// RelatedFinding is a finding sharing entities with another.
	RelatedFinding = analysis.RelatedFinding
	// Ref names an entity in an answer: its type and id.
	Ref = analysis.Ref
)

// FlowDetailsOptions narrow and order the vpc-flow-details panel. Bucket,
// when not zero, is the start of one bucket of the flow series to count
// alone. Filters are the panel's filter parameters (ip, notIp, ipClass,
// instance, localPort, remotePort, port, direction, protocol, action),
// each a comma-separated list. Finding limits the rows to the traffic
// with the finding's addresses and instances; Annotate marks and lists
// first the rows of a finding's addresses and instances. Sort, Order and
// Limit order and cut the rows; Series asks for the series of rows by
// their keys.
type FlowDetailsOptions struct {
	Bucket   int64
	Filters  map[string]string
	Finding  string
	Annotate string
	Sort     string
	Order    string
	Limit    int
	Series   []string
}

// VPCFlowDetails returns the flow details of an instance or an address:
// its traffic by peer, ports, protocol and direction, read from the flow
// records.
func (c *Client) VPCFlowDetails(ctx context.Context, ref trailhound.EntityRef, scope Scope, opts FlowDetailsOptions) (*VPCFlowDetails, error) {
	params := map[string]string{}
	for k, v := range opts.Filters {
		params[k] = v
	}
	if opts.Bucket != 0 {
		params["bucket"] = strconv.FormatInt(opts.Bucket, 10)
	}
	if opts.Limit != 0 {
		params["limit"] = strconv.Itoa(opts.Limit)
	}
	for k, v := range map[string]string{"finding": opts.Finding, "annotate": opts.Annotate, "sort": opts.Sort, "order": opts.Order,
		"series": strings.Join(opts.Series, ",")} {
		if v != "" {
			params[k] = v
		}
	}
	var out VPCFlowDetails
	return &out, c.Panel(ctx, ref, analysis.PanelVPCFlowDetails, scope, params, &out)
}

// FindingFlowVolume returns the traffic of an instance or an address with
// the addresses and instances a finding names (Detective's "VPC flow
// volume to and from the finding's IP address"). A zero scope is the
// finding's own.
func (c *Client) FindingFlowVolume(ctx context.Context, ref trailhound.EntityRef, scope Scope, finding string) (*VPCFlowVolume, error) {
	var out VPCFlowVolume
	return &out, c.Panel(ctx, ref, analysis.PanelVPCFlowVolume, scope, map[string]string{"finding": finding}, &out)
}

// VPCFlowServicePorts returns the average traffic per bucket of an
// instance or an address on well-known service ports, in the scope and in
// the baseline. A port of zero or more also returns that port's series.
func (c *Client) VPCFlowServicePorts(ctx context.Context, ref trailhound.EntityRef, scope Scope, port int) (*VPCFlowServicePorts, error) {
	var params map[string]string
	if port >= 0 {
		params = map[string]string{"port": strconv.Itoa(port)}
	}
	var out VPCFlowServicePorts
	return &out, c.Panel(ctx, ref, analysis.PanelVPCFlowServicePorts, scope, params, &out)
}

// RecordsReader streams the raw records of a source behind an entity's
// numbers (cloudtrail, vpcflow or guardduty; empty: the entity type's
// default) in the given format (json, ndjson or csv), with the filters of
// the panels they stand behind. The caller closes it; a stream cut short
// by the server fails with an error when read.
func (c *Client) RecordsReader(ctx context.Context, ref trailhound.EntityRef, source trailhound.Source, scope Scope, format string, filters map[string]string) (io.ReadCloser, error) {
	q := url.Values{}
	for k, v := range filters {
		q.Set(k, v)
	}
	q.Set("entity", ref.String())
	set(q, "source", string(source))
	setScope(q, scope)
	set(q, "format", format)
	resp, err := c.do(ctx, "/api/v1/events", q)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// FlowRecords returns the VPC flow records behind an instance's or an
// address's flow numbers, each with its line as delivered, with the flow
// details filters.
func (c *Client) FlowRecords(ctx context.Context, ref trailhound.EntityRef, scope Scope, filters map[string]string) ([]FlowRecord, error) {
	var out []FlowRecord
	err := c.ndjson(ctx, ref, trailhound.SourceVPCFlow, scope, filters, func(b []byte) error {
		var r FlowRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// FindingRecords returns the GuardDuty findings behind an entity's
// numbers exactly as delivered: for a Finding every version, otherwise
// the latest versions of the findings observed during the scope.
func (c *Client) FindingRecords(ctx context.Context, ref trailhound.EntityRef, scope Scope) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := c.ndjson(ctx, ref, trailhound.SourceGuardDuty, scope, nil, func(b []byte) error {
		out = append(out, json.RawMessage(append([]byte(nil), b...)))
		return nil
	})
	return out, err
}

func (c *Client) ndjson(ctx context.Context, ref trailhound.EntityRef, source trailhound.Source, scope Scope, filters map[string]string, fn func([]byte) error) error {
	body, err := c.RecordsReader(ctx, ref, source, scope, "ndjson", filters)
	if err != nil {
		return err
	}
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("client: events: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("client: events: %w", err)
	}
	return nil
}
