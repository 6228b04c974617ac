package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/client"
)

// TestFlowRequests checks the requests of the flow panels and of the raw
// flow and finding records, and how records are read back.
func TestFlowRequests(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RequestURI())
		switch {
		case r.URL.Path == "/api/v1/events" && r.URL.Query().Get("source") == "vpcflow":
			w.Write([]byte(`{"object":"s3://b/k","line":3,"record":"2 1 eni-1 a b 1 2 6 1 40 1 2 REJECT OK","peer":{"type":"IpAddress","id":"45.155.205.233"},"localPort":22,"remotePort":51515,"direction":"inbound","traffic":"inbound"}` + "\n"))
		case r.URL.Path == "/api/v1/events":
			w.Write([]byte(`{"id":"f1","n":1}` + "\n" + `{"id":"f1","n":2}` + "\n"))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	c, err := client.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst := trailhound.EntityRef{Type: trailhound.Ec2Instance, ID: "i-0abc1234def567890"}
	scope := client.Scope{Start: 3600, End: 7200}
	if _, err := c.VPCFlowDetails(ctx, inst, scope, client.FlowDetailsOptions{Bucket: 3600, Filters: map[string]string{"localPort": "22,1024-65535"},
		Annotate: "f1", Sort: "outbound", Order: "asc", Limit: 5, Series: []string{"IpAddress/1.2.3.4/22/5000/6/inbound", "IpAddress/::1/1/2/17/outbound"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindingFlowVolume(ctx, inst, client.Scope{}, "f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VPCFlowServicePorts(ctx, inst, scope, 3333); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VPCFlowServicePorts(ctx, inst, scope, -1); err != nil {
		t.Fatal(err)
	}
	records, err := c.FlowRecords(ctx, inst, scope, map[string]string{"action": "reject"})
	if err != nil {
		t.Fatal(err)
	}
	want := []client.FlowRecord{{Object: "s3://b/k", Line: 3, Record: "2 1 eni-1 a b 1 2 6 1 40 1 2 REJECT OK",
		Peer: &client.Ref{Type: trailhound.IPAddress, ID: "45.155.205.233"}, LocalPort: 22, RemotePort: 51515, Direction: "inbound", Traffic: "inbound"}}
	if diff := cmp.Diff(want, records); diff != "" {
		t.Errorf("flow records (-want +got):\n%s", diff)
	}
	findings, err := c.FindingRecords(ctx, trailhound.EntityRef{Type: trailhound.FindingEntity, ID: "f1"}, client.Scope{})
	if err != nil || len(findings) != 2 || string(findings[1]) != `{"id":"f1","n":2}` {
		t.Errorf("finding records %s: %v", findings, err)
	}
	wantURIs := []string{
		"/api/v1/entities/Ec2Instance/i-0abc1234def567890/panels/vpc-flow-details?annotate=f1&bucket=3600&limit=5&localPort=22%2C1024-65535&order=asc&scopeEnd=7200&scopeStart=3600&series=IpAddress%2F1.2.3.4%2F22%2F5000%2F6%2Finbound%2CIpAddress%2F%3A%3A1%2F1%2F2%2F17%2Foutbound&sort=outbound",
		"/api/v1/entities/Ec2Instance/i-0abc1234def567890/panels/vpc-flow-volume?finding=f1",
		"/api/v1/entities/Ec2Instance/i-0abc1234def567890/panels/vpc-flow-service-ports?port=3333&scopeEnd=7200&scopeStart=3600",
		"/api/v1/entities/Ec2Instance/i-0abc1234def567890/panels/vpc-flow-service-ports?scopeEnd=7200&scopeStart=3600",
		"/api/v1/events?action=reject&entity=Ec2Instance%2Fi-0abc1234def567890&format=ndjson&scopeEnd=7200&scopeStart=3600&source=vpcflow",
		"/api/v1/events?entity=Finding%2Ff1&format=ndjson&source=guardduty",
	}
	if diff := cmp.Diff(wantURIs, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
