package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/gen"
)

// genOptions are the flags of `bdt gen`.
type genOptions struct {
	seed          uint64
	sponsors      int
	records       int
	files         int
	kinds         []string
	invalid       float64
	warnings      float64
	schemaInvalid float64
	now           string
	out           string
}

// newGenCommand returns "gen".
func newGenCommand() *cobra.Command {
	var o genOptions
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate synthetic data: a register fixture and BDT files (benchmarks, tests)",
		Long: `Gen writes deterministic synthetic data under --out: a register fixture of
--sponsors sponsors with their SMS users (one in every user status) and CAS
and CoS in every status (register.xml, for 'bdt register import'), and for
each sponsor --files BDT files of each --kind with --records records
(inbox/<licence>/<format>-NN.xml, ready for 'bdt run --inbox DIR/inbox').

The same flags give the same bytes. Every record names a certificate of its
own: a share --invalid of the records is rejected by a record rule (wrong
status, another sponsor's certificate, a number not in the register, a
duplicate in the file, no amount paid, an identity mismatch, a future date,
a withdrawal without an address), a share --warnings is accepted with one
warning (R.FEE.EXCEEDS, R.ACTIVITY.LATE), and a share --schema-invalid breaks
the XSD inside the record (R.SCHEMA rejects the record; bdt run
--schema-errors=file rejects the whole file). The rest is accepted.

gen.json, the manifest, records the parameters, the --now to process the
files with (dates and deadlines are counted from it), and per file what
'bdt run' must decide: records accepted, rejected and warned, by rule.

Kinds: noshow, feeupdate, studentactivity, workeractivity (the latest
version), a format name (feeupdate-v1), or all; comma-separated or repeated.

Example, a fee update of 100,000 records for each of 8 sponsors:

  bdt gen --seed 1 --sponsors 8 --records 100000 --kind feeupdate --invalid 0.1 --out /tmp/bench
  bdt register import --db sqlite:/tmp/bench/bdt.db /tmp/bench/register.xml
  bdt run --db sqlite:/tmp/bench/bdt.db --inbox /tmp/bench/inbox --outbox /tmp/bench/outbox \
    --archive /tmp/bench/archive --now "$(jq -r .now /tmp/bench/gen.json)"

Exit status: 0 when written, 2 on a usage or I/O error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			formats, err := gen.ParseFormats(o.kinds)
			if err != nil {
				return exitWith(exitUsage, "--kind: %v", err)
			}
			if o.out == "" {
				return exitWith(exitUsage, "--out is required")
			}
			cfg := gen.Config{Seed: o.seed, Sponsors: o.sponsors, Records: o.records, Files: o.files,
				Formats: formats, Invalid: o.invalid, Warnings: o.warnings, SchemaInvalid: o.schemaInvalid}
			if cfg.Now, err = parseNow(o.now, ""); err != nil {
				return err
			}
			m, err := gen.Generate(cfg, o.out)
			if err != nil {
				return exitWith(exitUsage, "%v", err)
			}
			var bytes int64
			for _, f := range m.Files {
				bytes += f.Bytes
			}
			fmt.Fprintf(cmd.OutOrStdout(), "gen: %s: register of %d sponsors and %d certificates; %d files, %d records, %.1f MB; process with --now %s\n",
				o.out, m.Sponsors, m.Certificates, len(m.Files), len(m.Files)*m.Records, float64(bytes)/1e6, m.Now)
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 1, "seed of every random choice: the same flags give the same bytes")
	f.IntVar(&o.sponsors, "sponsors", 8, "number of sponsors")
	f.IntVar(&o.records, "records", 1000, "records per file")
	f.IntVar(&o.files, "files", 1, "files per sponsor and kind")
	f.StringSliceVar(&o.kinds, "kind", []string{"all"}, "kinds of file: noshow, feeupdate, studentactivity, workeractivity, a format name (feeupdate-v1), or all")
	f.Float64Var(&o.invalid, "invalid", 0.1, "share of records rejected by a record rule")
	f.Float64Var(&o.warnings, "warnings", 0.02, "share of records accepted with a warning")
	f.Float64Var(&o.schemaInvalid, "schema-invalid", 0, "share of records invalid against the XSD (each rejected alone by R.SCHEMA; the whole file under bdt run --schema-errors=file)")
	f.StringVar(&o.now, "now", "", "processing time the dates are chosen around (RFC 3339; default "+gen.DefaultNow.Format(time.RFC3339)+")")
	f.StringVar(&o.out, "out", "", "output directory (created if needed)")
	return cmd
}
