package geoip

// Attribution for the default databases. Both are published under the
// Creative Commons Attribution 4.0 International licence, which requires
// crediting the sources wherever their results are shown: the console shows
// AttributionHTML beside every location and ASN, and the README and the
// command's version output carry the same credit.
const (
	// AttributionText is the credit DB-IP asks for, in its words.
	AttributionText = "IP Geolocation by DB-IP"
	// AttributionURL is the link the credit must carry.
	AttributionURL = "https://db-ip.com"
	// AttributionHTML is the credit as the link DB-IP asks web
	// applications to show on pages that display its results.
	AttributionHTML = `<a href="https://db-ip.com">IP Geolocation by DB-IP</a>`

	// ASNAttributionText credits the sources of the default ASN database,
	// which is built from RouteViews, the Number Resource Organization's
	// registry statistics and DB-IP's IP to ASN Lite data.
	ASNAttributionText = "ASN data by RouteViews, NRO and DB-IP"
	// ASNAttributionHTML is ASNAttributionText with a link to each source.
	ASNAttributionHTML = `ASN data by <a href="https://www.routeviews.org">RouteViews</a>, <a href="https://www.nro.net">NRO</a> and <a href="https://db-ip.com">DB-IP</a>`

	// LicenseName and LicenseURL name the licence of both default databases.
	LicenseName = "CC BY 4.0"
	// LicenseURL links the licence's text.
	LicenseURL = "https://creativecommons.org/licenses/by/4.0/"
)
