package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
	"bdt/rules"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
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

// raw opens the database file directly, bypassing the driver.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
	if got := sqlite.SchemaVersion(); got != len(names) {
		t.Errorf("SchemaVersion() = %d; want %d", got, len(names))
	}
}

func TestFreshFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub dir", "a?b#c%d.db") // URI-special characters in the path
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created at %s: %v", path, err)
	}
	db := raw(t, strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path))
	rows, err := db.Query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
			t.Errorf("applied_at %q: %v", at, err)
		}
		versions = append(versions, v)
	}
	if len(versions) != sqlite.SchemaVersion() || versions[0] != 1 {
		t.Errorf("schema_migrations holds %v; want 1..%d", versions, sqlite.SchemaVersion())
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fixture(t, s)
	want, err := register.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.OpenWith(ctx, sqlite.Params{Path: path, MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := register.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("register differs after reopening")
	}
	var n int
	if err := raw(t, path).QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != sqlite.SchemaVersion() {
		t.Errorf("%d migrations recorded after reopening (%v); want each once, %d", n, err, sqlite.SchemaVersion())
	}
}

func TestMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.db")
	_, err := sqlite.OpenWith(context.Background(), sqlite.Params{Path: path, MustExist: true})
	if err == nil || !strings.Contains(err.Error(), "no such database") {
		t.Errorf("OpenWith(MustExist) of an absent file = %v; want no such database", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("OpenWith(MustExist) created %s", path)
	}
}

func TestRefusedPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		if s, err := sqlite.Open(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
	// A file that is not a database.
	path := filepath.Join(t.TempDir(), "not.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(context.Background(), path); err == nil {
		s.Close()
		t.Errorf("Open(a text file) succeeded; want an error")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	future := sqlite.SchemaVersion() + 1
	if _, err := raw(t, path).Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2027-01-01T00:00:00Z')`, future); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprint(future)) {
		t.Errorf("Open = %v; want ErrSchemaTooNew naming version %d", err, future)
	}
}

// Histories are append-only whatever writes to the file.
func TestAppendOnlyTriggers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fixture(t, s)
	db := raw(t, path)
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
		{`UPDATE activity_report SET withdrawn_by = NULL WHERE withdrawn_by IS NOT NULL`, false}, // un-withdraw
		{`UPDATE activity_report SET withdrawn_by = 'X' WHERE withdrawn_by IS NOT NULL`, false},  // withdraw twice
		{`UPDATE activity_report SET withdrawn_by = 'X' WHERE ref = 'BDT-ACT-0003'`, true},       // withdraw once
		{`DELETE FROM certificate WHERE number = 'CAS26000000001'`, false},                       // has histories
	}
	for _, tt := range tests {
		_, err := db.Exec(tt.stmt)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v; want ok %v", tt.stmt, err, tt.ok)
		}
	}
}

// Two stores on one file, as two processes would have, writing at once:
// every transaction waits for the one before it, none fails with
// SQLITE_BUSY, and no update is lost.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	ctx := context.Background()
	var stores []*sqlite.Store
	for range 2 {
		s, err := sqlite.Open(ctx, path)
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
					// Read, then write what was read plus one: a lost update
					// would show as a short note.
					certs, err := tx.Certificates(ctx, cert)
					if err != nil {
						return err
					}
					c := certs[cert]
					if err := tx.Apply(ctx,
						rules.SetNote{Cert: cert, Note: c.Note + "x"},
						rules.SetStatus{Cert: cert, Change: rules.StatusChange{Status: rules.StatusAssigned, Reason: fmt.Sprint(len(c.Note))}},
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
}

// Several processes starting at once on a new file: each opens it, the
// migrations are applied once.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := sqlite.Open(context.Background(), path)
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
	if err := raw(t, path).QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &top); err != nil {
		t.Fatal(err)
	}
	if count != sqlite.SchemaVersion() || top != sqlite.SchemaVersion() {
		t.Errorf("schema_migrations: %d rows up to version %d; want each of 1..%d once", count, top, sqlite.SchemaVersion())
	}
}
