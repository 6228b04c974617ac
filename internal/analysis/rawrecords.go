package analysis

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/trailhound/trailhound"
)

// FlowRecord is one VPC flow log record behind a flow number: the line
// exactly as delivered, the object and line it was read from, its main
// fields, and how the flow panels count it for the entity (the peer, the
// entity's and the peer's ports, who opened the connection and which way
// the record's bytes went).
type FlowRecord struct {
	Object        string `json:"object"`
	Line          int    `json:"line"`
	Record        string `json:"record"`
	Version       int    `json:"version"`
	Account       string `json:"accountId,omitempty"`
	InterfaceID   string `json:"interfaceId,omitempty"`
	InstanceID    string `json:"instanceId,omitempty"`
	SrcAddr       string `json:"srcAddr,omitempty"`
	DstAddr       string `json:"dstAddr,omitempty"`
	SrcPort       int    `json:"srcPort"`
	DstPort       int    `json:"dstPort"`
	Protocol      int    `json:"protocol"`
	Packets       int64  `json:"packets"`
	Bytes         int64  `json:"bytes"`
	Start         int64  `json:"start"`
	End           int64  `json:"end"`
	Action        string `json:"action,omitempty"`
	LogStatus     string `json:"logStatus,omitempty"`
	VPCID         string `json:"vpcId,omitempty"`
	FlowDirection string `json:"flowDirection,omitempty"`
	Peer          *Ref   `json:"peer,omitempty"`
	LocalPort     int    `json:"localPort"`
	RemotePort    int    `json:"remotePort"`
	// Direction is who opened the connection, as the details rows say
	// it; Traffic is the way this record's bytes went (inbound: towards
	// the entity).
	Direction string `json:"direction"`
	Traffic   string `json:"traffic"`
}

func (e *Engine) flowEvents(ctx context.Context, req EventsRequest) (*EventStream, error) {
	if !slices.Contains(flowTypes, req.Entity.Type) {
		return nil, trailhound.Errorf(trailhound.EINVALID, "entity %s has no VPC flow records attributed to it (entity): flows are attributed to Ec2Instance and IpAddress entities", req.Entity)
	}
	if e.archive == nil {
		return nil, trailhound.Errorf(trailhound.EINVALID, "raw records are unavailable: this server has no object archive")
	}
	filter, err := parseFlowFilter(req.Filters, "events from vpcflow")
	if err != nil {
		return nil, err
	}
	ent, err := e.lookup(ctx, req.Entity)
	if err != nil {
		return nil, err
	}
	def := entityDefaultScope(ent.LastSeen)
	if filter.finding != "" {
		if _, filter.peers, err = e.findingPeers(ctx, filter.finding, FlowFilterFinding, ent.Ref); err != nil {
			return nil, err
		}
		if req.Start == 0 && req.End == 0 {
			if def, err = e.findingDefaultScope(ctx, filter.finding, FlowFilterFinding); err != nil {
				return nil, err
			}
		}
	}
	scope, err := ResolveScope(req.Start, req.End, def)
	if err != nil {
		return nil, err
	}
	window, _ := flowWindow(scope)
	return &EventStream{e: e, Source: trailhound.SourceVPCFlow, Scope: window,
		flows: &flowScan{e: e, ent: ent, window: window, filter: filter}}, nil
}

// EachFlow calls fn with every flow record of a vpcflow stream: the
// records the flow panels of the entity count in the stream's Scope,
// filtered as the details panel filters, objects oldest first and lines
// in order within each. A record whose object is no longer archived is
// an error, not a silent gap. The record passed, and its strings, are
// only valid until fn returns: they are reused for the next record.
func (s *EventStream) EachFlow(ctx context.Context, fn func(*FlowRecord) error) error {
	if s.Source != trailhound.SourceVPCFlow {
		return fmt.Errorf("analysis: events: the stream holds %s records, not VPC flow records", s.Source)
	}
	var rec FlowRecord
	var peer Ref
	return s.flows.each(ctx, true, func(it *flowItem) error {
		rec = *it.rec
		if it.view.peer.Type != "" {
			peer = it.view.peer
			rec.Peer = &peer
		}
		return fn(&rec)
	})
}

// FindingRecord is one stored GuardDuty finding version: its main fields
// and the finding JSON exactly as delivered.
type FindingRecord struct {
	ID           string
	Type         string
	Title        string
	Severity     float64
	Account      string
	Region       string
	CreatedAt    int64
	UpdatedAt    int64
	FirstSeen    int64
	LastSeen     int64
	Count        int64
	Archived     bool
	ResourceType string
	ActionType   string
	Raw          json.RawMessage
}

// findingQuery selects the finding versions of a guardduty stream.
type findingQuery struct {
	q    string
	args []any
}

func (e *Engine) findingEvents(ctx context.Context, req EventsRequest) (*EventStream, error) {
	if len(req.Filters) > 0 {
		names := make([]string, 0, len(req.Filters))
		for k := range req.Filters {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of events from guardduty (findings take no filters)", names[0])
	}
	ent, err := e.lookup(ctx, req.Entity)
	if err != nil {
		return nil, err
	}
	const cols = `SELECT f.id, f.type, f.title, f.severity, f.account, f.region, f.created_at, f.updated_at, f.first_seen, f.last_seen,
	f.count, f.archived, f.resource_type, f.action_type, f.raw`
	if ent.Ref.Type == trailhound.FindingEntity {
		// A finding's own records are every version delivered, whatever
		// the scope.
		scope, err := e.findingDefaultScope(ctx, ent.Ref.ID, "entity")
		if err != nil {
			return nil, err
		}
		return &EventStream{e: e, Source: trailhound.SourceGuardDuty, Scope: scope,
			findings: &findingQuery{q: cols + ` FROM findings f WHERE f.id = ? ORDER BY f.updated_at`, args: []any{ent.Ref.ID}}}, nil
	}
	scope, err := ResolveScope(req.Start, req.End, entityDefaultScope(ent.LastSeen))
	if err != nil {
		return nil, err
	}
	// The findings of the associated-findings panel, in its order.
	ts := e.dialect.Timestamp()
	q := cols + ` FROM latest_findings f
WHERE f.id IN (SELECT n.id FROM edges r JOIN entities n ON n.key = r.src AND n.namespace = ?
               WHERE r.kind = 'finding_involves' AND r.dst = ?)
  AND coalesce(f.first_seen, f.created_at, f.updated_at) < ` + ts + `
  AND coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at) >= ` + ts + `
ORDER BY coalesce(f.severity, 0) DESC, coalesce(f.last_seen, f.first_seen, f.created_at, f.updated_at) DESC, f.id`
	return &EventStream{e: e, Source: trailhound.SourceGuardDuty, Scope: scope,
		findings: &findingQuery{q: q, args: []any{string(trailhound.FindingEntity), ent.Key, scope.End, scope.Start}}}, nil
}

// EachFinding calls fn with every finding version of a guardduty stream:
// for a Finding entity every version delivered, oldest first; for other
// entities the latest versions of the findings the associated-findings
// panel lists, in its order.
func (s *EventStream) EachFinding(ctx context.Context, fn func(*FindingRecord) error) error {
	if s.Source != trailhound.SourceGuardDuty {
		return fmt.Errorf("analysis: events: the stream holds %s records, not GuardDuty findings", s.Source)
	}
	rows, err := s.e.db.QueryContext(ctx, s.findings.q, s.findings.args...)
	if err != nil {
		return fmt.Errorf("analysis: finding records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r FindingRecord
		var typ, title, account, region, resType, actType sql.NullString
		var created, updated, first, last sql.NullTime
		var severity sql.NullFloat64
		var count sql.NullInt64
		var archived sql.NullBool
		var raw string
		if err := rows.Scan(&r.ID, &typ, &title, &severity, &account, &region, &created, &updated, &first, &last,
			&count, &archived, &resType, &actType, &raw); err != nil {
			return fmt.Errorf("analysis: finding records: %w", err)
		}
		r.Type, r.Title, r.Account, r.Region, r.ResourceType, r.ActionType = typ.String, title.String, account.String, region.String, resType.String, actType.String
		r.Severity, r.Count, r.Archived = severity.Float64, count.Int64, archived.Bool
		unix := func(t sql.NullTime) int64 {
			if !t.Valid {
				return 0
			}
			return t.Time.Unix()
		}
		r.CreatedAt, r.UpdatedAt, r.FirstSeen, r.LastSeen = unix(created), unix(updated), unix(first), unix(last)
		if json.Valid([]byte(raw)) {
			r.Raw = json.RawMessage(raw)
		} else {
			// Never hand a client broken JSON; the text is still there.
			r.Raw, _ = json.Marshal(raw)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analysis: finding records: %w", err)
	}
	return nil
}
