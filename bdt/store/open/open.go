// Package open opens a register store by its data source name, choosing the
// driver from the DSN's scheme. It is the one place that knows every driver,
// so bdt/bdt/store itself depends on none of them.
package open

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
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
//	host=… dbname=…         PostgreSQL, key=value pairs as pgx (and libpq) read them
//
// Only the commands that make a register (bdt register import, bdt migrate)
// use Open; the others open a register that must exist (Present, Existing).
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, create)
}

// Present is Open for a register that must exist already (bdt run and
// serve): it is migrated as needed but never created. A SQLite file that
// is absent, or a PostgreSQL database (schema) without a register, is
// refused with ErrNoRegister.
func Present(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, present)
}

// Existing is Open for a register that must exist already (ErrNoRegister)
// and that a command only reads or acts on, such as `bdt register export`.
// A PostgreSQL database is not migrated: one whose schema is older than
// this bdt's is refused (postgres.ErrSchemaTooOld; run bdt migrate).
func Existing(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, existing)
}

// ErrNoRegister is returned by Present and Existing when dsn names no
// register: an absent SQLite file, a PostgreSQL schema without one.
var ErrNoRegister = errors.New("no register")

// mode is how open treats a register that is absent or out of date.
type mode int

const (
	create   mode = iota // create and migrate
	present              // must exist; migrate
	existing             // must exist; PostgreSQL is not migrated
)

func open(ctx context.Context, dsn string, m mode) (store.Store, error) {
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
		if m != create {
			if _, err := os.Stat(p.Path); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w: SQLite file %s does not exist", ErrNoRegister, p.Path)
			}
		}
		s, err := sqlite.OpenWith(ctx, sqlite.Params{Path: p.Path, MustExist: m != create, BusyTimeout: busy})
		if err != nil {
			return nil, err
		}
		return s, nil
	case "postgres":
		s, err := postgres.OpenWith(ctx, postgres.Params{DSN: dsn, MustExist: m != create, NoMigrate: m == existing})
		if errors.Is(err, postgres.ErrNoRegister) {
			return nil, fmt.Errorf("%w: %w", ErrNoRegister, err)
		}
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("store: unknown driver %q", p.Driver)
}

// Redact returns dsn fit for logs and messages, the one place a DSN is
// made safe to show: a URL's password, and the value of every parameter
// whose name holds "password" (password, sslpassword), in a URL's query or
// in key=value pairs, is replaced by "xxxxx". A DSN whose secrets cannot be
// told apart is not shown at all. A SQLite DSN is returned as is.
func Redact(dsn string) string {
	if isKeyValue(dsn) {
		return redactKeyValue(dsn)
	}
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a DSN that is not a valid URL)"
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "(a DSN that is not a valid URL)" // a pair that does not parse may be a secret
	}
	changed := false
	for k := range q {
		if secretParam(k) {
			q[k] = []string{redacted}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// redacted replaces a secret wherever a DSN is shown.
const redacted = "xxxxx"

// secretParam reports whether a DSN parameter named k holds a secret.
func secretParam(k string) bool {
	return strings.Contains(strings.ToLower(k), "password")
}

// keyValue matches the start of a key=value DSN (libpq's connection
// string): a keyword, then "=".
var keyValue = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_]*\s*=`)

// isKeyValue reports whether dsn is PostgreSQL's key=value form.
func isKeyValue(dsn string) bool { return keyValue.MatchString(dsn) }

// redactKeyValue is Redact for the key=value form: pairs separated by
// spaces, a value bare or in single quotes, a backslash escaping the next
// character (libpq's rules).
func redactKeyValue(dsn string) string {
	var b strings.Builder
	rest := strings.TrimLeft(dsn, " \t\n")
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "(a DSN that does not parse)"
		}
		key = strings.TrimSpace(key)
		after = strings.TrimLeft(after, " \t\n")
		var val string
		var end int
		if strings.HasPrefix(after, "'") {
			end = 1
			for ; end < len(after) && after[end] != '\''; end++ {
				if after[end] == '\\' {
					end++
				}
			}
			if end >= len(after) {
				return "(a DSN that does not parse)"
			}
			end++ // the closing quote
		} else {
			for ; end < len(after) && !strings.ContainsRune(" \t\n", rune(after[end])); end++ {
				if after[end] == '\\' {
					end++
				}
			}
			end = min(end, len(after))
		}
		val = after[:end]
		if secretParam(key) {
			val = redacted
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(key + "=" + val)
		rest = strings.TrimLeft(after[end:], " \t\n")
	}
	return b.String()
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
	case isKeyValue(dsn):
		// host=db user=bdt dbname=bdt: never a file name (it would put
		// the password in one).
		return DSN{Driver: "postgres"}, nil
	case hasScheme && strings.HasPrefix(rest, "//"):
		return DSN{}, fmt.Errorf("store: unknown DSN scheme %q; want sqlite:PATH", scheme)
	}
	return DSN{Driver: "sqlite", Path: dsn}, nil
}
