package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/auth"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// newTokensCommand returns "tokens": an operator's API tokens for SMS users.
func newTokensCommand() *cobra.Command {
	var db, user, name, sponsor string
	tokens := &cobra.Command{
		Use:   "tokens",
		Short: "Create, list and revoke SMS users' API tokens",
		Long: `An API token lets a sponsor's own system act as one SMS user (Authorization:
Bearer TOKEN). It is 256 random bits, printed once by create; bdt keeps only
its SHA-256. A token of a user who is no longer Active, or whose licence is
revoked or expired, is refused, as is a revoked one.`,
	}
	dbFlag(tokens.PersistentFlags(), &db, dbUsage+mustExist)

	create := &cobra.Command{
		Use:   "create --user ID [--name NAME]",
		Short: "Create a token for a user and print it, the only time it is shown",
		Long: `create makes an API token for the SMS user ID and prints it alone on standard
output: store it at once, it cannot be shown again (revoke it and create
another if it is lost). Its id and name go to standard error.

Exit status: 0 when created; 1 when ID is not in the register; 2 on a usage
error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user == "" {
				return exitWith(exitUsage, "tokens create: --user is required")
			}
			return withAuth(cmd.Context(), db, func(a *auth.Service) error {
				token, id, err := a.CreateToken(cmd.Context(), user, name)
				if err != nil {
					return accountsError(err, "user %s is not in the register", user)
				}
				fmt.Fprintln(cmd.OutOrStdout(), token)
				fmt.Fprintf(cmd.ErrOrStderr(), "token %d created for %s%s; it is shown only this once\n", id, user, tokenName(name))
				return nil
			})
		},
	}
	create.Flags().StringVar(&user, "user", "", "the SMS user the token acts as (required)")
	create.Flags().StringVar(&name, "name", "", "what the token is for, shown by list")

	list := &cobra.Command{
		Use:   "list [--user ID] [--sponsor LICENCE]",
		Short: "List tokens (never the tokens themselves)",
		Long: `list prints one line a token, by id: its id, user, licence, name, when it was
created, last used and revoked ("-" for never). The tokens themselves are
never shown: bdt does not have them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openRegister(cmd.Context(), open.Present, db)
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.TokenList(cmd.Context(), store.TokenListParams{User: user, Sponsor: sponsor})
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			return tokensWrite(cmd.OutOrStdout(), ts)
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's tokens")
	list.Flags().StringVar(&sponsor, "sponsor", "", "only the tokens of this licence's users")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token: it is refused from now on",
		Long: `revoke marks the token ID (as list shows it) revoked; it is refused from then
on. Revoking a revoked token changes nothing.

Exit status: 0 when revoked; 1 when there is no token ID; 2 on a usage error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return exitWith(exitUsage, "tokens revoke: %q is not a token id (a number, as bdt tokens list shows)", args[0])
			}
			return withAuth(cmd.Context(), db, func(a *auth.Service) error {
				if err := a.RevokeToken(cmd.Context(), id, ""); err != nil {
					return accountsError(err, "there is no token %d", id)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked token %d\n", id)
				return nil
			})
		},
	}
	tokens.AddCommand(create, list, revoke)
	return tokens
}

// tokenName is " (NAME)" for a token's name, or nothing.
func tokenName(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

// tokensWrite writes the tokens list.
func tokensWrite(w io.Writer, ts []store.Token) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tLICENCE\tNAME\tCREATED\tLAST USED\tREVOKED")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, t := range ts {
		name := t.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Sponsor, name, when(t.Created), when(t.LastUsed), when(t.Revoked))
	}
	return tw.Flush()
}
