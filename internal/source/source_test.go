package source_test

import (
	"io"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/source"
	_ "github.com/trailhound/trailhound/internal/source/cloudtrail"
	_ "github.com/trailhound/trailhound/internal/source/guardduty"
	_ "github.com/trailhound/trailhound/internal/source/vpcflow"
)

func TestForStored(t *testing.T) {
	const flow = "2 123456789012 eni-0a1b2c3d 10.0.1.5 203.0.113.9 443 49152 6 10 840 1793527200 1793527260 ACCEPT OK\n"
	const trail = `{"Records":[{"eventVersion":"1.08","eventID":"e1"}]}`
	for _, tc := range []struct {
		name, key, content string
		src                trailhound.Source
		want               trailhound.Source // "" for none
	}{
		{"recorded source wins over the content", "x.json", trail, trailhound.SourceVPCFlow, trailhound.SourceVPCFlow},
		{"flow log by key", "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-1_20261101T0000Z_hash.log.gz", flow, "", trailhound.SourceVPCFlow},
		{"CloudTrail by content", "copied/trail.json.GZ", trail, "", trailhound.SourceCloudTrail},
		{"unrecognized", "notes.txt", "hello, world\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec, r, err := source.ForStored(strings.NewReader(tc.content), tc.src, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			var got trailhound.Source
			if dec != nil {
				got = dec.Source()
			}
			if got != tc.want {
				t.Fatalf("decoder %q, want %q", got, tc.want)
			}
			// Recognizing the object consumes none of it.
			all, err := io.ReadAll(r)
			if err != nil || string(all) != tc.content {
				t.Errorf("reader gives %q, %v; want the whole object", all, err)
			}
		})
	}
}
