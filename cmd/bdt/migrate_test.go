package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3"

	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/bdt/store/sqlite"
)

// bdt migrate applies the migrations and prints the version; once a newer
// bdt has migrated the database, migrate, run and serve's run refuse it
// and say what to do.
func TestMigrate(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			var db string
			var bump func(version int)
			known := sqlite.SchemaVersion()
			if driver == "sqlite" {
				path := filepath.Join(t.TempDir(), "bdt.db")
				db = "sqlite:" + path
				bump = func(v int) {
					conn, err := sql.Open("sqlite3", path)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close()
					if _, err := conn.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2030-01-01T00:00:00Z')`, v); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				db = pgtest.DSN(t)
				known = postgres.SchemaVersion()
				bump = func(v int) {
					conn, err := pgx.Connect(context.Background(), db)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close(context.Background())
					if _, err := conn.Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')`, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := fmt.Sprintf("schema version %d (this bdt knows up to %d)", known, known)
			for i := range 2 { // the first time it creates the register and says so; the second, nothing to apply
				code, stdout, stderr := registerRun(t, "migrate", "--db", db)
				if code != exitOK || !strings.Contains(stdout, want) || strings.HasPrefix(stdout, "created register ") != (i == 0) {
					t.Fatalf("bdt migrate (time %d) = %d\n%s%s\nwant exit 0 and %q, after \"created register\" the first time only", i+1, code, stdout, stderr, want)
				}
			}
			bump(known + 1)
			dir := t.TempDir()
			for _, args := range [][]string{
				{"migrate", "--db", db},
				{"run", "--db", db, "--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"), "--archive", filepath.Join(dir, "archive")},
			} {
				code, stdout, stderr := registerRun(t, args...)
				if code != exitFailed || !strings.Contains(stderr, fmt.Sprintf("schema version %d is newer than this bdt", known+1)) ||
					!strings.Contains(stderr, "run that version (or newer)") {
					t.Errorf("bdt %s on a newer schema = %d\n%s%s\nwant exit 1 and a message naming the version and what to do", args[0], code, stdout, stderr)
				}
			}
		})
	}
}
