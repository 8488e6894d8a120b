package main

// This file holds the set-up several verbs share: the register they open, the
// inbox they read, what they refuse when either is missing, and the
// processing time they are given.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"bdt/bdt/storage"
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
		if ferr := registerFolderError(dsn); ferr != nil {
			return nil, ferr
		}
		return nil, exitWith(exitFailed, "open register %s: %v", open.Redact(dsn), err)
	}
	return st, nil
}

// missing is the usage error (exit 2) of a verb given something that must
// exist and does not, a register or an inbox: one line saying what is
// missing (what) and the command that creates it. Every verb refuses
// through it, having created nothing.
func missing(what, create string) error {
	return exitWith(exitUsage, "%s; create it first: %s", what, create)
}

// noRegister is missing for a register that does not exist (err,
// open.ErrNoRegister): only bdt register import and bdt migrate make one.
func noRegister(dsn string, err error) error {
	db := open.Redact(dsn)
	return missing(err.Error(), fmt.Sprintf("bdt register import --db '%s' REGISTER.xml (or bdt migrate --db '%s')", db, db))
}

// openInbox opens the inbox location loc, which must exist: a local folder
// that does not, or an S3 bucket that does not, is refused (missing) and
// nothing is made. (The outbox and archive are opened with storage.Open,
// which makes their folders.)
func openInbox(ctx context.Context, loc string, opt storage.Options) (storage.Storage, error) {
	scheme, rest, isURL := strings.Cut(loc, "://")
	dir := loc
	if isURL && scheme == "file" {
		dir, isURL = rest, false
	}
	if !isURL {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, missing(fmt.Sprintf("inbox folder %s does not exist", dir), "mkdir -p '"+dir+"'")
		}
	}
	in, err := storage.Open(ctx, loc, opt)
	if err != nil {
		return nil, exitWith(exitUsage, "%v", err)
	}
	if isURL {
		// A listing of a prefix that holds nothing: cheap, and it fails
		// with ErrNoLocation when the bucket is not there. Any other
		// failure shows, as before, when the inbox is listed.
		if _, _, err := in.List(ctx, ".bdt-inbox-check/"); errors.Is(err, storage.ErrNoLocation) {
			bucket, _, _ := strings.Cut(rest, "/")
			return nil, missing(fmt.Sprintf("inbox %s: bucket %s does not exist", loc, bucket), "aws s3 mb s3://"+bucket)
		}
	}
	return in, nil
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
