package cloudtrail

import (
	"os"
	"testing"

	"github.com/trailhound/trailhound/internal/source"
)

func TestDetectKey(t *testing.T) {
	tests := []struct {
		key  string
		want source.Confidence
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/22/111122223333_CloudTrail_us-east-1_20240522T0710Z_abcdEFGH12345678.json", source.Key},
		{"s3://trail-bucket/prefix/AWSLogs/o-aa111bb222/111122223333/CloudTrail/eu-west-1/2024/05/22/x.json", source.Key},
		{"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/05/22/x.json", source.Key},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/22/x.json", source.Key},
		{`C:\logs\AWSLogs\111122223333\CloudTrail\us-east-1\2024\05\22\x.json`, source.Key},
		{"downloads/111122223333_CloudTrail_us-east-1_20240522T0710Z_abcdEFGH12345678.json", source.Key},
		{"111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240522T070131Z.json", source.Key},
		{"CloudTrail/export.json", source.Key},
		// Not CloudTrail's layout.
		{"AWSLogs/111122223333/GuardDuty/us-east-1/2024/05/22/finding.json", source.No},
		{"AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/22/111122223333_vpcflowlogs_us-east-1_fl-0123_20240522T0710Z_abc.log", source.No},
		{"exports/MyCloudTrail/x.json", source.No},
		{"exports/CloudTrail", source.No},
		{"exports/cloudtrail/x.json", source.No},
	}
	for _, tt := range tests {
		if got := (Decoder{}).Detect(tt.key, nil); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestDetectContent(t *testing.T) {
	tests := []struct {
		name string
		head string
		want source.Confidence
	}{
		{"envelope", `{"Records":[` + okRecord + `]}`, source.Content},
		{"envelope cut in the first record", `{"Records":[{"eventVersion":"1.08","userIden`, source.Content},
		{"envelope cut before the first record", `{"Records":[`, source.Content},
		{"empty envelope", `{"Records":[]}`, source.Content},
		{"envelope with BOM and spaces", "\ufeff\n  {\n  \"Records\" : [", source.Content},
		{"record", okRecord, source.Content},
		{"record cut in userIdentity", `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA`, source.Content},
		{"record without eventVersion", `{"eventTime":"2024-05-22T07:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`, source.Content},
		{"lower-case member names", `{"eventversion":"1.05","eventtime":"2024-05-22 07:00:00"}`, source.Content},
		{"array of records", "[\n  " + okRecord, source.Content},
		{"insight", `{"eventVersion":"1.07","eventTime":"2019-11-14T00:51:00Z","awsRegion":"us-east-1","eventID":"x","eventType":"AwsCloudTrailInsight"`, source.Content},
		{"EventBridge API call", `{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{`, source.Content},
		{"EventBridge sign-in", `[{"version":"0","id":"x","detail-type":"AWS Console Sign In via CloudTrail"`, source.Content},
		{"lookup-events", `{"Events":[{"EventId":"1","EventName":"ListUsers","CloudTrailEvent":"{}"}],"NextToken":"x"}`, source.Content},
		{"lookup-events cut", `{"Events":[{"EventId":"1"`, source.Content},
		{"digest", `{"awsAccountId":"111122223333","digestStartTime":"2024-05-22T06:01:31Z","digestEndTime":"2024-05-22T07:01:31Z"`, source.Content},

		{"empty", ``, source.No},
		{"binary", "\x1f\x8b\x08\x00\x00\x00", source.No},
		{"VPC flow log", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 111122223333 eni-0123 203.0.113.1 10.0.0.1 443 49152 6 10 840 1716361200 1716361260 ACCEPT OK\n", source.No},
		{"VPC flow line", "2 111122223333 eni-0123 203.0.113.1 10.0.0.1 443 49152 6 10 840 1716361200 1716361260 ACCEPT OK\n", source.No},
		{"GuardDuty finding", `{"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","partition":"aws","id":"x","arn":"arn","type":"Recon:EC2/PortProbeUnprotectedPort","resource":{"resourceType":"Instance"},"service":{"serviceName":"guardduty"},"severity":2}`, source.No},
		{"GuardDuty findings list", `{"Findings":[{"SchemaVersion":"2.0","AccountId":"111122223333"`, source.No},
		{"GuardDuty export", `{"findings":[]}`, source.No},
		{"GuardDuty via EventBridge", `{"version":"0","id":"x","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"schemaVersion":"2.0"`, source.No},
		{"other EventBridge event", `{"version":"0","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}`, source.No},
		{"S3 event notification", `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2024-05-22T07:00:00.000Z","eventName":"ObjectCreated:Put"}]}`, source.No},
		{"SNS notification", `{"Records":[{"EventSource":"aws:sns","EventVersion":"1.0"`, source.No},
		{"events that are not lookup-events", `{"Events":[{"foo":1}]}`, source.No},
		{"one member only", `{"eventVersion":"1.08"}`, source.No},
		{"a JSON string", `"eventVersion eventSource"`, source.No},
		{"text", "eventVersion eventSource eventTime\n", source.No},
	}
	for _, tt := range tests {
		if got := (Decoder{}).Detect("upload/object.json", []byte(tt.head)); got != tt.want {
			t.Errorf("%s: Detect = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDetectEveryPrefix checks that no prefix of a real log file makes
// Detect fail or panic, and that a prefix long enough to hold the first
// record is always recognized.
func TestDetectEveryPrefix(t *testing.T) {
	for _, file := range []string{"testdata/identity-types.json", "testdata/eventbridge.ndjson", "testdata/lookup-events.json", "testdata/errors-and-addresses.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n <= min(len(data), 4096); n++ {
			got := (Decoder{}).Detect("x", data[:n])
			if n >= 1500 && got != source.Content {
				t.Errorf("%s: first %d bytes not recognized", file, n)
			}
		}
	}
}
