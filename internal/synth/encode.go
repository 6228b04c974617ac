package synth

import (
	"strconv"
)

// notFound lists calls that routinely fail because what they look for is
// not configured (Terraform and scanners probe every bucket setting), with
// how often they do.
var notFound = map[string]struct {
	code, msg string
	p         float64
}{
	"s3:GetBucketPolicy":                  {"NoSuchBucketPolicy", "The bucket policy does not exist", 0.45},
	"s3:GetBucketEncryption":              {"ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", 0.05},
	"s3:GetBucketTagging":                 {"NoSuchTagSet", "The TagSet does not exist", 0.35},
	"s3:GetBucketWebsite":                 {"NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", 0.95},
	"s3:GetBucketCors":                    {"NoSuchCORSConfiguration", "The CORS configuration does not exist", 0.8},
	"s3:GetBucketReplication":             {"ReplicationConfigurationNotFoundError", "The replication configuration was not found", 0.9},
	"s3:GetBucketLifecycle":               {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 0.5},
	"s3:GetBucketObjectLockConfiguration": {"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket", 0.95},
	"s3:GetObject":                        {"NoSuchKey", "The specified key does not exist.", 0.01},
	"iam:GetLoginProfile":                 {"NoSuchEntityException", "Login Profile for User cannot be found.", 0.7},
	"iam:GetRolePolicy":                   {"NoSuchEntityException", "The role policy with name inline-access cannot be found.", 0.5},
	"ssm:GetParameter":                    {"ParameterNotFound", "", 0.02},
	"secretsmanager:GetSecretValue":       {"ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 0.005},
	"ec2:DescribeInstanceAttribute":       {"Client.InvalidInstanceID.NotFound", "The instance ID does not exist", 0.01},
}

func init() {
	for name, nf := range notFound {
		o := lookupOp(name)
		o.nfCode, o.nfMsg, o.nfP = nf.code, nf.msg, nf.p
	}
}

// record appends the JSON of one CloudTrail record, keys in the order AWS
// writes them.
func (wk *worker) record(b []byte, e *event) []byte {
	w := wk.w
	s, op, x := e.s, e.op, e.x
	c := &wk.ctx
	c.reset(w, e)

	b = append(b, `{"eventVersion":"`...)
	b = append(b, op.version...)
	b = append(b, `","userIdentity":`...)
	b = append(b, s.ident...)
	b = append(b, `,"eventTime":"`...)
	b = appendRFC3339(b, e.t/1000)
	b = append(b, `","eventSource":"`...)
	b = append(b, op.svc.source...)
	b = append(b, `","eventName":"`...)
	b = append(b, op.name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, e.reg.Name...)
	b = append(b, `","sourceIPAddress":"`...)
	b = append(b, s.ip...)
	b = append(b, `","userAgent":`...)
	b = appendJSONString(b, wk.userAgent(e))

	failed := e.err != errNone || (x != nil && (x.errCode != "" || x.login != nil && x.login.fail))
	if op.special == spConsoleLogin {
		return wk.consoleLogin(b, e)
	}
	if failed {
		code, msg := wk.errorOf(e)
		b = append(b, `,"errorCode":"`...)
		b = append(b, code...)
		b = append(b, '"')
		if msg != "" {
			b = append(b, `,"errorMessage":`...)
			b = appendJSONString(b, msg)
		}
	}

	// requestParameters, responseElements, additionalEventData.
	var resources func([]byte) []byte
	switch op.special {
	case spAssumeRole, spAssumeRoleSAML, spAssumeRoleWebIdentity, spGetFederationToken:
		b, resources = wk.stsOpen(b, e, failed)
	case spRunInstances:
		b = wk.runInstances(b, e, failed)
	default:
		b = append(b, `,"requestParameters":`...)
		b = wk.appendTpl(b, op.req)
		b = append(b, `,"responseElements":`...)
		if failed {
			b = append(b, "null"...)
		} else {
			b = wk.appendTpl(b, op.resp)
		}
		if op.add != nil {
			b = append(b, `,"additionalEventData":`...)
			b = wk.appendTpl(b, op.add)
		}
	}

	b = append(b, `,"requestID":"`...)
	switch {
	case x != nil && x.reqID != "":
		b = append(b, x.reqID...)
	case op.svc == svcS3:
		b = c.r.appendChars(b, upperAlnum, 16)
	default:
		b = c.r.appendUUID(b)
	}
	b = append(b, `","eventID":"`...)
	idStart := len(b)
	b = c.r.appendUUID(b)
	if (x != nil && x.scen != nil) || s.scen != nil {
		sc := s.scen
		if x != nil && x.scen != nil {
			sc = x.scen
		}
		wk.noteScenarioEvent(sc, e.t, string(b[idStart:]))
	}
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, op.readOnly)
	if resources != nil {
		b = resources(b)
	} else if op.res != nil {
		b = append(b, `,"resources":`...)
		b = wk.appendTpl(b, op.res)
	}
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":`...)
	b = strconv.AppendBool(b, !op.data)
	b = append(b, `,"recipientAccountId":"`...)
	b = append(b, e.acct.ID...)
	b = append(b, '"')
	if x != nil && x.shared != "" {
		b = append(b, `,"sharedEventID":"`...)
		b = append(b, x.shared...)
		b = append(b, '"')
	}
	if op.data {
		b = append(b, `,"eventCategory":"Data"`...)
	} else {
		b = append(b, `,"eventCategory":"Management"`...)
	}
	if !s.svcCall {
		b = append(b, `,"tlsDetails":{"tlsVersion":"`...)
		if s.tls12 {
			b = append(b, `TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"`...)
		} else {
			b = append(b, `TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
		}
		b = wk.appendHost(b, e)
		b = append(b, `"}`...)
	}
	if s.console {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

func (wk *worker) userAgent(e *event) string {
	if e.x != nil && e.x.ua != "" {
		return e.x.ua
	}
	s := e.s
	if n := len(s.altUA); n > 0 {
		switch e.op.svc {
		case svcSSM:
			return s.altUA[n-1]
		case svcECR:
			if n > 1 {
				return s.altUA[0]
			}
		}
	}
	return s.ua
}

// appendHost appends the endpoint the client connected to.
func (wk *worker) appendHost(b []byte, e *event) []byte {
	sv := e.op.svc
	if sv == svcS3 {
		if e.op.needs&needBucket == 0 {
			return append(b, "s3.amazonaws.com"...)
		}
		b = append(b, wk.ctx.get(slBucket)...)
		b = append(b, ".s3."...)
		b = append(b, e.reg.Name...)
		return append(b, ".amazonaws.com"...)
	}
	h := sv.host
	for i := 0; i < len(h); i++ {
		if h[i] == '%' && i+1 < len(h) && h[i+1] == 's' {
			b = append(b, h[:i]...)
			b = append(b, e.reg.Name...)
			return append(b, h[i+2:]...)
		}
	}
	return append(b, h...)
}

// appendTpl renders a template, or null.
func (wk *worker) appendTpl(b []byte, t *tpl) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	for _, p := range t.parts {
		b = append(b, p.lit...)
		if p.slot != slNone {
			b = append(b, wk.ctx.get(p.slot)...)
		}
	}
	return b
}

// errorOf returns the error code and message of a failed call, as the
// service reports them.
func (wk *worker) errorOf(e *event) (string, string) {
	if x := e.x; x != nil && x.errCode != "" {
		return x.errCode, x.errMsg
	}
	op := e.op
	switch e.err {
	case errNotFound:
		return op.nfCode, op.nfMsg
	case errThrottle:
		switch op.svc.protocol {
		case protoEC2:
			return "Client.RequestLimitExceeded", "Request limit exceeded."
		case protoS3:
			return "SlowDown", "Please reduce your request rate."
		case protoQuery:
			return "Throttling", "Rate exceeded"
		}
		return "ThrottlingException", "Rate exceeded"
	}
	return deniedError(op, e.s.arn)
}

// deniedError renders an access denied error for the caller arn.
func deniedError(op *opDef, arn string) (string, string) {
	if op.svc.protocol == protoS3 {
		return "AccessDenied", "Access Denied"
	}
	act := op.iamAction()
	msg := "User: " + arn + " is not authorized to perform: " + act + " because no identity-based policy allows the " + act + " action"
	switch op.svc.protocol {
	case protoEC2:
		return "Client.UnauthorizedOperation", "You are not authorized to perform this operation. " + msg
	case protoQuery:
		return "AccessDenied", msg
	}
	return "AccessDeniedException", msg
}

// consoleLogin finishes a sign-in record.
func (wk *worker) consoleLogin(b []byte, e *event) []byte {
	x := e.x
	c := &wk.ctx
	fail := x.login.fail
	if fail {
		b = append(b, `,"errorMessage":"Failed authentication"`...)
	}
	b = append(b, `,"requestParameters":null,"responseElements":{"ConsoleLogin":"`...)
	if fail {
		b = append(b, `Failure"}`...)
	} else {
		b = append(b, `Success"}`...)
	}
	b = append(b, `,"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_`...)
	b = c.r.appendChars(b, hexDigits, 16)
	b = append(b, `","MobileVersion":"No",`...)
	if x.login.mfa {
		b = append(b, `"MFAIdentifier":"arn:aws:iam::`...)
		b = append(b, e.acct.ID...)
		if e.s.kind == idRoot {
			b = append(b, `:mfa/root-account-mfa-device",`...)
		} else {
			b = append(b, `:mfa/`...)
			b = append(b, e.s.user.Name...)
			b = append(b, `",`...)
		}
		b = append(b, `"MFAUsed":"Yes"}`...)
	} else {
		b = append(b, `"MFAUsed":"No"}`...)
	}
	b = append(b, `,"eventID":"`...)
	idStart := len(b)
	b = c.r.appendUUID(b)
	if x.scen != nil {
		wk.noteScenarioEvent(x.scen, e.t, string(b[idStart:]))
	}
	b = append(b, `","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, e.acct.ID...)
	b = append(b, `","eventCategory":"Management"`...)
	b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"}}`...)
	return b
}

// stsOpen renders the request and response of a call that issues temporary
// credentials for x.target, and returns how to render its resources.
func (wk *worker) stsOpen(b []byte, e *event, failed bool) ([]byte, func([]byte) []byte) {
	x := e.x
	t := x.target
	c := &wk.ctx
	created := e.t / 1000
	dur := int64(3600)
	if t.actor != nil && t.actor.kind == akInstance {
		dur = 6 * 3600
	}
	b = append(b, `,"requestParameters":{`...)
	switch e.op.special {
	case spGetFederationToken:
		b = append(b, `"name":"`...)
		b = append(b, t.name...)
		b = append(b, `","durationSeconds":`...)
		b = strconv.AppendInt(b, dur, 10)
		b = append(b, `,"policyArns":[{"arn":"arn:aws:iam::`...)
		b = append(b, t.acct.ID...)
		b = append(b, `:policy/reporting-portal-session"}]}`...)
	case spAssumeRoleSAML:
		b = append(b, `"sAMLAssertionID":"_`...)
		b = c.r.appendChars(b, hexDigits, 32)
		b = append(b, `","roleSessionName":"`...)
		b = append(b, t.name...)
		b = append(b, `","durationSeconds":`...)
		b = strconv.AppendInt(b, dur, 10)
		b = append(b, `,"roleArn":"`...)
		b = append(b, t.role.ARN...)
		b = append(b, `","principalArn":"`...)
		b = wk.appendSAMLProvider(b, t.acct)
		b = append(b, `"}`...)
	default:
		b = append(b, `"roleArn":"`...)
		b = append(b, t.role.ARN...)
		b = append(b, `","roleSessionName":"`...)
		b = append(b, t.name...)
		b = append(b, '"')
		if e.op.special == spAssumeRole && !e.s.svcCall {
			b = append(b, `,"durationSeconds":`...)
			b = strconv.AppendInt(b, dur, 10)
		}
		if x.extID != "" {
			b = append(b, `,"externalId":"`...)
			b = append(b, x.extID...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, `,"responseElements":`...)
	if failed {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		if e.op.special == spAssumeRoleSAML {
			b = append(b, `"subjectType":"persistent","issuer":"`...)
			b = append(b, wk.w.idcIssuer...)
			b = append(b, `",`...)
		}
		b = append(b, `"credentials":{"accessKeyId":"`...)
		b = append(b, t.key...)
		b = append(b, `","sessionToken":"`...)
		b = append(b, sessionToken(&c.r)...)
		b = append(b, `","expiration":"`...)
		b = appendJavaDate(b, created+dur)
		b = append(b, `"},`...)
		switch e.op.special {
		case spGetFederationToken:
			b = append(b, `"federatedUser":{"federatedUserId":"`...)
			b = append(b, t.acct.ID...)
			b = append(b, ':')
			b = append(b, t.name...)
			b = append(b, `","arn":"`...)
			b = append(b, t.arn...)
			b = append(b, `"},"packedPolicySize":6}`...)
		default:
			if e.op.special == spAssumeRoleSAML {
				b = append(b, `"nameQualifier":"`...)
				b = append(b, wk.w.idcNameQual...)
				b = append(b, `",`...)
			}
			if e.op.special == spAssumeRoleWebIdentity {
				b = append(b, `"subjectFromWebIdentityToken":"`...)
				b = append(b, x.subject...)
				b = append(b, `",`...)
			}
			b = append(b, `"assumedRoleUser":{"assumedRoleId":"`...)
			b = append(b, t.role.ID...)
			b = append(b, ':')
			b = append(b, t.name...)
			b = append(b, `","arn":"`...)
			b = append(b, t.arn...)
			b = append(b, `"}`...)
			switch e.op.special {
			case spAssumeRoleSAML:
				b = append(b, `,"subject":"`...)
				b = append(b, t.name...)
				b = append(b, `","audience":"https://signin.aws.amazon.com/saml"`...)
			case spAssumeRoleWebIdentity:
				b = append(b, `,"provider":"`...)
				b = append(b, t.webProv...)
				b = append(b, `","audience":"sts.amazonaws.com"`...)
			}
			b = append(b, '}')
		}
	}
	if e.op.special == spGetFederationToken {
		return b, nil
	}
	return b, func(b []byte) []byte {
		b = append(b, `,"resources":[{"accountId":"`...)
		b = append(b, t.role.acct.ID...)
		b = append(b, `","type":"AWS::IAM::Role","ARN":"`...)
		b = append(b, t.role.ARN...)
		b = append(b, `"}`...)
		if e.op.special == spAssumeRoleSAML {
			b = append(b, `,{"accountId":"`...)
			b = append(b, t.acct.ID...)
			b = append(b, `","type":"AWS::IAM::SAMLProvider","ARN":"`...)
			b = wk.appendSAMLProvider(b, t.acct)
			b = append(b, `"}`...)
		}
		return append(b, ']')
	}
}

func (wk *worker) appendSAMLProvider(b []byte, a *account) []byte {
	b = append(b, "arn:aws:iam::"...)
	b = append(b, a.ID...)
	b = append(b, ":saml-provider/AWSSSO_"...)
	b = append(b, wk.w.permSets["AdministratorAccess"]...)
	return append(b, "_DO_NOT_DELETE"...)
}
