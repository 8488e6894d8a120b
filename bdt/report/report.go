// Package report writes the three reports of a processed file: the result
// report (NAME.result.xml, valid against schema/xsd/result-v1.xsd) that a
// sponsor's system reads back, the error report (NAME.errors.csv) with one
// row per problem, and a self-contained summary page (NAME.summary.html) for a
// person.
//
// Reports are deterministic: they hold no wall-clock time (only the
// processing time the run was given), no random ids, and records in file order.
package report

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"bdt/bdt/ledger"
)

// File statuses.
const (
	Accepted          = ledger.Accepted
	PartiallyAccepted = ledger.PartiallyAccepted
	Rejected          = ledger.Rejected
	Duplicate         = ledger.Duplicate
)

// File is everything a report says about one processed file. Records are
// streamed (they come from the ledger), so a file of a million records is
// never held in memory.
type File struct {
	Name        string // as uploaded, e.g. fees-2026-11.xml
	Licence     string // the sponsor folder it arrived in
	Kind        string // "" when it could not be told
	Version     string
	FileID      string
	SHA256      string
	Size        int64
	ProcessedAt time.Time
	DryRun      bool
	Status      ledger.FileStatus
	DuplicateOf *Earlier
	Counts      Counts
	// FileFindings are the findings on the whole file (F rules).
	FileFindings []Finding
	// Truncated is set when the schema error cap cut FileFindings.
	Truncated bool
	// Records yields the record outcomes in file order; nil when none were decided.
	Records iter.Seq2[Record, error]
}

// Earlier names the file a duplicate repeats.
type Earlier struct {
	Name        string
	FileID      string
	Status      ledger.FileStatus
	ProcessedAt time.Time
}

// Counts are the record counts of a file. Declared is -1 when unknown.
type Counts struct {
	Declared, Read, Accepted, Rejected, Warnings int
}

// Record is the outcome of one record (the ledger's).
type Record = ledger.Outcome

// Finding is one rule's verdict with its place in the uploaded file (the ledger's).
type Finding = ledger.Finding

// Names returns the outbox keys of the three reports of the file at inbox
// key "LICENCE/NAME.xml": "LICENCE/NAME.result.xml", "LICENCE/NAME.errors.csv"
// and "LICENCE/NAME.summary.html".
func Names(key string) (result, errors, summary string) {
	base := key
	if n := len(base); n > 4 && (base[n-4:] == ".xml" || base[n-4:] == ".XML") {
		base = base[:n-4]
	}
	return base + ".result.xml", base + ".errors.csv", base + ".summary.html"
}

// MaxFindings caps the findings the machine reports of one file list: the
// result report and the error report list the first MaxFindings findings
// (file findings first, then the records' in file order) and say how much
// they leave out, so that a report stays about the size of the upload
// (issue 17: a 15 MB file gave 48 MB of result report and 16 MB of CSV).
// Every record is still listed in the result report, with its status. The
// summary page counts every finding by rule and lists the first
// MaxHTMLProblems.
const MaxFindings = 10000

// findingCap counts the findings a report lists against MaxFindings.
type findingCap struct {
	listed, omitted int
	marked          bool // the result report's marker is written
}

// take counts one finding and reports whether it is listed.
func (c *findingCap) take() bool {
	if c.listed < MaxFindings {
		c.listed++
		return true
	}
	c.omitted++
	return false
}

// record returns the findings of r the result report lists: all of them
// while under the cap; then, once, those up to the cap and the first past
// it, whose message carries the marker (omittedNote; cut true); then none.
// after is how many records come after r.
func (c *findingCap) record(r *Record, after int) (fs []Finding, cut bool) {
	room := max(MaxFindings-c.listed, 0)
	if !c.marked && len(r.Findings) <= room {
		c.listed += len(r.Findings)
		return r.Findings, false
	}
	if c.marked || len(r.Findings) == 0 {
		return nil, false
	}
	c.marked = true
	c.listed += room + 1
	fs = append(slices.Clip(r.Findings[:room]), r.Findings[room])
	fs[room].Message += " " + omittedNote(max(after, 0))
	return fs, true
}

// omittedNote is the marker the result report adds to the message of the
// first finding past MaxFindings, after is how many records follow its own.
func omittedNote(after int) string {
	return fmt.Sprintf("[And more not listed: a report lists the first %d findings of a file. "+
		"The findings after this one, on this record and on the %d records after it, are left out; "+
		"those records are listed with their status only. The error report ends with how many findings are left out.]",
		MaxFindings, after)
}

// omittedRow is the message of the error report's last row when it leaves
// out n findings.
func omittedRow(n int) string {
	return fmt.Sprintf("And %d more findings not listed: a report lists the first %d findings of a file. "+
		"The summary page counts every finding by rule.", n, MaxFindings)
}
