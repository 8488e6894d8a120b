package store

import (
	"context"
	"iter"

	"bdt/bdt/ledger"
)

// LedgerReader reads the file ledger: every file received, and every
// record's outcome. It is part of Reader.
type LedgerReader interface {
	// File returns the ledger entry with id, or (nil, nil).
	File(ctx context.Context, id int64) (*ledger.File, error)

	// FileList returns the entries params selects, in id order (oldest
	// first) or newest first with params.Newest.
	FileList(ctx context.Context, params FileListParams) ([]*ledger.File, error)

	// FileDuplicate returns the earliest file of params.Licence, other than
	// params.Exclude, that was applied (ACCEPTED or PARTIALLY_ACCEPTED) and
	// has the same file id (when params.FileID is set) or the same SHA-256
	// (when params.SHA256 is set), or (nil, nil). A REJECTED file applied
	// nothing, so a corrected file may reuse its id.
	FileDuplicate(ctx context.Context, params FileDuplicateParams) (*ledger.File, error)

	// Outcomes yields the record outcomes of file fileID in index order,
	// streaming them from the database.
	Outcomes(ctx context.Context, fileID int64) iter.Seq2[ledger.Outcome, error]
}

// LedgerTx writes the file ledger inside a transaction. It is part of Tx.
type LedgerTx interface {
	// FileInsert adds an entry and sets f.ID.
	FileInsert(ctx context.Context, f *ledger.File) error
	// FileUpdate stores every field of the entry f.ID.
	FileUpdate(ctx context.Context, f *ledger.File) error
	// FileDelete removes entry id, only while its status is RECEIVED: an
	// upload whose object never reached the inbox (bdt/intake). It returns
	// ErrConflict, removing nothing, for an entry of any other status (a
	// run has claimed it) and ErrNotFound for a missing id.
	FileDelete(ctx context.Context, id int64) error
	// OutcomeInsert adds record outcomes of file fileID, in index order:
	// within the call and after those the transaction added before. An
	// outcome out of order (or repeated) is an error. Drivers keep outcomes
	// in chunks, not a row each (bdt/store/internal/sqlrow: EncodeOutcomes).
	OutcomeInsert(ctx context.Context, fileID int64, outs ...ledger.Outcome) error
}

// FileListParams selects ledger entries for LedgerReader.FileList.
type FileListParams struct {
	Licence    string            // only this sponsor folder's files; "" for all
	Key        string            // only entries for this inbox key; "" for all
	Status     ledger.FileStatus // only this status; "" for all
	Unarchived bool              // only entries whose source has not been archived
	Newest     bool              // newest first instead of oldest first
	Limit      int               // at most this many; 0 for no limit
	// After pages by id (keyset): with Newest only ids below After,
	// otherwise only ids above it; 0 from the start. The next page's After
	// is the last id of this one.
	After int64
	// User selects the files this SMS user submitted (what a Level 2 user
	// sees): Submitter == User, or, for a file that arrived by another
	// channel (Submitter ""), the header's UserID == User. "" for all.
	User string
}

// FileDuplicateParams asks LedgerReader.FileDuplicate for an earlier file.
type FileDuplicateParams struct {
	Licence string
	FileID  string // match on file id when set
	SHA256  string // match on content when set
	Exclude int64  // never this entry (the file being decided)
}
