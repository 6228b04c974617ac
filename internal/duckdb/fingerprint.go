package duckdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// fingerprintQueries read the graph in a form that does not depend on how
// objects were grouped into transactions: relationships summed over
// batches (links observed on many events, which carry no counts, over
// all hours), entities merged, rows ordered.
var fingerprintQueries = []string{
	`SELECT event_id, event_time, principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key, failed, event_name, source_ip, error_code, login_result FROM events ORDER BY event_id`,
	`SELECT kind, src, dst, CASE WHEN success + failure > 0 THEN hour END, sum(success), sum(failure), min(first_seen), max(last_seen), count(DISTINCT event_id) FROM edges GROUP BY ALL ORDER BY ALL`,
	`SELECT key, namespace, id, min(first_seen), max(last_seen) FROM entities GROUP BY ALL ORDER BY ALL`,
	`SELECT hour, principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key, ip_text, sum(success), sum(failure), min(first_time), max(last_time) FROM activity GROUP BY ALL ORDER BY ALL`,
	`SELECT DISTINCT key, name, value, time, event_id FROM facts ORDER BY ALL`,
	`SELECT key, ip, class, country, city, asn FROM ip_info ORDER BY ALL`,
	`SELECT hour, account, interface_id, instance_key, local_key, remote_key, port, protocol, direction, action, log_status, sum(bytes), sum(packets), sum(records) FROM flows GROUP BY ALL ORDER BY ALL`,
	`SELECT id, updated_at, archived, count, md5(raw) FROM findings ORDER BY ALL`,
	`SELECT hour, side, key, direction, port, protocol, action, sum(bytes), sum(records) FROM flow_hours GROUP BY ALL ORDER BY ALL`,
	`SELECT hour, side, key, peer_key, local_port, remote_port, protocol, egress, action, sum(bytes), sum(packets), sum(records), min(first_start), max(last_end) FROM flow_conns GROUP BY ALL ORDER BY ALL`,
	`SELECT hour, local_key, instance_key, sum(bytes), min(first_start), max(last_end) FROM flow_instances GROUP BY ALL ORDER BY ALL`,
	`SELECT source, account, sum(records), min(first_time), max(last_time) FROM object_accounts GROUP BY ALL ORDER BY ALL`,
}

// Fingerprint returns a digest of everything the graph holds, equal for
// two stores that hold the same data however it was ingested: in one run
// or many, interrupted or not, from one copy of each object or several.
// The objects table (which files were read) is not part of it. Tests use
// it to compare stores.
func (s *Store) Fingerprint(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, q := range fingerprintQueries {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("duckdb: fingerprint: %w", err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintln(h, vals...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		fmt.Fprintln(h, "--")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
