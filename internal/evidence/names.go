package evidence

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// named is an entity key resolved to its reference, label and ARN.
type named struct {
	trailhound.EntityRef
	label string
	arn   string
}

// entityNames resolves entity keys (principals, accounts, addresses, user
// agents, APIs) in chunks. Keys that are no entity (zero) are left out.
func entityNames(ctx context.Context, db *sql.DB, keys map[int64]bool) (map[int64]named, error) {
	out := make(map[int64]named, len(keys))
	list := make([]any, 0, len(keys))
	for k := range keys {
		if k != 0 {
			list = append(list, k)
		}
	}
	const chunk = 500
	for i := 0; i < len(list); i += chunk {
		part := list[i:min(i+chunk, len(list))]
		rows, err := db.QueryContext(ctx, `SELECT key, namespace, id, coalesce(`+graph.LabelSQL+`, ''), coalesce(max(arn), '')
FROM entities WHERE key IN (`+placeholders(len(part))+`) GROUP BY key, namespace, id`, part...)
		if err != nil {
			return nil, fmt.Errorf("evidence: entity names: %w", err)
		}
		for rows.Next() {
			var k int64
			var n named
			var ns string
			if err := rows.Scan(&k, &ns, &n.ID, &n.label, &n.arn); err != nil {
				rows.Close()
				return nil, fmt.Errorf("evidence: entity names: %w", err)
			}
			n.Type = trailhound.Namespace(ns)
			out[k] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("evidence: entity names: %w", err)
		}
	}
	return out, nil
}

// placeDetails returns the place of each address with its country name and
// coordinates, for the items' locations.
func placeDetails(ctx context.Context, db *sql.DB, ips map[int64]bool) (map[int64]Location, error) {
	out := make(map[int64]Location, len(ips))
	list := make([]any, 0, len(ips))
	for k := range ips {
		list = append(list, k)
	}
	const chunk = 500
	for i := 0; i < len(list); i += chunk {
		part := list[i:min(i+chunk, len(list))]
		rows, err := db.QueryContext(ctx, `SELECT key, coalesce(country, ''), coalesce(country_name, ''), coalesce(region, ''), coalesce(city, ''), latitude, longitude
FROM ip_info WHERE key IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("evidence: places: %w", err)
		}
		for rows.Next() {
			var k int64
			var l Location
			var lat, lon sql.NullFloat64
			if err := rows.Scan(&k, &l.Country, &l.CountryName, &l.Region, &l.City, &lat, &lon); err != nil {
				rows.Close()
				return nil, fmt.Errorf("evidence: places: %w", err)
			}
			if lat.Valid && lon.Valid {
				la, lo := lat.Float64, lon.Float64
				l.Latitude, l.Longitude = &la, &lo
			}
			out[k] = l
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("evidence: places: %w", err)
		}
	}
	return out, nil
}

// asOrgs names autonomous systems by number from the enrichment.
func asOrgs(ctx context.Context, db *sql.DB, asns map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	list := make([]any, 0, len(asns))
	for k := range asns {
		list = append(list, k)
	}
	if len(list) == 0 {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT asn, max(coalesce(as_org, '')) FROM ip_info WHERE asn IN (`+placeholders(len(list))+`) GROUP BY asn`, list...)
	if err != nil {
		return nil, fmt.Errorf("evidence: autonomous systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var asn int64
		var org string
		if err := rows.Scan(&asn, &org); err != nil {
			return nil, fmt.Errorf("evidence: autonomous systems: %w", err)
		}
		out[asn] = org
	}
	return out, rows.Err()
}
