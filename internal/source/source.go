// Package source defines how log formats plug into ingestion. Each format
// lives in a sub-package (cloudtrail, vpcflow, guardduty) that registers a
// Decoder from its init function; the ingest pipeline asks every registered
// decoder which one recognizes an object, from its key and its first bytes,
// and hands the decompressed content to that one.
package source

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/trailhound/trailhound"
)

// Sink receives the normalized records a decoder emits, in object order.
// An error returned by the sink stops decoding and is returned by Decode.
//
// *APICall and *Finding values, and everything they point to, belong to the
// sink once passed. A *Flow, and the strings in it, are only valid during
// the call: decoders reuse them so that flow decoding allocates nothing per
// record; a sink that keeps a value must copy it (strings.Clone).
type Sink interface {
	APICall(*trailhound.APICall) error
	Flow(*trailhound.Flow) error
	Finding(*trailhound.Finding) error
}

// LineFilter is implemented by sinks that read back only some records of
// an object already ingested (the raw records behind a number). A decoder
// that supports it — the VPC flow decoder — asks before it parses each
// record line, and neither parses nor checks a line the filter refuses.
// line is the line number in the object (from 1), text the line without
// its line break. A filter must keep every line whose record it could
// use: a refused line's record is never seen.
type LineFilter interface {
	KeepLine(line int, text []byte) bool
}

// Confidence is how sure a decoder is that an object is in its format.
type Confidence int

// Levels of Confidence, from none to certain.
const (
	No      Confidence = iota // not this format
	Content                   // the content looks like this format
	Key                       // the S3 key layout says this format
)

// Decoder reads one decompressed object of a format and emits normalized
// records. Implementations must be safe for concurrent use: the pipeline
// decodes several objects at once with one Decoder.
type Decoder interface {
	// Source names the format family.
	Source() trailhound.Source
	// Detect says whether the object is in this decoder's format, from its
	// key (path or URI, with any .gz suffix removed) and its first bytes
	// (up to 16 KiB, decompressed; it may end inside a record).
	Detect(key string, head []byte) Confidence
	// Decode reads r to the end and emits every record to sink. Errors in
	// the content are *trailhound.DecodeError naming key and the position;
	// objects that are recognized but carry no events return *Skip.
	Decode(ctx context.Context, key string, r io.Reader, sink Sink) error
}

// Skip is returned by Decode for objects that are in the decoder's format
// but deliberately hold nothing to store, such as CloudTrail digest files.
// It is not a failure.
type Skip struct {
	Reason string
}

// Error implements the error interface.
func (s *Skip) Error() string { return "skipped: " + s.Reason }

// IsSkip reports whether err is a *Skip, and returns it.
func IsSkip(err error) (*Skip, bool) {
	var s *Skip
	ok := errors.As(err, &s)
	return s, ok
}

var (
	mu       sync.RWMutex
	decoders = map[trailhound.Source]Decoder{}
)

// Register makes a decoder available to ingestion. It panics if a decoder
// for the same source is registered twice, which is a programming error.
func Register(d Decoder) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := decoders[d.Source()]; dup {
		panic("source: duplicate decoder for " + string(d.Source()))
	}
	decoders[d.Source()] = d
}

// Decoders returns the registered decoders sorted by source name.
func Decoders() []Decoder {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Decoder, 0, len(decoders))
	for _, d := range decoders {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source() < out[j].Source() })
	return out
}

// Detect returns the decoder most confident about the object, or nil when
// none recognizes it. A key-layout match beats a content match.
func Detect(key string, head []byte) Decoder {
	var best Decoder
	bestConf := No
	for _, d := range Decoders() {
		if c := d.Detect(key, head); c > bestConf {
			best, bestConf = d, c
		}
	}
	return best
}

// HeadSize is how much decompressed content decoders see to recognize an
// object; they cope with a head that ends inside a record.
const HeadSize = 16 << 10

// ForStored returns the decoder of an object read back from the store's
// archive: the one of the source recorded when it was ingested, so that it
// is decoded exactly as ingest decoded it, without detecting its format
// again; or, for an object stored without one, the decoder that recognizes
// its key (compression suffix removed) and first bytes, nil when none
// does. The reader returned replaces r.
func ForStored(r io.Reader, src trailhound.Source, key string) (Decoder, io.Reader, error) {
	if src != "" {
		for _, d := range Decoders() {
			if d.Source() == src {
				return d, r, nil
			}
		}
	}
	br := bufio.NewReaderSize(r, 256<<10)
	head, err := br.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	return Detect(strings.TrimSuffix(strings.TrimSuffix(key, ".gz"), ".GZ"), head), br, nil
}
