package trailhound

import "strings"

// Namespace is an entity type. The names follow Amazon Detective's URL
// namespaces so that a Detective deep link maps onto Trailhound's.
type Namespace string

// Entity namespaces of the behavior graph.
const (
	AwsAccount        Namespace = "AwsAccount"       // account id
	AwsUser           Namespace = "AwsUser"          // IAM user principal id (AIDA...); root: "<account>:root"
	AwsRole           Namespace = "AwsRole"          // role principal id (AROA...), or the role ARN when the id is unknown
	AwsRoleSession    Namespace = "AwsRoleSession"   // "<rolePrincipalId>:<sessionName>"
	FederatedUser     Namespace = "FederatedUser"    // "<idp>:<user>"
	AwsService        Namespace = "AwsService"       // service principal, e.g. ec2.amazonaws.com, as a caller
	AccessKey         Namespace = "AccessKey"        // access key id (AKIA.../ASIA...)
	IPAddress         Namespace = "IpAddress"        // canonical address text
	UserAgent         Namespace = "UserAgent"        // the user agent string
	AutonomousSystem  Namespace = "AutonomousSystem" // "AS<number>"
	Ec2Instance       Namespace = "Ec2Instance"      // instance id
	S3Bucket          Namespace = "S3Bucket"         // bucket name
	FindingEntity     Namespace = "Finding"          // GuardDuty finding id
	FindingGroup      Namespace = "FindingGroup"
	ContainerCluster  Namespace = "ContainerCluster"
	ContainerPod      Namespace = "ContainerPod"
	ContainerImage    Namespace = "ContainerImage"
	KubernetesSubject Namespace = "KubernetesSubject"
)

// EntityRef names one entity of the graph.
type EntityRef struct {
	Type Namespace
	ID   string
}

// IsZero reports whether r names nothing.
func (r EntityRef) IsZero() bool { return r.ID == "" }

// String renders the reference as "<Namespace>/<id>", the form used in URLs.
func (r EntityRef) String() string { return string(r.Type) + "/" + r.ID }

// ParseEntityRef parses "<Namespace>/<id>". The id may itself contain
// slashes (ARNs do).
func ParseEntityRef(s string) (EntityRef, bool) {
	ns, id, ok := strings.Cut(s, "/")
	if !ok || ns == "" || id == "" {
		return EntityRef{}, false
	}
	return EntityRef{Type: Namespace(ns), ID: id}, true
}

// Key is the integer identity of an entity in storage: a stable 63-bit
// hash of namespace and id. Stores filter and cluster on it because
// integer keys make zone maps effective where long text ARNs do not.
func (r EntityRef) Key() int64 {
	return int64(mix64(fnv64(string(r.Type), r.ID)) &^ (1 << 63))
}

// fnv64 is FNV-1a over the namespace, a separator and the id. It is fixed
// forever: keys are persisted.
func fnv64(ns, id string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(ns); i++ {
		h ^= uint64(ns[i])
		h *= prime
	}
	h ^= '/'
	h *= prime
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return h
}

// mix64 is the splitmix64 finalizer; it spreads FNV's weak low bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
