package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"bdt/bdt/auth"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// maxPasswordLine bounds what set-password reads of standard input: a
// password of 256 characters of four bytes each, its line end, and no more.
const maxPasswordLine = 4*256 + 2

// newUsersCommand returns "users": an operator's commands on SMS users'
// passwords for the portal.
func newUsersCommand() *cobra.Command {
	var db string
	users := &cobra.Command{
		Use:   "users",
		Short: "Set SMS users' portal passwords and unlock their accounts",
		Long: `The SMS users themselves come from the register (bdt register import); these
commands keep their passwords for the portal and the API, as argon2id hashes
only (README, "Accounts (for the portal)").`,
	}
	dbFlag(users.PersistentFlags(), &db, dbUsage+mustExist)

	set := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set a user's password, read from standard input; it must be changed at first sign-in",
		Long: `set-password reads one line from standard input, the password, and sets it as
USER's: it must meet seed 003's standard (12 to 256 characters, an upper-case
letter, a lower-case letter, a digit, one of @#$!%^&*+=_, no whitespace, not
containing the user id), and USER must choose a new one at the first sign-in.
It clears USER's lockout and ends USER's sessions. The password is never
printed nor logged.

  printf '%s\n' "$PASSWORD" | bdt users set-password jsmith01

Exit status: 0 when set; 1 when the password is refused (each unmet
requirement is said) or USER is not in the register; 2 on a usage error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return usersSetPassword(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), db, args[0])
		},
	}
	unlock := &cobra.Command{
		Use:   "unlock USER",
		Short: "Clear a user's lockout (three wrong passwords) at once",
		Long: `unlock clears the lockout three wrong passwords in a row set on USER's
account, which otherwise lasts 30 minutes, and the count of wrong attempts.

Exit status: 0 when cleared; 1 when USER has no password (or is not in the
register); 2 on a usage error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAuth(cmd.Context(), db, func(a *auth.Service) error {
				if err := a.Unlock(cmd.Context(), args[0]); err != nil {
					return accountsError(err, "user %s has no password (bdt users set-password sets one)", args[0])
				}
				fmt.Fprintf(cmd.OutOrStdout(), "unlocked %s\n", args[0])
				return nil
			})
		},
	}
	users.AddCommand(set, unlock)
	return users
}

// withAuth opens the register db (which must exist; it is migrated as
// needed) and runs fn with an auth.Service on it, on the machine's clock.
func withAuth(ctx context.Context, db string, fn func(*auth.Service) error) error {
	st, err := openRegister(ctx, open.Present, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(auth.New(auth.Params{Store: st}))
}

// accountsError is the exit of a users or tokens command that failed with
// err: 1 with notFound's words for store.ErrNotFound, 1 with err otherwise.
func accountsError(err error, notFound string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return exitWith(exitFailed, notFound, args...)
	}
	return exitWith(exitFailed, "%v", err)
}

// usersSetPassword reads a password from in and sets it as user's.
func usersSetPassword(ctx context.Context, in io.Reader, out io.Writer, db, user string) error {
	line, err := bufio.NewReaderSize(io.LimitReader(in, maxPasswordLine+1), maxPasswordLine+1).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return exitWith(exitUsage, "read the password from standard input: %v", err)
	}
	if len(line) > maxPasswordLine {
		return exitWith(exitFailed, "the password for %s is refused: it is longer than 256 characters", user)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if password == "" {
		return exitWith(exitUsage, "no password on standard input (give it as one line)")
	}
	return withAuth(ctx, db, func(a *auth.Service) error {
		var pe *auth.PasswordError
		switch err := a.SetPassword(ctx, user, password); {
		case errors.As(err, &pe):
			return exitWith(exitFailed, "the password for %s is refused: %v", user, pe)
		case err != nil:
			return accountsError(err, "user %s is not in the register", user)
		}
		fmt.Fprintf(out, "password set for %s; it must be changed at the first sign-in\n", user)
		return nil
	})
}
