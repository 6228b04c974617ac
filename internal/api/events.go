package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/analysis"
)

// csvHeader names the columns of the csv format: the fields an
// investigator filters on, as CloudTrail names them.
var csvHeader = []string{"eventTime", "eventID", "eventSource", "eventName", "awsRegion", "recipientAccountId",
	"userIdentity.type", "userIdentity.principalId", "userIdentity.arn", "userIdentity.accessKeyId",
	"sourceIPAddress", "userAgent", "errorCode", "errorMessage"}

// flowCSVHeader names the columns of flow records in csv: where the
// record was read, its fields as the flow log format names them, and how
// the flow panels count it for the entity.
var flowCSVHeader = []string{"object", "line", "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
	"protocol", "packets", "bytes", "start", "end", "action", "log-status", "vpc-id", "instance-id", "flow-direction",
	"peer", "local-port", "remote-port", "direction", "traffic"}

// findingCSVHeader names the columns of findings in csv.
var findingCSVHeader = []string{"id", "type", "title", "severity", "accountId", "region", "createdAt", "updatedAt",
	"firstSeen", "lastSeen", "count", "archived", "resourceType", "actionType"}

// handleEvents streams the raw records behind an entity's numbers, from
// the source asked for (CloudTrail events by default for the types calls
// are attributed to, VPC flow records for instances, GuardDuty findings
// otherwise), with the filters of the panels they stand behind: format
// json (an array, the default), ndjson (one record a line) or csv.
// Parameters are checked before anything is sent; a failure after the
// first byte aborts the connection, so a client never mistakes a partial
// answer for a whole one.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end, err := scopeParams(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ref, ok := trailhound.ParseEntityRef(q.Get("entity"))
	if !ok {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "entity %q must be <Namespace>/<id>", q.Get("entity")))
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "ndjson" && format != "csv" {
		s.writeError(w, r, trailhound.Errorf(trailhound.EINVALID, "format %q must be json, ndjson or csv", format))
		return
	}
	filters := map[string]string{}
	for k, v := range q {
		if k != "entity" && k != "scopeStart" && k != "scopeEnd" && k != "format" && k != "source" && len(v) > 0 {
			filters[k] = v[0]
		}
	}
	stream, err := s.a.Events(r.Context(), analysis.EventsRequest{Entity: ref, Source: trailhound.Source(q.Get("source")), Start: start, End: end, Filters: filters})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Trailhound-Scope", strconv.FormatInt(stream.Scope.Start, 10)+"-"+strconv.FormatInt(stream.Scope.End, 10))
	h.Set("X-Trailhound-Source", string(stream.Source))
	switch stream.Source {
	case trailhound.SourceVPCFlow:
		err = writeFlowRecords(w, r, stream, format)
	case trailhound.SourceGuardDuty:
		err = writeFindingRecords(w, r, stream, format)
	default:
		err = writeCloudTrailRecords(w, r, stream, format)
	}
	if err != nil {
		s.log.Error("events_stream_failed", "entity", ref.String(), "source", string(stream.Source), "error", err.Error())
		panic(http.ErrAbortHandler)
	}
}

// writeCloudTrailRecords streams CloudTrail records as delivered.
func writeCloudTrailRecords(w http.ResponseWriter, r *http.Request, stream *analysis.EventStream, format string) error {
	rw := newRecordWriter(w, format, "events.csv", csvHeader)
	var buf bytes.Buffer
	err := stream.Each(r.Context(), func(c *trailhound.APICall) error {
		switch format {
		case "json":
			return rw.json(c.Raw)
		case "ndjson":
			// One record per line: a record laid out over several lines
			// is compacted, which leaves its values untouched. Records
			// delivered on one line (CloudTrail's own files) go as they are.
			if bytes.IndexByte(c.Raw, '\n') < 0 && bytes.IndexByte(c.Raw, '\r') < 0 {
				return rw.json(c.Raw)
			}
			buf.Reset()
			if err := json.Compact(&buf, c.Raw); err != nil {
				return err
			}
			return rw.json(buf.Bytes())
		}
		id := c.Identity
		return rw.csv([]string{c.Time.UTC().Format(time.RFC3339Nano), c.EventID, c.Source, c.Name, c.Region, c.RecipientAccount,
			id.Type, id.PrincipalID, id.ARN, id.AccessKeyID, c.SourceIP, c.UserAgent, c.ErrorCode, c.ErrorMessage})
	})
	if err != nil {
		return err
	}
	return rw.finish()
}
