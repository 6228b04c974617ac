package synth

import (
	"slices"
	"strconv"
)

// buildBackground plans the ordinary events that GuardDuty reports on, so
// that every real organization's low-severity noise is there too: the root
// user signing in now and then, and scanners probing the open SSH port of
// bastions.
func (w *world) buildBackground() {
	r := newRNG(w.seed, 0xbac6)
	var root *actor
	for _, ac := range w.actors {
		if ac.kind == akRoot {
			root = ac
		}
	}
	var rootTimes []int64
	// About once a week, and at least once in any span: someone from finance
	// signs in as root for a task only root can do.
	forced := -1
	for d := 0; d < min(w.days, 7); d++ {
		if dow := w.dayWeekday(d); dow != 0 && dow != 6 {
			forced = d
			break
		}
	}
	if forced < 0 {
		forced = 0
	}
	for d := 0; d < w.days; d++ {
		dow := w.dayWeekday(d)
		if d != forced && (dow == 0 || dow == 6 || !r.chance(0.12)) {
			continue
		}
		p := w.people[len(w.people)-1]
		t := w.dayStart(d) + int64((10+r.float()*6-float64(p.office.UTCOff))*3600)
		rl := &rootLogin{t: t, ip: root.ips[0], key: "ASIA" + r.chars(base32Set, 16)}
		w.rootLogins = append(w.rootLogins, rl)
		rootTimes = append(rootTimes, t)
	}
	if len(rootTimes) > 0 {
		rl := w.rootLogins[0]
		h := host{IP: rl.ip}
		for _, o := range offices {
			for _, e := range o.Egress {
				if e.IP == rl.ip {
					h = e
				}
			}
		}
		f := &finding{typ: "Policy:IAMUser/RootCredentialUsage", acct: w.mgmt, reg: w.usEast1, severity: 2, feature: "CloudTrail", role: "TARGET",
			title:    "API ConsoleLogin was invoked using root credentials.",
			desc:     "API ConsoleLogin was invoked using root credentials from IP address " + rl.ip + ".",
			resource: accessKeyResource(rl.key, w.mgmt.ID, "Root", "Root"),
			action:   apiCallAction("ConsoleLogin", "signin.amazonaws.com", "", root.uas[0], h)}
		w.addFinding(f, &r, rootTimes, nil)
	}

	// Scanners find every open SSH port within hours; GuardDuty reports
	// the port as unprotected and keeps updating the finding.
	for _, a := range w.accounts {
		for _, in := range a.allInstances() {
			if !in.ssh {
				continue
			}
			var times []int64
			var who []host
			for d := 0; d < w.days; d++ {
				k := r.between(2, 6)
				for i := 0; i < k; i++ {
					t := w.dayStart(d) + int64(r.intn(86400-120))
					h := scannerHosts[r.intn(len(scannerHosts))]
					src := parseIPv4(h.IP)
					sp := ephemeral(&r)
					e := in.eni
					fsc := flowScript{acct: a, rr: in.rr, start: t}
					fsc.recs = []flowRec{
						{e: e, src: src, dst: e.privIP, sport: sp, dport: 22, proto: 6, packets: 2, bytes: 112, start: t, end: t + 60, flags: tcpSYN, pktDst: e.privIP},
						{e: e, src: e.privIP, dst: src, sport: 22, dport: sp, proto: 6, packets: 2, bytes: 120, start: t, end: t + 60, flags: tcpSYNACK | tcpRST, egress: true, path: 8},
					}
					w.flowScripts = append(w.flowScripts, fsc)
					times = append(times, t)
					who = append(who, h)
				}
			}
			sortTimesWith(times, who)
			f := &finding{typ: "Recon:EC2/PortProbeUnprotectedPort", acct: a, reg: in.reg, severity: 2, feature: "FlowLogs", role: "TARGET",
				title:    "Unprotected port on EC2 instance " + in.ID + " is being probed.",
				desc:     "EC2 instance has an unprotected port which is being probed by a known malicious host.",
				resource: instanceResource(in, in.launch), action: portProbeAction(in.eni, 22, "SSH")}
			w.addFinding(f, &r, times, func(upTo int64) []host {
				var out []host
				for i := len(times) - 1; i >= 0 && len(out) < 5; i-- {
					if times[i] <= upTo && !slices.ContainsFunc(out, func(h host) bool { return h.IP == who[i].IP }) {
						out = append(out, who[i])
					}
				}
				return out
			})
		}
	}
}

// sortTimesWith sorts times and keeps who aligned with it.
func sortTimesWith(times []int64, who []host) {
	for i := 1; i < len(times); i++ {
		for j := i; j > 0 && times[j] < times[j-1]; j-- {
			times[j], times[j-1] = times[j-1], times[j]
			who[j], who[j-1] = who[j-1], who[j]
		}
	}
}

// runInstances renders a RunInstances call: the request, and either the
// reservation with one item per instance or nothing when it failed.
func (wk *worker) runInstances(b []byte, e *event, failed bool) []byte {
	spec := e.x.run
	c := &wk.ctx
	rr := spec.rr
	sub := rr.vpc.subnets[0]
	b = append(b, `,"requestParameters":{"instancesSet":{"items":[{"imageId":"`...)
	b = append(b, spec.ami...)
	b = append(b, `","minCount":`...)
	b = strconv.AppendInt(b, int64(spec.count), 10)
	b = append(b, `,"maxCount":`...)
	b = strconv.AppendInt(b, int64(spec.count), 10)
	b = append(b, `}]},"userData":"<sensitiveDataRemoved>","instanceType":"`...)
	b = append(b, spec.typ...)
	b = append(b, `","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":"`...)
	b = c.r.appendUUID(b)
	b = append(b, `","networkInterfaceSet":{"items":[{"deviceIndex":0,"associatePublicIpAddress":true,"subnetId":"`...)
	b = append(b, sub.id...)
	b = append(b, `","groupSet":{"items":[{"groupId":"`...)
	b = append(b, rr.sgs[0]...)
	b = append(b, `"}]}}]}}`...)
	b = append(b, `,"responseElements":`...)
	if failed {
		return append(b, "null"...)
	}
	launch := e.t
	b = append(b, `{"requestId":"`...)
	b = c.r.appendUUID(b)
	b = append(b, `","reservationId":"r-0`...)
	b = c.r.appendChars(b, hexDigits, 16)
	b = append(b, `","ownerId":"`...)
	b = append(b, e.acct.ID...)
	b = append(b, `","groupSet":{},"instancesSet":{"items":[`...)
	for i, in := range spec.instances {
		en := in.eni
		dns := privateDNS(en.privIP, rr.reg.Name)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"instanceId":"`...)
		b = append(b, in.ID...)
		b = append(b, `","imageId":"`...)
		b = append(b, spec.ami...)
		b = append(b, `","bootMode":"uefi-preferred","currentInstanceBootMode":"legacy-bios","instanceState":{"code":0,"name":"pending"},"privateDnsName":"`...)
		b = append(b, dns...)
		b = append(b, `","amiLaunchIndex":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"productCodes":{},"instanceType":"`...)
		b = append(b, in.Type...)
		b = append(b, `","launchTime":`...)
		b = strconv.AppendInt(b, launch, 10)
		b = append(b, `,"placement":{"availabilityZone":"`...)
		b = append(b, rr.reg.AZs[en.sub.az]...)
		b = append(b, `","tenancy":"default"},"monitoring":{"state":"disabled"},"subnetId":"`...)
		b = append(b, en.sub.id...)
		b = append(b, `","vpcId":"`...)
		b = append(b, rr.vpc.id...)
		b = append(b, `","privateIpAddress":"`...)
		b = append(b, en.privText...)
		b = append(b, `","stateReason":{"code":"pending","message":"pending"},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{},"virtualizationType":"hvm","hypervisor":"xen","groupSet":{"items":[{"groupId":"`...)
		b = append(b, rr.sgs[0]...)
		b = append(b, `","groupName":"launch-wizard-1"}]},"sourceDestCheck":true,"networkInterfaceSet":{"items":[{"networkInterfaceId":"`...)
		b = append(b, en.id...)
		b = append(b, `","subnetId":"`...)
		b = append(b, en.sub.id...)
		b = append(b, `","vpcId":"`...)
		b = append(b, rr.vpc.id...)
		b = append(b, `","ownerId":"`...)
		b = append(b, e.acct.ID...)
		b = append(b, `","status":"in-use","macAddress":"0e:`...)
		for k := 0; k < 5; k++ {
			if k > 0 {
				b = append(b, ':')
			}
			b = appendHex(b, c.r.next(), 2)
		}
		b = append(b, `","privateIpAddress":"`...)
		b = append(b, en.privText...)
		b = append(b, `","privateDnsName":"`...)
		b = append(b, dns...)
		b = append(b, `","sourceDestCheck":true,"interfaceType":"interface","groupSet":{"items":[{"groupId":"`...)
		b = append(b, rr.sgs[0]...)
		b = append(b, `","groupName":"launch-wizard-1"}]},"attachment":{"attachmentId":"eni-attach-0`...)
		b = c.r.appendChars(b, hexDigits, 16)
		b = append(b, `","deviceIndex":0,"networkCardIndex":0,"status":"attaching","attachTime":`...)
		b = strconv.AppendInt(b, launch, 10)
		b = append(b, `,"deleteOnTermination":true},"privateIpAddressesSet":{"item":[{"privateIpAddress":"`...)
		b = append(b, en.privText...)
		b = append(b, `","privateDnsName":"`...)
		b = append(b, dns...)
		b = append(b, `","primary":true}]},"ipv6AddressesSet":{},"tagSet":{}}]},"ebsOptimized":true,"enaSupport":true,"cpuOptions":{"coreCount":48,"threadsPerCore":2},"capacityReservationSpecification":{"capacityReservationPreference":"open"},"enclaveOptions":{"enabled":false},"metadataOptions":{"state":"pending","httpTokens":"optional","httpPutResponseHopLimit":1,"httpEndpoint":"enabled","httpProtocolIpv4":"enabled","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"},"maintenanceOptions":{"autoRecovery":"default"},"privateDnsNameOptions":{"hostnameType":"ip-name","enableResourceNameDnsARecord":false,"enableResourceNameDnsAAAARecord":false}}`...)
	}
	return append(b, `]}}`...)
}
