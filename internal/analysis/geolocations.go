package analysis

import (
	"context"
	"fmt"
	"sort"

	"github.com/trailhound/trailhound"
)

// NewGeolocations is the "Newly observed geolocations" panel: the places
// the entity's calls came from during the scope that none of its calls
// came from during the baseline, with their calls and addresses.
type NewGeolocations struct {
	Entity   Ref       `json:"entity"`
	Scope    ScopeJSON `json:"scope"`
	Baseline ScopeJSON `json:"baseline"`
	// Locations are the newly observed places, most calls first.
	Locations []Geolocation `json:"locations"`
	// Unlocated counts the scope's calls from addresses without a known
	// place (private addresses, service names, gaps of the database):
	// they can be neither new nor old.
	Unlocated Counts `json:"unlocated"`
}

// Geolocation is one place: country, region and city as the enrichment
// names them, with coordinates, the calls from it and the addresses used.
type Geolocation struct {
	Country     string   `json:"country"`
	CountryName string   `json:"countryName,omitempty"`
	Region      string   `json:"region,omitempty"`
	City        string   `json:"city,omitempty"`
	Latitude    *float64 `json:"latitude,omitempty"`
	Longitude   *float64 `json:"longitude,omitempty"`
	Success     int64    `json:"success"`
	Failure     int64    `json:"failure"`
	// IsNewForEntireAccount says that no call of the entity's whole
	// account came from this place during the baseline either.
	IsNewForEntireAccount bool         `json:"isNewForEntireAccount"`
	Addresses             []GeoAddress `json:"addresses"`
}

// GeoAddress is one address of a place, with its calls.
type GeoAddress struct {
	Entity  Ref    `json:"entity"`
	ASOrg   string `json:"asOrg,omitempty"`
	Success int64  `json:"success"`
	Failure int64  `json:"failure"`
}

type place struct{ country, region, city string }

func placeOf(in *IPInfo) (place, bool) {
	if in == nil || in.Country == "" {
		return place{}, false
	}
	return place{in.Country, in.Region, in.City}, true
}

// newGeolocations compares the places of the scope's calls with those of
// the baseline's, for the entity and for its account.
func (e *Engine) newGeolocations(ctx context.Context, ent entityRow, scope trailhound.Scope) (*NewGeolocations, error) {
	sub, ok, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelNewGeolocations, ent.Ref.Type)
	}
	base := scope.Baseline(e.baseline)
	from, args := e.callsFrom(scope.Start, scope.End)
	rows, err := e.db.QueryContext(ctx, `SELECT ip_key, `+sumCalls+` FROM `+from+`
WHERE `+sub.where+` AND ip_key <> 0 GROUP BY ip_key`,
		append(args, sub.args...)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: new geolocations: %w", err)
	}
	perIP := map[int64]Counts{}
	for rows.Next() {
		var k int64
		var c Counts
		if err := rows.Scan(&k, &c.Success, &c.Failure); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: new geolocations: %w", err)
		}
		perIP[k] = c
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: new geolocations: %w", err)
	}
	out := &NewGeolocations{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Baseline: scopeJSON(base), Locations: []Geolocation{}}
	// Calls without an address (a service name as source) are unlocated.
	var all Counts
	if all, err = e.volumeTotalFromEvents(ctx, sub, ent.Key, scope); err != nil {
		return nil, err
	}
	keys := map[int64]bool{}
	for k := range perIP {
		keys[k] = true
	}
	info, err := e.ipInfos(ctx, keys)
	if err != nil {
		return nil, err
	}
	baselinePlaces := func(where string, args []any) (map[place]bool, error) {
		return e.placesCalledFrom(ctx, base, where, args, "new geolocations baseline")
	}
	mine, err := baselinePlaces(qualify(sub.where, "events."), sub.args)
	if err != nil {
		return nil, err
	}
	accountPlaces := mine
	if ent.Account != "" && ent.Ref.Type != trailhound.AwsAccount {
		acct := trailhound.EntityRef{Type: trailhound.AwsAccount, ID: ent.Account}.Key()
		if accountPlaces, err = baselinePlaces("events.account_key = ?", []any{acct}); err != nil {
			return nil, err
		}
	}
	names, err := e.names(ctx, keys)
	if err != nil {
		return nil, err
	}
	byPlace := map[place]*Geolocation{}
	located := Counts{}
	for k, c := range perIP {
		in := info[k]
		p, ok := placeOf(in)
		if !ok {
			continue
		}
		located.Success += c.Success
		located.Failure += c.Failure
		if mine[p] {
			continue
		}
		g := byPlace[p]
		if g == nil {
			g = &Geolocation{Country: p.country, CountryName: in.CountryName, Region: p.region, City: p.city,
				Latitude: in.Latitude, Longitude: in.Longitude, IsNewForEntireAccount: !accountPlaces[p]}
			byPlace[p] = g
		}
		g.Success += c.Success
		g.Failure += c.Failure
		g.Addresses = append(g.Addresses, GeoAddress{Entity: Ref{Type: trailhound.IPAddress, ID: names[k].Ref.ID}, ASOrg: in.ASOrg,
			Success: c.Success, Failure: c.Failure})
	}
	out.Unlocated = Counts{Success: all.Success - located.Success, Failure: all.Failure - located.Failure}
	for _, g := range byPlace {
		sort.Slice(g.Addresses, func(i, j int) bool {
			a, b := g.Addresses[i], g.Addresses[j]
			if a.Success+a.Failure != b.Success+b.Failure {
				return a.Success+a.Failure > b.Success+b.Failure
			}
			return a.Entity.ID < b.Entity.ID
		})
		out.Locations = append(out.Locations, *g)
	}
	sort.Slice(out.Locations, func(i, j int) bool {
		a, b := out.Locations[i], out.Locations[j]
		if a.Success+a.Failure != b.Success+b.Failure {
			return a.Success+a.Failure > b.Success+b.Failure
		}
		return a.Country+a.Region+a.City < b.Country+b.Region+b.City
	})
	return out, nil
}

// placesCalledFrom are the places the calls of window selected by where
// (over the alias events, with args) came from; what names the query in
// errors.
func (e *Engine) placesCalledFrom(ctx context.Context, window trailhound.Scope, where string, args []any, what string) (map[place]bool, error) {
	from, fargs := e.callsFrom(window.Start, window.End)
	// The addresses are usually few: they are located from the engine's
	// cache (or by key, in key order). Many are joined with the whole
	// address table instead.
	keys, err := e.distinctKeys(ctx, `SELECT DISTINCT events.ip_key FROM `+from+` WHERE `+where+` AND events.ip_key <> 0`,
		maxLocatedKeys, append(fargs, args...)...)
	if err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", what, err)
	}
	if keys != nil {
		info, err := e.ipInfos(ctx, keys)
		if err != nil {
			return nil, err
		}
		places := map[place]bool{}
		for _, in := range info {
			if p, ok := placeOf(in); ok {
				places[p] = true
			}
		}
		return places, nil
	}
	q := `SELECT DISTINCT i.country, coalesce(i.region, ''), coalesce(i.city, '') FROM ` + from + `
JOIN ip_info i ON i.key = events.ip_key
WHERE ` + where + ` AND events.ip_key <> 0 AND i.country IS NOT NULL AND i.country <> ''`
	return e.queryPlaces(ctx, what, q, append(fargs, args...)...)
}

// maxLocatedKeys bounds the addresses a baseline locates one by one.
var maxLocatedKeys = 5000

// distinctKeys runs a query selecting one key column and returns its
// keys, or nil when there are more than limit of them.
func (e *Engine) distinctKeys(ctx context.Context, q string, limit int, args ...any) (map[int64]bool, error) {
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[int64]bool{}
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		if keys[k] = true; len(keys) > limit {
			return nil, nil
		}
	}
	return keys, rows.Err()
}

// queryPlaces runs a query selecting (country, region, city) and returns
// the distinct places; what names the query in errors.
func (e *Engine) queryPlaces(ctx context.Context, what, q string, args ...any) (map[place]bool, error) {
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", what, err)
	}
	defer rows.Close()
	out := map[place]bool{}
	for rows.Next() {
		var p place
		if err := rows.Scan(&p.country, &p.region, &p.city); err != nil {
			return nil, fmt.Errorf("analysis: %s: %w", what, err)
		}
		out[p] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", what, err)
	}
	return out, nil
}
