package geoip

import "github.com/trailhound/trailhound/internal/graph"

// Enrich looks up an address as ingestion stores it. It is safe for
// concurrent use, as ingestion's workers call it in parallel; it is the
// graph.Enricher of a Reader.
func (r *Reader) Enrich(ip string) graph.IPInfo {
	in := r.LookupString(ip)
	return graph.IPInfo{Class: in.Class.String(), Country: in.Country, CountryName: in.CountryName, Region: in.Region,
		City: in.City, Latitude: in.Latitude, Longitude: in.Longitude, ASN: in.ASN, ASOrg: in.ASOrg}
}
