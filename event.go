package trailhound

import "time"

// Identity is the caller of an API call, normalized from CloudTrail's
// userIdentity element. Fields that the record did not carry are empty.
type Identity struct {
	Type        string // Root, IAMUser, AssumedRole, Role, FederatedUser, AWSAccount, AWSService, IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown
	PrincipalID string
	ARN         string
	AccountID   string
	AccessKeyID string
	UserName    string
	InvokedBy   string // the AWS service that made the call on the caller's behalf
	// The session issuer: for AssumedRole and FederatedUser, the role or user
	// whose credentials started the session.
	IssuerType        string
	IssuerPrincipalID string
	IssuerARN         string
	IssuerAccountID   string
	IssuerUserName    string
	// Session context.
	MFAAuthenticated       bool
	SessionCreated         time.Time // zero when absent
	SourceIdentity         string
	IdentityProvider       string // SAML or web identity provider, when known
	OnBehalfOfUserID       string // IAM Identity Center user behind the call
	OnBehalfOfStoreARN     string
	CredentialID           string
	WebIDFederatedProvider string
}

// Resource is one entry of a CloudTrail record's resources list.
type Resource struct {
	ARN       string
	AccountID string
	Type      string
}

// APICall is one CloudTrail event, normalized. Raw holds the record exactly
// as it appeared in the object (for EventBridge and lookup-events inputs:
// the inner CloudTrail record), so every number can show its evidence.
type APICall struct {
	EventID          string
	Time             time.Time // UTC
	Version          string
	Source           string // eventSource, e.g. iam.amazonaws.com
	Name             string // eventName
	Type             string // eventType: AwsApiCall, AwsConsoleSignIn, AwsServiceEvent, ...
	Category         string // eventCategory: Management, Data, Insight, NetworkActivity
	Region           string
	RecipientAccount string
	SharedEventID    string
	RequestID        string
	Identity         Identity
	SourceIP         string // as recorded: an address, a service name, or anything else
	UserAgent        string
	ErrorCode        string
	ErrorMessage     string
	ReadOnly         *bool
	Management       *bool
	// Console sign-in specifics (ConsoleLogin and friends).
	LoginResult string // Success or Failure, from responseElements
	MFAUsed     string // Yes or No, from additionalEventData
	// Parts the graph extraction reads for specific events (AssumeRole,
	// CreateUser, RunInstances, ...). JSON as recorded; nil when absent.
	RequestParameters   []byte
	ResponseElements    []byte
	AdditionalEventData []byte
	Resources           []Resource
	Raw                 []byte
}

// Failed reports whether the call failed: an error code, or a console
// sign-in whose result was Failure.
func (c *APICall) Failed() bool {
	return c.ErrorCode != "" || c.LoginResult == "Failure"
}

// Flow is one VPC (or transit gateway) flow log record. Absent values ("-")
// are zero. Line is the record's line number in its object, for lineage.
type Flow struct {
	Version                 int
	AccountID               string
	InterfaceID             string
	SrcAddr                 string
	DstAddr                 string
	SrcPort                 int
	DstPort                 int
	Protocol                int // IANA number; -1 when absent
	Packets                 int64
	Bytes                   int64
	Start                   time.Time
	End                     time.Time
	Action                  string // ACCEPT, REJECT, or "" when absent
	LogStatus               string // OK, NODATA, SKIPDATA
	VPCID                   string
	SubnetID                string
	InstanceID              string
	TCPFlags                int
	Type                    string // IPv4, IPv6, EFA
	PktSrcAddr              string
	PktDstAddr              string
	Region                  string
	AZID                    string
	SublocationType         string
	SublocationID           string
	PktSrcService           string
	PktDstService           string
	Direction               string // ingress, egress
	TrafficPath             int
	ECSClusterARN           string
	ECSClusterName          string
	ECSContainerInstanceARN string
	ECSContainerInstanceID  string
	ECSContainerID          string
	ECSSecondContainerID    string
	ECSServiceName          string
	ECSTaskDefinitionARN    string
	ECSTaskARN              string
	ECSTaskID               string
	RejectReason            string
	// Transit gateway flow logs.
	ResourceType           string // TransitGateway for transit gateway records
	TGWID                  string
	TGWAttachmentID        string
	TGWSrcVPCAccountID     string
	TGWDstVPCAccountID     string
	TGWSrcVPCID            string
	TGWDstVPCID            string
	TGWSrcSubnetID         string
	TGWDstSubnetID         string
	TGWSrcENI              string
	TGWDstENI              string
	TGWSrcAZID             string
	TGWDstAZID             string
	TGWPairAttachmentID    string
	PacketsLostNoRoute     int64
	PacketsLostBlackhole   int64
	PacketsLostMTUExceeded int64
	PacketsLostTTLExpired  int64
	Line                   int
}

// Finding is one version of a GuardDuty finding. A later version of the
// same ID (newer UpdatedAt) supersedes an earlier one.
type Finding struct {
	ID           string
	ARN          string
	AccountID    string
	Region       string
	Partition    string
	Type         string // e.g. UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS
	Title        string
	Description  string
	Severity     float64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	FirstSeen    time.Time // service.eventFirstSeen
	LastSeen     time.Time // service.eventLastSeen
	Count        int64
	Archived     bool
	ResourceType string // AccessKey, Instance, S3Bucket, EKSCluster, Container, RDSDBInstance, Lambda, ...
	ActionType   string // AWS_API_CALL, NETWORK_CONNECTION, PORT_PROBE, DNS_REQUEST, KUBERNETES_API_CALL, RDS_LOGIN_ATTEMPT, ...
	// Entities the finding names, extracted by the decoder: the principal
	// and access key, instances, buckets, remote and local IPs, and so on.
	Entities []EntityRef
	Raw      []byte // the finding JSON as recorded (inside any envelope)
}
