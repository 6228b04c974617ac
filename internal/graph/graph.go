// Package graph turns normalized records into the behavior graph: which
// entities an event names, the integer keys the store filters on, the
// relationships that only specific events establish (a role session started
// by a principal, an access key created for a user) and the facts profiles
// show (who created a user, when an instance was launched).
//
// Relationships that every event implies — a principal used an IP address,
// a user agent, an API, an access key, a bucket — are not materialized here:
// the store derives them from the keys on each stored event, after
// duplicates are removed, so that a count never includes an event twice.
// Entity kinds and relationship kinds are declared as data in kinds.go.
package graph

import (
	"net/netip"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// Actors are the entities an API call is attributed to, from the most
// specific to the least: the principal (user, role session, federated user,
// root, service), the role behind a session, and the account.
type Actors struct {
	Principal      trailhound.EntityRef
	PrincipalLabel string
	PrincipalARN   string
	Role           trailhound.EntityRef
	RoleLabel      string
	RoleARN        string
	Account        trailhound.EntityRef
}

// ResolveActors maps a CloudTrail identity onto graph entities, following
// Amazon Detective's identifiers: AwsUser by principal id (root's principal
// id is the account id), AwsRoleSession as "<rolePrincipalId>:<session>",
// FederatedUser as "<identityProvider>:<user>". recipient is the account
// that received the event, used when the identity names none.
func ResolveActors(id *trailhound.Identity, recipient string) Actors {
	var a Actors
	account := id.AccountID
	if account == "" {
		account = recipient
	}
	if account != "" {
		a.Account = trailhound.EntityRef{Type: trailhound.AwsAccount, ID: account}
	}
	switch id.Type {
	case "IAMUser":
		if id.PrincipalID != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsUser, ID: id.PrincipalID}
		} else if id.ARN != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsUser, ID: id.ARN}
		}
		a.PrincipalLabel = firstNonEmpty(id.UserName, arnName(id.ARN))
		a.PrincipalARN = id.ARN
	case "Root":
		pid := firstNonEmpty(id.PrincipalID, account)
		if pid != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsUser, ID: pid}
		}
		a.PrincipalLabel = "root"
		a.PrincipalARN = firstNonEmpty(id.ARN, rootARN(account))
	case "AssumedRole":
		rolePID, session := splitSession(id.PrincipalID)
		if session == "" {
			session = arnSessionName(id.ARN)
		}
		if rolePID == "" || strings.Contains(rolePID, "*") && id.IssuerPrincipalID != "" {
			rolePID = id.IssuerPrincipalID
		}
		if rolePID == "" {
			rolePID = id.IssuerARN
		}
		if rolePID != "" && session != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsRoleSession, ID: rolePID + ":" + session}
			a.PrincipalLabel = session
			a.PrincipalARN = id.ARN
		}
		if rolePID != "" {
			a.Role = trailhound.EntityRef{Type: trailhound.AwsRole, ID: rolePID}
			a.RoleLabel = firstNonEmpty(id.IssuerUserName, arnName(id.IssuerARN), arnRoleFromSessionARN(id.ARN))
			a.RoleARN = id.IssuerARN
		}
	case "Role":
		pid := firstNonEmpty(id.PrincipalID, id.ARN)
		if pid != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsRole, ID: pid}
			a.PrincipalLabel = firstNonEmpty(id.UserName, arnName(id.ARN))
			a.PrincipalARN = id.ARN
		}
	case "FederatedUser":
		pid := firstNonEmpty(id.PrincipalID, id.ARN)
		if pid != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.FederatedUser, ID: pid}
			a.PrincipalLabel = firstNonEmpty(arnName(id.ARN), id.UserName, pid)
			a.PrincipalARN = id.ARN
		}
	case "SAMLUser", "WebIdentityUser":
		var fid string
		switch {
		case id.Type == "WebIdentityUser" && strings.Count(id.PrincipalID, ":") >= 2:
			fid = id.PrincipalID // "<issuer>:<audience>:<user>"
		case id.IdentityProvider != "" && id.UserName != "":
			fid = idpName(id.IdentityProvider) + ":" + id.UserName
		default:
			fid = firstNonEmpty(id.PrincipalID, id.UserName)
		}
		if fid != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.FederatedUser, ID: fid}
			a.PrincipalLabel = firstNonEmpty(id.UserName, fid)
		}
	case "IdentityCenterUser":
		if id.OnBehalfOfUserID != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.FederatedUser, ID: "IdentityCenter:" + id.OnBehalfOfUserID}
			a.PrincipalLabel = firstNonEmpty(id.UserName, id.OnBehalfOfUserID)
		}
	case "AWSService":
		if id.InvokedBy != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsService, ID: id.InvokedBy}
			a.PrincipalLabel = id.InvokedBy
		}
	case "AWSAccount":
		if id.AccountID != "" {
			a.Principal = trailhound.EntityRef{Type: trailhound.AwsAccount, ID: id.AccountID}
			a.PrincipalLabel = id.AccountID
			a.Account = trailhound.EntityRef{}
			if recipient != "" {
				a.Account = trailhound.EntityRef{Type: trailhound.AwsAccount, ID: recipient}
			}
		}
	}
	return a
}

// SessionRef returns the role session entity for an assumed-role id of the
// form "<rolePrincipalId>:<sessionName>", as found in AssumeRole responses.
func SessionRef(assumedRoleID string) (session, role trailhound.EntityRef, ok bool) {
	rolePID, name := splitSession(assumedRoleID)
	if rolePID == "" || name == "" {
		return session, role, false
	}
	return trailhound.EntityRef{Type: trailhound.AwsRoleSession, ID: assumedRoleID},
		trailhound.EntityRef{Type: trailhound.AwsRole, ID: rolePID}, true
}

// CanonicalIP returns the canonical text of s when it is an IP address
// (IPv4-mapped IPv6 unmapped, zone removed), and false for anything else:
// service names, masked values, empty strings.
func CanonicalIP(s string) (string, netip.Addr, bool) {
	if s == "" || len(s) > 64 {
		return "", netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return "", netip.Addr{}, false
	}
	addr = addr.Unmap().WithZone("")
	return addr.String(), addr, true
}

// Hour truncates t to the hour in UTC, the finest bucket relationships are
// aggregated at.
func Hour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

func splitSession(pid string) (rolePID, session string) {
	i := strings.IndexByte(pid, ':')
	if i <= 0 || i == len(pid)-1 {
		return "", ""
	}
	return pid[:i], pid[i+1:]
}

// arnName returns the last path element of an ARN's resource part:
// "arn:aws:iam::1:user/dev/alice" → "alice".
func arnName(arn string) string {
	if arn == "" {
		return ""
	}
	res := arn
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		res = parts[5]
	}
	if i := strings.LastIndexByte(res, '/'); i >= 0 {
		return res[i+1:]
	}
	return res
}

// arnSessionName returns the session name of an assumed-role ARN:
// "arn:aws:sts::1:assumed-role/Admin/alice" → "alice".
func arnSessionName(arn string) string {
	if !strings.Contains(arn, ":assumed-role/") {
		return ""
	}
	return arnName(arn)
}

// arnRoleFromSessionARN returns the role name of an assumed-role ARN.
func arnRoleFromSessionARN(arn string) string {
	_, rest, ok := strings.Cut(arn, ":assumed-role/")
	if !ok {
		return ""
	}
	role, _, _ := strings.Cut(rest, "/")
	return role
}

func rootARN(account string) string {
	if account == "" {
		return ""
	}
	return "arn:aws:iam::" + account + ":root"
}

// idpName shortens a SAML provider ARN to its name; other providers (web
// identity issuers such as accounts.google.com) are kept as they are.
func idpName(p string) string {
	if strings.HasPrefix(p, "arn:") {
		return arnName(p)
	}
	return p
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// ConnInboundSQL is the SQL expression of whether the peer opened a
// connection row (the VPC flow details' direction), over columns lp and
// rp (the entity's and the peer's ports) and inbound (the bytes flow to
// the entity): the service port, the lower of the two (a port of 0 or
// less is none), is the entity's; with equal ports, the bytes' direction.
// The details grouped by the hour and the daily rows (migration 008)
// both use it.
const ConnInboundSQL = `CASE WHEN lp <> rp THEN (CASE WHEN lp <= 0 THEN rp WHEN rp <= 0 THEN lp ELSE least(lp, rp) END) = lp ELSE inbound END`

// LabelSQL is the SQL aggregate that names an entity from its rows of the
// entities table (one per observation until Optimize merges them): a
// label other than the id when any observation had one (a user's name,
// an instance's Name tag), else the id.
const LabelSQL = `coalesce(max(label) FILTER (WHERE label <> id), max(label))`
