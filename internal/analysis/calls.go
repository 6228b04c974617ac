package analysis

// The panels that count an entity's CloudTrail calls over a window (the
// scope, a bucket of it, its 45-day baseline) read them from callsFrom:
// the hourly activity rows (one per hour and combination of keys, about
// twenty times fewer than the events) for the window's whole hours, and
// the events for the parts of an hour at either end. The answers are the
// same as counting the events themselves (TestCallsFromMatchesEvents).

// callColumns are the columns of a callsFrom source: the keys of the
// events table, ip_text (the source as recorded when it is not an
// address, else ”), the calls' success and failure counts, and the time
// of the first and the last.
const callColumns = `principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key, ip_text, success, failure, first_time, last_time`

// sumCalls sums the success and failure counts of callsFrom rows.
const sumCalls = `sum(success), sum(failure)`

// callsFrom returns a FROM item, named events, holding the calls of
// [start, end) as rows of callColumns, and its arguments, which come
// before those of the rest of the query.
func (e *Engine) callsFrom(start, end int64) (string, []any) {
	ts := e.dialect.Timestamp()
	fromEvents := `SELECT principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
CASE WHEN ip_key = 0 THEN coalesce(source_ip, '') ELSE '' END,
CASE WHEN failed THEN 0 ELSE 1 END, CASE WHEN failed THEN 1 ELSE 0 END, event_time, event_time
FROM events WHERE event_time >= ` + ts + ` AND event_time < ` + ts
	first, last := (start+Hour-1)/Hour*Hour, end/Hour*Hour
	if start < 0 || first >= last {
		// No whole hour: the events alone.
		return `(` + fromEvents + `) AS events(` + callColumns + `)`, []any{start, end}
	}
	q := `(SELECT ` + callColumns + ` FROM activity WHERE hour >= ` + ts + ` AND hour < ` + ts
	args := []any{first, last}
	if start < first {
		q += "\nUNION ALL " + fromEvents
		args = append(args, start, first)
	}
	if last < end {
		q += "\nUNION ALL " + fromEvents
		args = append(args, last, end)
	}
	return q + `) AS events`, args
}
