package guardduty

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// finding is the part of a GuardDuty finding that Trailhound reads. Names
// are matched case-insensitively, so both the API's camelCase (S3 export,
// EventBridge) and the AWS CLI's PascalCase output decode into it. Fields
// that feed nothing are left out: the finding is kept whole in Raw.
type finding struct {
	ID          string   `json:"id"`
	ARN         string   `json:"arn"`
	AccountID   string   `json:"accountId"`
	Region      string   `json:"region"`
	Partition   string   `json:"partition"`
	Type        string   `json:"type"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    float64  `json:"severity"`
	CreatedAt   string   `json:"createdAt"`
	UpdatedAt   string   `json:"updatedAt"`
	Resource    resource `json:"resource"`
	Service     service  `json:"service"`
}

type resource struct {
	ResourceType      string             `json:"resourceType"`
	AccessKeyDetails  *accessKeyDetails  `json:"accessKeyDetails"`
	InstanceDetails   *instanceDetails   `json:"instanceDetails"`
	S3BucketDetails   []s3BucketDetail   `json:"s3BucketDetails"`
	EKSClusterDetails *eksClusterDetails `json:"eksClusterDetails"`
	KubernetesDetails *kubernetesDetails `json:"kubernetesDetails"`
	ContainerDetails  *container         `json:"containerDetails"`
	ECSClusterDetails *ecsClusterDetails `json:"ecsClusterDetails"`
}

type accessKeyDetails struct {
	AccessKeyID string `json:"accessKeyId"`
	PrincipalID string `json:"principalId"`
	UserName    string `json:"userName"`
	UserType    string `json:"userType"`
}

type instanceDetails struct {
	InstanceID        string             `json:"instanceId"`
	NetworkInterfaces []networkInterface `json:"networkInterfaces"`
}

type networkInterface struct {
	PrivateIPAddress   string `json:"privateIpAddress"`
	PrivateIPAddresses []struct {
		PrivateIPAddress string `json:"privateIpAddress"`
	} `json:"privateIpAddresses"`
	PublicIP      string   `json:"publicIp"`
	IPv6Addresses []string `json:"ipv6Addresses"`
}

type s3BucketDetail struct {
	Name string `json:"name"`
}

type eksClusterDetails struct {
	Name string `json:"name"`
}

type kubernetesDetails struct {
	KubernetesUserDetails *struct {
		Username         string `json:"username"`
		ImpersonatedUser *struct {
			Username string `json:"username"`
		} `json:"impersonatedUser"`
	} `json:"kubernetesUserDetails"`
	KubernetesWorkloadDetails *struct {
		Containers []container `json:"containers"`
	} `json:"kubernetesWorkloadDetails"`
}

type container struct {
	Image string `json:"image"`
}

type ecsClusterDetails struct {
	TaskDetails *struct {
		Containers []container `json:"containers"`
	} `json:"taskDetails"`
}

type service struct {
	Action         action `json:"action"`
	EventFirstSeen string `json:"eventFirstSeen"`
	EventLastSeen  string `json:"eventLastSeen"`
	Count          int64  `json:"count"`
	Archived       bool   `json:"archived"`
}

type action struct {
	ActionType              string                   `json:"actionType"`
	AWSAPICallAction        *awsAPICallAction        `json:"awsApiCallAction"`
	NetworkConnectionAction *networkConnectionAction `json:"networkConnectionAction"`
	PortProbeAction         *portProbeAction         `json:"portProbeAction"`
	KubernetesAPICallAction *kubernetesAPICallAction `json:"kubernetesApiCallAction"`
	RDSLoginAttemptAction   *rdsLoginAttemptAction   `json:"rdsLoginAttemptAction"`
}

type ipDetails struct {
	IPAddressV4 string `json:"ipAddressV4"`
	IPAddressV6 string `json:"ipAddressV6"`
}

type awsAPICallAction struct {
	RemoteIPDetails      *ipDetails `json:"remoteIpDetails"`
	RemoteAccountDetails *struct {
		AccountID string `json:"accountId"`
	} `json:"remoteAccountDetails"`
}

type networkConnectionAction struct {
	RemoteIPDetails *ipDetails `json:"remoteIpDetails"`
	LocalIPDetails  *ipDetails `json:"localIpDetails"`
}

type portProbeAction struct {
	PortProbeDetails []struct {
		RemoteIPDetails *ipDetails `json:"remoteIpDetails"`
		LocalIPDetails  *ipDetails `json:"localIpDetails"`
	} `json:"portProbeDetails"`
}

type kubernetesAPICallAction struct {
	SourceIPs       []string   `json:"sourceIPs"`
	RemoteIPDetails *ipDetails `json:"remoteIpDetails"`
}

type rdsLoginAttemptAction struct {
	RemoteIPDetails *ipDetails `json:"remoteIpDetails"`
}

// normalize turns a decoded finding into a trailhound.Finding, or says
// why it cannot. raw is the finding's JSON as recorded.
func (f *finding) normalize(raw []byte) (*trailhound.Finding, string) {
	var missing []string
	if f.ID == "" {
		missing = append(missing, "id")
	}
	if f.Type == "" {
		missing = append(missing, "type")
	}
	if f.AccountID == "" {
		missing = append(missing, "accountId")
	}
	if f.UpdatedAt == "" && f.CreatedAt == "" {
		missing = append(missing, "updatedAt or createdAt")
	}
	if len(missing) > 0 {
		return nil, "finding lacks required " + strings.Join(missing, ", ")
	}
	out := &trailhound.Finding{
		ID:           f.ID,
		ARN:          f.ARN,
		AccountID:    f.AccountID,
		Region:       f.Region,
		Partition:    f.Partition,
		Type:         f.Type,
		Title:        f.Title,
		Description:  f.Description,
		Severity:     f.Severity,
		Count:        f.Service.Count,
		Archived:     f.Service.Archived,
		ResourceType: f.Resource.ResourceType,
		ActionType:   f.Service.Action.ActionType,
		Raw:          raw,
	}
	for _, t := range []struct {
		name string
		in   string
		out  *time.Time
	}{
		{"createdAt", f.CreatedAt, &out.CreatedAt},
		{"updatedAt", f.UpdatedAt, &out.UpdatedAt},
		{"service.eventFirstSeen", f.Service.EventFirstSeen, &out.FirstSeen},
		{"service.eventLastSeen", f.Service.EventLastSeen, &out.LastSeen},
	} {
		if t.in == "" {
			continue
		}
		tm, ok := parseTime(t.in)
		if !ok {
			return nil, fmt.Sprintf("finding field %s: cannot read %s as a time", t.name, quote(t.in))
		}
		*t.out = tm
	}
	// A finding without updatedAt has not been updated: its one version
	// dates from its creation. Ordering versions needs the field.
	if out.UpdatedAt.IsZero() {
		out.UpdatedAt = out.CreatedAt
	}
	out.Entities = f.entities()
	return out, ""
}

// timeLayouts are the forms GuardDuty timestamps take: RFC 3339 from the
// API, and the space-separated UTC form some log pipelines rewrite them
// into.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// entities lists every entity the finding names, deduplicated and sorted.
// The finding itself is not among them. Values are kept as the finding
// states them, masked or sample values included, but empty ones are
// dropped, and IP addresses that do not parse are dropped too (a
// "GeneratedFinding..." placeholder is not an address and would only make
// a dangling node).
func (f *finding) entities() []trailhound.EntityRef {
	set := map[trailhound.EntityRef]struct{}{}
	add := func(ns trailhound.Namespace, id string) {
		if id != "" {
			set[trailhound.EntityRef{Type: ns, ID: id}] = struct{}{}
		}
	}
	addIP := func(s string) {
		if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
			add(trailhound.IPAddress, a.WithZone("").Unmap().String())
		}
	}
	addIPs := func(d *ipDetails) {
		if d != nil {
			addIP(d.IPAddressV4)
			addIP(d.IPAddressV6)
		}
	}

	add(trailhound.AwsAccount, f.AccountID)
	r := &f.Resource
	if k := r.AccessKeyDetails; k != nil {
		add(trailhound.AccessKey, k.AccessKeyID)
		switch k.UserType {
		case "IAMUser", "Root":
			// A root principal id is normally the account id.
			add(trailhound.AwsUser, k.PrincipalID)
		case "AssumedRole":
			// "<rolePrincipalId>:<sessionName>"; without the session
			// part only the role is known.
			if role, _, ok := strings.Cut(k.PrincipalID, ":"); ok && role != "" {
				add(trailhound.AwsRoleSession, k.PrincipalID)
				add(trailhound.AwsRole, role)
			} else {
				add(trailhound.AwsRole, k.PrincipalID)
			}
		case "FederatedUser":
			add(trailhound.FederatedUser, cmp.Or(k.PrincipalID, k.UserName))
		case "Role":
			add(trailhound.AwsRole, k.PrincipalID)
		}
	}
	if in := r.InstanceDetails; in != nil {
		add(trailhound.Ec2Instance, in.InstanceID)
		for _, ni := range in.NetworkInterfaces {
			addIP(ni.PrivateIPAddress)
			for _, p := range ni.PrivateIPAddresses {
				addIP(p.PrivateIPAddress)
			}
			addIP(ni.PublicIP)
			for _, a := range ni.IPv6Addresses {
				addIP(a)
			}
		}
	}
	for _, b := range r.S3BucketDetails {
		add(trailhound.S3Bucket, b.Name)
	}
	cluster := ""
	if e := r.EKSClusterDetails; e != nil && e.Name != "" {
		cluster = e.Name
		add(trailhound.ContainerCluster, cluster+"~"+f.AccountID+"~EKS")
	}
	if kd := r.KubernetesDetails; kd != nil {
		if u := kd.KubernetesUserDetails; u != nil && cluster != "" {
			if u.Username != "" {
				add(trailhound.KubernetesSubject, u.Username+"~"+cluster+"~"+f.AccountID)
			}
			if iu := u.ImpersonatedUser; iu != nil && iu.Username != "" {
				add(trailhound.KubernetesSubject, iu.Username+"~"+cluster+"~"+f.AccountID)
			}
		}
		if w := kd.KubernetesWorkloadDetails; w != nil {
			for _, c := range w.Containers {
				add(trailhound.ContainerImage, c.Image)
			}
		}
	}
	if c := r.ContainerDetails; c != nil {
		add(trailhound.ContainerImage, c.Image)
	}
	if e := r.ECSClusterDetails; e != nil && e.TaskDetails != nil {
		for _, c := range e.TaskDetails.Containers {
			add(trailhound.ContainerImage, c.Image)
		}
	}

	a := &f.Service.Action
	if c := a.AWSAPICallAction; c != nil {
		addIPs(c.RemoteIPDetails)
		if ra := c.RemoteAccountDetails; ra != nil {
			add(trailhound.AwsAccount, ra.AccountID)
		}
	}
	if c := a.NetworkConnectionAction; c != nil {
		addIPs(c.RemoteIPDetails)
		addIPs(c.LocalIPDetails)
	}
	if c := a.PortProbeAction; c != nil {
		for _, d := range c.PortProbeDetails {
			addIPs(d.RemoteIPDetails)
			addIPs(d.LocalIPDetails)
		}
	}
	if c := a.KubernetesAPICallAction; c != nil {
		for _, ip := range c.SourceIPs {
			addIP(ip)
		}
		addIPs(c.RemoteIPDetails)
	}
	if c := a.RDSLoginAttemptAction; c != nil {
		addIPs(c.RemoteIPDetails)
	}

	out := make([]trailhound.EntityRef, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y trailhound.EntityRef) int {
		return cmp.Or(cmp.Compare(x.Type, y.Type), cmp.Compare(x.ID, y.ID))
	})
	return out
}
