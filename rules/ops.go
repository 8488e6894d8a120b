package rules

import "time"

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

// Actor is who performs an operation and when: the sponsor and user the
// operation is made for, the processing time, and where it comes from.
// The store loads Sponsor and User; either is nil when it does not exist.
type Actor struct {
	Sponsor *Sponsor
	User    *User
	Now     time.Time // processing time: the engine never reads a clock
	// Source names the origin of the operation and makes the confirmation
	// reference stable: "file:<licence>/<file id>#<record index>" for a bulk
	// record, "screen:<user>:<unix nanos>" for a one-at-a-time action.
	Source string
}

// Op is an operation on the register: one of the concrete types below.
type Op interface{ op() }

// ReportActivity reports a student or worker event on a certificate. A
// no-show record is a ReportActivity of type StudentDidNotEnrol.
type ReportActivity struct {
	Cert              string
	Type              ActivityType
	EventDate         Date
	Details           string
	FamilyName        string // optional identity cross-check (R.IDENTITY)
	DateOfBirth       Date   // optional identity cross-check (R.IDENTITY)
	Address           *Address
	EarlyCompletion   Date
	PreviousDate      Date
	FirstDayOfAbsence Date
	NewEmployer       string
	SponsorReference  string
}

// UpdateFees changes the fee details of a CAS. Nil fields are left as they are.
type UpdateFees struct {
	Cert             string
	Fees             Fees
	FamilyName       string // optional identity cross-check (fee update v2)
	DateOfBirth      Date
	SponsorReference string
	// RawAmounts holds amounts as typed by a person (one-at-a-time action),
	// keyed by field name, for R.FEE.AMOUNT; bulk files leave it nil because
	// the XSD has already checked them.
	RawAmounts map[string]string
}

// NoteMode says whether a sponsor note replaces the previous text or is appended after it.
type NoteMode string

// Note modes.
const (
	NoteReplace NoteMode = "REPLACE"
	NoteAppend  NoteMode = "APPEND"
)

// AddNote adds a sponsor note to a CAS or a CoS.
type AddNote struct {
	Cert string
	Text string
	Mode NoteMode
	// Kind is the kind of certificate the action is about (CAS for
	// "bdt cas note", CoS for "bdt cos note"); "" for either. A certificate
	// of the other kind is then reported as not found.
	Kind CertKind
}

// WithdrawCoS withdraws an ASSIGNED CoS.
type WithdrawCoS struct {
	Cert   string
	Reason string
}

// TransferCoS transfers the ownership of one CoS or a batch of CoS to another user.
type TransferCoS struct {
	Certs  []string
	ToUser string
}

func (ReportActivity) op() {}

// ReadsActivity reports whether the engine looks at a certificate's activity
// reports to decide op (a withdrawal names an earlier report by its date).
// It reads no other history for any op: status and fee histories are kept
// for the register, not for decisions. A store may leave out what the
// engine does not read (store.Reader.CertificatesForRules).
func ReadsActivity(op Op) bool {
	switch op.(type) {
	case UpdateFees, AddNote, WithdrawCoS, TransferCoS:
		return false
	}
	return true // ReportActivity, and any op added later until it says otherwise
}
func (UpdateFees) op()  {}
func (AddNote) op()     {}
func (WithdrawCoS) op() {}
func (TransferCoS) op() {}

// State is the register state an operation touches, loaded by the store
// before the engine is called. Certs holds every certificate the operation
// names that exists in the register, keyed by number, whichever sponsor it
// belongs to (the engine itself hides other sponsors' certificates).
// ToUser is the target of a transfer, nil if no such user exists.
type State struct {
	Certs  map[string]*Certificate
	ToUser *User
}

// Decision is the engine's verdict on one operation.
type Decision struct {
	Findings []Finding
	// Changes to make when the operation is accepted (no error finding); empty when rejected.
	Changes []Change
	// Ref is the confirmation reference given to the accepted operation.
	Ref string
}

// Accepted reports whether no finding is an error.
func (d Decision) Accepted() bool {
	for _, f := range d.Findings {
		if f.Severity == Error {
			return false
		}
	}
	return true
}

// Change is one change to the register: one of the concrete types below.
// The store applies them in order within the file's (or action's) transaction.
type Change interface{ change() }

// AddReport appends an activity report to a certificate.
type AddReport struct {
	Cert   string
	Report ActivityReport
}

// MarkReportWithdrawn marks an earlier report as withdrawn by another (never deletes it).
type MarkReportWithdrawn struct {
	Cert        string
	Ref         string // the earlier report
	WithdrawnBy string // the withdrawing report's Ref
}

// SetFees records a fee change: the new values and the history entry.
type SetFees struct {
	Cert   string
	Change FeeChange
}

// SetNote sets the sponsor note text of a certificate.
type SetNote struct {
	Cert string
	Note string
}

// SetStatus changes a certificate's status and appends to its history.
type SetStatus struct {
	Cert   string
	Change StatusChange
}

// SetOwner changes the owning user of a certificate.
type SetOwner struct {
	Cert  string
	Owner string
}

func (AddReport) change()           {}
func (MarkReportWithdrawn) change() {}
func (SetFees) change()             {}
func (SetNote) change()             {}
func (SetStatus) change()           {}
func (SetOwner) change()            {}

// FileKind is a kind of BDT file, as far as the file rules care.
type FileKind string

// File kinds.
const (
	KindNoShow          FileKind = "noshow"
	KindFeeUpdate       FileKind = "feeupdate"
	KindStudentActivity FileKind = "studentactivity"
	KindWorkerActivity  FileKind = "workeractivity"
)

// FileHeader is what the file rules need to know of a file that parsed:
// its kind, the header's sponsor licence and user, and the inbox it came from.
type FileHeader struct {
	Kind          FileKind
	Licence       string // from the header
	FolderLicence string // the sponsor folder of the inbox it arrived in; "" when not known
	UserID        string
	FileID        string
}
