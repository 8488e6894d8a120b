package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// newFilesCommand returns "files": list and show the file ledger.
func newFilesCommand() *cobra.Command {
	var db, sponsor, status, format string
	var limit int
	files := &cobra.Command{
		Use:   "files",
		Short: "Read the file ledger: every file received and what became of it",
	}
	dbFlag(files.PersistentFlags(), &db, dbUsage+mustExist)
	list := &cobra.Command{
		Use:   "list",
		Short: "List files received, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openRegister(cmd.Context(), open.Existing, db)
			if err != nil {
				return err
			}
			defer st.Close()
			fs, err := st.FileList(cmd.Context(), store.FileListParams{Licence: sponsor, Status: ledger.FileStatus(status), Limit: limit, Newest: true})
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, f := range fs {
					if err := enc.Encode(f); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSPONSOR\tNAME\tKIND\tFILE ID\tSTATUS\tREAD\tACCEPTED\tREJECTED\tWARNINGS\tPROCESSED AT\tUPLOADED BY")
			for _, f := range fs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", f.ID, f.Licence, f.Name, kindVersion(f),
					f.FileID, f.Status, f.Read, f.Accepted, f.Rejected, f.Warnings, stampOrDash(f.ProcessedAt), dash(f.Submitter))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&sponsor, "sponsor", "", "only this sponsor licence's files")
	list.Flags().StringVar(&status, "status", "", "only files with this status (RECEIVED, PROCESSING, ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, DUPLICATE)")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many files (0 for all)")
	list.Flags().StringVar(&format, "format", "text", "text or json (one object per line)")

	var all bool
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one file: its ledger entry, file findings and record outcomes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return exitWith(exitUsage, "file id %q is not a number", args[0])
			}
			st, err := openRegister(cmd.Context(), open.Existing, db)
			if err != nil {
				return err
			}
			defer st.Close()
			f, err := st.File(cmd.Context(), id)
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			if f == nil {
				return exitWith(exitFailed, "no file %d in the ledger", id)
			}
			w := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, kv := range [][2]string{
				{"ID", fmt.Sprint(f.ID)}, {"Sponsor", f.Licence}, {"Name", f.Name}, {"Inbox key", f.Key},
				{"Kind", kindVersion(f)}, {"File id", f.FileID}, {"Header licence", f.HeaderLicence}, {"Submitted by", f.UserID},
				{"Created at", f.CreatedAt}, {"SHA-256", f.SHA256}, {"Size", fmt.Sprintf("%d bytes", f.Size)},
				{"Status", string(f.Status)}, {"Counts", fmt.Sprintf("declared %s, read %d, accepted %d, rejected %d, warnings %d",
					fmtCount(f.Declared), f.Read, f.Accepted, f.Rejected, f.Warnings)},
				{"Processed at", stampOrDash(f.ProcessedAt)}, {"Received", stampOrDash(f.ReceivedAt)},
				{"Started", stampOrDash(f.StartedAt)}, {"Finished", stampOrDash(f.FinishedAt)},
				{"Reports written", fmt.Sprint(f.ReportsWritten)}, {"Archived", fmt.Sprint(f.Archived)},
			} {
				fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
			}
			if f.Submitter != "" {
				fmt.Fprintf(tw, "Uploaded by:\t%s (portal or API, as %q)\n", f.Submitter, f.ClientName)
			}
			if f.DuplicateOf != 0 {
				fmt.Fprintf(tw, "Duplicate of:\tfile %d\n", f.DuplicateOf)
			}
			tw.Flush()
			for _, fd := range f.FileFindings {
				fmt.Fprintf(w, "  line %d: %s (%s): %s\n", fd.Line, fd.Rule, fd.Severity, fd.Message)
			}
			if f.Truncated {
				fmt.Fprintln(w, "  (the list of schema errors was cut at the cap)")
			}
			n := 0
			for o, err := range st.Outcomes(cmd.Context(), f.ID) {
				if err != nil {
					return exitWith(exitFailed, "%v", err)
				}
				if !all && len(o.Findings) == 0 {
					continue
				}
				if n == 0 {
					fmt.Fprintln(w, "Records:")
				}
				n++
				fmt.Fprintf(w, "  #%d line %d %s %s %s %s\n", o.Index, o.Line, o.Cert, o.Reference, o.Status, o.ConfRef)
				for _, fd := range o.Findings {
					fmt.Fprintf(w, "      %s (%s) %s: %s\n", fd.Rule, fd.Severity, fd.Field, fd.Message)
				}
			}
			return nil
		},
	}
	show.Flags().BoolVar(&all, "all", false, "list every record, not only those with findings")
	files.AddCommand(list, show)
	return files
}

func kindVersion(f *ledger.File) string {
	if f.Kind == "" {
		return "-"
	}
	return f.Kind + "-v" + f.Version
}

func stampOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
