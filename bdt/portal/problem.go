package portal

import (
	"encoding/json"
	"net/http"
)

// problem is an RFC 9457 problem details object, the body of every /api/v1
// error (application/problem+json). Type is a URI reference naming the kind
// of problem (about:blank with the status's title when it is just that);
// Findings carry the rule-cited findings when a rule refused the request.
type problem struct {
	Type     string    `json:"type"`
	Title    string    `json:"title"`
	Status   int       `json:"status"`
	Detail   string    `json:"detail,omitempty"`
	Findings []finding `json:"findings,omitempty"`
}

// finding is a rule's finding in an API answer: its rule id, field and
// message (rules.Finding).
type finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Field    string `json:"field,omitempty"`
	Line     int    `json:"line,omitempty"`
	Message  string `json:"message"`
}

// The problems every API path may answer with. Not found is one body for
// everything absent and everything another sponsor's, so the two cannot
// be told apart.
var (
	problemUnauthorised = problem{Type: "about:blank", Title: "Unauthorized", Status: http.StatusUnauthorized,
		Detail: "Send a valid API token as \"Authorization: Bearer TOKEN\". Ask your SMS operator for one."}
	problemNotFound = problem{Type: "about:blank", Title: "Not Found", Status: http.StatusNotFound,
		Detail: "There is nothing at this address for your licence."}
	problemInternal = problem{Type: "about:blank", Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Detail: "Something went wrong on our side. Try again later."}
)

// writeProblem answers p as application/problem+json.
func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// writeJSON answers v as application/json with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
