package cloudtrail

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/trailhound/trailhound"
)

// record is a CloudTrail event as it appears in log files, with the fields
// the normalized APICall needs. Everything else stays in the raw bytes.
// requestParameters, responseElements and additionalEventData are not
// decoded: the scanner finds them, and the APICall refers to their text
// inside Raw (see rawMembers).
type record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       userIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode"`
	ErrorMessage       string         `json:"errorMessage"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	EventType          string         `json:"eventType"`
	EventCategory      string         `json:"eventCategory"`
	ReadOnly           any            `json:"readOnly"` // see flexBool
	ManagementEvent    any            `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	SharedEventID      string         `json:"sharedEventID"`
	Resources          []resource     `json:"resources"`
	InsightDetails     insightDetails `json:"insightDetails"`
}

type userIdentity struct {
	Type             string         `json:"type"`
	PrincipalID      string         `json:"principalId"`
	ARN              string         `json:"arn"`
	AccountID        string         `json:"accountId"`
	AccessKeyID      string         `json:"accessKeyId"`
	UserName         string         `json:"userName"`
	InvokedBy        string         `json:"invokedBy"`
	IdentityProvider string         `json:"identityProvider"`
	CredentialID     string         `json:"credentialId"`
	SessionContext   sessionContext `json:"sessionContext"`
	OnBehalfOf       onBehalfOf     `json:"onBehalfOf"`
}

type sessionContext struct {
	SessionIssuer       sessionIssuer       `json:"sessionIssuer"`
	WebIDFederationData webIDFederationData `json:"webIdFederationData"`
	Attributes          sessionAttributes   `json:"attributes"`
	SourceIdentity      string              `json:"sourceIdentity"`
}

type sessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type webIDFederationData struct {
	FederatedProvider string `json:"federatedProvider"`
}

type sessionAttributes struct {
	MFAAuthenticated any    `json:"mfaAuthenticated"` // see flexBool
	CreationDate     string `json:"creationDate"`
}

type onBehalfOf struct {
	UserID           string `json:"userId"`
	IdentityStoreARN string `json:"identityStoreArn"`
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// insightDetails holds what an Insights event says about the API it
// watched; the statistics stay in the raw record.
type insightDetails struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
}

// eventBridgeEvent is an Amazon EventBridge event that carries a CloudTrail
// record in its detail.
type eventBridgeEvent struct {
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"` // a copy, which becomes the record's Raw
}

// lookupEvent is one element of the Events list of `aws cloudtrail
// lookup-events`; CloudTrailEvent is the record, as a JSON string.
type lookupEvent struct {
	CloudTrailEvent *string `json:"CloudTrailEvent"`
}

// signInData is the part of a console sign-in event's additionalEventData
// that says whether MFA was used.
type signInData struct {
	MFAUsed string `json:"MFAUsed"`
}

// flexBool reads a boolean that CloudTrail writers have recorded both as a
// JSON boolean and as a string ("true", "false", in any case). Members read
// this way are decoded into an interface value: a JSON boolean then costs no
// allocation, where a method would be handed a copy of its bytes. set is
// false for null, absence and other strings; ok is false for numbers,
// objects and arrays.
func flexBool(v any) (b, set, ok bool) {
	switch v := v.(type) {
	case nil:
		return false, false, true
	case bool:
		return v, true, true
	case string:
		switch {
		case strings.EqualFold(v, "true"):
			return true, true, true
		case strings.EqualFold(v, "false"):
			return false, true, true
		}
		return false, false, true
	}
	return false, false, false
}

// flexBoolPtr is flexBool for the optional booleans of APICall.
func flexBoolPtr(v any) (*bool, bool) {
	b, set, ok := flexBool(v)
	if !set {
		return nil, ok
	}
	return &b, true
}

// kindOf names the JSON kind of a value decoded into an interface.
func kindOf(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "value"
}

const insightType = "AwsCloudTrailInsight"

// isInsight reports whether the record is a CloudTrail Insights event.
func (r *record) isInsight() bool {
	return r.EventType == insightType || r.EventCategory == "Insight" ||
		r.InsightDetails.EventName != "" || r.InsightDetails.EventSource != ""
}

// rawMembers are the members of a record kept as JSON text, as parts of the
// record's raw bytes.
type rawMembers struct {
	requestParameters, responseElements, additionalEventData []byte
}

// rawMembersOf returns the members that info found in raw, whose first byte
// was at buffer index at when info was made.
func rawMembersOf(raw []byte, info *objInfo, at int) rawMembers {
	part := func(sp span) []byte {
		if sp.end == 0 {
			return nil
		}
		v := raw[sp.start-at : sp.end-at : sp.end-at]
		if string(v) == "null" {
			return nil
		}
		return v
	}
	return rawMembers{
		requestParameters:   part(info.requestParameters),
		responseElements:    part(info.responseElements),
		additionalEventData: part(info.additionalEventData),
	}
}

// normalize turns a decoded record into an APICall. raw is the record's text
// and becomes the APICall's Raw; m are parts of it. It returns a reason when
// a required field is missing or unusable.
func normalize(r *record, raw []byte, m rawMembers, c *trailhound.APICall) string {
	insight := r.isInsight()
	name, src := r.EventName, r.EventSource
	if insight {
		// Insights events name the watched API inside insightDetails.
		if name == "" {
			name = r.InsightDetails.EventName
		}
		if src == "" {
			src = r.InsightDetails.EventSource
		}
	}
	if r.EventTime == "" {
		return "record has no eventTime"
	}
	t, ok := parseTime(r.EventTime)
	if !ok {
		return "record has an unparseable eventTime " + quoteShort(r.EventTime)
	}
	if name == "" {
		return "record has no eventName"
	}
	if src == "" && !insight {
		return "record has no eventSource"
	}
	if strings.HasPrefix(src, "aws:") {
		// S3, SNS and SQS event notifications share CloudTrail's member
		// names; their sources are written aws:s3, aws:sns, ...
		return "record is an event notification (eventSource " + quoteShort(src) + "), not a CloudTrail record"
	}
	*c = trailhound.APICall{
		EventID:             r.EventID,
		Time:                t,
		Version:             r.EventVersion,
		Source:              src,
		Name:                name,
		Type:                r.EventType,
		Category:            r.EventCategory,
		Region:              r.AWSRegion,
		RecipientAccount:    r.RecipientAccountID,
		SharedEventID:       r.SharedEventID,
		RequestID:           r.RequestID,
		Identity:            identity(&r.UserIdentity),
		SourceIP:            r.SourceIPAddress,
		UserAgent:           r.UserAgent,
		ErrorCode:           r.ErrorCode,
		ErrorMessage:        r.ErrorMessage,
		RequestParameters:   m.requestParameters,
		ResponseElements:    m.responseElements,
		AdditionalEventData: m.additionalEventData,
		Raw:                 raw,
	}
	if c.ReadOnly, ok = flexBoolPtr(r.ReadOnly); !ok {
		return "readOnly is a JSON " + kindOf(r.ReadOnly) + ", want a boolean or a string"
	}
	if c.Management, ok = flexBoolPtr(r.ManagementEvent); !ok {
		return "managementEvent is a JSON " + kindOf(r.ManagementEvent) + ", want a boolean or a string"
	}
	var mfa bool
	if mfa, _, ok = flexBool(r.UserIdentity.SessionContext.Attributes.MFAAuthenticated); !ok {
		return "userIdentity.sessionContext.attributes.mfaAuthenticated is a JSON " +
			kindOf(r.UserIdentity.SessionContext.Attributes.MFAAuthenticated) + ", want a boolean or a string"
	}
	c.Identity.MFAAuthenticated = mfa
	if c.EventID == "" {
		sum := sha256.Sum256(raw)
		c.EventID = "sha256:" + hex.EncodeToString(sum[:])
	}
	if len(r.Resources) > 0 {
		c.Resources = make([]trailhound.Resource, len(r.Resources))
		for i, res := range r.Resources {
			c.Resources[i] = trailhound.Resource(res)
		}
	}
	if isSignIn(r) {
		c.LoginResult = loginResult(m.responseElements)
		c.MFAUsed = mfaUsed(m.additionalEventData)
	}
	return ""
}

func identity(u *userIdentity) trailhound.Identity {
	sc := &u.SessionContext
	id := trailhound.Identity{
		Type:                   u.Type,
		PrincipalID:            u.PrincipalID,
		ARN:                    u.ARN,
		AccountID:              u.AccountID,
		AccessKeyID:            u.AccessKeyID,
		UserName:               u.UserName,
		InvokedBy:              u.InvokedBy,
		IssuerType:             sc.SessionIssuer.Type,
		IssuerPrincipalID:      sc.SessionIssuer.PrincipalID,
		IssuerARN:              sc.SessionIssuer.ARN,
		IssuerAccountID:        sc.SessionIssuer.AccountID,
		IssuerUserName:         sc.SessionIssuer.UserName,
		SourceIdentity:         sc.SourceIdentity,
		IdentityProvider:       u.IdentityProvider,
		OnBehalfOfUserID:       u.OnBehalfOf.UserID,
		OnBehalfOfStoreARN:     u.OnBehalfOf.IdentityStoreARN,
		CredentialID:           u.CredentialID,
		WebIDFederatedProvider: sc.WebIDFederationData.FederatedProvider,
	}
	if d := sc.Attributes.CreationDate; d != "" {
		// An unreadable creation date is not worth losing the event for.
		if t, ok := parseTime(d); ok {
			id.SessionCreated = t
		}
	}
	return id
}

// isSignIn reports whether the record is a console sign-in event, whose
// result is recorded in responseElements rather than in errorCode.
func isSignIn(r *record) bool {
	return r.EventType == "AwsConsoleSignIn" || r.EventSource == "signin.amazonaws.com"
}

// signInResultKeys are the responseElements members of sign-in events that
// carry Success or Failure, most telling first.
var signInResultKeys = []string{
	"ConsoleLogin", "SwitchRole", "ExitRole", "RenewRole", "CheckMfa",
	"ExternalIdPDirectoryLogin", "UserAuthentication", "CredentialVerification",
	"CredentialChallenge", "PasswordUpdated",
}

// loginResult returns the Success or Failure a sign-in event records, or ""
// when it records none. responseElements of sign-in events is small, so a
// generic decode is affordable here.
func loginResult(b []byte) string {
	if len(b) == 0 || b[0] != '{' {
		return ""
	}
	var m map[string]any
	if unmarshal(b, &m, false) != nil {
		return ""
	}
	for _, k := range signInResultKeys {
		if s, ok := m[k].(string); ok && (s == "Success" || s == "Failure") {
			return s
		}
	}
	return ""
}

// mfaUsed returns additionalEventData.MFAUsed (Yes or No) when present.
func mfaUsed(b []byte) string {
	if len(b) == 0 || b[0] != '{' {
		return ""
	}
	var d signInData
	if unmarshal(b, &d, false) != nil {
		return ""
	}
	return d.MFAUsed
}

// parseTime reads the timestamps CloudTrail writes (RFC 3339, with or
// without fractional seconds), the ISO 8601 basic form of older session
// creation dates (20131102T010628Z), and the space-separated, zone-less form
// some pipelines rewrite eventTime into, which is taken as UTC. The result
// is in UTC.
func parseTime(s string) (time.Time, bool) {
	if t, ok := parseRFC3339UTC(s); ok {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"20060102T150405Z07:00",
}

// parseRFC3339UTC is the fast path for the form nearly every record uses:
// YYYY-MM-DDTHH:MM:SS[.fraction]Z. Anything else goes to time.Parse.
func parseRFC3339UTC(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	nsec := 0
	if rest := s[19 : len(s)-1]; rest != "" {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return time.Time{}, false
		}
		frac, ok := digits(rest[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(rest) - 1; i < 9; i++ {
			frac *= 10
		}
		nsec = frac
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		return strconv.Quote(s[:maxLen]) + "..."
	}
	return strconv.Quote(s)
}
