// Package store defines the register store: the one interface through which
// bdt reads and changes the sponsor register (sponsors, SMS users, CAS and
// CoS with their histories), whatever database holds it.
//
// A driver implements Store (bdt/bdt/store/sqlite, bdt/bdt/store/postgres) and
// must pass the conformance suite in bdt/bdt/store/storetest. Callers open a store
// by its DSN with bdt/bdt/store/open. The two SQL drivers keep the same tables
// and share what does not depend on the database in
// bdt/bdt/store/internal/sqlrow: the ledger's rows, certificate and fee column
// values, and the snapshot reads of a Store.
//
// All the changes of one file (or of one one-at-a-time action) are made in one
// transaction: Begin, Apply the engine's changes, Commit. A transaction that
// is not committed changes nothing.
package store

import (
	"context"
	"errors"
	"iter"
	"time"

	"bdt/rules"
)

// Errors a driver returns, wrapped with the id they are about; test them with
// errors.Is.
var (
	// ErrNotFound: a change or an insert names a sponsor, user, certificate
	// or activity report that is not in the register.
	ErrNotFound = errors.New("not in the register")
	// ErrExists: an insert names a sponsor, user or certificate that is
	// already in the register. Inserts never overwrite.
	ErrExists = errors.New("already in the register")
	// ErrConflict: a change contradicts what the register holds, such as
	// marking withdrawn a report that is already withdrawn.
	ErrConflict = errors.New("conflicts with the register")
	// ErrSchemaTooNew: the database was migrated by a newer bdt than this one.
	ErrSchemaTooNew = errors.New("database schema is newer than this bdt knows")
)

// Store is the register store. Its Reader methods read the last committed
// state; Begin starts the one transaction in which a file's (or an action's)
// changes are made.
//
// A Store is safe for concurrent use. Transactions on one database, from
// this process or another, never lose an update: a transaction that reads
// certificates and then changes them decides on what the last transaction
// to change them committed. SQLite serialises whole transactions (a second
// Begin waits for the first to end); PostgreSQL locks the certificates a
// transaction reads until it ends, so transactions on different
// certificates run at once. Waits are bounded by a driver-defined timeout.
type Store interface {
	Reader
	Leaser
	Accounts

	// Begin starts a read-write transaction. The caller ends it with Commit
	// or Rollback; `defer tx.Rollback(ctx)` is safe after Commit.
	Begin(ctx context.Context) (Tx, error)

	// Close releases the store. End every transaction first.
	Close() error
}

// Reader reads the register. Absent things read as nil (or absent from a
// map) without an error; an error is always a failure of the store.
type Reader interface {
	LedgerReader

	// Sponsor returns the sponsor with licence number licence, or (nil, nil).
	Sponsor(ctx context.Context, licence string) (*rules.Sponsor, error)

	// User returns the SMS user with id, or (nil, nil).
	User(ctx context.Context, id string) (*rules.User, error)

	// Certificates returns the CAS and CoS among numbers that exist, whichever
	// sponsor they belong to, keyed by number, each with its full status,
	// fee and activity histories in the order they were made. Numbers not in
	// the register are absent from the map. The map is never nil. Drivers
	// read a set of numbers in a fixed number of queries, not one per number.
	Certificates(ctx context.Context, numbers ...string) (map[string]*rules.Certificate, error)

	// CertificatesForRules returns what Certificates returns for
	// params.Numbers less what the rules engine does not read: StatusHistory
	// and FeeHistory are nil, and Activity is nil unless params.Activity;
	// with params.Brief (and not Activity) a driver may return only each
	// certificate's rules.Brief. It is the read of the runner's hot path,
	// where the histories are most of the cost. In a Tx it locks as
	// Certificates does.
	CertificatesForRules(ctx context.Context, params CertificatesForRulesParams) (map[string]*rules.Certificate, error)

	// SponsorList returns every sponsor, ordered by licence number.
	SponsorList(ctx context.Context) ([]*rules.Sponsor, error)

	// UserList returns the users params selects, ordered by id.
	UserList(ctx context.Context, params UserListParams) ([]*rules.User, error)

	// CertificateList returns the certificates params selects, ordered by
	// number, with full histories as Certificates returns them. Use After
	// and Limit to page through a large register.
	CertificateList(ctx context.Context, params CertificateListParams) ([]*rules.Certificate, error)

	// CertificateSearch returns the certificates of params.Sponsor that
	// match every detail params gives (a search by the person's details,
	// when the sponsor does not know the number), ordered by number, with
	// full histories as Certificates returns them. Another sponsor's
	// certificates are never returned, whatever else params says; an empty
	// params.Sponsor matches nothing. Use After and Limit to page.
	CertificateSearch(ctx context.Context, params CertificateSearchParams) ([]*rules.Certificate, error)

	// CertificateChanges streams the certificates of params.Sponsor whose
	// last status change was at or after params.Since, in number order, as
	// the caller iterates: the rows are read as they are yielded, so that
	// memory stays flat however many there are. An error ends the
	// iteration. A Store reads them all in one snapshot, which ends with the
	// iteration.
	CertificateChanges(ctx context.Context, params CertificateChangesParams) iter.Seq2[CertificateChange, error]
}

// CertificatesForRulesSplitter is implemented by a Tx that can run the read
// of CertificatesForRules apart from decoding its result, so that a caller
// decodes on another goroutine while the transaction goes on with its next
// statements (on SQLite the decoding takes as long as the statement). The
// Tx takes what it needs of the read before CertificatesForRulesSplit
// returns; decode may then be called once, from any goroutine, and returns
// what CertificatesForRules would have.
type CertificatesForRulesSplitter interface {
	CertificatesForRulesSplit(ctx context.Context, params CertificatesForRulesParams) (decode func() (map[string]*rules.Certificate, error), err error)
}

// CertificatesForRulesParams selects certificates for
// Reader.CertificatesForRules.
type CertificatesForRulesParams struct {
	Numbers  []string // the numbers to read; absent ones are absent from the map
	Activity bool     // with their activity reports (rules.Op.ReadsActivity)
	Brief    bool     // only their rules.Brief is needed (rules.Op.ReadsBrief); ignored with Activity
}

// UserListParams selects users for Reader.UserList.
type UserListParams struct {
	Sponsor string // only users of this licence; "" for every sponsor
}

// CertificateListParams selects certificates for Reader.CertificateList.
type CertificateListParams struct {
	Sponsor string         // only this licence's certificates; "" for every sponsor
	Kind    rules.CertKind // only CAS or only CoS; "" for both
	After   string         // only numbers after this one (keyset paging); "" from the start
	Limit   int            // at most this many; 0 for no limit
}

// CertificateSearchParams selects certificates for Reader.CertificateSearch.
// The person's details match exactly as the certificate holds them (names
// are compared as written, case included); a detail left empty (zero)
// matches anything.
type CertificateSearchParams struct {
	Sponsor          string         // the licence searched (required; "" matches nothing)
	Kind             rules.CertKind // only CAS or only CoS; "" for both
	Owner            string         // only certificates this user owns (a Level 2 user's); "" for any
	FamilyName       string         // the person's family name
	GivenNames       string         // the person's given names
	DateOfBirth      rules.Date     // the person's date of birth
	Nationality      string         // the person's nationality (ISO 3166-1 alpha-3 or STATELESS)
	SponsorReference string         // the sponsor's own reference, as an activity report on the certificate gives it
	After            string         // only numbers after this one (keyset paging); "" from the start
	Limit            int            // at most this many; 0 for no limit
}

// CertificateChangesParams selects certificates for
// Reader.CertificateChanges.
type CertificateChangesParams struct {
	Sponsor string         // the licence exported (required; "" matches nothing)
	Kind    rules.CertKind // only CAS or only CoS; "" for both
	Owner   string         // only certificates this user owns (a Level 2 user's); "" for any
	// Since selects certificates whose last status change was at or after
	// it (the boundary included: a certificate fed back twice is harmless,
	// one missed is not). Zero selects every certificate, those without a
	// status history included.
	Since time.Time
}

// CertificateChange is one certificate Reader.CertificateChanges yields.
type CertificateChange struct {
	// Certificate is the certificate without its histories: StatusHistory,
	// FeeHistory and Activity are nil.
	Certificate *rules.Certificate
	// Changed is the instant of its last status change (the last entry of
	// its status history); zero when it has none.
	Changed time.Time
	// SponsorReference is the sponsor's own reference for the person, from
	// the latest activity report on the certificate that gives one; "" when
	// none does.
	SponsorReference string
}

// Tx is a read-write transaction on the register. Its reads see its own
// writes; other readers see none of them until Commit. A Tx is not safe for
// concurrent use.
//
// The Insert methods load a whole register (the fixture of `bdt register
// import`); they refuse ids already present with ErrExists, and references
// to sponsors or users not present with ErrNotFound. Apply makes the changes
// the rules engine decided.
type Tx interface {
	Reader
	LedgerTx
	LeaseChecker

	// SponsorInsert adds a sponsor.
	SponsorInsert(ctx context.Context, s *rules.Sponsor) error

	// UserInsert adds an SMS user of a sponsor already in the register.
	UserInsert(ctx context.Context, u *rules.User) error

	// CertificateInsert adds a CAS or CoS with its histories as given. Its
	// sponsor must be in the register, and its creator and owner, when
	// given, must be users of that sponsor.
	CertificateInsert(ctx context.Context, c *rules.Certificate) error

	// Apply makes changes in order. Every change names a certificate in the
	// register (ErrNotFound otherwise). Histories are append-only: a status
	// or fee change appends an entry, a report is appended, and a withdrawn
	// report is marked, never deleted. On error the transaction must be
	// rolled back: some of the changes may have been made.
	Apply(ctx context.Context, changes ...rules.Change) error

	// Commit makes the transaction's writes durable and visible. It runs
	// under ctx, the caller's context: cancelled, it may fail the commit,
	// and then the transaction is rolled back.
	Commit(ctx context.Context) error

	// Rollback discards the transaction's writes. It keeps ctx's values but
	// not its cancellation, so that a deferred Rollback still ends the
	// transaction after the caller's context has ended. After Commit (or a
	// previous Rollback) it does nothing and returns nil.
	Rollback(ctx context.Context) error
}
