package main

import (
	"encoding/json"
	"strings"
	"testing"

	"bdt/bdt/action/actiontest"
	"bdt/bdt/store"
	"bdt/rules"
)

func TestCasReport(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "no-show", code: exitOK,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "jsmith01", "--details", "Never arrived."},
			check: func(t *testing.T, st store.Store, out string) {
				r := lastReport(t, st, "CAS26000000001", out)
				if r.Type != rules.StudentDidNotEnrol || r.EventDate.String() != "2026-11-09" || r.Details != "Never arrived." ||
					r.ReportedBy != "jsmith01" || r.ReportedAt.Format("2006-01-02T15:04:05Z07:00") != actionNow || r.Late {
					t.Errorf("report = %+v", r)
				}
			}},
		{name: "R.ACTIVITY.LATE warning, applied", code: exitOK, rule: rules.RActivityLate,
			args: []string{"cas", "report", "CAS26000000002", "--type", "student_discontinued", "--date", "2026-09-28", "--user", "jsmith01"},
			check: func(t *testing.T, st store.Store, out string) {
				if r := lastReport(t, st, "CAS26000000002", out); !r.Late || r.Type != rules.StudentDiscontinued {
					t.Errorf("report = %+v, want late", r)
				}
			}},
		{name: "sponsorship withdrawn with the last address", code: exitOK,
			args: []string{"cas", "report", "CAS26000000004", "--type", "STUDENT_SPONSORSHIP_WITHDRAWN", "--date", "2026-11-12", "--user", "intl.office02",
				"--address-line", "Flat 2", "--address-line", "8 Portswood Road", "--town", "Southampton", "--postcode", "SO17 2ES",
				"--email", "s@example.com", "--family-name", "nguyen thi", "--sponsor", "4NUV7KB58"},
			check: func(t *testing.T, st store.Store, out string) {
				r := lastReport(t, st, "CAS26000000004", out)
				if a := r.Address; a == nil || strings.Join(a.Lines, "|") != "Flat 2|8 Portswood Road" || a.Town != "Southampton" ||
					a.Postcode != "SO17 2ES" || a.Email != "s@example.com" || a.Phone != "" {
					t.Errorf("address = %+v", r.Address)
				}
			}},
		{name: "previous notification withdrawn", code: exitOK,
			args: []string{"cas", "report", "CAS26000000003", "--type", "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", "--date", "2026-11-13",
				"--previous-date", "2026-10-16", "--details", "Reported against the wrong student.", "--user", "intl.office03"},
			check: func(t *testing.T, st store.Store, out string) {
				ref := lastReport(t, st, "CAS26000000003", out).Ref
				for _, r := range certIn(t, st, "CAS26000000003").Activity {
					if r.Ref == "BDT-HZQIC53JYSHA" && r.WithdrawnBy != ref {
						t.Errorf("the report of 2026-10-16 is withdrawn by %q, want %s", r.WithdrawnBy, ref)
					}
				}
			}},
		{name: "R.CERT.OWNER Level 2 on another user's CAS", code: exitFailed, rule: rules.RCertOwner,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "intl.office03"}},
		{name: "R.CERT.FOUND another sponsor's CAS", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cas", "report", "CAS26000000301", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "jsmith01"}},
		{name: "R.ACTIVITY.USED on an ASSIGNED CAS", code: exitFailed, rule: rules.RActivityUsed,
			args: []string{"cas", "report", "CAS26000000101", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "jsmith01"}},
		{name: "R.ACTIVITY.WITHDRAWAL.ADDRESS missing", code: exitFailed, rule: rules.RActivityWithdrawalAddress,
			args: []string{"cas", "report", "CAS26000000004", "--type", "STUDENT_SPONSORSHIP_WITHDRAWN", "--date", "2026-11-12", "--user", "jsmith01"}},
		{name: "R.IDENTITY wrong family name", code: exitFailed, rule: rules.RIdentity,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "jsmith01", "--family-name", "Nobody"}},
		{name: "F.LICENCE.ACCESS revoked licence", code: exitFailed, rule: rules.FLicenceAccess,
			args: []string{"cas", "report", "CAS26000000501", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "hla.owner"}},
		{name: "F.ROUTE Worker-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "squinn"}},
		{name: "F.USER deactivated user", code: exitFailed, rule: rules.FUser,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "mellison"}},
		{name: "F.USER another licence named", code: exitFailed, rule: rules.FUser,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-09", "--user", "jsmith01", "--sponsor", "S7KQ2LMX4"}},
		{name: "usage: worker type on a CAS", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "WORKER_ABSENT", "--date", "2026-11-09", "--user", "jsmith01"}},
		{name: "usage: unknown type", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "NO_SHOW", "--date", "2026-11-09", "--user", "jsmith01"}},
		{name: "usage: bad date", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_ABSENT", "--date", "09/11/2026", "--user", "jsmith01"}},
		{name: "usage: no date", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_ABSENT", "--user", "jsmith01"}},
		{name: "usage: no user", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_ABSENT", "--date", "2026-11-09"}},
		{name: "usage: two CAS", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "CAS26000000002", "--type", "STUDENT_ABSENT", "--date", "2026-11-09", "--user", "jsmith01"}},
		{name: "usage: unknown flag", code: exitUsage,
			args: []string{"cas", "report", "CAS26000000001", "--type", "STUDENT_ABSENT", "--date", "2026-11-09", "--user", "jsmith01", "--colour", "red"}},
	})
}

func TestCasFees(t *testing.T) {
	fees := func(args ...string) []string {
		return append([]string{"cas", "fees"}, args...)
	}
	runCLICases(t, []cliCase{
		{name: "accepted, history keeps the old values", code: exitOK,
			args: fees("CAS26000000101", "--course-fees-paid", "5000", "--boarding-fees-paid", "120.50", "--includes-accommodation", "false", "--user", "intl.office02"),
			check: func(t *testing.T, st store.Store, out string) {
				c := certIn(t, st, "CAS26000000101")
				f := c.Fees
				if f.CourseFeesPaid == nil || f.CourseFeesPaid.String() != "5000.00" || f.BoardingFeesPaid == nil || f.BoardingFeesPaid.String() != "120.50" ||
					f.IncludesAccommodation == nil || *f.IncludesAccommodation || f.CourseFeesFirstYear == nil || f.CourseFeesFirstYear.String() != "18500.00" {
					t.Errorf("fees = %+v", f)
				}
				if len(c.FeeHistory) != 1 {
					t.Fatalf("fee history = %+v", c.FeeHistory)
				}
				h := c.FeeHistory[0]
				if h.Ref != refOf(t, out) || h.By != "intl.office02" || h.Before.CourseFeesPaid != nil ||
					h.Before.CourseFeesFirstYear == nil || h.Before.CourseFeesFirstYear.String() != "18500.00" {
					t.Errorf("history = %+v", h)
				}
			}},
		{name: "suspended licence, one CAS at a time", code: exitOK,
			args: fees("CAS26000000402", "--course-fees-paid", "750", "--user", "kce.director"),
			check: func(t *testing.T, st store.Store, out string) {
				if p := certIn(t, st, "CAS26000000402").Fees.CourseFeesPaid; p == nil || p.String() != "750.00" {
					t.Errorf("course fees paid = %v", p)
				}
			}},
		{name: "R.FEE.EXCEEDS warning, applied", code: exitOK, rule: rules.RFeeExceeds,
			args: fees("CAS26000000101", "--course-fees-paid", "20000", "--user", "jsmith01"),
			check: func(t *testing.T, st store.Store, out string) {
				if p := certIn(t, st, "CAS26000000101").Fees.CourseFeesPaid; p == nil || p.String() != "20000.00" {
					t.Errorf("course fees paid = %v", p)
				}
			}},
		{name: "R.FEE.ASSIGNED USED CAS", code: exitFailed, rule: rules.RFeeAssigned,
			args: fees("CAS26000000001", "--course-fees-paid", "100", "--user", "jsmith01")},
		{name: "R.FEE.AMOUNT 12.5", code: exitFailed, rule: rules.RFeeAmount,
			args: fees("CAS26000000101", "--course-fees-paid", "12.5", "--user", "jsmith01")},
		{name: "R.FEE.AMOUNT -3", code: exitFailed, rule: rules.RFeeAmount,
			args: fees("CAS26000000101", "--course-fees-paid=-3", "--user", "jsmith01")},
		{name: "R.FEE.AMOUNT pound sign", code: exitFailed, rule: rules.RFeeAmount,
			args: fees("CAS26000000101", "--boarding-fees-paid", "£10", "--user", "jsmith01")},
		{name: "R.FEE.AMOUNT first-year fee with a comma", code: exitFailed, rule: rules.RFeeAmount,
			args: fees("CAS26000000101", "--course-fees-first-year", "18,500", "--course-fees-paid", "100", "--user", "jsmith01")},
		{name: "R.FEE.PRESENT no amount paid", code: exitFailed, rule: rules.RFeePresent,
			args: fees("CAS26000000101", "--course-fees-first-year", "100", "--user", "jsmith01")},
		{name: "R.CERT.OWNER Level 2 on another user's CAS", code: exitFailed, rule: rules.RCertOwner,
			args: fees("CAS26000000101", "--course-fees-paid", "100", "--user", "intl.office03")},
		{name: "R.CERT.FOUND another sponsor's CAS", code: exitFailed, rule: rules.RCertFound,
			args: fees("CAS26000000302", "--course-fees-paid", "100", "--user", "jsmith01")},
		{name: "F.ROUTE Worker-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: fees("CAS26000000101", "--course-fees-paid", "100", "--user", "squinn")},
		{name: "usage: includes-accommodation maybe", code: exitUsage,
			args: fees("CAS26000000101", "--course-fees-paid", "100", "--includes-accommodation", "maybe", "--user", "jsmith01")},
		{name: "usage: bad --now", code: exitUsage,
			args: fees("CAS26000000101", "--course-fees-paid", "100", "--user", "jsmith01", "--now", "yesterday")},
	})
}

func TestCasNote(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "replaced", code: exitOK,
			args:  []string{"cas", "note", "CAS26000000107", "--text", "Scholarship confirmed.", "--user", "jsmith01"},
			check: noteIs("CAS26000000107", "Scholarship confirmed.")},
		{name: "appended on an EXPIRED CAS", code: exitOK,
			args: []string{"cas", "note", "CAS26000000006", "--text", "Student reapplied.", "--append", "--user", "intl.office03"},
			check: func(t *testing.T, st store.Store, out string) {
				n := certIn(t, st, "CAS26000000006").Note
				if !strings.HasSuffix(n, "\nStudent reapplied.") || len(n) <= len("\nStudent reapplied.") {
					t.Errorf("note = %q, want the old note and the new line", n)
				}
			}},
		{name: "R.NOTE.STATUS USED CAS", code: exitFailed, rule: rules.RNoteStatus,
			args: []string{"cas", "note", "CAS26000000001", "--text", "x", "--user", "jsmith01"}},
		{name: "R.NOTE.STATUS empty text", code: exitFailed, rule: rules.RNoteStatus,
			args: []string{"cas", "note", "CAS26000000107", "--text", " ", "--user", "jsmith01"}},
		{name: "R.CERT.FOUND a CoS number", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cas", "note", "COS26000000302", "--text", "x", "--user", "fmacleod"}},
		{name: "F.USER unknown user", code: exitFailed, rule: rules.FUser,
			args: []string{"cas", "note", "CAS26000000107", "--text", "x", "--user", "nobody"}},
		{name: "usage: no text", code: exitUsage,
			args: []string{"cas", "note", "CAS26000000107", "--user", "jsmith01"}},
	})
}

func TestCasShow(t *testing.T) {
	show := shower(t, "cas")
	code, out, errOut := show("CAS26000000003", "--user", "intl.office03")
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, w := range []string{"CAS CAS26000000003", "USED", "Zhang", "MEng Civil Engineering", "£24600.00", "Status history",
		"BDT-ZFDIGWN4LO6Q  STUDENT_SPONSORSHIP_WITHDRAWN  event date 2026-10-05", "BDT-UQYS5ETCSUOP", "2026-11-06T17:05:00Z by intl.office03"} {
		if !strings.Contains(out, w) {
			t.Errorf("text lacks %q:\n%s", w, out)
		}
	}

	code, out, _ = show("CAS26000000003", "--user", "jsmith01", "--format", "json")
	var v struct {
		Number   string `json:"number"`
		Status   string `json:"status"`
		Activity []struct {
			Ref         string `json:"confirmation_reference"`
			Type        string `json:"type"`
			EventDate   string `json:"event_date"`
			ReportedBy  string `json:"reported_by"`
			WithdrawnBy string `json:"withdrawn_by"`
		} `json:"activity_history"`
		Fees map[string]*string `json:"fees"`
	}
	if code != exitOK {
		t.Fatalf("json: exit %d", code)
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if v.Number != "CAS26000000003" || v.Status != "USED" || len(v.Activity) != 3 || v.Activity[0].WithdrawnBy != "BDT-UQYS5ETCSUOP" ||
		v.Activity[2].Type != "STUDENT_ABSENT" || v.Fees["course_fees_paid"] == nil || *v.Fees["course_fees_paid"] != "12300.00" {
		t.Errorf("json = %s", out)
	}

	// Another sponsor's CAS (or a CoS) reads exactly like a missing one: the
	// same output but for the number, and exit 1. For a Level 2 user,
	// another user's CAS has the same message (the engine cites
	// R.CERT.OWNER rather than R.CERT.FOUND).
	same := func(who, hidden, absent string, wholeLine bool) {
		t.Helper()
		c1, o1, _ := show(hidden, "--user", who)
		c2, o2, _ := show(absent, "--user", who)
		if c1 != exitFailed || c2 != exitFailed {
			t.Fatalf("exits %d, %d, want %d", c1, c2, exitFailed)
		}
		o1, o2 = strings.ReplaceAll(o1, hidden, "N"), strings.ReplaceAll(o2, absent, "N")
		if !wholeLine {
			_, o1, _ = strings.Cut(o1, ": ")
			_, o2, _ = strings.Cut(o2, ": ")
		}
		if o1 == "" || o1 != o2 {
			t.Errorf("%s on %s:\n%s\non %s:\n%s", who, hidden, o1, absent, o2)
		}
		if strings.Contains(o1, "Strathmore") || strings.Contains(o1, "USED") {
			t.Errorf("the output tells about the certificate:\n%s", o1)
		}
	}
	same("jsmith01", "CAS26000000301", "CAS26999999999", true)
	same("intl.office02", "CAS26000000301", "CAS26999999999", true)
	same("jsmith01", "COS26000000001", "CAS26999999999", true)
	same("intl.office02", "CAS26000000003", "CAS26999999999", false)

	for _, tc := range []struct {
		args []string
		code int
		rule string
	}{
		{[]string{"CAS26000000003", "--user", "squinn"}, exitFailed, "F.ROUTE"},
		{[]string{"CAS26000000501", "--user", "hla.owner"}, exitFailed, "F.LICENCE.ACCESS"},
		{[]string{"CAS26000000003", "--user", "mellison"}, exitFailed, "F.USER"},
		{[]string{"CAS26000000003", "--user", "jsmith01", "--format", "yaml"}, exitUsage, ""},
		{[]string{"--user", "jsmith01"}, exitUsage, ""},
	} {
		code, out, _ := show(tc.args...)
		if code != tc.code || !strings.HasPrefix(out, tc.rule) {
			t.Errorf("%v: exit %d, output %q; want exit %d citing %s", tc.args, code, out, tc.code, tc.rule)
		}
	}
	code, _, errOut = runBDT(t, "cas", "show", "CAS26000000003", "--user", "jsmith01", "--db", "sqlite:"+t.TempDir()+"/none.db")
	if code != exitUsage || !strings.Contains(errOut, "no such database") {
		t.Errorf("missing database: exit %d, %q", code, errOut)
	}
}

// TestActionFlagsDoNotLeak runs two actions in one process: the second must
// not inherit the flags of the first (here --append and --address-line).
func TestActionFlagsDoNotLeak(t *testing.T) {
	dsn, st := actiontest.NewRegister(t)
	base := []string{"--db", dsn, "--user", "jsmith01"}
	if code, out, e := runBDT(t, append([]string{"cas", "note", "CAS26000000107", "--text", "one", "--append", "--now", "2026-11-16T10:00:00Z"}, base...)...); code != exitOK {
		t.Fatalf("first: %d %s %s", code, out, e)
	}
	if code, out, e := runBDT(t, append([]string{"cas", "note", "CAS26000000107", "--text", "two", "--now", "2026-11-16T10:00:01Z"}, base...)...); code != exitOK {
		t.Fatalf("second: %d %s %s", code, out, e)
	}
	if n := certIn(t, st, "CAS26000000107").Note; n != "two" {
		t.Errorf("note = %q, want the second replacing it", n)
	}
	report := []string{"cas", "report", "CAS26000000004", "--type", "STUDENT_OTHER_CHANGE", "--date", "2026-11-12"}
	if code, out, e := runBDT(t, append(append(report, "--address-line", "1 High Street", "--town", "Southampton", "--now", "2026-11-16T10:00:02Z"), base...)...); code != exitOK {
		t.Fatalf("third: %d %s %s", code, out, e)
	}
	if code, out, e := runBDT(t, append(append(report, "--now", "2026-11-16T10:00:03Z"), base...)...); code != exitOK {
		t.Fatalf("fourth: %d %s %s", code, out, e)
	}
	a := certIn(t, st, "CAS26000000004").Activity
	if len(a) != 2 || a[0].Address == nil || a[1].Address != nil {
		t.Errorf("reports = %+v, want an address on the first only", a)
	}
	// A run that fails to parse leaves nothing behind either.
	if code, _, _ := runBDT(t, append([]string{"cas", "note", "CAS26000000107", "--text", "three", "--append", "--bogus"}, base...)...); code != exitUsage {
		t.Fatalf("bogus flag: exit %d", code)
	}
	// Nor does a run that printed its help.
	if code, out, _ := runBDT(t, "cas", "note", "--help"); code != exitOK || !strings.Contains(out, "--append") {
		t.Fatalf("help: exit %d, %q", code, out)
	}
	if code, out, e := runBDT(t, append([]string{"cas", "note", "CAS26000000107", "--text", "four", "--now", "2026-11-16T10:00:04Z"}, base...)...); code != exitOK {
		t.Fatalf("fifth: %d %s %s", code, out, e)
	}
	if n := certIn(t, st, "CAS26000000107").Note; n != "four" {
		t.Errorf("note = %q, want four", n)
	}
}

// TestCasWithdraw withdraws a CAS of each status of the sample register:
// only a live (ASSIGNED) one can be (R.CAS.WITHDRAW); a CANCELLED CAS exists
// only under the revoked licence, so that status is the rules' table alone.
func TestCasWithdraw(t *testing.T) {
	withdrawn := func(n, by, reason string) func(t *testing.T, st store.Store, out string) {
		return func(t *testing.T, st store.Store, out string) {
			c := certIn(t, st, n)
			if c.Status != rules.StatusWithdrawn || len(c.StatusHistory) < 2 {
				t.Fatalf("status %s, history %+v", c.Status, c.StatusHistory)
			}
			h := c.StatusHistory[len(c.StatusHistory)-1]
			if h.Status != rules.StatusWithdrawn || h.By != by || h.Reason != reason || h.At.Format("2006-01-02T15:04:05Z07:00") != actionNow {
				t.Errorf("history entry = %+v", h)
			}
			if p := c.StatusHistory[len(c.StatusHistory)-2]; p.Status != rules.StatusAssigned {
				t.Errorf("the earlier entry = %+v, want ASSIGNED kept", p)
			}
			if !strings.Contains(out, "CAS "+n+" withdrawn") {
				t.Errorf("confirmation = %q", out)
			}
		}
	}
	refused := func(status, n string) cliCase {
		return cliCase{name: "R.CAS.WITHDRAW " + status + " CAS", code: exitFailed, rule: rules.RCasWithdraw,
			args: []string{"cas", "withdraw", n, "--user", "jsmith01"}}
	}
	runCLICases(t, []cliCase{
		{name: "ASSIGNED, by a Level 1 user, with history", code: exitOK,
			args:  []string{"cas", "withdraw", "CAS26000000101", "--reason", "Offer declined.", "--user", "jsmith01"},
			check: withdrawn("CAS26000000101", "jsmith01", "Offer declined.")},
		{name: "ASSIGNED, by the Level 2 owner", code: exitOK,
			args:  []string{"cas", "withdraw", "CAS26000000101", "--user", "intl.office02", "--sponsor", "4NUV7KB58"},
			check: withdrawn("CAS26000000101", "intl.office02", "")},
		refused("USED", "CAS26000000001"),
		refused("OBSOLETE", "CAS26000000005"),
		refused("EXPIRED", "CAS26000000006"),
		refused("WITHDRAWN", "CAS26000000007"),
		refused("WORK IN PROGRESS", "CAS26000000008"),
		refused("READY TO GO", "CAS26000000009"),
		{name: "R.CERT.OWNER Level 2 on another user's CAS", code: exitFailed, rule: rules.RCertOwner,
			args: []string{"cas", "withdraw", "CAS26000000101", "--user", "intl.office03"}},
		{name: "R.CERT.FOUND another sponsor's CAS", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cas", "withdraw", "CAS26000000302", "--user", "jsmith01"}},
		{name: "R.CERT.FOUND a CoS number", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cas", "withdraw", "COS26000000302", "--user", "fmacleod"}},
		{name: "F.ROUTE Worker-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: []string{"cas", "withdraw", "CAS26000000101", "--user", "squinn"}},
		{name: "F.USER requested user", code: exitFailed, rule: rules.FUser,
			args: []string{"cas", "withdraw", "CAS26000000101", "--user", "intl.office04"}},
		{name: "usage: no CAS", code: exitUsage,
			args: []string{"cas", "withdraw", "--user", "jsmith01"}},
		{name: "usage: two CAS", code: exitUsage,
			args: []string{"cas", "withdraw", "CAS26000000101", "CAS26000000102", "--user", "jsmith01"}},
	})
}
