package synth

import (
	"strings"
)

// session is a period during which one identity makes calls with one set
// of credentials from one place: a console sign-in, a CLI profile's role
// session, an instance's six-hour credentials, a CI run. Its userIdentity
// element is rendered once and copied into every record.
type session struct {
	seed     uint64
	actor    *actor
	acct     *account // where its calls are recorded
	start    int64    // Unix milliseconds
	end      int64    // Unix milliseconds
	n        float64  // expected number of ordinary calls
	ident    []byte   // rendered userIdentity
	arn      string   // the identity's ARN, for error messages
	ip       string
	ua       string
	console  bool // credentials from a console sign-in
	svcCall  bool // invoked by an AWS service on its own behalf: no TLS details
	tls12    bool
	mix      *mix
	regions  []*region
	regCum   []float64
	buckets  []*bucket
	fail     float64
	throttle float64
	key      string   // access key id
	role     *iamRole // for role sessions
	name     string   // role session name, federated user name
	user     *iamUser // for IAM user sessions
	created  int64    // Unix seconds the credentials were issued
	kind     identKind
	scen     *scenarioRun
	invoked  string // invokedBy, for service-linked role sessions
	webProv  string // web identity provider ARN
	mfa      bool
	altUA    []string // other agents of the same principal (an instance's SSM agent)
}

// identKind is the userIdentity.type of a session.
type identKind uint8

const (
	idIAMUser identKind = iota
	idAssumedRole
	idRoot
	idAWSService
	idFederatedUser
	idSAMLUser
	idWebIdentityUser
	idAWSAccount
)

// sessionToken returns an opaque token of the size STS issues.
func sessionToken(r *rng) string {
	b := make([]byte, 0, 420)
	b = append(b, "IQoJb3JpZ2luX2Vj"...)
	b = r.appendChars(b, base64Set, 392)
	return string(b)
}

// render builds the userIdentity JSON for the session.
func (s *session) render() {
	b := make([]byte, 0, 512)
	switch s.kind {
	case idIAMUser:
		u := s.user
		s.arn = u.ARN
		b = append(b, `{"type":"IAMUser","principalId":"`...)
		b = append(b, u.ID...)
		b = append(b, `","arn":"`...)
		b = append(b, u.ARN...)
		b = append(b, `","accountId":"`...)
		b = append(b, u.acct.ID...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, s.key...)
		b = append(b, `","userName":"`...)
		b = append(b, u.Name...)
		b = append(b, '"')
		if s.console {
			b = append(b, `,"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
			b = appendRFC3339(b, s.created)
			b = append(b, `","mfaAuthenticated":"`...)
			b = appendBoolText(b, s.mfa)
			b = append(b, `"}}`...)
		}
		b = append(b, '}')
	case idAssumedRole:
		rl := s.role
		s.arn = "arn:aws:sts::" + rl.acct.ID + ":assumed-role/" + rl.Name + "/" + s.name
		b = append(b, `{"type":"AssumedRole","principalId":"`...)
		b = append(b, rl.ID...)
		b = append(b, ':')
		b = append(b, s.name...)
		b = append(b, `","arn":"`...)
		b = append(b, s.arn...)
		b = append(b, `","accountId":"`...)
		b = append(b, rl.acct.ID...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, s.key...)
		b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`...)
		b = append(b, rl.ID...)
		b = append(b, `","arn":"`...)
		b = append(b, rl.ARN...)
		b = append(b, `","accountId":"`...)
		b = append(b, rl.acct.ID...)
		b = append(b, `","userName":"`...)
		b = append(b, rl.Name...)
		b = append(b, `"},"webIdFederationData":{`...)
		if s.webProv != "" {
			b = append(b, `"federatedProvider":"`...)
			b = append(b, s.webProv...)
			b = append(b, `","attributes":{}`...)
		}
		b = append(b, `},"attributes":{"creationDate":"`...)
		b = appendRFC3339(b, s.created)
		b = append(b, `","mfaAuthenticated":"`...)
		b = appendBoolText(b, s.mfa)
		b = append(b, `"}`...)
		if s.actor != nil && s.actor.kind == akInstance {
			b = append(b, `,"ec2RoleDelivery":"2.0"`...)
		}
		b = append(b, '}')
		if s.invoked != "" {
			b = append(b, `,"invokedBy":"`...)
			b = append(b, s.invoked...)
			b = append(b, '"')
		}
		b = append(b, '}')
	case idRoot:
		a := s.acct
		s.arn = "arn:aws:iam::" + a.ID + ":root"
		b = append(b, `{"type":"Root","principalId":"`...)
		b = append(b, a.ID...)
		b = append(b, `","arn":"`...)
		b = append(b, s.arn...)
		b = append(b, `","accountId":"`...)
		b = append(b, a.ID...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, s.key...)
		b = append(b, '"')
		if s.key != "" {
			b = append(b, `,"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
			b = appendRFC3339(b, s.created)
			b = append(b, `","mfaAuthenticated":"`...)
			b = appendBoolText(b, s.mfa)
			b = append(b, `"}}`...)
		}
		b = append(b, '}')
	case idAWSService:
		s.arn = ""
		b = append(b, `{"type":"AWSService","invokedBy":"`...)
		b = append(b, s.invoked...)
		b = append(b, `"}`...)
	case idFederatedUser:
		u := s.user
		s.arn = "arn:aws:sts::" + u.acct.ID + ":federated-user/" + s.name
		b = append(b, `{"type":"FederatedUser","principalId":"`...)
		b = append(b, u.acct.ID...)
		b = append(b, ':')
		b = append(b, s.name...)
		b = append(b, `","arn":"`...)
		b = append(b, s.arn...)
		b = append(b, `","accountId":"`...)
		b = append(b, u.acct.ID...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, s.key...)
		b = append(b, `","sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"`...)
		b = append(b, u.ID...)
		b = append(b, `","arn":"`...)
		b = append(b, u.ARN...)
		b = append(b, `","accountId":"`...)
		b = append(b, u.acct.ID...)
		b = append(b, `","userName":"`...)
		b = append(b, u.Name...)
		b = append(b, `"},"webIdFederationData":{},"attributes":{"creationDate":"`...)
		b = appendRFC3339(b, s.created)
		b = append(b, `","mfaAuthenticated":"false"}}}`...)
	case idSAMLUser:
		// s.name is the SAML subject, s.invoked the name qualifier.
		s.arn = ""
		b = append(b, `{"type":"SAMLUser","principalId":"`...)
		b = append(b, s.invoked...)
		b = append(b, ':')
		b = append(b, s.name...)
		b = append(b, `","userName":"`...)
		b = append(b, s.name...)
		b = append(b, `","identityProvider":"`...)
		b = append(b, s.invoked...)
		b = append(b, `"}`...)
	case idWebIdentityUser:
		s.arn = ""
		b = append(b, `{"type":"WebIdentityUser","principalId":"`...)
		b = append(b, s.webProv...)
		b = append(b, `:sts.amazonaws.com:`...)
		b = append(b, s.name...)
		b = append(b, `","userName":"`...)
		b = append(b, s.name...)
		b = append(b, `","identityProvider":"`...)
		b = append(b, s.webProv...)
		b = append(b, `"}`...)
	case idAWSAccount:
		// s.name is the caller's session as "AROA...:name", s.invoked the
		// caller's account.
		s.arn = ""
		b = append(b, `{"type":"AWSAccount","principalId":"`...)
		b = append(b, s.name...)
		b = append(b, `","accountId":"`...)
		b = append(b, s.invoked...)
		b = append(b, `"}`...)
	}
	s.ident = b
}

func appendBoolText(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// assumedRoleID is "AROA...:sessionName", the entity id of the session.
func (s *session) assumedRoleID() string { return s.role.ID + ":" + s.name }

// setRegions sets the session's region distribution; the first region gets
// weight home, the rest share the remainder.
func (s *session) setRegions(regs []*region, home float64) {
	s.regions = regs
	ws := make([]float64, len(regs))
	for i := range regs {
		if i == 0 {
			ws[i] = home
		} else {
			ws[i] = (1 - home) / float64(len(regs)-1)
		}
	}
	if len(regs) == 1 {
		ws[0] = 1
	}
	s.regCum = cumulative(ws)
}

// newKeySession returns a session with fresh temporary credentials drawn
// from r.
func newKeySession(r *rng, kind identKind) *session {
	s := &session{seed: r.next(), kind: kind}
	s.key = "ASIA" + r.chars(base32Set, 16)
	return s
}

// roleSessionName sanitizes a name the way STS accepts it.
func roleSessionName(s string) string {
	s = strings.ReplaceAll(s, " ", "-")
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
