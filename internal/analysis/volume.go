package analysis

import (
	"context"
	"fmt"

	"github.com/trailhound/trailhound"
)

// Counts are successful and failed API calls.
type Counts struct {
	Success int64 `json:"success"`
	Failure int64 `json:"failure"`
}

// VolumeBucket is one point of the API call volume series. The baseline
// values are the baseline's average per bucket of the same size.
type VolumeBucket struct {
	Start           int64   `json:"start"`
	Success         int64   `json:"success"`
	Failure         int64   `json:"failure"`
	BaselineSuccess float64 `json:"baselineSuccess"`
	BaselineFailure float64 `json:"baselineFailure"`
}

// APICallVolume is the "Overall API call volume" panel: successful and
// failed calls per bucket over the scope, every bucket present (zeros
// included), with the baseline's average per bucket alongside.
type APICallVolume struct {
	Entity         Ref            `json:"entity"`
	Scope          ScopeJSON      `json:"scope"`
	Baseline       ScopeJSON      `json:"baseline"`
	BucketSeconds  int64          `json:"bucketSeconds"`
	Buckets        []VolumeBucket `json:"buckets"`
	Totals         Counts         `json:"totals"`
	BaselineTotals Counts         `json:"baselineTotals"`
	// Basis says what the counts were summed from: "relationships" (the
	// hourly rows, when scope and buckets fall on whole hours) or
	// "events". Both give the same numbers; the first is faster.
	Basis string `json:"basis"`
}

// apiCallVolume computes the panel for an entity whose type has a subject.
func (e *Engine) apiCallVolume(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*APICallVolume, error) {
	if err := noParams(PanelAPICallVolume, params); err != nil {
		return nil, err
	}
	sub, ok, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelAPICallVolume, ent.Ref.Type)
	}
	width := BucketSeconds(scope)
	base := scope.Baseline(e.baseline)
	n := ceilDiv(scope.End-scope.Start, width)
	out := &APICallVolume{
		Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Baseline: scopeJSON(base),
		BucketSeconds: width, Buckets: make([]VolumeBucket, n), Basis: "events",
	}
	for i := range out.Buckets {
		out.Buckets[i].Start = scope.Start + int64(i)*width
	}
	series, totals := e.volumeFromEvents, e.volumeTotalFromEvents
	if sub.edges && hourly(scope.Start) && hourly(scope.End) && hourly(base.Start) && width%Hour == 0 {
		series, totals, out.Basis = e.volumeFromEdges, e.volumeTotalFromEdges, "relationships"
	}
	counts, err := series(ctx, sub, ent.Key, scope, width)
	if err != nil {
		return nil, err
	}
	for i, c := range counts {
		if i >= 0 && i < n {
			out.Buckets[i].Success += c.Success
			out.Buckets[i].Failure += c.Failure
			out.Totals.Success += c.Success
			out.Totals.Failure += c.Failure
		}
	}
	if out.BaselineTotals, err = totals(ctx, sub, ent.Key, base); err != nil {
		return nil, err
	}
	// The baseline average is over every bucket of the baseline, active
	// or not, as Detective averages over the whole baseline period.
	if nb := float64(base.End-base.Start) / float64(width); nb > 0 {
		for i := range out.Buckets {
			out.Buckets[i].BaselineSuccess = float64(out.BaselineTotals.Success) / nb
			out.Buckets[i].BaselineFailure = float64(out.BaselineTotals.Failure) / nb
		}
	}
	return out, nil
}

func hourly(t int64) bool { return t%Hour == 0 }

// bucketExpr is the index of the bucket a time column falls in, for a
// series that starts at the first placeholder with buckets as long as the
// second.
func (e *Engine) bucketExpr(col string) string {
	return "CAST(floor((" + e.dialect.EpochSeconds(col) + " - ?) / ?) AS BIGINT)"
}

const sumCounts = `sum(CASE WHEN failed THEN 0 ELSE 1 END), sum(CASE WHEN failed THEN 1 ELSE 0 END)`

func (e *Engine) volumeFromEvents(ctx context.Context, sub subject, key int64, scope trailhound.Scope, width int64) (map[int64]Counts, error) {
	ts := e.dialect.Timestamp()
	q := `SELECT ` + e.bucketExpr("event_time") + ` AS b, ` + sumCounts + `
FROM events WHERE ` + sub.where + ` AND event_time >= ` + ts + ` AND event_time < ` + ts + ` GROUP BY b`
	args := append([]any{scope.Start, width}, sub.args...)
	args = append(args, scope.Start, scope.End)
	return e.seriesQuery(ctx, q, args)
}

func (e *Engine) volumeFromEdges(ctx context.Context, _ subject, key int64, scope trailhound.Scope, width int64) (map[int64]Counts, error) {
	ts := e.dialect.Timestamp()
	q := `SELECT ` + e.bucketExpr("hour") + ` AS b, sum(success), sum(failure)
FROM edges WHERE kind = 'called_api' AND src = ? AND hour >= ` + ts + ` AND hour < ` + ts + ` GROUP BY b`
	return e.seriesQuery(ctx, q, []any{scope.Start, width, key, scope.Start, scope.End})
}

func (e *Engine) seriesQuery(ctx context.Context, q string, args []any) (map[int64]Counts, error) {
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analysis: api call volume: %w", err)
	}
	defer rows.Close()
	out := map[int64]Counts{}
	for rows.Next() {
		var b int64
		var c Counts
		if err := rows.Scan(&b, &c.Success, &c.Failure); err != nil {
			return nil, fmt.Errorf("analysis: api call volume: %w", err)
		}
		out[b] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analysis: api call volume: %w", err)
	}
	return out, nil
}

func (e *Engine) volumeTotalFromEvents(ctx context.Context, sub subject, key int64, s trailhound.Scope) (Counts, error) {
	from, args := e.callsFrom(s.Start, s.End)
	q := `SELECT coalesce(sum(success), 0), coalesce(sum(failure), 0) FROM ` + from + ` WHERE ` + sub.where
	args = append(args, sub.args...)
	var c Counts
	if err := e.db.QueryRowContext(ctx, q, args...).Scan(&c.Success, &c.Failure); err != nil {
		return c, fmt.Errorf("analysis: api call volume baseline: %w", err)
	}
	return c, nil
}

func (e *Engine) volumeTotalFromEdges(ctx context.Context, _ subject, key int64, s trailhound.Scope) (Counts, error) {
	ts := e.dialect.Timestamp()
	q := `SELECT coalesce(sum(success), 0), coalesce(sum(failure), 0)
FROM edges WHERE kind = 'called_api' AND src = ? AND hour >= ` + ts + ` AND hour < ` + ts
	var c Counts
	if err := e.db.QueryRowContext(ctx, q, key, s.Start, s.End).Scan(&c.Success, &c.Failure); err != nil {
		return c, fmt.Errorf("analysis: api call volume baseline: %w", err)
	}
	return c, nil
}
