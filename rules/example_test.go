package rules_test

import (
	"fmt"
	"time"

	"bdt/rules"
	"bdt/rules/calendar"
)

// A student activity record decided against a register holding one USED CAS:
// the report is accepted, late, with a stable confirmation reference.
func ExampleEvaluate() {
	sponsor := &rules.Sponsor{Licence: "4NUV7KB58", Status: rules.LicenceARated,
		Routes: []rules.Route{rules.RouteStudent}, Nation: calendar.EnglandAndWales}
	actor := rules.Actor{
		Sponsor: sponsor,
		User:    &rules.User{ID: "jsmith01", Sponsor: "4NUV7KB58", Level: rules.Level1, Status: rules.UserActive},
		Now:     time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC),
		Source:  "file:4NUV7KB58/SA-2026-03-20#1",
	}
	st := rules.State{Certs: map[string]*rules.Certificate{
		"CAS26000000001": {Number: "CAS26000000001", Kind: rules.CAS, Sponsor: "4NUV7KB58",
			Status: rules.StatusUsed, Owner: "jsmith01", AssignedOn: calendar.D(2025, 7, 1)},
	}}
	op := rules.ReportActivity{Cert: "CAS26000000001", Type: rules.StudentDiscontinued,
		EventDate: calendar.D(2026, 3, 2), Details: "Withdrew from the course."}

	d := rules.Evaluate(actor, op, st)
	fmt.Println("accepted:", d.Accepted(), d.Ref)
	for _, f := range d.Findings {
		fmt.Println(f.Severity, f.Rule, f.Message)
	}
	add := d.Changes[0].(rules.AddReport)
	fmt.Println(add.Cert, add.Report.Type, "late:", add.Report.Late)

	// Another sponsor's CAS reads exactly like one that does not exist.
	d = rules.Evaluate(actor, rules.ReportActivity{Cert: "CAS26999999999", Type: rules.StudentDiscontinued}, st)
	fmt.Println(d.Findings[0].Rule, d.Findings[0].Message)
	// Output:
	// accepted: true BDT-64X7Q3VIDA5M
	// warning R.ACTIVITY.LATE This report is 4 working days late: an event on 2026-03-02 had to be reported within 10 working days, by 2026-03-16.
	// CAS26000000001 STUDENT_DISCONTINUED late: true
	// R.CERT.FOUND CAS CAS26999999999 was not found among your certificates.
}

// The records of a file go through one Batch: a repeat of a certificate is
// rejected, naming the record that stands.
func ExampleBatch_Evaluate() {
	actor := rules.Actor{
		Sponsor: &rules.Sponsor{Licence: "4NUV7KB58", Status: rules.LicenceARated, Routes: []rules.Route{rules.RouteStudent}},
		User:    &rules.User{ID: "jsmith01", Sponsor: "4NUV7KB58", Level: rules.Level1, Status: rules.UserActive},
		Now:     time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC),
	}
	st := rules.State{Certs: map[string]*rules.Certificate{
		"CAS26000000001": {Number: "CAS26000000001", Kind: rules.CAS, Sponsor: "4NUV7KB58", Status: rules.StatusUsed},
	}}
	noShow := rules.ReportActivity{Cert: "CAS26000000001", Type: rules.StudentDidNotEnrol, EventDate: calendar.D(2026, 3, 16)}
	b := rules.NewBatch()
	for i := 1; i <= 2; i++ {
		actor.Source = fmt.Sprintf("file:4NUV7KB58/NS-2026-03-20#%d", i)
		d := b.Evaluate(actor, noShow, st, i)
		fmt.Println(i, d.Accepted())
		for _, f := range d.Findings {
			fmt.Println(" ", f.Rule, f.Severity, f.Field, f.Message)
		}
	}
	// Output:
	// 1 true
	// 2 false
	//   R.RECORD.DUPLICATE error CASNumber CAS CAS26000000001 already appears in record 1 of this file for the same operation. A certificate is taken once per operation in a file, so this later record is not applied.
}

func ExampleParseMoney() {
	for _, s := range []string{"9500", "9500.5", "1234.99", "-100"} {
		m, err := rules.ParseMoney(s)
		fmt.Println(m, err)
	}
	// Output:
	// 9500.00 <nil>
	// 0.00 9500.5 is not an amount in pounds written like 1234 or 1234.99 (no £ sign, no commas)
	// 1234.99 <nil>
	// 0.00 -100 is negative; an amount is never negative
}

// How long a worker's absence without permission has lasted by the event
// date, in working days with both ends counted: R.ACTIVITY.ABSENCE wants more
// than 10. St Andrew's Day (Monday 30 November 2026) is a bank holiday in
// Scotland only.
func ExampleAbsenceWorkingDays() {
	first, event := calendar.D(2026, 11, 23), calendar.D(2026, 12, 7)
	fmt.Println(rules.AbsenceWorkingDays(calendar.EnglandAndWales, first, event))
	fmt.Println(rules.AbsenceWorkingDays(calendar.Scotland, first, event))
	// Output:
	// 11
	// 10
}

// A suspended licence may still act on one certificate at a time, but not
// view or export any (seed 003, "Access to SMS").
func ExampleCheckViewAccess() {
	actor := rules.Actor{
		Sponsor: &rules.Sponsor{Licence: "B3RT9XK21", Status: rules.LicenceSuspended, Routes: []rules.Route{rules.RouteStudent}},
		User:    &rules.User{ID: "kce.director", Sponsor: "B3RT9XK21", Level: rules.Level1, Status: rules.UserActive},
	}
	for _, f := range rules.CheckViewAccess(actor, rules.CAS) {
		fmt.Println(f.Rule, f.Message)
	}
	// Output:
	// F.LICENCE.SUSPENDED Licence B3RT9XK21 is suspended: a suspended or dormant licence cannot view or export CAS or CoS, one at a time or in batches. Reporting activity and the other sponsor duties are still possible.
}
