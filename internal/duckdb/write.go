package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/graph"
)

// Write stores objects in one transaction: either all of them and
// everything they contributed, or nothing. Objects whose content was stored
// before are recorded as duplicates; events and finding versions stored
// before (from another object) are not stored again and count nothing.
func (s *Store) Write(ctx context.Context, objs []graph.ObjectWrite, enrich graph.Enricher) ([]graph.ObjectResult, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.loadSets(ctx); err != nil {
		return nil, fmt.Errorf("duckdb: write: %w", err)
	}

	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("duckdb: write: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("duckdb: write: begin: %w", err)
	}
	w := &writer{s: s, conn: conn, batchID: s.nextBatch, nextObject: s.nextObject, enrich: enrich, newIPs: map[int64]uint32{}}
	began := time.Now()
	results, err := w.run(ctx, objs)
	if err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, err
	}
	staged := time.Now()
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, fmt.Errorf("duckdb: write: commit: %w", err)
	}
	s.log.Debug("write_committed", "objects", len(objs), "batch", w.batchID, "stage_ms", staged.Sub(began).Milliseconds(),
		"append_ms", w.appendTime.Milliseconds(), "derive_ms", w.deriveTime.Milliseconds(), "commit_ms", time.Since(staged).Milliseconds())
	s.nextBatch++
	s.nextObject = w.nextObject
	for i, r := range results {
		if r.Status == graph.StatusStored {
			if k, ok := shaKey(objs[i].SHA256); ok {
				s.storedSHAs[k] = struct{}{}
			}
		}
	}
	for k, asn := range w.newIPs {
		s.knownIPs[k] = asn
	}
	return results, nil
}

type writer struct {
	s          *Store
	conn       *sql.Conn
	batchID    int64
	nextObject int64
	enrich     graph.Enricher
	newIPs     map[int64]uint32

	appendTime, deriveTime time.Duration
}

// staged holds what survives deduplication, ready to append.
type staged struct {
	objectID int64
	batch    *graph.Batch
	calls    []*graph.Call
	findings []*trailhound.Finding
	dupIDs   map[string]bool // event ids and finding versions already stored
}

func (w *writer) run(ctx context.Context, objs []graph.ObjectWrite) ([]graph.ObjectResult, error) {
	now := time.Now().UTC()
	results := make([]graph.ObjectResult, len(objs))
	shas, err := w.existingSHAs(ctx, objs)
	if err != nil {
		return nil, err
	}
	var work []*staged
	calls := 0
	for _, o := range objs {
		if o.Batch != nil {
			calls += len(o.Batch.Calls)
		}
	}
	// Sized up front: growing a map of a write's hundred thousand ids
	// rehashes them several times.
	seenCall := make(map[string]bool, calls)
	seenFinding := map[string]bool{}
	var objectRows [][]driver.Value
	for i, o := range objs {
		id := w.nextObject
		w.nextObject++
		status := graph.StatusStored
		var records int64
		switch {
		case o.Batch == nil:
			status = graph.StatusSkipped
		case shas[o.SHA256]:
			status = graph.StatusDuplicate
		}
		results[i] = graph.ObjectResult{Status: status, New: map[trailhound.Source]int64{}}
		if status == graph.StatusStored {
			shas[o.SHA256] = true
			st := &staged{objectID: id, batch: o.Batch, dupIDs: map[string]bool{}}
			for j := range o.Batch.Calls {
				c := &o.Batch.Calls[j]
				if seenCall[c.EventID] {
					st.dupIDs[c.EventID] = true
					continue
				}
				seenCall[c.EventID] = true
				st.calls = append(st.calls, c)
			}
			for _, f := range o.Batch.Findings {
				v := findingVersion(f)
				if seenFinding[v] {
					st.dupIDs[v] = true
					continue
				}
				seenFinding[v] = true
				st.findings = append(st.findings, f)
			}
			work = append(work, st)
			ev := o.Batch.Events()
			for _, n := range ev {
				records += n
			}
		}
		objectRows = append(objectRows, []driver.Value{id, o.URI, o.Key, o.Size, nullTime(o.ModTime), o.ETag, o.SHA256, string(o.Source), status, o.Reason, records, now, w.batchID})
	}
	if err := w.dropStored(ctx, work); err != nil {
		return nil, err
	}
	t := time.Now()
	err = w.conn.Raw(func(dc any) error {
		c := dc.(driver.Conn)
		if err := appendRows(c, "objects", objectRows); err != nil {
			return err
		}
		return w.appendAll(c, work)
	})
	if err != nil {
		return nil, err
	}
	w.appendTime = time.Since(t)
	var conns []map[graph.ConnKey]*graph.ConnAgg
	for _, st := range work {
		conns = append(conns, st.batch.Conns)
	}
	if err := markConnDays(ctx, w.conn, conns...); err != nil {
		return nil, err
	}
	t = time.Now()
	if err := w.derive(ctx); err != nil {
		return nil, err
	}
	w.deriveTime = time.Since(t)
	// Tally what each stored object contributed for the first time.
	j := 0
	for i, o := range objs {
		if results[i].Status != graph.StatusStored {
			continue
		}
		st := work[j]
		j++
		results[i].New[trailhound.SourceCloudTrail] = int64(len(st.calls))
		results[i].New[trailhound.SourceGuardDuty] = int64(len(st.findings))
		results[i].New[trailhound.SourceVPCFlow] = o.Batch.FlowRecords
		results[i].Duplicates = int64(len(o.Batch.Calls)-len(st.calls)) + int64(len(o.Batch.Findings)-len(st.findings))
	}
	return results, nil
}

func findingVersion(f *trailhound.Finding) string {
	return f.ID + "@" + f.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
}

// existingSHAs returns which of the objects' content hashes are stored.
func (w *writer) existingSHAs(ctx context.Context, objs []graph.ObjectWrite) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range objs {
		if o.Batch == nil {
			continue
		}
		if k, ok := shaKey(o.SHA256); ok {
			if _, stored := w.s.storedSHAs[k]; stored {
				out[o.SHA256] = true
			}
		}
	}
	return out, nil
}

// dropStored removes from the staged objects the events and finding
// versions that an earlier object already stored.
func (w *writer) dropStored(ctx context.Context, work []*staged) error {
	filter, err := w.eventIDs(ctx)
	if err != nil {
		return err
	}
	var ids []driver.Value
	var minT, maxT time.Time
	for _, st := range work {
		for _, c := range st.calls {
			if !filter.mayHave(c.EventID) {
				continue
			}
			ids = append(ids, c.EventID)
			if minT.IsZero() || c.Time.Before(minT) {
				minT = c.Time
			}
			if c.Time.After(maxT) {
				maxT = c.Time
			}
		}
	}
	existing := map[string]bool{}
	if len(ids) > 0 {
		if _, err := w.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE stage_ids (event_id VARCHAR)`); err != nil {
			return fmt.Errorf("duckdb: write: %w", err)
		}
		err := w.conn.Raw(func(dc any) error {
			a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage_ids")
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := a.AppendRow(id); err != nil {
					a.Close()
					return err
				}
			}
			return a.Close()
		})
		if err != nil {
			return fmt.Errorf("duckdb: write: stage ids: %w", err)
		}
		rows, err := w.conn.QueryContext(ctx, `SELECT s.event_id FROM stage_ids s
			JOIN (SELECT event_id FROM events WHERE event_time BETWEEN ? AND ?) e ON e.event_id = s.event_id`, minT, maxT)
		if err != nil {
			return fmt.Errorf("duckdb: write: dedupe: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			existing[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := w.conn.ExecContext(ctx, `DROP TABLE stage_ids`); err != nil {
			return fmt.Errorf("duckdb: write: %w", err)
		}
	}
	for _, st := range work {
		for _, f := range st.findings {
			var n int
			if err := w.conn.QueryRowContext(ctx, `SELECT count(*) FROM findings WHERE id = ? AND updated_at = ?`, f.ID, f.UpdatedAt.UTC()).Scan(&n); err != nil {
				return fmt.Errorf("duckdb: write: dedupe findings: %w", err)
			}
			if n > 0 {
				existing[findingVersion(f)] = true
			}
		}
	}
	// The ids stored now join the filter already: should the write fail,
	// they only cost look-ups later.
	defer func() {
		for _, st := range work {
			for _, c := range st.calls {
				filter.add(c.EventID)
			}
		}
	}()
	if len(existing) == 0 {
		return nil
	}
	for _, st := range work {
		kept := st.calls[:0]
		for _, c := range st.calls {
			if existing[c.EventID] {
				st.dupIDs[c.EventID] = true
				continue
			}
			kept = append(kept, c)
		}
		st.calls = kept
		keptF := st.findings[:0]
		for _, f := range st.findings {
			if existing[findingVersion(f)] {
				st.dupIDs[findingVersion(f)] = true
				continue
			}
			keptF = append(keptF, f)
		}
		st.findings = keptF
	}
	return nil
}

// appendAll appends every staged row through DuckDB appenders, one table
// after the other, computing rows as it goes rather than holding them all.
func (w *writer) appendAll(c driver.Conn, work []*staged) error {
	err := appendTable(c, "events", func(add func(...driver.Value) error) error {
		// One row buffer for all: the appender copies the values.
		row := make([]driver.Value, 0, 26)
		for _, st := range work {
			for _, call := range st.calls {
				row = callRow(row[:0], call, st.objectID, w.batchID)
				if err := add(row...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Addresses first: enrichment decides which autonomous systems the
	// entities of this write include.
	asIPs := map[int64]uint32{}  // address key → AS number, for addresses of this write
	asOrg := map[uint32]string{} // AS number → organization, for addresses enriched now
	err = appendTable(c, "ip_info", func(add func(...driver.Value) error) error {
		for _, st := range work {
			for ip := range st.batch.IPs {
				key := trailhound.EntityRef{Type: trailhound.IPAddress, ID: ip}.Key()
				asn, known := w.s.knownIPs[key]
				if !known {
					asn, known = w.newIPs[key]
				}
				if !known {
					info, looked := st.batch.IPInfo[ip]
					if !looked && w.enrich != nil {
						info = w.enrich(ip)
					}
					if info.Class == "" {
						info.Class = "unknown"
					}
					asn = info.ASN
					w.newIPs[key] = asn
					asOrg[asn] = info.ASOrg
					located := info.Country != "" || info.City != ""
					if err := add(key, ip, info.Class, nullString(info.Country), nullString(info.CountryName), nullString(info.Region), nullString(info.City),
						nullFloat(info.Latitude, located), nullFloat(info.Longitude, located), nullASN(info.ASN), nullString(info.ASOrg)); err != nil {
						return err
					}
				}
				if asn != 0 {
					asIPs[key] = asn
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	merged := map[int64]*graph.Entity{}
	for _, st := range work {
		for k, e := range st.batch.Entities {
			if m := merged[k]; m != nil {
				mergeEntity(m, e)
				continue
			}
			cp := *e
			merged[k] = &cp
		}
	}
	// The autonomous system of every address seen in this write is
	// observed with the times the address was seen, whether the address
	// was enriched now or before, so that the result does not depend on
	// which write saw an address first. Which system an address belongs
	// to is ip_info's asn column; it is not repeated as relationships.
	for key, asn := range asIPs {
		ent := merged[key]
		if ent == nil {
			continue
		}
		asRef := trailhound.EntityRef{Type: trailhound.AutonomousSystem, ID: fmt.Sprintf("AS%d", asn)}
		ak := asRef.Key()
		as := &graph.Entity{Ref: asRef, Key: ak, Label: asOrg[asn], First: ent.First, Last: ent.Last}
		if m := merged[ak]; m != nil {
			mergeEntity(m, as)
		} else {
			merged[ak] = as
		}
	}
	keys := make([]int64, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	err = appendTable(c, "entities", func(add func(...driver.Value) error) error {
		for _, k := range keys {
			e := merged[k]
			if err := add(k, string(e.Ref.Type), e.Ref.ID, nullString(e.Label), nullString(e.ARN), nullString(e.Account), e.First.UTC(), e.Last.UTC(), w.batchID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTable(c, "edges", func(add func(...driver.Value) error) error {
		// Links observed on many events carry no count, only their first
		// and last observation, so each object's row of such a link folds
		// into one row per write: most objects repeat the same few links
		// (a principal in its account, a key of its user).
		type link struct {
			kind     graph.RelKind
			src, dst int64
		}
		seen := map[link]int{}
		var links []graph.Edge
		for _, st := range work {
			for _, e := range st.batch.Edges {
				if e.EventID == "" {
					k := link{e.Kind, e.Src, e.Dst}
					if i, ok := seen[k]; ok {
						l := &links[i]
						if e.First.Before(l.First) {
							l.First = e.First
						}
						if e.Last.After(l.Last) {
							l.Last = e.Last
						}
						continue
					}
					seen[k] = len(links)
					links = append(links, e)
					continue
				}
				if st.dupIDs[e.EventID] {
					continue
				}
				if err := add(string(e.Kind), e.Src, e.Dst, graph.Hour(e.First), int64(1), int64(0), e.First.UTC(), e.Last.UTC(), e.EventID, w.batchID); err != nil {
					return err
				}
			}
		}
		for _, e := range links {
			if err := add(string(e.Kind), e.Src, e.Dst, graph.Hour(e.First), int64(0), int64(0), e.First.UTC(), e.Last.UTC(), nil, w.batchID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTable(c, "facts", func(add func(...driver.Value) error) error {
		for _, st := range work {
			for _, f := range st.batch.Facts {
				if f.EventID != "" && st.dupIDs[f.EventID] {
					continue
				}
				if err := add(f.Key, f.Name, f.Value, f.Time.UTC(), nullString(f.EventID), w.batchID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTable(c, "flows", func(add func(...driver.Value) error) error {
		for _, st := range work {
			for k, a := range st.batch.Flows {
				if err := add(flowRow(k, a, st.objectID, w.batchID)...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTable(c, "flow_conns", func(add func(...driver.Value) error) error {
		for _, st := range work {
			for k, a := range st.batch.Conns {
				if err := addConn(add, k, a, w.batchID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return appendTable(c, "findings", func(add func(...driver.Value) error) error {
		for _, st := range work {
			for _, f := range st.findings {
				if err := add(findingRow(f, st.objectID, w.batchID)...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// mergeEntity folds observation e into m.
func mergeEntity(m, e *graph.Entity) {
	if e.First.Before(m.First) {
		m.First = e.First
	}
	if e.Last.After(m.Last) {
		m.Last = e.Last
	}
	m.Label = graph.PreferLabel(m.Ref.ID, m.Label, e.Label)
	if m.ARN == "" {
		m.ARN = e.ARN
	}
	if m.Account == "" {
		m.Account = e.Account
	}
}

// appendTable opens an appender on table and lets fill add rows to it.
func appendTable(c driver.Conn, table string, fill func(add func(...driver.Value) error) error) error {
	a, err := duckdb.NewAppenderFromConn(c, "", table)
	if err != nil {
		return fmt.Errorf("duckdb: appender %s: %w", table, err)
	}
	err = fill(func(row ...driver.Value) error { return a.AppendRow(row...) })
	if err != nil {
		a.Close()
		return fmt.Errorf("duckdb: append %s: %w", table, err)
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("duckdb: append %s: %w", table, err)
	}
	return nil
}

// derive computes the relationships implied by every new event — actor
// used IP, user agent, API, access key, bucket; IP with user agent and API
// — as hourly success and failure counts, and the hourly activity rows.
func (w *writer) derive(ctx context.Context) error {
	_, err := w.conn.ExecContext(ctx, `
INSERT INTO edges (kind, src, dst, hour, success, failure, first_seen, last_seen, event_id, batch_id)
WITH ev AS (
    SELECT principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
           date_trunc('hour', event_time) AS hour, event_time, failed
    FROM events WHERE batch_id = $1
),
actors AS (
    SELECT unnest([principal_key, role_key, account_key]) AS actor, * FROM ev
),
pairs AS (
    SELECT 'used_ip' AS kind, actor AS src, ip_key AS dst, hour, event_time, failed FROM actors
    UNION ALL SELECT 'used_user_agent', actor, ua_key, hour, event_time, failed FROM actors
    UNION ALL SELECT 'called_api', actor, api_key, hour, event_time, failed FROM actors
    UNION ALL SELECT 'used_access_key', actor, access_key_key, hour, event_time, failed FROM actors
    UNION ALL SELECT 'acted_on_bucket', actor, bucket_key, hour, event_time, failed FROM actors
    UNION ALL SELECT 'ip_user_agent', ip_key, ua_key, hour, event_time, failed FROM ev
    UNION ALL SELECT 'called_api', ip_key, api_key, hour, event_time, failed FROM ev
    UNION ALL SELECT 'called_api', ua_key, api_key, hour, event_time, failed FROM ev
    UNION ALL SELECT 'called_api', access_key_key, api_key, hour, event_time, failed FROM ev
)
SELECT kind, src, dst, hour,
       count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed),
       min(event_time), max(event_time), NULL, $1
FROM pairs WHERE src <> 0 AND dst <> 0 AND src <> dst
GROUP BY kind, src, dst, hour`, w.batchID)
	if err != nil {
		return fmt.Errorf("duckdb: write: derive relationships: %w", err)
	}
	// The same events counted per hour and combination of keys, for the
	// panels that read whole baselines (migration 005).
	_, err = w.conn.ExecContext(ctx, `
INSERT INTO activity
SELECT date_trunc('hour', event_time), principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
       CASE WHEN ip_key = 0 THEN coalesce(source_ip, '') ELSE '' END AS ip_text,
       count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed), min(event_time), max(event_time), $1
FROM events WHERE batch_id = $1
GROUP BY ALL`, w.batchID)
	if err != nil {
		return fmt.Errorf("duckdb: write: derive hourly activity: %w", err)
	}
	_, err = w.conn.ExecContext(ctx, `
INSERT INTO object_accounts
SELECT object_id, 'cloudtrail', recipient_account, min(aws_region), min(event_time), max(event_time), count(*), $1
FROM events WHERE batch_id = $1 GROUP BY object_id, recipient_account
UNION ALL
SELECT object_id, 'vpcflow', account, min(region), min(coalesce(first_start, hour)), max(coalesce(last_end, hour)), sum(records), $1
FROM flows WHERE batch_id = $1 GROUP BY object_id, account
UNION ALL
SELECT object_id, 'guardduty', account, min(region), min(updated_at), max(updated_at), count(*), $1
FROM findings WHERE batch_id = $1 GROUP BY object_id, account`, w.batchID)
	if err != nil {
		return fmt.Errorf("duckdb: write: summarize objects: %w", err)
	}
	_, err = w.conn.ExecContext(ctx, `
INSERT INTO flow_hours
SELECT hour, 'instance', instance_key, coalesce(direction, ''), coalesce(port, 0), coalesce(protocol, -1), coalesce(action, ''), sum(bytes), sum(records), $1
FROM flows WHERE batch_id = $1 AND instance_key <> 0 AND hour IS NOT NULL GROUP BY ALL
UNION ALL
SELECT hour, 'local', local_key, coalesce(direction, ''), coalesce(port, 0), coalesce(protocol, -1), coalesce(action, ''), sum(bytes), sum(records), $1
FROM flows WHERE batch_id = $1 AND local_key <> 0 AND hour IS NOT NULL GROUP BY ALL`, w.batchID)
	if err != nil {
		return fmt.Errorf("duckdb: write: hourly flow bytes: %w", err)
	}
	_, err = w.conn.ExecContext(ctx, `
INSERT INTO flow_instances
SELECT hour, local_key, instance_key, sum(bytes), min(first_start), max(last_end), $1
FROM flows WHERE batch_id = $1 AND local_key <> 0 AND instance_key <> 0 AND hour IS NOT NULL GROUP BY hour, local_key, instance_key`, w.batchID)
	if err != nil {
		return fmt.Errorf("duckdb: write: instances of local addresses: %w", err)
	}
	return nil
}

func appendRows(c driver.Conn, table string, rows [][]driver.Value) error {
	if len(rows) == 0 {
		return nil
	}
	a, err := duckdb.NewAppenderFromConn(c, "", table)
	if err != nil {
		return fmt.Errorf("duckdb: appender %s: %w", table, err)
	}
	for _, r := range rows {
		if err := a.AppendRow(r...); err != nil {
			a.Close()
			return fmt.Errorf("duckdb: append %s: %w", table, err)
		}
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("duckdb: append %s: %w", table, err)
	}
	return nil
}

// callRow appends the events row of c to row.
func callRow(row []driver.Value, c *graph.Call, objectID, batchID int64) []driver.Value {
	return append(row,
		c.EventID, c.Time.UTC(), nullString(c.Source), nullString(c.Name), nullString(c.Type), nullString(c.Region),
		nullString(c.RecipientAccount), nullString(c.IdentityType), nullString(c.SourceIP), nullString(c.ErrorCode),
		nullBool(c.ReadOnly), c.MFAAuthenticated, nullString(c.LoginResult), nullString(c.MFAUsed), c.Failed,
		c.PrincipalKey, c.RoleKey, c.AccountKey, c.IPKey, c.UAKey, c.AccessKeyKey, c.APIKey, c.BucketKey,
		objectID, int32(c.Record), batchID,
	)
}

func flowRow(k graph.FlowKey, a *graph.FlowAgg, objectID, batchID int64) []driver.Value {
	var hour any
	if k.Hour != 0 {
		hour = time.Unix(k.Hour, 0).UTC()
	}
	ref := func(ns trailhound.Namespace, id string) int64 {
		if id == "" || (ns == trailhound.Ec2Instance && !graph.IsInstanceID(id)) {
			return 0
		}
		return trailhound.EntityRef{Type: ns, ID: id}.Key()
	}
	ts := func(u int64) any {
		if u <= 0 {
			return nil
		}
		return time.Unix(u, 0).UTC()
	}
	return []driver.Value{hour, nullString(k.Account), nullString(k.InterfaceID), nullString(k.InstanceID), ref(trailhound.Ec2Instance, k.InstanceID),
		nullString(k.LocalAddr), ref(trailhound.IPAddress, k.LocalAddr), nullString(k.RemoteAddr), ref(trailhound.IPAddress, k.RemoteAddr),
		int32(k.Port), int32(k.Protocol), nullString(k.Direction), nullString(k.Action), nullString(k.LogStatus), nullString(k.Region), nullString(k.VPCID),
		a.Bytes, a.Packets, a.Records, ts(a.First), ts(a.Last), objectID, int32(a.FirstLine), int32(a.LastLine), batchID}
}

// markConnDays records the days of connection rows written in the
// transaction of conn as changed, for buildFlowConnDays.
func markConnDays(ctx context.Context, conn *sql.Conn, conns ...map[graph.ConnKey]*graph.ConnAgg) error {
	days := map[int64]bool{}
	for _, m := range conns {
		for k := range m {
			days[floorDiv(k.Hour, 86400)] = true
		}
	}
	for d := range days {
		if _, err := conn.ExecContext(ctx, `INSERT OR IGNORE INTO flow_conn_dirty VALUES (?)`, d); err != nil {
			return fmt.Errorf("duckdb: write: changed days: %w", err)
		}
	}
	return nil
}

// floorDiv is a/b rounded down (days of times before 1970 too).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Sides of a flow_conns row: the entity it is filed under.
const (
	connInstance int8 = 0
	connLocal    int8 = 1
	connRemote   int8 = 2
)

// addConn writes a connection row once for each side that names an
// entity (see migration 006).
func addConn(add func(...driver.Value) error, k graph.ConnKey, a *graph.ConnAgg, batchID int64) error {
	hour := time.Unix(k.Hour, 0).UTC()
	row := func(side int8, key, peer int64) error {
		return add(hour, side, key, peer, k.LocalPort, k.RemotePort, k.Protocol, k.Egress, k.Action,
			a.Bytes, a.Packets, a.Records, a.First, a.Last, batchID)
	}
	if k.InstanceKey != 0 {
		if err := row(connInstance, k.InstanceKey, k.RemoteKey); err != nil {
			return err
		}
	}
	if k.LocalKey != 0 {
		if err := row(connLocal, k.LocalKey, k.RemoteKey); err != nil {
			return err
		}
	}
	if k.RemoteKey != 0 {
		peer := k.InstanceKey
		if peer == 0 {
			peer = k.LocalKey
		}
		if err := row(connRemote, k.RemoteKey, peer); err != nil {
			return err
		}
	}
	return nil
}

func findingRow(f *trailhound.Finding, objectID, batchID int64) []driver.Value {
	return []driver.Value{f.ID, f.UpdatedAt.UTC(), nullTime(f.CreatedAt), nullString(f.ARN), nullString(f.AccountID), nullString(f.Region),
		nullString(f.Type), nullString(f.Title), nullString(f.Description), f.Severity, nullTime(f.FirstSeen), nullTime(f.LastSeen),
		f.Count, f.Archived, nullString(f.ResourceType), nullString(f.ActionType), objectID, batchID, string(f.Raw)}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func nullFloat(f float64, ok bool) any {
	if !ok {
		return nil
	}
	return f
}

func nullASN(n uint32) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}
