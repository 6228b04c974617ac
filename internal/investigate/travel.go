package investigate

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// earthRadiusKm is the mean radius of the Earth (IUGG).
const earthRadiusKm = 6371.0088

// DistanceKm returns the great-circle distance between two points given in
// degrees, by the haversine formula. It takes the short way round: two
// points either side of the antimeridian (179.9°E and 179.9°W) are a few
// kilometres apart, not a world away.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ := (lat2 - lat1) * rad
	dλ := (lon2 - lon1) * rad
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	// Rounding can push h a hair past 1 for antipodal points.
	h = math.Min(1, math.Max(0, h))
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// sighting is a source address seen at a time, with its place.
type sighting struct {
	ip       string
	ipKey    int64
	loc      Location
	lat, lon float64
	asn      int64
	first    int64 // epoch seconds
	last     int64
}

// trip is a move between two places faster than anyone travels.
type trip struct {
	from, to sighting
	km       float64
	seconds  int64
	kmh      float64
	repeated int // how many times the same two places alternated
}

// travelLimits bound what counts as impossible travel.
type travelLimits struct {
	// MaxKmh is the fastest plausible travel: faster is impossible.
	// Airliners cruise at 900 km/h; the default leaves room for the
	// imprecision of city-level geolocation.
	MaxKmh float64
	// MinKm ignores moves shorter than this: city-level geolocation of
	// neighbouring networks can be hundreds of kilometres off.
	MinKm float64
	// MinSeconds is the shortest time a move is measured over, so that
	// two calls in the same second do not make an infinite speed.
	MinSeconds int64
}

// impossibleTrips finds, in sightings sorted by first sight, consecutive
// places that are farther apart than the limits allow for the time
// between leaving one and arriving at the other. Sightings of the same
// place form one stay; each pair of places is reported once, at its
// fastest, with how often it recurred. Moves within one autonomous system
// are ignored: one provider's data centers or a VPN's exits share
// credentials legitimately.
func impossibleTrips(ss []sighting, lim travelLimits) []trip {
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].first != ss[j].first {
			return ss[i].first < ss[j].first
		}
		return ss[i].ip < ss[j].ip
	})
	type pair struct{ a, b string }
	best := map[pair]*trip{}
	var order []pair
	var prev *sighting
	for i := range ss {
		s := &ss[i]
		if prev != nil && placeKey(s.loc) != placeKey(prev.loc) {
			km := DistanceKm(prev.lat, prev.lon, s.lat, s.lon)
			secs := max(s.first-prev.last, lim.MinSeconds)
			kmh := km / (float64(secs) / 3600)
			sameAS := prev.asn != 0 && prev.asn == s.asn
			if km >= lim.MinKm && kmh > lim.MaxKmh && !sameAS {
				k := pair{placeKey(prev.loc), placeKey(s.loc)}
				if k.b < k.a {
					k = pair{k.b, k.a}
				}
				if t := best[k]; t == nil {
					best[k] = &trip{from: *prev, to: *s, km: km, seconds: secs, kmh: kmh, repeated: 1}
					order = append(order, k)
				} else {
					t.repeated++
					if kmh > t.kmh {
						t.from, t.to, t.km, t.seconds, t.kmh = *prev, *s, km, secs, kmh
					}
				}
			}
		}
		if prev == nil || placeKey(s.loc) != placeKey(prev.loc) {
			prev = s
		} else if s.last > prev.last {
			// Still at the same place: the stay lasts until its last
			// sighting, from whichever address.
			prev.last = s.last
		}
	}
	out := make([]trip, 0, len(order))
	for _, k := range order {
		out = append(out, *best[k])
	}
	return out
}

// placeKey identifies a place: country, region and city.
func placeKey(l Location) string { return l.Country + "\x00" + l.Region + "\x00" + l.City }

// travel raises IMPOSSIBLE_TRAVEL for moves between the places of the
// activity's addresses faster than the limits allow. A move between two
// places the principal used during the baseline is not reported: its
// owner evidently works from both (a VPN, a second office).
func (b *builder) travel(ctx context.Context) error {
	s := b.s
	if len(s.callers) == 0 {
		return nil
	}
	byKey := map[int64]*origin{}
	located, unlocated := 0, 0
	for _, o := range s.origins {
		if o.key == 0 || o.familiarity == famInternal {
			continue
		}
		if o.loc != nil && o.loc.Latitude != nil && o.loc.Longitude != nil {
			byKey[o.key] = o
			located++
		} else {
			unlocated++
		}
	}
	if unlocated > 0 {
		verb := "have"
		if unlocated == 1 {
			verb = "has"
		}
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%s %s no known place (absent from the GeoIP database, or none loaded): they count for neither new geolocations nor impossible travel.",
			plural(unlocated, "public source address"), verb))
	}
	if located < 2 {
		return nil
	}
	ts := b.iv.dialect.Timestamp()
	sec := b.iv.dialect.EpochSeconds("e.event_time")
	list := make([]any, 0, len(byKey))
	for k := range byKey {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].(int64) < list[j].(int64) })
	// Travel is a person's: it is measured per caller (a user, or a
	// session), never across the sessions of a role, which different
	// people may hold at once.
	rows, err := b.iv.db.QueryContext(ctx, `SELECT e.principal_key, e.ip_key, min(`+sec+`), max(`+sec+`) FROM events e
WHERE `+s.cond+` AND e.event_time >= `+ts+` AND e.event_time < `+ts+` AND e.ip_key IN (`+placeholders(len(list))+`)
GROUP BY e.principal_key, e.ip_key, CAST(floor(`+sec+` / 60) AS BIGINT) ORDER BY 3, 1, 2 LIMIT ?`,
		concat(s.condArgs, []any{s.scope.Start, s.scope.End}, list, []any{maxSightings + 1})...)
	if err != nil {
		return fmt.Errorf("investigate: travel: %w", err)
	}
	byCaller := map[int64][]sighting{}
	var callers []int64
	n := 0
	for rows.Next() {
		var p, k, first, last int64
		if err := rows.Scan(&p, &k, &first, &last); err != nil {
			rows.Close()
			return fmt.Errorf("investigate: travel: %w", err)
		}
		if n++; n > maxSightings {
			continue
		}
		o := byKey[k]
		if _, ok := byCaller[p]; !ok {
			callers = append(callers, p)
		}
		byCaller[p] = append(byCaller[p], sighting{ip: o.text, ipKey: k, loc: *o.loc, lat: *o.loc.Latitude, lon: *o.loc.Longitude, asn: o.asn, first: first, last: last})
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("investigate: travel: %w", err)
	}
	if n > maxSightings {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("Impossible travel was checked over the first %d minutes with calls only.", maxSightings))
	}
	if _, err := b.iv.resolveNames(ctx, s, callers); err != nil {
		return err
	}
	for _, caller := range callers {
		b.trips(caller, byCaller[caller])
	}
	return nil
}

// trips raises the impossible travel of one caller's sightings.
func (b *builder) trips(caller int64, ss []sighting) {
	s := b.s
	for _, t := range impossibleTrips(ss, b.iv.limits) {
		from, to := s.origins[t.from.ip], s.origins[t.to.ip]
		if from.knownToActor && to.knownToActor {
			continue
		}
		hours := math.Round(float64(t.seconds)/36) / 100
		km, kmh := math.Round(t.km), math.Round(t.kmh)
		fl, tl := t.from.loc, t.to.loc
		in := Indicator{Type: ImpossibleTravel, Principal: b.ref(caller), StartingIPAddress: t.from.ip, EndingIPAddress: t.to.ip, StartingLocation: &fl, EndingLocation: &tl,
			HourlyTimeDelta: &hours, DistanceKm: &km, SpeedKmh: &kmh, FirstSeen: t.from.last, LastSeen: t.to.first, Count: int64(t.repeated),
			Entities: []Ref{{Type: trailhound.IPAddress, ID: t.from.ip}, {Type: trailhound.IPAddress, ID: t.to.ip}}}
		reason := fmt.Sprintf("Calls moved from %s (%s) to %s (%s), %.0f km apart, in %s: %.0f km/h, faster than the %.0f km/h anyone travels.",
			fl.String(), t.from.ip, tl.String(), t.to.ip, t.km, humanDuration(secondsDuration(t.seconds)), t.kmh, b.iv.limits.MaxKmh)
		if t.repeated > 1 {
			reason += fmt.Sprintf(" The two places alternated %d times.", t.repeated)
		}
		var odd []string
		for _, o := range []*origin{from, to} {
			if o.familiarity == famUnfamiliar || o.familiarity == famNew || o.flag != nil {
				odd = append(odd, o.text+": "+strings.Join(o.why, "; "))
			}
		}
		switch {
		case from.suspicious() || to.suspicious():
			in.Severity = High
		case from.familiarity == famNew || to.familiarity == famNew:
			in.Severity = Medium
		default:
			in.Severity = Low
			reason += " Both addresses are known to the account."
		}
		if len(odd) > 0 {
			reason += " " + strings.Join(odd, ". ") + "."
		}
		in.SeverityReason = reason
		b.add(in)
	}
}
