package rules

import (
	"fmt"

	"bdt/rules/calendar"
)

// ReportingDeadlineDays is the number of working days within which a student
// or worker event must be reported (seed 004; R.ACTIVITY.LATE).
const ReportingDeadlineDays = 10

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

// Name implements Op: each activity type is an operation of its own.
func (o ReportActivity) Name() string { return "report/" + string(o.Type) }

// CertNumbers implements Op.
func (o ReportActivity) CertNumbers() []string { return []string{o.Cert} }
func (o ReportActivity) oneCert() string       { return o.Cert }

// TargetUser implements Op.
func (ReportActivity) TargetUser() string { return "" }

// ReadsActivity implements Op: a withdrawal names an earlier report.
func (ReportActivity) ReadsActivity() bool { return true }

// ReadsBrief implements Op.
func (ReportActivity) ReadsBrief() bool { return false }

// Summary implements Op, naming the earlier report a withdrawal marked.
func (o ReportActivity) Summary(d Decision) string {
	kind, _ := ActivityKind(o.Type)
	what := fmt.Sprintf("%s reported on %s %s (event date %s)", o.Type, kind.Noun(), o.Cert, o.EventDate)
	for _, c := range d.Changes {
		if m, ok := c.(MarkReportWithdrawn); ok {
			what += fmt.Sprintf("; earlier report %s marked withdrawn", m.Ref)
		}
	}
	return what
}

func (o ReportActivity) evaluate(a Actor, st State) Decision { return reportActivity(a, o, st) }

func (o ReportActivity) routes(Actor, State) []Route {
	k, _ := ActivityKind(o.Type)
	return kindRoutes(k)
}

func (o ReportActivity) ref() certRef {
	k, _ := ActivityKind(o.Type)
	return refFor(k)
}

// ActivityKind returns the kind of certificate an activity type applies to:
// CAS for a student type, CoS for a worker type. ok is false for a code that
// is not an activity type.
func ActivityKind(t ActivityType) (kind CertKind, ok bool) {
	switch t {
	case StudentDidNotEnrol, StudentDiscontinued, StudentAbsent, StudentSuspended,
		StudentEarlyCompletion, StudentSponsorshipWithdrawn, StudentPreviousWithdrawn, StudentOtherChange:
		return CAS, true
	case WorkerDidNotStart, WorkerStopped, WorkerAbsent, WorkerChange,
		WorkerSponsorshipWithdrawn, WorkerPreviousWithdrawn:
		return CoS, true
	}
	return "", false
}

// IsSponsorshipWithdrawal reports whether reporting t is "reporting
// withdrawal of sponsorship" in the sense of seed 000 step 6, which must give
// the person's last residential address (R.ACTIVITY.WITHDRAWAL.ADDRESS): the
// two *_SPONSORSHIP_WITHDRAWN types. Discontinued studies, stopped working,
// did not enrol and did not start are their own activity types (RULES.md
// lists "sponsorship withdrawn for another reason" apart from them, as the
// XSDs do); they carry an address when one is given but do not need it. A
// person who never enrolled or never started often has no UK residential
// address on record at all.
func IsSponsorshipWithdrawal(t ActivityType) bool {
	return t == StudentSponsorshipWithdrawn || t == WorkerSponsorshipWithdrawn
}

// isPreviousWithdrawn reports whether t withdraws a previous notification.
func isPreviousWithdrawn(t ActivityType) bool {
	return t == StudentPreviousWithdrawn || t == WorkerPreviousWithdrawn
}

// reportActivity decides a ReportActivity (R.ACTIVITY.*).
func reportActivity(a Actor, o ReportActivity, st State) Decision {
	kind, known := ActivityKind(o.Type)
	r := refFor(kind)
	r.kind = "" // a type on the wrong kind of certificate is R.ACTIVITY.KIND, not R.CERT.FOUND
	c, f := findCert(a, st, o.Cert, r)
	if f != nil {
		return reject(*f)
	}
	if fs := checkIdentity(c, o.FamilyName, o.DateOfBirth); len(fs) > 0 {
		return reject(fs...)
	}
	noun := refFor(c.Kind).noun
	var fs []Finding
	add := func(id RuleID, field, format string, args ...any) {
		fs = append(fs, NewFinding(id, field, format, args...))
	}

	// R.ACTIVITY.KIND
	switch {
	case !known:
		add(RActivityKind, "ActivityType", "%s is not an activity type.", Show(string(o.Type)))
	case kind != c.Kind:
		add(RActivityKind, "ActivityType", "%s is a %s activity type and applies only to a %s; %s is a %s.",
			o.Type, map[CertKind]string{CAS: "student", CoS: "worker"}[kind], refFor(kind).noun, Show(c.Number), noun)
	}

	// R.ACTIVITY.USED
	if c.Status != StatusUsed {
		add(RActivityUsed, "", "Activity can be reported only on a %s that has been used in an application (status USED); %s %s has status %s.",
			noun, noun, Show(c.Number), certStatusWord(c.Status))
	}

	// R.ACTIVITY.DATE
	today := UKDate(a.Now)
	event := o.EventDate
	var courseEnd Date
	if c.Course != nil {
		courseEnd = c.Course.EndDate
	}
	datesBefore := len(fs)
	if event.IsZero() {
		add(RActivityDate, "EventDate", "The date of the event is missing.")
	} else {
		if event.After(today) {
			switch {
			case o.Type != StudentEarlyCompletion:
				add(RActivityDate, "EventDate", "The event date %s is after today (%s): an event can be reported once it has happened.", event, today)
			case !courseEnd.IsZero() && event.After(courseEnd):
				add(RActivityDate, "EventDate", "The event date %s of this early completion is after the course end date on the CAS (%s).", event, courseEnd)
			}
		}
		if !c.AssignedOn.IsZero() && event.Before(c.AssignedOn) {
			add(RActivityDate, "EventDate", "The event date %s is before %s %s was assigned (%s).", event, noun, Show(c.Number), c.AssignedOn)
		}
	}
	eventBad := len(fs) > datesBefore // no deadline is counted from a date just refused
	absence := o.Type == WorkerAbsent && known && kind == c.Kind
	if d := o.FirstDayOfAbsence; !d.IsZero() {
		// A first day after the event is R.ACTIVITY.ABSENCE's, said once.
		if d.After(today) && !(absence && !event.IsZero() && d.After(event)) {
			add(RActivityDate, "FirstDayOfAbsence", "The first day of absence %s is after today (%s).", d, today)
		}
		if !c.AssignedOn.IsZero() && d.Before(c.AssignedOn) {
			add(RActivityDate, "FirstDayOfAbsence", "The first day of absence %s is before %s %s was assigned (%s).", d, noun, Show(c.Number), c.AssignedOn)
		}
	}

	// R.ACTIVITY.ABSENCE
	if absence {
		if msg := absenceProblem(a.Sponsor.Nation, o.FirstDayOfAbsence, event); msg != "" {
			add(RActivityAbsence, "FirstDayOfAbsence", "%s", msg)
		}
	}

	// R.ACTIVITY.WITHDRAWAL.ADDRESS
	if IsSponsorshipWithdrawal(o.Type) {
		if msg := addressProblem(o.Address); msg != "" {
			add(RActivityWithdrawalAddress, "LastResidentialAddress", "%s", msg)
		}
	}

	// R.ACTIVITY.EARLY.COMPLETION
	if o.Type == StudentEarlyCompletion {
		switch ec := o.EarlyCompletion; {
		case ec.IsZero():
			add(RActivityEarlyCompletion, "EarlyCompletionDate",
				"Reporting that a student completed, or is due to complete, the course early needs the earlier completion date.")
		case !courseEnd.IsZero() && !ec.Before(courseEnd):
			add(RActivityEarlyCompletion, "EarlyCompletionDate",
				"The early completion date %s is not before the course end date on the CAS (%s).", ec, courseEnd)
		}
	}

	// R.ACTIVITY.PREVIOUS
	var prev *ActivityReport
	if isPreviousWithdrawn(o.Type) {
		if o.PreviousDate.IsZero() {
			add(RActivityPrevious, "PreviousNotificationDate", "Give the event date of the earlier report that is withdrawn.")
		} else if prev = standingReport(c, o.PreviousDate); prev == nil {
			add(RActivityPrevious, "PreviousNotificationDate",
				"%s %s has no earlier report with event date %s that is still standing (not already withdrawn).", noun, Show(c.Number), o.PreviousDate)
		}
		if blank(o.Details) {
			add(RActivityPrevious, "Details", "Give the reason why the earlier report is withdrawn.")
		}
	}

	// R.ACTIVITY.LATE: a withdrawal of a previous notification corrects the
	// record and has no deadline of its own.
	late := false
	if !eventBad && event.Before(today) && !isPreviousWithdrawn(o.Type) {
		nation := nationOr(a.Sponsor.Nation)
		if n := calendar.WorkingDaysBetween(nation, event, today); n > ReportingDeadlineDays {
			late = true
			deadline := calendar.Deadline(nation, event, ReportingDeadlineDays)
			add(RActivityLate, "EventDate",
				"This report is %s late: an event on %s had to be reported within %d working days, by %s.",
				plural(n-ReportingDeadlineDays, "working day"), event, ReportingDeadlineDays, deadline)
		}
	}

	if hasError(fs) {
		return reject(fs...)
	}
	ref := ConfirmationRef(a.Source, c.Number)
	rep := ActivityReport{
		Ref:               ref,
		Type:              o.Type,
		EventDate:         o.EventDate,
		Details:           o.Details,
		Address:           copyAddress(o.Address),
		EarlyCompletion:   o.EarlyCompletion,
		PreviousDate:      o.PreviousDate,
		FirstDayOfAbsence: o.FirstDayOfAbsence,
		NewEmployer:       o.NewEmployer,
		ReportedAt:        a.Now,
		ReportedBy:        a.User.ID,
		Source:            a.Source,
		SponsorReference:  o.SponsorReference,
		Late:              late,
	}
	changes := []Change{AddReport{Cert: c.Number, Report: rep}}
	if prev != nil {
		changes = append(changes, MarkReportWithdrawn{Cert: c.Number, Ref: prev.Ref, WithdrawnBy: ref})
	}
	return Decision{Findings: fs, Changes: changes, Ref: ref}
}

// AbsenceReportableDays is the number of consecutive working days a worker's
// absence without permission must exceed before it is reported (seed 004;
// R.ACTIVITY.ABSENCE).
const AbsenceReportableDays = 10

// AbsenceWorkingDays returns the number of working days of nation (England
// and Wales when "") from first, the first day of absence, to event, both
// included: how long an absence has lasted by the event date. It is 0 when
// first is after event.
func AbsenceWorkingDays(nation Nation, first, event Date) int {
	if first.After(event) {
		return 0
	}
	return calendar.WorkingDaysBetween(nationOr(nation), first.AddDays(-1), event)
}

// absenceProblem says what is wrong with the first day of a worker's absence
// reported with event date event, or "" when it will do
// (R.ACTIVITY.ABSENCE): it is given, not after the event, and the absence has
// lasted more than AbsenceReportableDays working days by the event date. A
// missing event date is R.ACTIVITY.DATE's alone.
func absenceProblem(nation Nation, first, event Date) string {
	switch {
	case first.IsZero():
		return "Reporting a worker absent without permission needs the first day of absence."
	case event.IsZero():
		return ""
	case first.After(event):
		return fmt.Sprintf("The first day of absence %s is after the event date %s.", first, event)
	}
	if n := AbsenceWorkingDays(nation, first, event); n <= AbsenceReportableDays {
		return fmt.Sprintf("An absence without permission is reported once it has lasted more than %d consecutive working days; from %s to the event date %s is %s.",
			AbsenceReportableDays, first, event, plural(n, "working day"))
	}
	return ""
}

// nationOr returns n, or England and Wales when n is not set.
func nationOr(n Nation) Nation {
	if n == "" {
		return calendar.EnglandAndWales
	}
	return n
}

// standingReport returns the latest report on c with event date d that is
// standing: not withdrawn, not itself the withdrawal of another report, and
// with a confirmation reference to name it by. When several match, the most
// recently recorded one is taken; withdrawing again takes the next.
func standingReport(c *Certificate, d Date) *ActivityReport {
	for i := len(c.Activity) - 1; i >= 0; i-- {
		r := &c.Activity[i]
		if r.EventDate == d && r.WithdrawnBy == "" && r.Ref != "" && !isPreviousWithdrawn(r.Type) {
			return r
		}
	}
	return nil
}

// addressProblem says what is wrong with a residential address for
// R.ACTIVITY.WITHDRAWAL.ADDRESS, or "" when it will do: one to four address
// lines, at least one of them not blank, and a town or a postcode.
func addressProblem(ad *Address) string {
	const need = "Reporting withdrawal of sponsorship needs the person's last recorded residential address"
	if ad == nil {
		return need + "."
	}
	lines := 0
	for _, l := range ad.Lines {
		if !blank(l) {
			lines++
		}
	}
	switch {
	case lines == 0:
		return need + ": at least one address line is missing."
	case len(ad.Lines) > 4:
		return need + " in at most four address lines."
	case blank(ad.Town) && blank(ad.Postcode):
		return need + ": give the town or the postcode."
	}
	return ""
}

func copyAddress(ad *Address) *Address {
	if ad == nil {
		return nil
	}
	c := *ad
	c.Lines = append([]string(nil), ad.Lines...)
	return &c
}
