package action_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"bdt/bdt/action"
	"bdt/bdt/action/actiontest"
	"bdt/bdt/store"
	"bdt/rules"
	"bdt/rules/calendar"
)

// The sample register (samples/register.xml) is the world of these tests:
//
//	4NUV7KB58  University of Wessex: A-rated, Student only
//	           jsmith01, fees.office Level 1; intl.office02, intl.office03 Level 2;
//	           mellison Level 1 deactivated by the sponsor
//	NTMHWM0V3  Lagan Precision Engineering: A-rated, Worker only
//	           squinn Level 1; cdoherty Level 2; mkelly Level 2 requested
//	S7KQ2LMX4  Strathmore University: both routes; fmacleod Level 1
//	B3RT9XK21  Kensington College of English: suspended, Student; kce.director Level 1
//	R0VK8TQ55  Harbour Language Academy: revoked; hla.owner Level 1
const (
	casUsed      = "CAS26000000001" // USED, owner intl.office02, assigned 2026-05-12
	casUsed2     = "CAS26000000002" // USED, owner jsmith01
	casReported  = "CAS26000000003" // USED, owner intl.office03; a standing STUDENT_ABSENT of 2026-10-16
	casExpired   = "CAS26000000006" // EXPIRED, owner intl.office03, with a note
	casAssigned  = "CAS26000000101" // ASSIGNED, owner intl.office02, first-year fees only
	casNoted     = "CAS26000000107" // ASSIGNED, owner jsmith01, with a note
	casScottish  = "CAS26000000301" // another sponsor's (S7KQ2LMX4)
	casSuspended = "CAS26000000402" // ASSIGNED CAS of the suspended B3RT9XK21
	casRevoked   = "CAS26000000501" // CAS of the revoked R0VK8TQ55
	casMissing   = "CAS26999999999" // in no register
	cosUsed      = "COS26000000001" // USED, owner cdoherty
	cosAssigned  = "COS26000000007" // ASSIGNED, owner cdoherty
	cosNoted     = "COS26000000008" // ASSIGNED, owner squinn, with a note
	cosScottish  = "COS26000000302" // another sponsor's (S7KQ2LMX4) ASSIGNED CoS
)

// now is the processing time: Monday 16 November 2026, 10:00 GMT.
var now = time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)

func who(user string) action.Who { return action.Who{User: user, Now: now} }

// certOf reads certificate n from the register.
func certOf(t *testing.T, r store.Reader, n string) *rules.Certificate {
	return actiontest.Cert(t, r, n)
}

func rulesOf(fs []rules.Finding) []rules.RuleID {
	var ids []rules.RuleID
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

func has(fs []rules.Finding, id rules.RuleID) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

func money(s string) *rules.Money {
	m, err := rules.ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return &m
}

// added returns the one report after has that before has not.
func added(t *testing.T, before, after *rules.Certificate) rules.ActivityReport {
	t.Helper()
	if len(after.Activity) != len(before.Activity)+1 {
		t.Fatalf("activity has %d reports, want %d", len(after.Activity), len(before.Activity)+1)
	}
	return after.Activity[len(after.Activity)-1]
}

func TestDoAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		who   action.Who
		op    rules.Op
		warn  rules.RuleID // a warning the decision must carry, if any
		check func(t *testing.T, d rules.Decision, before, after *rules.Certificate)
		cert  string // the certificate check looks at
	}{
		{
			name: "student no-show", who: who("jsmith01"), cert: casUsed,
			op: rules.ReportActivity{Cert: casUsed, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09"), Details: "Never enrolled."},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				r := added(t, before, after)
				if r.Ref != d.Ref || r.Type != rules.StudentDidNotEnrol || r.EventDate != calendar.MustDate("2026-11-09") ||
					r.ReportedBy != "jsmith01" || !r.ReportedAt.Equal(now) || r.Source != "screen:jsmith01:1794823200000000000:report/STUDENT_DID_NOT_ENROL" || r.Late || r.WithdrawnBy != "" {
					t.Errorf("report = %+v", r)
				}
				if after.Status != rules.StatusUsed {
					t.Errorf("status = %s, want USED unchanged", after.Status)
				}
			},
		},
		{
			name: "R.ACTIVITY.LATE warning, applied", who: who("jsmith01"), cert: casUsed2, warn: rules.RActivityLate,
			op: rules.ReportActivity{Cert: casUsed2, Type: rules.StudentDiscontinued, EventDate: calendar.MustDate("2026-09-28")},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				r := added(t, before, after)
				if r.Ref != d.Ref || !r.Late {
					t.Errorf("report = %+v, want late with ref %s", r, d.Ref)
				}
			},
		},
		{
			name: "previous notification withdrawn", who: who("intl.office03"), cert: casReported,
			op: rules.ReportActivity{Cert: casReported, Type: rules.StudentPreviousWithdrawn, EventDate: calendar.MustDate("2026-11-13"),
				PreviousDate: calendar.MustDate("2026-10-16"), Details: "Reported against the wrong student."},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				added(t, before, after)
				var earlier *rules.ActivityReport
				for i := range after.Activity {
					if after.Activity[i].EventDate == calendar.MustDate("2026-10-16") {
						earlier = &after.Activity[i]
					}
				}
				if earlier == nil || earlier.WithdrawnBy != d.Ref {
					t.Errorf("the report of 2026-10-16 = %+v, want withdrawn by %s", earlier, d.Ref)
				}
			},
		},
		{
			name: "fees by the Level 2 owner", who: who("intl.office02"), cert: casAssigned,
			op: rules.UpdateFees{Cert: casAssigned, RawAmounts: map[string]string{rules.FieldCourseFeesPaid: "5000", rules.FieldBoardingFeesPaid: "120.50"}},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if p := after.Fees.CourseFeesPaid; p == nil || *p != *money("5000") {
					t.Errorf("course fees paid = %v, want 5000.00", p)
				}
				if p := after.Fees.BoardingFeesPaid; p == nil || *p != *money("120.50") {
					t.Errorf("boarding fees paid = %v, want 120.50", p)
				}
				if y := after.Fees.CourseFeesFirstYear; y == nil || *y != *money("18500") {
					t.Errorf("first-year fees = %v, want 18500.00 unchanged", y)
				}
				if len(after.FeeHistory) != len(before.FeeHistory)+1 {
					t.Fatalf("fee history has %d entries, want %d", len(after.FeeHistory), len(before.FeeHistory)+1)
				}
				h := after.FeeHistory[len(after.FeeHistory)-1]
				if h.Ref != d.Ref || h.By != "intl.office02" || !h.At.Equal(now) {
					t.Errorf("history entry = %+v", h)
				}
				if h.Before.CourseFeesPaid != nil || h.Before.CourseFeesFirstYear == nil || *h.Before.CourseFeesFirstYear != *money("18500") {
					t.Errorf("history keeps before = %+v, want the old values", h.Before)
				}
			},
		},
		{
			name: "fees while the licence is suspended", who: who("kce.director"), cert: casSuspended,
			op: rules.UpdateFees{Cert: casSuspended, RawAmounts: map[string]string{rules.FieldCourseFeesPaid: "750"}},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if p := after.Fees.CourseFeesPaid; p == nil || *p != *money("750") {
					t.Errorf("course fees paid = %v, want 750.00", p)
				}
			},
		},
		{
			name: "CAS note replaced", who: who("jsmith01"), cert: casNoted,
			op: rules.AddNote{Cert: casNoted, Kind: rules.CAS, Text: "Scholarship confirmed.", Mode: rules.NoteReplace},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if after.Note != "Scholarship confirmed." {
					t.Errorf("note = %q", after.Note)
				}
			},
		},
		{
			name: "note appended on an EXPIRED CAS", who: who("intl.office03"), cert: casExpired,
			op: rules.AddNote{Cert: casExpired, Kind: rules.CAS, Text: "Student reapplied.", Mode: rules.NoteAppend},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if before.Note == "" || after.Note != before.Note+"\nStudent reapplied." {
					t.Errorf("note = %q, want %q and the new line", after.Note, before.Note)
				}
			},
		},
		{
			name: "CoS note", who: who("squinn"), cert: cosNoted,
			op: rules.AddNote{Cert: cosNoted, Kind: rules.CoS, Text: "Vetting complete.", Mode: rules.NoteReplace},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if after.Note != "Vetting complete." {
					t.Errorf("note = %q", after.Note)
				}
			},
		},
		{
			name: "CoS withdrawn", who: who("squinn"), cert: cosAssigned,
			op: rules.WithdrawCoS{Cert: cosAssigned, Reason: "Offer declined."},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if after.Status != rules.StatusWithdrawn {
					t.Errorf("status = %s, want WITHDRAWN", after.Status)
				}
				if len(after.StatusHistory) != len(before.StatusHistory)+1 {
					t.Fatalf("status history has %d entries, want %d", len(after.StatusHistory), len(before.StatusHistory)+1)
				}
				h := after.StatusHistory[len(after.StatusHistory)-1]
				if h.Status != rules.StatusWithdrawn || h.By != "squinn" || h.Reason != "Offer declined." || !h.At.Equal(now) {
					t.Errorf("history entry = %+v", h)
				}
			},
		},
		{
			name: "CAS withdrawn by its Level 2 owner", who: who("intl.office02"), cert: casAssigned,
			op: rules.WithdrawCAS{Cert: casAssigned, Reason: "The student chose another university."},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if after.Status != rules.StatusWithdrawn || before.Status != rules.StatusAssigned {
					t.Errorf("status %s -> %s, want ASSIGNED -> WITHDRAWN", before.Status, after.Status)
				}
				if len(after.StatusHistory) != len(before.StatusHistory)+1 {
					t.Fatalf("status history has %d entries, want %d", len(after.StatusHistory), len(before.StatusHistory)+1)
				}
				h := after.StatusHistory[len(after.StatusHistory)-1]
				if h.Status != rules.StatusWithdrawn || h.By != "intl.office02" || h.Reason != "The student chose another university." || !h.At.Equal(now) {
					t.Errorf("history entry = %+v", h)
				}
			},
		},
		{
			// Seed 003 bars a suspended licence from viewing, not from withdrawing.
			name: "CAS withdrawn by a suspended licence", who: who("kce.director"), cert: casSuspended,
			op: rules.WithdrawCAS{Cert: casSuspended},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				if after.Status != rules.StatusWithdrawn {
					t.Errorf("status = %s, want WITHDRAWN", after.Status)
				}
			},
		},
		{
			name: "worker stopped working", who: who("cdoherty"), cert: cosUsed,
			op: rules.ReportActivity{Cert: cosUsed, Type: rules.WorkerStopped, EventDate: calendar.MustDate("2026-11-06"), NewEmployer: "Harland Marine Ltd"},
			check: func(t *testing.T, d rules.Decision, before, after *rules.Certificate) {
				r := added(t, before, after)
				if r.Ref != d.Ref || r.Type != rules.WorkerStopped || r.NewEmployer != "Harland Marine Ltd" || r.ReportedBy != "cdoherty" {
					t.Errorf("report = %+v", r)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, st := actiontest.NewRegister(t)
			before := certOf(t, st, tc.cert)
			d, err := action.Do(context.Background(), st, tc.who, tc.op)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Accepted() || !strings.HasPrefix(d.Ref, "BDT-") {
				t.Fatalf("rejected: %v", d.Findings)
			}
			if tc.warn != "" && !has(d.Findings, tc.warn) {
				t.Errorf("findings %v, want a %s warning", rulesOf(d.Findings), tc.warn)
			}
			if tc.warn == "" && len(d.Findings) > 0 {
				t.Errorf("unexpected findings %v", d.Findings)
			}
			tc.check(t, d, before, certOf(t, st, tc.cert))
		})
	}
}

func TestTransferBatch(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	d, err := action.Do(context.Background(), st, who("squinn"), rules.TransferCoS{Certs: []string{cosAssigned, cosNoted, cosUsed}, ToUser: "cdoherty"})
	if err != nil || !d.Accepted() {
		t.Fatalf("err %v, findings %v", err, d.Findings)
	}
	for _, n := range []string{cosAssigned, cosNoted, cosUsed} {
		if c := certOf(t, st, n); c.Owner != "cdoherty" {
			t.Errorf("%s owner = %s, want cdoherty", n, c.Owner)
		}
	}
}

func TestDoRejected(t *testing.T) {
	note := func(n string, k rules.CertKind) rules.AddNote {
		return rules.AddNote{Cert: n, Kind: k, Text: "A note.", Mode: rules.NoteReplace}
	}
	fees := func(n, field, amount string) rules.UpdateFees {
		return rules.UpdateFees{Cert: n, RawAmounts: map[string]string{field: amount}}
	}
	for _, tc := range []struct {
		name string
		who  action.Who
		op   rules.Op
		want rules.RuleID
	}{
		{"R.CERT.OWNER Level 2 on another user's CAS", who("intl.office03"),
			rules.ReportActivity{Cert: casUsed, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")}, rules.RCertOwner},
		{"R.CERT.OWNER Level 2 withdraws another user's CoS", who("cdoherty"), rules.WithdrawCoS{Cert: cosNoted}, rules.RCertOwner},
		{"R.CERT.FOUND another sponsor's CAS", who("jsmith01"), note(casScottish, rules.CAS), rules.RCertFound},
		{"R.CERT.FOUND missing CAS", who("jsmith01"), note(casMissing, rules.CAS), rules.RCertFound},
		{"R.CERT.FOUND a CoS number as a CAS", who("fmacleod"), note(cosScottish, rules.CAS), rules.RCertFound},
		{"R.ACTIVITY.USED", who("jsmith01"),
			rules.ReportActivity{Cert: casAssigned, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")}, rules.RActivityUsed},
		{"F.ROUTE student activity by a Worker-only sponsor", who("squinn"),
			rules.ReportActivity{Cert: cosUsed, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")}, rules.FRoute},
		{"R.ACTIVITY.KIND student activity on a CoS", who("fmacleod"),
			rules.ReportActivity{Cert: "COS26000000301", Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")}, rules.RActivityKind},
		{"R.ACTIVITY.DATE in the future", who("jsmith01"),
			rules.ReportActivity{Cert: casUsed, Type: rules.StudentDiscontinued, EventDate: calendar.MustDate("2026-11-17")}, rules.RActivityDate},
		{"R.FEE.ASSIGNED USED CAS", who("jsmith01"), fees(casUsed, rules.FieldCourseFeesPaid, "100"), rules.RFeeAssigned},
		{"R.FEE.AMOUNT 12.5", who("jsmith01"), fees(casAssigned, rules.FieldCourseFeesPaid, "12.5"), rules.RFeeAmount},
		{"R.FEE.AMOUNT -3", who("jsmith01"), fees(casAssigned, rules.FieldCourseFeesPaid, "-3"), rules.RFeeAmount},
		{"R.FEE.AMOUNT pound sign", who("jsmith01"), fees(casAssigned, rules.FieldBoardingFeesPaid, "£10"), rules.RFeeAmount},
		{"R.FEE.PRESENT", who("jsmith01"), fees(casAssigned, rules.FieldCourseFeesFirstYear, "100"), rules.RFeePresent},
		{"R.NOTE.STATUS USED CAS", who("jsmith01"), note(casUsed, rules.CAS), rules.RNoteStatus},
		{"R.NOTE.STATUS empty note", who("jsmith01"), rules.AddNote{Cert: casNoted, Kind: rules.CAS, Mode: rules.NoteAppend}, rules.RNoteStatus},
		{"R.COS.WITHDRAW USED CoS", who("squinn"), rules.WithdrawCoS{Cert: cosUsed}, rules.RCosWithdraw},
		{"R.CAS.WITHDRAW USED CAS", who("jsmith01"), rules.WithdrawCAS{Cert: casUsed2}, rules.RCasWithdraw},
		{"R.CAS.WITHDRAW EXPIRED CAS", who("jsmith01"), rules.WithdrawCAS{Cert: casExpired}, rules.RCasWithdraw},
		{"R.CERT.OWNER Level 2 withdraws another user's CAS", who("intl.office03"), rules.WithdrawCAS{Cert: casAssigned}, rules.RCertOwner},
		{"R.CERT.FOUND a CoS number in a CAS withdrawal", who("fmacleod"), rules.WithdrawCAS{Cert: cosScottish}, rules.RCertFound},
		{"F.ROUTE Worker-only sponsor withdraws a CAS", who("squinn"), rules.WithdrawCAS{Cert: casNoted}, rules.FRoute},
		{"F.LICENCE.ACCESS revoked licence withdraws a CAS", who("hla.owner"), rules.WithdrawCAS{Cert: casRevoked}, rules.FLicenceAccess},
		{"R.COS.TRANSFER to a requested user", who("squinn"), rules.TransferCoS{Certs: []string{cosAssigned}, ToUser: "mkelly"}, rules.RCosTransfer},
		{"R.COS.TRANSFER to another sponsor's user", who("squinn"), rules.TransferCoS{Certs: []string{cosAssigned}, ToUser: "fmacleod"}, rules.RCosTransfer},
		{"R.CERT.FOUND one CoS of a batch is another sponsor's", who("squinn"),
			rules.TransferCoS{Certs: []string{cosAssigned, cosScottish, cosNoted}, ToUser: "cdoherty"}, rules.RCertFound},
		{"F.LICENCE.ACCESS revoked licence", who("hla.owner"), note(casRevoked, rules.CAS), rules.FLicenceAccess},
		{"F.ROUTE Student-only sponsor on a CoS", who("jsmith01"), rules.WithdrawCoS{Cert: cosAssigned}, rules.FRoute},
		{"F.ROUTE Worker-only sponsor on a CAS", who("squinn"), note(casNoted, rules.CAS), rules.FRoute},
		{"F.USER deactivated user", who("mellison"), note(casNoted, rules.CAS), rules.FUser},
		{"F.USER requested user", who("intl.office04"), note(casNoted, rules.CAS), rules.FUser},
		{"F.USER unknown user", who("nobody"), note(casNoted, rules.CAS), rules.FUser},
		{"F.USER no user", who(""), note(casNoted, rules.CAS), rules.FUser},
		{"F.USER user of another licence than named", action.Who{User: "jsmith01", Sponsor: "NTMHWM0V3", Now: now}, note(casNoted, rules.CAS), rules.FUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, st := actiontest.NewRegister(t)
			before := actiontest.Dump(t, st)
			d, err := action.Do(context.Background(), st, tc.who, tc.op)
			if err != nil {
				t.Fatal(err)
			}
			if d.Accepted() || d.Ref != "" || len(d.Changes) != 0 {
				t.Fatalf("accepted: %+v", d)
			}
			if !has(d.Findings, tc.want) {
				t.Errorf("findings %v, want %s: %v", rulesOf(d.Findings), tc.want, d.Findings)
			}
			actiontest.Unchanged(t, st, before)
		})
	}
}

// TestHiddenLikeMissing checks that what a user may not see (another
// sponsor's certificate; for a Level 2 user, another user's) reads exactly
// like a certificate that does not exist, in Do and in Show.
func TestHiddenLikeMissing(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name           string
		who            action.Who
		kind           rules.CertKind
		hidden, absent string
	}{
		{"another sponsor's CAS", who("jsmith01"), rules.CAS, casScottish, casMissing},
		{"another sponsor's CAS, Level 2", who("intl.office02"), rules.CAS, casScottish, casMissing},
		{"another user's CAS, Level 2", who("intl.office03"), rules.CAS, casUsed, casMissing},
		{"another sponsor's CoS", who("squinn"), rules.CoS, cosScottish, "COS26999999999"},
		{"a CoS asked for as a CAS", who("fmacleod"), rules.CAS, cosScottish, casMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := func(fs []rules.Finding, n string) string {
				if len(fs) != 1 {
					t.Fatalf("findings %v, want one", fs)
				}
				return strings.ReplaceAll(fs[0].Message, n, "<N>") + "|" + fs[0].Field
			}
			_, hid, err := action.Show(ctx, st, tc.who, tc.kind, tc.hidden)
			if err != nil {
				t.Fatal(err)
			}
			_, abs, err := action.Show(ctx, st, tc.who, tc.kind, tc.absent)
			if err != nil {
				t.Fatal(err)
			}
			if h, a := msg(hid, tc.hidden), msg(abs, tc.absent); h != a {
				t.Errorf("show: hidden %q, missing %q", h, a)
			}
			d1, err := action.Do(ctx, st, tc.who, rules.AddNote{Cert: tc.hidden, Kind: tc.kind, Text: "x", Mode: rules.NoteAppend})
			if err != nil {
				t.Fatal(err)
			}
			d2, err := action.Do(ctx, st, tc.who, rules.AddNote{Cert: tc.absent, Kind: tc.kind, Text: "x", Mode: rules.NoteAppend})
			if err != nil {
				t.Fatal(err)
			}
			if h, a := msg(d1.Findings, tc.hidden), msg(d2.Findings, tc.absent); h != a {
				t.Errorf("note: hidden %q, missing %q", h, a)
			}
		})
	}
	// A user named with a licence that is not theirs reads the same whether
	// the user exists elsewhere, or at all, and whether the licence exists.
	var msgs []string
	for _, w := range []action.Who{
		{User: "jsmith01", Sponsor: "NTMHWM0V3", Now: now},
		{User: "jsmith01", Sponsor: "ZZZZZZZZZ", Now: now},
	} {
		_, fs, err := action.Show(ctx, st, w, rules.CAS, casUsed)
		if err != nil || len(fs) != 1 || fs[0].Rule != rules.FUser {
			t.Fatalf("%+v: %v, %v", w, fs, err)
		}
		msgs = append(msgs, strings.ReplaceAll(fs[0].Message, w.Sponsor, "<L>"))
	}
	_, fs, _ := action.Show(ctx, st, action.Who{User: "nobody", Sponsor: "NTMHWM0V3", Now: now}, rules.CAS, casUsed)
	if len(fs) != 1 {
		t.Fatalf("unknown user: %v", fs)
	}
	msgs = append(msgs, strings.ReplaceAll(strings.ReplaceAll(fs[0].Message, "NTMHWM0V3", "<L>"), "nobody", "jsmith01"))
	if msgs[0] != msgs[1] || msgs[0] != msgs[2] {
		t.Errorf("messages differ: %q", msgs)
	}
}

func TestShow(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		who  action.Who
		kind rules.CertKind
		n    string
		want rules.RuleID
	}{
		{"Level 1 CAS", who("jsmith01"), rules.CAS, casReported, ""},
		{"Level 2 own CAS", who("intl.office03"), rules.CAS, casReported, ""},
		{"CoS", who("cdoherty"), rules.CoS, cosUsed, ""},
		{"with the user's own licence named", action.Who{User: "squinn", Sponsor: "NTMHWM0V3", Now: now}, rules.CoS, cosUsed, ""},
		{"R.CERT.OWNER", who("intl.office02"), rules.CAS, casReported, rules.RCertOwner},
		{"R.CERT.FOUND", who("jsmith01"), rules.CAS, casScottish, rules.RCertFound},
		{"F.ROUTE", who("jsmith01"), rules.CoS, cosUsed, rules.FRoute},
		{"F.LICENCE.ACCESS", who("hla.owner"), rules.CAS, casRevoked, rules.FLicenceAccess},
		{"F.USER", who("mellison"), rules.CAS, casReported, rules.FUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fs, err := action.Show(ctx, st, tc.who, tc.kind, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" {
				if c != nil || len(fs) != 1 || fs[0].Rule != tc.want {
					t.Fatalf("got %v, %v; want one %s finding and no certificate", c, fs, tc.want)
				}
				return
			}
			if len(fs) != 0 || c == nil || c.Number != tc.n {
				t.Fatalf("got %v, %v; want %s", c, fs, tc.n)
			}
			if want := certOf(t, st, tc.n); len(c.Activity) != len(want.Activity) || c.Status != want.Status {
				t.Errorf("shown %+v, register holds %+v", c, want)
			}
		})
	}
}

// TestSameActionTwice runs one report twice at the same instant: the second
// has the same confirmation reference and is refused, and nothing changes.
func TestSameActionTwice(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	op := rules.ReportActivity{Cert: casUsed, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")}
	if d, err := action.Do(ctx, st, who("jsmith01"), op); err != nil || !d.Accepted() {
		t.Fatalf("first: %v, %v", d.Findings, err)
	}
	before := actiontest.Dump(t, st)
	_, err := action.Do(ctx, st, who("jsmith01"), op)
	if !errors.Is(err, action.ErrAlreadyRecorded) {
		t.Errorf("second: err = %v, want ErrAlreadyRecorded", err)
	}
	actiontest.Unchanged(t, st, before)
	// A moment later it is a new report with a new reference.
	later := who("jsmith01")
	later.Now = later.Now.Add(time.Nanosecond)
	d, err := action.Do(ctx, st, later, op)
	if err != nil || !d.Accepted() {
		t.Fatalf("later: %v, %v", d.Findings, err)
	}
	if c := certOf(t, st, casUsed); len(c.Activity) != 2 || c.Activity[0].Ref == c.Activity[1].Ref {
		t.Errorf("activity = %+v, want two reports with different references", c.Activity)
	}
}

func TestDoRefusesWhatIsNotAnOperation(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	before := actiontest.Dump(t, st)
	for _, op := range []rules.Op{nil, (*rules.AddNote)(nil), (*rules.TransferCoS)(nil)} {
		if _, err := action.Do(context.Background(), st, who("jsmith01"), op); err == nil {
			t.Errorf("%T: no error", op)
		}
	}
	if _, err := action.Do(context.Background(), st, action.Who{User: "jsmith01"}, rules.WithdrawCoS{Cert: cosAssigned}); err == nil {
		t.Error("no processing time: no error")
	}
	actiontest.Unchanged(t, st, before)
}

// TestPointerOps checks that an operation given by pointer is decided and
// applied like its value.
func TestPointerOps(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	d, err := action.Do(context.Background(), st, who("squinn"), &rules.WithdrawCoS{Cert: cosAssigned})
	if err != nil || !d.Accepted() {
		t.Fatalf("%v, %v", d.Findings, err)
	}
	if c := certOf(t, st, cosAssigned); c.Status != rules.StatusWithdrawn {
		t.Errorf("status = %s", c.Status)
	}
}

func TestSource(t *testing.T) {
	w := action.Who{User: "jsmith01", Now: time.Date(2026, 10, 9, 10, 40, 0, 0, time.UTC)}
	for _, tc := range []struct {
		op   rules.Op
		want string
	}{
		{rules.ReportActivity{Type: rules.StudentAbsent}, "screen:jsmith01:1791542400000000000:report/STUDENT_ABSENT"},
		{&rules.UpdateFees{}, "screen:jsmith01:1791542400000000000:fees"},
		{rules.AddNote{}, "screen:jsmith01:1791542400000000000:note"},
		{rules.WithdrawCoS{}, "screen:jsmith01:1791542400000000000:withdraw"},
		{rules.TransferCoS{}, "screen:jsmith01:1791542400000000000:transfer"},
	} {
		if got := w.Source(tc.op); got != tc.want {
			t.Errorf("Source(%T) = %q, want %q", tc.op, got, tc.want)
		}
	}
}

// TestDifferentActionsSameInstant checks that different actions on one
// certificate by one user at the same instant get different confirmation
// references, and are all applied.
func TestDifferentActionsSameInstant(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	refs := map[string]bool{}
	for _, op := range []rules.Op{
		rules.AddNote{Cert: casAssigned, Kind: rules.CAS, Text: "Deposit paid.", Mode: rules.NoteReplace},
		rules.UpdateFees{Cert: casAssigned, RawAmounts: map[string]string{rules.FieldCourseFeesPaid: "100"}},
		rules.ReportActivity{Cert: casUsed, Type: rules.StudentDidNotEnrol, EventDate: calendar.MustDate("2026-11-09")},
		rules.ReportActivity{Cert: casUsed, Type: rules.StudentOtherChange, EventDate: calendar.MustDate("2026-11-09")},
	} {
		d, err := action.Do(ctx, st, who("jsmith01"), op)
		if err != nil || !d.Accepted() {
			t.Fatalf("%T: %v, %v", op, d.Findings, err)
		}
		if refs[d.Ref] {
			t.Errorf("%T: reference %s given twice", op, d.Ref)
		}
		refs[d.Ref] = true
	}
	if c := certOf(t, st, casUsed); len(c.Activity) != 2 {
		t.Errorf("%s has %d reports, want 2", casUsed, len(c.Activity))
	}
}
