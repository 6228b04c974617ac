package vpcflow

// field identifies one flow log field, as named in a format's header line.
type field uint8

// The fields of VPC flow logs (versions 2 to 8) and of transit gateway
// flow logs. The zero value means "no field".
const (
	fNone field = iota
	// Version 2: the default format.
	fVersion
	fAccountID
	fInterfaceID
	fSrcAddr
	fDstAddr
	fSrcPort
	fDstPort
	fProtocol
	fPackets
	fBytes
	fStart
	fEnd
	fAction
	fLogStatus
	// Version 3.
	fVPCID
	fSubnetID
	fInstanceID
	fTCPFlags
	fType
	fPktSrcAddr
	fPktDstAddr
	// Version 4.
	fRegion
	fAZID
	fSublocationType
	fSublocationID
	// Version 5.
	fPktSrcAWSService
	fPktDstAWSService
	fFlowDirection
	fTrafficPath
	// Transit gateway flow logs.
	fResourceType
	fTGWID
	fTGWAttachmentID
	fTGWSrcVPCAccountID
	fTGWDstVPCAccountID
	fTGWSrcVPCID
	fTGWDstVPCID
	fTGWSrcSubnetID
	fTGWDstSubnetID
	fTGWSrcENI
	fTGWDstENI
	fTGWSrcAZID
	fTGWDstAZID
	fTGWPairAttachmentID
	fPacketsLostNoRoute
	fPacketsLostBlackhole
	fPacketsLostMTUExceeded
	fPacketsLostTTLExpired
	// Version 7: Amazon ECS.
	fECSClusterARN
	fECSClusterName
	fECSContainerInstanceARN
	fECSContainerInstanceID
	fECSContainerID
	fECSSecondContainerID
	fECSServiceName
	fECSTaskDefinitionARN
	fECSTaskARN
	fECSTaskID
	// Version 8.
	fRejectReason

	numFields // one past the last field
)

// fieldInfo describes a field: its name in header lines and log_format
// strings, and the flow log version that introduced it. The version is
// what AWS reports for a custom format without a version column: the
// highest version among the chosen fields.
type fieldInfo struct {
	name    string
	version int
	tgw     bool // only transit gateway flow logs have it
}

var fieldInfos = [numFields]fieldInfo{
	fVersion:                 {"version", 2, false},
	fAccountID:               {"account-id", 2, false},
	fInterfaceID:             {"interface-id", 2, false},
	fSrcAddr:                 {"srcaddr", 2, false},
	fDstAddr:                 {"dstaddr", 2, false},
	fSrcPort:                 {"srcport", 2, false},
	fDstPort:                 {"dstport", 2, false},
	fProtocol:                {"protocol", 2, false},
	fPackets:                 {"packets", 2, false},
	fBytes:                   {"bytes", 2, false},
	fStart:                   {"start", 2, false},
	fEnd:                     {"end", 2, false},
	fAction:                  {"action", 2, false},
	fLogStatus:               {"log-status", 2, false},
	fVPCID:                   {"vpc-id", 3, false},
	fSubnetID:                {"subnet-id", 3, false},
	fInstanceID:              {"instance-id", 3, false},
	fTCPFlags:                {"tcp-flags", 3, false},
	fType:                    {"type", 3, false},
	fPktSrcAddr:              {"pkt-srcaddr", 3, false},
	fPktDstAddr:              {"pkt-dstaddr", 3, false},
	fRegion:                  {"region", 4, false},
	fAZID:                    {"az-id", 4, false},
	fSublocationType:         {"sublocation-type", 4, false},
	fSublocationID:           {"sublocation-id", 4, false},
	fPktSrcAWSService:        {"pkt-src-aws-service", 5, false},
	fPktDstAWSService:        {"pkt-dst-aws-service", 5, false},
	fFlowDirection:           {"flow-direction", 5, false},
	fTrafficPath:             {"traffic-path", 5, false},
	fResourceType:            {"resource-type", 6, true},
	fTGWID:                   {"tgw-id", 6, true},
	fTGWAttachmentID:         {"tgw-attachment-id", 6, true},
	fTGWSrcVPCAccountID:      {"tgw-src-vpc-account-id", 6, true},
	fTGWDstVPCAccountID:      {"tgw-dst-vpc-account-id", 6, true},
	fTGWSrcVPCID:             {"tgw-src-vpc-id", 6, true},
	fTGWDstVPCID:             {"tgw-dst-vpc-id", 6, true},
	fTGWSrcSubnetID:          {"tgw-src-subnet-id", 6, true},
	fTGWDstSubnetID:          {"tgw-dst-subnet-id", 6, true},
	fTGWSrcENI:               {"tgw-src-eni", 6, true},
	fTGWDstENI:               {"tgw-dst-eni", 6, true},
	fTGWSrcAZID:              {"tgw-src-az-id", 6, true},
	fTGWDstAZID:              {"tgw-dst-az-id", 6, true},
	fTGWPairAttachmentID:     {"tgw-pair-attachment-id", 6, true},
	fPacketsLostNoRoute:      {"packets-lost-no-route", 6, true},
	fPacketsLostBlackhole:    {"packets-lost-blackhole", 6, true},
	fPacketsLostMTUExceeded:  {"packets-lost-mtu-exceeded", 6, true},
	fPacketsLostTTLExpired:   {"packets-lost-ttl-expired", 6, true},
	fECSClusterARN:           {"ecs-cluster-arn", 7, false},
	fECSClusterName:          {"ecs-cluster-name", 7, false},
	fECSContainerInstanceARN: {"ecs-container-instance-arn", 7, false},
	fECSContainerInstanceID:  {"ecs-container-instance-id", 7, false},
	fECSContainerID:          {"ecs-container-id", 7, false},
	fECSSecondContainerID:    {"ecs-second-container-id", 7, false},
	fECSServiceName:          {"ecs-service-name", 7, false},
	fECSTaskDefinitionARN:    {"ecs-task-definition-arn", 7, false},
	fECSTaskARN:              {"ecs-task-arn", 7, false},
	fECSTaskID:               {"ecs-task-id", 7, false},
	fRejectReason:            {"reject-reason", 8, false},
}

// String returns the field's name as written in header lines.
func (f field) String() string {
	if f == fNone || f >= numFields {
		return "?"
	}
	return fieldInfos[f].name
}

var fieldByName = func() map[string]field {
	m := make(map[string]field, numFields)
	for f := fVersion; f < numFields; f++ {
		m[fieldInfos[f].name] = f
	}
	return m
}()

// layout is the ordered list of fields of a format, with what follows
// from it.
type layout struct {
	fields  []field
	version int  // the version AWS reports for these fields, used when there is no version column
	tgw     bool // a transit gateway flow log format
	// origin says where the layout came from, for error messages.
	origin string
}

func newLayout(fields []field, origin string) *layout {
	l := &layout{fields: fields, origin: origin}
	for _, f := range fields {
		info := fieldInfos[f]
		l.version = max(l.version, info.version)
		l.tgw = l.tgw || info.tgw
	}
	return l
}

// The AWS default orders: the default format, the "all fields of version N"
// formats that the console and CLI produce, and the transit gateway
// default format. They have distinct field counts, which is what lets a
// record without a header line be read at all.
var (
	v2Fields = []field{fVersion, fAccountID, fInterfaceID, fSrcAddr, fDstAddr, fSrcPort, fDstPort,
		fProtocol, fPackets, fBytes, fStart, fEnd, fAction, fLogStatus}
	v3Fields = []field{fVPCID, fSubnetID, fInstanceID, fTCPFlags, fType, fPktSrcAddr, fPktDstAddr}
	v4Fields = []field{fRegion, fAZID, fSublocationType, fSublocationID}
	v5Fields = []field{fPktSrcAWSService, fPktDstAWSService, fFlowDirection, fTrafficPath}
	v7Fields = []field{fECSClusterARN, fECSClusterName, fECSContainerInstanceARN, fECSContainerInstanceID,
		fECSContainerID, fECSSecondContainerID, fECSServiceName, fECSTaskDefinitionARN, fECSTaskARN, fECSTaskID}
	v8Fields  = []field{fRejectReason}
	tgwFields = []field{fVersion, fResourceType, fAccountID, fTGWID, fTGWAttachmentID,
		fTGWSrcVPCAccountID, fTGWDstVPCAccountID, fTGWSrcVPCID, fTGWDstVPCID, fTGWSrcSubnetID,
		fTGWDstSubnetID, fTGWSrcENI, fTGWDstENI, fTGWSrcAZID, fTGWDstAZID, fTGWPairAttachmentID,
		fSrcAddr, fDstAddr, fSrcPort, fDstPort, fProtocol, fPackets, fBytes, fStart, fEnd, fLogStatus,
		fType, fPacketsLostNoRoute, fPacketsLostBlackhole, fPacketsLostMTUExceeded, fPacketsLostTTLExpired,
		fTCPFlags, fRegion, fFlowDirection, fPktSrcAWSService, fPktDstAWSService}
)

func concat(parts ...[]field) []field {
	var out []field
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// defaultLayouts maps a field count to the AWS default order with that
// many fields.
var defaultLayouts = func() map[int]*layout {
	m := map[int]*layout{}
	add := func(origin string, fields []field) {
		if _, dup := m[len(fields)]; dup {
			panic("vpcflow: two default layouts with the same field count")
		}
		m[len(fields)] = newLayout(fields, origin)
	}
	add("the version 2 default format", v2Fields)
	add("all fields of version 3", concat(v2Fields, v3Fields))
	add("all fields of version 4", concat(v2Fields, v3Fields, v4Fields))
	add("all fields of version 5", concat(v2Fields, v3Fields, v4Fields, v5Fields))
	add("all fields of version 7", concat(v2Fields, v3Fields, v4Fields, v5Fields, v7Fields))
	add("all fields of version 8", concat(v2Fields, v3Fields, v4Fields, v5Fields, v7Fields, v8Fields))
	add("the transit gateway default format", tgwFields)
	return m
}()

// defaultCounts lists the field counts of defaultLayouts, for messages.
const defaultCounts = "14, 21, 25, 29, 36, 39 or 40"
