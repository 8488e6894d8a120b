package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
)

// openTemp opens a store on a new schema of the test server, whose leases
// clock times (the database's clock when nil).
func openTemp(t *testing.T, clock func() time.Time) store.Store {
	t.Helper()
	s, err := postgres.OpenWith(context.Background(), postgres.Params{DSN: pgtest.DSN(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openTemp)
}

func TestDB(t *testing.T) {
	t.Parallel()
	storetest.RunDB(t, storetest.DB{
		New: func(t *testing.T) string { return pgtest.DSN(t) },
		Open: func(ctx context.Context, dsn string) (store.Store, error) {
			return postgres.Open(ctx, dsn)
		},
		Reopen: func(ctx context.Context, dsn string) (store.Store, error) {
			return postgres.OpenWith(ctx, postgres.Params{DSN: dsn, NoMigrate: true})
		},
		Raw: func(t *testing.T, dsn string) storetest.Conn {
			c := raw(t, dsn)
			return storetest.Conn{
				Exec: func(stmt string, args ...any) error {
					_, err := c.Exec(context.Background(), stmt, args...)
					return err
				},
				Scan: func(query string, dest ...any) error {
					return c.QueryRow(context.Background(), query).Scan(dest...)
				},
			}
		},
		Version:       postgres.SchemaVersion(),
		RecordVersion: `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')`,
		Migrations:    "migrations",
		Parallel:      true,
		UnchunkOutcomes: `INSERT INTO ledger_record SELECT o.file, (r.value->>0)::integer, (r.value->>1)::integer,
			r.value->>2, r.value->>3, r.value->>4, r.value->>5, nullif(r.value->>6, '')::jsonb
			FROM ledger_outcome o, json_array_elements(o.rows) r`,
	})
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
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != postgres.SchemaVersion() {
		t.Errorf("SchemaVersion after Open = %d, %v; want %d", v, err, postgres.SchemaVersion())
	}
	storetest.LoadFixture(t, s)
	from, to, err := s.Migrate(ctx)
	if err != nil || from != postgres.SchemaVersion() || to != from {
		t.Errorf("Migrate of a current schema = %d → %d, %v; want %d → %d", from, to, err, postgres.SchemaVersion(), postgres.SchemaVersion())
	}
	// Reopening (storetest.RunDB) applies nothing again: each migration is
	// recorded once, by name.
	var names []string
	rows, err := raw(t, dsn).Query(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		names = append(names, name)
	}
	if len(names) != postgres.SchemaVersion() || names[0] != "001_register.sql" {
		t.Errorf("schema_migrations holds %v; want each migration once", names)
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
