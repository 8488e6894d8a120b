package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"bdt/bdt/decode"
	"bdt/rules"
	"bdt/schema"
)

// validateDefaultMaxSize is the default --max-size of bdt validate: 100 MiB,
// the same limit bdt run applies to an uploaded file.
const validateDefaultMaxSize = 100 << 20

// validateGCPercent is the garbage collector's target while bdt validate
// runs (unless GOGC is set; see setGCTarget): validation allocates a little for every record
// and keeps next to nothing, so with bdt's default (gc.go) it collects every
// megabyte or so; at 200 it collects a third as often, for about 4 MiB more
// of peak heap, flat whatever the file's size.
const validateGCPercent = 200

// validateOptions are the flags of `bdt validate`.
type validateOptions struct {
	maxErrors    int
	maxSize      int64
	format       string
	schemaErrors schema.Scope
}

// newValidateCommand returns "validate".
func newValidateCommand() *cobra.Command {
	var o validateOptions
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check BDT files against the XSD of their kind and version",
		Long: `Validate checks each FILE on its own: the kind and schema version are
detected from the root element's namespace, then the file is read once,
streaming, and checked against that XSD (F.SCHEMA). It also checks that the
file is well-formed XML without a DOCTYPE (F.WELLFORMED), of a known kind
(F.KIND), within the size limit (F.SIZE: --max-size bytes, default 100 MiB,
0 for none; a larger file is refused without being read), and that the
header's RecordCount equals the records present (F.COUNT, checked when the
file could be read to its end). Nothing is applied to any register.

Output (stdout), text: one line per problem, nothing for a valid file:

  FILE:LINE:COL: RULE-ID: message

The rule id says what the problem rejects in bdt run: R.SCHEMA, a schema
error wholly inside one record, rejects that record alone (the file's other
records go on); every F. rule rejects the whole file. With
--schema-errors=file, as bdt run with that flag, every schema error is
F.SCHEMA.

LINE and COL are 1-based; 0 when the problem is about the whole file (F.SIZE)
or libxml2 gives no column. At most --max-errors problems are listed per
file; when there were more, a note goes to stderr.

Output, --format json: JSON Lines, one object per line. Each problem:

  {"type":"problem","file":F,"line":N,"column":N,"rule":R,"message":M,
   "path":"/FeeUpdate/CASFeeUpdate[3]/CASNumber","record":3,"rejects":"record"}

("rejects" is "record" or "file"; "path" and "record" are left out when
empty or 0), then one object per file:

  {"type":"file","file":F,"format":"feeupdate-v1","valid":false,
   "records":4,"problems":2,"truncated":false}

("format" is left out when the kind is unknown).

Exit status: 0 when every file is valid, 1 when any file is invalid, 2 on a
usage error or when a file cannot be read (the other files are still checked).`,
		Args:        cobra.MinimumNArgs(1),
		Annotations: map[string]string{gcAnnotation: strconv.Itoa(validateGCPercent)},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.maxErrors, "max-errors", schema.DefaultMaxErrors, "most problems listed per file")
	f.Int64Var(&o.maxSize, "max-size", validateDefaultMaxSize, "size limit of one file in bytes (F.SIZE); 0 for none")
	f.StringVar(&o.format, "format", "text", "text (FILE:LINE:COL: RULE-ID: message) or json (JSON Lines)")
	schemaErrorsFlag(f, &o.schemaErrors)
	return cmd
}

// validateProblem is one line of `bdt validate --format json`.
type validateProblem struct {
	Type    string       `json:"type"` // "problem"
	File    string       `json:"file"`
	Line    int          `json:"line"`
	Column  int          `json:"column"`
	Rule    rules.RuleID `json:"rule"`
	Message string       `json:"message"`
	Path    string       `json:"path,omitempty"`
	Record  int          `json:"record,omitempty"`
	Rejects string       `json:"rejects"` // "record" or "file"
}

// validateSummary is the last line per file of `bdt validate --format json`.
type validateSummary struct {
	Type      string `json:"type"` // "file"
	File      string `json:"file"`
	Format    string `json:"format,omitempty"`
	Valid     bool   `json:"valid"`
	Records   int    `json:"records"`
	Problems  int    `json:"problems"`
	Truncated bool   `json:"truncated"`
}

func runValidate(out, errw io.Writer, files []string, o validateOptions) error {
	if o.format != "text" && o.format != "json" {
		return exitWith(exitUsage, "--format must be text or json")
	}
	if o.maxErrors < 1 {
		return exitWith(exitUsage, "--max-errors must be at least 1")
	}
	if o.maxSize < 0 {
		return exitWith(exitUsage, "--max-size must not be negative")
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	invalid, failed := false, false
	for _, name := range files {
		res, err := validateFile(name, o)
		if err != nil {
			fmt.Fprintf(errw, "bdt: %s: %v\n", shownName(name), err)
			failed = true
			continue
		}
		issues := res.Issues
		if is, ok := res.CountIssue(); ok && len(issues) < o.maxErrors {
			issues = append(issues, is)
		}
		if len(issues) > 0 || res.Truncated {
			invalid = true
		}
		for _, is := range issues {
			if o.format == "json" {
				if err := enc.Encode(validateProblem{Type: "problem", File: name, Line: is.Line, Column: is.Column,
					Rule: is.Rule, Message: is.Message, Path: is.Path, Record: is.Record, Rejects: rejects(is)}); err != nil {
					return exitWith(exitUsage, "write: %v", err)
				}
				continue
			}
			if _, err := fmt.Fprintf(out, "%s:%d:%d: %s: %s\n", shownName(name), is.Line, is.Column, is.Rule, is.Message); err != nil {
				return exitWith(exitUsage, "write: %v", err)
			}
		}
		if o.format == "json" {
			if err := enc.Encode(validateSummary{Type: "file", File: name, Format: res.Format.Name,
				Valid: len(issues) == 0 && !res.Truncated, Records: res.Records, Problems: len(issues),
				Truncated: res.Truncated}); err != nil {
				return exitWith(exitUsage, "write: %v", err)
			}
		}
		if res.Truncated {
			fmt.Fprintf(errw, "bdt: %s: more than %d problems; only the first %d are listed (--max-errors)\n",
				shownName(name), o.maxErrors, len(issues))
		}
	}
	switch {
	case failed:
		return exitWith(exitUsage, "")
	case invalid:
		return exitWith(exitFailed, "")
	}
	return nil
}

// validateFile validates one file; the error is an I/O error.
func validateFile(name string, o validateOptions) (*schema.Result, error) {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	if o.maxSize > 0 && st.Size() > o.maxSize {
		// Refused before it is parsed: the validator would stop at the same
		// byte, but there is no need to read that far.
		return &schema.Result{Issues: []schema.Issue{{Finding: rules.SizeFinding(st.Size(), o.maxSize)}}}, nil
	}
	h := &decodeCheck{scope: o.schemaErrors}
	res, err := schema.Default().Validate(f, h, schema.Options{MaxErrors: o.maxErrors, MaxSize: o.maxSize,
		SchemaErrors: o.schemaErrors, Concurrent: true, Transient: true}) // records are decoded on another core, each into the same nodes
	if err != nil {
		return nil, err
	}
	if len(h.issues) > 0 {
		// In document order among the others, as bdt run reports them.
		res.Issues = append(res.Issues, h.issues...)
		sort.SliceStable(res.Issues, func(i, j int) bool { return res.Issues[i].Line < res.Issues[j].Line })
		if len(res.Issues) > o.maxErrors {
			res.Issues, res.Truncated = res.Issues[:o.maxErrors], true
		}
	}
	return res, nil
}

// decodeCheck decodes every schema-valid record as bdt run does, to report
// what the XSD lets through but bdt run cannot read (F.SCHEMA), such as an
// xs:date with a year of five digits: validate and run must agree.
type decodeCheck struct {
	format schema.Format
	scope  schema.Scope
	issues []schema.Issue
}

func (d *decodeCheck) Header(h *schema.Header) error {
	d.format = h.Format
	return nil
}

func (d *decodeCheck) Record(r *schema.Record) error {
	if d.format.Record == "" || len(r.Issues) > 0 || len(d.issues) >= 1000 {
		return nil
	}
	_, err := decode.Decode(d.format, r)
	if err == nil {
		return nil // nearly always: no errors.As, whose target would be allocated for every record
	}
	var fe *decode.FieldError
	if errors.As(err, &fe) {
		d.issues = append(d.issues, schema.Issue{Finding: fe.Finding(d.format, r, d.scope)})
	}
	return nil
}

// rejects says what a problem rejects, as --format json shows it: "record"
// for a record rule (R.SCHEMA), "file" for a file rule.
func rejects(is schema.Issue) string {
	if r, ok := rules.Lookup(is.Rule); ok && r.Scope == rules.ScopeRecord {
		return "record"
	}
	return "file"
}

// shownName is a file name as the text output shows it: as given, or
// quoted (Go syntax) when it holds a control character or a byte that is
// not UTF-8, so that a name such as "x.xml\nother.xml:1:1: F.SCHEMA: ..."
// cannot forge a line, nor a terminal escape reach the terminal.
func shownName(name string) string {
	for _, r := range name {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return strconv.Quote(name)
		}
	}
	return name
}
