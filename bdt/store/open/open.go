// Package open opens a register store by its data source name, choosing the
// driver from the DSN's scheme. It is the one place that knows every driver,
// so bdt/bdt/store itself depends on none of them.
package open

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/sqlite"
)

// Open opens (creating and migrating if needed) the register store dsn names:
//
//	sqlite:path.db          SQLite file path.db (relative to the working directory)
//	sqlite:///abs/path.db   SQLite file /abs/path.db
//	path.db                 a bare path: SQLite
//	postgres://…            PostgreSQL, a URL as pgx reads it (also postgresql://…);
//	                        search_path=SCHEMA keeps the register in a schema
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, false)
}

// Existing is Open for a register that must exist already: it never creates
// a database (for commands that only read, such as `bdt register export`).
// A PostgreSQL database is not migrated either: one whose schema is older
// than this bdt's is refused (postgres.ErrSchemaTooOld; run bdt migrate).
func Existing(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, true)
}

func open(ctx context.Context, dsn string, mustExist bool) (store.Store, error) {
	p, err := Parse(dsn)
	if err != nil {
		return nil, err
	}
	switch p.Driver {
	case "sqlite":
		// BDT_SQLITE_BUSY_TIMEOUT (a Go duration) bounds how long a
		// transaction waits for another process's write lock.
		var busy time.Duration
		if v := os.Getenv("BDT_SQLITE_BUSY_TIMEOUT"); v != "" {
			if busy, err = time.ParseDuration(v); err != nil {
				return nil, fmt.Errorf("store: BDT_SQLITE_BUSY_TIMEOUT=%q: %w", v, err)
			}
		}
		s, err := sqlite.OpenWith(ctx, sqlite.Params{Path: p.Path, MustExist: mustExist, BusyTimeout: busy})
		if err != nil {
			return nil, err
		}
		return s, nil
	case "postgres":
		s, err := postgres.OpenWith(ctx, postgres.Params{DSN: dsn, NoMigrate: mustExist})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("store: unknown driver %q", p.Driver)
}

// Redact returns dsn fit for logs and messages: a URL's password is
// replaced by "xxxxx" (net/url's URL.Redacted); anything else is returned as is.
func Redact(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a DSN that is not a valid URL)"
	}
	return u.Redacted()
}

// DSN is a parsed data source name.
type DSN struct {
	Driver string // "sqlite" or "postgres"
	Scheme string // as written: "sqlite", "postgres", "postgresql"; "" for a bare path
	Path   string // SQLite: the database file
}

// Parse parses a data source name (see Open) without opening anything. Its
// errors never repeat a DSN that may hold a password.
func Parse(dsn string) (DSN, error) {
	scheme, rest, hasScheme := strings.Cut(dsn, ":")
	switch {
	case dsn == "":
		return DSN{}, errors.New("store: empty DSN; want sqlite:PATH")
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return DSN{Driver: "postgres", Scheme: scheme}, nil
	case hasScheme && scheme == "sqlite":
		path := rest
		if strings.HasPrefix(rest, "//") {
			// sqlite:///abs/path.db: an empty authority, then the path.
			path = strings.TrimPrefix(rest, "//")
			if !strings.HasPrefix(path, "/") {
				return DSN{}, fmt.Errorf("store: %q: want sqlite:relative/path.db or sqlite:///absolute/path.db", dsn)
			}
		}
		if path == "" {
			return DSN{}, errors.New("store: sqlite: no database path; want sqlite:PATH")
		}
		return DSN{Driver: "sqlite", Scheme: scheme, Path: path}, nil
	case hasScheme && strings.HasPrefix(rest, "//"):
		return DSN{}, fmt.Errorf("store: unknown DSN scheme %q; want sqlite:PATH", scheme)
	}
	return DSN{Driver: "sqlite", Path: dsn}, nil
}
