package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/schema"
)

var (
	sharedBinOnce sync.Once
	sharedBin     string
	sharedBinErr  error
)

// sharedBinary builds bdt once for every test of the package that runs it as
// a real process (without -race, whatever the test binary has).
func sharedBinary(t testing.TB) string {
	t.Helper()
	sharedBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bdt-bin-*")
		if err != nil {
			sharedBinErr = err
			return
		}
		sharedBin = filepath.Join(dir, "bdt")
		cmd := exec.Command("go", "build", "-o", sharedBin, ".")
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			sharedBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if sharedBinErr != nil {
		t.Fatal(sharedBinErr)
	}
	return sharedBin
}

// crashFiles are the inbox files of the crash tests: three sponsors, ten
// files, 58 records, every one of which is accepted.
var crashFiles = func() map[string]string {
	files := map[string]string{}
	student := func(licence, user, id string, hour int, certs []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>%s</SponsorLicenceNumber>
    <SMSUserId>%s</SMSUserId>
    <BulkReportingID>%s</BulkReportingID>
    <CreatedAt>2026-11-22T%02d:00:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, licence, user, id, hour, len(certs))
		for i, c := range certs {
			fmt.Fprintf(&b, `  <StudentActivity>
    <SponsorReference>%s-%d</SponsorReference>
    <CASNumber>%s</CASNumber>
    <ActivityType>STUDENT_OTHER_CHANGE</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>Change of term-time address reported by the student (%s).</Details>
  </StudentActivity>
`, id, i+1, c, id)
		}
		b.WriteString("</StudentActivityReport>\n")
		return b.String()
	}
	worker := func(id string, hour int, certs []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<WorkerActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:workeractivity:v1">
  <Header>
    <SponsorLicenceNumber>NTMHWM0V3</SponsorLicenceNumber>
    <SMSUserId>squinn</SMSUserId>
    <BulkReportingID>%s</BulkReportingID>
    <CreatedAt>2026-11-22T%02d:00:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, id, hour, len(certs))
		for i, c := range certs {
			fmt.Fprintf(&b, `  <WorkerActivity>
    <SponsorReference>%s-%d</SponsorReference>
    <CoSNumber>%s</CoSNumber>
    <ActivityType>WORKER_CHANGE_OF_ROLE_SALARY_OR_LOCATION</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>Salary review: new annual salary from 20 November (%s).</Details>
  </WorkerActivity>
`, id, i+1, c, id)
		}
		b.WriteString("</WorkerActivityReport>\n")
		return b.String()
	}
	var wessex, lagan []string
	for i := 1; i <= 8; i++ {
		wessex = append(wessex, fmt.Sprintf("CAS26000000%03d", 200+i))
	}
	for i := 1; i <= 6; i++ {
		lagan = append(lagan, fmt.Sprintf("COS26000000%03d", i))
	}
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("WX-CRASH-%d", i)
		files["4NUV7KB58/"+strings.ToLower(id)+".xml"] = student("4NUV7KB58", "jsmith01", id, i, wessex)
	}
	for i := 1; i <= 2; i++ {
		id := fmt.Sprintf("SM-CRASH-%d", i)
		files["S7KQ2LMX4/"+strings.ToLower(id)+".xml"] = student("S7KQ2LMX4", "fmacleod", id, i, []string{"CAS26000000301"})
	}
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("LG-CRASH-%d", i)
		files["NTMHWM0V3/"+strings.ToLower(id)+".xml"] = worker(id, i, lagan)
	}
	return files
}()

const crashRecords = 5*8 + 2*1 + 3*6

// crashSetup makes a work folder with the sample register and the inbox.
func crashSetup(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	crashFill(t, bin, dir, "sqlite:"+filepath.Join(dir, "bdt.db"))
	return dir
}

// crashFill imports the sample register into db and puts crashFiles in
// dir's inbox.
func crashFill(t *testing.T, bin, dir, db string) {
	t.Helper()
	out, err := exec.Command(bin, "register", "import", "--db", db,
		filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput()
	if err != nil {
		t.Fatalf("register import: %v\n%s", err, out)
	}
	for key, body := range crashFiles {
		p := filepath.Join(dir, "inbox", filepath.FromSlash(key))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func crashCmd(bin, dir string, env ...string) *exec.Cmd {
	cmd := exec.Command(bin, "run", "--db", "sqlite:"+filepath.Join(dir, "bdt.db"),
		"--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
		"--archive", filepath.Join(dir, "archive"), "--now", "2026-11-23T02:00:00Z", "--workers", "2", "--log-format", "json")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func killedBySIGKILL(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// TestCrashRecoveryAtEveryStep kills bdt run (a real process, SIGKILL from a
// failpoint) at each step of a file's life, runs it again, and checks that
// every record was applied exactly once and every report is present.
func TestCrashRecoveryAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process many times")
	}
	bin := sharedBinary(t)
	for _, fp := range []string{
		"record:1", "record:37", "before-commit:1", "before-commit:6", "after-commit:1", "after-commit:9",
		"after-reports:2", "after-mark:4", "after-archive:1", "after-archive:10",
	} {
		t.Run(fp, func(t *testing.T) {
			dir := crashSetup(t, bin)
			out, err := crashCmd(bin, dir, "BDT_FAILPOINT="+fp).CombinedOutput()
			if err == nil {
				t.Fatalf("the run with failpoint %s was not killed:\n%s", fp, out)
			}
			if ee, ok := err.(*exec.ExitError); !ok || !killedBySIGKILL(ee.ProcessState) {
				t.Fatalf("the run with failpoint %s ended with %v, not SIGKILL:\n%s", fp, err, out)
			}
			if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
				t.Fatalf("recovery run: %v\n%s", err, out)
			}
			verifyExactlyOnce(t, dir)
		})
	}
}

// TestCrashRecoveryRandomKills kills bdt run (SIGKILL) at random moments,
// again and again, until a run completes; then checks exactly-once; and
// starts again on a fresh register until at least 50 kills were survived.
// The schedule is seeded, so a failure can be replayed (BDT_CRASH_SEED).
func TestCrashRecoveryRandomKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process many times")
	}
	bin := sharedBinary(t)
	seed := time.Now().UnixNano()
	if s := os.Getenv("BDT_CRASH_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (set BDT_CRASH_SEED to replay)", seed)
	rng := rand.New(rand.NewSource(seed))
	const wantKills = 50
	total := 0
	for round := 0; total < wantKills; round++ {
		if round > 30 {
			t.Fatalf("only %d kills in %d rounds", total, round)
		}
		dir := crashSetup(t, bin)
		kills := 0
		for attempt := 0; ; attempt++ {
			if attempt > 200 {
				t.Fatalf("round %d: no run completed in 200 attempts", round)
			}
			cmd := crashCmd(bin, dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Early kills land in start-up and the first files; later
			// ones in commits, reports and archiving.
			delay := time.Duration(rng.Intn(40+attempt*15)) * time.Millisecond
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("round %d: run failed: %v", round, err)
				}
			case <-time.After(delay):
				cmd.Process.Kill()
				if err := <-done; err == nil {
					break // it finished just before the signal
				}
				kills++
				continue
			}
			break
		}
		total += kills
		t.Logf("round %d: %d kills before a run completed", round, kills)
		verifyExactlyOnce(t, dir)
	}
	t.Logf("%d kills survived: every record applied exactly once, every report present", total)
}

// verifyExactlyOnce checks a work folder after its last run: the inbox is
// empty, every file is archived, ACCEPTED once in the ledger with its three
// reports, and every accepted record's confirmation reference is on exactly
// one activity report of the register — no record lost, none doubled.
func verifyExactlyOnce(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	var left []string
	filepath.WalkDir(filepath.Join(dir, "inbox"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files left in the inbox: %v", left)
	}
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.FileList(ctx, store.FileListParams{})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]*ledger.File{}
	for _, e := range entries {
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	refs := map[string]int{}
	accepted := 0
	for key := range crashFiles {
		es := byKey[key]
		if len(es) != 1 {
			t.Errorf("%s: %d ledger entries, want 1", key, len(es))
			continue
		}
		e := es[0]
		if e.Status != ledger.Accepted || !e.ReportsWritten || !e.Archived {
			t.Errorf("%s: status %s, reports written %v, archived %v", key, e.Status, e.ReportsWritten, e.Archived)
		}
		if _, err := os.Stat(filepath.Join(dir, "archive", filepath.FromSlash(key))); err != nil {
			t.Errorf("%s: not in the archive: %v", key, err)
		}
		for o, err := range st.Outcomes(ctx, e.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != ledger.RecordAccepted {
				t.Errorf("%s record %d: %s %v", key, o.Index, o.Status, o.Findings)
				continue
			}
			refs[o.ConfRef]++
			accepted++
		}
		resultKey, errorsKey, summaryKey := report.Names(key)
		for _, k := range []string{resultKey, errorsKey, summaryKey} {
			if _, err := os.Stat(filepath.Join(dir, "outbox", filepath.FromSlash(k))); err != nil {
				t.Errorf("report missing: %v", err)
			}
		}
		f, err := os.Open(filepath.Join(dir, "outbox", filepath.FromSlash(resultKey)))
		if err == nil {
			res, err := schema.Default().Validate(f, nil, schema.Options{})
			f.Close()
			if err != nil || !res.Valid() {
				t.Errorf("%s is not a valid result report: %v %v", resultKey, err, res.Issues)
			}
		}
	}
	if accepted != crashRecords {
		t.Errorf("%d records accepted in the ledger, want %d", accepted, crashRecords)
	}
	for ref, n := range refs {
		if n != 1 {
			t.Errorf("confirmation reference %s given to %d records", ref, n)
		}
	}
	certs, err := st.CertificateList(ctx, store.CertificateListParams{})
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]int{}
	for _, c := range certs {
		for _, a := range c.Activity {
			if strings.HasPrefix(a.Source, "file:") && strings.Contains(a.Source, "-CRASH-") { // this test's files, not the fixture's history
				applied[a.Ref]++
			}
		}
	}
	if len(applied) != len(refs) {
		t.Errorf("%d file reports in the register, %d accepted records in the ledger", len(applied), len(refs))
	}
	for ref, n := range applied {
		if n != 1 {
			t.Errorf("report %s applied %d times", ref, n)
		}
		if refs[ref] != 1 {
			t.Errorf("report %s in the register has no accepted record in the ledger", ref)
		}
	}
}
