package analysis

import "context"

// IndexSearches builds the search index now and has e answer searches
// without a scope from it, as a server does once its warm-up finished.
func (e *Engine) IndexSearches(ctx context.Context) error {
	idx, err := e.buildSearchIndex(ctx)
	if err != nil {
		return err
	}
	s := &e.search
	s.mu.Lock()
	s.enabled, s.ctx = true, ctx
	s.mu.Unlock()
	s.current.Store(idx)
	return nil
}

// SearchIndexed reports whether e's index is current.
func (e *Engine) SearchIndexed(ctx context.Context) bool {
	idx, _ := e.usableSearchIndex(ctx)
	return idx != nil
}

// LocateBaselinesBySQL has new-geolocations and the summary join every
// baseline with the address table, as they do for baselines of many
// addresses, until the returned function restores the bound.
func LocateBaselinesBySQL() (restore func()) {
	old := maxLocatedKeys
	maxLocatedKeys = 0
	return func() { maxLocatedKeys = old }
}

// MapAddressesBySQL has the newly observed autonomous systems mapped
// from addresses in one query with the address table, as they are for
// many addresses, until the returned function restores the bound.
func MapAddressesBySQL() (restore func()) {
	old := maxMappedAddresses
	maxMappedAddresses = 0
	return func() { maxMappedAddresses = old }
}

// CheckFarSideHourly has the far side of addresses checked hour by hour
// against the near side's hours instead of by runs of hours, until the
// returned function restores the bound.
func CheckFarSideHourly() (restore func()) {
	old := maxFarGaps
	maxFarGaps = -1
	return func() { maxFarGaps = old }
}

// SetEventBatch has raw CloudTrail records located and read n at a time
// until the returned function restores the batch size.
func SetEventBatch(n int) (restore func()) {
	old := eventBatch
	eventBatch = n
	return func() { eventBatch = old }
}

// FlowDayStats reports how many VPC flow details views the daily rows
// answered, and how many they could not settle, so far.
func FlowDayStats() (answered, unsettled int64) {
	return flowDayAnswered.Load(), flowDayUnsettled.Load()
}

// SetFlowDayDepth sets how deep each day's rows are read per row asked
// for, and the most partial-day hours a window may have, until the
// returned function restores them.
func SetFlowDayDepth(depth int, edgeHours int64) (restore func()) {
	d, h := flowDayDepth, flowDayEdgeHours
	flowDayDepth, flowDayEdgeHours = depth, edgeHours
	return func() { flowDayDepth, flowDayEdgeHours = d, h }
}
