package geoip

import (
	"encoding/binary"
	"net/netip"
	"sync"
)

// DefaultCacheSize is how many distinct public addresses a Reader remembers
// when Config.CacheSize is zero. An entry costs about 200 bytes (the strings
// it holds are shared with the database's string cache), so the default
// stays near 25 MiB; organizations rarely see more distinct addresses in
// the busy part of an ingest, and those beyond it are looked up again.
const DefaultCacheSize = 1 << 17

// cacheShards is a power of two; the shard is chosen by the top bits of a
// multiplicative hash of the address.
const (
	cacheShardBits = 6
	cacheShards    = 1 << cacheShardBits
)

// cache remembers the Info of public addresses. It is sharded to keep lock
// contention low when several ingest workers enrich at once, and bounded by
// generations rather than by an LRU list: each shard fills a young map;
// when that is full, the young map becomes the old one and the previous old
// map is dropped whole. A hit in the old map moves the entry back to the
// young map, so addresses in use survive every turnover while those not
// seen for a generation go. Memory is bounded by two maps per shard, and
// each operation is a map access under a mutex, with no list to maintain
// and no allocation per hit.
//
// Two goroutines that miss on the same address at once both read the
// databases and store the same answer; that wastes one lookup and is
// harmless, so there is no in-flight deduplication.
type cache struct {
	limit  int // entries per generation per shard
	shards [cacheShards]cacheShard
}

type cacheShard struct {
	mu     sync.Mutex
	young  map[netip.Addr]Info
	old    map[netip.Addr]Info
	hits   uint64
	misses uint64
	_      [24]byte // keeps neighbouring shards off one cache line
}

// newCache returns a cache holding at most size entries, rounded up to a
// whole number of entries per shard generation.
func newCache(size int) *cache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	limit := (size + 2*cacheShards - 1) / (2 * cacheShards)
	c := &cache{limit: limit}
	for i := range c.shards {
		c.shards[i].young = make(map[netip.Addr]Info)
	}
	return c
}

func (c *cache) shard(a netip.Addr) *cacheShard {
	b := a.As16()
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	h := (lo ^ hi*0xff51afd7ed558ccd) * 0x9e3779b97f4a7c15
	return &c.shards[h>>(64-cacheShardBits)]
}

// get returns the remembered Info of a, counting a hit or a miss.
func (c *cache) get(a netip.Addr) (Info, bool) {
	s := c.shard(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.young[a]; ok {
		s.hits++
		return v, true
	}
	if v, ok := s.old[a]; ok {
		s.hits++
		delete(s.old, a)
		s.addLocked(c.limit, a, v)
		return v, true
	}
	s.misses++
	return Info{}, false
}

// put remembers the Info of a.
func (c *cache) put(a netip.Addr, v Info) {
	s := c.shard(a)
	s.mu.Lock()
	s.addLocked(c.limit, a, v)
	s.mu.Unlock()
}

func (s *cacheShard) addLocked(limit int, a netip.Addr, v Info) {
	if len(s.young) >= limit {
		if _, ok := s.young[a]; !ok {
			s.old = s.young
			s.young = make(map[netip.Addr]Info, limit)
		}
	}
	s.young[a] = v
}

// stats adds up the counters of every shard.
func (c *cache) stats() (hits, misses uint64, entries int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		hits += s.hits
		misses += s.misses
		entries += len(s.young) + len(s.old)
		s.mu.Unlock()
	}
	return hits, misses, entries
}
