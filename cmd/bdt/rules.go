package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bdt/rules"
)

// newRulesCommand returns "rules", which prints the rule catalogue every
// report cites.
func newRulesCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule the processor applies: id, severity, scope, source and summary",
		Long: `List the rule catalogue (docs/rules.md): every file and record decision cites one
of these ids. An error rejects the file (F rules) or the record (R rules); a
warning is reported and the record is still applied.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				enc := json.NewEncoder(out)
				for _, r := range rules.Catalogue() {
					if err := enc.Encode(r); err != nil {
						return exitWith(exitFailed, "%v", err)
					}
				}
				return nil
			case "text":
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tSCOPE\tSOURCE\tSUMMARY")
				for _, r := range rules.Catalogue() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Scope, r.Source, r.Summary)
				}
				if err := tw.Flush(); err != nil {
					return exitWith(exitFailed, "%v", err)
				}
				return nil
			case "markdown":
				if _, err := io.WriteString(out, rules.CatalogueMarkdown()); err != nil {
					return exitWith(exitFailed, "%v", err)
				}
				return nil
			}
			return exitWith(exitUsage, "--format must be text, json or markdown, not %q", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text (an aligned table), json (one object per line) or markdown (the tables of docs/rules.md)")
	return cmd
}
