package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
	"github.com/trailhound/trailhound/internal/analysis/analysistest"
	"github.com/trailhound/trailhound/internal/api"
)

const dayScope = "scopeStart=1793491200&scopeEnd=1793577600"

func TestFlowPanelRoutes(t *testing.T) {
	ip := entityPath(trailhound.IPAddress, "10.0.1.25")
	_, body := get(t, ip+"/panels/vpc-flow-details?"+dayScope+"&direction=outbound&sort=outbound&series="+
		url.QueryEscape("IpAddress/198.51.100.77/49152/3333/6/outbound"))
	var d analysis.VPCFlowDetails
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(d.Rows) != 2 || d.Rows[0].OutboundBytes != 96000 || d.Rows[0].InboundBytes != 800000 || len(d.Series) != 1 || len(d.Series[0].Buckets) != 24 ||
		d.Series[0].Buckets[10].Inbound != 800000 || d.Filters["direction"] != "outbound" {
		t.Errorf("details: %s", body)
	}
	_, body = get(t, ip+"/panels/vpc-flow-volume?finding="+analysistest.FindingID)
	var v analysis.VPCFlowVolume
	if err := json.Unmarshal(body, &v); err != nil || v.Finding == nil || v.Totals != (analysis.FlowTotals{Inbound: 800000, Outbound: 96000}) {
		t.Errorf("volume of the finding's traffic: %v %s", err, body)
	}
	_, body = get(t, ip+"/panels/vpc-flow-service-ports?"+dayScope+"&port=3333")
	var p analysis.VPCFlowServicePorts
	if err := json.Unmarshal(body, &p); err != nil || p.Series == nil || p.Series.Buckets[10].Inbound != 800000 {
		t.Errorf("service ports: %v %s", err, body)
	}
	_, body = get(t, "/api/v1/panels")
	for _, id := range []string{"vpc-flow-details", "vpc-flow-service-ports"} {
		if !bytes.Contains(body, []byte(`"id":"`+id+`"`)) {
			t.Errorf("panel %s is not listed: %s", id, body)
		}
	}
	for _, c := range []struct {
		path   string
		status int
		names  string
	}{
		{ip + "/panels/vpc-flow-details?localPort=ssh", 400, "localPort"},
		{ip + "/panels/vpc-flow-details?protocol=tcpx", 400, "protocol"},
		{ip + "/panels/vpc-flow-details?finding=nope", 404, "finding"},
		{ip + "/panels/vpc-flow-service-ports?port=x", 400, "port"},
		{entityPath(trailhound.AwsUser, analysistest.AliceID) + "/panels/vpc-flow-details", 400, "vpc-flow-details"},
		{"/api/v1/events?entity=AwsUser/" + analysistest.AliceID + "&source=vpcflow", 400, "entity"},
		{"/api/v1/events?entity=Ec2Instance/" + analysistest.InstanceID + "&source=netflow", 400, "source"},
		{"/api/v1/events?entity=Ec2Instance/" + analysistest.InstanceID + "&action=drop", 400, "action"},
	} {
		resp, body := get(t, c.path)
		var e api.ErrorBody
		json.Unmarshal(body, &e)
		if resp.StatusCode != c.status || !strings.Contains(e.Error.Message, c.names) {
			t.Errorf("%s: %d %s, want %d naming %q", c.path, resp.StatusCode, body, c.status, c.names)
		}
	}
}

// TestFlowEventsFormats streams an address's flow records in each format:
// the lines of the delivered objects, with the scope and the source in
// the headers.
func TestFlowEventsFormats(t *testing.T) {
	var want []string
	flowLines := analysistest.IncidentFlows()
	counted := analysistest.CountedSides(flowLines, "IpAddress/10.0.1.25")
	for i, l := range flowLines {
		if len(counted[i]) > 0 {
			want = append(want, l.Text)
		}
	}
	slices.Sort(want)
	base := "/api/v1/events?entity=" + url.QueryEscape("IpAddress/10.0.1.25") + "&source=vpcflow&" + dayScope

	resp, body := get(t, base)
	var arr []analysis.FlowRecord
	if err := json.Unmarshal(body, &arr); err != nil || resp.Header.Get("X-Trailhound-Source") != "vpcflow" || resp.Header.Get("X-Trailhound-Scope") != "1793491200-1793577600" {
		t.Fatalf("json: %v %v %s", err, resp.Header, body)
	}
	var got []string
	for _, r := range arr {
		got = append(got, r.Record)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("json records %q, want %q", got, want)
	}

	_, body = get(t, base+"&format=ndjson")
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("ndjson: %s", body)
	}
	for _, l := range lines {
		var r analysis.FlowRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Peer == nil || r.Direction == "" {
			t.Errorf("ndjson line %s: %v", l, err)
		}
	}

	_, body = get(t, base+"&format=csv&action=reject")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v %s", err, body)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	if row["srcaddr"] != "45.155.205.233" || row["local-port"] != "22" || row["direction"] != "inbound" || row["action"] != "REJECT" ||
		row["peer"] != "IpAddress/45.155.205.233" || row["line"] != "3" {
		t.Errorf("csv row %v", row)
	}

	// An instance's records are its flows by default.
	resp, body = get(t, "/api/v1/events?entity=Ec2Instance/"+analysistest.InstanceID+"&format=ndjson&"+dayScope)
	if resp.StatusCode != 200 || resp.Header.Get("X-Trailhound-Source") != "vpcflow" || strings.Count(string(body), "\n") != 2 {
		t.Errorf("instance records: %d %s", resp.StatusCode, body)
	}
}

func TestFindingEventsAndRelated(t *testing.T) {
	var versions []json.RawMessage
	for _, f := range analysistest.Incident {
		if strings.Contains(f.Path, "/GuardDuty/") {
			versions = append(versions, json.RawMessage(strings.TrimSpace(f.Content)))
		}
	}
	resp, body := get(t, "/api/v1/events?entity=Finding/"+analysistest.FindingID)
	var arr []json.RawMessage
	if err := json.Unmarshal(body, &arr); err != nil || resp.Header.Get("X-Trailhound-Source") != "guardduty" || len(arr) != 2 ||
		string(arr[0]) != string(versions[0]) || string(arr[1]) != string(versions[1]) {
		t.Errorf("finding versions: %v %s", err, body)
	}
	_, body = get(t, "/api/v1/events?entity=Ec2Instance/"+analysistest.InstanceID+"&source=guardduty&format=csv&"+dayScope)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != analysistest.FindingID || rows[1][3] != "8" || rows[1][11] != "true" {
		t.Errorf("finding csv: %v %q", err, rows)
	}
	_, body = get(t, "/api/v1/findings/"+analysistest.FindingID)
	var f struct {
		Related        []analysis.RelatedFinding
		RelatedIgnored []analysis.IgnoredEntity
		DefaultScope   analysis.ScopeJSON
	}
	if err := json.Unmarshal(body, &f); err != nil || f.Related == nil || len(f.RelatedIgnored) != 1 || f.DefaultScope.End == 0 ||
		!bytes.Contains(body, []byte(`"related":[]`)) {
		t.Errorf("finding: %v %s", err, body)
	}
}
