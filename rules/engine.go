package rules

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
)

// Evaluate decides the operation op, made by actor a, against the register
// state st. It is pure: it reads only its arguments, never changes them, and
// gives the same decision for the same inputs. op is one of the operation
// types of this package, as a value or a non-nil pointer; any other op is a
// programming error and panics.
//
// A decision with an error finding is rejected and carries no Changes and no
// Ref. An accepted decision carries the Changes to make, in order, and a
// confirmation reference (ConfirmationRef of a.Source and the certificate
// numbers); warnings (R.ACTIVITY.LATE, R.FEE.EXCEEDS) do not stop it.
//
// Who acts: Evaluate checks only what it cannot work without, that a.Sponsor
// is set (F.SPONSOR) and that a.User is an Active Level 1 or Level 2 user of
// that sponsor (F.USER), as a cheap defence in depth for the Level 2
// ownership rule. Licence access and routes are not repeated for every
// record: the pipeline checks them once per file with CheckFile, and a
// one-at-a-time action goes through EvaluateAction (or CheckActor first).
//
// Certificates: the first checks are R.CERT.FOUND (another sponsor's
// certificate reads exactly like a missing one), then R.CERT.OWNER, then
// R.IDENTITY; each stops the evaluation, so nothing is said about a
// certificate the actor may not see, or that belongs to another person. The
// operation's own rules are then all reported together.
//
// Activity reports leave the certificate's status unchanged: SMS records the
// report and the Home Office acts on it (seeds 000, 002 name no status change).
func Evaluate(a Actor, op Op, st State) Decision {
	if a.Sponsor == nil {
		return reject(NewFinding(FSponsor, "", "The sponsor licence is not in the register."))
	}
	id := ""
	if a.User != nil {
		id = a.User.ID
	}
	if f, ok := checkUser(a.Sponsor, a.User, id, "act"); !ok {
		return reject(f)
	}
	o, ok := Value(op)
	if !ok {
		panic(fmt.Sprintf("rules: Evaluate: unknown operation %T", op))
	}
	d := o.evaluate(a, st)
	if !d.Accepted() {
		d.Changes, d.Ref = nil, ""
	}
	return d
}

// EvaluateAction decides a one-at-a-time action: CheckActor with the routes
// the operation needs (the Student route for a CAS, a Worker or Temporary
// Worker route for a CoS), then, when the actor may act, Evaluate.
func EvaluateAction(a Actor, op Op, st State) Decision {
	if fs := CheckActor(a, actionRoutes(a, op, st)...); len(fs) > 0 {
		return Decision{Findings: fs}
	}
	return Evaluate(a, op, st)
}

// ConfirmationRef returns the stable confirmation reference of an accepted
// operation from its source (Actor.Source) and the numbers of the
// certificates it is about: "BDT-" and the first 12 characters of the
// base32 (RFC 4648) SHA-256 of the source and the numbers, each separated by
// a zero byte. The same source and numbers always give the same reference.
func ConfirmationRef(source string, certs ...string) string {
	// One hash of the concatenation, in a buffer on the stack when it
	// fits: a record's reference without a hasher or encoder allocated.
	var buf [256]byte
	b := append(buf[:0], source...)
	for _, c := range certs {
		b = append(b, 0)
		b = append(b, c...)
	}
	sum := sha256.Sum256(b)
	// The first 12 characters of the digest in base32 are those of its
	// first 10 bytes (two whole groups of 5 bytes, 16 characters).
	var enc [16]byte
	base32.StdEncoding.Encode(enc[:], sum[:10])
	return "BDT-" + string(enc[:12])
}

func reject(fs ...Finding) Decision { return Decision{Findings: fs} }

// hasError reports whether some finding is an error.
func hasError(fs []Finding) bool { return !Decision{Findings: fs}.Accepted() }

// actionRoutes returns the routes a one-at-a-time action needs, or nil when
// the engine cannot tell (an unknown activity type, or a note on a
// certificate that is not the sponsor's): Evaluate then rejects it anyway.
func actionRoutes(a Actor, op Op, st State) []Route {
	if o, ok := Value(op); ok {
		return o.routes(a, st)
	}
	return nil
}

// kindRoutes returns the routes a certificate of kind k is issued under:
// the Student route for a CAS, a Worker or Temporary Worker route for a CoS.
func kindRoutes(k CertKind) []Route {
	switch k {
	case CAS:
		return []Route{RouteStudent}
	case CoS:
		return []Route{RouteWorker, RouteTemporaryWorker}
	}
	return nil
}

// certRef names how an operation speaks of the certificate it is about: the
// noun ("CAS", "CoS" or "CAS or CoS"), the record element that holds the
// number, and the kind it must be ("" for either). It depends only on the
// operation, never on what the register holds, so that the R.CERT.FOUND
// message cannot tell another sponsor's certificate from a missing one.
type certRef struct {
	noun  string
	field string
	kind  CertKind
}

func refFor(k CertKind) certRef {
	switch k {
	case CAS:
		return certRef{"CAS", "CASNumber", CAS}
	case CoS:
		return certRef{"CoS", "CoSNumber", CoS}
	}
	return certRef{"CAS or CoS", "CertificateNumber", ""}
}

// findCert applies R.CERT.FOUND and R.CERT.OWNER: it returns the sponsor's
// certificate number n, of kind r.kind when that is set, that the user may
// act on. For a Level 2 user the two rules give the same message, so that
// not even the message of R.CERT.OWNER tells that the certificate exists.
func findCert(a Actor, st State, n string, r certRef) (*Certificate, *Finding) {
	level2 := a.User.Level != Level1 // only Level 1 is unrestricted
	notFound := func(id RuleID) *Finding {
		var f Finding
		switch {
		case n == "":
			f = NewFinding(id, r.field, "No %s number was given.", r.noun)
		case level2:
			f = NewFinding(id, r.field,
				"%s %s was not found among the certificates you own. A Level 2 user can act only on the CAS and CoS they created and assigned, or that were transferred to them.",
				r.noun, Show(n))
		default:
			f = NewFinding(id, r.field, "%s %s was not found among your certificates.", r.noun, Show(n))
		}
		return &f
	}
	c := st.Certs[n]
	if n == "" || c == nil || c.Number != n || c.Sponsor != a.Sponsor.Licence || (r.kind != "" && c.Kind != r.kind) {
		return nil, notFound(RCertFound)
	}
	if level2 && (c.Owner == "" || c.Owner != a.User.ID) {
		return nil, notFound(RCertOwner)
	}
	return c, nil
}

// checkIdentity is R.IDENTITY: a family name or date of birth given in the
// record matches the person on the certificate. The message never repeats
// what the certificate holds.
func checkIdentity(c *Certificate, family string, dob Date) []Finding {
	var fs []Finding
	noun := refFor(c.Kind).noun
	if !blank(family) && !sameName(family, c.Person.FamilyName) {
		fs = append(fs, NewFinding(RIdentity, "FamilyName",
			"The family name given does not match the person on %s %s. Check the %s number.", noun, Show(c.Number), noun))
	}
	if !dob.IsZero() && dob != c.Person.DateOfBirth {
		fs = append(fs, NewFinding(RIdentity, "DateOfBirth",
			"The date of birth given does not match the person on %s %s. Check the %s number.", noun, Show(c.Number), noun))
	}
	return fs
}

// addNote decides an AddNote (R.NOTE.STATUS). An appended note goes on a new
// line after the previous text. A note with no text is refused in either
// mode: it would erase the note (replace) or add nothing (append).
func addNote(a Actor, o AddNote, st State) Decision {
	c, f := findCert(a, st, o.Cert, refFor(o.Kind))
	if f != nil {
		return reject(*f)
	}
	var fs []Finding
	switch {
	case c.Kind == CAS && c.Status != StatusAssigned && c.Status != StatusExpired:
		fs = append(fs, NewFinding(RNoteStatus, "",
			"A sponsor note can be added to a CAS only when its status is ASSIGNED or EXPIRED; CAS %s has status %s.", Show(c.Number), certStatusWord(c.Status)))
	case c.Kind == CoS && c.Status != StatusAssigned:
		fs = append(fs, NewFinding(RNoteStatus, "",
			"A sponsor note can be added to a CoS only when its status is ASSIGNED; CoS %s has status %s.", Show(c.Number), certStatusWord(c.Status)))
	case c.Kind != CAS && c.Kind != CoS:
		fs = append(fs, NewFinding(RNoteStatus, "", "A sponsor note can be added only to a CAS or a CoS."))
	}
	if blank(o.Text) {
		fs = append(fs, NewFinding(RNoteStatus, "SponsorNote", "The sponsor note is empty."))
	}
	var note string
	switch o.Mode {
	case NoteReplace:
		note = o.Text
	case NoteAppend:
		note = o.Text
		if c.Note != "" {
			note = c.Note + "\n" + o.Text
		}
	default:
		fs = append(fs, NewFinding(RNoteStatus, "NoteMode",
			"Say whether the note replaces the previous text (%s) or is appended after it (%s).", NoteReplace, NoteAppend))
	}
	if hasError(fs) {
		return reject(fs...)
	}
	ref := ConfirmationRef(a.Source, c.Number)
	return Decision{Findings: fs, Ref: ref, Changes: []Change{SetNote{Cert: c.Number, Note: note}}}
}

// withdrawal is what a withdrawal through "Manage live CAS" or "Manage
// live CoS" needs to know of its kind of certificate: its rule, and what to
// say about a used one.
type withdrawal struct {
	kind     CertKind
	rule     RuleID
	whenUsed string // the hint for a USED certificate
}

var (
	casWithdrawal = withdrawal{CAS, RCasWithdraw,
		" To stop sponsoring a student whose CAS was used, report the student's activity instead."}
	cosWithdrawal = withdrawal{CoS, RCosWithdraw,
		" To stop sponsoring a worker whose CoS was used, report the worker's activity instead."}
)

// withdraw decides a WithdrawCAS or a WithdrawCoS (R.CAS.WITHDRAW,
// R.COS.WITHDRAW): only a live (ASSIGNED) certificate of kind w.kind can be
// withdrawn. It becomes WITHDRAWN, with who, when and why in its status
// history. Nothing is returned to the sponsor's allocation.
func withdraw(a Actor, st State, n, reason string, w withdrawal) Decision {
	r := refFor(w.kind)
	c, f := findCert(a, st, n, r)
	if f != nil {
		return reject(*f)
	}
	if c.Status != StatusAssigned {
		hint := ""
		if c.Status == StatusUsed {
			hint = w.whenUsed
		}
		return reject(NewFinding(w.rule, "",
			"Only an ASSIGNED %s can be withdrawn; %s %s has status %s.%s", r.noun, r.noun, Show(c.Number), certStatusWord(c.Status), hint))
	}
	ref := ConfirmationRef(a.Source, c.Number)
	return Decision{Ref: ref, Changes: []Change{SetStatus{Cert: c.Number, Change: StatusChange{
		Status: StatusWithdrawn, At: a.Now, By: a.User.ID, Reason: reason,
	}}}}
}

// transferCoS decides a TransferCoS (R.COS.TRANSFER). Every CoS named must be
// the sponsor's and, for a Level 2 user, the user's own; the batch moves as a
// whole or not at all. A number named twice is transferred once.
func transferCoS(a Actor, o TransferCoS, st State) Decision {
	var fs []Finding
	to := st.ToUser
	switch {
	case blank(o.ToUser):
		fs = append(fs, NewFinding(RCosTransfer, "ToUser", "Name the user the CoS are transferred to."))
	case to == nil || to.ID != o.ToUser || to.Sponsor != a.Sponsor.Licence:
		fs = append(fs, NewFinding(RCosTransfer, "ToUser", "User %s is not a user of your licence.", Show(o.ToUser)))
	case to.Status != UserActive:
		fs = append(fs, NewFinding(RCosTransfer, "ToUser",
			"CoS can be transferred only to an Active user; the account of user %s is %s.", Show(o.ToUser), userStatusWord(to.Status)))
	case to.Level != Level1 && to.Level != Level2:
		fs = append(fs, NewFinding(RCosTransfer, "ToUser",
			"CoS can be transferred only to a Level 1 or Level 2 user; user %s is neither.", Show(o.ToUser)))
	}
	if len(o.Certs) == 0 {
		fs = append(fs, NewFinding(RCosTransfer, "CoSNumber", "Name at least one CoS to transfer."))
	}
	var certs []string
	seen := map[string]bool{}
	for _, n := range o.Certs {
		if seen[n] {
			continue
		}
		seen[n] = true
		c, f := findCert(a, st, n, refFor(CoS))
		if f != nil {
			fs = append(fs, *f)
			continue
		}
		certs = append(certs, c.Number)
	}
	if hasError(fs) {
		return reject(fs...)
	}
	ref := ConfirmationRef(a.Source, certs...)
	changes := make([]Change, len(certs))
	for i, n := range certs {
		changes[i] = SetOwner{Cert: n, Owner: to.ID}
	}
	return Decision{Ref: ref, Changes: changes}
}

// plural returns "1 working day" or "n working days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
