package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/trailhound/trailhound"
)

// Entity is an entity's profile header: who or what it is, when it was
// seen, what the logs say about it, and which panels its profile has.
type Entity struct {
	Type      trailhound.Namespace `json:"type"`
	ID        string               `json:"id"`
	Label     string               `json:"label"`
	ARN       string               `json:"arn,omitempty"`
	Account   string               `json:"account,omitempty"`
	FirstSeen int64                `json:"firstSeen"`
	LastSeen  int64                `json:"lastSeen"`
	// DefaultScope is the last 24 hours of the entity's data, the scope
	// its profile opens with.
	DefaultScope ScopeJSON `json:"defaultScope"`
	// Facts are dated details from specific events: created by and at,
	// launched by, instance type, session started by, and so on.
	Facts []Fact `json:"facts"`
	// IP is the enrichment of an IpAddress entity.
	IP *IPInfo `json:"ip,omitempty"`
	// Panels lists the ids of the panels that apply to the entity's type.
	Panels []string `json:"panels"`
}

// Fact is one dated detail of an entity. When the value names another
// entity ("AwsUser/AIDA..."), Entity is its link target.
type Fact struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Time    int64  `json:"time"`
	EventID string `json:"eventId,omitempty"`
	Entity  *Ref   `json:"entity,omitempty"`
}

// IPInfo is an address's class, location and autonomous system as
// enrichment found them; absent parts are omitted.
type IPInfo struct {
	Class            string   `json:"class"`
	Country          string   `json:"country,omitempty"`
	CountryName      string   `json:"countryName,omitempty"`
	Region           string   `json:"region,omitempty"`
	City             string   `json:"city,omitempty"`
	Latitude         *float64 `json:"latitude,omitempty"`
	Longitude        *float64 `json:"longitude,omitempty"`
	ASN              int64    `json:"asn,omitempty"`
	ASOrg            string   `json:"asOrg,omitempty"`
	AutonomousSystem *Ref     `json:"autonomousSystem,omitempty"`
}

// Entity returns the profile header of ref, or ENOTFOUND.
func (e *Engine) Entity(ctx context.Context, ref trailhound.EntityRef) (*Entity, error) {
	r, err := e.lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := &Entity{
		Type: r.Ref.Type, ID: r.Ref.ID, Label: r.Label, ARN: r.ARN, Account: r.Account,
		FirstSeen: r.FirstSeen.Unix(), LastSeen: r.LastSeen.Unix(),
		DefaultScope: scopeJSON(entityDefaultScope(r.LastSeen)),
		Facts:        []Fact{},
		Panels:       PanelsFor(r.Ref.Type),
	}
	rows, err := e.db.QueryContext(ctx, `SELECT DISTINCT name, value, time, coalesce(event_id, '') FROM facts WHERE key = ? ORDER BY name, time, value`, r.Key)
	if err != nil {
		return nil, fmt.Errorf("analysis: entity facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Fact
		var t sql.NullTime
		if err := rows.Scan(&f.Name, &f.Value, &t, &f.EventID); err != nil {
			return nil, fmt.Errorf("analysis: entity facts: %w", err)
		}
		if t.Valid {
			f.Time = t.Time.Unix()
		}
		if ref, ok := trailhound.ParseEntityRef(f.Value); ok && knownNamespace(ref.Type) {
			f.Entity = &Ref{Type: ref.Type, ID: ref.ID}
		}
		out.Facts = append(out.Facts, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: entity facts: %w", err)
	}
	if r.Ref.Type == trailhound.IPAddress {
		if out.IP, err = e.ipInfo(ctx, r.Key); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ipInfo returns the enrichment of one address, nil when it has none.
func (e *Engine) ipInfo(ctx context.Context, key int64) (*IPInfo, error) {
	m, err := e.ipInfos(ctx, map[int64]bool{key: true})
	return m[key], err
}

// ipInfos returns the enrichment of many addresses in few queries, for
// panels that list thousands of them.
func (e *Engine) ipInfos(ctx context.Context, keys map[int64]bool) (map[int64]*IPInfo, error) {
	// Addresses are enriched once and never change: those already read
	// come from the engine's cache (dropped with the entity names).
	got, err := cachedLookup(ctx, e, keys, func(c *nameCache) map[int64]IPInfo { return c.ips }, e.loadIPInfos)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*IPInfo, len(got))
	for k, in := range got {
		out[k] = &in
	}
	return out, nil
}

// loadIPInfos reads the enrichment of addresses by key from the store.
func (e *Engine) loadIPInfos(ctx context.Context, list []any) (map[int64]IPInfo, error) {
	out := make(map[int64]IPInfo, len(list))
	const chunk = 500
	for i := 0; i < len(list); i += chunk {
		part := list[i:min(i+chunk, len(list))]
		rows, err := e.db.QueryContext(ctx, `SELECT key, class, country, country_name, region, city, latitude, longitude, asn, as_org
FROM ip_info WHERE key IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("analysis: ip info: %w", err)
		}
		for rows.Next() {
			var key int64
			var in IPInfo
			var country, countryName, region, city, org sql.NullString
			var lat, lon sql.NullFloat64
			var asn sql.NullInt64
			if err := rows.Scan(&key, &in.Class, &country, &countryName, &region, &city, &lat, &lon, &asn, &org); err != nil {
				rows.Close()
				return nil, fmt.Errorf("analysis: ip info: %w", err)
			}
			in.Country, in.CountryName, in.Region, in.City, in.ASOrg = country.String, countryName.String, region.String, city.String, org.String
			if lat.Valid && lon.Valid {
				in.Latitude, in.Longitude = &lat.Float64, &lon.Float64
			}
			if asn.Valid && asn.Int64 != 0 {
				in.ASN = asn.Int64
				in.AutonomousSystem = &Ref{Type: trailhound.AutonomousSystem, ID: "AS" + strconv.FormatInt(asn.Int64, 10)}
			}
			out[key] = in
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("analysis: ip info: %w", err)
		}
	}
	return out, nil
}

// knownNamespace reports whether ns is an entity type of the graph, so
// that only real references become links.
func knownNamespace(ns trailhound.Namespace) bool {
	switch ns {
	case trailhound.AwsAccount, trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser,
		trailhound.AwsService, trailhound.AccessKey, trailhound.IPAddress, trailhound.UserAgent, trailhound.AutonomousSystem,
		trailhound.Ec2Instance, trailhound.S3Bucket, trailhound.FindingEntity, trailhound.FindingGroup,
		trailhound.ContainerCluster, trailhound.ContainerPod, trailhound.ContainerImage, trailhound.KubernetesSubject:
		return true
	}
	return false
}
