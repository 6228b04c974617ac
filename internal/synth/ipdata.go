package synth

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// netInfo describes who announces an address and where it is, as GuardDuty
// reports it in remoteIpDetails. The addresses below were chosen from real
// allocations of each network (ISP, hosting provider, scanner, Tor relay
// operator), and their cities match public geolocation data, so that
// enrichment during ingestion tells the same story as the findings do.
type netInfo struct {
	ASN     int
	Org     string
	Country string // ISO 3166 code
	Name    string // country name
	City    string
	Lat     float64
	Lon     float64
}

// host is one fixed public address and what it belongs to.
type host struct {
	IP string
	netInfo
}

func hosts(info netInfo, ips ...string) []host {
	out := make([]host, len(ips))
	for i, ip := range ips {
		out[i] = host{IP: ip, netInfo: info}
	}
	return out
}

// office is where a group of people works: a city, a time zone and the
// egress addresses of its network, plus residential addresses in the same
// country for working from home.
type office struct {
	City   string
	UTCOff int // hours; daylight saving is ignored
	Egress []host
	Home   []host
}

var offices = []*office{
	{City: "London", UTCOff: 0,
		Egress: hosts(netInfo{2856, "British Telecommunications PLC", "GB", "United Kingdom", "London", 51.5072, -0.1276}, "86.128.7.203", "86.128.27.68"),
		Home:   hosts(netInfo{5089, "Virgin Media Limited", "GB", "United Kingdom", "London", 51.5072, -0.1276}, "82.0.1.244", "82.0.3.231")},
	{City: "Berlin", UTCOff: 1,
		Egress: hosts(netInfo{3320, "Deutsche Telekom AG", "DE", "Germany", "Berlin", 52.5097, 13.3605}, "91.0.194.187", "91.1.86.185"),
		Home:   hosts(netInfo{3209, "Vodafone GmbH", "DE", "Germany", "Berlin", 52.5244, 13.4105}, "88.65.1.77", "88.65.166.252", "88.66.29.227")},
	{City: "New York", UTCOff: -5,
		Egress: hosts(netInfo{7922, "Comcast Cable Communications, LLC", "US", "United States", "New York", 40.7143, -74.006}, "73.86.137.27", "73.86.137.16"),
		Home:   hosts(netInfo{701, "Verizon Business", "US", "United States", "Newark", 40.7357, -74.1724}, "71.172.0.20", "71.172.0.39")},
	{City: "Bengaluru", UTCOff: 5, // +05:30 rounded: working hours are a window, not a clock
		Egress: hosts(netInfo{9498, "Bharti Airtel Limited", "IN", "India", "Bengaluru", 12.8884, 77.6387}, "122.166.0.13", "122.166.2.163"),
		Home:   hosts(netInfo{55836, "Reliance Jio Infocomm Limited", "IN", "India", "Bengaluru", 12.9719, 77.5937}, "49.37.242.88")},
	{City: "Toronto", UTCOff: -5,
		Egress: hosts(netInfo{812, "Rogers Communications Canada Inc.", "CA", "Canada", "Toronto", 43.67, -79.3794}, "99.230.0.98", "99.230.0.195"),
		Home:   hosts(netInfo{577, "Bell Canada", "CA", "Canada", "Toronto", 43.78, -79.4133}, "70.48.11.179", "70.48.66.71", "70.48.148.37")},
	{City: "Paris", UTCOff: 1,
		Egress: hosts(netInfo{3215, "Orange S.A.", "FR", "France", "Paris", 48.8575, 2.3514}, "90.10.0.98", "90.10.0.195"),
		Home:   hosts(netInfo{12322, "Free SAS", "FR", "France", "Paris", 48.8575, 2.3514}, "88.160.1.244", "88.160.3.231")},
	{City: "Sydney", UTCOff: 10,
		Egress: hosts(netInfo{1221, "Telstra Limited", "AU", "Australia", "Sydney", -33.8688, 151.209}, "58.160.0.98", "58.160.0.195"),
		Home:   hosts(netInfo{4804, "SingTel Optus Pty Ltd", "AU", "Australia", "Sydney", -33.8688, 151.209}, "49.176.132.141", "49.176.134.128", "49.176.136.115")},
}

// Automation that runs outside AWS.
var (
	// Self-hosted CI runners in a German data center.
	ciRunnerHosts = hosts(netInfo{24940, "Hetzner Online GmbH", "DE", "Germany", "Falkenstein", 50.4754, 12.3683}, "88.198.53.20", "88.198.53.21")
	// Hosted CI runners (GitHub Actions runs on Azure).
	hostedRunnerHosts = append(append(
		hosts(netInfo{8075, "Microsoft Corporation", "US", "United States", "Boydton", 36.6676, -78.3875}, "4.152.34.12", "4.152.35.199"),
		hosts(netInfo{8075, "Microsoft Corporation", "US", "United States", "Ashburn", 39.0438, -77.4874}, "20.42.65.77")...),
		hosts(netInfo{8075, "Microsoft Corporation", "US", "United States", "Phoenix", 33.4483, -112.073}, "20.169.80.5")...)
	// The company's on-premises data center, which pushes backups to S3.
	datacenterHosts = hosts(netInfo{174, "Cogent Communications", "US", "United States", "Vienna", 38.9012, -77.2653}, "38.140.22.18", "38.140.22.19")
	// A monitoring vendor's collectors, which run in AWS us-east-1.
	vendorHosts = hosts(netInfo{14618, "Amazon.com, Inc.", "US", "United States", "Ashburn", 39.0438, -77.4874}, "3.233.150.21", "3.233.151.98", "3.233.148.12")
)

// Attacker infrastructure, one network per scenario so that each incident
// stands out on its own.
var (
	attackerDOSingapore = host{"128.199.200.17", netInfo{14061, "DigitalOcean, LLC", "SG", "Singapore", "Singapore", 1.3212, 103.695}}
	attackerIPVolume    = host{"89.248.165.74", netInfo{202425, "IP Volume inc", "NL", "Netherlands", "Amsterdam", 52.3676, 4.9041}}
	attackerVultrTokyo  = host{"45.32.9.163", netInfo{20473, "The Constant Company, LLC", "JP", "Japan", "Shinagawa", 35.6092, 139.73}}
	attackerChinanet    = host{"218.92.0.112", netInfo{4134, "Chinanet", "CN", "China", "Nanjing", 31.7762, 118.842}}
	attackerLinodeFRA   = host{"139.162.130.8", netInfo{63949, "Akamai Technologies, Inc.", "DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821}}
	torExitBerlin       = host{"185.220.101.34", netInfo{60729, "Stiftung Erneuerbare Freiheit", "DE", "Germany", "Berlin", 52.52, 13.405}}
	torExitStockholm    = host{"171.25.193.78", netInfo{198093, "Foreningen for digitala fri- och rattigheter", "SE", "Sweden", "Stockholm", 59.3327, 18.0656}}
	attackerContabo     = host{"173.212.200.55", netInfo{51167, "Contabo GmbH", "DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821}}
	attackerOmegatech   = host{"91.92.240.19", netInfo{202412, "Omegatech LTD", "DE", "Germany", "Frankfurt am Main", 50.1567, 8.7681}}
	attackerDOFrankfurt = host{"165.22.30.41", netInfo{14061, "DigitalOcean, LLC", "DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821}}
	// Mining pools reached by hijacked instances.
	miningPools = []host{
		{"51.68.175.14", netInfo{16276, "OVH SAS", "DE", "Germany", "Limburg an der Lahn", 50.3986, 8.0796}},
		{"95.216.33.97", netInfo{24940, "Hetzner Online GmbH", "FI", "Finland", "Helsinki", 60.1699, 24.9384}},
	}
)

// Internet scanners whose probes make up the background of rejected (and,
// on open ports, accepted) inbound flows.
var scannerHosts = []host{
	{"162.142.125.212", netInfo{398324, "Censys, Inc.", "US", "United States", "Ann Arbor", 42.2809, -83.7489}},
	{"167.94.138.119", netInfo{398324, "Censys, Inc.", "US", "United States", "Ann Arbor", 42.2809, -83.7489}},
	{"206.168.34.60", netInfo{398324, "Censys, Inc.", "US", "United States", "Ann Arbor", 42.2809, -83.7489}},
	{"184.105.139.117", netInfo{6939, "Hurricane Electric LLC", "US", "United States", "Denver", 39.7453, -104.979}},
	{"65.49.20.68", netInfo{6939, "Hurricane Electric LLC", "US", "United States", "Pleasanton", 37.6951, -121.9}},
	{"74.82.47.29", netInfo{6939, "Hurricane Electric LLC", "US", "United States", "Pleasanton", 37.6951, -121.9}},
	{"71.6.135.131", netInfo{10439, "CariNet, Inc.", "US", "United States", "San Diego", 32.8296, -117.134}},
	{"66.240.192.82", netInfo{10439, "CariNet, Inc.", "US", "United States", "Las Vegas", 36.2827, -115.268}},
	{"80.82.77.139", netInfo{202425, "IP Volume inc", "NL", "Netherlands", "Amsterdam", 52.3676, 4.9041}},
	{"94.102.61.44", netInfo{202425, "IP Volume inc", "NL", "Netherlands", "Amsterdam", 52.3676, 4.9041}},
	{"205.210.31.152", netInfo{396982, "Google LLC", "US", "United States", "Santa Clara", 37.3835, -121.983}},
	{"147.185.132.49", netInfo{396982, "Google LLC", "US", "United States", "Santa Clara", 37.3834, -121.983}},
	{"193.163.125.104", netInfo{211298, "Driftnet Ltd", "GB", "United Kingdom", "Leeds", 53.8008, -1.5491}},
	{"87.236.176.211", netInfo{211298, "Driftnet Ltd", "GB", "United Kingdom", "Leeds", 53.8008, -1.5491}},
	{"183.136.225.45", netInfo{58461, "Chinanet", "CN", "China", "Hangzhou", 30.0464, 119.954}},
	{"80.94.95.226", netInfo{204428, "SS-Net", "HU", "Hungary", "Budapest", 47.4979, 19.0402}},
	{"45.148.10.174", netInfo{48090, "TECHOFF SRV LIMITED", "AD", "Andorra", "Andorra la Vella", 42.5063, 1.5218}},
	{"2.57.122.33", netInfo{47890, "UNMANAGED LTD", "NL", "Netherlands", "Amsterdam", 52.3676, 4.9041}},
}

// prefix is an IPv4 range of a real network, from which addresses are drawn
// for traffic whose exact peer does not matter (customers, mirrors, CDNs).
type prefix struct {
	base uint32
	size uint32
}

func mustPrefix(s string) prefix {
	p := netip.MustParsePrefix(s)
	a := p.Addr().As4()
	return prefix{base: binary.BigEndian.Uint32(a[:]), size: 1 << (32 - p.Bits())}
}

func prefixes(ss ...string) []prefix {
	out := make([]prefix, len(ss))
	for i, s := range ss {
		out[i] = mustPrefix(s)
	}
	return out
}

// addr returns a usable host address in p chosen by r.
func (p prefix) addr(r *rng) uint32 {
	if p.size <= 4 {
		return p.base + 1
	}
	for {
		a := p.base + uint32(r.intn(int(p.size)))
		if b := byte(a); b != 0 && b != 255 {
			return a
		}
	}
}

// octets holds the decimal text of 0..255; flow lines print millions of
// addresses.
var octets = func() (t [256]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

func appendIPv4(b []byte, a uint32) []byte {
	b = append(b, octets[a>>24]...)
	b = append(b, '.')
	b = append(b, octets[a>>16&0xff]...)
	b = append(b, '.')
	b = append(b, octets[a>>8&0xff]...)
	b = append(b, '.')
	return append(b, octets[a&0xff]...)
}

func ipString(a uint32) string { return string(appendIPv4(nil, a)) }

func parseIPv4(s string) uint32 {
	a := netip.MustParseAddr(s).As4()
	return binary.BigEndian.Uint32(a[:])
}

var (
	// Customers of the company's web applications, on residential and
	// mobile networks.
	customerPrefixes = prefixes(
		"73.0.0.0/8",     // Comcast
		"172.56.0.0/14",  // T-Mobile USA
		"107.73.0.0/16",  // AT&T
		"24.160.0.0/19",  // Charter
		"91.0.0.0/10",    // Deutsche Telekom
		"86.128.0.0/10",  // BT
		"90.0.0.0/11",    // Orange
		"122.166.0.0/19", // Airtel
		"49.32.0.0/13",   // Jio
		"58.160.0.0/12",  // Telstra
		"99.224.0.0/11",  // Rogers
		"88.160.0.0/11",  // Free
		"82.0.0.0/14",    // Virgin Media
		"49.176.0.0/13",  // Optus
		"71.172.0.0/16",  // Verizon
		"88.64.0.0/12",   // Vodafone DE
		"70.48.0.0/13",   // Bell Canada
	)
	// Hosts that instances reach on the internet: package mirrors, code
	// hosting, CDNs and public APIs.
	egressPrefixes = prefixes(
		"140.82.112.0/20", // GitHub
		"91.189.88.0/21",  // Canonical
		"185.125.188.0/22",
		"151.101.0.0/16", // Fastly
		"104.16.0.0/13",  // Cloudflare
		"142.250.0.0/15", // Google
	)
	// Networks that background scanners and brute forcers come from when
	// they are not one of the named scanners.
	noisePrefixes = prefixes(
		"218.92.0.0/16",   // Chinanet Jiangsu
		"61.177.172.0/22", // Chinanet Jiangsu
		"183.136.224.0/21",
		"80.94.95.0/24",   // SS-Net
		"45.148.10.0/24",  // TECHOFF
		"2.57.120.0/22",   // UNMANAGED
		"89.248.160.0/20", // IP Volume
		"94.102.48.0/20",
		"193.163.125.0/24", // Driftnet
		"87.236.176.0/24",
		"162.142.125.0/24", // Censys
		"167.94.138.0/24",
		"184.105.137.0/24", // Hurricane Electric
		"71.6.128.0/17",    // CariNet
		"147.185.132.0/22", // Palo Alto Networks scanners on Google Cloud
		"176.111.174.0/24", // NUBES
		"185.156.72.0/24",  // Global Connectivity Solutions
		"91.92.240.0/22",   // Omegatech
	)
)

// Ports probed by internet background noise, weighted roughly by how often
// they show up in honeypot statistics.
var scanPorts = []int{22, 23, 80, 443, 445, 3389, 8080, 5900, 6379, 9200, 1433, 3306, 5432, 2375, 8443, 25, 21, 53, 161, 5060, 11211, 27017, 8888, 7547, 37215}
var scanPortWeights = cumulative([]float64{14, 9, 7, 4, 8, 7, 5, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 1, 1, 1, 2, 1})
