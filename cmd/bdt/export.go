package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/export"
	"bdt/rules"
)

// newExportCommand returns "export": the export direction of BDT, one
// subcommand per kind of certificate.
func newExportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a sponsor's CAS or CoS for its own student-record or HR system",
		Long: `Export writes the certificates of one sponsor whose status changed at or
after an instant (or all of them), as a casexport-v1 or cosexport-v1 document
(bdt schema show casexport-v1), in number order, streamed from the register.`,
		RunE: groupUsage,
	}
	cmd.AddCommand(newExportKindCommand(rules.CAS), newExportKindCommand(rules.CoS))
	return cmd
}

// errRefused ends the write of an export file that is refused, so that the
// file is not made.
var errRefused = errors.New("export refused")

// newExportKindCommand returns "export cas" or "export cos".
func newExportKindCommand(kind rules.CertKind) *cobra.Command {
	var (
		af            actorFlags
		since, output string
	)
	noun := kindNoun(kind)
	format := export.FormatName(kind)
	cmd := &cobra.Command{
		Use:   strings.ToLower(noun) + " --licence L --user ID [--since TIME] [-o FILE]",
		Short: "Export the " + noun + " of licence L changed since an instant, as " + format,
		Long: "Export the " + noun + " of licence L (the acting user's own) as a " + format + ` document: for
each, its number, the sponsor's reference (from the latest activity report
that gives one), the person's name, date of birth and nationality, its
status and the instant of its last status change, and ` + map[rules.CertKind]string{
			rules.CAS: "the course and fees", rules.CoS: "the job"}[kind] + `.
--since keeps those whose last status change was at or after the instant
(give the ExportedAt of the previous export, less a margin for files being
processed while it ran: a certificate exported twice is harmless).

A Level 2 user exports only the ` + noun + ` they own. A suspended or dormant
licence cannot export (F.LICENCE.SUSPENDED); a revoked or expired one has no
access (F.LICENCE.ACCESS). A refused export prints its findings, writes
nothing and exits 1. With -o the file is written whole or not at all: it
appears under its name only once complete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(af.sponsor) == "" {
				return exitWith(exitUsage, "--licence is required: the sponsor licence whose %s are exported", noun)
			}
			p := export.Params{Kind: kind}
			if since != "" {
				t, err := time.Parse(time.RFC3339Nano, since)
				if err != nil {
					return exitWith(exitUsage, "--since %q is not an RFC 3339 time such as 2026-11-16T10:00:00Z", since)
				}
				p.Since = t
			}
			ctx := cmd.Context()
			w, st, err := af.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			var (
				sum export.Summary
				fs  []rules.Finding
			)
			write := func(out io.Writer) error {
				var err error
				sum, fs, err = export.Write(ctx, out, st, w, p)
				if err == nil && len(fs) > 0 {
					err = errRefused
				}
				return err
			}
			toFile := output != "" && output != "-"
			if toFile {
				err = registerWriteFile(output, write)
			} else {
				err = write(cmd.OutOrStdout())
			}
			if len(fs) > 0 {
				return refused(cmd.OutOrStdout(), fs, "refused; nothing was exported")
			}
			if err != nil {
				if toFile {
					return exitWith(exitFailed, "%v; %s was not written", err, output)
				}
				return exitWith(exitFailed, "%v; the export on standard output is cut short", err)
			}
			msg := fmt.Sprintf("exported %d %s of %s", sum.Count, noun, sum.Sponsor)
			if toFile {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s to %s\n", msg, output)
			} else {
				_, err = fmt.Fprintln(os.Stderr, msg)
			}
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	dbFlag(fs, &af.db, "the register `DSN` (sqlite:PATH); it must exist")
	fs.StringVar(&af.user, "user", "", "the exporting SMS user `ID` (required)")
	fs.StringVar(&af.sponsor, "licence", "", "the sponsor `LICENCE` whose "+noun+" are exported (required): the user's own")
	fs.StringVar(&af.now, "now", "", "the `TIME` of the export, RFC 3339 (default: the clock)")
	fs.StringVar(&since, "since", "", "only "+noun+" whose last status change was at or after this `TIME`, RFC 3339 (default: every "+noun+")")
	fs.StringVarP(&output, "output", "o", "", "write the export to `FILE` (default: standard output)")
	return cmd
}
