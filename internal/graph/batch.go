package graph

import (
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/trailhound/trailhound"
)

// Call is what the store keeps of an API call: the columns it filters on
// and the keys of the entities the call is attributed to (zero when it
// names no such entity). It copies what it keeps, so that the decoded
// record, with its raw bytes, can be released as soon as the object is
// decoded; the record itself stays in the object archive.
type Call struct {
	EventID          string
	Time             time.Time
	Source           string
	Name             string
	Type             string
	Region           string
	RecipientAccount string
	IdentityType     string
	SourceIP         string // as recorded
	ErrorCode        string
	LoginResult      string
	MFAUsed          string
	ReadOnly         *bool
	MFAAuthenticated bool
	Failed           bool
	PrincipalKey     int64
	RoleKey          int64
	AccountKey       int64
	IPKey            int64
	UAKey            int64
	AccessKeyKey     int64
	APIKey           int64
	BucketKey        int64
	IP               string // canonical source address; empty when the source is not an address
	Bucket           string
	Record           int // index of the call in its object, from 1
}

// Edge is a relationship established by one specific event, such as the
// AssumeRole call that started a session. Reads count distinct event ids,
// so storing the same edge twice does not double a count.
type Edge struct {
	Kind    RelKind
	Src     int64
	Dst     int64
	First   time.Time
	Last    time.Time
	EventID string // empty for links observed on many events
}

// Entity is what one object says about an entity: its identity, a label
// for people, and when it was seen. The store keeps the earliest first and
// latest last observation across objects.
type Entity struct {
	Ref     trailhound.EntityRef
	Key     int64
	Label   string
	ARN     string
	Account string
	First   time.Time
	Last    time.Time
}

// Fact is a dated attribute of an entity taken from one event, such as
// "created_by" of an IAM user or "instance_type" of an instance.
type Fact struct {
	Key     int64
	Name    string
	Value   string
	Time    time.Time
	EventID string
}

// FlowKey groups flow records into the rows the store keeps: one per hour,
// interface, local and remote address, service port, protocol, direction,
// action and log status.
type FlowKey struct {
	Hour        int64 // epoch seconds, truncated to the hour
	Account     string
	InterfaceID string
	InstanceID  string
	LocalAddr   string
	RemoteAddr  string
	Port        int
	Protocol    int
	Direction   string // "ingress" (towards the local side) or "egress"
	Action      string
	LogStatus   string
	Region      string
	VPCID       string
}

// FlowAgg sums the flow records of one FlowKey within one object, with the
// line range they came from.
type FlowAgg struct {
	Bytes     int64
	Packets   int64
	Records   int64
	First     int64 // earliest start, epoch seconds
	Last      int64 // latest end, epoch seconds
	FirstLine int
	LastLine  int

	// The keys of the instance and the addresses of the FlowKey, for the
	// connection rows of its records.
	instanceKey, localKey, remoteKey int64
}

// ConnKey groups flow records into the rows of the connection table
// (flow_conns): one per hour, instance, local and remote address, both
// ports, protocol, direction and action. It is what the VPC flow details
// list, so unlike FlowKey it keeps the client's port as well. Entities are
// held by key (0 when absent), so the key holds no strings.
type ConnKey struct {
	Hour                             int64 // epoch seconds, truncated to the hour
	InstanceKey, LocalKey, RemoteKey int64
	LocalPort, RemotePort            int32
	Protocol                         int32
	Egress                           bool   // the bytes flow from the local side to the remote one
	Action                           string // as logged: ACCEPT, REJECT, or "" when absent
}

// ConnAgg sums the flow records of one ConnKey within one object.
type ConnAgg struct {
	Bytes, Packets, Records int64
	First, Last             int64 // earliest start, latest end, epoch seconds; 0 when absent
}

// Batch accumulates everything one object contributes to the graph. It
// implements source.Sink, so a decoder writes straight into it. A Batch is
// used by one goroutine.
type Batch struct {
	Calls    []Call
	Edges    []Edge
	Entities map[int64]*Entity
	Facts    []Fact
	Flows    map[FlowKey]*FlowAgg
	Conns    map[ConnKey]*ConnAgg
	Findings []*trailhound.Finding
	// IPs are the distinct canonical addresses the object names, for
	// enrichment.
	IPs map[string]struct{}
	// IPInfo holds the enrichment of IPs when the decoding worker looked
	// them up already, which spreads lookups over the workers.
	IPInfo map[string]IPInfo
	// FlowRecords counts flow log records, NODATA and SKIPDATA included.
	FlowRecords int64

	seenEdge map[edgeID]int
	interned map[string]string
}

// intern returns a copy of s shared by every equal value in the batch, for
// the many repeated values of a log (event names, regions, accounts).
func (b *Batch) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := b.interned[s]; ok {
		return v
	}
	v := strings.Clone(s)
	b.interned[v] = v
	return v
}

var (
	yes = true
	no  = false
)

type edgeID struct {
	kind     RelKind
	src, dst int64
}

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	return &Batch{
		Entities: map[int64]*Entity{},
		Flows:    map[FlowKey]*FlowAgg{},
		Conns:    map[ConnKey]*ConnAgg{},
		IPs:      map[string]struct{}{},
		seenEdge: map[edgeID]int{},
		interned: map[string]string{},
	}
}

// Grow makes room for n more calls, so that a decoder that can estimate
// how many records an object holds does not copy the calls while they
// accumulate.
func (b *Batch) Grow(n int) {
	b.Calls = slices.Grow(b.Calls, n)
}

// Events returns how many records the batch holds, by source.
func (b *Batch) Events() map[trailhound.Source]int64 {
	return map[trailhound.Source]int64{
		trailhound.SourceCloudTrail: int64(len(b.Calls)),
		trailhound.SourceVPCFlow:    b.FlowRecords,
		trailhound.SourceGuardDuty:  int64(len(b.Findings)),
	}
}

// observe records that ref was seen at t and returns its key.
func (b *Batch) observe(ref trailhound.EntityRef, label, arn, account string, t time.Time) int64 {
	if ref.IsZero() {
		return 0
	}
	key := ref.Key()
	e := b.Entities[key]
	if e == nil {
		// Decoded strings may share memory with the whole raw record;
		// copies let it go.
		ref.ID = strings.Clone(ref.ID)
		e = &Entity{Ref: ref, Key: key, Label: strings.Clone(label), ARN: strings.Clone(arn), Account: b.intern(account), First: t, Last: t}
		b.Entities[key] = e
		return key
	}
	if t.Before(e.First) {
		e.First = t
	}
	if t.After(e.Last) {
		e.Last = t
	}
	if l := PreferLabel(e.Ref.ID, e.Label, label); l != e.Label {
		e.Label = strings.Clone(l)
	}
	if e.ARN == "" {
		e.ARN = strings.Clone(arn)
	}
	if e.Account == "" {
		e.Account = b.intern(account)
	}
	return key
}

// PreferLabel returns the label an entity keeps of two observed: a name
// rather than its id (a finding names the entities it involves by id
// only), and of two names the greater. The choice depends neither on the
// order of the observations nor on how they were grouped into objects and
// writes, and it is the readers' rule over stored observations (the
// greatest label that is not the id, else the greatest).
func PreferLabel(id, a, b string) string {
	aName, bName := a != "" && a != id, b != "" && b != id
	switch {
	case aName != bName:
		if aName {
			return a
		}
		return b
	case a >= b:
		return a
	}
	return b
}

func (b *Batch) edge(kind RelKind, src, dst int64, t time.Time, eventID string) {
	if src == 0 || dst == 0 || src == dst {
		return
	}
	b.Edges = append(b.Edges, Edge{Kind: kind, Src: src, Dst: dst, First: t, Last: t, EventID: eventID})
}

// edgeOnce records a link whose count carries no meaning, only its first
// and last observation, once per batch.
func (b *Batch) edgeOnce(kind RelKind, src, dst int64, t time.Time) {
	if src == 0 || dst == 0 || src == dst {
		return
	}
	id := edgeID{kind, src, dst}
	if i, ok := b.seenEdge[id]; ok {
		e := &b.Edges[i]
		if t.Before(e.First) {
			e.First = t
		}
		if t.After(e.Last) {
			e.Last = t
		}
		return
	}
	b.seenEdge[id] = len(b.Edges)
	b.Edges = append(b.Edges, Edge{Kind: kind, Src: src, Dst: dst, First: t, Last: t})
}

func (b *Batch) fact(key int64, name, value string, t time.Time, eventID string) {
	if key == 0 || value == "" {
		return
	}
	b.Facts = append(b.Facts, Fact{Key: key, Name: name, Value: strings.Clone(value), Time: t, EventID: eventID})
}

func (b *Batch) ip(s string, t time.Time, account string) (string, int64) {
	canon, _, ok := CanonicalIP(s)
	if !ok {
		return "", 0
	}
	canon = b.intern(canon)
	b.IPs[canon] = struct{}{}
	return canon, b.observe(trailhound.EntityRef{Type: trailhound.IPAddress, ID: canon}, canon, "", "", t)
}

// CopiesAPICalls reports that the batch copies every string it keeps of
// an APICall (entities, calls, facts and edges hold copies or interned
// values) and keeps no byte slice of it, so a decoder may reuse the
// APICall and the buffer it points into once APICall returns.
func (b *Batch) CopiesAPICalls() bool { return true }

// APICall implements source.Sink.
func (b *Batch) APICall(c *trailhound.APICall) error {
	t := c.Time
	call := Call{
		EventID: strings.Clone(c.EventID), Time: t, Source: b.intern(c.Source), Name: b.intern(c.Name), Type: b.intern(c.Type),
		Region: b.intern(c.Region), RecipientAccount: b.intern(c.RecipientAccount), IdentityType: b.intern(c.Identity.Type),
		SourceIP: b.intern(c.SourceIP), ErrorCode: b.intern(c.ErrorCode), LoginResult: b.intern(c.LoginResult), MFAUsed: b.intern(c.MFAUsed),
		MFAAuthenticated: c.Identity.MFAAuthenticated, Failed: c.Failed(), Record: len(b.Calls) + 1,
	}
	if c.ReadOnly != nil {
		call.ReadOnly = &no
		if *c.ReadOnly {
			call.ReadOnly = &yes
		}
	}
	if c.Type == "AwsCloudTrailInsight" {
		b.Calls = append(b.Calls, call)
		return nil
	}
	a := ResolveActors(&c.Identity, c.RecipientAccount)
	call.AccountKey = b.observe(a.Account, a.Account.ID, "", a.Account.ID, t)
	call.PrincipalKey = b.observe(a.Principal, a.PrincipalLabel, a.PrincipalARN, a.Account.ID, t)
	call.RoleKey = b.observe(a.Role, a.RoleLabel, a.RoleARN, a.Account.ID, t)
	if call.PrincipalKey != 0 && call.AccountKey != 0 && a.Principal.Type != trailhound.AwsAccount {
		b.edgeOnce(RelInAccount, call.PrincipalKey, call.AccountKey, t)
	}
	if call.RoleKey != 0 {
		b.edgeOnce(RelAssumedRole, call.PrincipalKey, call.RoleKey, t)
		if call.AccountKey != 0 {
			b.edgeOnce(RelInAccount, call.RoleKey, call.AccountKey, t)
		}
		// Instance profile sessions are named after the instance.
		if a.Principal.Type == trailhound.AwsRoleSession && IsInstanceID(a.PrincipalLabel) {
			inst := b.observe(trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: a.PrincipalLabel}, a.PrincipalLabel, "", a.Account.ID, t)
			b.edgeOnce(RelStartedBy, call.PrincipalKey, inst, t)
		}
	}
	call.IP, call.IPKey = b.ip(c.SourceIP, t, a.Account.ID)
	if c.UserAgent != "" {
		call.UAKey = b.observe(trailhound.EntityRef{Type: trailhound.UserAgent, ID: c.UserAgent}, c.UserAgent, "", "", t)
	}
	if k := c.Identity.AccessKeyID; k != "" {
		call.AccessKeyKey = b.observe(trailhound.EntityRef{Type: trailhound.AccessKey, ID: k}, k, "", a.Account.ID, t)
		b.edgeOnce(RelKeyOf, call.AccessKeyKey, call.PrincipalKey, t)
	}
	if c.Source != "" || c.Name != "" {
		api := call.Source + ":" + call.Name
		call.APIKey = b.observe(trailhound.EntityRef{Type: ApiNamespace, ID: api}, api, "", "", t)
	}
	if bucket := bucketOf(c); bucket != "" {
		call.Bucket = b.intern(bucket)
		call.BucketKey = b.observe(trailhound.EntityRef{Type: trailhound.S3Bucket, ID: call.Bucket}, call.Bucket, "arn:aws:s3:::"+call.Bucket, "", t)
	}
	b.Calls = append(b.Calls, call)
	if !call.Failed {
		b.special(&call, c, a)
	}
	return nil
}

// IsInstanceID reports whether s looks like an EC2 instance id.
func IsInstanceID(s string) bool {
	if !strings.HasPrefix(s, "i-") || (len(s) != 10 && len(s) != 19) {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// bucketOf returns the bucket an S3 call acts on, from its request
// parameters or its resources.
func bucketOf(c *trailhound.APICall) string {
	if c.Source == "s3.amazonaws.com" && len(c.RequestParameters) > 0 {
		var p struct {
			BucketName string `json:"bucketName"`
		}
		if json.Unmarshal(c.RequestParameters, &p) == nil && p.BucketName != "" {
			return p.BucketName
		}
	}
	for _, r := range c.Resources {
		if r.Type == "AWS::S3::Bucket" && strings.HasPrefix(r.ARN, "arn:aws:s3:::") {
			return strings.TrimPrefix(r.ARN, "arn:aws:s3:::")
		}
	}
	return ""
}
