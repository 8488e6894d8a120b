package main

import (
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/rules"
)

// The CoS of the sample register these tests use: COS26000000001 USED
// (owner cdoherty), COS26000000007 ASSIGNED (owner cdoherty), COS26000000008
// ASSIGNED with a note (owner squinn), all of NTMHWM0V3 (Worker only; squinn
// Level 1, cdoherty Level 2, mkelly Level 2 requested); COS26000000302
// ASSIGNED of S7KQ2LMX4 (fmacleod).

func TestCosReport(t *testing.T) {
	report := func(args ...string) []string { return append([]string{"cos", "report"}, args...) }
	runCLICases(t, []cliCase{
		{name: "stopped working, new employer", code: exitOK,
			args: report("COS26000000001", "--type", "WORKER_STOPPED_WORKING", "--date", "2026-11-06", "--new-employer", "Harland Marine Ltd", "--user", "cdoherty"),
			check: func(t *testing.T, st store.Store, out string) {
				r := lastReport(t, st, "COS26000000001", out)
				if r.Type != rules.WorkerStopped || r.NewEmployer != "Harland Marine Ltd" || r.ReportedBy != "cdoherty" || r.EventDate.String() != "2026-11-06" {
					t.Errorf("report = %+v", r)
				}
			}},
		{name: "absent with the first day of absence", code: exitOK,
			args: report("COS26000000001", "--type", "WORKER_ABSENT", "--date", "2026-11-13", "--first-day-of-absence", "2026-10-26", "--user", "squinn"),
			check: func(t *testing.T, st store.Store, out string) {
				if r := lastReport(t, st, "COS26000000001", out); r.FirstDayOfAbsence.String() != "2026-10-26" {
					t.Errorf("report = %+v", r)
				}
			}},
		{name: "R.CERT.OWNER Level 2 on another user's CoS", code: exitFailed, rule: rules.RCertOwner,
			args: report("COS26000000002", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "cdoherty")},
		{name: "R.CERT.FOUND another sponsor's CoS", code: exitFailed, rule: rules.RCertFound,
			args: report("COS26000000301", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "squinn")},
		{name: "R.ACTIVITY.USED on an ASSIGNED CoS", code: exitFailed, rule: rules.RActivityUsed,
			args: report("COS26000000007", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "squinn")},
		{name: "R.ACTIVITY.KIND a CAS number", code: exitFailed, rule: rules.RActivityKind,
			args: report("CAS26000000301", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "fmacleod")},
		{name: "F.ROUTE Student-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: report("COS26000000001", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "jsmith01")},
		{name: "F.USER requested user", code: exitFailed, rule: rules.FUser,
			args: report("COS26000000001", "--type", "WORKER_DID_NOT_START", "--date", "2026-11-06", "--user", "mkelly")},
		{name: "usage: student type on a CoS", code: exitUsage,
			args: report("COS26000000001", "--type", "STUDENT_DID_NOT_ENROL", "--date", "2026-11-06", "--user", "squinn")},
		{name: "usage: early completion is not a CoS flag", code: exitUsage,
			args: report("COS26000000001", "--type", "WORKER_ABSENT", "--date", "2026-11-06", "--early-completion", "2026-12-01", "--user", "squinn")},
	})
}

func TestCosNote(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "replaced", code: exitOK,
			args:  []string{"cos", "note", "COS26000000008", "--text", "Vetting complete.", "--user", "squinn"},
			check: noteIs("COS26000000008", "Vetting complete.")},
		{name: "appended", code: exitOK,
			args:  []string{"cos", "note", "COS26000000008", "--text", "Vetting complete.", "--append", "--user", "squinn"},
			check: noteIs("COS26000000008", "Start date to be confirmed after security vetting.\nVetting complete.")},
		{name: "R.NOTE.STATUS USED CoS", code: exitFailed, rule: rules.RNoteStatus,
			args: []string{"cos", "note", "COS26000000001", "--text", "x", "--user", "squinn"}},
		{name: "R.NOTE.STATUS EXPIRED CoS", code: exitFailed, rule: rules.RNoteStatus,
			args: []string{"cos", "note", "COS26000000010", "--text", "x", "--user", "squinn"}},
		{name: "R.CERT.FOUND a CAS number", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cos", "note", "CAS26000000302", "--text", "x", "--user", "fmacleod"}},
		{name: "F.ROUTE Student-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: []string{"cos", "note", "COS26000000008", "--text", "x", "--user", "jsmith01"}},
	})
}

func TestCosWithdraw(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "withdrawn, with history", code: exitOK,
			args: []string{"cos", "withdraw", "COS26000000007", "--reason", "Offer declined.", "--user", "squinn"},
			check: func(t *testing.T, st store.Store, out string) {
				c := certIn(t, st, "COS26000000007")
				if c.Status != rules.StatusWithdrawn || len(c.StatusHistory) == 0 {
					t.Fatalf("status %s, history %+v", c.Status, c.StatusHistory)
				}
				h := c.StatusHistory[len(c.StatusHistory)-1]
				if h.Status != rules.StatusWithdrawn || h.By != "squinn" || h.Reason != "Offer declined." || h.At.Format("2006-01-02T15:04:05Z07:00") != actionNow {
					t.Errorf("history entry = %+v", h)
				}
				if p := c.StatusHistory[len(c.StatusHistory)-2]; p.Status != rules.StatusAssigned {
					t.Errorf("the earlier entry = %+v, want ASSIGNED kept", p)
				}
			}},
		{name: "by the Level 2 owner", code: exitOK,
			args: []string{"cos", "withdraw", "COS26000000007", "--user", "cdoherty"},
			check: func(t *testing.T, st store.Store, out string) {
				if c := certIn(t, st, "COS26000000007"); c.Status != rules.StatusWithdrawn {
					t.Errorf("status = %s", c.Status)
				}
			}},
		{name: "R.COS.WITHDRAW USED CoS", code: exitFailed, rule: rules.RCosWithdraw,
			args: []string{"cos", "withdraw", "COS26000000001", "--user", "squinn"}},
		{name: "R.COS.WITHDRAW WORK IN PROGRESS CoS", code: exitFailed, rule: rules.RCosWithdraw,
			args: []string{"cos", "withdraw", "COS26000000011", "--user", "squinn"}},
		{name: "R.CERT.OWNER Level 2 on another user's CoS", code: exitFailed, rule: rules.RCertOwner,
			args: []string{"cos", "withdraw", "COS26000000008", "--user", "cdoherty"}},
		{name: "R.CERT.FOUND another sponsor's CoS", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cos", "withdraw", "COS26000000302", "--user", "squinn"}},
		{name: "F.LICENCE.ACCESS revoked licence", code: exitFailed, rule: rules.FLicenceAccess,
			args: []string{"cos", "withdraw", "COS26000000501", "--user", "hla.owner"}},
		{name: "F.ROUTE Student-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: []string{"cos", "withdraw", "COS26000000007", "--user", "jsmith01"}},
		{name: "F.USER requested user", code: exitFailed, rule: rules.FUser,
			args: []string{"cos", "withdraw", "COS26000000007", "--user", "mkelly"}},
		{name: "usage: no CoS", code: exitUsage,
			args: []string{"cos", "withdraw", "--user", "squinn"}},
	})
}

func TestCosTransfer(t *testing.T) {
	owners := func(want string, certs ...string) func(t *testing.T, st store.Store, out string) {
		return func(t *testing.T, st store.Store, out string) {
			for _, n := range certs {
				if c := certIn(t, st, n); c.Owner != want {
					t.Errorf("%s owner = %s, want %s", n, c.Owner, want)
				}
			}
			if !strings.Contains(out, "transferred to user "+want) {
				t.Errorf("confirmation = %q", out)
			}
		}
	}
	runCLICases(t, []cliCase{
		{name: "one CoS", code: exitOK,
			args:  []string{"cos", "transfer", "--to", "cdoherty", "COS26000000008", "--user", "squinn"},
			check: owners("cdoherty", "COS26000000008")},
		{name: "a batch", code: exitOK,
			args:  []string{"cos", "transfer", "--to", "squinn", "COS26000000001", "COS26000000007", "COS26000000010", "--user", "squinn"},
			check: owners("squinn", "COS26000000001", "COS26000000007", "COS26000000010")},
		{name: "R.COS.TRANSFER to a requested user", code: exitFailed, rule: rules.RCosTransfer,
			args: []string{"cos", "transfer", "--to", "mkelly", "COS26000000008", "--user", "squinn"}},
		{name: "R.COS.TRANSFER to another sponsor's user", code: exitFailed, rule: rules.RCosTransfer,
			args: []string{"cos", "transfer", "--to", "fmacleod", "COS26000000008", "--user", "squinn"}},
		{name: "R.COS.TRANSFER to an unknown user", code: exitFailed, rule: rules.RCosTransfer,
			args: []string{"cos", "transfer", "--to", "nobody", "COS26000000008", "--user", "squinn"}},
		{name: "R.CERT.FOUND one CoS of the batch is another sponsor's", code: exitFailed, rule: rules.RCertFound,
			args: []string{"cos", "transfer", "--to", "cdoherty", "COS26000000008", "COS26000000302", "--user", "squinn"}},
		{name: "R.CERT.OWNER Level 2 transfers another user's CoS", code: exitFailed, rule: rules.RCertOwner,
			args: []string{"cos", "transfer", "--to", "squinn", "COS26000000007", "COS26000000008", "--user", "cdoherty"}},
		{name: "F.ROUTE Student-only sponsor", code: exitFailed, rule: rules.FRoute,
			args: []string{"cos", "transfer", "--to", "cdoherty", "COS26000000008", "--user", "jsmith01"}},
		{name: "F.LICENCE.ACCESS expired licence", code: exitFailed, rule: rules.FLicenceAccess,
			args: []string{"cos", "transfer", "--to", "cairn.admin", "COS26000000801", "--user", "cairn.admin"}},
		{name: "usage: no --to", code: exitUsage,
			args: []string{"cos", "transfer", "COS26000000008", "--user", "squinn"}},
		{name: "usage: no CoS", code: exitUsage,
			args: []string{"cos", "transfer", "--to", "cdoherty", "--user", "squinn"}},
	})
}

func TestCosShow(t *testing.T) {
	show := shower(t, "cos")
	code, out, _ := show("COS26000000008", "--user", "squinn")
	for _, w := range []string{"CoS COS26000000008", "ASSIGNED", "Nair", "Software Engineer (Embedded Systems)", "£47500.00",
		"| Start date to be confirmed after security vetting.", "Activity history\n  (none)"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("exit %d, text lacks %q:\n%s", code, w, out)
		}
	}
	if strings.Contains(out, "Fee") {
		t.Errorf("a CoS shows fees:\n%s", out)
	}
	c1, hidden, _ := show("COS26000000302", "--user", "squinn")
	c2, missing, _ := show("COS26999999999", "--user", "squinn")
	if c1 != exitFailed || c2 != exitFailed || hidden == "" ||
		strings.ReplaceAll(hidden, "COS26000000302", "N") != strings.ReplaceAll(missing, "COS26999999999", "N") {
		t.Errorf("another sponsor's CoS (exit %d):\n%s\na missing one (exit %d):\n%s", c1, hidden, c2, missing)
	}
	if code, out, _ := show("COS26000000008", "--user", "jsmith01"); code != exitFailed || !strings.HasPrefix(out, "F.ROUTE (error)") {
		t.Errorf("Student-only sponsor: exit %d, %q", code, out)
	}
}
