package trailhound

import (
	"errors"
	"fmt"
)

// Error codes of user-facing failures. They map onto HTTP statuses in one
// place (internal/api) and onto exit statuses in the command.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
)

// Error is a failure a user can act on: a code for programs and a message
// for people.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for internal errors, whose details are for logs only.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Position locates a problem inside an object. Fields that do not apply to
// a format are zero; Line and Record count from 1.
type Position struct {
	Line   int   // line number for line-oriented formats
	Offset int64 // byte offset in the decompressed stream
	Record int   // index of the record in a JSON array or envelope, from 1
}

// String renders the position the way error messages show it.
func (p Position) String() string {
	s := ""
	add := func(part string) {
		if s != "" {
			s += ", "
		}
		s += part
	}
	if p.Line > 0 {
		add(fmt.Sprintf("line %d", p.Line))
	}
	if p.Record > 0 {
		add(fmt.Sprintf("record %d", p.Record))
	}
	if p.Offset > 0 || s == "" {
		add(fmt.Sprintf("byte %d", p.Offset))
	}
	return s
}

// DecodeError reports why an object could not be decoded and where. Any
// DecodeError makes the whole object fail: nothing of it is stored.
type DecodeError struct {
	Object string   // the object's path or URI
	Pos    Position // where in the decompressed content
	Reason string   // what is wrong, for people
	Err    error    // the underlying error, if any
}

// Error implements the error interface.
func (e *DecodeError) Error() string {
	msg := e.Object + ": " + e.Pos.String() + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }
