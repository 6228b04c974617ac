package analysis

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/trailhound/trailhound"
)

// IncreasedVolume is the "API calls with increased volume" panel: the
// APIs the entity called more during the scope than its baseline
// predicts. The expected count is the baseline's calls scaled to the
// scope's length; an API is listed when the scope's count exceeds it by
// at least Threshold standard deviations of a Poisson count with that
// mean (at least one), a test that stays meaningful for rare APIs where
// a ratio would not. The minScore parameter sets Threshold (default
// MinIncreaseZ).
type IncreasedVolume struct {
	Entity    Ref            `json:"entity"`
	Scope     ScopeJSON      `json:"scope"`
	Baseline  ScopeJSON      `json:"baseline"`
	Statistic string         `json:"statistic"`
	Threshold float64        `json:"threshold"`
	APIs      []IncreasedAPI `json:"apis"`
}

// IncreasedAPI is one API with more calls than expected. Calls are the
// scope's; BaselineCalls the baseline's; Expected the baseline's calls
// scaled to the scope's length; Score the statistic's value.
type IncreasedAPI struct {
	Label         string  `json:"label"`
	Service       string  `json:"service"`
	API           string  `json:"api"`
	Success       int64   `json:"success"`
	Failure       int64   `json:"failure"`
	Calls         int64   `json:"calls"`
	BaselineCalls int64   `json:"baselineCalls"`
	Expected      float64 `json:"expected"`
	Score         float64 `json:"score"`
}

// MinIncreaseZ is the default score from which an API's volume counts as
// increased.
const MinIncreaseZ = 3.0

func (e *Engine) increasedVolume(ctx context.Context, ent entityRow, scope trailhound.Scope, params map[string]string) (*IncreasedVolume, error) {
	threshold := MinIncreaseZ
	for k, v := range params {
		f, err := strconv.ParseFloat(v, 64)
		if k != "minScore" || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, trailhound.Errorf(trailhound.EINVALID, "panel %s takes one parameter, minScore, a number (got %s=%q)", PanelIncreasedVolume, k, v)
		}
		threshold = f
	}
	sub, ok, err := e.subjectOf(ctx, ent)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trailhound.Errorf(trailhound.EINVALID, "panel %q does not apply to %s entities", PanelIncreasedVolume, ent.Ref.Type)
	}
	base := scope.Baseline(e.baseline)
	count := func(s trailhound.Scope) (map[int64]Counts, error) {
		from, args := e.callsFrom(s.Start, s.End)
		r, err := e.db.QueryContext(ctx, `SELECT api_key, `+sumCalls+` FROM `+from+` WHERE `+sub.where+` GROUP BY api_key`,
			append(args, sub.args...)...)
		if err != nil {
			return nil, fmt.Errorf("analysis: increased volume: %w", err)
		}
		defer r.Close()
		out := map[int64]Counts{}
		for r.Next() {
			var k int64
			var c Counts
			if err := r.Scan(&k, &c.Success, &c.Failure); err != nil {
				return nil, fmt.Errorf("analysis: increased volume: %w", err)
			}
			out[k] = c
		}
		return out, r.Err()
	}
	now, err := count(scope)
	if err != nil {
		return nil, err
	}
	before, err := count(base)
	if err != nil {
		return nil, err
	}
	out := &IncreasedVolume{Entity: Ref{ent.Ref.Type, ent.Ref.ID}, Scope: scopeJSON(scope), Baseline: scopeJSON(base),
		Statistic: "poisson-z", Threshold: threshold, APIs: []IncreasedAPI{}}
	scale := float64(scope.End-scope.Start) / float64(base.End-base.Start)
	keys := map[int64]bool{}
	var found []IncreasedAPI
	var foundKeys []int64
	for k, c := range now {
		calls := c.Success + c.Failure
		b := before[k]
		expected := float64(b.Success+b.Failure) * scale
		z := (float64(calls) - expected) / math.Sqrt(math.Max(expected, 1))
		if z < threshold || float64(calls) <= expected {
			continue
		}
		keys[k] = true
		found = append(found, IncreasedAPI{Success: c.Success, Failure: c.Failure, Calls: calls, BaselineCalls: b.Success + b.Failure,
			Expected: expected, Score: z})
		foundKeys = append(foundKeys, k)
	}
	names, err := e.names(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i].Label = names[foundKeys[i]].Ref.ID
		found[i].Service, found[i].API, _ = strings.Cut(found[i].Label, ":")
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Score != found[j].Score {
			return found[i].Score > found[j].Score
		}
		return found[i].Label < found[j].Label
	})
	if found != nil {
		out.APIs = found
	}
	return out, nil
}
