// Package pgtest gives tests a PostgreSQL register of their own: a fresh
// schema in the database BDT_TEST_POSTGRES names, dropped when the test
// ends, so that tests run in parallel on one server and leave nothing
// behind.
//
// With BDT_TEST_POSTGRES empty a test that needs PostgreSQL is skipped —
// unless CI is set, where it fails: CI always has a server (.ci/postgres.sh
// starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable naming the test server's database, a
// postgres:// URL such as .ci/postgres.sh prints.
const EnvDSN = "BDT_TEST_POSTGRES"

// Server returns the DSN of the test database, skipping t when there is
// none (failing it in CI).
func Server(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL required in CI: set %s (eval \"$(.ci/postgres.sh start)\")", EnvDSN)
		}
		t.Skipf("no PostgreSQL: set %s to run this test (eval \"$(.ci/postgres.sh start)\")", EnvDSN)
	}
	return dsn
}

// DSN returns the DSN of a new, empty schema of the test database (its
// search_path), dropped with everything in it when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := Server(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s is not a postgres:// URL", EnvDSN)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "bdt_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
