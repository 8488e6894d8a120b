package main

// This file holds the set-up several verbs share: the register they open and
// the processing time they are given.

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/pflag"

	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// defaultDB is the register a verb opens when --db is not given.
const defaultDB = "sqlite:bdt.db"

// dbUsage is the usage text of --db for bdt run, serve and migrate.
const dbUsage = "register database: sqlite:FILE, a postgres:// URL or PostgreSQL key=value pairs"

// mustExist ends the usage text of --db for a verb that never creates a register.
const mustExist = "; it must exist (bdt register import or bdt migrate creates it)"

// dbFlag adds --db, the register's DSN, to fs with the given usage text.
func dbFlag(fs *pflag.FlagSet, dsn *string, usage string) {
	fs.StringVar(dsn, "db", defaultDB, usage)
}

// openRegister opens the register dsn with how: open.Open, which creates
// and migrates it as needed (only for register import and migrate),
// open.Present or open.Existing. A register that does not exist exits 2
// (noRegister); any other error exits 1 and names the register, without a
// secret the DSN may hold.
func openRegister(ctx context.Context, how func(context.Context, string) (store.Store, error), dsn string) (store.Store, error) {
	st, err := how(ctx, dsn)
	if errors.Is(err, open.ErrNoRegister) {
		return nil, noRegister(dsn, err)
	}
	if err != nil {
		return nil, exitWith(exitFailed, "open register %s: %v", open.Redact(dsn), err)
	}
	return st, nil
}

// noRegister is the usage error of a command given a register that does not
// exist: one line naming it and the commands that create one.
func noRegister(dsn string, err error) error {
	return exitWith(exitUsage, "%v; create the register first: bdt register import --db '%s' REGISTER.xml (or bdt migrate --db '%s')",
		err, open.Redact(dsn), open.Redact(dsn))
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
