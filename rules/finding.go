package rules

// Severity says what a finding does: an error rejects (the file or the
// record), a warning is reported and the record is still applied.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// RuleID is the stable identifier of a rule in RULES.md, such as "R.CERT.FOUND".
type RuleID string

// Finding is one rule's verdict on a file or a record, from the validator
// and the engine to the ledger and the reports. The engine fills Rule,
// Severity, Field and Message; the place in the uploaded file is filled by
// whoever read it. The JSON form is the one the ledger stores.
type Finding struct {
	Rule     RuleID   `json:"rule"`
	Severity Severity `json:"severity"`
	Field    string   `json:"field,omitempty"`  // the element the finding is about, e.g. "CASNumber"; "" for the whole record or file
	Line     int      `json:"line,omitempty"`   // 1-based; 0 when about the whole file
	Column   int      `json:"column,omitempty"` // 1-based; 0 when unknown
	Path     string   `json:"path,omitempty"`   // element path, e.g. /FeeUpdate/CASFeeUpdate[3]/CASNumber
	Record   int      `json:"record,omitempty"` // for a file finding inside a record (schema errors)
	// Reference and Cert name the record a file finding falls in, when known.
	Reference string `json:"reference,omitempty"`
	Cert      string `json:"cert,omitempty"`
	Message   string `json:"message"` // plain English for the sponsor; never discloses another sponsor's data
}
