package api

import (
	"bytes"
	"encoding/csv"
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

// handleEvents streams the raw CloudTrail records attributed to an
// entity, with the activity-details filters: format json (an array, the default), ndjson (one record a line)
// or csv. Parameters are checked before anything is sent; a failure after
// the first byte aborts the connection, so a client never mistakes a
// partial answer for a whole one.
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
		if k != "entity" && k != "scopeStart" && k != "scopeEnd" && k != "format" && len(v) > 0 {
			filters[k] = v[0]
		}
	}
	stream, err := s.a.Events(r.Context(), analysis.EventsRequest{Entity: ref, Start: start, End: end, Filters: filters})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Trailhound-Scope", strconv.FormatInt(stream.Scope.Start, 10)+"-"+strconv.FormatInt(stream.Scope.End, 10))
	var each func(*trailhound.APICall) error
	var finish func() error
	n := 0
	switch format {
	case "json":
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte("["))
		each = func(c *trailhound.APICall) error {
			if n > 0 {
				w.Write([]byte(",\n"))
			}
			n++
			_, err := w.Write(c.Raw)
			return err
		}
		finish = func() error { _, err := w.Write([]byte("]\n")); return err }
	case "ndjson":
		h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
		var buf bytes.Buffer
		each = func(c *trailhound.APICall) error {
			// One record per line: a record laid out over several lines
			// is compacted, which leaves its values untouched.
			buf.Reset()
			if err := json.Compact(&buf, c.Raw); err != nil {
				return err
			}
			buf.WriteByte('\n')
			_, err := w.Write(buf.Bytes())
			return err
		}
		finish = func() error { return nil }
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="events.csv"`)
		cw := csv.NewWriter(w)
		cw.Write(csvHeader)
		each = func(c *trailhound.APICall) error {
			id := c.Identity
			return cw.Write([]string{c.Time.UTC().Format(time.RFC3339Nano), c.EventID, c.Source, c.Name, c.Region, c.RecipientAccount,
				id.Type, id.PrincipalID, id.ARN, id.AccessKeyID, c.SourceIP, c.UserAgent, c.ErrorCode, c.ErrorMessage})
		}
		finish = func() error { cw.Flush(); return cw.Error() }
	}
	err = stream.Each(r.Context(), each)
	if err == nil {
		err = finish()
	}
	if err != nil {
		s.log.Error("events_stream_failed", "entity", ref.String(), "error", err.Error())
		panic(http.ErrAbortHandler)
	}
}
