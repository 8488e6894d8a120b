// Package ledger defines what the file ledger records: every file received,
// what became of it, and every record's outcome with its findings. The
// ledger lives in the register database (see bdt/store), written in the same
// transaction as the register changes of the file, so that a file is applied
// exactly once and its reports can always be rewritten from it.
package ledger

import (
	"time"

	"bdt/rules"
)

// FileStatus is what became of a file: its status in the ledger.
type FileStatus string

// File statuses.
const (
	// Received is an upload the portal or the API stored in the inbox (see
	// bdt/intake), not yet claimed by a run.
	Received          FileStatus = "RECEIVED"
	Processing        FileStatus = "PROCESSING" // claimed; its transaction has not committed
	Accepted          FileStatus = "ACCEPTED"
	PartiallyAccepted FileStatus = "PARTIALLY_ACCEPTED"
	Rejected          FileStatus = "REJECTED"
	Duplicate         FileStatus = "DUPLICATE"
)

// RecordStatus is what became of one record.
type RecordStatus string

// Record statuses.
const (
	RecordAccepted RecordStatus = "ACCEPTED"
	RecordRejected RecordStatus = "REJECTED"
)

// File is one file received, as the ledger holds it.
type File struct {
	ID      int64
	Licence string // the sponsor folder of the inbox it arrived in
	Key     string // inbox key, "LICENCE/NAME.xml"
	Name    string // NAME.xml
	SHA256  string // lower-case hex; "" until read
	Size    int64

	// Submitter is the signed-in SMS user who uploaded the file through the
	// portal or the API; "" for a file that arrived by another channel. When
	// set, the file must name this user in its header (F.USER).
	Submitter string
	// ClientName is the file name the client gave with an upload, kept as
	// data only: never a path or a key. "" when none.
	ClientName string

	Kind          string // "" when not told
	Version       string
	FileID        string // header file id
	HeaderLicence string // the licence the header names
	UserID        string // the submitting SMS user the header names
	CreatedAt     string // the header's creation timestamp, as written

	Status      FileStatus
	DuplicateOf int64 // the earlier file a DUPLICATE repeats; 0 otherwise

	Declared int // -1 when unknown
	Read     int
	Accepted int
	Rejected int
	Warnings int

	FileFindings []Finding // F rules, including every schema error (capped)
	Truncated    bool      // the cap cut FileFindings

	ProcessedAt time.Time // the processing clock the rules used (--now)
	ReceivedAt  time.Time // wall clock, for operators; never in reports
	StartedAt   time.Time
	FinishedAt  time.Time

	ReportsWritten bool // the three reports are in the outbox
	Archived       bool // the source has left the inbox
}

// Done reports whether the file's processing has committed: false for an
// upload not yet claimed (Received) and a file being processed.
func (f *File) Done() bool { return f.Status != Received && f.Status != Processing && f.Status != "" }

// Outcome is what became of one record.
type Outcome struct {
	Index     int // 1-based position in the file
	Line      int
	Reference string // the sponsor's own reference
	Cert      string
	Status    RecordStatus
	ConfRef   string // confirmation reference when accepted
	Findings  []Finding
}

// FindingLine returns the line of the record's finding f: its own, or the
// record's when it has none (0).
func (o *Outcome) FindingLine(f Finding) int {
	if f.Line == 0 {
		return o.Line
	}
	return f.Line
}

// Finding is one rule's verdict with its place in the uploaded file.
type Finding = rules.Finding
