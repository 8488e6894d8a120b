package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
)

var now = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// env is a work folder: a SQLite register loaded with the sample register,
// its leases timed by clock, an inbox, an outbox and an archive.
type env struct {
	t                      *testing.T
	dir                    string
	st                     store.Store
	clock                  *storetest.Clock
	inbox, outbox, archive *storage.Local
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clock := &storetest.Clock{}
	st, err := sqlite.OpenWith(ctx, sqlite.Params{Path: filepath.Join(dir, "bdt.db"), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := os.Open("../../samples/register.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx, err := register.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, st: st, clock: clock}
	for name, dst := range map[string]**storage.Local{"inbox": &e.inbox, "outbox": &e.outbox, "archive": &e.archive} {
		if *dst, err = storage.NewLocal(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) put(key, body string) {
	e.t.Helper()
	if err := e.inbox.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) run(mod func(*runner.Config)) *runner.Summary {
	e.t.Helper()
	cfg := runner.Config{Store: e.st, Inbox: e.inbox, Outbox: e.outbox, Archive: e.archive,
		Now: func() time.Time { return now }}
	if mod != nil {
		mod(&cfg)
	}
	sum, err := runner.New(cfg).Run(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Err != nil {
			e.t.Fatalf("%s: %v", f.Key, f.Err)
		}
	}
	return sum
}

func (e *env) export() []byte {
	e.t.Helper()
	fx, err := register.Export(context.Background(), e.st)
	if err != nil {
		e.t.Fatal(err)
	}
	var b bytes.Buffer
	if err := fx.Encode(&b); err != nil {
		e.t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) status(key string) ledger.FileStatus {
	e.t.Helper()
	fs, err := e.st.FileList(context.Background(), store.FileListParams{Key: key, Newest: true})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(fs) == 0 {
		return "(none)"
	}
	return fs[0].Status
}

func (e *env) outbox_(key string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, "outbox", filepath.FromSlash(key)))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

type rec struct{ cas, typ, date, details, prev string }

func studentFile(id, created string, recs ...rec) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>jsmith01</SMSUserId>
    <BulkReportingID>%s</BulkReportingID>
    <CreatedAt>%s</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, id, created, len(recs))
	for _, r := range recs {
		fmt.Fprintf(&b, "  <StudentActivity>\n    <CASNumber>%s</CASNumber>\n    <ActivityType>%s</ActivityType>\n    <EventDate>%s</EventDate>\n", r.cas, r.typ, r.date)
		if r.details != "" {
			fmt.Fprintf(&b, "    <Details>%s</Details>\n", r.details)
		}
		if r.prev != "" {
			fmt.Fprintf(&b, "    <PreviousNotificationDate>%s</PreviousNotificationDate>\n", r.prev)
		}
		b.WriteString("  </StudentActivity>\n")
	}
	b.WriteString("</StudentActivityReport>\n")
	return b.String()
}

func TestDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	before := e.export()
	e.put("4NUV7KB58/a.xml", studentFile("DRY-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}))
	sum := e.run(func(c *runner.Config) { c.DryRun = true })
	if len(sum.Files) != 1 || sum.Files[0].Entry.Status != ledger.Accepted {
		t.Fatalf("dry run decided %+v", sum.Files)
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("a dry run changed the register")
	}
	if fs, _ := e.st.FileList(context.Background(), store.FileListParams{}); len(fs) != 0 {
		t.Errorf("a dry run left %d ledger entries", len(fs))
	}
	if _, err := os.Stat(filepath.Join(e.dir, "inbox", "4NUV7KB58", "a.xml")); err != nil {
		t.Error("a dry run moved the file out of the inbox")
	}
	res := e.outbox_("4NUV7KB58/a.result.xml")
	if !strings.Contains(res, "<DryRun>true</DryRun>") || !strings.Contains(res, "<Status>ACCEPTED</Status>") {
		t.Errorf("dry-run result report:\n%s", res)
	}
	// The real run afterwards applies it.
	e.run(nil)
	if e.status("4NUV7KB58/a.xml") != ledger.Accepted || bytes.Equal(before, e.export()) {
		t.Error("the real run after a dry run did not apply the file")
	}
}

// TestSponsorFilesInCreationOrder: the second file (by CreatedAt) withdraws a
// report made by the first; its name sorts first, so only the creation order
// makes it work.
func TestSponsorFilesInCreationOrder(t *testing.T) {
	e := newEnv(t)
	e.put("4NUV7KB58/b-first.xml", studentFile("ORD-1", "2026-11-22T09:00:00Z",
		rec{cas: "CAS26000000202", typ: "STUDENT_ABSENT", date: "2026-11-19", details: "Missed two contact points"}))
	e.put("4NUV7KB58/a-second.xml", studentFile("ORD-2", "2026-11-22T11:00:00+01:00",
		rec{cas: "CAS26000000202", typ: "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", date: "2026-11-21",
			details: "The student had agreed leave", prev: "2026-11-19"}))
	e.run(nil)
	for _, k := range []string{"4NUV7KB58/b-first.xml", "4NUV7KB58/a-second.xml"} {
		if s := e.status(k); s != ledger.Accepted {
			t.Errorf("%s: %s\n%s", k, s, e.outbox_(strings.TrimSuffix(k, ".xml")+".errors.csv"))
		}
	}
	certs, _ := e.st.Certificates(context.Background(), "CAS26000000202")
	var absent, withdrawal string
	for _, a := range certs["CAS26000000202"].Activity {
		switch a.Type {
		case "STUDENT_ABSENT":
			absent = a.WithdrawnBy
		case "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN":
			withdrawal = a.Ref
		}
	}
	if absent == "" || absent != withdrawal {
		t.Errorf("the absence report is withdrawn by %q, want the withdrawal %q", absent, withdrawal)
	}
}

// TestSchemaErrorRejectsWholeFile: valid records before a schema error on the
// last record are rolled back with it (F.SCHEMA).
func TestSchemaErrorRejectsWholeFile(t *testing.T) {
	e := newEnv(t)
	before := e.export()
	body := studentFile("SCH-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"},
		rec{cas: "CAS26000000203", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"},
		rec{cas: "CAS26000000204", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-31", details: "Bad date"})
	e.put("4NUV7KB58/s.xml", body)
	e.run(nil)
	if s := e.status("4NUV7KB58/s.xml"); s != ledger.Rejected {
		t.Fatalf("status %s, want REJECTED", s)
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("a file with a schema error changed the register")
	}
	res := e.outbox_("4NUV7KB58/s.result.xml")
	if !strings.Contains(res, `Rule="F.SCHEMA"`) || strings.Contains(res, "<Records>") {
		t.Errorf("result report:\n%s", res)
	}
}

// TestClaimedFileIsTakenOver: a PROCESSING entry left by a crashed run is
// taken over and finished, with one ledger entry in the end.
func TestClaimedFileIsTakenOver(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.put("4NUV7KB58/c.xml", studentFile("CLM-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}))
	tx, _ := e.st.Begin(ctx)
	if err := tx.FileInsert(ctx, &ledger.File{Licence: "4NUV7KB58", Key: "4NUV7KB58/c.xml", Name: "c.xml", Status: ledger.Processing, Declared: -1}); err != nil {
		t.Fatal(err)
	}
	tx.Commit(ctx)
	e.run(nil)
	fs, _ := e.st.FileList(ctx, store.FileListParams{})
	if len(fs) != 1 || fs[0].Status != ledger.Accepted || !fs[0].Archived {
		t.Fatalf("ledger after take-over: %+v", fs)
	}
}

// TestReuploadGetsNumberedReports: the same name uploaded again keeps the
// first file's reports and numbers the second's.
func TestReuploadGetsNumberedReports(t *testing.T) {
	e := newEnv(t)
	body := studentFile("RE-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"})
	e.put("4NUV7KB58/r.xml", body)
	e.run(nil)
	e.put("4NUV7KB58/r.xml", body)
	e.run(nil)
	if first := e.outbox_("4NUV7KB58/r.result.xml"); !strings.Contains(first, "<Status>ACCEPTED</Status>") {
		t.Errorf("first report overwritten:\n%s", first)
	}
	second := e.outbox_("4NUV7KB58/r.xml.2.result.xml")
	if !strings.Contains(second, "<Status>DUPLICATE</Status>") || !strings.Contains(second, `Rule="F.DUPLICATE"`) {
		t.Errorf("second report:\n%s", second)
	}
}

// TestWorkersGiveTheSameResult: two workers over several sponsors decide
// exactly what one worker decides.
func TestWorkersGiveTheSameResult(t *testing.T) {
	outcome := func(workers int) string {
		e := newEnv(t)
		for i := 0; i < 3; i++ {
			e.put(fmt.Sprintf("4NUV7KB58/w%d.xml", i), studentFile(fmt.Sprintf("W-%d", i), fmt.Sprintf("2026-11-22T1%d:00:00Z", i),
				rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"},
				rec{cas: "CAS26000000101", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Not used yet"}))
		}
		e.put("S7KQ2LMX4/x.xml", strings.ReplaceAll(strings.ReplaceAll(studentFile("X-1", "2026-11-22T10:00:00Z",
			rec{cas: "CAS26000000301", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}),
			"4NUV7KB58", "S7KQ2LMX4"), "jsmith01", "fmacleod"))
		sum := e.run(func(c *runner.Config) { c.Workers = workers })
		var b strings.Builder
		for _, f := range sum.Files {
			fmt.Fprintf(&b, "%s %s %d/%d\n", f.Key, f.Entry.Status, f.Entry.Accepted, f.Entry.Read)
		}
		return b.String()
	}
	one, two := outcome(1), outcome(2)
	if one != two {
		t.Errorf("1 worker:\n%s2 workers:\n%s", one, two)
	}
	if !strings.Contains(one, "PARTIALLY_ACCEPTED 1/2") || !strings.Contains(one, "S7KQ2LMX4/x.xml ACCEPTED 1/1") {
		t.Errorf("unexpected outcome:\n%s", one)
	}
}

// TestLeasedSponsorIsLeftToItsHolder: a sponsor's queue leased by another
// process is skipped, and taken once the lease has expired.
func TestLeasedSponsorIsLeftToItsHolder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.put("4NUV7KB58/l.xml", studentFile("LEASE-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}))
	ok, err := e.st.LeaseAcquire(ctx, store.LeaseParams{Name: "sponsor:4NUV7KB58", Owner: "other-replica", TTL: time.Minute})
	if err != nil || !ok {
		t.Fatalf("LeaseAcquire = %v, %v", ok, err)
	}
	sum := e.run(nil)
	if len(sum.Files) != 0 || sum.Skipped != 1 {
		t.Fatalf("with the lease held elsewhere: %d files, %d skipped", len(sum.Files), sum.Skipped)
	}
	e.clock.Advance(2 * time.Minute) // the other holder stopped renewing
	sum = e.run(nil)
	if len(sum.Files) != 1 || e.status("4NUV7KB58/l.xml") != ledger.Accepted {
		t.Fatalf("after the lease expired: %+v", sum.Files)
	}
}

// TestConcurrentRunsShareTheInbox: two runners on one database and inbox at
// once process every file exactly once between them.
func TestConcurrentRunsShareTheInbox(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		e.put(fmt.Sprintf("4NUV7KB58/c%d.xml", i), studentFile(fmt.Sprintf("CC-%d", i), fmt.Sprintf("2026-11-22T1%d:00:00Z", i),
			rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}))
	}
	e.put("S7KQ2LMX4/x.xml", strings.ReplaceAll(strings.ReplaceAll(studentFile("X-1", "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000301", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"}),
		"4NUV7KB58", "S7KQ2LMX4"), "jsmith01", "fmacleod"))
	done := make(chan *runner.Summary, 2)
	for i := 0; i < 2; i++ {
		go func() {
			sum, err := runner.New(runner.Config{Store: e.st, Inbox: e.inbox, Outbox: e.outbox, Archive: e.archive,
				Now: func() time.Time { return now }}).Run(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- sum
		}()
	}
	processed := 0
	for i := 0; i < 2; i++ {
		for _, f := range (<-done).Files {
			if f.Err != nil {
				t.Errorf("%s: %v", f.Key, f.Err)
			}
			processed++
		}
	}
	fs, _ := e.st.FileList(ctx, store.FileListParams{})
	if len(fs) != 7 || processed != 7 {
		t.Errorf("%d ledger entries, %d files processed, want 7 and 7", len(fs), processed)
	}
	for _, f := range fs {
		if f.Status != ledger.Accepted {
			t.Errorf("%s: %s", f.Key, f.Status)
		}
	}
}

// TestLongFileOutlastsItsLease: on SQLite a lease cannot be renewed while
// the file's own transaction holds the write lock; a file that takes longer
// than the lease's TTL must still commit (no other process can have taken
// the queue over meanwhile).
func TestLongFileOutlastsItsLease(t *testing.T) {
	e := newEnv(t)
	var recs []rec
	for i := 0; i < 20000; i++ { // repeats: fast, so many of them to outlast the lease
		recs = append(recs, rec{cas: fmt.Sprintf("CAS26000000%03d", 201+i%8), typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Long file"})
	}
	e.put("4NUV7KB58/long.xml", studentFile("LONG-1", "2026-11-22T10:00:00Z", recs...))
	e.put("4NUV7KB58/next.xml", studentFile("LONG-2", "2026-11-22T11:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "After the long one"}))
	sum := e.run(func(c *runner.Config) { c.LeaseTTL = 20 * time.Millisecond })
	if len(sum.Files) != 2 {
		t.Fatalf("%d files processed, want 2", len(sum.Files))
	}
	for _, k := range []string{"4NUV7KB58/long.xml", "4NUV7KB58/next.xml"} {
		if s := e.status(k); s != ledger.PartiallyAccepted && s != ledger.Accepted {
			t.Errorf("%s: %s", k, s)
		}
	}
}

// TestDuplicatesOnDisk: a file whose R.RECORD.DUPLICATE pairs are kept on
// disk (as a large file's are) is decided exactly as when they are kept in
// memory: the same reports and the same register.
func TestDuplicatesOnDisk(t *testing.T) {
	outcome := func(over int64) (string, []byte) {
		e := newEnv(t)
		e.put("4NUV7KB58/d.xml", studentFile("D-1", "2026-11-22T10:00:00Z",
			rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"},
			rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Again"},
			rec{cas: "CAS26000000201", typ: "STUDENT_ABSENT", date: "2026-11-19", details: "Another operation"},
			rec{cas: "CAS26000000101", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Not used yet"},
			rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "A third time"}))
		sum := e.run(func(c *runner.Config) { c.DiskDuplicatesOver = over })
		if len(sum.Files) != 1 || sum.Files[0].Err != nil {
			t.Fatalf("run: %+v", sum.Files)
		}
		return e.outbox_("4NUV7KB58/d.result.xml"), e.export()
	}
	memReport, memRegister := outcome(-1)
	diskReport, diskRegister := outcome(1)
	if memReport != diskReport {
		t.Errorf("result report, pairs in memory:\n%s\non disk:\n%s", memReport, diskReport)
	}
	if !bytes.Equal(memRegister, diskRegister) {
		t.Error("the register differs with the pairs on disk")
	}
	if n := strings.Count(diskReport, `Rule="R.RECORD.DUPLICATE"`); n != 2 {
		t.Errorf("%d duplicates reported; want 2:\n%s", n, diskReport)
	}
}
