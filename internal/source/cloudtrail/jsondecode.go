package cloudtrail

import (
	stdjson "encoding/json"
	"fmt"

	json "github.com/goccy/go-json"
)

// noCopyStrings makes go-json return strings that share memory with the
// input instead of copies. It is only used on inputs the decoder allocated
// for one record and hands over with it (the record's Raw), so the strings
// keep alive nothing but that record.
var noCopyStrings = []json.DecodeOptionFunc{json.DecodeNoCopyString()}

// unmarshal decodes data into v with go-json and, should go-json fail or
// panic, again with encoding/json, whose result then stands: go-json is the
// fast path, encoding/json the reference. The fuzz tests check that the two
// agree. With shared set, strings in v may refer to data.
func unmarshal[T any](data []byte, v *T, shared bool) error {
	if err := fastUnmarshal(data, v, shared); err == nil {
		return nil
	}
	var zero T
	*v = zero
	return stdjson.Unmarshal(data, v)
}

func fastUnmarshal[T any](data []byte, v *T, shared bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("go-json: panic: %v", p)
		}
	}()
	if shared {
		return json.UnmarshalWithOption(data, v, noCopyStrings...)
	}
	return json.Unmarshal(data, v)
}
