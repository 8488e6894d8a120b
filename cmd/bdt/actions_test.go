package main

import (
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"bdt/bdt/action/actiontest"
	"bdt/bdt/store"
	"bdt/rules"
)

// The tests of the cas and cos verbs run bdt in-process against a fresh
// SQLite register holding samples/register.xml (see bdt/action's tests for
// who is who), then read the register back through the store.

// actionNow is the --now of every action: Monday 16 November 2026, 10:00 GMT.
const actionNow = "2026-11-16T10:00:00Z"

// findingLine is how a finding prints: RULE-ID (severity) field: message.
var findingLine = regexp.MustCompile(`^[FR]\.[A-Z.]+ \((error|warning)\)( [A-Za-z]+)?: \S.*$`)

// runBDT runs bdt with args in-process and returns its exit code, standard
// output and standard error.
func runBDT(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	capture := func(f **os.File) (restore func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := *f
		*f = w
		done := make(chan string)
		go func() { b, _ := io.ReadAll(r); done <- string(b) }()
		return func() string { w.Close(); *f = old; return <-done }
	}
	outDone, errDone := capture(&os.Stdout), capture(&os.Stderr)
	code = run(args)
	return code, outDone(), errDone()
}

// cliCase is one run of bdt against a fresh sample register.
type cliCase struct {
	name string
	args []string // --db and --now are added
	code int
	// rule is a rule one finding line of the output must cite (rejections
	// and warnings).
	rule rules.RuleID
	// check looks at the register after an accepted action; nil for a
	// rejection or a usage error, after which the register must be unchanged.
	check func(t *testing.T, st store.Store, stdout string)
}

func runCLICases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dsn, st := actiontest.NewRegister(t)
			before := actiontest.Dump(t, st)
			args := slices.Concat(tc.args, []string{"--db", dsn})
			if !slices.Contains(args, "--now") {
				args = append(args, "--now", actionNow)
			}
			code, out, errOut := runBDT(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if tc.rule != "" {
				cited := false
				for _, l := range lines {
					cited = cited || strings.HasPrefix(l, string(tc.rule)+" (")
				}
				if !cited {
					t.Errorf("no finding cites %s:\n%s", tc.rule, out)
				}
			}
			switch {
			case tc.code == exitOK:
				if !strings.HasPrefix(lines[0], "Accepted: ") || !regexp.MustCompile(`Confirmation reference BDT-[A-Z2-7]{12}\.$`).MatchString(lines[0]) {
					t.Errorf("confirmation line = %q", lines[0])
				}
				for _, l := range lines[1:] {
					if !findingLine.MatchString(l) || !strings.Contains(l, "(warning)") {
						t.Errorf("after the confirmation, %q is not a warning line", l)
					}
				}
				if tc.check == nil {
					t.Fatal("an accepted case needs a check")
				}
				tc.check(t, st, out)
			case tc.code == exitFailed:
				if out == "" {
					t.Error("a rejection printed no finding")
				}
				for _, l := range lines {
					if !findingLine.MatchString(l) {
						t.Errorf("%q is not a finding line", l)
					}
				}
				actiontest.Unchanged(t, st, before)
			default:
				if errOut == "" {
					t.Error("a usage error printed nothing on standard error")
				}
				actiontest.Unchanged(t, st, before)
			}
		})
	}
}

// certIn reads certificate n from the register.
func certIn(t *testing.T, r store.Reader, n string) *rules.Certificate {
	return actiontest.Cert(t, r, n)
}

// refOf returns the confirmation reference an accepted action printed.
func refOf(t *testing.T, stdout string) string {
	t.Helper()
	m := regexp.MustCompile(`Confirmation reference (BDT-[A-Z2-7]{12})\.`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no confirmation reference in %q", stdout)
	}
	return m[1]
}

// lastReport returns the last activity report of certificate n, which must
// have been made by this action.
func lastReport(t *testing.T, st store.Store, n, stdout string) rules.ActivityReport {
	t.Helper()
	c := certIn(t, st, n)
	if len(c.Activity) == 0 {
		t.Fatalf("%s has no activity", n)
	}
	r := c.Activity[len(c.Activity)-1]
	if ref := refOf(t, stdout); r.Ref != ref {
		t.Fatalf("last report of %s is %s, the action printed %s", n, r.Ref, ref)
	}
	return r
}

// noteIs checks that the note of certificate n is want.
func noteIs(n, want string) func(t *testing.T, st store.Store, stdout string) {
	return func(t *testing.T, st store.Store, _ string) {
		if got := certIn(t, st, n).Note; got != want {
			t.Errorf("note = %q", got)
		}
	}
}

// shower returns a function that runs `bdt VERB show` with args against a
// fresh sample register; at the end of t the register must be unchanged
// (showing changes nothing).
func shower(t *testing.T, verb string) func(args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dsn, st := actiontest.NewRegister(t)
	before := actiontest.Dump(t, st)
	t.Cleanup(func() { actiontest.Unchanged(t, st, before) })
	return func(args ...string) (int, string, string) {
		return runBDT(t, slices.Concat([]string{verb, "show"}, args, []string{"--db", dsn, "--now", actionNow})...)
	}
}

// TestLicenceStatusEveryAction runs every one-at-a-time action and show of
// both verbs as the Level 1 user of a suspended, a dormant, a revoked and an
// expired licence (seed 003, "Access to SMS"). A revoked or expired licence
// has no access to anything (F.LICENCE.ACCESS); a suspended or dormant one
// cannot view a certificate (F.LICENCE.SUSPENDED) but still acts: its
// actions are accepted, or refused under the action's own rule, never
// under a licence rule. The A-rated licences are every other test of the
// cas and cos verbs.
func TestLicenceStatusEveryAction(t *testing.T) {
	// actions returns every action and show of both verbs on cas and cos.
	actions := func(user, cas, cos string) [][]string {
		return [][]string{
			{"cas", "report", cas, "--type", "STUDENT_DISCONTINUED", "--date", "2026-11-09", "--user", user},
			{"cas", "fees", cas, "--course-fees-paid", "100", "--user", user},
			{"cas", "note", cas, "--text", "A note.", "--user", user},
			{"cas", "withdraw", cas, "--user", user},
			{"cas", "show", cas, "--user", user},
			{"cos", "report", cos, "--type", "WORKER_CHANGE_OF_ROLE_SALARY_OR_LOCATION", "--date", "2026-11-09", "--user", user},
			{"cos", "note", cos, "--text", "A note.", "--user", user},
			{"cos", "withdraw", cos, "--user", user},
			{"cos", "transfer", cos, "--to", user, "--user", user},
			{"cos", "show", cos, "--user", user},
		}
	}
	var cases []cliCase
	for _, l := range []struct{ status, user, cas, cos string }{
		{"revoked", "hla.owner", "CAS26000000501", "COS26000000501"},
		{"expired", "cairn.admin", "CAS26000000501", "COS26000000801"},
	} {
		for _, args := range actions(l.user, l.cas, l.cos) {
			cases = append(cases, cliCase{name: l.status + " " + args[0] + " " + args[1], args: args, code: exitFailed, rule: rules.FLicenceAccess})
		}
	}
	applied := func(n string, ok func(c *rules.Certificate) bool) func(t *testing.T, st store.Store, out string) {
		return func(t *testing.T, st store.Store, out string) {
			if c := certIn(t, st, n); !ok(c) {
				t.Errorf("%s was not changed: %+v", n, c)
			}
		}
	}
	reported := func(n string) func(t *testing.T, st store.Store, out string) {
		return func(t *testing.T, st store.Store, out string) { lastReport(t, st, n, out) }
	}
	cases = append(cases,
		cliCase{name: "suspended cas report", code: exitOK, check: reported("CAS26000000401"),
			args: []string{"cas", "report", "CAS26000000401", "--type", "STUDENT_DISCONTINUED", "--date", "2026-11-09", "--user", "kce.director"}},
		cliCase{name: "suspended cas fees, one CAS at a time", code: exitOK,
			args: []string{"cas", "fees", "CAS26000000402", "--course-fees-paid", "100", "--user", "kce.director"},
			check: applied("CAS26000000402", func(c *rules.Certificate) bool {
				return c.Fees.CourseFeesPaid != nil && c.Fees.CourseFeesPaid.String() == "100.00"
			})},
		cliCase{name: "suspended cas note", code: exitOK, check: noteIs("CAS26000000402", "A note."),
			args: []string{"cas", "note", "CAS26000000402", "--text", "A note.", "--user", "kce.director"}},
		cliCase{name: "suspended cas withdraw", code: exitOK,
			args:  []string{"cas", "withdraw", "CAS26000000402", "--user", "kce.admissions"},
			check: applied("CAS26000000402", func(c *rules.Certificate) bool { return c.Status == rules.StatusWithdrawn })},
		cliCase{name: "suspended cas show", code: exitFailed, rule: rules.FLicenceSuspended,
			args: []string{"cas", "show", "CAS26000000401", "--user", "kce.director"}},
		cliCase{name: "suspended cas show, Level 2 owner", code: exitFailed, rule: rules.FLicenceSuspended,
			args: []string{"cas", "show", "CAS26000000401", "--user", "kce.admissions", "--format", "json"}},
		cliCase{name: "dormant cos report", code: exitOK, check: reported("COS26000000601"),
			args: []string{"cos", "report", "COS26000000601", "--type", "WORKER_CHANGE_OF_ROLE_SALARY_OR_LOCATION", "--date", "2026-11-09", "--user", "gwen.hughes"}},
		cliCase{name: "dormant cos note on a USED CoS: the note's own rule", code: exitFailed, rule: rules.RNoteStatus,
			args: []string{"cos", "note", "COS26000000601", "--text", "A note.", "--user", "gwen.hughes"}},
		cliCase{name: "dormant cos withdraw of a USED CoS: the withdrawal's own rule", code: exitFailed, rule: rules.RCosWithdraw,
			args: []string{"cos", "withdraw", "COS26000000601", "--user", "gwen.hughes"}},
		// Dyfi has one user, who owns its one CoS: the transfer is accepted
		// and changes no owner.
		cliCase{name: "dormant cos transfer", code: exitOK,
			args: []string{"cos", "transfer", "COS26000000601", "--to", "gwen.hughes", "--user", "gwen.hughes"},
			check: func(t *testing.T, st store.Store, out string) {
				if !strings.Contains(out, "1 CoS transferred to user gwen.hughes (COS26000000601)") {
					t.Errorf("output = %q", out)
				}
			}},
		cliCase{name: "dormant cos show", code: exitFailed, rule: rules.FLicenceSuspended,
			args: []string{"cos", "show", "COS26000000601", "--user", "gwen.hughes"}},
	)
	runCLICases(t, cases)
}
