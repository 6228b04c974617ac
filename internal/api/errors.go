package api

import (
	"encoding/json"
	"net/http"

	"github.com/trailhound/trailhound"
)

// statusOf is the one mapping from error codes to HTTP statuses.
var statusOf = map[string]int{
	trailhound.EINVALID:      http.StatusBadRequest,
	trailhound.EUNAUTHORIZED: http.StatusUnauthorized,
	trailhound.ENOTFOUND:     http.StatusNotFound,
	trailhound.ECONFLICT:     http.StatusConflict,
	trailhound.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status of an error code; unknown codes are
// internal errors.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a code for programs and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers with err's code and message. Internal errors are
// logged with their detail and answered with a generic message, so that
// paths and SQL never reach a client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := trailhound.ErrorCode(err)
	if code == trailhound.EINTERNAL {
		s.log.Error("request_failed", "method", r.Method, "path", r.URL.EscapedPath(), "error", err.Error())
	}
	writeJSON(w, Status(code), ErrorBody{Error: ErrorDetail{Code: code, Message: trailhound.ErrorMessage(err)}})
}

// writeJSON sends v as JSON. The encoder escapes <, > and & inside strings
// (as \u003c...), so no answer can be mistaken for markup even by a client
// that ignores the content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
