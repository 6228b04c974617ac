package graph

import "github.com/trailhound/trailhound"

// ApiNamespace holds APIs ("<eventSource>:<eventName>") as nodes so that
// "principal called API" is a relationship like any other. APIs have no
// profile of their own and are not counted as entities in summaries.
const ApiNamespace trailhound.Namespace = "Api"

// RelKind is a relationship type of the behavior graph. Relationships are
// directed, from Src to Dst.
type RelKind string

// Relationship kinds. The comments name the source and destination types.
const (
	RelUsedIP        RelKind = "used_ip"          // principal | role | account → IpAddress
	RelUsedUserAgent RelKind = "used_user_agent"  // principal | role | account → UserAgent
	RelCalledAPI     RelKind = "called_api"       // principal | role | account | IpAddress → Api
	RelUsedAccessKey RelKind = "used_access_key"  // principal → AccessKey
	RelActedOnBucket RelKind = "acted_on_bucket"  // principal | role | account → S3Bucket
	RelIPUserAgent   RelKind = "ip_user_agent"    // IpAddress → UserAgent
	RelAssumedRole   RelKind = "assumed_role"     // AwsRoleSession → AwsRole
	RelStartedBy     RelKind = "started_by"       // AwsRoleSession → the principal that called AssumeRole*
	RelKeyOf         RelKind = "access_key_of"    // AccessKey → principal it was issued to
	RelInAccount     RelKind = "in_account"       // any AWS principal or resource → AwsAccount
	RelFindingOf     RelKind = "finding_involves" // Finding → entity
	RelConnected     RelKind = "connected"        // IpAddress ↔ Ec2Instance, from flow logs (stored as flows)
	RelCreated       RelKind = "created"          // principal → entity it created (user, access key, instance, bucket)
)

// Kind describes one relationship kind for documentation and the API.
type Kind struct {
	Kind        RelKind
	From, To    []trailhound.Namespace
	Description string
	// Derived kinds are computed by the store from the keys of stored
	// events rather than emitted per event.
	Derived bool
}

var principals = []trailhound.Namespace{trailhound.AwsUser, trailhound.AwsRole, trailhound.AwsRoleSession, trailhound.FederatedUser, trailhound.AwsService, trailhound.AwsAccount}

// Kinds is the table of relationship kinds.
var Kinds = []Kind{
	{RelUsedIP, principals, []trailhound.Namespace{trailhound.IPAddress}, "principal made API calls from the IP address", true},
	{RelUsedUserAgent, principals, []trailhound.Namespace{trailhound.UserAgent}, "principal made API calls with the user agent", true},
	{RelCalledAPI, append(principals, trailhound.IPAddress, trailhound.UserAgent, trailhound.AccessKey), []trailhound.Namespace{ApiNamespace}, "API calls, successful and failed", true},
	{RelUsedAccessKey, principals, []trailhound.Namespace{trailhound.AccessKey}, "principal made API calls with the access key", true},
	{RelActedOnBucket, principals, []trailhound.Namespace{trailhound.S3Bucket}, "principal called an API on the bucket", true},
	{RelIPUserAgent, []trailhound.Namespace{trailhound.IPAddress}, []trailhound.Namespace{trailhound.UserAgent}, "API calls from the IP address with the user agent", true},
	{RelAssumedRole, []trailhound.Namespace{trailhound.AwsRoleSession}, []trailhound.Namespace{trailhound.AwsRole}, "the role a session is a session of", false},
	{RelStartedBy, []trailhound.Namespace{trailhound.AwsRoleSession}, principals, "the principal whose AssumeRole call started the session (role chaining and cross-account included)", false},
	{RelKeyOf, []trailhound.Namespace{trailhound.AccessKey}, principals, "the principal an access key belongs to", false},
	{RelInAccount, principals, []trailhound.Namespace{trailhound.AwsAccount}, "the account a principal belongs to", false},
	{RelFindingOf, []trailhound.Namespace{trailhound.FindingEntity}, nil, "a GuardDuty finding names the entity", false},
	{RelConnected, []trailhound.Namespace{trailhound.IPAddress}, []trailhound.Namespace{trailhound.Ec2Instance}, "VPC flows, with bytes and packets by port, protocol, direction and action", false},
	{RelCreated, principals, []trailhound.Namespace{trailhound.AwsUser, trailhound.AccessKey, trailhound.Ec2Instance, trailhound.S3Bucket, trailhound.AwsRole}, "principal created the entity", false},
}
