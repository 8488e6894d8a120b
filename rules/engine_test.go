package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"bdt/rules/calendar"
)

func certCases() []ruleCase {
	l2 := actor(as(bob))
	return []ruleCase{
		fires(RCertFound, "on a missing CAS", ev(actor(), activity(casMissing, StudentDiscontinued), state())),
		fires(RCertFound, "on another sponsor's CAS", ev(actor(), activity(casOther, StudentDiscontinued), state())),
		fires(RCertFound, "on another sponsor's CoS in a withdrawal", ev(actor(), WithdrawCoS{Cert: cosOther}, state())),
		fires(RCertFound, "on an empty number", ev(actor(), fees(""), state())),
		fires(RCertFound, "on one of our CAS named in a CoS withdrawal", ev(actor(), WithdrawCoS{Cert: casAssigned}, state())),
		fires(RCertFound, "on one of our CoS named in a fee update", ev(actor(), fees(cosAssigned), state())),
		fires(RCertFound, "on a CoS named in a CAS note", ev(actor(), AddNote{Cert: cosAssigned, Text: "x", Mode: NoteAppend, Kind: CAS}, state())),
		passes(RCertFound, "on our own CAS", ev(actor(), activity(casUsed, StudentDiscontinued), state())),
		passes(RCertFound, "on our own CoS", ev(actor(), WithdrawCoS{Cert: cosAssigned}, state())),

		fires(RCertOwner, "on a Level 2 user reporting on a Level 1 user's CAS", ev(l2, activity(casUsed, StudentAbsent), state())),
		fires(RCertOwner, "on a Level 2 user updating fees of a CAS with no owner", ev(l2, fees(casAssigned), state(cert(casAssigned, ownedBy(""))))),
		fires(RCertOwner, "on a Level 2 user withdrawing a Level 1 user's CoS", ev(l2, WithdrawCoS{Cert: cosAssigned}, state())),
		passes(RCertOwner, "on a Level 2 user reporting on their own CAS", ev(l2, activity(casBob, StudentAbsent), state())),
		passes(RCertOwner, "on a Level 2 user on a CAS transferred to them", ev(l2, fees(casAssigned), state(cert(casAssigned, ownedBy(bob))))),
		passes(RCertOwner, "on a Level 1 user acting on a Level 2 user's CAS", ev(actor(), activity(casBob, StudentAbsent), state())),

		fires(RIdentity, "on a wrong family name", ev(actor(), activity(casUsed, StudentAbsent, func(o *ReportActivity) { o.FamilyName = "Okafor" }), state())).
			then(func(t *testing.T, d Decision) {
				if strings.Contains(d.Findings[0].Message, "Okonkwo") {
					t.Errorf("the message discloses the name on the certificate: %s", d.Findings[0].Message)
				}
			}),
		fires(RIdentity, "on a wrong date of birth", ev(actor(), activity(casUsed, StudentAbsent, func(o *ReportActivity) { o.DateOfBirth = d("2001-04-21") }), state())),
		fires(RIdentity, "on a wrong family name in a fee update", ev(actor(), fees(casAssigned, func(o *UpdateFees) { o.FamilyName = "Smith" }), state())),
		passes(RIdentity, "on a family name in other case and spacing", ev(actor(), activity(casUsed, StudentAbsent, func(o *ReportActivity) {
			o.FamilyName, o.DateOfBirth = "  okonkwo-SMITH ", d("2001-04-12")
		}), state())),
		passes(RIdentity, "on a multi-word name written without spaces", ev(actor(), fees(casAssigned, func(o *UpdateFees) { o.FamilyName = "vanderberg" }),
			state(cert(casAssigned, func(c *Certificate) { c.Person.FamilyName = "Van der Berg" })))),
		passes(RIdentity, "when no identity is given", ev(actor(), activity(casUsed, StudentAbsent), state())),
	}
}

func activityCases() []ruleCase {
	withPrev := withReports(report(StudentDiscontinued, "2026-03-02", "BDT-EARLIER00001"))
	with := func(mod func(*ReportActivity)) func(*ReportActivity) { return mod }
	event := func(s string) func(*ReportActivity) { return func(o *ReportActivity) { o.EventDate = d(s) } }
	noAddress := with(func(o *ReportActivity) { o.Address = nil })
	firstDay := func(s string) func(*ReportActivity) { return func(o *ReportActivity) { o.FirstDayOfAbsence = d(s) } }
	return []ruleCase{
		fires(RActivityUsed, "on a no-show against an ASSIGNED CAS", ev(actor(), activity(casAssigned, StudentDidNotEnrol), state())),
		fires(RActivityUsed, "on worker activity against an EXPIRED CoS", ev(actor(), activity(cosUsed, WorkerDidNotStart), state(cert(cosUsed, certStatus(StatusExpired))))),
		passes(RActivityUsed, "on a no-show against a USED CAS", ev(actor(), activity(casUsed, StudentDidNotEnrol), state())),

		fires(RActivityKind, "on a student type on a CoS", ev(actor(), activity(cosUsed, StudentAbsent), state())),
		fires(RActivityKind, "on a worker type on a CAS", ev(actor(), activity(casUsed, WorkerAbsent), state())),
		fires(RActivityKind, "on an unknown type", ev(actor(), activity(casUsed, "STUDENT_GRADUATED"), state())),
		passes(RActivityKind, "on a worker type on a CoS", ev(actor(), activity(cosUsed, WorkerChange), state())),

		fires(RActivityDate, "on an event after today", ev(actor(), activity(casUsed, StudentAbsent, event("2026-03-17")), state())),
		fires(RActivityDate, "on an event before the CAS was assigned", ev(actor(), activity(casUsed, StudentAbsent, event("2026-01-04")), state())),
		fires(RActivityDate, "on a missing event date", ev(actor(), activity(casUsed, StudentAbsent, event("")), state())),
		fires(RActivityDate, "on a first day of absence after today", ev(actor(), activity(cosUsed, WorkerChange, with(func(o *ReportActivity) { o.FirstDayOfAbsence = d("2026-03-20") })), state())),
		fires(RActivityDate, "on a due early completion dated after the course end", ev(actor(), activity(casUsed, StudentEarlyCompletion, event("2027-02-01")), state())),
		// 23:30 UTC on 15 January is still 15 January in London (GMT).
		fires(RActivityDate, "on tomorrow's date late in the evening in winter", ev(actor(at(time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC))), activity(casUsed, StudentAbsent, event("2026-01-16")), state())),
		// 23:30 UTC on 30 June is already 1 July in London (BST).
		passes(RActivityDate, "on today's date just after midnight in summer", ev(actor(at(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC))), activity(casUsed, StudentAbsent, event("2026-07-01")), state())),
		passes(RActivityDate, "on an event today", ev(actor(), activity(casUsed, StudentAbsent, event("2026-03-16")), state())),
		passes(RActivityDate, "on an event on the day the CAS was assigned", ev(actor(), activity(casUsed, StudentAbsent, event("2026-01-05")), state())), // late: a warning only
		passes(RActivityDate, "on a due early completion in the future", ev(actor(), activity(casUsed, StudentEarlyCompletion, event("2026-12-18")), state())),

		// R.ACTIVITY.ABSENCE: the fixture's absence runs from Monday 23
		// February to the event on Monday 9 March, 11 working days in England.
		passes(RActivityAbsence, "on an absence of 11 working days", ev(actor(), activity(cosUsed, WorkerAbsent), state())),
		fires(RActivityAbsence, "on an absence of 10 working days", ev(actor(), activity(cosUsed, WorkerAbsent, firstDay("2026-02-24")), state())),
		fires(RActivityAbsence, "on an absence with no first day", ev(actor(), activity(cosUsed, WorkerAbsent, firstDay("")), state())),
		fires(RActivityAbsence, "on a first day after the event date, and after today", ev(actor(), activity(cosUsed, WorkerAbsent, firstDay("2026-03-20")), state())),
		fires(RActivityAbsence, "on a first day the day after the event date", ev(actor(), activity(cosUsed, WorkerAbsent, firstDay("2026-03-10")), state())),
		fires(RActivityAbsence, "on a first day the same as the event date", ev(actor(), activity(cosUsed, WorkerAbsent, firstDay("2026-03-09")), state())),
		// St Andrew's Day, Monday 30 November 2026, is a working day in
		// England and a bank holiday in Scotland.
		passes(RActivityAbsence, "on 23 November to 7 December in England (11 working days)",
			ev(actor(onDay("2026-12-08")), activity(cosUsed, WorkerAbsent, event("2026-12-07"), firstDay("2026-11-23")), state())),
		fires(RActivityAbsence, "on 23 November to 7 December in Scotland (10 working days)",
			ev(actor(onDay("2026-12-08"), ofSponsor(sponsor(inNation(calendar.Scotland)))), activity(cosUsed, WorkerAbsent, event("2026-12-07"), firstDay("2026-11-23")), state())),
		passes(RActivityAbsence, "on a student absence (missed contact points) with no first day", ev(actor(), activity(casUsed, StudentAbsent), state())),
		passes(RActivityAbsence, "on a student absence of 2 working days", ev(actor(), activity(casUsed, StudentAbsent, firstDay("2026-03-06")), state())),

		fires(RActivityWithdrawalAddress, "on a student sponsorship withdrawal without address", ev(actor(), activity(casUsed, StudentSponsorshipWithdrawn, noAddress), state())),
		fires(RActivityWithdrawalAddress, "on a worker sponsorship withdrawal without address", ev(actor(), activity(cosUsed, WorkerSponsorshipWithdrawn, noAddress), state())),
		fires(RActivityWithdrawalAddress, "on an address with only blank lines", ev(actor(), activity(casUsed, StudentSponsorshipWithdrawn, with(func(o *ReportActivity) { o.Address.Lines = []string{"  "} })), state())),
		fires(RActivityWithdrawalAddress, "on an address with neither town nor postcode", ev(actor(), activity(casUsed, StudentSponsorshipWithdrawn, with(func(o *ReportActivity) { o.Address.Town, o.Address.Postcode = "", " " })), state())),
		fires(RActivityWithdrawalAddress, "on an address of five lines", ev(actor(), activity(casUsed, StudentSponsorshipWithdrawn, with(func(o *ReportActivity) { o.Address.Lines = []string{"1", "2", "3", "4", "5"} })), state())),
		passes(RActivityWithdrawalAddress, "on an address with a postcode and no town", ev(actor(), activity(cosUsed, WorkerSponsorshipWithdrawn, with(func(o *ReportActivity) { o.Address.Town = "" })), state())),
		passes(RActivityWithdrawalAddress, "on discontinued studies without address", ev(actor(), activity(casUsed, StudentDiscontinued), state())),
		passes(RActivityWithdrawalAddress, "on stopped working without address", ev(actor(), activity(cosUsed, WorkerStopped), state())),
		passes(RActivityWithdrawalAddress, "carrying phone and email", ev(actor(), activity(casUsed, StudentSponsorshipWithdrawn), state())).
			then(func(t *testing.T, dec Decision) {
				got := dec.Changes[0].(AddReport).Report.Address
				if got == nil || !reflect.DeepEqual(*got, *addr()) {
					t.Errorf("report address = %+v, want %+v", got, addr())
				}
			}),

		fires(RActivityEarlyCompletion, "on a missing completion date", ev(actor(), activity(casUsed, StudentEarlyCompletion, with(func(o *ReportActivity) { o.EarlyCompletion = d("") })), state())),
		fires(RActivityEarlyCompletion, "on the course end date itself", ev(actor(), activity(casUsed, StudentEarlyCompletion, with(func(o *ReportActivity) { o.EarlyCompletion = d("2027-01-29") })), state())),
		fires(RActivityEarlyCompletion, "on a date after the course end", ev(actor(), activity(casUsed, StudentEarlyCompletion, with(func(o *ReportActivity) { o.EarlyCompletion = d("2027-06-30") })), state())),
		passes(RActivityEarlyCompletion, "on the day before the course end", ev(actor(), activity(casUsed, StudentEarlyCompletion, with(func(o *ReportActivity) { o.EarlyCompletion = d("2027-01-28") })), state())),
		passes(RActivityEarlyCompletion, "on a completion date already past", ev(actor(), activity(casUsed, StudentEarlyCompletion, with(func(o *ReportActivity) { o.EarlyCompletion = d("2026-03-06") })), state())),

		fires(RActivityPrevious, "on a missing previous date", ev(actor(), activity(casUsed, StudentPreviousWithdrawn, with(func(o *ReportActivity) { o.PreviousDate = d("") })), state(cert(casUsed, withPrev)))),
		fires(RActivityPrevious, "on a date with no earlier report", ev(actor(), activity(casUsed, StudentPreviousWithdrawn, with(func(o *ReportActivity) { o.PreviousDate = d("2026-03-03") })), state(cert(casUsed, withPrev)))),
		fires(RActivityPrevious, "on an earlier report already withdrawn", ev(actor(), activity(casUsed, StudentPreviousWithdrawn), state(cert(casUsed, withReports(
			func() ActivityReport {
				r := report(StudentDiscontinued, "2026-03-02", "BDT-EARLIER00001")
				r.WithdrawnBy = "BDT-EARLIER00002"
				return r
			}(),
			report(StudentPreviousWithdrawn, "2026-03-02", "BDT-EARLIER00002")))))),
		fires(RActivityPrevious, "on an earlier report of another certificate", ev(actor(), activity(casBob, StudentPreviousWithdrawn), state(cert(casUsed, withPrev), cert(casBob)))),
		fires(RActivityPrevious, "on a missing reason", ev(actor(), activity(casUsed, StudentPreviousWithdrawn, with(func(o *ReportActivity) { o.Details = " " })), state(cert(casUsed, withPrev)))),
		passes(RActivityPrevious, "on a standing earlier report, which it marks withdrawn", ev(actor(), activity(casUsed, StudentPreviousWithdrawn), state(cert(casUsed, withPrev)))).
			then(func(t *testing.T, dec Decision) {
				if len(dec.Changes) != 2 {
					t.Fatalf("want AddReport and MarkReportWithdrawn, got %+v", dec.Changes)
				}
				add, ok1 := dec.Changes[0].(AddReport)
				mark, ok2 := dec.Changes[1].(MarkReportWithdrawn)
				if !ok1 || !ok2 {
					t.Fatalf("changes = %#v", dec.Changes)
				}
				want := MarkReportWithdrawn{Cert: casUsed, Ref: "BDT-EARLIER00001", WithdrawnBy: dec.Ref}
				if mark != want || add.Report.Ref != dec.Ref || add.Report.PreviousDate != d("2026-03-02") {
					t.Errorf("mark = %+v, want %+v; report = %+v", mark, want, add.Report)
				}
			}),
		passes(RActivityPrevious, "on the later of two reports of one date", ev(actor(), activity(cosUsed, WorkerPreviousWithdrawn), state(cert(cosUsed, withReports(
			report(WorkerChange, "2026-03-02", "BDT-EARLIER00001"), report(WorkerAbsent, "2026-03-02", "BDT-EARLIER00003")))))).
			then(func(t *testing.T, dec Decision) {
				if got := dec.Changes[1].(MarkReportWithdrawn).Ref; got != "BDT-EARLIER00003" {
					t.Errorf("withdrew %s, want the later report BDT-EARLIER00003", got)
				}
			}),

		// Event Monday 2 March 2026: the 10th working day after it is Monday 16 March (England and Wales).
		fires(RActivityLate, "on a report one working day after the deadline", ev(actor(onDay("2026-03-17")), activity(casUsed, StudentAbsent, event("2026-03-02")), state())).
			then(func(t *testing.T, dec Decision) {
				msg := findingsOf(dec, RActivityLate)[0].Message
				if !strings.Contains(msg, "2026-03-16") || !strings.Contains(msg, "1 working day late") {
					t.Errorf("message does not name the deadline and the days late: %s", msg)
				}
				if r := dec.Changes[0].(AddReport).Report; !r.Late {
					t.Errorf("late report not marked Late: %+v", r)
				}
			}),
		// Event Tuesday 3 March: deadline Tuesday 17 March, but 17 March is
		// St Patrick's Day in Northern Ireland, where the deadline is the 18th.
		fires(RActivityLate, "in England on 18 March for an event on 3 March", ev(actor(onDay("2026-03-18")), activity(cosUsed, WorkerStopped, event("2026-03-03")), state())),
		passes(RActivityLate, "in Northern Ireland on 18 March for an event on 3 March (St Patrick's Day)",
			ev(actor(onDay("2026-03-18"), ofSponsor(sponsor(inNation(calendar.NorthernIreland)))), activity(cosUsed, WorkerStopped, event("2026-03-03")), state())),
		passes(RActivityLate, "on the deadline day", ev(actor(onDay("2026-03-16")), activity(casUsed, StudentAbsent, event("2026-03-02")), state())).
			then(func(t *testing.T, dec Decision) {
				if dec.Changes[0].(AddReport).Report.Late {
					t.Error("a report on the deadline day is marked Late")
				}
			}),
		passes(RActivityLate, "on the Saturday after the deadline", ev(actor(onDay("2026-03-21")), activity(casUsed, StudentAbsent, event("2026-03-06")), state())),
		passes(RActivityLate, "on withdrawing an old notification", ev(actor(onDay("2026-06-01")), activity(casUsed, StudentPreviousWithdrawn, event("2026-03-09")), state(cert(casUsed, withPrev)))),
	}
}

func feeCases() []ruleCase {
	raw := func(kv ...string) func(*UpdateFees) {
		return func(o *UpdateFees) {
			o.Fees = Fees{}
			o.RawAmounts = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				o.RawAmounts[kv[i]] = kv[i+1]
			}
		}
	}
	setFees := func(f Fees) func(*UpdateFees) { return func(o *UpdateFees) { o.Fees = f } }
	after := func(t *testing.T, dec Decision) Fees {
		t.Helper()
		sf, ok := dec.Changes[0].(SetFees)
		if !ok {
			t.Fatalf("changes = %#v", dec.Changes)
		}
		return sf.Change.After
	}
	return []ruleCase{
		fires(RFeeAssigned, "on a USED CAS", ev(actor(), fees(casUsed), state())),
		fires(RFeeAssigned, "on an EXPIRED CAS", ev(actor(), fees(casAssigned), state(cert(casAssigned, certStatus(StatusExpired))))),
		passes(RFeeAssigned, "on an ASSIGNED CAS, recording before and after", ev(actor(), fees(casAssigned), state())).
			then(func(t *testing.T, dec Decision) {
				sf := dec.Changes[0].(SetFees)
				want := FeeChange{At: now, By: alice, Ref: dec.Ref,
					Before: Fees{CourseFeesFirstYear: money(20000), CourseFeesPaid: money(5000)},
					After:  Fees{CourseFeesFirstYear: money(20000), CourseFeesPaid: money(7500)}}
				if sf.Cert != casAssigned || !reflect.DeepEqual(sf.Change, want) {
					t.Errorf("SetFees = %+v, want %+v", sf, want)
				}
			}),

		fires(RFeePresent, "on only the first-year fee", ev(actor(), fees(casAssigned, setFees(Fees{CourseFeesFirstYear: money(21000)})), state())),
		fires(RFeePresent, "on nothing at all", ev(actor(), fees(casAssigned, setFees(Fees{})), state())),
		fires(RFeePresent, "on blank typed amounts", ev(actor(), fees(casAssigned, raw(FieldCourseFeesPaid, "  ")), state())),
		passes(RFeePresent, "on only boarding fees", ev(actor(), fees(casAssigned, setFees(Fees{BoardingFeesPaid: money(300)})), state())),
		passes(RFeePresent, "on only accommodation fees", ev(actor(), fees(casAssigned, setFees(Fees{AccommodationFeesPaid: money(3000)})), state())),

		fires(RFeeAmount, "on a pound sign and a comma", ev(actor(), fees(casAssigned, raw(FieldCourseFeesPaid, "£9,500")), state())).withOthers(),
		fires(RFeeAmount, "on a negative typed amount", ev(actor(), fees(casAssigned, raw(FieldCourseFeesPaid, "-100")), state())).withOthers(),
		fires(RFeeAmount, "on one digit of pence", ev(actor(), fees(casAssigned, raw(FieldBoardingFeesPaid, "12.5")), state())).withOthers(),
		fires(RFeeAmount, "on an unknown field", ev(actor(), fees(casAssigned, raw("TuitionFees", "100", FieldCourseFeesPaid, "100")), state())),
		fires(RFeeAmount, "on a negative amount in the fees", ev(actor(), fees(casAssigned, setFees(Fees{CourseFeesPaid: money(-1)})), state())),
		passes(RFeeAmount, "on typed amounts, which are applied", ev(actor(), fees(casAssigned, raw(FieldCourseFeesPaid, "9500.50", FieldCourseFeesFirstYear, " 21000 ")), state())).
			then(func(t *testing.T, dec Decision) {
				a := after(t, dec)
				if a.CourseFeesPaid == nil || *a.CourseFeesPaid != 950050 || *a.CourseFeesFirstYear != 2100000 {
					t.Errorf("after = %+v", a)
				}
			}),
		passes(RFeeAmount, "on a zero amount", ev(actor(), fees(casAssigned, raw(FieldBoardingFeesPaid, "0")), state())),

		fires(RFeeExceeds, "on course fees paid above the first-year fee", ev(actor(), fees(casAssigned, setFees(Fees{CourseFeesPaid: money(25000)})), state())).
			then(func(t *testing.T, dec Decision) {
				if msg := findingsOf(dec, RFeeExceeds)[0].Message; !strings.Contains(msg, "£25000.00") || !strings.Contains(msg, "£20000.00") {
					t.Errorf("message does not give both amounts: %s", msg)
				}
			}),
		fires(RFeeExceeds, "on a first-year fee lowered below what was paid", ev(actor(), fees(casAssigned, setFees(Fees{CourseFeesFirstYear: money(4000), BoardingFeesPaid: money(10)})), state())),
		passes(RFeeExceeds, "on course fees paid equal to the first-year fee", ev(actor(), fees(casAssigned, setFees(Fees{CourseFeesPaid: money(20000)})), state())),
		passes(RFeeExceeds, "on a CAS with no first-year fee", ev(actor(), fees(casAssigned), state(cert(casAssigned, func(c *Certificate) { c.Fees = Fees{} })))),
	}
}

func noteCases() []ruleCase {
	note := func(n, text string, mode NoteMode) AddNote { return AddNote{Cert: n, Text: text, Mode: mode} }
	withNote := func(c *Certificate) { c.Note = "Start date moved to 19 January." }
	wantNote := func(want string) func(t *testing.T, d Decision) {
		return func(t *testing.T, d Decision) {
			if got := d.Changes[0].(SetNote).Note; got != want {
				t.Errorf("note = %q, want %q", got, want)
			}
		}
	}
	return []ruleCase{
		fires(RNoteStatus, "on a USED CAS", ev(actor(), note(casUsed, "x", NoteAppend), state())),
		fires(RNoteStatus, "on an EXPIRED CoS", ev(actor(), note(cosAssigned, "x", NoteAppend), state(cert(cosAssigned, certStatus(StatusExpired))))),
		fires(RNoteStatus, "on a WITHDRAWN CAS", ev(actor(), note(casAssigned, "x", NoteReplace), state(cert(casAssigned, certStatus(StatusWithdrawn))))),
		fires(RNoteStatus, "on a note without mode", ev(actor(), note(casAssigned, "x", ""), state())),
		fires(RNoteStatus, "on an empty note", ev(actor(), note(casAssigned, " \n", NoteReplace), state())),
		passes(RNoteStatus, "on an EXPIRED CAS, appended", ev(actor(), note(casAssigned, "Fees paid in full.", NoteAppend), state(cert(casAssigned, certStatus(StatusExpired), withNote)))).
			then(wantNote("Start date moved to 19 January.\nFees paid in full.")),
		passes(RNoteStatus, "on an ASSIGNED CoS, replaced", ev(actor(), note(cosAssigned, "Salary is £45,000.", NoteReplace), state(cert(cosAssigned, withNote)))).
			then(wantNote("Salary is £45,000.")),
		passes(RNoteStatus, "on a CAS with no note yet, appended", ev(actor(), note(casAssigned, "First note.", NoteAppend), state())).
			then(wantNote("First note.")),
	}
}

func cosCases() []ruleCase {
	withdraw := WithdrawCoS{Cert: cosAssigned, Reason: "The worker declined the job."}
	transfer := func(to string, certs ...string) TransferCoS { return TransferCoS{Certs: certs, ToUser: to} }
	cases := []ruleCase{
		passes(RCosWithdraw, "on an ASSIGNED CoS", ev(actor(), withdraw, state())).
			then(func(t *testing.T, d Decision) {
				want := []Change{SetStatus{Cert: cosAssigned, Change: StatusChange{Status: StatusWithdrawn, At: now, By: alice, Reason: withdraw.Reason}}}
				if !reflect.DeepEqual(d.Changes, want) {
					t.Errorf("changes = %+v, want %+v", d.Changes, want)
				}
			}),
		passes(RCosWithdraw, "on a Level 2 user's own ASSIGNED CoS", ev(actor(as(bob)), WithdrawCoS{Cert: cosBob}, state())),

		fires(RCosTransfer, "to a user not in the register", ev(actor(), transfer("nobody", cosAssigned), state())),
		fires(RCosTransfer, "to another sponsor's user", ev(actor(), transfer(carol, cosAssigned), withTarget(state(), user(carol)))),
		fires(RCosTransfer, "to a deactivated user", ev(actor(), transfer(bob, cosAssigned), withTarget(state(), user(bob, func(u *User) { u.Status = UserDeactivatedByUKVI })))),
		fires(RCosTransfer, "to a user of no known level", ev(actor(), transfer(bob, cosAssigned), withTarget(state(), user(bob, func(u *User) { u.Level = 0 })))),
		fires(RCosTransfer, "of no CoS", ev(actor(), transfer(bob), withTarget(state(), user(bob)))),
		fires(RCertFound, "on a batch transfer holding another sponsor's CoS", ev(actor(), transfer(bob, cosAssigned, cosOther), withTarget(state(), user(bob)))),
		fires(RCertOwner, "on a Level 2 user transferring a Level 1 user's CoS", ev(actor(as(bob)), transfer(alice, cosBob, cosAssigned), withTarget(state(), user(alice)))),
		passes(RCosTransfer, "of a batch to an active Level 2 user", ev(actor(), transfer(bob, cosAssigned, cosUsed, cosAssigned), withTarget(state(), user(bob)))).
			then(func(t *testing.T, d Decision) {
				want := []Change{SetOwner{Cert: cosAssigned, Owner: bob}, SetOwner{Cert: cosUsed, Owner: bob}}
				if !reflect.DeepEqual(d.Changes, want) {
					t.Errorf("changes = %+v, want %+v", d.Changes, want)
				}
			}),
		passes(RCosTransfer, "of a Level 2 user's own CoS to a Level 1 user", ev(actor(as(bob)), transfer(alice, cosBob), withTarget(state(), user(alice)))),
	}
	for _, s := range []CertStatus{StatusUsed, StatusExpired, StatusWorkInProgress, StatusReadyToGo, StatusWithdrawn} {
		cases = append(cases, fires(RCosWithdraw, "on a "+string(s)+" CoS", ev(actor(), withdraw, state(cert(cosAssigned, certStatus(s))))))
	}
	return cases
}

func casWithdrawCases() []ruleCase {
	withdraw := WithdrawCAS{Cert: casAssigned, Reason: "The student chose another university."}
	cases := []ruleCase{
		passes(RCasWithdraw, "on an ASSIGNED CAS", ev(actor(), withdraw, state())).
			then(func(t *testing.T, d Decision) {
				want := []Change{SetStatus{Cert: casAssigned, Change: StatusChange{Status: StatusWithdrawn, At: now, By: alice, Reason: withdraw.Reason}}}
				if !reflect.DeepEqual(d.Changes, want) {
					t.Errorf("changes = %+v, want %+v", d.Changes, want)
				}
			}),
		passes(RCasWithdraw, "on a Level 2 user's own ASSIGNED CAS", ev(actor(as(bob)), WithdrawCAS{Cert: casBob}, state(cert(casBob, certStatus(StatusAssigned))))),
		fires(RCertOwner, "on a Level 2 user withdrawing a Level 1 user's CAS", ev(actor(as(bob)), withdraw, state())),
		fires(RCertFound, "on another sponsor's CAS in a CAS withdrawal", ev(actor(), WithdrawCAS{Cert: casOther}, state(cert(casOther, certStatus(StatusAssigned))))),
		fires(RCertFound, "on one of our CoS named in a CAS withdrawal", ev(actor(), WithdrawCAS{Cert: cosAssigned}, state())),
		fires(FRoute, "on a CAS withdrawal by a Worker-only sponsor", action(actor(ofSponsor(sponsor(withRoutes(RouteWorker)))), withdraw, state())),
	}
	for _, s := range []CertStatus{StatusWorkInProgress, StatusReadyToGo, StatusWithdrawn, StatusObsolete, StatusUsed, StatusExpired, StatusCancelled} {
		cases = append(cases, fires(RCasWithdraw, "on a "+string(s)+" CAS", ev(actor(), withdraw, state(cert(casAssigned, certStatus(s))))))
	}
	return cases
}

// TestEvaluate runs the record rule tables.
func TestEvaluate(t *testing.T) {
	for _, group := range []struct {
		name  string
		cases []ruleCase
	}{{"cert", certCases()}, {"activity", activityCases()}, {"fees", feeCases()}, {"note", noteCases()}, {"cos", cosCases()}, {"cas withdraw", casWithdrawCases()}} {
		t.Run(group.name, func(t *testing.T) { runCases(t, group.cases) })
	}
}

// TestCertFoundSameMessage checks that another sponsor's certificate is
// reported in exactly the words of a missing one, for each kind of operation
// and for both user levels.
func TestCertFoundSameMessage(t *testing.T) {
	ops := func(n, cos string) []Op {
		return []Op{activity(n, StudentDiscontinued), activity(n, StudentDidNotEnrol), fees(n),
			AddNote{Cert: n, Text: "x", Mode: NoteAppend}, WithdrawCoS{Cert: cos}, TransferCoS{Certs: []string{cos}, ToUser: alice}}
	}
	for _, who := range []string{alice, bob} {
		a := actor(as(who))
		// The same number, once held by another sponsor and once by no one.
		held := state(cert(casOther), cert(cosOther))
		missing := state()
		delete(missing.Certs, casOther)
		delete(missing.Certs, cosOther)
		heldOps, missingOps := ops(casOther, cosOther), ops(casOther, cosOther)
		for i := range heldOps {
			got := Evaluate(a, heldOps[i], withTarget(held, user(alice)))
			want := Evaluate(a, missingOps[i], withTarget(missing, user(alice)))
			if len(got.Findings) == 0 || !reflect.DeepEqual(got.Findings, want.Findings) {
				t.Errorf("%s, %T: another sponsor's certificate gives %+v, a missing one %+v", who, heldOps[i], got.Findings, want.Findings)
			}
			if got.Findings[0].Rule != RCertFound {
				t.Errorf("%s, %T: rule %s, want %s", who, heldOps[i], got.Findings[0].Rule, RCertFound)
			}
		}
	}
	got := Evaluate(actor(), activity(casOther, StudentDiscontinued), state())
	if want := "CAS " + casOther + " was not found among your certificates."; got.Findings[0].Message != want {
		t.Errorf("message = %q, want %q", got.Findings[0].Message, want)
	}
}

// TestCertOwnerHidesExistence checks that a Level 2 user reads the same
// message for a certificate they do not own as for one that does not exist.
func TestCertOwnerHidesExistence(t *testing.T) {
	a := actor(as(bob))
	notOwned := Evaluate(a, activity(casUsed, StudentAbsent), state())
	missing := Evaluate(a, activity(casUsed, StudentAbsent), state(cert(casBob)))
	if notOwned.Findings[0].Rule != RCertOwner || missing.Findings[0].Rule != RCertFound {
		t.Fatalf("rules = %s, %s", notOwned.Findings[0].Rule, missing.Findings[0].Rule)
	}
	if notOwned.Findings[0].Message != missing.Findings[0].Message {
		t.Errorf("messages differ:\n%s\n%s", notOwned.Findings[0].Message, missing.Findings[0].Message)
	}
}

// TestEveryActivityTypeAccepted reports every activity type once, on the
// right kind of certificate, and checks the report recorded.
func TestEveryActivityTypeAccepted(t *testing.T) {
	types := []ActivityType{StudentDidNotEnrol, StudentDiscontinued, StudentAbsent, StudentSuspended, StudentEarlyCompletion,
		StudentSponsorshipWithdrawn, StudentPreviousWithdrawn, StudentOtherChange,
		WorkerDidNotStart, WorkerStopped, WorkerAbsent, WorkerChange, WorkerSponsorshipWithdrawn, WorkerPreviousWithdrawn}
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			kind, ok := ActivityKind(typ)
			if !ok {
				t.Fatalf("ActivityKind(%s) not ok", typ)
			}
			n := casUsed
			if kind == CoS {
				n = cosUsed
			}
			earlier := StudentOtherChange
			if kind == CoS {
				earlier = WorkerChange
			}
			st := state(cert(n, withReports(report(earlier, "2026-03-02", "BDT-EARLIER00001"))))
			op := activity(n, typ)
			a := actor()
			dec := Evaluate(a, op, st)
			checkInvariants(t, dec)
			if !dec.Accepted() || len(dec.Findings) != 0 {
				t.Fatalf("not accepted cleanly: %+v", dec.Findings)
			}
			rep := dec.Changes[0].(AddReport)
			want := ActivityReport{Ref: dec.Ref, Type: typ, EventDate: op.EventDate, Details: op.Details, Address: op.Address,
				EarlyCompletion: op.EarlyCompletion, PreviousDate: op.PreviousDate, FirstDayOfAbsence: op.FirstDayOfAbsence,
				NewEmployer: op.NewEmployer, ReportedAt: now, ReportedBy: alice, Source: a.Source, SponsorReference: "S1234567"}
			if rep.Cert != n || !reflect.DeepEqual(rep.Report, want) {
				t.Errorf("report = %+v\nwant    %+v", rep.Report, want)
			}
			if dec.Ref != ConfirmationRef(a.Source, n) {
				t.Errorf("ref %s is not ConfirmationRef(source, cert)", dec.Ref)
			}
			for _, c := range dec.Changes {
				if _, ok := c.(SetStatus); ok {
					t.Errorf("an activity report changed the certificate status: %+v", c)
				}
			}
		})
	}
	if _, ok := ActivityKind("STUDENT_GRADUATED"); ok {
		t.Error("ActivityKind accepts an unknown code")
	}
}

// TestEvaluateIsPure checks that Evaluate changes neither the state nor the
// operation, and that the changes it returns share no memory with them.
func TestEvaluateIsPure(t *testing.T) {
	st := state(cert(casAssigned), cert(casUsed, withReports(report(StudentDiscontinued, "2026-03-02", "BDT-EARLIER00001"))))
	want := state(cert(casAssigned), cert(casUsed, withReports(report(StudentDiscontinued, "2026-03-02", "BDT-EARLIER00001"))))
	op := activity(casUsed, StudentSponsorshipWithdrawn)
	dec := Evaluate(actor(), op, st)
	dec.Changes[0].(AddReport).Report.Address.Lines[0] = "changed"
	if op.Address.Lines[0] == "changed" {
		t.Error("the report shares its address with the operation")
	}
	fdec := Evaluate(actor(), fees(casAssigned), st)
	*fdec.Changes[0].(SetFees).Change.Before.CourseFeesPaid = 1
	Evaluate(actor(), activity(casUsed, StudentPreviousWithdrawn), st)
	if !reflect.DeepEqual(st, want) {
		t.Error("Evaluate changed the state it was given")
	}
	again := Evaluate(actor(), op, st)
	again2 := Evaluate(actor(), op, st)
	if !reflect.DeepEqual(again, again2) {
		t.Error("the same inputs gave different decisions")
	}
}

// TestConfirmationRef checks the reference is stable and tells sources and certificates apart.
func TestConfirmationRef(t *testing.T) {
	r := ConfirmationRef("file:4NUV7KB58/F1#1", casUsed)
	if r != ConfirmationRef("file:4NUV7KB58/F1#1", casUsed) {
		t.Error("not stable")
	}
	if len(r) != 16 || !strings.HasPrefix(r, "BDT-") || strings.ToUpper(r) != r {
		t.Errorf("ref %q: want BDT- and 12 upper-case base32 characters", r)
	}
	for _, other := range []string{
		ConfirmationRef("file:4NUV7KB58/F1#2", casUsed),
		ConfirmationRef("file:4NUV7KB58/F1#1", casAssigned),
		ConfirmationRef("file:4NUV7KB58/F1#1"),
		ConfirmationRef("file:4NUV7KB58/F1#1", casUsed, casAssigned),
		ConfirmationRef("file:4NUV7KB58/F1#1" + casUsed),
	} {
		if other == r {
			t.Errorf("two different inputs give %s", r)
		}
	}
}

// TestEvaluateGuardsTheActor checks the defence in depth of Evaluate itself.
func TestEvaluateGuardsTheActor(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Actor
		want RuleID
	}{
		{"F.SPONSOR/no sponsor", actor(ofSponsor(nil)), FSponsor},
		{"F.USER/no user", actor(withUser(nil)), FUser},
		{"F.USER/another sponsor's user", actor(as(carol)), FUser},
		{"F.USER/deactivated user", actor(withUser(user(alice, func(u *User) { u.Status = UserDeactivatedBySponsor }))), FUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := Evaluate(tc.a, activity(casUsed, StudentAbsent), state())
			checkInvariants(t, dec)
			if len(dec.Findings) != 1 || dec.Findings[0].Rule != tc.want {
				t.Errorf("findings = %+v, want one %s", dec.Findings, tc.want)
			}
		})
	}
}

// TestEvaluatePointerOps checks that pointers to operations are decided like the values.
func TestEvaluatePointerOps(t *testing.T) {
	op := activity(casUsed, StudentAbsent)
	if got, want := Evaluate(actor(), &op, state()), Evaluate(actor(), op, state()); !reflect.DeepEqual(got, want) {
		t.Errorf("pointer: %+v, value: %+v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a nil operation did not panic")
		}
	}()
	Evaluate(actor(), nil, state())
}
