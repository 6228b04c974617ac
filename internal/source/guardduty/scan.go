package guardduty

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The functions here find the bounds of JSON values without decoding
// them. The decoder uses them to walk envelopes (arrays, EventBridge
// events, get-findings output) and to cut out each finding's exact bytes
// and position; encoding a finding is left to the JSON library, which
// validates what the scanner skipped over.

// maxDepth bounds nesting. GuardDuty findings nest about a dozen levels;
// the bound keeps pathological input away from recursive decoders.
const maxDepth = 256

var (
	errUnexpectedEnd = errors.New("unexpected end of input")
	errTooDeep       = fmt.Errorf("nested more than %d levels deep", maxDepth)
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-whitespace byte at or
// after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at
// data[i], which is not whitespace. It checks nesting and string quoting
// only; the JSON library checks the rest.
func valueEnd(data []byte, i int) (int, error) {
	switch data[i] {
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '{', '[':
				depth++
				if depth > maxDepth {
					return 0, errTooDeep
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			case '"':
				end, err := stringEnd(data, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			}
		}
		return 0, errUnexpectedEnd
	case '"':
		return stringEnd(data, i)
	}
	start := i
	for ; i < len(data); i++ {
		switch c := data[i]; {
		case isSpace(c), c == ',', c == ']', c == '}', c == '{', c == '[', c == '"', c == ':':
			if i == start {
				return 0, fmt.Errorf("expected a value, found %s", describe(data[i:]))
			}
			return i, nil
		}
	}
	return i, nil
}

// stringEnd returns the index just past the string that starts at
// data[i] == '"'.
func stringEnd(data []byte, i int) (int, error) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errUnexpectedEnd
}

// elements calls fn with the bounds and 1-based index of each element of
// the array data[lo:hi].
func elements(data []byte, lo, hi int, fn func(index, start, end int) error) error {
	i := skipSpace(data, lo+1)
	if i < hi && data[i] == ']' {
		return nil
	}
	for index := 1; ; index++ {
		if i >= hi {
			return errUnexpectedEnd
		}
		end, err := valueEnd(data[:hi], i)
		if err != nil {
			return err
		}
		if err := fn(index, i, end); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= hi {
			return errUnexpectedEnd
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return nil
		default:
			return fmt.Errorf("expected ',' or ']' after array element, found %s", describe(data[i:hi]))
		}
	}
}

// members calls fn with the key and the value bounds of each member of
// the object data[lo:hi].
func members(data []byte, lo, hi int, fn func(key string, start, end int) error) error {
	i := skipSpace(data, lo+1)
	if i < hi && data[i] == '}' {
		return nil
	}
	for {
		if i >= hi || data[i] != '"' {
			return fmt.Errorf("expected a member name, found %s", describe(data[i:hi]))
		}
		kend, err := stringEnd(data[:hi], i)
		if err != nil {
			return err
		}
		key, err := unquote(data[i:kend])
		if err != nil {
			return err
		}
		i = skipSpace(data, kend)
		if i >= hi || data[i] != ':' {
			return fmt.Errorf("expected ':' after member name, found %s", describe(data[i:hi]))
		}
		i = skipSpace(data, i+1)
		if i >= hi {
			return errUnexpectedEnd
		}
		end, err := valueEnd(data[:hi], i)
		if err != nil {
			return err
		}
		if err := fn(key, i, end); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= hi {
			return errUnexpectedEnd
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return fmt.Errorf("expected ',' or '}' after member value, found %s", describe(data[i:hi]))
		}
	}
}

// unquote decodes a JSON string, taking the fast way when it has no
// escapes.
func unquote(s []byte) (string, error) {
	if len(s) >= 2 && strings.IndexByte(string(s[1:len(s)-1]), '\\') < 0 {
		return string(s[1 : len(s)-1]), nil
	}
	var out string
	err := json.Unmarshal(s, &out)
	return out, err
}

// describe renders the start of unexpected input for a message: a few
// bytes, quoted so that binary data stays readable.
func describe(b []byte) string {
	if len(b) == 0 {
		return "end of input"
	}
	const limit = 16
	if len(b) > limit {
		return fmt.Sprintf("%q...", b[:limit])
	}
	return fmt.Sprintf("%q", b)
}
