package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/sqlite"
)

// versioned is a store that tells its schema version (both drivers).
type versioned interface {
	SchemaVersion(ctx context.Context) (int, error)
}

// knownVersion is the newest schema version this binary knows for driver.
func knownVersion(driver string) int {
	if driver == "postgres" {
		return postgres.SchemaVersion()
	}
	return sqlite.SchemaVersion()
}

// newMigrateCommand returns "migrate".
func newMigrateCommand() *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the register database's migrations and print its schema version",
		Long: `Apply the migrations the register database lacks, then print its schema
version. Where there is no register yet (an absent SQLite file, a PostgreSQL
database or schema without one), it creates an empty one and says so: with
bdt register import, the only commands that create a register.

Migrations are embedded in bdt and numbered; each database records those it
has. They are applied in one transaction (under an advisory lock on
PostgreSQL, the write lock on SQLite), so replicas starting at once apply
them once. bdt run and bdt serve also migrate an existing register on start, but an operator of
several replicas runs bdt migrate first, with the new release, before
rolling it out. A database migrated by a newer bdt is refused by this one
(exit 1): run the newer bdt.`,
		Example: `  bdt migrate --db sqlite:bdt.db
  bdt migrate --db 'postgres://bdt@db.internal:5432/bdt?sslmode=verify-full'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := open.Parse(db)
			if err != nil {
				return exitWith(exitUsage, "%v", err)
			}
			// An existing register is migrated; only when there is none
			// is one made, and the output says so.
			created := false
			st, err := open.Present(ctx, db)
			if errors.Is(err, open.ErrNoRegister) {
				created = true
				st, err = open.Open(ctx, db)
			}
			if err != nil {
				if errors.Is(err, store.ErrSchemaTooNew) {
					return exitWith(exitFailed, "register %s was migrated by a newer bdt: %v", open.Redact(db), err)
				}
				return exitWith(exitFailed, "migrate register %s: %v", open.Redact(db), err)
			}
			defer st.Close()
			v, ok := st.(versioned)
			if !ok {
				return exitWith(exitFailed, "register %s: the %s driver does not tell its schema version", open.Redact(db), p.Driver)
			}
			have, err := v.SchemaVersion(ctx)
			if err != nil {
				return exitWith(exitFailed, "register %s: %v", open.Redact(db), err)
			}
			verb := "register"
			if created {
				verb = "created register"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s: schema version %d (this bdt knows up to %d)\n",
				verb, open.Redact(db), have, knownVersion(p.Driver))
			return nil
		},
	}
	dbFlag(cmd.Flags(), &db, dbUsage)
	return cmd
}
