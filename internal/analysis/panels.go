package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/trailhound/trailhound"
)

// Panel ids: the kebab-case names of Detective's profile panels.
const (
	PanelAPICallVolume   = "api-call-volume"
	PanelActivityDetails = "activity-details"
	PanelFindings        = "associated-findings"
	PanelNewGeolocations = "new-geolocations"
	PanelInteraction     = "resource-interaction"
	PanelNewAPICalls     = "new-api-calls"
	PanelNewUserAgents   = "new-user-agents"
	PanelNewASOs         = "new-asos"
	PanelVPCFlowVolume   = "vpc-flow-volume"
	PanelIncreasedVolume = "increased-volume"
	// PanelVPCFlowDetails is the drill-down of the flow volume (Detective
	// shows it under the chart): rows by peer, both ports, protocol and
	// direction, read from the flow records, with row series to overlay.
	PanelVPCFlowDetails = "vpc-flow-details"
	// PanelVPCFlowServicePorts is "Average VPC flow by common service
	// ports".
	PanelVPCFlowServicePorts = "vpc-flow-service-ports"
)

// PanelInfo describes one panel: its id, its title as the console shows
// it, and the entity types whose profiles have it.
type PanelInfo struct {
	ID    string                 `json:"id"`
	Title string                 `json:"title"`
	Types []trailhound.Namespace `json:"types"`
}

// apiCallers are the types whose API calls the events table attributes:
// every principal type, the account, the call's other entities, and EC2
// instances through their instance profile's sessions (subjectOf).
var apiCallers = []trailhound.Namespace{
	trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser,
	trailhound.AwsService, trailhound.IPAddress, trailhound.UserAgent, trailhound.AccessKey, trailhound.S3Bucket,
	trailhound.Ec2Instance,
}

// allTypes are the entity types an investigator can open.
var allTypes = []trailhound.Namespace{
	trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser,
	trailhound.AwsService, trailhound.AccessKey, trailhound.IPAddress, trailhound.UserAgent, trailhound.AutonomousSystem,
	trailhound.Ec2Instance, trailhound.S3Bucket, trailhound.ContainerCluster, trailhound.ContainerPod, trailhound.ContainerImage,
	trailhound.KubernetesSubject,
}

// Panels is the table of panels, in the order a profile shows them.
var Panels = []PanelInfo{
	{PanelFindings, "Associated findings", allTypes},
	{PanelAPICallVolume, "Overall API call volume", apiCallers},
	{PanelActivityDetails, "API call activity details", apiCallers},
	{PanelNewGeolocations, "Newly observed geolocations", principalsAccountBucket},
	{PanelInteraction, "Resource interaction", interactionTypes},
	{PanelNewAPICalls, "Newly observed API calls", newlyPrincipals},
	{PanelNewUserAgents, "Newly observed user agents", newlyPrincipals},
	{PanelNewASOs, "Newly observed autonomous system organizations", newlyPrincipals},
	{PanelVPCFlowVolume, "Overall VPC flow volume", flowTypes},
	{PanelIncreasedVolume, "API calls with increased volume", newlyPrincipals},
	{PanelVPCFlowDetails, "VPC flow activity details", flowTypes},
	{PanelVPCFlowServicePorts, "Average VPC flow by common service ports", flowTypes},
}

// flowTypes are the types VPC flow records are attributed to.
var flowTypes = []trailhound.Namespace{trailhound.Ec2Instance, trailhound.IPAddress}

// principalsAccountBucket are the types Detective shows newly observed
// geolocations for, and EC2 instances: their instance profile's
// credentials used from a new place is how their theft shows.
var principalsAccountBucket = []trailhound.Namespace{
	trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.S3Bucket,
	trailhound.Ec2Instance,
}

// PanelsFor returns the ids of the panels of a type's profile.
func PanelsFor(ns trailhound.Namespace) []string {
	out := []string{}
	for _, p := range Panels {
		if slices.Contains(p.Types, ns) {
			out = append(out, p.ID)
		}
	}
	return out
}

// PanelRequest asks for one panel of one entity. Start and End are the
// requested scope in epoch seconds, zero when absent (the entity's default
// scope fills them); Params holds the panel's own parameters.
type PanelRequest struct {
	Entity trailhound.EntityRef
	Panel  string
	Start  int64
	End    int64
	Params map[string]string
}

// Panel computes one panel. Unknown panels and panels that do not apply
// to the entity's type are EINVALID naming the panel; an unknown entity is
// ENOTFOUND.
func (e *Engine) Panel(ctx context.Context, req PanelRequest) (any, error) {
	var info *PanelInfo
	for i := range Panels {
		if Panels[i].ID == req.Panel {
			info = &Panels[i]
		}
	}
	if info == nil {
		ids := make([]string, len(Panels))
		for i, p := range Panels {
			ids[i] = p.ID
		}
		return nil, trailhound.Errorf(trailhound.EINVALID, "unknown panel %q (panel must be one of %s)", req.Panel, strings.Join(ids, ", "))
	}
	if !slices.Contains(info.Types, req.Entity.Type) {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", req.Panel, req.Entity.Type)
	}
	ent, err := e.lookup(ctx, req.Entity)
	if err != nil {
		return nil, err
	}
	def := entityDefaultScope(ent.LastSeen)
	if id := req.Params[FlowFilterFinding]; id != "" && (req.Panel == PanelVPCFlowVolume || req.Panel == PanelVPCFlowDetails) && req.Start == 0 && req.End == 0 {
		// A view of the finding's traffic opens on the finding's scope.
		if def, err = e.findingDefaultScope(ctx, id, FlowFilterFinding); err != nil {
			return nil, err
		}
	}
	scope, err := ResolveScope(req.Start, req.End, def)
	if err != nil {
		return nil, err
	}
	switch req.Panel {
	case PanelAPICallVolume:
		return e.apiCallVolume(ctx, ent, scope, req.Params)
	case PanelActivityDetails:
		return e.activityDetails(ctx, ent, scope, req.Params)
	case PanelNewGeolocations:
		if err := noParams(PanelNewGeolocations, req.Params); err != nil {
			return nil, err
		}
		return e.newGeolocations(ctx, ent, scope)
	case PanelInteraction:
		if err := noParams(PanelInteraction, req.Params); err != nil {
			return nil, err
		}
		return e.resourceInteraction(ctx, ent, scope)
	case PanelNewAPICalls, PanelNewUserAgents, PanelNewASOs:
		if err := noParams(req.Panel, req.Params); err != nil {
			return nil, err
		}
		dim := map[string]newlyDimension{PanelNewAPICalls: newAPIs, PanelNewUserAgents: newUserAgents, PanelNewASOs: newASNs}[req.Panel]
		return e.newlyObserved(ctx, ent, scope, dim)
	case PanelVPCFlowVolume:
		return e.vpcFlowVolume(ctx, ent, scope, req.Params)
	case PanelVPCFlowDetails:
		return e.vpcFlowDetails(ctx, ent, scope, req.Params)
	case PanelVPCFlowServicePorts:
		return e.vpcFlowServicePorts(ctx, ent, scope, req.Params)
	case PanelIncreasedVolume:
		return e.increasedVolume(ctx, ent, scope, req.Params)
	case PanelFindings:
		if err := noParams(PanelFindings, req.Params); err != nil {
			return nil, err
		}
		return e.associatedFindings(ctx, ent, scope)
	}
	return nil, trailhound.Errorf(trailhound.EINTERNAL, "panel %q has no implementation", req.Panel)
}

// subject says how the events table attributes calls to an entity: a
// condition on the event's entity keys with its arguments, and whether the
// hourly called_api relationship rows from the entity count exactly those
// events (they do for every type whose key is one of the call's actors or
// its address, user agent or access key; not for buckets, whose
// relationships are counted once per actor, nor for instances).
type subject struct {
	where string
	args  []any
	edges bool
}

// subjectFor is the subject of the entity of type ns and key, for the
// types whose own key is on the events; ok is false for the others.
func subjectFor(ns trailhound.Namespace, key int64) (subject, bool) {
	one := []any{key}
	switch ns {
	case trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.AwsService:
		// The same three keys the store derives actor relationships
		// from: the caller, the role behind a session, the account.
		return subject{"(principal_key = ? OR role_key = ? OR account_key = ?)", []any{key, key, key}, true}, true
	case trailhound.IPAddress:
		return subject{"ip_key = ?", one, true}, true
	case trailhound.UserAgent:
		return subject{"ua_key = ?", one, true}, true
	case trailhound.AccessKey:
		return subject{"access_key_key = ?", one, true}, true
	case trailhound.S3Bucket:
		return subject{"bucket_key = ?", one, false}, true
	}
	return subject{}, false
}

// subjectOf is the subject of an entity whose API calls the panels count:
// the types of subjectFor, and EC2 instances, whose calls are those made
// with the credentials of their instance profile. AWS names such role
// sessions after the instance (principal id AROA...:i-0123456789abcdef0),
// and Detective attributes their calls to the instance.
func (e *Engine) subjectOf(ctx context.Context, ent entityRow) (subject, bool, error) {
	if ent.Ref.Type != trailhound.Ec2Instance {
		s, ok := subjectFor(ent.Ref.Type, ent.Key)
		return s, ok, nil
	}
	sessions, err := cachedLookup(ctx, e, map[int64]bool{ent.Key: true}, func(c *nameCache) map[int64][]int64 { return c.sessions },
		func(ctx context.Context, _ []any) (map[int64][]int64, error) {
			// Instance ids hold neither % nor _ (graph.IsInstanceID).
			rows, err := e.db.QueryContext(ctx, `SELECT DISTINCT key FROM entities WHERE namespace = ? AND id LIKE ? ORDER BY key`,
				string(trailhound.AwsRoleSession), "%:"+ent.Ref.ID)
			if err != nil {
				return nil, fmt.Errorf("analysis: instance sessions: %w", err)
			}
			defer rows.Close()
			keys := []int64{}
			for rows.Next() {
				var k int64
				if err := rows.Scan(&k); err != nil {
					return nil, fmt.Errorf("analysis: instance sessions: %w", err)
				}
				keys = append(keys, k)
			}
			return map[int64][]int64{ent.Key: keys}, rows.Err()
		})
	if err != nil {
		return subject{}, false, err
	}
	keys := sessions[ent.Key]
	if len(keys) == 0 {
		return subject{where: "principal_key IS NULL"}, true, nil // no session: no calls
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	return subject{where: "principal_key IN (" + placeholders(len(keys)) + ")", args: args}, true, nil
}

// noParams rejects parameters a panel does not take, so that a mistyped
// filter is reported instead of silently ignored.
func noParams(panel string, params map[string]string) error {
	if len(params) == 0 {
		return nil
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	return trailhound.Errorf(trailhound.EINVALID, "unknown parameter %q of panel %s", names[0], panel)
}
