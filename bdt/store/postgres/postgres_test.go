package postgres_test

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

	"github.com/jackc/pgx/v5"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
	"bdt/rules"
)

// openTemp opens a store on a new schema of the test server.
func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openTemp)
}

func fixture(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := storetest.Fixture().Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// raw connects to dsn directly, bypassing the driver.
func raw(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestMigrationsNumbered(t *testing.T) {
	names, err := fs.Glob(os.DirFS("migrations"), "*")
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
	if got := postgres.SchemaVersion(); got != len(names) {
		t.Errorf("SchemaVersion() = %d; want %d", got, len(names))
	}
}

// The two drivers' schemas move together: a release has as many migrations
// for one as for the other.
func TestSameSchemaVersionAsSQLite(t *testing.T) {
	if p, s := postgres.SchemaVersion(), sqlite.SchemaVersion(); p != s {
		t.Errorf("PostgreSQL schema version %d, SQLite %d", p, s)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	// NoMigrate refuses an empty schema, and creates nothing but the
	// version table.
	if s, err := postgres.OpenWith(ctx, postgres.Params{DSN: dsn, NoMigrate: true}); !errors.Is(err, postgres.ErrSchemaTooOld) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("OpenWith(NoMigrate) of an empty schema = %v; want ErrSchemaTooOld", err)
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != postgres.SchemaVersion() {
		t.Errorf("SchemaVersion after Open = %d, %v; want %d", v, err, postgres.SchemaVersion())
	}
	fixture(t, s)
	from, to, err := s.Migrate(ctx)
	if err != nil || from != postgres.SchemaVersion() || to != from {
		t.Errorf("Migrate of a current schema = %d → %d, %v; want %d → %d", from, to, err, postgres.SchemaVersion(), postgres.SchemaVersion())
	}
	s.Close()
	// Reopening changes nothing and applies nothing again.
	s, err = postgres.OpenWith(ctx, postgres.Params{DSN: dsn, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := register.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := storetest.Fixture(); !reflect.DeepEqual(got, want) {
		t.Error("register differs after reopening")
	}
	var n int
	var names []string
	rows, err := raw(t, dsn).Query(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		names = append(names, name)
		n++
	}
	if n != postgres.SchemaVersion() || names[0] != "001_register.sql" {
		t.Errorf("schema_migrations holds %v; want each migration once", names)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	future := postgres.SchemaVersion() + 1
	if _, err := raw(t, dsn).Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')`, future); err != nil {
		t.Fatal(err)
	}
	for _, p := range []postgres.Params{{DSN: dsn}, {DSN: dsn, NoMigrate: true}} {
		s, err = postgres.OpenWith(ctx, p)
		if err == nil {
			s.Close()
			t.Fatal("Open of a newer schema succeeded")
		}
		if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprint(future)) || !strings.Contains(err.Error(), "newer bdt") {
			t.Errorf("Open = %v; want ErrSchemaTooNew naming version %d and a newer bdt", err, future)
		}
	}
}

// Several replicas starting at once on a new database: each opens it, the
// migrations are applied once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open: %v", err)
		}
	}
	var count, top int
	if err := raw(t, dsn).QueryRow(context.Background(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &top); err != nil {
		t.Fatal(err)
	}
	if count != postgres.SchemaVersion() || top != postgres.SchemaVersion() {
		t.Errorf("schema_migrations: %d rows up to version %d; want each of 1..%d once", count, top, postgres.SchemaVersion())
	}
}

// Histories are append-only whatever writes to the database.
func TestAppendOnlyTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fixture(t, s)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &ledger.File{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml", Name: "a.xml", Status: ledger.Accepted}
	if err := tx.FileInsert(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := tx.OutcomeInsert(ctx, f.ID, ledger.Outcome{Index: 1, Line: 2, Status: ledger.RecordAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db := raw(t, dsn)
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
		_, err := db.Exec(ctx, tt.stmt)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v; want ok %v", tt.stmt, err, tt.ok)
		}
	}
}

// Two stores on one database, as two replicas would have, writing at once
// to one certificate, each reading it first in its transaction: the read
// locks the certificate, so no update is lost and no history interleaves.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var stores []*postgres.Store
	for range 2 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	fixture(t, stores[0])
	const cert, workers, rounds = "CAS26000000002", 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		s := stores[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				errs <- func() error {
					tx, err := s.Begin(ctx)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					certs, err := tx.Certificates(ctx, cert)
					if err != nil {
						return err
					}
					c := certs[cert]
					if err := tx.Apply(ctx,
						rules.SetNote{Cert: cert, Note: c.Note + "x"},
						rules.SetStatus{Cert: cert, Change: rules.StatusChange{Status: rules.StatusAssigned, Reason: fmt.Sprint(len(c.Note))}},
						rules.AddReport{Cert: cert, Report: rules.ActivityReport{Ref: fmt.Sprint("R", len(c.Note)), Type: rules.StudentAbsent}},
					); err != nil {
						return err
					}
					return tx.Commit()
				}()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("transaction: %v", err)
		}
	}
	certs, err := stores[1].Certificates(ctx, cert)
	if err != nil {
		t.Fatal(err)
	}
	c := certs[cert]
	if want := strings.Repeat("x", workers*rounds); c.Note != want {
		t.Errorf("note has %d x; want %d (lost updates)", len(c.Note), workers*rounds)
	}
	history := c.StatusHistory[len(storetest.Fixture().Certificates[1].StatusHistory):]
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
func TestConcurrentAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	fixture(t, s)
	const cert, n = "CAS26000000001", 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				tx, err := s.Begin(ctx)
				if err != nil {
					return err
				}
				defer tx.Rollback()
				if err := tx.Apply(ctx, rules.AddReport{Cert: cert, Report: rules.ActivityReport{Ref: fmt.Sprint("C", i), Type: rules.StudentAbsent}}); err != nil {
					return err
				}
				return tx.Commit()
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("transaction: %v", err)
		}
	}
	certs, err := s.Certificates(ctx, cert)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(certs[cert].Activity), len(storetest.Fixture().Certificates[0].Activity)+n; got != want {
		t.Errorf("%d reports; want %d", got, want)
	}
}

// A DSN's password never shows in an error.
func TestErrorsHidePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://bdt:hunter2@127.0.0.1:1/bdt?connect_timeout=5",
		"postgres://bdt:hunter2@127.0.0.1:1/bdt?sslmode=bogus",
	} {
		s, err := postgres.Open(context.Background(), dsn)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}
