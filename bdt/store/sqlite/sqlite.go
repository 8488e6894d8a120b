// Package sqlite is the SQLite driver of the register store: one database
// file, created and migrated on first use, shared safely by several bdt
// processes.
//
// The file is opened in WAL mode, so readers never block the writer nor the
// writer the readers, with foreign keys enforced. Every read-write
// transaction begins IMMEDIATE: it takes the database's write lock at Begin,
// so two transactions (in one process or two) are serialised at their start
// and never fail half-way with SQLITE_BUSY; a Begin waits up to the busy
// timeout for the lock.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// Store is a register store in one SQLite file.
type Store struct {
	sqlrow.Snapshots // reads outside a transaction, each in a snapshot (beginRead)
	sqlrow.Accounts  // store.Accounts (accountsDB)

	path string
	wdb  *sql.DB // read-write transactions: BEGIN IMMEDIATE
	rdb  *sql.DB // reads outside a transaction: deferred, query-only snapshots

	clock func() time.Time // times leases (Params.Clock)
}

var (
	_ store.Store                        = (*Store)(nil)
	_ store.CertificatesForRulesSplitter = (*tx)(nil)
	_ store.Tx                           = (*tx)(nil)
)

// DefaultBusyTimeout is how long a Begin (or a read) waits for another
// connection's lock before it fails.
const DefaultBusyTimeout = 30 * time.Second

// Params configures OpenWith.
type Params struct {
	// Path of the database file. It is created (with its -wal and -shm
	// companions) unless MustExist is set.
	Path string
	// MustExist refuses to create a database file that does not exist yet.
	MustExist bool
	// BusyTimeout is how long to wait for another connection's lock;
	// 0 means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Clock times leases; nil means the machine's clock (time.Now).
	Clock func() time.Time
}

// Open opens the SQLite register at path, creating and migrating it if
// needed. It is OpenWith with default parameters.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, Params{Path: path})
}

// OpenWith opens the SQLite register p.Path, creating it unless p.MustExist,
// and applies any migrations it lacks. It refuses a database whose schema is
// newer than this binary knows (store.ErrSchemaTooNew).
func OpenWith(ctx context.Context, p Params) (*Store, error) {
	if p.Path == "" || p.Path == ":memory:" || strings.HasPrefix(p.Path, "file::memory:") {
		return nil, fmt.Errorf("sqlite: %q: the register needs a database file", p.Path)
	}
	if p.MustExist {
		if _, err := os.Stat(p.Path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("sqlite: %s: no such database", p.Path)
			}
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	busy := p.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	// Writer connections. synchronous=FULL: in WAL mode NORMAL never
	// corrupts the database but may lose the last commits on power loss;
	// a committed file must never be lost (its result report may already
	// have gone to the sponsor), and bdt commits once per file, so the one
	// extra fsync per commit costs nothing that matters.
	wdsn := uri(p.Path, p.MustExist, map[string]string{
		"_foreign_keys":    "on",
		"_journal_mode":    "WAL",
		"_synchronous":     "FULL",
		"_busy_timeout":    fmt.Sprint(busy.Milliseconds()),
		"_txlock":          "immediate",
		"_stmt_cache_size": "64",
	})
	wdb, err := sql.Open("sqlite3", wdsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", p.Path, err)
	}
	if err := migrate(ctx, wdb, p.Path); err != nil {
		wdb.Close()
		return nil, err
	}
	// Reader connections: snapshot reads in deferred transactions, refused
	// any write. WAL mode is persistent in the file, set above.
	rdsn := uri(p.Path, true, map[string]string{
		"_busy_timeout":    fmt.Sprint(busy.Milliseconds()),
		"_query_only":      "on",
		"_txlock":          "deferred",
		"_stmt_cache_size": "64",
	})
	rdb, err := sql.Open("sqlite3", rdsn)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", p.Path, err)
	}
	clock := p.Clock
	if clock == nil {
		clock = time.Now
	}
	s := &Store{path: p.Path, wdb: wdb, rdb: rdb, clock: clock}
	s.Snapshots = sqlrow.NewSnapshots(s.beginRead)
	s.Accounts = sqlrow.NewAccounts(s.accountsDB())
	return s, nil
}

// uri returns the go-sqlite3 data source name of the file at path with the
// given connection parameters, as a file: URI so that any path works.
func uri(path string, mustExist bool, params map[string]string) string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path))
	sep := "?"
	if mustExist {
		b.WriteString("?mode=rw") // never create
		sep = "&"
	}
	// Fixed order, for a stable DSN.
	for _, k := range []string{"_foreign_keys", "_journal_mode", "_synchronous", "_busy_timeout", "_query_only", "_txlock", "_stmt_cache_size"} {
		if v, ok := params[k]; ok {
			b.WriteString(sep + k + "=" + v)
			sep = "&"
		}
	}
	return b.String()
}

// Path returns the path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the store's connections.
func (s *Store) Close() error {
	return errors.Join(s.wdb.Close(), s.rdb.Close())
}

// Begin starts a read-write transaction. It waits for the write lock (up to
// the busy timeout) while another transaction on the file is open.
func (s *Store) Begin(ctx context.Context) (store.Tx, error) {
	t, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	return &tx{reader: reader{q: t, seqs: newSeqCache()}, tx: t, outcomes: sqlrow.OutcomeOrder{}}, nil
}

// beginRead starts a read-only transaction (sqlrow.Snapshots): a deferred
// one on a query-only connection, so that a read of several tables sees one
// committed state. It ends in a rollback, whatever the read did.
func (s *Store) beginRead(ctx context.Context) (store.Reader, func(bool) error, error) {
	t, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: begin read: %w", err)
	}
	return reader{q: t}, func(bool) error { t.Rollback(); return nil }, nil
}

// tx is a read-write transaction.
type tx struct {
	reader
	tx       *sql.Tx
	outcomes sqlrow.OutcomeOrder
}

// Commit implements store.Tx. database/sql commits without a context: the
// context of Begin is the one that can end the transaction.
func (t *tx) Commit(context.Context) error {
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Rollback implements store.Tx; it does nothing after Commit or Rollback.
func (t *tx) Rollback(context.Context) error {
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("sqlite: rollback: %w", err)
	}
	return nil
}

// isConstraint reports whether err is the SQLite constraint violation code.
func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}
