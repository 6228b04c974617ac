package synth

import (
	"fmt"
	"strings"
)

// This file is the catalog of API calls the organization makes: for each
// call, the service that logs it and templates for the parts of the record
// that depend on the call (requestParameters, responseElements,
// additionalEventData, resources). Templates are JSON with ${slot}
// placeholders, compiled once into literal pieces and slot references so
// that rendering a record is a series of appends.

// slot names a value that a template needs from the event's context.
type slot uint8

const (
	slNone slot = iota
	slRegion
	slAcct
	slBucket
	slKey
	slPrefix
	slInstance
	slUser
	slRole
	slRoleArn
	slPolicyArn
	slKMS
	slSecret
	slParam
	slFunction
	slLogGroup
	slStack
	slCluster
	slECSService
	slRepo
	slTable
	slSG
	slVPC
	slSubnet
	slAMI
	slVolume
	slTargetGroup
	slLB
	slDB
	slASG
	slZone
	slAlarm
	slTrail
	slUUID
	slHex16
	slBytesOut
	slBytesIn
	slEpochMs
	slNow
	slXAmzID
	slDigest
	slCBC // CreateBucketConfiguration for regions other than us-east-1, or nothing
	slTaskDef
	slQueue
	slTopic
	slTargetUser // scripted: the user acted upon
	slNewKey     // scripted: an access key created by the call
	slNewUserID  // scripted: the principal id of a user created by the call
	slTargetAcct // scripted: another account of the organization
	numSlots
)

var slotNames = map[string]slot{
	"region": slRegion, "acct": slAcct, "bucket": slBucket, "key": slKey, "prefix": slPrefix,
	"instance": slInstance, "user": slUser, "role": slRole, "roleArn": slRoleArn, "policyArn": slPolicyArn,
	"kms": slKMS, "secret": slSecret, "param": slParam, "fn": slFunction, "logGroup": slLogGroup,
	"stack": slStack, "cluster": slCluster, "ecsService": slECSService, "repo": slRepo, "table": slTable,
	"sg": slSG, "vpc": slVPC, "subnet": slSubnet, "ami": slAMI, "volume": slVolume, "tg": slTargetGroup,
	"lb": slLB, "db": slDB, "asg": slASG, "zone": slZone, "alarm": slAlarm, "trail": slTrail,
	"uuid": slUUID, "hex16": slHex16, "bytesOut": slBytesOut, "bytesIn": slBytesIn, "epochMs": slEpochMs,
	"now": slNow, "xamz": slXAmzID, "digest": slDigest, "cbc": slCBC, "taskDef": slTaskDef,
	"queue": slQueue, "topic": slTopic, "targetUser": slTargetUser, "newKey": slNewKey,
	"newUserId": slNewUserID, "targetAcct": slTargetAcct,
}

// needs is a set of resource kinds a call requires to exist in the region
// where it runs; calls whose resources an account lacks are left out of
// its principals' mixes.
type needs uint32

const (
	needInstance needs = 1 << iota
	needFunction
	needBucket
	needECS
	needDB
	needLB
	needTable
	needRepo
	needASG
	needVolume
)

func slotNeeds(s slot) needs {
	switch s {
	case slInstance:
		return needInstance
	case slFunction:
		return needFunction
	case slBucket, slKey, slPrefix:
		return needBucket
	case slCluster, slECSService, slTaskDef:
		return needECS
	case slDB:
		return needDB
	case slLB, slTargetGroup:
		return needLB
	case slTable:
		return needTable
	case slRepo:
		return needRepo
	case slASG:
		return needASG
	case slVolume:
		return needVolume
	}
	return 0
}

// tplPart is a literal followed by an optional slot.
type tplPart struct {
	lit  string
	slot slot
}

// tpl is a compiled template.
type tpl struct {
	parts []tplPart
	slots []slot
}

func compile(s string) *tpl {
	if s == "" {
		return nil
	}
	t := &tpl{}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			t.parts = append(t.parts, tplPart{lit: s})
			return t
		}
		j := strings.IndexByte(s[i:], '}')
		name := s[i+2 : i+j]
		sl, ok := slotNames[name]
		if !ok {
			panic("synth: unknown template slot " + name)
		}
		t.parts = append(t.parts, tplPart{lit: s[:i], slot: sl})
		t.slots = append(t.slots, sl)
		s = s[i+j+1:]
	}
}

// service describes how a service logs its calls.
type service struct {
	source   string // eventSource
	prefix   string // IAM action prefix
	version  string // eventVersion
	host     string // endpoint host; "%s" is the region
	global   bool   // logged in us-east-1 whatever the caller's region
	protocol int    // protoQuery, protoJSON, protoEC2, protoS3
}

const (
	protoQuery = iota
	protoJSON
	protoEC2
	protoS3
	protoREST
)

var services = map[string]*service{}

func svc(source, prefix, version, host string, global bool, protocol int) *service {
	s := &service{source: source, prefix: prefix, version: version, host: host, global: global, protocol: protocol}
	services[prefix] = s
	return s
}

var (
	svcEC2     = svc("ec2.amazonaws.com", "ec2", "1.10", "ec2.%s.amazonaws.com", false, protoEC2)
	svcS3      = svc("s3.amazonaws.com", "s3", "1.10", "s3.%s.amazonaws.com", false, protoS3)
	svcIAM     = svc("iam.amazonaws.com", "iam", "1.08", "iam.amazonaws.com", true, protoQuery)
	svcSTS     = svc("sts.amazonaws.com", "sts", "1.08", "sts.%s.amazonaws.com", false, protoQuery)
	svcKMS     = svc("kms.amazonaws.com", "kms", "1.08", "kms.%s.amazonaws.com", false, protoJSON)
	svcSSM     = svc("ssm.amazonaws.com", "ssm", "1.08", "ssm.%s.amazonaws.com", false, protoJSON)
	svcSecrets = svc("secretsmanager.amazonaws.com", "secretsmanager", "1.08", "secretsmanager.%s.amazonaws.com", false, protoJSON)
	svcLambda  = svc("lambda.amazonaws.com", "lambda", "1.08", "lambda.%s.amazonaws.com", false, protoREST)
	svcCW      = svc("monitoring.amazonaws.com", "cloudwatch", "1.09", "monitoring.%s.amazonaws.com", false, protoQuery)
	svcLogs    = svc("logs.amazonaws.com", "logs", "1.08", "logs.%s.amazonaws.com", false, protoJSON)
	svcCT      = svc("cloudtrail.amazonaws.com", "cloudtrail", "1.11", "cloudtrail.%s.amazonaws.com", false, protoJSON)
	svcCFN     = svc("cloudformation.amazonaws.com", "cloudformation", "1.08", "cloudformation.%s.amazonaws.com", false, protoQuery)
	svcECR     = svc("ecr.amazonaws.com", "ecr", "1.08", "api.ecr.%s.amazonaws.com", false, protoJSON)
	svcECS     = svc("ecs.amazonaws.com", "ecs", "1.08", "ecs.%s.amazonaws.com", false, protoJSON)
	svcRDS     = svc("rds.amazonaws.com", "rds", "1.08", "rds.%s.amazonaws.com", false, protoQuery)
	svcELB     = svc("elasticloadbalancing.amazonaws.com", "elasticloadbalancing", "1.08", "elasticloadbalancing.%s.amazonaws.com", false, protoQuery)
	svcASG     = svc("autoscaling.amazonaws.com", "autoscaling", "1.08", "autoscaling.%s.amazonaws.com", false, protoQuery)
	svcR53     = svc("route53.amazonaws.com", "route53", "1.08", "route53.amazonaws.com", true, protoREST)
	svcOrgs    = svc("organizations.amazonaws.com", "organizations", "1.09", "organizations.us-east-1.amazonaws.com", true, protoJSON)
	svcDDB     = svc("dynamodb.amazonaws.com", "dynamodb", "1.09", "dynamodb.%s.amazonaws.com", false, protoJSON)
	svcSNS     = svc("sns.amazonaws.com", "sns", "1.08", "sns.%s.amazonaws.com", false, protoQuery)
	svcSQS     = svc("sqs.amazonaws.com", "sqs", "1.08", "sqs.%s.amazonaws.com", false, protoJSON)
	svcConfig  = svc("config.amazonaws.com", "config", "1.08", "config.%s.amazonaws.com", false, protoJSON)
	svcGD      = svc("guardduty.amazonaws.com", "guardduty", "1.08", "guardduty.%s.amazonaws.com", false, protoREST)
	svcSH      = svc("securityhub.amazonaws.com", "securityhub", "1.08", "securityhub.%s.amazonaws.com", false, protoREST)
	svcHealth  = svc("health.amazonaws.com", "health", "1.08", "health.us-east-1.amazonaws.com", true, protoJSON)
	svcTagging = svc("tagging.amazonaws.com", "tag", "1.08", "tagging.%s.amazonaws.com", false, protoJSON)
	svcCE      = svc("ce.amazonaws.com", "ce", "1.08", "ce.us-east-1.amazonaws.com", true, protoJSON)
	svcSignin  = svc("signin.amazonaws.com", "signin", "1.09", "signin.aws.amazon.com", true, protoREST)
	svcEKS     = svc("eks.amazonaws.com", "eks", "1.08", "eks.%s.amazonaws.com", false, protoREST)
)

// special marks calls whose records carry generated structure beyond
// templates.
type special uint8

const (
	spNone special = iota
	spAssumeRole
	spAssumeRoleSAML
	spAssumeRoleWebIdentity
	spGetFederationToken
	spConsoleLogin
	spRunInstances
	spTerminateInstances
	spGetCallerIdentity
)

// opDef is one API call of the catalog.
type opDef struct {
	svc      *service
	name     string
	action   string // IAM action name when it differs from the event name
	readOnly bool
	data     bool // a data event (S3 object level, Lambda Invoke)
	listish  bool // a read that principals routinely get denied
	special  special
	req      *tpl
	resp     *tpl
	add      *tpl
	res      *tpl
	needs    needs
	version  string
	id       int
	// A benign "not found" error this call often returns, and how often.
	nfCode string
	nfMsg  string
	nfP    float64
}

var (
	catalog   []*opDef
	opsByName = map[string]*opDef{}
)

type opFlag uint8

const (
	fRO opFlag = 1 << iota
	fData
	fList
)

func defOp(s *service, name string, f opFlag, req, resp, res string) *opDef {
	o := &opDef{svc: s, name: name, readOnly: f&fRO != 0, data: f&fData != 0, listish: f&fList != 0,
		req: compile(req), resp: compile(resp), res: compile(res), version: s.version}
	for _, t := range []*tpl{o.req, o.resp, o.res} {
		if t != nil {
			for _, sl := range t.slots {
				o.needs |= slotNeeds(sl)
			}
		}
	}
	o.id = len(catalog)
	catalog = append(catalog, o)
	key := s.prefix + ":" + name
	if _, dup := opsByName[key]; dup {
		panic("synth: duplicate operation " + key)
	}
	opsByName[key] = o
	return o
}

// lookupOp returns a catalog entry by "prefix:Name"; unknown names are a
// programming error.
func lookupOp(name string) *opDef {
	o, ok := opsByName[name]
	if !ok {
		panic("synth: unknown operation " + name)
	}
	return o
}

func (o *opDef) iamAction() string {
	if o.action != "" {
		return o.action
	}
	return o.svc.prefix + ":" + o.name
}

// Resource list templates.
const (
	resBucket   = `[{"accountId":"${acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::${bucket}"}]`
	resObject   = `[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::${bucket}/${key}"},{"accountId":"${acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::${bucket}"}]`
	resKMS      = `[{"accountId":"${acct}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:${region}:${acct}:key/${kms}"}]`
	resTrail    = `[{"accountId":"${acct}","type":"AWS::CloudTrail::Trail","ARN":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}"}]`
	resFunction = `[{"accountId":"${acct}","type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:${region}:${acct}:function:${fn}"}]`
	resTable    = `[{"accountId":"${acct}","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:${region}:${acct}:table/${table}"}]`
	s3Add       = `{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"${xamz}","bytesTransferredOut":${bytesOut}}`
	s3AddPut    = `{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":${bytesIn},"SSEApplied":"Default_SSE_S3","AuthenticationMethod":"AuthHeader","x-amz-id-2":"${xamz}","bytesTransferredOut":0}`
	s3Host      = `"Host":"${bucket}.s3.${region}.amazonaws.com"`
)

func s3BucketOp(name, sub string, f opFlag) *opDef {
	req := `{"bucketName":"${bucket}",` + s3Host
	if sub != "" {
		req += `,"` + sub + `":""`
	}
	req += `}`
	o := defOp(svcS3, name, f, req, "", resBucket)
	o.add = compile(s3Add)
	return o
}

func init() {
	// EC2: describes dominate, from consoles, monitoring and Terraform.
	defOp(svcEC2, "DescribeInstances", fRO|fList, `{"instancesSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeInstanceStatus", fRO|fList, `{"instancesSet":{},"filterSet":{},"includeAllInstances":false}`, "", "")
	defOp(svcEC2, "DescribeSecurityGroups", fRO|fList, `{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeSecurityGroupRules", fRO|fList, `{"DescribeSecurityGroupRulesRequest":{"Filter":{"Value":"${sg}","tag":1,"Name":"group-id"}}}`, "", "")
	defOp(svcEC2, "DescribeVpcs", fRO|fList, `{"vpcSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeSubnets", fRO|fList, `{"subnetSet":{},"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"${vpc}"}]}}]}}`, "", "")
	defOp(svcEC2, "DescribeRouteTables", fRO|fList, `{"routeTableIdSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeNatGateways", fRO|fList, `{"DescribeNatGatewaysRequest":""}`, "", "")
	defOp(svcEC2, "DescribeVpcEndpoints", fRO|fList, `{"DescribeVpcEndpointsRequest":""}`, "", "")
	defOp(svcEC2, "DescribeVolumes", fRO|fList, `{"volumeSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeSnapshots", fRO|fList, `{"snapshotSet":{},"ownersSet":{"items":[{"owner":"self"}]},"sharedUsersSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeImages", fRO|fList, `{"executableBySet":{},"imagesSet":{"items":[{"imageId":"${ami}"}]},"ownersSet":{},"availabilityZoneSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeRegions", fRO, `{"regionSet":{},"allRegions":false}`, "", "")
	defOp(svcEC2, "DescribeAvailabilityZones", fRO, `{"availabilityZoneSet":{},"availabilityZoneIdSet":{}}`, "", "")
	defOp(svcEC2, "DescribeNetworkInterfaces", fRO|fList, `{"networkInterfaceIdSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeTags", fRO|fList, `{"filterSet":{"items":[{"name":"resource-id","valueSet":{"items":[{"value":"${instance}"}]}}]}}`, "", "")
	defOp(svcEC2, "DescribeKeyPairs", fRO|fList, `{"keySet":{},"keyPairIdSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeAddresses", fRO|fList, `{"publicIpsSet":{},"allocationIdsSet":{},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeLaunchTemplates", fRO|fList, `{"DescribeLaunchTemplatesRequest":""}`, "", "")
	defOp(svcEC2, "DescribeLaunchTemplateVersions", fRO|fList, `{"DescribeLaunchTemplateVersionsRequest":{"LaunchTemplateName":"${asg}","LaunchTemplateVersion":{"content":"$Latest","tag":1}}}`, "", "")
	defOp(svcEC2, "DescribeInstanceTypes", fRO, `{"DescribeInstanceTypesRequest":""}`, "", "")
	defOp(svcEC2, "DescribeInstanceAttribute", fRO, `{"instanceId":"${instance}","attribute":"userData"}`, "", "")
	defOp(svcEC2, "DescribeAccountAttributes", fRO, `{"accountAttributeNameSet":{"items":[{"attributeName":"supported-platforms"}]},"filterSet":{}}`, "", "")
	defOp(svcEC2, "DescribeFlowLogs", fRO|fList, `{"DescribeFlowLogsRequest":""}`, "", "")
	defOp(svcEC2, "GetConsoleOutput", fRO, `{"instanceId":"${instance}"}`, "", "")
	defOp(svcEC2, "CreateTags", 0, `{"resourcesSet":{"items":[{"resourceId":"${instance}"}]},"tagSet":{"items":[{"key":"Owner","value":"platform-team"}]}}`, `{"requestId":"${uuid}","_return":true}`, "")
	defOp(svcEC2, "StartInstances", 0, `{"instancesSet":{"items":[{"instanceId":"${instance}"}]}}`, `{"requestId":"${uuid}","instancesSet":{"items":[{"instanceId":"${instance}","currentState":{"code":0,"name":"pending"},"previousState":{"code":80,"name":"stopped"}}]}}`, "")
	defOp(svcEC2, "StopInstances", 0, `{"instancesSet":{"items":[{"instanceId":"${instance}"}]},"force":false}`, `{"requestId":"${uuid}","instancesSet":{"items":[{"instanceId":"${instance}","currentState":{"code":64,"name":"stopping"},"previousState":{"code":16,"name":"running"}}]}}`, "")
	defOp(svcEC2, "CreateSnapshot", 0, `{"volumeId":"${volume}","description":"Created by AWS Backup"}`, `{"requestId":"${uuid}","snapshotId":"snap-0${hex16}","volumeId":"${volume}","status":"pending","startTime":${epochMs},"progress":"","ownerId":"${acct}","volumeSize":100,"encrypted":true}`, "")
	defOp(svcEC2, "AuthorizeSecurityGroupIngress", 0, `{"groupId":"${sg}","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{},"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`, `{"requestId":"${uuid}","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"${acct}","groupId":"${sg}","securityGroupRuleId":"sgr-0${hex16}","isEgress":false,"ipProtocol":"tcp","fromPort":443,"toPort":443,"cidrIpv4":"10.0.0.0/8"}]}}`, "")
	defOp(svcEC2, "CreateKeyPair", 0, `{"keyName":"${hex16}","keyType":"rsa","keyFormat":"pem"}`, `{"requestId":"${uuid}","keyName":"${hex16}","keyFingerprint":"<sensitiveDataRemoved>","keyPairId":"key-0${hex16}","keyMaterial":"<sensitiveDataRemoved>"}`, "")
	defOp(svcEC2, "CreateSecurityGroup", 0, `{"groupName":"launch-wizard-${hex16}","groupDescription":"launch-wizard created","vpcId":"${vpc}"}`, `{"requestId":"${uuid}","_return":true,"groupId":"sg-0${hex16}"}`, "")
	defOp(svcEC2, "DeleteFlowLogs", 0, `{"DeleteFlowLogsRequest":{"FlowLogId":{"content":"fl-0${hex16}","tag":1}}}`, `{"DeleteFlowLogsResponse":{"xmlns":"http://ec2.amazonaws.com/doc/2016-11-15/","unsuccessful":"","requestId":"${uuid}"}}`, "")
	defOp(svcEC2, "GetEbsEncryptionByDefault", fRO, `{"GetEbsEncryptionByDefaultRequest":""}`, "", "")
	defOp(svcEC2, "GetServiceQuota", fRO, `{"ServiceCode":"ec2","QuotaCode":"L-1216C47A"}`, "", "")
	o := defOp(svcEC2, "RunInstances", 0, "", "", "")
	o.special = spRunInstances
	o = defOp(svcEC2, "TerminateInstances", 0, `{"instancesSet":{"items":[{"instanceId":"${instance}"}]}}`, `{"requestId":"${uuid}","instancesSet":{"items":[{"instanceId":"${instance}","currentState":{"code":32,"name":"shutting-down"},"previousState":{"code":16,"name":"running"}}]}}`, "")
	o.special = spTerminateInstances

	// S3 bucket-level management calls and object-level data events.
	o = defOp(svcS3, "ListBuckets", fRO|fList, `{"Host":"s3.amazonaws.com"}`, "", "")
	o.add = compile(`{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"${xamz}","bytesTransferredOut":${bytesOut}}`)
	for _, b := range []struct{ name, sub string }{
		{"GetBucketLocation", "location"}, {"GetBucketAcl", "acl"}, {"GetBucketPolicy", "policy"},
		{"GetBucketVersioning", "versioning"}, {"GetBucketEncryption", "encryption"}, {"GetBucketTagging", "tagging"},
		{"GetBucketPublicAccessBlock", "publicAccessBlock"}, {"GetBucketLogging", "logging"},
		{"GetBucketPolicyStatus", "policyStatus"}, {"GetBucketOwnershipControls", "ownershipControls"},
		{"GetBucketLifecycle", "lifecycle"}, {"GetBucketNotification", "notification"}, {"GetBucketReplication", "replication"},
		{"GetBucketCors", "cors"}, {"GetBucketWebsite", "website"}, {"GetBucketObjectLockConfiguration", "object-lock"},
		{"GetAccelerateConfiguration", "accelerate"}, {"GetBucketRequestPayment", "requestPayment"},
	} {
		s3BucketOp(b.name, b.sub, fRO|fList)
	}
	s3BucketOp("PutBucketTagging", "tagging", 0)
	s3BucketOp("PutBucketPolicy", "policy", 0)
	s3BucketOp("PutBucketPublicAccessBlock", "publicAccessBlock", 0)
	s3BucketOp("PutBucketVersioning", "versioning", 0)
	o = defOp(svcS3, "CreateBucket", 0, `{"bucketName":"${bucket}",`+s3Host+`${cbc}}`, "", resBucket)
	o.add = compile(s3Add)
	o = defOp(svcS3, "DeleteBucket", 0, `{"bucketName":"${bucket}",`+s3Host+`}`, "", resBucket)
	o.add = compile(s3Add)
	o = defOp(svcS3, "GetObject", fRO|fData, `{"bucketName":"${bucket}",`+s3Host+`,"key":"${key}"}`, "", resObject)
	o.add = compile(s3Add)
	o = defOp(svcS3, "HeadObject", fRO|fData, `{"bucketName":"${bucket}",`+s3Host+`,"key":"${key}"}`, "", resObject)
	o.add = compile(`{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"${xamz}","bytesTransferredOut":0}`)
	o = defOp(svcS3, "PutObject", fData, `{"bucketName":"${bucket}",`+s3Host+`,"key":"${key}"}`, `{"x-amz-server-side-encryption":"AES256"}`, resObject)
	o.add = compile(s3AddPut)
	o = defOp(svcS3, "DeleteObject", fData, `{"bucketName":"${bucket}",`+s3Host+`,"key":"${key}"}`, "", resObject)
	o.add = compile(s3Add)
	o = defOp(svcS3, "ListObjects", fRO|fData|fList, `{"bucketName":"${bucket}",`+s3Host+`,"list-type":"2","prefix":"${prefix}","delimiter":"/","encoding-type":"url"}`, "", resBucket)
	o.action = "s3:ListBucket"
	o.add = compile(s3Add)

	// IAM: global, logged in us-east-1.
	for _, n := range []string{"ListUsers", "ListRoles", "ListPolicies", "ListGroups", "ListInstanceProfiles", "ListAccountAliases", "ListSAMLProviders", "ListOpenIDConnectProviders", "ListServerCertificates", "ListVirtualMFADevices"} {
		defOp(svcIAM, n, fRO|fList, `{"maxItems":1000}`, "", "")
	}
	defOp(svcIAM, "GetAccountSummary", fRO, "", "", "")
	defOp(svcIAM, "GetAccountPasswordPolicy", fRO, "", "", "")
	defOp(svcIAM, "GetAccountAuthorizationDetails", fRO|fList, `{"filter":["User","Role","Group","LocalManagedPolicy","AWSManagedPolicy"]}`, "", "")
	defOp(svcIAM, "GenerateCredentialReport", fRO, "", "", "")
	defOp(svcIAM, "GetCredentialReport", fRO, "", "", "")
	defOp(svcIAM, "GetUser", fRO, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "ListAccessKeys", fRO|fList, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "ListMFADevices", fRO|fList, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "ListAttachedUserPolicies", fRO|fList, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "ListUserPolicies", fRO|fList, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "ListGroupsForUser", fRO|fList, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "GetLoginProfile", fRO, `{"userName":"${user}"}`, "", "")
	defOp(svcIAM, "GetRole", fRO, `{"roleName":"${role}"}`, "", "")
	defOp(svcIAM, "ListAttachedRolePolicies", fRO|fList, `{"roleName":"${role}"}`, "", "")
	defOp(svcIAM, "ListRolePolicies", fRO|fList, `{"roleName":"${role}"}`, "", "")
	defOp(svcIAM, "ListRoleTags", fRO|fList, `{"roleName":"${role}"}`, "", "")
	defOp(svcIAM, "GetRolePolicy", fRO, `{"roleName":"${role}","policyName":"inline-access"}`, "", "")
	defOp(svcIAM, "GetPolicy", fRO, `{"policyArn":"${policyArn}"}`, "", "")
	defOp(svcIAM, "GetPolicyVersion", fRO, `{"policyArn":"${policyArn}","versionId":"v1"}`, "", "")
	defOp(svcIAM, "ListEntitiesForPolicy", fRO|fList, `{"policyArn":"${policyArn}"}`, "", "")
	defOp(svcIAM, "TagRole", 0, `{"roleName":"${role}","tags":[{"key":"owner","value":"platform"}]}`, "", "")
	defOp(svcIAM, "UpdateAssumeRolePolicy", 0, `{"roleName":"${role}","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::${acct}:root\"},\"Action\":\"sts:AssumeRole\"}]}"}`, "", "")
	defOp(svcIAM, "AttachRolePolicy", 0, `{"roleName":"${role}","policyArn":"${policyArn}"}`, "", "")
	defOp(svcIAM, "CreateUser", 0, `{"userName":"${targetUser}"}`, `{"user":{"path":"/","userName":"${targetUser}","userId":"${newUserId}","arn":"arn:aws:iam::${acct}:user/${targetUser}","createDate":"${now}"}}`, "")
	defOp(svcIAM, "CreateAccessKey", 0, `{"userName":"${targetUser}"}`, `{"accessKey":{"userName":"${targetUser}","accessKeyId":"${newKey}","status":"Active","createDate":"${now}"}}`, "")
	defOp(svcIAM, "AttachUserPolicy", 0, `{"userName":"${targetUser}","policyArn":"${policyArn}"}`, "", "")
	defOp(svcIAM, "PutUserPolicy", 0, `{"userName":"${targetUser}","policyName":"inline-admin","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}`, "", "")
	defOp(svcIAM, "CreateLoginProfile", 0, `{"userName":"${targetUser}","passwordResetRequired":false}`, `{"loginProfile":{"userName":"${targetUser}","createDate":"${now}","passwordResetRequired":false}}`, "")
	defOp(svcIAM, "UpdateAccessKey", 0, `{"userName":"${targetUser}","accessKeyId":"${newKey}","status":"Inactive"}`, "", "")
	defOp(svcIAM, "DeleteAccessKey", 0, `{"userName":"${targetUser}","accessKeyId":"${newKey}"}`, "", "")

	// STS.
	o = defOp(svcSTS, "GetCallerIdentity", fRO, "", "", "")
	o.special = spGetCallerIdentity
	o = defOp(svcSTS, "AssumeRole", fRO, "", "", "")
	o.special = spAssumeRole
	o = defOp(svcSTS, "AssumeRoleWithSAML", fRO, "", "", "")
	o.special = spAssumeRoleSAML
	o = defOp(svcSTS, "AssumeRoleWithWebIdentity", fRO, "", "", "")
	o.special = spAssumeRoleWebIdentity
	o = defOp(svcSTS, "GetFederationToken", fRO, "", "", "")
	o.special = spGetFederationToken
	defOp(svcSTS, "GetSessionToken", fRO, `{"durationSeconds":43200}`, `{"credentials":{"accessKeyId":"ASIA${hex16}","sessionToken":"<sensitiveDataRemoved>","expiration":"${now}"}}`, "")
	defOp(svcSTS, "DecodeAuthorizationMessage", fRO, `{"encodedMessage":"<sensitiveDataRemoved>"}`, "", "")
	o = defOp(svcSignin, "ConsoleLogin", 0, "", "", "")
	o.special = spConsoleLogin

	// KMS: the busiest service in most accounts.
	defOp(svcKMS, "Decrypt", fRO, `{"keyId":"arn:aws:kms:${region}:${acct}:key/${kms}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`, "", resKMS)
	defOp(svcKMS, "GenerateDataKey", fRO, `{"keyId":"arn:aws:kms:${region}:${acct}:key/${kms}","keySpec":"AES_256"}`, "", resKMS)
	defOp(svcKMS, "Encrypt", fRO, `{"keyId":"arn:aws:kms:${region}:${acct}:key/${kms}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`, "", resKMS)
	defOp(svcKMS, "DescribeKey", fRO, `{"keyId":"${kms}"}`, "", resKMS)
	defOp(svcKMS, "ListKeys", fRO|fList, `{"limit":1000}`, "", "")
	defOp(svcKMS, "ListAliases", fRO|fList, "", "", "")
	defOp(svcKMS, "GetKeyPolicy", fRO, `{"keyId":"${kms}","policyName":"default"}`, "", resKMS)
	defOp(svcKMS, "GetKeyRotationStatus", fRO, `{"keyId":"${kms}"}`, "", resKMS)

	// Systems Manager: agents check in constantly; people read parameters.
	defOp(svcSSM, "UpdateInstanceInformation", 0, `{"instanceId":"${instance}","agentVersion":"3.3.1142.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"10.0.0.1","computerName":"ip-10-0-0-1.ec2.internal","agentName":"amazon-ssm-agent","availabilityZone":"${region}a","availabilityZoneId":"use1-az1"}`, "", "")
	defOp(svcSSM, "ListInstanceAssociations", fRO, `{"instanceId":"${instance}","maxResults":20}`, "", "")
	defOp(svcSSM, "GetParameter", fRO, `{"name":"${param}","withDecryption":true}`, "", "")
	defOp(svcSSM, "GetParameters", fRO, `{"names":["${param}"],"withDecryption":true}`, "", "")
	defOp(svcSSM, "GetParametersByPath", fRO|fList, `{"path":"${param}","recursive":true,"withDecryption":true}`, "", "")
	defOp(svcSSM, "DescribeParameters", fRO|fList, `{"maxResults":50}`, "", "")
	defOp(svcSSM, "DescribeInstanceInformation", fRO|fList, `{"maxResults":50}`, "", "")
	defOp(svcSSM, "StartSession", 0, `{"target":"${instance}"}`, `{"sessionId":"${hex16}","tokenValue":"Value hidden due to security reasons.","streamUrl":"wss://ssmmessages.${region}.amazonaws.com/v1/data-channel/${hex16}?role=publish_subscribe&cell-number=AAEAAQ"}`, "")
	defOp(svcSSM, "SendCommand", 0, `{"instanceIds":["${instance}"],"documentName":"AWS-RunPatchBaseline","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS","interactive":false}`, "", "")

	// Secrets Manager.
	defOp(svcSecrets, "GetSecretValue", fRO, `{"secretId":"${secret}"}`, "", "")
	defOp(svcSecrets, "DescribeSecret", fRO, `{"secretId":"${secret}"}`, "", "")
	defOp(svcSecrets, "ListSecrets", fRO|fList, `{"maxResults":100}`, "", "")
	defOp(svcSecrets, "BatchGetSecretValue", fRO, `{"secretIdList":["${secret}"]}`, "", "")

	// Lambda.
	o = defOp(svcLambda, "ListFunctions20150331", fRO|fList, `{"maxItems":50}`, "", "")
	o.action = "lambda:ListFunctions"
	o = defOp(svcLambda, "GetFunction20150331v2", fRO, `{"functionName":"${fn}"}`, "", "")
	o.action = "lambda:GetFunction"
	o = defOp(svcLambda, "GetFunctionConfiguration20150331v2", fRO, `{"functionName":"${fn}"}`, "", "")
	o.action = "lambda:GetFunctionConfiguration"
	o = defOp(svcLambda, "UpdateFunctionCode20150331v2", 0, `{"functionName":"${fn}","publish":true,"dryRun":false}`, `{"functionName":"${fn}","functionArn":"arn:aws:lambda:${region}:${acct}:function:${fn}","runtime":"python3.12","handler":"app.handler","codeSize":1843220,"state":"Active","lastUpdateStatus":"InProgress"}`, "")
	o.action = "lambda:UpdateFunctionCode"
	o = defOp(svcLambda, "Invoke", fData, `{"functionName":"arn:aws:lambda:${region}:${acct}:function:${fn}","sourceArn":"arn:aws:sqs:${region}:${acct}:${queue}"}`, "", resFunction)
	o.action = "lambda:InvokeFunction"
	o.version = "1.09"

	// CloudWatch and Logs.
	defOp(svcCW, "GetMetricData", fRO, `{"metricDataQueries":[{"id":"m0","metricStat":{"metric":{"namespace":"AWS/EC2","metricName":"CPUUtilization"},"period":300,"stat":"Average"},"returnData":true}],"startTime":"${now}","endTime":"${now}","maxDatapoints":100800}`, "", "")
	defOp(svcCW, "GetMetricStatistics", fRO, `{"namespace":"AWS/Lambda","metricName":"Errors","dimensions":[{"name":"FunctionName","value":"${fn}"}],"period":60,"statistics":["Sum"]}`, "", "")
	defOp(svcCW, "ListMetrics", fRO|fList, `{"namespace":"AWS/EC2"}`, "", "")
	defOp(svcCW, "DescribeAlarms", fRO|fList, `{"maxRecords":100}`, "", "")
	defOp(svcCW, "DescribeAlarmHistory", fRO|fList, `{"alarmName":"${alarm}","maxRecords":100}`, "", "")
	defOp(svcCW, "PutMetricAlarm", 0, `{"alarmName":"${alarm}","metricName":"CPUUtilization","namespace":"AWS/EC2","statistic":"Average","period":300,"evaluationPeriods":3,"threshold":80.0,"comparisonOperator":"GreaterThanThreshold"}`, "", "")
	defOp(svcLogs, "DescribeLogGroups", fRO|fList, `{"limit":50}`, "", "")
	defOp(svcLogs, "DescribeLogStreams", fRO|fList, `{"logGroupName":"${logGroup}","orderBy":"LastEventTime","descending":true,"limit":50}`, "", "")
	defOp(svcLogs, "CreateLogStream", 0, `{"logGroupName":"${logGroup}","logStreamName":"${uuid}"}`, "", "")
	defOp(svcLogs, "FilterLogEvents", fRO, `{"logGroupName":"${logGroup}","startTime":${epochMs},"interleaved":true}`, "", "")
	defOp(svcLogs, "GetLogEvents", fRO, `{"logGroupName":"${logGroup}","logStreamName":"${uuid}","startFromHead":false}`, "", "")
	defOp(svcLogs, "StartQuery", fRO, `{"logGroupNames":["${logGroup}"],"startTime":${epochMs},"endTime":${epochMs},"queryString":"fields @timestamp, @message | sort @timestamp desc | limit 200"}`, `{"queryId":"${uuid}"}`, "")

	// CloudTrail.
	defOp(svcCT, "DescribeTrails", fRO|fList, `{"includeShadowTrails":true}`, "", "")
	defOp(svcCT, "GetTrailStatus", fRO, `{"name":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}"}`, "", resTrail)
	defOp(svcCT, "GetEventSelectors", fRO, `{"trailName":"${trail}"}`, "", resTrail)
	defOp(svcCT, "LookupEvents", fRO, `{"maxResults":50,"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"ConsoleLogin"}]}`, "", "")
	defOp(svcCT, "ListTrails", fRO|fList, "", "", "")
	defOp(svcCT, "StopLogging", 0, `{"name":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}"}`, "", resTrail)
	defOp(svcCT, "DeleteTrail", 0, `{"name":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}"}`, "", resTrail)
	defOp(svcCT, "UpdateTrail", 0, `{"name":"${trail}","includeGlobalServiceEvents":false}`, `{"name":"${trail}","s3BucketName":"${bucket}","includeGlobalServiceEvents":false,"isMultiRegionTrail":false,"trailARN":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}","logFileValidationEnabled":false,"isOrganizationTrail":false}`, resTrail)
	defOp(svcCT, "PutEventSelectors", 0, `{"trailName":"${trail}","eventSelectors":[{"readWriteType":"ReadOnly","includeManagementEvents":false,"dataResources":[],"excludeManagementEventSources":[]}]}`, `{"trailARN":"arn:aws:cloudtrail:${region}:${acct}:trail/${trail}","eventSelectors":[{"readWriteType":"ReadOnly","includeManagementEvents":false,"dataResources":[],"excludeManagementEventSources":[]}]}`, resTrail)

	// CloudFormation, ECR, ECS, EKS.
	defOp(svcCFN, "DescribeStacks", fRO|fList, `{"stackName":"${stack}"}`, "", "")
	defOp(svcCFN, "ListStacks", fRO|fList, `{"stackStatusFilter":["CREATE_COMPLETE","UPDATE_COMPLETE"]}`, "", "")
	defOp(svcCFN, "DescribeStackEvents", fRO|fList, `{"stackName":"${stack}"}`, "", "")
	defOp(svcCFN, "GetTemplate", fRO, `{"stackName":"${stack}","templateStage":"Original"}`, "", "")
	defOp(svcCFN, "DescribeStackResources", fRO|fList, `{"stackName":"${stack}"}`, "", "")
	defOp(svcECR, "GetAuthorizationToken", fRO, "", "", "")
	defOp(svcECR, "BatchGetImage", fRO, `{"repositoryName":"${repo}","imageIds":[{"imageTag":"latest"}],"acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2+json","application/vnd.oci.image.manifest.v1+json"]}`, "", "")
	defOp(svcECR, "GetDownloadUrlForLayer", fRO, `{"repositoryName":"${repo}","layerDigest":"sha256:${digest}"}`, "", "")
	defOp(svcECR, "BatchCheckLayerAvailability", fRO, `{"repositoryName":"${repo}","layerDigests":["sha256:${digest}"]}`, "", "")
	defOp(svcECR, "DescribeRepositories", fRO|fList, "", "", "")
	defOp(svcECR, "DescribeImages", fRO|fList, `{"repositoryName":"${repo}","maxResults":100}`, "", "")
	defOp(svcECR, "PutImage", 0, `{"repositoryName":"${repo}","imageTag":"${hex16}","imageManifest":"<manifest>"}`, `{"image":{"registryId":"${acct}","repositoryName":"${repo}","imageId":{"imageDigest":"sha256:${digest}","imageTag":"${hex16}"}}}`, "")
	defOp(svcECS, "DescribeServices", fRO|fList, `{"cluster":"${cluster}","services":["${ecsService}"]}`, "", "")
	defOp(svcECS, "ListTasks", fRO|fList, `{"cluster":"${cluster}","serviceName":"${ecsService}"}`, "", "")
	defOp(svcECS, "DescribeTasks", fRO|fList, `{"cluster":"${cluster}","tasks":["${uuid}"]}`, "", "")
	defOp(svcECS, "DescribeClusters", fRO|fList, `{"clusters":["${cluster}"]}`, "", "")
	defOp(svcECS, "ListServices", fRO|fList, `{"cluster":"${cluster}"}`, "", "")
	defOp(svcECS, "DescribeTaskDefinition", fRO, `{"taskDefinition":"${taskDef}"}`, "", "")
	defOp(svcECS, "RegisterTaskDefinition", 0, `{"family":"${ecsService}","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024"}`, `{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:${region}:${acct}:task-definition/${taskDef}","family":"${ecsService}","status":"ACTIVE"}}`, "")
	defOp(svcECS, "UpdateService", 0, `{"cluster":"${cluster}","service":"${ecsService}","taskDefinition":"${taskDef}","forceNewDeployment":false}`, `{"service":{"serviceName":"${ecsService}","clusterArn":"arn:aws:ecs:${region}:${acct}:cluster/${cluster}","status":"ACTIVE","desiredCount":3}}`, "")
	defOp(svcEKS, "DescribeCluster", fRO, `{"name":"${cluster}"}`, "", "")
	defOp(svcEKS, "ListClusters", fRO|fList, "", "", "")

	// Databases, load balancing, scaling, DNS.
	defOp(svcRDS, "DescribeDBInstances", fRO|fList, `{"dBInstanceIdentifier":"${db}"}`, "", "")
	defOp(svcRDS, "DescribeDBClusters", fRO|fList, "", "", "")
	defOp(svcRDS, "DescribeDBSnapshots", fRO|fList, `{"dBInstanceIdentifier":"${db}","includeShared":false,"includePublic":false}`, "", "")
	defOp(svcRDS, "DescribeDBLogFiles", fRO|fList, `{"dBInstanceIdentifier":"${db}"}`, "", "")
	defOp(svcRDS, "DescribeEvents", fRO|fList, `{"sourceType":"db-instance","duration":60}`, "", "")
	defOp(svcRDS, "CreateDBSnapshot", 0, `{"dBSnapshotIdentifier":"${db}-manual-${hex16}","dBInstanceIdentifier":"${db}"}`, "", "")
	defOp(svcELB, "DescribeLoadBalancers", fRO|fList, `{"pageSize":400}`, "", "")
	defOp(svcELB, "DescribeTargetGroups", fRO|fList, `{"loadBalancerArn":"arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/app/${lb}/${hex16}"}`, "", "")
	defOp(svcELB, "DescribeTargetHealth", fRO, `{"targetGroupArn":"arn:aws:elasticloadbalancing:${region}:${acct}:targetgroup/${tg}/${hex16}"}`, "", "")
	defOp(svcELB, "DescribeListeners", fRO|fList, `{"loadBalancerArn":"arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/app/${lb}/${hex16}"}`, "", "")
	defOp(svcELB, "RegisterTargets", 0, `{"targetGroupArn":"arn:aws:elasticloadbalancing:${region}:${acct}:targetgroup/${tg}/${hex16}","targets":[{"id":"${instance}","port":8080}]}`, "", "")
	defOp(svcELB, "DeregisterTargets", 0, `{"targetGroupArn":"arn:aws:elasticloadbalancing:${region}:${acct}:targetgroup/${tg}/${hex16}","targets":[{"id":"${instance}","port":8080}]}`, "", "")
	defOp(svcASG, "DescribeAutoScalingGroups", fRO|fList, `{"autoScalingGroupNames":["${asg}"]}`, "", "")
	defOp(svcASG, "DescribeScalingActivities", fRO|fList, `{"autoScalingGroupName":"${asg}"}`, "", "")
	defOp(svcASG, "DescribeAutoScalingInstances", fRO|fList, `{"instanceIds":["${instance}"]}`, "", "")
	defOp(svcASG, "SetDesiredCapacity", 0, `{"autoScalingGroupName":"${asg}","desiredCapacity":4,"honorCooldown":true}`, "", "")
	defOp(svcASG, "DescribeLifecycleHooks", fRO|fList, `{"autoScalingGroupName":"${asg}"}`, "", "")
	defOp(svcR53, "ListHostedZones", fRO|fList, "", "", "")
	defOp(svcR53, "ListResourceRecordSets", fRO|fList, `{"hostedZoneId":"${zone}"}`, "", "")
	defOp(svcR53, "GetHostedZone", fRO, `{"id":"${zone}"}`, "", "")
	defOp(svcR53, "ChangeResourceRecordSets", 0, `{"hostedZoneId":"${zone}","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"api.internal.","type":"CNAME","tTL":60,"resourceRecords":[{"value":"${lb}.${region}.elb.amazonaws.com"}]}}]}}`, `{"changeInfo":{"id":"/change/C${hex16}","status":"PENDING","submittedAt":"${now}"}}`, "")
	defOp(svcR53, "GetChange", fRO, `{"id":"C${hex16}"}`, "", "")
	defOp(svcDDB, "DescribeTable", fRO, `{"tableName":"${table}"}`, "", resTable)
	defOp(svcDDB, "ListTables", fRO|fList, "", "", "")
	defOp(svcDDB, "DescribeContinuousBackups", fRO, `{"tableName":"${table}"}`, "", resTable)
	defOp(svcDDB, "DescribeTimeToLive", fRO, `{"tableName":"${table}"}`, "", resTable)
	defOp(svcSNS, "ListTopics", fRO|fList, "", "", "")
	defOp(svcSNS, "GetTopicAttributes", fRO, `{"topicArn":"arn:aws:sns:${region}:${acct}:${topic}"}`, "", "")
	defOp(svcSNS, "ListSubscriptions", fRO|fList, "", "", "")
	defOp(svcSQS, "ListQueues", fRO|fList, "", "", "")
	defOp(svcSQS, "GetQueueAttributes", fRO, `{"queueUrl":"https://sqs.${region}.amazonaws.com/${acct}/${queue}","attributeNames":["All"]}`, "", "")

	// Governance and security services.
	defOp(svcOrgs, "DescribeOrganization", fRO, "", "", "")
	defOp(svcOrgs, "ListAccounts", fRO|fList, "", "", "")
	defOp(svcOrgs, "DescribeAccount", fRO, `{"accountId":"${targetAcct}"}`, "", "")
	defOp(svcOrgs, "ListRoots", fRO|fList, "", "", "")
	defOp(svcOrgs, "ListPolicies", fRO|fList, `{"filter":"SERVICE_CONTROL_POLICY"}`, "", "")
	defOp(svcOrgs, "ListAWSServiceAccessForOrganization", fRO|fList, "", "", "")
	defOp(svcConfig, "PutEvaluations", 0, `{"evaluations":[{"complianceResourceType":"AWS::EC2::Instance","complianceResourceId":"${instance}","complianceType":"COMPLIANT","orderingTimestamp":"${now}"}],"resultToken":"<sensitiveDataRemoved>","testMode":false}`, "", "")
	defOp(svcConfig, "DescribeConfigRules", fRO|fList, "", "", "")
	defOp(svcConfig, "DescribeConfigurationRecorderStatus", fRO, "", "", "")
	defOp(svcConfig, "DescribeComplianceByConfigRule", fRO|fList, "", "", "")
	defOp(svcConfig, "GetResourceConfigHistory", fRO, `{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"${sg}","limit":10}`, "", "")
	defOp(svcGD, "ListDetectors", fRO|fList, "", "", "")
	defOp(svcGD, "GetDetector", fRO, `{"detectorId":"${hex16}"}`, "", "")
	defOp(svcGD, "ListFindings", fRO|fList, `{"detectorId":"${hex16}","maxResults":50}`, "", "")
	defOp(svcGD, "GetFindings", fRO, `{"detectorId":"${hex16}","findingIds":["${hex16}"]}`, "", "")
	defOp(svcSH, "GetFindings", fRO|fList, `{"maxResults":100}`, "", "")
	defOp(svcSH, "BatchImportFindings", 0, `{"findings":[]}`, `{"failedCount":0,"successCount":1}`, "")
	defOp(svcHealth, "DescribeEventAggregates", fRO, `{"aggregateField":"eventTypeCategory"}`, "", "")
	defOp(svcHealth, "DescribeEvents", fRO|fList, `{"maxResults":100}`, "", "")
	defOp(svcTagging, "GetResources", fRO|fList, `{"resourcesPerPage":100,"resourceTypeFilters":["ec2:instance"]}`, "", "")
	defOp(svcCE, "GetCostAndUsage", fRO, `{"granularity":"DAILY","metrics":["UnblendedCost"],"groupBy":[{"type":"DIMENSION","key":"SERVICE"}]}`, "", "")
	defOp(svcCE, "GetCostForecast", fRO, `{"metric":"UNBLENDED_COST","granularity":"MONTHLY"}`, "", "")
}

// mixEntry is one call with its relative frequency in a principal's mix.
type mixEntry struct {
	op *opDef
	w  float64
}

// parseMix turns "prefix:Name=weight ..." into entries; it panics on
// unknown names, which are programming errors caught by tests.
func parseMix(spec string) []mixEntry {
	var out []mixEntry
	for _, f := range strings.Fields(spec) {
		name, w, ok := strings.Cut(f, "=")
		weight := 1.0
		if ok {
			if _, err := fmt.Sscan(w, &weight); err != nil {
				panic("synth: bad mix weight " + f)
			}
		}
		out = append(out, mixEntry{op: lookupOp(name), w: weight})
	}
	return out
}
