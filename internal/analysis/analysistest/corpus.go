// Package analysistest holds a small multi-source incident for the tests
// of the analysis engine, the API and the serve command: the log files as
// AWS delivers them, a way to ingest them into a data directory, and an
// independent reading of the CloudTrail records so that tests compute the
// expected numbers without the code under test.
package analysistest

// The incident, in account 111122223333: the IAM user alice signs in,
// assumes the Admin role, and her session creates a user, launches an
// instance and fails to attach a policy; an organization trail delivers
// two of the same events again; VPC flows show the instance talking to a
// mining pool; GuardDuty reports it twice (a newer version of the same
// finding). A user with quotes and markup in its ARN and user agent calls
// from a private address, to check that hostile strings round-trip.

// Identifiers of the incident's main actors.
const (
	Account     = "111122223333"
	AliceID     = "AIDAEXAMPLEALICE00001"
	AdminRoleID = "AROAEXAMPLEADMIN00001"
	SessionID   = "AROAEXAMPLEADMIN00001:alice"
	HostileID   = "AIDAEXAMPLEHOSTILE001"
	HostileARN  = `arn:aws:iam::111122223333:user/ops/"quoted"<b>&x`
	HostileUA   = `"><img src=x onerror=alert(1)> 'single' \back`
	FindingID   = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1"
	InstanceID  = "i-0abc1234def567890"
)

var ctFile1 = `{"Records":[
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.160","userAgent":"Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com/"},"eventID":"e0000000-0000-4000-8000-000000000001","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"2026-11-01T10:05:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.160","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Admin","roleSessionName":"alice"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLESESSION01","expiration":"Nov 1, 2026, 11:05:00 AM","sessionToken":"x"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEADMIN00001:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice"}},"requestID":"r1","eventID":"e0000000-0000-4000-8000-000000000002","readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::IAM::Role","ARN":"arn:aws:iam::111122223333:role/Admin"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEADMIN00001:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLESESSION01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEADMIN00001","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"},"attributes":{"creationDate":"2026-11-01T10:05:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-01T10:10:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"89.160.20.112","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22","requestParameters":{"userName":"backdoor"},"responseElements":{"user":{"path":"/","userName":"backdoor","userId":"AIDAEXAMPLEBACKDOOR1","arn":"arn:aws:iam::111122223333:user/backdoor","createDate":"Nov 1, 2026, 10:10:00 AM"}},"eventID":"e0000000-0000-4000-8000-000000000003","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEADMIN00001:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLESESSION01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEADMIN00001","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"},"attributes":{"creationDate":"2026-11-01T10:05:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-01T10:11:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","awsRegion":"us-east-1","sourceIPAddress":"89.160.20.112","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22","errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::111122223333:assumed-role/Admin/alice is not authorized to perform: iam:AttachUserPolicy","requestParameters":null,"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000004","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}`

var ctFile2 = `{"Records":[
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEADMIN00001:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLESESSION01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEADMIN00001","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"},"attributes":{"creationDate":"2026-11-01T10:05:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-01T10:20:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"ap-southeast-7","sourceIPAddress":"89.160.20.112","userAgent":"aws-cli/2.15.0","requestParameters":{"instanceType":"p3.16xlarge"},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-0abc1234def567890","instanceType":"p3.16xlarge","imageId":"ami-0123456789abcdef0","vpcId":"vpc-0a1b2c3d","subnetId":"subnet-0a1b2c3d","privateIpAddress":"10.0.1.25"}]}},"eventID":"e0000000-0000-4000-8000-000000000005","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEADMIN00001:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLESESSION01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEADMIN00001","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"},"attributes":{"creationDate":"2026-11-01T10:05:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-01T10:11:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","awsRegion":"us-east-1","sourceIPAddress":"89.160.20.112","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22","errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::111122223333:assumed-role/Admin/alice is not authorized to perform: iam:AttachUserPolicy","requestParameters":null,"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000004","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2026-11-01T10:21:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"ap-southeast-7","sourceIPAddress":"ec2.amazonaws.com","userAgent":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/AppRole","roleSessionName":"i-0abc1234def567890"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEINSTANCE1"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEAPPROLE001:i-0abc1234def567890","arn":"arn:aws:sts::111122223333:assumed-role/AppRole/i-0abc1234def567890"}},"eventID":"e0000000-0000-4000-8000-000000000006","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}`

// The same two events delivered again by an organization trail.
var ctOrgTrail = `{"Records":[
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.160","userAgent":"Mozilla/5.0 (X11; Linux x86_64) <script>alert(1)</script>","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com/"},"eventID":"e0000000-0000-4000-8000-000000000001","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-01T10:30:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"2001:67c:2e8::1","userAgent":"[aws-cli/2.15.0]","requestParameters":{"Host":"s3.amazonaws.com"},"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000007","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}`

// One event as EventBridge delivers it, one per line.
var ctEventBridge = `{"version":"0","id":"6f87d04b-9f74-4f04-a780-7acf4b0a9b38","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2026-11-01T10:40:00Z","region":"us-east-1","resources":[],"detail":{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE00001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"2026-11-01T10:40:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"89.160.20.112","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":{"bucketName":"finance-reports","key":"q3.pdf"},"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000008","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::finance-reports/q3.pdf"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::finance-reports"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}}
`

var ctDigest = `{"awsAccountId":"111122223333","digestStartTime":"2026-11-01T09:00:00Z","digestEndTime":"2026-11-01T10:00:00Z","digestS3Bucket":"trail-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/x.json.gz","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2026-11-01T09:59:59Z","oldestEventTime":"2026-11-01T09:00:00Z","previousDigestS3Bucket":"trail-bucket","previousDigestS3Object":"x","previousDigestHashValue":"00","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"00","logFiles":[]}`

var vpcDefault = `2 111122223333 eni-0a1b2c3d4e5f60001 10.0.1.25 198.51.100.77 49152 3333 6 120 96000 1793527200 1793527260 ACCEPT OK
2 111122223333 eni-0a1b2c3d4e5f60001 198.51.100.77 10.0.1.25 3333 49152 6 100 800000 1793527200 1793527260 ACCEPT OK
2 111122223333 eni-0a1b2c3d4e5f60001 - - - - - - - 1793527300 1793527360 - NODATA
`

var vpcCustom = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path
5 111122223333 eni-0a1b2c3d4e5f60001 10.0.1.25 185.220.101.4 40000 14444 6 10 5000 1793527400 1793527460 ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d i-0abc1234def567890 3 IPv4 10.0.1.25 185.220.101.4 ap-southeast-7 apse7-az1 - - - - egress 8
5 111122223333 eni-0a1b2c3d4e5f60001 45.155.205.233 10.0.1.25 51515 22 6 1 40 1793527400 1793527460 REJECT OK vpc-0a1b2c3d subnet-0a1b2c3d i-0abc1234def567890 2 IPv4 45.155.205.233 10.0.1.25 ap-southeast-7 apse7-az1 - - - - ingress -
`

var gdV1 = `{"schemaVersion":"2.0","accountId":"111122223333","region":"ap-southeast-7","partition":"aws","id":"f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","arn":"arn:aws:guardduty:ap-southeast-7:111122223333:detector/d1/finding/f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","type":"CryptoCurrency:EC2/BitcoinTool.B","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0abc1234def567890","instanceType":"p3.16xlarge","networkInterfaces":[{"privateIpAddress":"10.0.1.25","networkInterfaceId":"eni-0a1b2c3d4e5f60001"}]}},"service":{"serviceName":"guardduty","detectorId":"d1","action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","protocol":"TCP","blocked":false,"remoteIpDetails":{"ipAddressV4":"198.51.100.77"},"remotePortDetails":{"port":3333},"localPortDetails":{"port":49152}}},"resourceRole":"ACTOR","eventFirstSeen":"2026-11-01T10:30:00.000Z","eventLastSeen":"2026-11-01T10:31:00.000Z","archived":false,"count":1},"severity":8,"createdAt":"2026-11-01T10:35:00.000Z","updatedAt":"2026-11-01T10:35:00.000Z","title":"EC2 instance i-0abc1234def567890 is querying a domain name that is associated with Bitcoin-related activity.","description":"EC2 instance i-0abc1234def567890 is communicating with a mining pool."}
`
var gdV2 = `{"schemaVersion":"2.0","accountId":"111122223333","region":"ap-southeast-7","partition":"aws","id":"f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","arn":"arn:aws:guardduty:ap-southeast-7:111122223333:detector/d1/finding/f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1","type":"CryptoCurrency:EC2/BitcoinTool.B","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0abc1234def567890","instanceType":"p3.16xlarge","networkInterfaces":[{"privateIpAddress":"10.0.1.25","networkInterfaceId":"eni-0a1b2c3d4e5f60001"}]}},"service":{"serviceName":"guardduty","detectorId":"d1","action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","protocol":"TCP","blocked":false,"remoteIpDetails":{"ipAddressV4":"198.51.100.77"},"remotePortDetails":{"port":3333},"localPortDetails":{"port":49152}}},"resourceRole":"ACTOR","eventFirstSeen":"2026-11-01T10:30:00.000Z","eventLastSeen":"2026-11-01T11:30:00.000Z","archived":true,"count":7},"severity":8,"createdAt":"2026-11-01T10:35:00.000Z","updatedAt":"2026-11-01T11:35:00.000Z","title":"EC2 instance i-0abc1234def567890 is querying a domain name that is associated with Bitcoin-related activity.","description":"EC2 instance i-0abc1234def567890 is communicating with a mining pool."}
`

// A caller whose ARN and user agent hold quotes, markup and a backslash.
var ctHostile = `{"Records":[
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEHOSTILE001","arn":"arn:aws:iam::111122223333:user/ops/\"quoted\"<b>&x","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEHOSTILE01","userName":"\"quoted\"<b>&x"},"eventTime":"2026-11-01T09:30:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"10.0.2.7","userAgent":"\"><img src=x onerror=alert(1)> 'single' \\back","requestParameters":null,"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000009","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEHOSTILE001","arn":"arn:aws:iam::111122223333:user/ops/\"quoted\"<b>&x","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEHOSTILE01","userName":"\"quoted\"<b>&x"},"eventTime":"2026-11-01T09:31:00Z","eventSource":"iam.amazonaws.com","eventName":"DeleteUser","awsRegion":"us-east-1","sourceIPAddress":"10.0.2.7","userAgent":"\"><img src=x onerror=alert(1)> 'single' \\back","errorCode":"AccessDenied","errorMessage":"denied","requestParameters":{"userName":"alice"},"responseElements":null,"eventID":"e0000000-0000-4000-8000-000000000010","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}`

// File is one file of the incident: its path under the input folder,
// its content, and whether it is stored gzip-compressed.
type File struct {
	Path    string
	Content string
	Gzip    bool
}

// Incident lists the incident's files. Two are plain text, so that raw
// records are also read back from objects the archive compressed itself.
var Incident = []File{
	{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T1000Z_a1.json.gz", ctFile1, true},
	{"AWSLogs/111122223333/CloudTrail/ap-southeast-7/2026/11/01/111122223333_CloudTrail_ap-southeast-7_20261101T1020Z_a2.json.gz", ctFile2, true},
	{"AWSLogs/o-exampleorg1/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T1030Z_o1.json.gz", ctOrgTrail, true},
	{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0930Z_h1.json", ctHostile, false},
	{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261101T100000Z.json.gz", ctDigest, true},
	{"exports/eventbridge-cloudtrail.ndjson", ctEventBridge, false},
	{"AWSLogs/111122223333/vpcflowlogs/ap-southeast-7/2026/11/01/111122223333_vpcflowlogs_ap-southeast-7_fl-0a1b2c3d_20261101T1030Z_h1.log.gz", vpcDefault, true},
	{"AWSLogs/111122223333/vpcflowlogs/ap-southeast-7/2026/11/01/111122223333_vpcflowlogs_ap-southeast-7_fl-0a1b2c3d_20261101T1035Z_h2.log.gz", vpcCustom, true},
	{"AWSLogs/111122223333/GuardDuty/ap-southeast-7/2026/11/01/0001.jsonl.gz", gdV1, true},
	{"AWSLogs/111122223333/GuardDuty/ap-southeast-7/2026/11/01/0002.jsonl.gz", gdV2, true},
}
