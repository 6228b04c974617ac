package analysis_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
)

// instanceCalls are CloudTrail events made with instance-profile
// credentials: three by the incident's instance (one denied, one from an
// address in London, outside AWS, as stolen instance credentials are
// used), one by another instance of the same role, and one by a session
// whose name only ends like the instance's id.
const instanceCalls = `{"Records":[
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEINSTPROF1:i-0abc1234def567890","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0abc1234def567890","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEINST00001","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEINSTPROF1","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-11-01T10:25:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2026-11-01T10:40:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"ap-southeast-7","sourceIPAddress":"10.0.1.25","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":null,"responseElements":null,"requestID":"r-inst-1","eventID":"e1000000-0000-4000-8000-000000000001","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEINSTPROF1:i-0abc1234def567890","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0abc1234def567890","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEINST00001","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEINSTPROF1","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-11-01T10:25:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2026-11-01T10:41:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"10.0.1.25","userAgent":"aws-sdk-go-v2/1.30.0","errorCode":"AccessDenied","errorMessage":"not authorized","requestParameters":null,"responseElements":null,"requestID":"r-inst-2","eventID":"e1000000-0000-4000-8000-000000000002","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEINSTPROF1:i-0abc1234def567890","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0abc1234def567890","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEINST00001","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEINSTPROF1","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-11-01T10:25:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2026-11-01T10:44:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"81.2.69.160","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22","requestParameters":null,"responseElements":null,"requestID":"r-inst-5","eventID":"e1000000-0000-4000-8000-000000000005","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEINSTPROF1:i-0fff0000000000001","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0fff0000000000001","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEINST00002","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEINSTPROF1","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-11-01T10:25:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2026-11-01T10:42:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"ap-southeast-7","sourceIPAddress":"10.0.1.26","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":null,"responseElements":null,"requestID":"r-inst-3","eventID":"e1000000-0000-4000-8000-000000000003","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"},
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEINSTPROF1:xi-0abc1234def567890","arn":"arn:aws:sts::111122223333:assumed-role/app-role/xi-0abc1234def567890","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEINST00003","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEINSTPROF1","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-11-01T10:25:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-01T10:43:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"ap-southeast-7","sourceIPAddress":"10.0.1.27","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":null,"responseElements":null,"requestID":"r-inst-4","eventID":"e1000000-0000-4000-8000-000000000004","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}`

// TestInstanceAPICalls checks the API call panels and raw records of an
// EC2 instance: the calls of the role sessions named after it, counted
// from the records independently of the decoder.
func TestInstanceAPICalls(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	files := append([]analysistest.File{}, analysistest.Incident...)
	files = append(files, analysistest.File{Path: "AWSLogs/111122223333/CloudTrail/ap-southeast-7/2026/11/01/111122223333_CloudTrail_ap-southeast-7_20261101T1045Z_i1.json.gz", Content: instanceCalls, Gzip: true})
	analysistest.IngestFiles(t, data, files)
	eng := engineOver(t, data)

	// The expected calls, from the records.
	var doc struct {
		Records []json.RawMessage
	}
	if err := json.Unmarshal([]byte(instanceCalls), &doc); err != nil {
		t.Fatal(err)
	}
	var want analysis.Counts
	var wantRaw []string
	for _, raw := range doc.Records {
		var r struct {
			UserIdentity struct{ PrincipalID string }
			ErrorCode    string
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(r.UserIdentity.PrincipalID, ":"+analysistest.InstanceID) {
			continue
		}
		if r.ErrorCode != "" {
			want.Failure++
		} else {
			want.Success++
		}
		wantRaw = append(wantRaw, string(raw))
	}
	if want != (analysis.Counts{Success: 2, Failure: 1}) {
		t.Fatalf("expected %+v: the test is wrong", want)
	}

	inst := trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: analysistest.InstanceID}
	day := [2]int64{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()}
	p, err := eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelAPICallVolume, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	if v := p.(*analysis.APICallVolume); v.Totals != want {
		t.Errorf("api call volume totals %+v, want %+v", v.Totals, want)
	}
	p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelActivityDetails, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	d := p.(*analysis.ActivityDetails)
	if d.Totals != want {
		t.Errorf("activity details totals %+v, want %+v", d.Totals, want)
	}
	// The caller of every call is the instance's session.
	if len(d.ByCaller) != 1 || d.ByCaller[0].Entity == nil || *d.ByCaller[0].Entity != (analysis.Ref{Type: trailhound.AwsRoleSession, ID: "AROAEXAMPLEINSTPROF1:" + analysistest.InstanceID}) {
		t.Errorf("callers %+v", d.ByCaller)
	}

	// Its new behavior: every API is new (nothing before), and London is
	// a new place for the instance.
	p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelNewAPICalls, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	var apis []string
	for _, it := range p.(*analysis.NewlyObserved).Items {
		apis = append(apis, it.Label)
	}
	slices.Sort(apis)
	if want := []string{"ec2.amazonaws.com:DescribeInstances", "iam.amazonaws.com:CreateAccessKey", "sts.amazonaws.com:GetCallerIdentity"}; !cmp.Equal(apis, want) {
		t.Errorf("new API calls %q, want %q", apis, want)
	}
	p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelNewGeolocations, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	if g := p.(*analysis.NewGeolocations); len(g.Locations) != 1 || g.Locations[0].City != "London" || g.Locations[0].Success != 1 {
		t.Errorf("new geolocations %+v", g.Locations)
	}

	// The role it assumed: its instance profile's session, with its calls.
	p, err = eng.Panel(ctx, analysis.PanelRequest{Entity: inst, Panel: analysis.PanelInteraction, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	rows := p.(*analysis.ResourceInteraction).Rows
	if len(rows) != 1 || rows[0].Relation != "profile-session" || rows[0].Entity.ID != "AROAEXAMPLEINSTPROF1:"+analysistest.InstanceID ||
		rows[0].Calls != want.Success+want.Failure || rows[0].Role == nil || rows[0].Role.ID != "AROAEXAMPLEINSTPROF1" {
		t.Errorf("resource interaction %+v", rows)
	}

	s, err := eng.Events(ctx, analysis.EventsRequest{Entity: inst, Source: trailhound.SourceCloudTrail, Start: day[0], End: day[1]})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.Each(ctx, func(c *trailhound.APICall) error { got = append(got, string(c.Raw)); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantRaw, got); diff != "" {
		t.Errorf("raw records (-want +got):\n%s", diff)
	}
}
