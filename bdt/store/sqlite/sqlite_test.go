package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	return openClocked(t, nil)
}

// openClocked opens a store in a new file whose leases clock times (the
// machine's clock when nil).
func openClocked(t *testing.T, clock func() time.Time) store.Store {
	t.Helper()
	s, err := sqlite.OpenWith(context.Background(), sqlite.Params{Path: filepath.Join(t.TempDir(), "register.db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openClocked)
}

func TestDB(t *testing.T) {
	storetest.RunDB(t, storetest.DB{
		New: func(t *testing.T) string { return filepath.Join(t.TempDir(), "register.db") },
		Open: func(ctx context.Context, path string) (store.Store, error) {
			return sqlite.Open(ctx, path)
		},
		Reopen: func(ctx context.Context, path string) (store.Store, error) {
			return sqlite.OpenWith(ctx, sqlite.Params{Path: path, MustExist: true})
		},
		Raw: func(t *testing.T, path string) storetest.Conn {
			db := raw(t, path)
			return storetest.Conn{
				Exec: func(stmt string, args ...any) error {
					_, err := db.Exec(stmt, args...)
					return err
				},
				Scan: func(query string, dest ...any) error {
					return db.QueryRow(query).Scan(dest...)
				},
			}
		},
		Version:       sqlite.SchemaVersion(),
		RecordVersion: `INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2027-01-01T00:00:00Z')`,
		Migrations:    "migrations",
		UnchunkOutcomes: `INSERT INTO ledger_record SELECT o.file, r.value->>0, r.value->>1, r.value->>2, r.value->>3,
			r.value->>4, r.value->>5, r.value->>6 FROM ledger_outcome o, json_each(o.rows) r`,
	})
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

// TestOpenDuringAWriteTransaction: opening a store on an up-to-date file
// takes no lock, so `bdt files list` (say) does not wait for a long file's
// write transaction, and reads the committed ledger at once.
func TestOpenDuringAWriteTransaction(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "register.db")
	s1, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	tx, err := s1.Begin(ctx) // holds the write lock until the end of the test
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	s2, err := sqlite.OpenWith(ctx, sqlite.Params{Path: path, MustExist: true, BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open while another transaction writes: %v", err)
	}
	defer s2.Close()
	if _, err := s2.FileList(ctx, store.FileListParams{}); err != nil {
		t.Errorf("read while another transaction writes: %v", err)
	}
}
