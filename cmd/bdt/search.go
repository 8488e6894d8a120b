package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bdt/bdt/action"
	"bdt/bdt/store"
	"bdt/rules"
)

// searchPage is the JSON form of a page of a search.
type searchPage struct {
	Certificates []*action.View `json:"certificates"`
	// NextAfter, when set, is the --after that gives the next page.
	NextAfter string `json:"next_after,omitempty"`
}

// newSearchCommand returns "search" for CAS or CoS: find certificates by
// the person's details, as the SMS "Report activity by CAS search" and
// "Search for a CoS" screens do (seeds 001, 002).
func newSearchCommand(kind rules.CertKind) *cobra.Command {
	var (
		af     actorFlags
		p      store.CertificateSearchParams
		format string
	)
	noun := kindNoun(kind)
	cmd := &cobra.Command{
		Use:   "search --user ID [--family-name NAME] [--given-names NAMES] [--dob DATE] [--nationality CODE] [--sponsor-reference REF]",
		Short: "Find " + noun + " by the person's details when the number is not known",
		Long: "Find the " + noun + " of the acting user's sponsor whose person matches every detail\n" +
			`given (at least one): family name and given names exactly as on the
certificate, date of birth, nationality, or the sponsor's own reference from
an activity report. A Level 2 user finds only the certificates they own;
another sponsor's are never found. A suspended or dormant licence cannot
search (F.LICENCE.SUSPENDED), a revoked or expired one has no access
(F.LICENCE.ACCESS). At most ` + fmt.Sprint(action.SearchLimit) + ` results a page, in number order; when
there are more, the last line says which --after gives the next page.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if p.FamilyName == "" && p.GivenNames == "" && p.DateOfBirth.IsZero() && p.Nationality == "" && p.SponsorReference == "" {
				return exitWith(exitUsage, "give at least one detail: --family-name, --given-names, --dob, --nationality or --sponsor-reference")
			}
			if p.Limit < 0 || p.Limit > action.SearchLimit {
				return exitWith(exitUsage, "--limit %d: want 1 to %d", p.Limit, action.SearchLimit)
			}
			if err := textOrJSON(format); err != nil {
				return err
			}
			ctx := cmd.Context()
			w, st, err := af.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			page, fs, err := action.Search(ctx, st, w, kind, p)
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			out := cmd.OutOrStdout()
			if len(fs) > 0 {
				return refused(out, fs, "")
			}
			next := ""
			if page.More {
				next = page.Certificates[len(page.Certificates)-1].Number
			}
			if format == "json" {
				sp := searchPage{Certificates: []*action.View{}, NextAfter: next}
				for _, c := range page.Certificates {
					sp.Certificates = append(sp.Certificates, action.NewView(c))
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				err = enc.Encode(sp)
			} else {
				err = writeSearchText(out, noun, page, next)
			}
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			return nil
		},
	}
	af.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&p.FamilyName, "family-name", "", "the person's family `NAME`, as on the "+noun)
	fs.StringVar(&p.GivenNames, "given-names", "", "the person's given `NAMES`, as on the "+noun)
	dateFlag(fs, &p.DateOfBirth, "dob", "the person's date of birth, a `DATE` YYYY-MM-DD")
	fs.StringVar(&p.Nationality, "nationality", "", "the person's nationality, a `CODE` such as NGA or STATELESS")
	fs.StringVar(&p.SponsorReference, "sponsor-reference", "", "the sponsor's own `REFERENCE` for the person, as given in an activity report")
	fs.StringVar(&p.After, "after", "", "only "+noun+" numbered after this `NUMBER` (the next page)")
	fs.IntVar(&p.Limit, "limit", action.SearchLimit, "at most `N` results (1 to "+fmt.Sprint(action.SearchLimit)+")")
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text (a table) or json")
	return cmd
}

// writeSearchText writes a page of a search as a table, then how to get
// the next page when there is one.
func writeSearchText(out io.Writer, noun string, page action.Page, next string) error {
	if len(page.Certificates) == 0 {
		_, err := fmt.Fprintf(out, "No %s matches.\n", noun)
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tFAMILY NAME\tGIVEN NAMES\tDATE OF BIRTH\tNATIONALITY\tOWNER")
	for _, c := range page.Certificates {
		v := action.NewView(c)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Number, v.Status, v.Person.FamilyName,
			dash(v.Person.GivenNames), dash(v.Person.DateOfBirth), dash(v.Person.Nationality), dash(v.Owner))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if next != "" {
		_, err := fmt.Fprintf(out, "More %s match: search again with --after %s\n", noun, next)
		return err
	}
	return nil
}

// textOrJSON checks the value of a --format flag that takes text or json.
func textOrJSON(format string) error {
	if format != "text" && format != "json" {
		return exitWith(exitUsage, "--format must be text or json, not %q", format)
	}
	return nil
}

// refused prints the findings fs that refuse a command to out and returns
// its exit: 1, with msg on standard error when it is not "".
func refused(out io.Writer, fs []rules.Finding, msg string) error {
	if err := action.WriteFindings(out, fs); err != nil {
		return exitWith(exitFailed, "%v", err)
	}
	return exitWith(exitFailed, "%s", msg)
}

// dash is s, or "-" for an empty column.
func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
