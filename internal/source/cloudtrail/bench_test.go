package cloudtrail

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/trailhound/trailhound"
)

// countSink counts what it receives and keeps nothing.
type countSink struct{ calls int }

func (s *countSink) APICall(*trailhound.APICall) error { s.calls++; return nil }
func (s *countSink) Flow(*trailhound.Flow) error       { return nil }
func (s *countSink) Finding(*trailhound.Finding) error { return nil }

// benchRecord returns a realistic record of about 1.6 KB: an assumed-role
// session calling an API with request parameters, a response, TLS details
// and a resource, as most of a busy trail looks.
func benchRecord(i int) string {
	names := []string{"GetObject", "DescribeInstances", "AssumeRole", "PutObject", "Decrypt", "ListBuckets"}
	sources := []string{"s3.amazonaws.com", "ec2.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com", "kms.amazonaws.com", "s3.amazonaws.com"}
	n := i % len(names)
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA5EXAMPLE%05d:session-%d","arn":"arn:aws:sts::111122223333:assumed-role/app-role-%d/session-%d","accountId":"111122223333","accessKeyId":"ASIA5EXAMPLE%08d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA5EXAMPLE%05d","arn":"arn:aws:iam::111122223333:role/app-role-%d","accountId":"111122223333","userName":"app-role-%d"},"webIdFederationData":{},"attributes":{"creationDate":"2024-05-22T06:%02d:53Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-22T07:%02d:%02dZ","eventSource":"%s","eventName":"%s","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.%d","userAgent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.3","requestParameters":{"bucketName":"prod-artifacts-%d","Host":"prod-artifacts-%d.s3.eu-west-1.amazonaws.com","key":"builds/2024/05/22/artifact-%d.tar.gz","x-id":"%s"},"responseElements":{"x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","bytesTransferredOut":%d},"requestID":"8RJVMXE%09d","eventID":"6f1a2b3c-4d5e-4f60-8a7b-%012d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::prod-artifacts-%d/builds/2024/05/22/artifact-%d.tar.gz"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"prod-artifacts-%d.s3.eu-west-1.amazonaws.com"}}`,
		i%97, i, i%13, i, i, i%97, i%13, i%13, i%60, (i/60)%60, i%60, sources[n], names[n], i%250, i%7, i%7, i, names[n], 1000+i, i, i, i%7, i, i%7)
}

// benchObject returns a log file of n records, as CloudTrail delivers it.
func benchObject(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(benchRecord(i))
	}
	b.WriteString("]}")
	return b.Bytes()
}

func benchNDJSON(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		b.WriteString(benchRecord(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func benchDecode(b *testing.B, data []byte, n int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		var sink countSink
		if err := (Decoder{}).Decode(ctx, "bench.json", bytes.NewReader(data), &sink); err != nil {
			b.Fatal(err)
		}
		if sink.calls != n {
			b.Fatalf("got %d records, want %d", sink.calls, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(data))/float64(n), "B/record")
}

// BenchmarkDecode measures the hot path: a log file of realistic records,
// from bytes to emitted APICalls with Raw captured.
func BenchmarkDecode(b *testing.B) {
	const n = 10000
	benchDecode(b, benchObject(n), n)
}

// BenchmarkDecodeNDJSON is the same records, one per line.
func BenchmarkDecodeNDJSON(b *testing.B) {
	const n = 10000
	benchDecode(b, benchNDJSON(n), n)
}
