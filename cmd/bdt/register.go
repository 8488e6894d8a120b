package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/rules"
	"bdt/schema"
)

// registerFormat is the format a fixture must have.
const registerFormat = "register-v1"

// newRegisterCommand returns "register": import and export a fixture.
func newRegisterCommand() *cobra.Command {
	var db, output string
	reg := &cobra.Command{
		Use:   "register",
		Short: "Load a whole sponsor register from a fixture, or dump one",
		Long: `The register fixture (format register-v1, schema/xsd/register-v1.xsd) is an
XML document holding a whole register: sponsors, SMS users, CAS and CoS with
their status, fee and activity histories. samples/register.xml is the one
every sample and test uses.`,
	}
	dbFlag(reg.PersistentFlags(), &db,
		"register database: sqlite:FILE, sqlite:///ABS/FILE, a bare path, or a postgres:// URL")

	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Load a register fixture into the register, in one transaction",
		Long: `Import validates FILE against register-v1.xsd, then loads every sponsor, user
and certificate of it into the register in one transaction, creating the
database if needed.

A fixture is only ever added: if any sponsor licence, user id or certificate
number of FILE is already in the register, nothing is loaded. Import into an
empty register (a new --db) to start afresh.

Problems with FILE are printed to standard error, one a line:

  FILE:LINE:COL: RULE-ID: message

Exit status: 0 when FILE was loaded; 1 when it was refused (invalid, not a
register fixture, or naming something already in the register) and nothing
was loaded; 2 when FILE cannot be read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return registerImport(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), db, args[0])
		},
	}

	exp := &cobra.Command{
		Use:   "export",
		Short: "Write the whole register as a canonical register fixture",
		Long: `Export writes the whole register as a register-v1 fixture, canonically:
sponsors by licence, users by id, certificates by number, histories in the
order they were made, instants in UTC. Importing samples/register.xml into an
empty register and exporting it gives back the same bytes.

The database must exist. The fixture goes to standard output, or with -o to
FILE, which is replaced only once the whole fixture is written.

Exit status: 0 when written; 1 when the register cannot be read; 2 when the
output cannot be written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return registerExport(cmd.Context(), cmd.OutOrStdout(), db, output)
		},
	}
	exp.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")

	reg.AddCommand(imp, exp)
	return reg
}

// registerImport validates the fixture at path, then loads it into the
// register db in one transaction.
func registerImport(ctx context.Context, stdout, stderr io.Writer, db, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return exitWith(exitUsage, "%v", err)
	}
	defer f.Close()

	res, err := schema.Default().Validate(f, nil, schema.Options{})
	if err != nil {
		return exitWith(exitUsage, "read %s: %v", path, err)
	}
	if res.Format.Name != "" && res.Format.Name != registerFormat {
		// Another known kind: its own schema problems are beside the point.
		kind := rules.NewFinding(rules.FKind, "", "this is a %s file, not a register fixture (%s: root Register in namespace %s)",
			res.Format.Name, registerFormat, register.Namespace)
		kind.Line, kind.Column = 1, 1
		res.Issues = []schema.Issue{{Finding: kind}}
		res.Truncated = false
	}
	if len(res.Issues) > 0 {
		for _, is := range res.Issues {
			fmt.Fprintf(stderr, "%s:%s\n", path, is.Error())
		}
		more := ""
		if res.Truncated {
			more = " (and more not listed)"
		}
		return exitWith(exitFailed, "%s: not imported: %d problem%s%s; nothing was loaded",
			path, len(res.Issues), registerPlural(len(res.Issues)), more)
	}

	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return exitWith(exitUsage, "read %s: %v", path, err)
	}
	fix, err := register.Decode(f)
	if err != nil {
		return exitWith(exitFailed, "%s: not imported: %v; nothing was loaded", path, err)
	}

	st, err := openRegister(ctx, open.Open, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := registerLoad(ctx, st, fix); err != nil {
		if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrNotFound) {
			return exitWith(exitFailed, "%s: not imported: %v; nothing was loaded (import into an empty register)", path, err)
		}
		return exitWith(exitFailed, "%s: not imported: %v; nothing was loaded", path, err)
	}
	fmt.Fprintf(stdout, "imported %s into %s: %d sponsor%s, %d user%s, %d certificate%s\n", path, open.Redact(db),
		len(fix.Sponsors), registerPlural(len(fix.Sponsors)), len(fix.Users), registerPlural(len(fix.Users)),
		len(fix.Certificates), registerPlural(len(fix.Certificates)))
	return nil
}

// registerLoad imports fix into st in one transaction.
func registerLoad(ctx context.Context, st store.Store, fix *register.Fixture) error {
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fix.Import(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// registerExport writes the whole register db as a fixture to output, or to
// stdout when output is "" or "-".
func registerExport(ctx context.Context, stdout io.Writer, db, output string) error {
	st, err := openRegister(ctx, open.Existing, db)
	if err != nil {
		return err
	}
	defer st.Close()
	fix, err := register.Export(ctx, st)
	if err != nil {
		return exitWith(exitFailed, "%v", err)
	}
	if output == "" || output == "-" {
		if err := fix.Encode(stdout); err != nil {
			return exitWith(exitUsage, "write: %v", err)
		}
		return nil
	}
	if err := registerWriteFile(output, fix.Encode); err != nil {
		return exitWith(exitUsage, "%v", err)
	}
	return nil
}

// registerWriteFile writes a file through write, replacing path only once the
// whole file is written and synced: a reader never sees half a file.
func registerWriteFile(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func registerPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
