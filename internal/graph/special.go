package graph

import (
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/trailhound/trailhound"
)

// special extracts what a few successful calls establish beyond the caller's
// own activity: sessions and their origin, created users, keys, roles,
// instances and buckets.
func (b *Batch) special(c *Call, api *trailhound.APICall, a Actors) {
	t := c.Time
	acct := a.Account.ID
	if c.RecipientAccount != "" {
		acct = c.RecipientAccount
	}
	switch c.Source + ":" + c.Name {
	case "sts.amazonaws.com:AssumeRole", "sts.amazonaws.com:AssumeRoleWithSAML", "sts.amazonaws.com:AssumeRoleWithWebIdentity":
		var r struct {
			AssumedRoleUser struct {
				AssumedRoleID string `json:"assumedRoleId"`
				ARN           string `json:"arn"`
			} `json:"assumedRoleUser"`
			Credentials struct {
				AccessKeyID string `json:"accessKeyId"`
			} `json:"credentials"`
		}
		if !decode(api.ResponseElements, &r) {
			return
		}
		sess, role, ok := SessionRef(r.AssumedRoleUser.AssumedRoleID)
		if !ok {
			return
		}
		roleAcct := arnAccount(r.AssumedRoleUser.ARN)
		sk := b.observe(sess, sessionName(sess.ID), r.AssumedRoleUser.ARN, roleAcct, t)
		rk := b.observe(role, arnRoleFromSessionARN(r.AssumedRoleUser.ARN), roleARNFromSession(r.AssumedRoleUser.ARN), roleAcct, t)
		b.edge(RelAssumedRole, sk, rk, t, c.EventID)
		b.edge(RelStartedBy, sk, c.PrincipalKey, t, c.EventID)
		b.fact(sk, "started_by", a.Principal.String(), t, c.EventID)
		b.fact(sk, "started_at", t.UTC().Format(time.RFC3339), t, c.EventID)
		b.fact(sk, "started_from_ip", c.IP, t, c.EventID)
		if roleAcct != "" {
			ak := b.observe(trailhound.EntityRef{Type: trailhound.AwsAccount, ID: roleAcct}, roleAcct, "", roleAcct, t)
			b.edgeOnce(RelInAccount, rk, ak, t)
			b.edgeOnce(RelInAccount, sk, ak, t)
		}
		if k := r.Credentials.AccessKeyID; k != "" {
			kk := b.observe(trailhound.EntityRef{Type: trailhound.AccessKey, ID: k}, k, "", roleAcct, t)
			b.edge(RelKeyOf, kk, sk, t, c.EventID)
			b.fact(kk, "issued_at", t.UTC().Format(time.RFC3339), t, c.EventID)
		}
	case "sts.amazonaws.com:GetFederationToken":
		var r struct {
			FederatedUser struct {
				FederatedUserID string `json:"federatedUserId"`
				ARN             string `json:"arn"`
			} `json:"federatedUser"`
			Credentials struct {
				AccessKeyID string `json:"accessKeyId"`
			} `json:"credentials"`
		}
		if !decode(api.ResponseElements, &r) || r.FederatedUser.FederatedUserID == "" {
			return
		}
		fu := trailhound.EntityRef{Type: trailhound.FederatedUser, ID: r.FederatedUser.FederatedUserID}
		fk := b.observe(fu, arnName(r.FederatedUser.ARN), r.FederatedUser.ARN, acct, t)
		b.edge(RelStartedBy, fk, c.PrincipalKey, t, c.EventID)
		if k := r.Credentials.AccessKeyID; k != "" {
			kk := b.observe(trailhound.EntityRef{Type: trailhound.AccessKey, ID: k}, k, "", acct, t)
			b.edge(RelKeyOf, kk, fk, t, c.EventID)
		}
	case "sts.amazonaws.com:GetSessionToken":
		var r struct {
			Credentials struct {
				AccessKeyID string `json:"accessKeyId"`
			} `json:"credentials"`
		}
		if decode(api.ResponseElements, &r) && r.Credentials.AccessKeyID != "" {
			kk := b.observe(trailhound.EntityRef{Type: trailhound.AccessKey, ID: r.Credentials.AccessKeyID}, r.Credentials.AccessKeyID, "", acct, t)
			b.edge(RelKeyOf, kk, c.PrincipalKey, t, c.EventID)
		}
	case "iam.amazonaws.com:CreateUser":
		var r struct {
			User struct {
				UserID     string `json:"userId"`
				UserName   string `json:"userName"`
				ARN        string `json:"arn"`
				CreateDate string `json:"createDate"`
			} `json:"user"`
		}
		if !decode(api.ResponseElements, &r) || r.User.UserID == "" {
			return
		}
		uk := b.observe(trailhound.EntityRef{Type: trailhound.AwsUser, ID: r.User.UserID}, r.User.UserName, r.User.ARN, firstNonEmpty(arnAccount(r.User.ARN), acct), t)
		b.created(c, a, uk, t)
	case "iam.amazonaws.com:CreateRole":
		var r struct {
			Role struct {
				RoleID   string `json:"roleId"`
				RoleName string `json:"roleName"`
				ARN      string `json:"arn"`
				TrustDoc string `json:"assumeRolePolicyDocument"`
			} `json:"role"`
		}
		if !decode(api.ResponseElements, &r) || r.Role.RoleID == "" {
			return
		}
		rk := b.observe(trailhound.EntityRef{Type: trailhound.AwsRole, ID: r.Role.RoleID}, r.Role.RoleName, r.Role.ARN, firstNonEmpty(arnAccount(r.Role.ARN), acct), t)
		b.created(c, a, rk, t)
		b.fact(rk, "trust_policy", r.Role.TrustDoc, t, c.EventID)
	case "iam.amazonaws.com:CreateAccessKey":
		var r struct {
			AccessKey struct {
				AccessKeyID string `json:"accessKeyId"`
				UserName    string `json:"userName"`
				Status      string `json:"status"`
			} `json:"accessKey"`
		}
		if !decode(api.ResponseElements, &r) || r.AccessKey.AccessKeyID == "" {
			return
		}
		kk := b.observe(trailhound.EntityRef{Type: trailhound.AccessKey, ID: r.AccessKey.AccessKeyID}, r.AccessKey.AccessKeyID, "", acct, t)
		b.created(c, a, kk, t)
		b.fact(kk, "user_name", r.AccessKey.UserName, t, c.EventID)
	case "ec2.amazonaws.com:RunInstances":
		var r struct {
			InstancesSet struct {
				Items []struct {
					InstanceID       string `json:"instanceId"`
					InstanceType     string `json:"instanceType"`
					ImageID          string `json:"imageId"`
					VPCID            string `json:"vpcId"`
					SubnetID         string `json:"subnetId"`
					PrivateIPAddress string `json:"privateIpAddress"`
					IAMProfile       struct {
						ARN string `json:"arn"`
					} `json:"iamInstanceProfile"`
				} `json:"items"`
			} `json:"instancesSet"`
		}
		if !decode(api.ResponseElements, &r) {
			return
		}
		for _, it := range r.InstancesSet.Items {
			if it.InstanceID == "" {
				continue
			}
			ik := b.observe(trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: it.InstanceID}, it.InstanceID, "arn:aws:ec2:"+c.Region+":"+acct+":instance/"+it.InstanceID, acct, t)
			b.created(c, a, ik, t)
			b.fact(ik, "instance_type", it.InstanceType, t, c.EventID)
			b.fact(ik, "image_id", it.ImageID, t, c.EventID)
			b.fact(ik, "vpc_id", it.VPCID, t, c.EventID)
			b.fact(ik, "subnet_id", it.SubnetID, t, c.EventID)
			b.fact(ik, "private_ip", it.PrivateIPAddress, t, c.EventID)
			b.fact(ik, "instance_profile", it.IAMProfile.ARN, t, c.EventID)
			b.fact(ik, "region", c.Region, t, c.EventID)
		}
	case "ec2.amazonaws.com:TerminateInstances":
		var r struct {
			InstancesSet struct {
				Items []struct {
					InstanceID string `json:"instanceId"`
				} `json:"items"`
			} `json:"instancesSet"`
		}
		if !decode(api.ResponseElements, &r) {
			return
		}
		for _, it := range r.InstancesSet.Items {
			if it.InstanceID != "" {
				ik := b.observe(trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: it.InstanceID}, it.InstanceID, "", acct, t)
				b.fact(ik, "terminated_at", t.UTC().Format(time.RFC3339), t, c.EventID)
				b.fact(ik, "terminated_by", a.Principal.String(), t, c.EventID)
			}
		}
	case "s3.amazonaws.com:CreateBucket":
		if c.BucketKey != 0 {
			b.created(c, a, c.BucketKey, t)
			b.fact(c.BucketKey, "region", c.Region, t, c.EventID)
		}
	case "s3.amazonaws.com:DeleteBucket":
		if c.BucketKey != 0 {
			b.fact(c.BucketKey, "deleted_at", t.UTC().Format(time.RFC3339), t, c.EventID)
			b.fact(c.BucketKey, "deleted_by", a.Principal.String(), t, c.EventID)
		}
	}
}

// created records that the caller created the entity with key k.
func (b *Batch) created(c *Call, a Actors, k int64, t time.Time) {
	b.edge(RelCreated, c.PrincipalKey, k, t, c.EventID)
	b.fact(k, "created_by", a.Principal.String(), t, c.EventID)
	b.fact(k, "created_at", t.UTC().Format(time.RFC3339), t, c.EventID)
}

func decode(raw []byte, v any) bool {
	return len(raw) > 0 && json.Unmarshal(raw, v) == nil
}

// arnAccount returns the account field of an ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// roleARNFromSession turns "arn:aws:sts::1:assumed-role/R/s" into
// "arn:aws:iam::1:role/R".
func roleARNFromSession(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || !strings.HasPrefix(parts[5], "assumed-role/") {
		return ""
	}
	role := arnRoleFromSessionARN(arn)
	return parts[0] + ":" + parts[1] + ":iam::" + parts[4] + ":role/" + role
}

func sessionName(id string) string {
	_, s := splitSession(id)
	return s
}
