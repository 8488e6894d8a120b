package rules

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

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

// Op is an operation on the register: one of the concrete types below,
// given as a value or a pointer (see Value). Each type knows what it names
// and reads, so that a new operation is a type here, its rule in
// engine.go, and its store statements when it makes a new kind of Change:
// a type that lacks one of these methods does not compile as an Op.
type Op interface {
	// Name names the kind of operation: "report/<activity type>", "fees",
	// "note", "withdraw" or "transfer". R.RECORD.DUPLICATE counts a
	// certificate once per name, and a one-at-a-time action's source
	// ends in it.
	Name() string
	// CertNumbers returns the numbers of the certificates the operation
	// names: those State.Certs is loaded with.
	CertNumbers() []string
	// TargetUser returns the user the operation names besides the actor
	// (State.ToUser), or "".
	TargetUser() string
	// ReadsActivity reports whether the engine looks at the certificates'
	// activity reports to decide the operation (a withdrawal names an
	// earlier report by its date). It reads no other history for any op:
	// status and fee histories are kept for the register, not for
	// decisions. A store may leave out what the engine does not read
	// (store.Reader.CertificatesForRules).
	ReadsActivity() bool
	// ReadsBrief reports whether the engine decides the operation from the
	// certificates' briefs alone (Brief): a store may then read only those
	// fields (store.CertificatesForRulesParams.Brief).
	ReadsBrief() bool
	// Summary says what the accepted decision d on the operation did, for
	// a confirmation: "fees of CAS X updated".
	Summary(d Decision) string

	// evaluate decides the operation under its own rules (Evaluate has
	// checked the actor).
	evaluate(a Actor, st State) Decision
	// routes returns the routes a one-at-a-time action needs (actionRoutes).
	routes(a Actor, st State) []Route
	// ref is how the operation speaks of its certificates.
	ref() certRef
}

// Value returns op itself when it is given by pointer, and whether it is an
// operation at all: false for nil and for a nil pointer.
func Value(op Op) (Op, bool) {
	if op == nil {
		return nil, false
	}
	v := reflect.ValueOf(op)
	if v.Kind() != reflect.Pointer {
		return op, true
	}
	if v.IsNil() {
		return nil, false
	}
	return v.Elem().Interface().(Op), true
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

// Name implements Op.
func (AddNote) Name() string { return "note" }

// CertNumbers implements Op.
func (o AddNote) CertNumbers() []string { return []string{o.Cert} }
func (o AddNote) oneCert() string       { return o.Cert }

// TargetUser implements Op.
func (AddNote) TargetUser() string { return "" }

// ReadsActivity implements Op.
func (AddNote) ReadsActivity() bool { return false }

// ReadsBrief implements Op.
func (AddNote) ReadsBrief() bool { return false }

// Summary implements Op.
func (o AddNote) Summary(Decision) string {
	verb := "replaced"
	if o.Mode == NoteAppend {
		verb = "appended to"
	}
	return fmt.Sprintf("sponsor note of %s %s %s", o.Kind.Noun(), o.Cert, verb)
}

func (o AddNote) evaluate(a Actor, st State) Decision { return addNote(a, o, st) }

// routes: of the kind the note names, else of the sponsor's certificate's
// kind; none (Evaluate rejects it anyway) for another's certificate.
func (o AddNote) routes(a Actor, st State) []Route {
	if o.Kind != "" {
		return kindRoutes(o.Kind)
	}
	if c := st.Certs[o.Cert]; c != nil && a.Sponsor != nil && c.Sponsor == a.Sponsor.Licence {
		return kindRoutes(c.Kind)
	}
	return nil
}

func (o AddNote) ref() certRef { return refFor(o.Kind) }

// WithdrawCoS withdraws a live (ASSIGNED) CoS, as "Manage live CoS" does.
type WithdrawCoS struct {
	Cert   string
	Reason string
}

// Name implements Op.
func (WithdrawCoS) Name() string { return "withdraw" }

// CertNumbers implements Op.
func (o WithdrawCoS) CertNumbers() []string { return []string{o.Cert} }
func (o WithdrawCoS) oneCert() string       { return o.Cert }

// TargetUser implements Op.
func (WithdrawCoS) TargetUser() string { return "" }

// ReadsActivity implements Op.
func (WithdrawCoS) ReadsActivity() bool { return false }

// ReadsBrief implements Op.
func (WithdrawCoS) ReadsBrief() bool { return false }

// Summary implements Op.
func (o WithdrawCoS) Summary(Decision) string { return fmt.Sprintf("CoS %s withdrawn", o.Cert) }

func (o WithdrawCoS) evaluate(a Actor, st State) Decision {
	return withdraw(a, st, o.Cert, o.Reason, cosWithdrawal)
}
func (WithdrawCoS) routes(Actor, State) []Route { return kindRoutes(CoS) }
func (WithdrawCoS) ref() certRef                { return refFor(CoS) }

// WithdrawCAS withdraws a live (ASSIGNED) CAS, as "Manage live CAS" does.
type WithdrawCAS struct {
	Cert   string
	Reason string
}

// Name implements Op.
func (WithdrawCAS) Name() string { return "withdraw" }

// CertNumbers implements Op.
func (o WithdrawCAS) CertNumbers() []string { return []string{o.Cert} }
func (o WithdrawCAS) oneCert() string       { return o.Cert }

// TargetUser implements Op.
func (WithdrawCAS) TargetUser() string { return "" }

// ReadsActivity implements Op.
func (WithdrawCAS) ReadsActivity() bool { return false }

// ReadsBrief implements Op.
func (WithdrawCAS) ReadsBrief() bool { return false }

// Summary implements Op.
func (o WithdrawCAS) Summary(Decision) string { return fmt.Sprintf("CAS %s withdrawn", o.Cert) }

func (o WithdrawCAS) evaluate(a Actor, st State) Decision {
	return withdraw(a, st, o.Cert, o.Reason, casWithdrawal)
}
func (WithdrawCAS) routes(Actor, State) []Route { return kindRoutes(CAS) }
func (WithdrawCAS) ref() certRef                { return refFor(CAS) }

// TransferCoS transfers the ownership of one CoS or a batch of CoS to another user.
type TransferCoS struct {
	Certs  []string
	ToUser string
}

// Name implements Op.
func (TransferCoS) Name() string { return "transfer" }

// CertNumbers implements Op.
func (o TransferCoS) CertNumbers() []string { return o.Certs }

// TargetUser implements Op: the user the CoS go to.
func (o TransferCoS) TargetUser() string { return o.ToUser }

// ReadsActivity implements Op.
func (TransferCoS) ReadsActivity() bool { return false }

// ReadsBrief implements Op.
func (TransferCoS) ReadsBrief() bool { return false }

// Summary implements Op, listing the CoS transferred.
func (o TransferCoS) Summary(d Decision) string {
	var certs []string
	for _, c := range d.Changes {
		if s, ok := c.(SetOwner); ok {
			certs = append(certs, s.Cert)
		}
	}
	return fmt.Sprintf("%d CoS transferred to user %s (%s)", len(certs), o.ToUser, strings.Join(certs, ", "))
}

func (o TransferCoS) evaluate(a Actor, st State) Decision { return transferCoS(a, o, st) }
func (TransferCoS) routes(Actor, State) []Route           { return kindRoutes(CoS) }
func (TransferCoS) ref() certRef                          { return refFor(CoS) }

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
type Change interface {
	// CertNumber returns the number of the certificate the change is made to.
	CertNumber() string
	// ApplyTo makes the change with the method of a for its kind.
	ApplyTo(a Applier) error
	change()
}

// Applier makes each kind of Change, one method a kind: a store implements
// it (in its transaction) and applies a change with Change.ApplyTo, so a
// store that lacks a kind of change does not compile.
type Applier interface {
	AddReport(AddReport) error
	MarkReportWithdrawn(MarkReportWithdrawn) error
	SetFees(SetFees) error
	SetNote(SetNote) error
	SetStatus(SetStatus) error
	SetOwner(SetOwner) error
}

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

// CertNumber implements Change.
func (c AddReport) CertNumber() string { return c.Cert }

// CertNumber implements Change.
func (c MarkReportWithdrawn) CertNumber() string { return c.Cert }

// CertNumber implements Change.
func (c SetFees) CertNumber() string { return c.Cert }

// CertNumber implements Change.
func (c SetNote) CertNumber() string { return c.Cert }

// CertNumber implements Change.
func (c SetStatus) CertNumber() string { return c.Cert }

// CertNumber implements Change.
func (c SetOwner) CertNumber() string { return c.Cert }

// ApplyTo implements Change.
func (c AddReport) ApplyTo(a Applier) error { return a.AddReport(c) }

// ApplyTo implements Change.
func (c MarkReportWithdrawn) ApplyTo(a Applier) error { return a.MarkReportWithdrawn(c) }

// ApplyTo implements Change.
func (c SetFees) ApplyTo(a Applier) error { return a.SetFees(c) }

// ApplyTo implements Change.
func (c SetNote) ApplyTo(a Applier) error { return a.SetNote(c) }

// ApplyTo implements Change.
func (c SetStatus) ApplyTo(a Applier) error { return a.SetStatus(c) }

// ApplyTo implements Change.
func (c SetOwner) ApplyTo(a Applier) error { return a.SetOwner(c) }

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
// its kind, the header's sponsor licence and user, and the inbox it came from
// and who uploaded it.
type FileHeader struct {
	Kind          FileKind
	Licence       string // from the header
	FolderLicence string // the sponsor folder of the inbox it arrived in; "" when not known
	UserID        string
	FileID        string
	// Submitter is the signed-in SMS user who uploaded the file through the
	// portal or the API; "" for a file that arrived by another channel. A
	// file with a submitter must name that user (F.USER).
	Submitter string
}
