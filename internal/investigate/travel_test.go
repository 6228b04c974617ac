package investigate

import (
	"math"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tolerance        float64
	}{
		{"same point", 51.5, -0.1, 51.5, -0.1, 0, 0.001},
		{"London to Paris", 51.5072, -0.1276, 48.8566, 2.3522, 344, 3},
		{"Suva to Apia across the antimeridian", -18.1416, 178.4419, -13.8333, -171.7667, 1150, 15},
		{"either side of the antimeridian on the equator", 0, 179.9, 0, -179.9, 22.2, 0.2},
		{"antipodes", 0, 0, 0, 180, math.Pi * earthRadiusKm, 0.01},
		{"pole to pole", 90, 0, -90, 0, math.Pi * earthRadiusKm, 0.01},
		{"Sydney to New York", -33.8688, 151.209, 40.7128, -74.006, 15989, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DistanceKm(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if math.IsNaN(got) || math.Abs(got-tc.want) > tc.tolerance {
				t.Errorf("%.2f km, want %.2f ± %.2f", got, tc.want, tc.tolerance)
			}
			if back := DistanceKm(tc.lat2, tc.lon2, tc.lat1, tc.lon1); math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

func TestImpossibleTrips(t *testing.T) {
	lim := travelLimits{MaxKmh: 1000, MinKm: 500, MinSeconds: 60}
	suva := sighting{ip: "202.62.10.5", loc: Location{Country: "FJ", City: "Suva"}, lat: -18.1416, lon: 178.4419, asn: 9241}
	apia := sighting{ip: "202.4.48.9", loc: Location{Country: "WS", City: "Apia"}, lat: -13.8333, lon: -171.7667, asn: 38800}
	london := sighting{ip: "81.2.69.160", loc: Location{Country: "GB", City: "London"}, lat: 51.5142, lon: -0.0931, asn: 20712}
	london2 := london
	london2.ip = "81.2.69.161"
	at := func(s sighting, first, last int64) sighting { s.first, s.last = first, last; return s }
	for _, tc := range []struct {
		name  string
		ss    []sighting
		trips int
		check func(t *testing.T, tr []trip)
	}{
		{"antimeridian hop in ten minutes", []sighting{at(suva, 0, 60), at(apia, 660, 700)}, 1, func(t *testing.T, tr []trip) {
			if tr[0].km < 1100 || tr[0].km > 1200 || tr[0].seconds != 600 {
				t.Errorf("%+v", tr[0])
			}
		}},
		{"antimeridian hop by plane", []sighting{at(suva, 0, 60), at(apia, 3*3600, 3*3600)}, 0, nil},
		{"same place, two addresses", []sighting{at(london, 0, 10), at(london2, 20, 30)}, 0, nil},
		{"same second", []sighting{at(suva, 100, 100), at(apia, 100, 100)}, 1, func(t *testing.T, tr []trip) {
			if tr[0].seconds != 60 || math.IsInf(tr[0].kmh, 0) {
				t.Errorf("%+v", tr[0])
			}
		}},
		{"alternating places", []sighting{at(london, 0, 10), at(suva, 100, 110), at(london, 200, 210), at(suva, 300, 310)}, 1, func(t *testing.T, tr []trip) {
			if tr[0].repeated != 3 {
				t.Errorf("repeated %d", tr[0].repeated)
			}
		}},
		{"stay lasts until its last sighting", []sighting{at(london, 0, 10), at(london2, 20, 20000), at(suva, 20100, 20100)}, 1, func(t *testing.T, tr []trip) {
			if tr[0].seconds != 100 {
				t.Errorf("measured from %d seconds", tr[0].seconds)
			}
		}},
		{"one network's data centers", []sighting{at(london, 0, 10), func() sighting { s := at(suva, 100, 100); s.asn = london.asn; return s }()}, 0, nil},
		{"short move", []sighting{at(london, 0, 10), func() sighting {
			s := at(london, 20, 20)
			s.loc.City, s.lat = "Reading", 51.45
			return s
		}()}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := impossibleTrips(tc.ss, lim)
			if len(tr) != tc.trips {
				t.Fatalf("%d trips: %+v", len(tr), tr)
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
		})
	}
}
