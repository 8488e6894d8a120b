package rules

import (
	"reflect"
	"testing"
	"time"

	"bdt/rules/calendar"
)

// fuzzBytes turns fuzz input into choices; past its end every choice is 0.
type fuzzBytes struct {
	b []byte
	i int
}

func (s *fuzzBytes) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return int(s.b[s.i-1])
}

func (s *fuzzBytes) pick(n int) int { return s.next() % n }

func pickOf[T any](s *fuzzBytes, xs ...T) T { return xs[s.pick(len(xs))] }

func (s *fuzzBytes) date() Date {
	if s.pick(5) == 0 {
		return Date{}
	}
	days := (s.next()<<8 | s.next()) - 32768 // about 90 years either side
	return d("2026-03-01").AddDays(days / 4)
}

func (s *fuzzBytes) money() *Money {
	if s.pick(3) == 0 {
		return nil
	}
	m := Money((s.next()<<16 | s.next()<<8 | s.next()) - 1000)
	return &m
}

var (
	fuzzNumbers  = []string{casUsed, casAssigned, cosUsed, cosAssigned, casOther, "", "cas26000000001", "CAS\x00\n"}
	fuzzUsers    = []string{alice, bob, carol, "", "nobody"}
	fuzzStrings  = []string{"", " ", "Okonkwo-Smith", "okonkwo smith", "Details.", "\u202e\x00", "1234", "1234.99", "-1", "£9,500", "0", "999999999.99"}
	fuzzCertStat = []CertStatus{StatusWorkInProgress, StatusReadyToGo, StatusAssigned, StatusWithdrawn, StatusObsolete, StatusUsed, StatusExpired, StatusCancelled, ""}
	fuzzLicStat  = []LicenceStatus{LicenceARated, LicenceBRated, LicenceSuspended, LicenceDormant, LicenceRevoked, LicenceExpired, ""}
	fuzzTypes    = []ActivityType{StudentDidNotEnrol, StudentDiscontinued, StudentAbsent, StudentSuspended, StudentEarlyCompletion,
		StudentSponsorshipWithdrawn, StudentPreviousWithdrawn, StudentOtherChange, WorkerDidNotStart, WorkerStopped, WorkerAbsent,
		WorkerChange, WorkerSponsorshipWithdrawn, WorkerPreviousWithdrawn, "", "STUDENT_GRADUATED"}
	fuzzFields = []string{FieldCourseFeesFirstYear, FieldCourseFeesPaid, FieldBoardingFeesPaid, FieldAccommodationFeesPaid, "Other"}
)

func (s *fuzzBytes) user() *User {
	if s.pick(6) == 0 {
		return nil
	}
	return &User{ID: pickOf(s, fuzzUsers...), Sponsor: pickOf(s, licA, licB, ""), Level: UserLevel(s.pick(4)),
		Status: pickOf(s, UserActive, UserActive, UserRequested, UserDeactivatedBySponsor, "")}
}

func (s *fuzzBytes) address() *Address {
	if s.pick(3) == 0 {
		return nil
	}
	a := &Address{Town: pickOf(s, fuzzStrings...), Postcode: pickOf(s, "", "S1 2AB")}
	for n := s.pick(6); n > 0; n-- {
		a.Lines = append(a.Lines, pickOf(s, fuzzStrings...))
	}
	return a
}

// fuzzCase builds an actor, an operation and a state from fuzz bytes.
func fuzzCase(b []byte) (Actor, Op, State) {
	s := &fuzzBytes{b: b}
	sp := &Sponsor{Licence: licA, Status: pickOf(s, fuzzLicStat...), Nation: pickOf[Nation](s, calendar.EnglandAndWales, calendar.Scotland, calendar.NorthernIreland, "")}
	for _, r := range []Route{RouteStudent, RouteWorker, RouteTemporaryWorker} {
		if s.pick(3) > 0 {
			sp.Routes = append(sp.Routes, r)
		}
	}
	a := Actor{Sponsor: sp, User: s.user(), Now: now.Add(time.Duration(s.next()-128) * 7 * time.Hour), Source: pickOf(s, "file:4NUV7KB58/F1#1", "screen:alice01:1", "")}
	if s.pick(10) == 0 {
		a.Sponsor = nil
	}
	st := State{Certs: map[string]*Certificate{}, ToUser: s.user()}
	for n := s.pick(5); n > 0; n-- {
		c := &Certificate{Number: pickOf(s, fuzzNumbers...), Kind: pickOf(s, CAS, CoS, ""), Sponsor: pickOf(s, licA, licA, licB),
			Status: pickOf(s, fuzzCertStat...), Owner: pickOf(s, fuzzUsers...), AssignedOn: s.date(),
			Person: Person{FamilyName: pickOf(s, fuzzStrings...), DateOfBirth: s.date()},
			Fees:   Fees{CourseFeesFirstYear: s.money(), CourseFeesPaid: s.money(), BoardingFeesPaid: s.money()},
			Note:   pickOf(s, fuzzStrings...)}
		if s.pick(2) == 0 {
			c.Course = &Course{StartDate: s.date(), EndDate: s.date()}
		}
		for r := s.pick(4); r > 0; r-- {
			c.Activity = append(c.Activity, ActivityReport{Ref: pickOf(s, "", "BDT-A", "BDT-B"), Type: pickOf(s, fuzzTypes...),
				EventDate: s.date(), WithdrawnBy: pickOf(s, "", "", "BDT-C")})
		}
		if s.pick(4) > 0 { // now and then a certificate is keyed under another number
			st.Certs[c.Number] = c
		} else {
			st.Certs[pickOf(s, fuzzNumbers...)] = c
		}
	}
	var op Op
	switch s.pick(5) {
	case 0:
		op = ReportActivity{Cert: pickOf(s, fuzzNumbers...), Type: pickOf(s, fuzzTypes...), EventDate: s.date(),
			Details: pickOf(s, fuzzStrings...), FamilyName: pickOf(s, fuzzStrings...), DateOfBirth: s.date(), Address: s.address(),
			EarlyCompletion: s.date(), PreviousDate: s.date(), FirstDayOfAbsence: s.date()}
	case 1:
		o := UpdateFees{Cert: pickOf(s, fuzzNumbers...), Fees: Fees{CourseFeesFirstYear: s.money(), CourseFeesPaid: s.money(),
			BoardingFeesPaid: s.money(), AccommodationFeesPaid: s.money()}, FamilyName: pickOf(s, fuzzStrings...)}
		if s.pick(2) == 0 {
			o.RawAmounts = map[string]string{}
			for n := s.pick(4); n > 0; n-- {
				o.RawAmounts[pickOf(s, fuzzFields...)] = pickOf(s, fuzzStrings...)
			}
		}
		op = o
	case 2:
		op = AddNote{Cert: pickOf(s, fuzzNumbers...), Text: pickOf(s, fuzzStrings...), Mode: pickOf(s, NoteAppend, NoteReplace, ""), Kind: pickOf(s, CAS, CoS, "")}
	case 3:
		if s.pick(2) == 0 {
			op = &WithdrawCoS{Cert: pickOf(s, fuzzNumbers...)}
		} else {
			op = WithdrawCAS{Cert: pickOf(s, fuzzNumbers...)}
		}
	case 4:
		o := TransferCoS{ToUser: pickOf(s, fuzzUsers...)}
		for n := s.pick(4); n > 0; n-- {
			o.Certs = append(o.Certs, pickOf(s, fuzzNumbers...))
		}
		op = o
	}
	// Histories the engine must not need (ReadsActivity), last so that they
	// shift none of the choices above.
	for _, c := range st.Certs {
		c.StatusHistory = []StatusChange{{Status: c.Status, At: now.Add(-time.Hour), By: alice, Reason: "fuzz"}}
		c.FeeHistory = []FeeChange{{At: now.Add(-time.Hour), By: alice, Ref: "BDT-F", After: c.Fees}}
	}
	return a, op, st
}

// forRules strips st's certificates of what the engine does not read for op,
// as store.Reader.CertificatesForRules does: the histories, the activity
// unless op ReadsActivity, all but the Brief when op ReadsBrief.
func forRules(op Op, st State) State {
	out := st
	out.Certs = make(map[string]*Certificate, len(st.Certs))
	for k, c := range st.Certs {
		cc := *c
		if op.ReadsBrief() {
			cc = *Brief(c)
		}
		cc.StatusHistory, cc.FeeHistory = nil, nil
		if !op.ReadsActivity() {
			cc.Activity = nil
		}
		out.Certs[k] = &cc
	}
	return out
}

// FuzzEvaluate checks that no actor, operation or state makes the engine
// panic or change its inputs, that a rejected decision changes nothing and
// an accepted one has a confirmation reference, and that every finding cites
// a catalogued rule with its severity.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 128, 0, 0, 3, 0, 0, 0, 5})
	f.Add([]byte("report activity on a used CAS of ours"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, op, st := fuzzCase(b)
		_, _, pristine := fuzzCase(b)
		for _, dec := range []Decision{Evaluate(a, op, st), EvaluateAction(a, op, st), NewBatch().Evaluate(a, op, st, 1)} {
			checkInvariants(t, dec)
			for _, c := range dec.Changes {
				if c == nil {
					t.Fatalf("nil change in %+v", dec)
				}
			}
		}
		if !reflect.DeepEqual(st, pristine) {
			t.Fatal("Evaluate changed the state")
		}
		// What CertificatesForRules leaves out changes no decision.
		if got, want := Evaluate(a, op, forRules(op, st)), Evaluate(a, op, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("decision depends on what ReadsActivity or ReadsBrief (%T) leaves out:\n got %+v\nwant %+v", op, got, want)
		}
	})
}
