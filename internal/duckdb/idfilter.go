package duckdb

import (
	"context"
	"fmt"
	"hash/maphash"
)

// idFilter is a Bloom filter of the event ids the store holds. Deduplication
// asks the database only about the ids the filter may hold: on a first
// ingest that is none, where joining every write's ids against the events
// read the event ids of the whole table again for each write. A false
// positive costs a look-up, never a wrong answer, so the filter keeps a
// fixed size: 8 MiB with four probes stays under a few percent of false
// positives up to about ten million events and degrades slowly beyond.
type idFilter struct {
	bits []uint64
	seed maphash.Seed
}

const (
	filterBits   = 1 << 26
	filterProbes = 4
)

func newIDFilter() *idFilter {
	return &idFilter{bits: make([]uint64, filterBits/64), seed: maphash.MakeSeed()}
}

// probes returns the filter's positions of id, derived from one 64-bit hash.
func (f *idFilter) probes(id string) (h, step uint64) {
	h = maphash.String(f.seed, id)
	return h, h>>32 | 1
}

func (f *idFilter) add(id string) {
	h, step := f.probes(id)
	for i := 0; i < filterProbes; i++ {
		p := h & (filterBits - 1)
		f.bits[p/64] |= 1 << (p % 64)
		h += step
	}
}

// mayHave reports false when id was never added.
func (f *idFilter) mayHave(id string) bool {
	h, step := f.probes(id)
	for i := 0; i < filterProbes; i++ {
		p := h & (filterBits - 1)
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
		h += step
	}
	return true
}

// eventIDs returns the filter of the stored event ids, reading them on the
// first write of the process.
func (w *writer) eventIDs(ctx context.Context) (*idFilter, error) {
	if w.s.ids != nil {
		return w.s.ids, nil
	}
	f := newIDFilter()
	rows, err := w.conn.QueryContext(ctx, `SELECT event_id FROM events`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: write: load event ids: %w", err)
	}
	defer rows.Close()
	var id string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("duckdb: write: load event ids: %w", err)
		}
		f.add(id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: write: load event ids: %w", err)
	}
	w.s.ids = f
	return f, nil
}
