package cloudtrail

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// ownedSink hides the batch's CopyingSink method, so that the decoder
// hands it records it owns.
type ownedSink struct{ b *graph.Batch }

func (o ownedSink) APICall(c *trailhound.APICall) error { return o.b.APICall(c) }
func (o ownedSink) Flow(f *trailhound.Flow) error       { return o.b.Flow(f) }
func (o ownedSink) Finding(f *trailhound.Finding) error { return o.b.Finding(f) }

// lendCorpus is one object of n records whose every string differs from
// record to record, so that a string kept from the read buffer rather than
// copied shows up as a wrong value once the buffer is reused.
func lendCorpus(n int, salt string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%s%d","arn":"arn:aws:iam::1111222233%02d:user/u%s%d","accountId":"1111222233%02d","accessKeyId":"AKIA%s%d","userName":"u%s%d"},"eventTime":"2024-01-0%dT10:%02d:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject%s%d","awsRegion":"us-east-1","sourceIPAddress":"10.%d.%d.1","userAgent":"agent-%s-%d","requestParameters":{"bucketName":"bucket-%s-%d"},"eventID":"ev-%s-%d","eventType":"AwsApiCall","recipientAccountId":"1111222233%02d"}`,
				salt, i, i%100, salt, i, i%100, salt, i, salt, i, 1+i%9, i%60, salt, i%50, i%250, i%200, salt, i, salt, i, salt, i, i%100)
		case 1:
			fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA%s%d:sess%d","arn":"arn:aws:sts::1111222233%02d:assumed-role/r%s%d/sess%d","accountId":"1111222233%02d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s%d","arn":"arn:aws:iam::1111222233%02d:role/r%s%d","userName":"r%s%d"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-01-0%dT11:%02d:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"eu-west-%d","sourceIPAddress":"2001:db8::%x","userAgent":"agent-%s-%d","responseElements":{"assumedRoleUser":{"assumedRoleId":"AROB%s%d:new%d","arn":"arn:aws:sts::4444555566%02d:assumed-role/t%s%d/new%d"},"credentials":{"accessKeyId":"ASIA%s%d"}},"eventID":"ev-%s-%d","eventType":"AwsApiCall","recipientAccountId":"1111222233%02d"}`,
				salt, i, i, i%100, salt, i, i, i%100, salt, i, i%100, salt, i, salt, i, 1+i%9, i%60, 1+i%3, i, salt, i, salt, i, i, i%100, salt, i, i, salt, i, salt, i, i%100)
		default:
			fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"1111222233%02d","arn":"arn:aws:iam::1111222233%02d:root","accountId":"1111222233%02d"},"eventTime":"2024-01-0%dT12:%02d:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"iam.amazonaws.com","userAgent":"agent-%s-%d","errorCode":"E%s%d","responseElements":{"user":{"userId":"AIDC%s%d","userName":"n%s%d","arn":"arn:aws:iam::1111222233%02d:user/n%s%d"}},"eventID":"ev-%s-%d","eventType":"AwsApiCall"}`,
				i%100, i%100, i%100, 1+i%9, i%60, salt, i, salt, i, salt, i, salt, i, i%100, salt, i, salt, i)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestLentRecordsMatchOwned checks that a sink that copies what it keeps
// ends up with the same batch whether the decoder lends it records that
// point into its reused buffer or hands it records of its own.
func TestLentRecordsMatchOwned(t *testing.T) {
	data := lendCorpus(3000, "a")
	if len(data) < 4*initialBuffer {
		t.Fatalf("corpus of %d bytes does not refill the read buffer", len(data))
	}
	lent, owned := graph.NewBatch(), graph.NewBatch()
	if err := (Decoder{}).Decode(context.Background(), "x.json", iotest.HalfReader(bytes.NewReader(data)), lent); err != nil {
		t.Fatal(err)
	}
	// Decoding another object reuses the pooled buffer and overwrites
	// whatever the first decode left in it.
	if err := (Decoder{}).Decode(context.Background(), "y.json", bytes.NewReader(lendCorpus(3000, "zz")), graph.NewBatch()); err != nil {
		t.Fatal(err)
	}
	if err := (Decoder{}).Decode(context.Background(), "x.json", iotest.HalfReader(bytes.NewReader(data)), ownedSink{owned}); err != nil {
		t.Fatal(err)
	}
	if len(lent.Calls) != 3000 {
		t.Fatalf("%d calls, want 3000", len(lent.Calls))
	}
	for _, c := range []struct {
		name        string
		lent, owned any
	}{
		{"calls", lent.Calls, owned.Calls},
		{"entities", lent.Entities, owned.Entities},
		{"edges", lent.Edges, owned.Edges},
		{"facts", lent.Facts, owned.Facts},
		{"ips", lent.IPs, owned.IPs},
	} {
		if !reflect.DeepEqual(c.lent, c.owned) {
			t.Errorf("%s differ between lent and owned records", c.name)
		}
	}
}
