package synth

import (
	"context"
	"slices"
	"strconv"
)

// finding is a GuardDuty finding: one id, exported again each time
// GuardDuty updates it (new activity raises count and eventLastSeen).
type finding struct {
	id       string
	typ      string
	title    string
	desc     string
	acct     *account
	reg      *region
	severity float64
	feature  string // featureName: CloudTrail, FlowLogs, DnsLogs
	resource func(b []byte, v *findingVersion) []byte
	action   func(b []byte, v *findingVersion) []byte
	role     string // resourceRole: TARGET or ACTOR
	addInfo  string // service.additionalInfo.value, a JSON document as a string
	versions []*findingVersion
	scen     *scenarioRun
}

// findingVersion is one export of a finding.
type findingVersion struct {
	f         *finding
	created   int64 // Unix milliseconds
	updated   int64 // Unix milliseconds
	firstSeen int64 // Unix seconds
	lastSeen  int64
	count     int
	exported  int64 // Unix seconds the export object is written
	remotes   []host
}

// addFinding registers a finding whose activity happened at the given
// times (Unix seconds, sorted). GuardDuty reports it a few minutes after the
// first activity, then updates it at most every six hours while activity
// continues, the default export frequency for updated findings.
func (w *world) addFinding(f *finding, r *rng, times []int64, remotes func(upTo int64) []host) *finding {
	f.id = r.hexString(32)
	first := times[0]
	created := (first+int64(r.between(240, 900)))*1000 + int64(r.intn(1000))
	next := created / 1000
	i := 0
	for i < len(times) {
		upTo := next
		// Everything observed until this version's update time.
		j := i
		for j < len(times) && times[j] <= upTo {
			j++
		}
		if j == i {
			// Nothing new by this update slot; try the next one.
			next += 6 * 3600
			continue
		}
		v := &findingVersion{f: f, created: created, firstSeen: first, lastSeen: times[j-1], count: j}
		v.updated = upTo * 1000
		if len(f.versions) == 0 {
			v.updated = created
		} else {
			v.updated += int64(r.intn(1000))
		}
		v.exported = v.updated/1000 + int64(r.between(30, 290))
		if remotes != nil {
			v.remotes = remotes(times[j-1])
		}
		if v.exported < w.end {
			f.versions = append(f.versions, v)
		}
		i = j
		next = upTo + 6*3600
	}
	if len(f.versions) > 0 {
		w.findings = append(w.findings, f)
	}
	return f
}

// guardDutyDay writes the day's finding exports: one object per region and
// export batch, in the delegated administrator (security) account's prefix.
func (wk *worker) guardDutyDay(ctx context.Context, p *dayPlan) error {
	if len(p.findings) == 0 {
		return nil
	}
	vs := slices.Clone(p.findings)
	slices.SortStableFunc(vs, func(a, b *findingVersion) int {
		if a.f.reg.Name != b.f.reg.Name {
			if a.f.reg.Name < b.f.reg.Name {
				return -1
			}
			return 1
		}
		return cmpInt64(a.exported/windowSec, b.exported/windowSec)
	})
	for i := 0; i < len(vs); {
		j := i + 1
		for j < len(vs) && vs[j].f.reg == vs[i].f.reg && vs[j].exported/windowSec == vs[i].exported/windowSec {
			j++
		}
		if err := wk.writeFindingFile(ctx, vs[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func (wk *worker) writeFindingFile(ctx context.Context, vs []*findingVersion) error {
	w := wk.w
	b := wk.buf[:0]
	for _, v := range vs {
		b = appendFinding(b, w, v)
		b = append(b, '\n')
	}
	wk.buf = b
	stamp := vs[0].exported
	reg := vs[0].f.reg
	r := newRNG(w.seed, 0x6d, uint64(stamp), hashString(reg.Name), hashString(vs[0].f.id))
	key := append(wk.key[:0], "AWSLogs/"...)
	key = append(key, w.security.ID...)
	key = append(key, "/GuardDuty/"...)
	key = append(key, reg.Name...)
	key = append(key, '/')
	key = appendDatePath(key, stamp)
	key = append(key, '/')
	key = r.appendUUID(key)
	key = append(key, ".jsonl.gz"...)
	wk.key = key
	wk.stats.findings += int64(len(vs))
	return wk.put(ctx, string(key), b)
}

// appendFinding renders one finding version as GuardDuty exports it.
func appendFinding(b []byte, w *world, v *findingVersion) []byte {
	f := v.f
	rr := f.acct.rrAt(f.reg)
	detector := ""
	if rr != nil {
		detector = rr.detectorID
	} else {
		detector = f.acct.rrIdx[f.acct.home.idx].detectorID
	}
	b = append(b, `{"schemaVersion":"2.0","accountId":"`...)
	b = append(b, f.acct.ID...)
	b = append(b, `","region":"`...)
	b = append(b, f.reg.Name...)
	b = append(b, `","partition":"aws","id":"`...)
	b = append(b, f.id...)
	b = append(b, `","arn":"arn:aws:guardduty:`...)
	b = append(b, f.reg.Name...)
	b = append(b, ':')
	b = append(b, f.acct.ID...)
	b = append(b, ":detector/"...)
	b = append(b, detector...)
	b = append(b, "/finding/"...)
	b = append(b, f.id...)
	b = append(b, `","type":"`...)
	b = append(b, f.typ...)
	b = append(b, `","resource":`...)
	b = f.resource(b, v)
	b = append(b, `,"service":{"serviceName":"guardduty","detectorId":"`...)
	b = append(b, detector...)
	b = append(b, `","action":`...)
	b = f.action(b, v)
	b = append(b, `,"resourceRole":"`...)
	b = append(b, f.role...)
	b = append(b, `","additionalInfo":{"value":`...)
	if f.addInfo == "" {
		b = append(b, `"{}"`...)
	} else {
		b = appendJSONString(b, f.addInfo)
	}
	b = append(b, `,"type":"default"},"eventFirstSeen":"`...)
	b = appendRFC3339Milli(b, v.firstSeen*1000)
	b = append(b, `","eventLastSeen":"`...)
	b = appendRFC3339Milli(b, v.lastSeen*1000)
	b = append(b, `","archived":false,"count":`...)
	b = strconv.AppendInt(b, int64(v.count), 10)
	b = append(b, `,"featureName":"`...)
	b = append(b, f.feature...)
	b = append(b, `"},"severity":`...)
	b = strconv.AppendFloat(b, f.severity, 'f', -1, 64)
	b = append(b, `,"createdAt":"`...)
	b = appendRFC3339Milli(b, v.created)
	b = append(b, `","updatedAt":"`...)
	b = appendRFC3339Milli(b, v.updated)
	b = append(b, `","title":`...)
	b = appendJSONString(b, f.title)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, f.desc)
	return append(b, '}')
}

// appendRemoteIP renders remoteIpDetails for h.
func appendRemoteIP(b []byte, h host) []byte {
	b = append(b, `{"ipAddressV4":"`...)
	b = append(b, h.IP...)
	b = append(b, `","organization":{"asn":"`...)
	b = strconv.AppendInt(b, int64(h.ASN), 10)
	b = append(b, `","asnOrg":`...)
	b = appendJSONString(b, h.Org)
	b = append(b, `,"isp":`...)
	b = appendJSONString(b, h.Org)
	b = append(b, `,"org":`...)
	b = appendJSONString(b, h.Org)
	b = append(b, `},"country":{"countryCode":"`...)
	b = append(b, h.Country...)
	b = append(b, `","countryName":`...)
	b = appendJSONString(b, h.Name)
	b = append(b, `},"city":{"cityName":`...)
	b = appendJSONString(b, h.City)
	b = append(b, `},"geoLocation":{"lat":`...)
	b = strconv.AppendFloat(b, h.Lat, 'f', -1, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, h.Lon, 'f', -1, 64)
	return append(b, `}}`...)
}

// accessKeyResource renders an AccessKey resource.
func accessKeyResource(key, principal, userType, userName string) func([]byte, *findingVersion) []byte {
	return func(b []byte, _ *findingVersion) []byte {
		return appendAccessKeyDetails(append(b, `{"resourceType":"AccessKey",`...), key, principal, userType, userName)
	}
}

func appendAccessKeyDetails(b []byte, key, principal, userType, userName string) []byte {
	b = append(b, `"accessKeyDetails":{"accessKeyId":"`...)
	b = append(b, key...)
	b = append(b, `","principalId":"`...)
	b = append(b, principal...)
	b = append(b, `","userType":"`...)
	b = append(b, userType...)
	b = append(b, `","userName":"`...)
	b = append(b, userName...)
	return append(b, `"}}`...)
}

// instanceResource renders an Instance resource.
func instanceResource(in *instance, launch int64) func([]byte, *findingVersion) []byte {
	return func(b []byte, _ *findingVersion) []byte {
		e := in.eni
		rr := in.rr
		b = append(b, `{"resourceType":"Instance","instanceDetails":{"instanceId":"`...)
		b = append(b, in.ID...)
		b = append(b, `","instanceType":"`...)
		b = append(b, in.Type...)
		b = append(b, `","outpostArn":null,"launchTime":"`...)
		b = appendRFC3339Milli(b, launch*1000)
		b = append(b, `","platform":null,"productCodes":[],"iamInstanceProfile":`...)
		if in.role != nil {
			b = append(b, `{"arn":"arn:aws:iam::`...)
			b = append(b, in.acct.ID...)
			b = append(b, `:instance-profile/`...)
			b = append(b, in.role.Name...)
			b = append(b, `","id":"`...)
			b = append(b, in.profile...)
			b = append(b, `"}`...)
		} else {
			b = append(b, "null"...)
		}
		dns := privateDNS(e.privIP, in.reg.Name)
		b = append(b, `,"networkInterfaces":[{"networkInterfaceId":"`...)
		b = append(b, e.id...)
		b = append(b, `","privateIpAddresses":[{"privateDnsName":"`...)
		b = append(b, dns...)
		b = append(b, `","privateIpAddress":"`...)
		b = append(b, e.privText...)
		b = append(b, `"}],"subnetId":"`...)
		b = append(b, e.sub.id...)
		b = append(b, `","vpcId":"`...)
		b = append(b, rr.vpc.id...)
		b = append(b, `","privateDnsName":"`...)
		b = append(b, dns...)
		b = append(b, `","securityGroups":[{"groupName":"`...)
		b = append(b, in.tier...)
		b = append(b, `-sg","groupId":"`...)
		b = append(b, in.sg...)
		b = append(b, `"}],"ipv6Addresses":[],"privateIpAddress":"`...)
		b = append(b, e.privText...)
		b = append(b, '"')
		if e.pubText != "" {
			b = append(b, `,"publicIp":"`...)
			b = append(b, e.pubText...)
			b = append(b, `","publicDnsName":"ec2-`...)
			for i := 0; i < len(e.pubText); i++ {
				if e.pubText[i] == '.' {
					b = append(b, '-')
				} else {
					b = append(b, e.pubText[i])
				}
			}
			b = append(b, '.')
			b = append(b, in.reg.Name...)
			b = append(b, `.compute.amazonaws.com"`...)
		}
		b = append(b, `}],"tags":[{"key":"Name","value":"`...)
		b = append(b, in.Name...)
		b = append(b, `"}],"instanceState":"running","availabilityZone":"`...)
		b = append(b, in.reg.AZs[e.sub.az]...)
		b = append(b, `","imageId":"`...)
		b = append(b, in.ami...)
		b = append(b, `","imageDescription":"Amazon Linux 2023 AMI 2023.6.20241121.0 x86_64 HVM kernel-6.1"}}`...)
		return b
	}
}

func privateDNS(ip uint32, region string) string {
	b := []byte("ip-")
	s := ipString(ip)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			b = append(b, '-')
		} else {
			b = append(b, s[i])
		}
	}
	if region == "us-east-1" {
		return string(append(b, ".ec2.internal"...))
	}
	b = append(b, '.')
	b = append(b, region...)
	return string(append(b, ".compute.internal"...))
}

// apiCallAction renders an AWS_API_CALL action.
func apiCallAction(api, service, errorCode, ua string, remote host) func([]byte, *findingVersion) []byte {
	return func(b []byte, _ *findingVersion) []byte {
		b = append(b, `{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"`...)
		b = append(b, api...)
		b = append(b, `","serviceName":"`...)
		b = append(b, service...)
		b = append(b, `","callerType":"Remote IP","remoteIpDetails":`...)
		b = appendRemoteIP(b, remote)
		if errorCode != "" {
			b = append(b, `,"errorCode":"`...)
			b = append(b, errorCode...)
			b = append(b, '"')
		}
		b = append(b, `,"userAgent":{"fullUserAgent":`...)
		b = appendJSONString(b, ua)
		b = append(b, `,"userAgentCategory":"`...)
		b = append(b, uaCategory(ua)...)
		b = append(b, `"},"affectedResources":{}}}`...)
		return b
	}
}

// uaCategory approximates how GuardDuty classifies user agents.
func uaCategory(ua string) string {
	switch {
	case len(ua) >= 7 && ua[:7] == "aws-cli":
		return "AWS CLI"
	case len(ua) >= 5 && ua[:5] == "Boto3":
		return "Python SDK"
	case len(ua) >= 7 && ua[:7] == "Mozilla":
		return "Browser"
	}
	return "SDK"
}

// networkAction renders a NETWORK_CONNECTION action.
func networkAction(dir string, local *eni, localPort int, remote host, remotePort int, portName string, blocked bool) func([]byte, *findingVersion) []byte {
	return func(b []byte, _ *findingVersion) []byte {
		b = append(b, `{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"`...)
		b = append(b, dir...)
		b = append(b, `","localIpDetails":{"ipAddressV4":"`...)
		b = append(b, local.privText...)
		b = append(b, `"},"remoteIpDetails":`...)
		b = appendRemoteIP(b, remote)
		b = append(b, `,"remotePortDetails":{"port":`...)
		b = strconv.AppendInt(b, int64(remotePort), 10)
		b = append(b, `,"portName":"`...)
		if dir == "OUTBOUND" {
			b = append(b, portName...)
		} else {
			b = append(b, "Unknown"...)
		}
		b = append(b, `"},"localPortDetails":{"port":`...)
		b = strconv.AppendInt(b, int64(localPort), 10)
		b = append(b, `,"portName":"`...)
		if dir == "OUTBOUND" {
			b = append(b, "Unknown"...)
		} else {
			b = append(b, portName...)
		}
		b = append(b, `"},"protocol":"TCP","blocked":`...)
		b = strconv.AppendBool(b, blocked)
		return append(b, `}}`...)
	}
}

// dnsAction renders a DNS_REQUEST action.
func dnsAction(domain string) func([]byte, *findingVersion) []byte {
	return func(b []byte, _ *findingVersion) []byte {
		b = append(b, `{"actionType":"DNS_REQUEST","dnsRequestAction":{"domain":"`...)
		b = append(b, domain...)
		b = append(b, `","protocol":"UDP","blocked":false,"domainWithSuffix":"`...)
		b = append(b, domain...)
		return append(b, `"}}`...)
	}
}

// portProbeAction renders a PORT_PROBE action listing the version's most
// recent probing hosts.
func portProbeAction(local *eni, port int, portName string) func([]byte, *findingVersion) []byte {
	return func(b []byte, v *findingVersion) []byte {
		b = append(b, `{"actionType":"PORT_PROBE","portProbeAction":{"blocked":false,"portProbeDetails":[`...)
		for i, h := range v.remotes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"localPortDetails":{"port":`...)
			b = strconv.AppendInt(b, int64(port), 10)
			b = append(b, `,"portName":"`...)
			b = append(b, portName...)
			b = append(b, `"},"localIpDetails":{"ipAddressV4":"`...)
			b = append(b, local.privText...)
			b = append(b, `"},"remoteIpDetails":`...)
			b = appendRemoteIP(b, h)
			b = append(b, '}')
		}
		return append(b, `]}}`...)
	}
}

// anomalyInfo renders the additionalInfo document of AnomalousBehavior
// findings: what was unusual for the identity and the account.
func anomalyInfo(apis []string, userName, userType string, remote host, ua string) string {
	b := []byte(`{"unusualBehavior":{"isUnusualUserIdentity":false,"unusualAsnOrg":`)
	b = appendJSONString(b, remote.Org)
	b = append(b, `,"unusualUserAgent":`...)
	b = appendJSONString(b, ua)
	b = append(b, `,"unusualCountry":`...)
	b = appendJSONString(b, remote.Name)
	b = append(b, `},"anomalousAPIs":[`...)
	for i, a := range apis {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, a)
	}
	b = append(b, `],"profiledBehavior":{"userName":`...)
	b = appendJSONString(b, userName)
	b = append(b, `,"userType":`...)
	b = appendJSONString(b, userType)
	b = append(b, `}}`...)
	return string(b)
}
