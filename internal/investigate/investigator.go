package investigate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// GroupSource is what investigations need from finding groups
// (internal/groups): the groups that involve an investigation's entities,
// for RELATED_FINDING_GROUP indicators, and the recent groups, for the
// recommended list. Without one, investigations raise no
// RELATED_FINDING_GROUP and say so in their notes.
type GroupSource interface {
	// GroupsInvolving returns the groups that involve any of the entities
	// and whose observed period overlaps the scope.
	GroupsInvolving(ctx context.Context, entities []trailhound.EntityRef, scope trailhound.Scope) ([]GroupInfo, error)
	// RecentGroups returns the groups observed at or after since, with
	// their involved entities.
	RecentGroups(ctx context.Context, since time.Time) ([]GroupInfo, error)
}

// GroupInfo describes a finding group to investigations.
type GroupInfo struct {
	ID    string
	Title string
	// Severity is the group's severity on GuardDuty's 0–10 scale (the
	// highest member severity).
	Severity  float64
	Tactics   []string
	FirstSeen time.Time
	LastSeen  time.Time
	// Entities are the entities the group involves.
	Entities []trailhound.EntityRef
}

// Options configures an Investigator. Zero values take the defaults.
type Options struct {
	// Dialect spells the store-specific SQL; default DuckDB.
	Dialect analysis.Dialect
	// Baseline is how far before the scope the baseline reaches; default
	// trailhound.DefaultBaseline (45 days).
	Baseline time.Duration
	// ThreatIntel holds the user's threat-intelligence lists; nil raises
	// no FLAGGED_IP_ADDRESS.
	ThreatIntel *ThreatIntel
	// Groups supplies finding groups; nil raises no
	// RELATED_FINDING_GROUP.
	Groups GroupSource
	// TTP is the ATT&CK mapping; default DefaultTTPTable.
	TTP *TTPTable
	// MaxTravelKmh is the fastest plausible travel; default 1000 km/h.
	MaxTravelKmh float64
	// MinTravelKm ignores shorter moves; default 500 km.
	MinTravelKm float64
}

// Investigator computes investigations over one store. It is safe for
// concurrent use.
type Investigator struct {
	db       *sql.DB
	eng      *analysis.Engine
	dialect  analysis.Dialect
	baseline time.Duration
	ttp      *TTPTable
	intel    *ThreatIntel
	groups   GroupSource
	limits   travelLimits
}

// NewInvestigator returns an Investigator reading db, a database with the
// store's schema.
func NewInvestigator(db *sql.DB, opts Options) *Investigator {
	if opts.Dialect == nil {
		opts.Dialect = analysis.DuckDB{}
	}
	if opts.Baseline <= 0 {
		opts.Baseline = trailhound.DefaultBaseline
	}
	if opts.TTP == nil {
		opts.TTP = DefaultTTPTable
	}
	if opts.MaxTravelKmh <= 0 {
		opts.MaxTravelKmh = 1000
	}
	if opts.MinTravelKm <= 0 {
		opts.MinTravelKm = 500
	}
	return &Investigator{
		db: db, eng: analysis.New(db, analysis.Options{Dialect: opts.Dialect, Baseline: opts.Baseline}),
		dialect: opts.Dialect, baseline: opts.Baseline, ttp: opts.TTP, intel: opts.ThreatIntel, groups: opts.Groups,
		limits: travelLimits{MaxKmh: opts.MaxTravelKmh, MinKm: opts.MinTravelKm, MinSeconds: 60},
	}
}

// Request asks for an investigation of an entity over a scope.
type Request struct {
	// Entity is what to investigate: an AwsUser, AwsRole, AwsRoleSession,
	// FederatedUser, AccessKey or Ec2Instance. Users and roles may also
	// be named by their ARN.
	Entity trailhound.EntityRef
	// Start and End are the scope in epoch seconds; zero values take the
	// entity's default scope (the 24 hours ending at the end of the hour
	// of its last activity), as profiles do.
	Start, End int64
}

// Resolve checks a request: the entity's type, that it exists, and the
// scope. Errors are EINVALID or ENOTFOUND and name what is wrong.
func (iv *Investigator) Resolve(ctx context.Context, req Request) (*analysis.Entity, trailhound.Scope, error) {
	if !slices.Contains(EntityTypes, req.Entity.Type) {
		names := make([]string, len(EntityTypes))
		for i, t := range EntityTypes {
			names[i] = string(t)
		}
		return nil, trailhound.Scope{}, trailhound.Errorf(trailhound.EINVALID, "cannot investigate %q entities: entity type must be one of %s",
			req.Entity.Type, strings.Join(names, ", "))
	}
	if req.Entity.ID == "" {
		return nil, trailhound.Scope{}, trailhound.Errorf(trailhound.EINVALID, "entity id is empty")
	}
	ref := req.Entity
	if strings.HasPrefix(ref.ID, "arn:") && (ref.Type == trailhound.AwsUser || ref.Type == trailhound.AwsRole) {
		// Detective names principals by ARN; the graph by principal id.
		var id sql.NullString
		err := iv.db.QueryRowContext(ctx, `SELECT min(id) FROM entities WHERE namespace = ? AND arn = ?`, string(ref.Type), ref.ID).Scan(&id)
		if err != nil {
			return nil, trailhound.Scope{}, fmt.Errorf("investigate: look up %s: %w", ref.ID, err)
		}
		if id.Valid && id.String != "" {
			ref.ID = id.String
		}
	}
	ent, err := iv.eng.Entity(ctx, ref)
	if err != nil {
		return nil, trailhound.Scope{}, err
	}
	scope, err := analysis.ResolveScope(req.Start, req.End, trailhound.Scope{Start: ent.DefaultScope.Start, End: ent.DefaultScope.End})
	if err != nil {
		return nil, trailhound.Scope{}, err
	}
	return ent, scope, nil
}

// Investigate runs an investigation and returns it, SUCCESSFUL, without
// storing it (the Service stores).
func (iv *Investigator) Investigate(ctx context.Context, req Request) (*Investigation, error) {
	ent, scope, err := iv.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	return iv.run(ctx, ent, scope)
}

// run computes the investigation of a resolved entity.
func (iv *Investigator) run(ctx context.Context, ent *analysis.Entity, scope trailhound.Scope) (*Investigation, error) {
	s, err := iv.gather(ctx, ent, scope)
	if err != nil {
		return nil, err
	}
	inv := &Investigation{
		Entity: Ref{Type: ent.Type, ID: ent.ID}, Label: ent.Label, ARN: ent.ARN, Account: ent.Account,
		Scope: ScopeJSON{Start: scope.Start, End: scope.End}, Baseline: ScopeJSON{Start: s.base.Start, End: s.base.End},
		Status: Successful, State: Active, Indicators: []Indicator{}, SeverityReasons: []string{},
		NextSteps: []string{}, Notes: []string{},
	}
	b := &builder{iv: iv, s: s, inv: inv}
	if err := b.build(ctx); err != nil {
		return nil, err
	}
	return inv, nil
}
