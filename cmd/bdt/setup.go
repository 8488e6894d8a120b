package main

// This file holds the set-up several verbs share: the register they open and
// the processing time they are given.

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// defaultDB is the register a verb opens when --db is not given.
const defaultDB = "sqlite:bdt.db"

// dbUsage is the usage text of --db for bdt run, serve and migrate.
const dbUsage = "register database: sqlite:FILE or a postgres:// URL"

// dbFlag adds --db, the register's DSN, to fs with the given usage text.
func dbFlag(fs *pflag.FlagSet, dsn *string, usage string) {
	fs.StringVar(dsn, "db", defaultDB, usage)
}

// openRegister opens the register dsn with how: open.Open, which creates
// and migrates it as needed, or open.Existing. Its error exits 1 and names
// the register, without a password the DSN may hold.
func openRegister(ctx context.Context, how func(context.Context, string) (store.Store, error), dsn string) (store.Store, error) {
	st, err := how(ctx, dsn)
	if err != nil {
		if ferr := registerFolderError(dsn); ferr != nil {
			return nil, ferr
		}
		return nil, exitWith(exitFailed, "open register %s: %v", open.Redact(dsn), err)
	}
	return st, nil
}

// parseNow parses the value of --now, an RFC 3339 time; "" is the zero time.
// Its error is a usage error, showing example, when not "", as a good value.
func parseNow(s, example string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if example != "" {
			return t, exitWith(exitUsage, "--now %q is not an RFC 3339 time (e.g. %s)", s, example)
		}
		return t, exitWith(exitUsage, "--now %q is not an RFC 3339 time", s)
	}
	return t, nil
}
