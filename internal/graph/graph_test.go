package graph

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
)

func ref(ns trailhound.Namespace, id string) trailhound.EntityRef {
	return trailhound.EntityRef{Type: ns, ID: id}
}

func TestResolveActors(t *testing.T) {
	acct := ref(trailhound.AwsAccount, "111122223333")
	tests := []struct {
		name string
		id   trailhound.Identity
		want Actors
	}{
		{"IAMUser", trailhound.Identity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", ARN: "arn:aws:iam::111122223333:user/dev/alice", AccountID: "111122223333"},
			Actors{Principal: ref(trailhound.AwsUser, "AIDAEXAMPLE"), PrincipalLabel: "alice", PrincipalARN: "arn:aws:iam::111122223333:user/dev/alice", Account: acct}},
		{"Root", trailhound.Identity{Type: "Root", PrincipalID: "111122223333", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"},
			Actors{Principal: ref(trailhound.AwsUser, "111122223333"), PrincipalLabel: "root", PrincipalARN: "arn:aws:iam::111122223333:root", Account: acct}},
		{"AssumedRole", trailhound.Identity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:alice@example.com", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com", AccountID: "111122223333",
			IssuerPrincipalID: "AROAEXAMPLE", IssuerARN: "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123", IssuerUserName: "AWSReservedSSO_Admin_0123"},
			Actors{Principal: ref(trailhound.AwsRoleSession, "AROAEXAMPLE:alice@example.com"), PrincipalLabel: "alice@example.com", PrincipalARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
				Role: ref(trailhound.AwsRole, "AROAEXAMPLE"), RoleLabel: "AWSReservedSSO_Admin_0123", RoleARN: "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123", Account: acct}},
		{"AssumedRole without issuer", trailhound.Identity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:s1", ARN: "arn:aws:sts::111122223333:assumed-role/Deploy/s1", AccountID: "111122223333"},
			Actors{Principal: ref(trailhound.AwsRoleSession, "AROAEXAMPLE:s1"), PrincipalLabel: "s1", PrincipalARN: "arn:aws:sts::111122223333:assumed-role/Deploy/s1",
				Role: ref(trailhound.AwsRole, "AROAEXAMPLE"), RoleLabel: "Deploy", Account: acct}},
		{"Role", trailhound.Identity{Type: "Role", PrincipalID: "AROAEXAMPLE", ARN: "arn:aws:iam::111122223333:role/Ops", AccountID: "111122223333"},
			Actors{Principal: ref(trailhound.AwsRole, "AROAEXAMPLE"), PrincipalLabel: "Ops", PrincipalARN: "arn:aws:iam::111122223333:role/Ops", Account: acct}},
		{"FederatedUser", trailhound.Identity{Type: "FederatedUser", PrincipalID: "111122223333:bob", ARN: "arn:aws:sts::111122223333:federated-user/bob", AccountID: "111122223333"},
			Actors{Principal: ref(trailhound.FederatedUser, "111122223333:bob"), PrincipalLabel: "bob", PrincipalARN: "arn:aws:sts::111122223333:federated-user/bob", Account: acct}},
		{"SAMLUser", trailhound.Identity{Type: "SAMLUser", PrincipalID: "SAMPLE:alice", UserName: "alice", IdentityProvider: "arn:aws:iam::111122223333:saml-provider/Okta"},
			Actors{Principal: ref(trailhound.FederatedUser, "Okta:alice"), PrincipalLabel: "alice", Account: acct}},
		{"WebIdentityUser", trailhound.Identity{Type: "WebIdentityUser", PrincipalID: "accounts.google.com:app.example:1234", UserName: "1234", IdentityProvider: "accounts.google.com"},
			Actors{Principal: ref(trailhound.FederatedUser, "accounts.google.com:app.example:1234"), PrincipalLabel: "1234", Account: acct}},
		{"IdentityCenterUser", trailhound.Identity{Type: "IdentityCenterUser", AccountID: "111122223333", OnBehalfOfUserID: "544894e8-80c1-707f-60e3-3ba6510dfac1"},
			Actors{Principal: ref(trailhound.FederatedUser, "IdentityCenter:544894e8-80c1-707f-60e3-3ba6510dfac1"), PrincipalLabel: "544894e8-80c1-707f-60e3-3ba6510dfac1", Account: acct}},
		{"AWSService", trailhound.Identity{Type: "AWSService", InvokedBy: "ec2.amazonaws.com"},
			Actors{Principal: ref(trailhound.AwsService, "ec2.amazonaws.com"), PrincipalLabel: "ec2.amazonaws.com", Account: acct}},
		{"AWSAccount", trailhound.Identity{Type: "AWSAccount", PrincipalID: "AIDAOTHER", AccountID: "444455556666"},
			Actors{Principal: ref(trailhound.AwsAccount, "444455556666"), PrincipalLabel: "444455556666", Account: acct}},
		{"Unknown", trailhound.Identity{Type: "Unknown", PrincipalID: "", AccountID: ""}, Actors{Account: acct}},
		{"missing", trailhound.Identity{}, Actors{Account: acct}},
		{"masked", trailhound.Identity{Type: "AssumedRole", PrincipalID: "AROA***:x", AccountID: "700***"},
			Actors{Principal: ref(trailhound.AwsRoleSession, "AROA***:x"), PrincipalLabel: "x", Role: ref(trailhound.AwsRole, "AROA***"), Account: ref(trailhound.AwsAccount, "700***")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ResolveActors(&tt.id, "111122223333")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestCanonicalIP(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"81.2.69.160", "81.2.69.160", true},
		{"::ffff:81.2.69.160", "81.2.69.160", true},
		{"2001:DB8::1", "2001:db8::1", true},
		{"fe80::1%eth0", "fe80::1", true},
		{"ec2.amazonaws.com", "", false},
		{"AWS Internal", "", false},
		{"30.*.0.210", "", false},
		{"", "", false},
		{"<script>", "", false},
	}
	for _, tt := range tests {
		got, _, ok := CanonicalIP(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CanonicalIP(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFlowOrientation(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name               string
		f                  trailhound.Flow
		local, remote, dir string
		port               int
	}{
		{"flow-direction ingress", trailhound.Flow{SrcAddr: "45.155.205.233", DstAddr: "10.0.1.25", SrcPort: 51515, DstPort: 22, Direction: "ingress"}, "10.0.1.25", "45.155.205.233", "ingress", 22},
		{"flow-direction egress", trailhound.Flow{SrcAddr: "10.0.1.25", DstAddr: "185.220.101.4", SrcPort: 40000, DstPort: 14444, Direction: "egress"}, "10.0.1.25", "185.220.101.4", "egress", 14444},
		{"private source", trailhound.Flow{SrcAddr: "10.0.1.25", DstAddr: "52.94.1.1", SrcPort: 40000, DstPort: 443}, "10.0.1.25", "52.94.1.1", "egress", 443},
		{"private destination", trailhound.Flow{SrcAddr: "52.94.1.1", DstAddr: "10.0.1.25", SrcPort: 443, DstPort: 40000}, "10.0.1.25", "52.94.1.1", "ingress", 443},
		{"both private, server is destination", trailhound.Flow{SrcAddr: "10.0.1.5", DstAddr: "10.0.2.9", SrcPort: 50000, DstPort: 5432}, "10.0.2.9", "10.0.1.5", "ingress", 5432},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBatch()
			f := tt.f
			f.Start, f.End, f.Protocol, f.Action, f.LogStatus = t0, t0.Add(time.Minute), 6, "ACCEPT", "OK"
			b.Flow(&f)
			if len(b.Flows) != 1 {
				t.Fatalf("%d flow rows", len(b.Flows))
			}
			for k := range b.Flows {
				if k.LocalAddr != tt.local || k.RemoteAddr != tt.remote || k.Direction != tt.dir || k.Port != tt.port {
					t.Errorf("got local %s remote %s %s port %d", k.LocalAddr, k.RemoteAddr, k.Direction, k.Port)
				}
			}
		})
	}
}

// TestPreferLabel: a name wins over the id and over no label, the greater
// of two names wins, and the choice does not depend on the order.
func TestPreferLabel(t *testing.T) {
	const id = "AIDAEXAMPLE"
	cases := []struct{ a, b, want string }{
		{"", "", ""},
		{"", id, id},
		{id, "alice", "alice"},
		{"", "alice", "alice"},
		{"alice", "bob", "bob"},
		{"alice", "alice", "alice"},
		{id, id, id},
	}
	for _, c := range cases {
		if got := PreferLabel(id, c.a, c.b); got != c.want {
			t.Errorf("PreferLabel(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
		if got := PreferLabel(id, c.b, c.a); got != c.want {
			t.Errorf("PreferLabel(%q, %q) = %q, want %q", c.b, c.a, got, c.want)
		}
	}
}
