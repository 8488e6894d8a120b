package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/rules"
)

// DB describes a driver's databases to the cases RunDB runs: those that need
// more than a fresh store, such as several stores on one database, reopening
// it, or statements run on it behind the driver's back.
type DB struct {
	// New returns the address of a new, empty database (a file, a schema)
	// for Open, Reopen and Raw.
	New func(t *testing.T) string
	// Open opens a store on the database at addr, creating and migrating it
	// as the driver's Open does.
	Open func(ctx context.Context, addr string) (store.Store, error)
	// Reopen opens a store on the existing database at addr without
	// creating it or, where the driver can, migrating it.
	Reopen func(ctx context.Context, addr string) (store.Store, error)
	// Raw connects to the database at addr directly, bypassing the driver;
	// the connection is closed at the end of t.
	Raw func(t *testing.T, addr string) Conn
	// Version is the newest schema version the driver knows.
	Version int
	// RecordVersion is the statement, in the driver's SQL, that records the
	// migration of version (its one argument) in schema_migrations.
	RecordVersion string
	// Migrations is the folder of the driver's migration files, relative to
	// the directory of its tests.
	Migrations string
	// Parallel runs the cases in parallel with each other.
	Parallel bool
	// UnchunkOutcomes is the statement, in the driver's SQL, that copies
	// the record outcomes of a schema version 4 database (ledger_outcome)
	// into table ledger_record as migration 002 made it, a row each: with
	// it a case puts a database back as version 3 kept outcomes and checks
	// that migration 004 keeps every one.
	UnchunkOutcomes string
}

// Conn runs statements on a database as another program would.
type Conn struct {
	// Exec runs stmt with args.
	Exec func(stmt string, args ...any) error
	// Scan runs query, which returns one row, and scans it into dest.
	Scan func(query string, dest ...any) error
}

// RunDB runs the cases of a driver's databases: migrations, reopening,
// schema versions, concurrent opens and writers, and append-only histories
// whatever writes to the database.
func RunDB(t *testing.T, db DB) {
	for _, c := range []struct {
		name string
		test func(*testing.T, DB)
	}{
		{"MigrationsNumbered", testMigrationsNumbered},
		{"Reopen", testReopen},
		{"NewerSchemaRefused", testNewerSchemaRefused},
		{"ConcurrentOpen", testConcurrentOpen},
		{"AppendOnlyTriggers", testAppendOnlyTriggers},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentAppends", testConcurrentAppends},
		{"OutcomesMigrated", testOutcomesMigrated},
	} {
		t.Run(c.name, func(t *testing.T) {
			if db.Parallel {
				t.Parallel()
			}
			c.test(t, db)
		})
	}
}

// LoadFixture imports Fixture into s in one transaction and commits.
func LoadFixture(t *testing.T, s store.Store) {
	t.Helper()
	load(t, s, Fixture())
}

// open opens a store on the database at addr, closed at the end of t.
func (db DB) open(t *testing.T, addr string) store.Store {
	t.Helper()
	s, err := db.Open(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The migration files are numbered 1, 2, 3… without gaps, and the driver
// knows them all.
func testMigrationsNumbered(t *testing.T, db DB) {
	names, err := fs.Glob(os.DirFS(db.Migrations), "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no migrations")
	}
	for i, name := range names {
		if want := fmt.Sprintf("%03d_", i+1); !strings.HasPrefix(name, want) || !strings.HasSuffix(name, ".sql") {
			t.Errorf("migration %q: want %s<name>.sql", name, want)
		}
	}
	if got := db.Version; got != len(names) {
		t.Errorf("SchemaVersion() = %d; want %d", got, len(names))
	}
}

// Reopening a database changes nothing and applies no migration again.
func testReopen(t *testing.T, db DB) {
	ctx := context.Background()
	addr := db.New(t)
	s, err := db.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	LoadFixture(t, s)
	want := export(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = db.Reopen(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := export(t, s); !reflect.DeepEqual(got, want) {
		t.Error("register differs after reopening")
	}
	var n int
	if err := db.Raw(t, addr).Scan(`SELECT count(*) FROM schema_migrations`, &n); err != nil || n != db.Version {
		t.Errorf("%d migrations recorded after reopening (%v); want each once, %d", n, err, db.Version)
	}
}

// A database migrated by a newer bdt is refused, by Open and Reopen alike.
func testNewerSchemaRefused(t *testing.T, db DB) {
	ctx := context.Background()
	addr := db.New(t)
	s, err := db.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	future := db.Version + 1
	if err := db.Raw(t, addr).Exec(db.RecordVersion, future); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(context.Context, string) (store.Store, error){db.Open, db.Reopen} {
		s, err = open(ctx, addr)
		if err == nil {
			s.Close()
			t.Fatal("Open of a newer schema succeeded")
		}
		if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprint(future)) || !strings.Contains(err.Error(), "newer bdt") {
			t.Errorf("Open = %v; want ErrSchemaTooNew naming version %d and a newer bdt", err, future)
		}
	}
}

// Several processes or replicas starting at once on a new database: each
// opens it, the migrations are applied once.
func testConcurrentOpen(t *testing.T, db DB) {
	addr := db.New(t)
	concurrently(t, "Open", 6, func(int) error {
		s, err := db.Open(context.Background(), addr)
		if err == nil {
			err = s.Close()
		}
		return err
	})
	var count, top int
	if err := db.Raw(t, addr).Scan(`SELECT count(*), max(version) FROM schema_migrations`, &count, &top); err != nil {
		t.Fatal(err)
	}
	if count != db.Version || top != db.Version {
		t.Errorf("schema_migrations: %d rows up to version %d; want each of 1..%d once", count, top, db.Version)
	}
}

// Histories are append-only whatever writes to the database.
func testAppendOnlyTriggers(t *testing.T, db DB) {
	addr := db.New(t)
	s := db.open(t, addr)
	LoadFixture(t, s)
	f := &ledger.File{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml", Name: "a.xml", Status: ledger.Accepted}
	inTx(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.FileInsert(ctx, f); err != nil {
			return err
		}
		return tx.OutcomeInsert(ctx, f.ID, ledger.Outcome{Index: 1, Line: 2, Status: ledger.RecordAccepted})
	})
	conn := db.Raw(t, addr)
	tests := []struct {
		stmt string
		ok   bool
	}{
		{`DELETE FROM status_change`, false},
		{`UPDATE status_change SET reason = 'rewritten'`, false},
		{`DELETE FROM fee_change`, false},
		{`UPDATE fee_change SET after_course_fees_paid = 0`, false},
		{`DELETE FROM activity_report`, false},
		{`UPDATE activity_report SET details = 'rewritten'`, false},
		{`UPDATE activity_report SET details = 'rewritten', withdrawn_by = 'X' WHERE ref = 'BDT-ACT-0003'`, false}, // withdraw and rewrite
		{`UPDATE activity_report SET withdrawn_by = NULL WHERE withdrawn_by IS NOT NULL`, false},                   // un-withdraw
		{`UPDATE activity_report SET withdrawn_by = 'X' WHERE withdrawn_by IS NOT NULL`, false},                    // withdraw twice
		{`UPDATE activity_report SET withdrawn_by = 'X' WHERE ref = 'BDT-ACT-0003'`, true},                         // withdraw once
		{`DELETE FROM certificate WHERE number = 'CAS26000000001'`, false},                                         // has histories
		{`UPDATE ledger_record SET status = 'REJECTED'`, false},
		{`DELETE FROM ledger_record`, false},
	}
	for _, tt := range tests {
		err := conn.Exec(tt.stmt)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v; want ok %v", tt.stmt, err, tt.ok)
		}
	}
}

// Two stores on one database, as two processes or replicas would have,
// writing at once to one certificate, each reading it first in its
// transaction and writing what it read plus one: no transaction fails (the
// driver waits for the lock), no update is lost (a lost one would show as a
// short note) and no history interleaves.
func testConcurrentWriters(t *testing.T, db DB) {
	ctx := context.Background()
	addr := db.New(t)
	stores := []store.Store{db.open(t, addr), db.open(t, addr)}
	LoadFixture(t, stores[0])
	const cert, workers, rounds = "CAS26000000002", 6, 10
	concurrently(t, "transaction", workers, func(w int) error {
		s := stores[w%2]
		var errs []error
		for range rounds {
			errs = append(errs, inTxErr(ctx, s, func(tx store.Tx) error {
				certs, err := tx.Certificates(ctx, cert)
				if err != nil {
					return err
				}
				c := certs[cert]
				return tx.Apply(ctx,
					rules.SetNote{Cert: cert, Note: c.Note + "x"},
					rules.SetStatus{Cert: cert, Change: rules.StatusChange{Status: rules.StatusAssigned, Reason: fmt.Sprint(len(c.Note))}},
					rules.AddReport{Cert: cert, Report: rules.ActivityReport{Ref: fmt.Sprint("R", len(c.Note)), Type: rules.StudentAbsent}},
				)
			}))
		}
		return errors.Join(errs...)
	})
	certs, err := stores[1].Certificates(ctx, cert)
	if err != nil {
		t.Fatal(err)
	}
	c := certs[cert]
	if want := strings.Repeat("x", workers*rounds); c.Note != want {
		t.Errorf("note has %d x; want %d (lost updates)", len(c.Note), workers*rounds)
	}
	history := c.StatusHistory[len(Fixture().Certificates[1].StatusHistory):]
	for i, h := range history {
		if h.Reason != fmt.Sprint(i) {
			t.Fatalf("status history entry %d has reason %q; want %d: transactions interleaved", i, h.Reason, i)
		}
	}
	if len(c.Activity) != workers*rounds {
		t.Errorf("%d reports; want %d", len(c.Activity), workers*rounds)
	}
}

// Appending to a certificate's history without reading it first (a
// one-at-a-time action) still takes the next entry number safely.
func testConcurrentAppends(t *testing.T, db DB) {
	ctx := context.Background()
	s := db.open(t, db.New(t))
	LoadFixture(t, s)
	const cert, n = "CAS26000000001", 24
	concurrently(t, "transaction", n, func(i int) error {
		return inTxErr(ctx, s, func(tx store.Tx) error {
			return tx.Apply(ctx, rules.AddReport{Cert: cert, Report: rules.ActivityReport{Ref: fmt.Sprint("C", i), Type: rules.StudentAbsent}})
		})
	})
	certs, err := s.Certificates(ctx, cert)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(certs[cert].Activity), len(Fixture().Certificates[0].Activity)+n; got != want {
		t.Errorf("%d reports; want %d", got, want)
	}
}

// concurrently runs fn(0), fn(1) … fn(n-1) at once, and fails t with each
// error they return.
func concurrently(t *testing.T, what string, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- fn(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// inTxErr runs fn in a transaction of s and commits it, returning the first
// error (it may run in a goroutine other than the test's).
func inTxErr(ctx context.Context, s store.Store, fn func(tx store.Tx) error) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// testOutcomesMigrated writes outcomes of two files, puts the database back
// as schema version 3 kept them, opens it again (which migrates it) and
// reads the same outcomes back.
func testOutcomesMigrated(t *testing.T, db DB) {
	if db.UnchunkOutcomes == "" {
		t.Skip("the driver gives no statements to undo migration 004")
	}
	ctx := context.Background()
	addr := db.New(t)
	s, err := db.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	a, b := ledgerFile(uni, "a.xml"), ledgerFile(employer, "b.xml")
	put(t, s, a, b)
	var want []ledger.Outcome
	for i := 1; i <= 1300; i++ {
		o := ledger.Outcome{Index: i, Line: 3 * i, Reference: fmt.Sprintf("S%05d", i), Cert: fmt.Sprintf("CAS%011d", i),
			Status: ledger.RecordAccepted, ConfRef: fmt.Sprintf("BDT-%06d", i)}
		if i%4 == 0 {
			o.Status, o.ConfRef = ledger.RecordRejected, ""
			o.Findings = []ledger.Finding{{Rule: "R.CERT.FOUND", Severity: "error", Field: "CASNumber", Line: o.Line,
				Path: fmt.Sprintf("/R/S[%d]/CASNumber", i), Message: "not \"found\" <here> & ünïcode\n"}}
		}
		want = append(want, o)
	}
	one := []ledger.Outcome{{Index: 1, Line: 2, Status: ledger.RecordRejected,
		Findings: []ledger.Finding{{Rule: "R.X", Severity: "error", Message: "only"}}}}
	inTx(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.OutcomeInsert(ctx, a.ID, want[:700]...); err != nil {
			return err
		}
		if err := tx.OutcomeInsert(ctx, a.ID, want[700:]...); err != nil {
			return err
		}
		return tx.OutcomeInsert(ctx, b.ID, one...)
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	conn := db.Raw(t, addr)
	undo := "DROP VIEW ledger_record;\n" + ledgerRecordDDL(t, db.Migrations) + db.UnchunkOutcomes +
		";\nDROP TABLE ledger_outcome;\nDELETE FROM schema_migrations WHERE version >= 4;"
	if err := conn.Exec(undo); err != nil {
		t.Fatalf("undo migration 004: %v\n%s", err, undo)
	}
	var rows int
	if err := conn.Scan(`SELECT count(*) FROM ledger_record`, &rows); err != nil || rows != len(want)+1 {
		t.Fatalf("version 3 ledger_record holds %d rows (%v); want %d", rows, err, len(want)+1)
	}
	s, err = db.Open(ctx, addr)
	if err != nil {
		t.Fatalf("open (migrating): %v", err)
	}
	defer s.Close()
	same(t, "outcomes of a after migration", outcomesOf(t, s, a.ID), want)
	// The entries too, ids kept (migration 008 builds ledger_file again in
	// SQLite, and a database put back loses what 008 added).
	gotA, err := s.File(ctx, a.ID)
	if err != nil || gotA == nil {
		t.Fatalf("File(a) after migration = %v, %v", gotA, err)
	}
	gotA.Submitter, gotA.ClientName = a.Submitter, a.ClientName
	same(t, "entry a after migration", gotA, a)
	same(t, "outcomes of b after migration", outcomesOf(t, s, b.ID), one)
	if err := conn.Scan(`SELECT count(*) FROM ledger_record`, &rows); err != nil || rows != len(want)+1 {
		t.Errorf("the ledger_record view shows %d rows (%v); want %d", rows, err, len(want)+1)
	}
}

// ledgerRecordDDL returns the statements of migration 002 (in the folder
// dir) that made table ledger_record and its triggers.
func ledgerRecordDDL(t *testing.T, dir string) string {
	t.Helper()
	names, err := fs.Glob(os.DirFS(dir), "002_*.sql")
	if err != nil || len(names) != 1 {
		t.Fatalf("migration 002 in %s: %v %v", dir, names, err)
	}
	b, err := os.ReadFile(dir + "/" + names[0])
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		code = append(code, line)
	}
	var out strings.Builder
	for _, stmt := range strings.Split(strings.Join(code, "\n"), ";\n") {
		if strings.Contains(stmt, "ledger_record") {
			out.WriteString(strings.TrimSpace(stmt) + ";\n")
		}
	}
	if !strings.Contains(out.String(), "CREATE TABLE ledger_record") {
		t.Fatalf("no CREATE TABLE ledger_record in %s", names[0])
	}
	return out.String()
}
