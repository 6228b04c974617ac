package guardduty

import (
	"encoding/json"
	"fmt"
	"reflect"

	gojson "github.com/goccy/go-json"
)

// unmarshal decodes data into v with go-json, which is several times
// faster than encoding/json, and falls back to encoding/json when go-json
// fails or panics, so that a bug in the fast path costs speed, never data.
// The error, if any, is encoding/json's, whose messages name the field.
func unmarshal(data []byte, v any) error {
	if fastUnmarshal(data, v) == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	return json.Unmarshal(data, v)
}

func fastUnmarshal(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("go-json: panic: %v", r)
		}
	}()
	return gojson.Unmarshal(data, v)
}

// validJSON returns nil for valid JSON and a syntax error otherwise.
func validJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	return fmt.Errorf("invalid JSON")
}
