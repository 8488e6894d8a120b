package runner_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/rules"
)

// fuzzRegister is the sample register, loaded once per fuzzing worker into
// a SQLite file that every iteration copies, with its export.
var fuzzRegister struct {
	once   sync.Once
	db     []byte
	export *register.Fixture
	err    error
}

func fuzzTemplate(t testing.TB) ([]byte, *register.Fixture) {
	fuzzRegister.once.Do(func() {
		dir, err := os.MkdirTemp("", "bdt-fuzz-*")
		if err != nil {
			fuzzRegister.err = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		path := filepath.Join(dir, "bdt.db")
		st, err := open.Open(ctx, "sqlite:"+path)
		if err != nil {
			fuzzRegister.err = err
			return
		}
		f, err := os.Open("../../samples/register.xml")
		if err != nil {
			fuzzRegister.err = err
			return
		}
		fx, err := register.Decode(f)
		f.Close()
		if err == nil {
			var tx store.Tx
			if tx, err = st.Begin(ctx); err == nil {
				if err = fx.Import(ctx, tx); err == nil {
					err = tx.Commit(ctx)
				}
				tx.Rollback(ctx)
			}
		}
		if err == nil {
			fuzzRegister.export, err = register.Export(ctx, st)
		}
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			fuzzRegister.db, err = os.ReadFile(path)
		}
		fuzzRegister.err = err
	})
	if fuzzRegister.err != nil {
		t.Fatal(fuzzRegister.err)
	}
	return fuzzRegister.db, fuzzRegister.export
}

// FuzzRunFile puts the fuzz bytes in a sponsor's inbox as one file and runs
// the real runner over it, on SQLite with the sample register. Properties:
// nothing panics; the file is processed (no infrastructure error: the input
// is local and whole); it is REJECTED or DUPLICATE with the register
// unchanged, or its records were decided and nothing changed but the
// certificates its accepted records name; sponsors and users never change.
func FuzzRunFile(f *testing.F) {
	for _, p := range fuzzSeeds(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(studentFile("FUZZ-1", "2026-11-20T10:00:00Z",
		rec{cas: "CAS26000000208", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Changed course."},
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Changed course."},
		rec{cas: "CAS26000000208", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Again."},
		rec{cas: "CAS99999999999", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "No such CAS."})))
	f.Add([]byte{})
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"))

	f.Fuzz(runFuzzBody)
}

func runFuzzBody(t *testing.T, doc []byte) {
	{
		db, before := fuzzTemplate(t)
		ctx := context.Background()
		dir := fuzzDir(t)
		if err := os.WriteFile(filepath.Join(dir, "bdt.db"), db, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := open.Open(ctx, "sqlite:"+filepath.Join(dir, "bdt.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var locs [3]*storage.Local
		for i, name := range []string{"inbox", "outbox", "archive"} {
			if locs[i], err = storage.NewLocal(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		const key = "4NUV7KB58/fuzz.xml"
		if err := locs[0].Put(ctx, key, bytes.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		sum, err := runner.New(runner.Config{Store: st, Inbox: locs[0], Outbox: locs[1], Archive: locs[2],
			Now: func() time.Time { return now }, Limits: runner.Limits{MaxSize: 1 << 20}}).Run(ctx)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if len(sum.Files) != 1 || sum.Files[0].Err != nil || sum.Files[0].Entry == nil {
			t.Fatalf("files %+v", sum.Files)
		}
		e := sum.Files[0].Entry
		after, err := register.Export(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before.Sponsors, after.Sponsors) || !reflect.DeepEqual(before.Users, after.Users) {
			t.Fatal("a file changed the sponsors or the users")
		}
		if len(before.Certificates) != len(after.Certificates) {
			t.Fatalf("%d certificates before, %d after", len(before.Certificates), len(after.Certificates))
		}
		touched := map[string]bool{} // certificates an accepted record names
		switch e.Status {
		case ledger.Rejected, ledger.Duplicate:
			// nothing may change
		case ledger.Accepted, ledger.PartiallyAccepted:
			accepted := 0
			for o, err := range st.Outcomes(ctx, e.ID) {
				if err != nil {
					t.Fatal(err)
				}
				if o.Status == ledger.RecordAccepted {
					touched[o.Cert] = true
					accepted++
				}
			}
			if accepted == 0 || accepted != e.Accepted {
				t.Fatalf("%s with %d accepted outcomes, ledger says %d", e.Status, accepted, e.Accepted)
			}
		default:
			t.Fatalf("status %q", e.Status)
		}
		for i := range before.Certificates {
			b, a := before.Certificates[i], after.Certificates[i]
			if b.Number != a.Number {
				t.Fatalf("certificate %s became %s", b.Number, a.Number)
			}
			if !touched[b.Number] && !reflect.DeepEqual(b, a) {
				t.Fatalf("%s file: certificate %s changed, and no accepted record names it", e.Status, b.Number)
			}
		}
		if e.Status == ledger.Rejected && e.Accepted != 0 {
			t.Fatalf("REJECTED with %d accepted", e.Accepted)
		}
		for _, fnd := range e.FileFindings {
			if _, ok := rules.Lookup(rules.RuleID(fnd.Rule)); !ok {
				t.Fatalf("file finding cites unknown rule %q", fnd.Rule)
			}
		}
		// The file left the inbox and its three reports are there.
		if objs, _, err := locs[0].List(ctx, ""); err != nil || len(objs) != 0 {
			t.Fatalf("inbox after the run: %v %v", objs, err)
		}
		for _, suffix := range []string{".result.xml", ".errors.csv", ".summary.html"} {
			if _, err := os.Stat(filepath.Join(dir, "outbox", "4NUV7KB58", "fuzz"+suffix)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzDir is a scratch folder for one iteration: in memory (/dev/shm) where
// there is one, since the runner syncs every file it writes and SQLite
// every commit, which on a disk makes each iteration cost tens of ms.
func fuzzDir(t *testing.T) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "bdt-fuzz-*"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// fuzzSeeds lists sample uploads of licence 4NUV7KB58, the inbox folder the
// fuzz file goes to.
func fuzzSeeds(t testing.TB) []string {
	var out []string
	for _, pattern := range []string{"../../samples/0*/inbox/4NUV7KB58/*.xml", "../../samples/schema/valid/*.xml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte("4NUV7KB58")) && !strings.Contains(p, "register") {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no seed files")
	}
	return out
}
