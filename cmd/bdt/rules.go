package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bdt/rules"
)

// newRulesCommand returns "rules", which prints the rule catalogue every
// report cites, or with --explain one rule's explanation.
func newRulesCommand() *cobra.Command {
	var format, explain string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule the processor applies: id, severity, scope, source and summary",
		Long: `List the rule catalogue (docs/rules.md): every file and record decision cites one
of these ids. An error rejects the file (F rules) or the record (R rules); a
warning is reported and the record is still applied.

--explain ID prints what a finding of that rule means and how to fix it, as
the summary page shows it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if cmd.Flags().Changed("explain") {
				return explainRule(out, explain, format)
			}
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
	cmd.Flags().StringVar(&explain, "explain", "", "print what a finding of rule `ID` means and how to fix it (text, or json)")
	return cmd
}

// explainRule writes the rule id's entry and explanation to out, as text or
// json (one object: the rule's fields, meaning and fix). An id not in the
// catalogue is a usage error.
func explainRule(out io.Writer, id, format string) error {
	rid := rules.RuleID(strings.ToUpper(strings.TrimSpace(id)))
	r, ok := rules.Lookup(rid)
	if !ok {
		return exitWith(exitUsage, "no rule %q; bdt rules lists them", id)
	}
	e, _ := rules.Explain(rid)
	var err error
	switch format {
	case "json":
		err = json.NewEncoder(out).Encode(struct {
			rules.Rule
			rules.Explanation
		}{r, e})
	case "text":
		_, err = fmt.Fprintf(out, "%s (%s, %s rule): %s\n\n%s:\n  %s\n\n%s:\n  %s\n",
			r.ID, r.Severity, r.Scope, r.Summary, rules.MeaningHeading, e.Meaning, rules.FixHeading, e.Fix)
	default:
		return exitWith(exitUsage, "--format with --explain must be text or json, not %q", format)
	}
	if err != nil {
		return exitWith(exitFailed, "%v", err)
	}
	return nil
}
