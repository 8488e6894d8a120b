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
	"iter"
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
