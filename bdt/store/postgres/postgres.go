// Package postgres is the PostgreSQL driver of the register store: one
// database shared by any number of bdt replicas, through a pgx connection
// pool, migrated on first use by embedded numbered migrations.
//
// Concurrency. PostgreSQL does the locking; nothing is coordinated outside
// it. Reads outside a transaction run in a read-only REPEATABLE READ
// transaction, so a read of several tables sees one committed state.
// Read-write transactions run at READ COMMITTED, and a transaction's read of
// certificates (Tx.Certificates) locks their rows (SELECT … FOR UPDATE)
// until it ends: a second transaction that reads the same certificate waits
// for the first to end, then reads what it committed, so a decision made on
// a certificate is never made on a stale copy and no update is lost. Every
// change to a certificate's history also locks the certificate first, so two
// transactions never race for the next history entry. Waits are bounded by
// the lock timeout (Params.LockTimeout); a deadlock is broken by PostgreSQL,
// which fails one of the transactions (a file then stays pending for the
// next run).
//
// Leases (store.Leaser) live in the table lease, timed by the database's
// clock (clock_timestamp()), so replicas' clocks need not agree, unless
// Params.Clock names another.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// Store is a register store in a PostgreSQL database.
type Store struct {
	sqlrow.Snapshots // reads outside a transaction, each in a snapshot (beginRead)
	sqlrow.Accounts  // store.Accounts (accountsDB)

	pool  *pgxpool.Pool
	clock func() time.Time // times leases (Params.Clock); nil: the database's clock
}

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*tx)(nil)
)

// DefaultMaxConns is the size of the connection pool when neither
// Params.MaxConns nor the DSN's pool_max_conns says otherwise: enough for
// several workers each holding a file's transaction while their leases are
// renewed and the ledger is read beside them.
const DefaultMaxConns = 16

// DefaultLockTimeout is how long a statement waits for a row lock another
// transaction holds before it fails, like the SQLite driver's busy timeout.
const DefaultLockTimeout = 30 * time.Second

// Params configures OpenWith.
type Params struct {
	// DSN is a postgres:// URL (or a key=value connection string) as pgx
	// reads it, including pgxpool's pool_* parameters. Any other query
	// parameter is a run-time setting of the connection, such as
	// search_path=myschema to keep the register in a schema of its own.
	DSN string
	// MaxConns is the pool size; 0 means the DSN's pool_max_conns, or
	// DefaultMaxConns.
	MaxConns int32
	// LockTimeout bounds a wait for a row lock; 0 means the DSN's
	// lock_timeout, or DefaultLockTimeout.
	LockTimeout time.Duration
	// NoMigrate opens the database without migrating it: a schema older
	// than this binary's is refused with ErrSchemaTooOld instead of being
	// brought up to date. A newer one is always refused.
	NoMigrate bool
	// MustExist refuses a database (or search_path schema) that holds no
	// register yet, with ErrNoRegister, instead of creating one in it.
	MustExist bool
	// Clock times leases; nil means the database's clock, which replicas
	// share. Tests set it to let a lease run out without waiting.
	Clock func() time.Time

	tracer pgx.QueryTracer // tests count the queries sent
}

// ErrSchemaTooOld: the database lacks migrations and Params.NoMigrate
// forbids applying them (run `bdt migrate`).
var ErrSchemaTooOld = errors.New("database schema is older than this bdt; run bdt migrate")

// ErrNoRegister: Params.MustExist and the database (its current schema)
// holds no register.
var ErrNoRegister = errors.New("no bdt register in this database")

// Open opens the PostgreSQL register dsn names and applies any migrations
// it lacks. It is OpenWith with default parameters.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, Params{DSN: dsn})
}

// OpenWith connects to the database p.DSN names, checks that it answers,
// and migrates it (unless p.NoMigrate). It refuses a database whose schema
// is newer than this binary knows (store.ErrSchemaTooNew). Its errors never
// repeat the DSN, which may hold a password.
func OpenWith(ctx context.Context, p Params) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(p.DSN)
	if err != nil {
		// pgx's message quotes the DSN, redacting only what it recognises.
		return nil, errors.New("postgres: the DSN does not parse (want postgres://… or key=value pairs)")
	}
	switch {
	case p.MaxConns > 0:
		cfg.MaxConns = p.MaxConns
	case !strings.Contains(p.DSN, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns
	}
	rt := cfg.ConnConfig.RuntimeParams
	if p.LockTimeout > 0 || rt["lock_timeout"] == "" {
		lt := p.LockTimeout
		if lt <= 0 {
			lt = DefaultLockTimeout
		}
		rt["lock_timeout"] = fmt.Sprint(lt.Milliseconds())
	}
	if p.tracer != nil {
		cfg.ConnConfig.Tracer = p.tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, clock: p.Clock}
	s.Snapshots = sqlrow.NewSnapshots(s.beginRead)
	s.Accounts = sqlrow.NewAccounts(s.accountsDB())
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", where(cfg), err)
	}
	if p.MustExist {
		var exists bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if !exists {
			pool.Close()
			return nil, ErrNoRegister
		}
	}
	if _, err := s.migrate(ctx, !p.NoMigrate); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// where names the server and database of cfg for messages, without the
// user's password.
func where(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database)
}

// Close closes the pool, waiting for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Begin starts a read-write transaction (READ COMMITTED). Its reads of
// certificates lock them until it ends.
func (s *Store) Begin(ctx context.Context) (store.Tx, error) {
	t, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	return &tx{reader: reader{q: t, locked: map[string]bool{}}, tx: t, outcomes: sqlrow.OutcomeOrder{}, clock: s.clock}, nil
}

// beginRead starts a read-only REPEATABLE READ transaction
// (sqlrow.Snapshots) on a connection of its own, so that a read of several
// tables sees one committed state. A read that succeeded ends in a commit.
func (s *Store) beginRead(ctx context.Context) (store.Reader, func(bool) error, error) {
	t, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: begin read: %w", err)
	}
	end := func(commit bool) error {
		if !commit {
			t.Rollback(context.WithoutCancel(ctx)) // after a commit: pgx.ErrTxClosed
			return nil
		}
		if err := t.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: end read: %w", err)
		}
		return nil
	}
	return reader{q: t}, end, nil
}

// tx is a read-write transaction.
type tx struct {
	reader
	tx       pgx.Tx
	done     bool
	outcomes sqlrow.OutcomeOrder
	clock    func() time.Time // the store's lease clock
}

// Commit implements store.Tx.
func (t *tx) Commit(ctx context.Context) error {
	t.done = true
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Rollback implements store.Tx; it does nothing after Commit or Rollback.
func (t *tx) Rollback(ctx context.Context) error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.tx.Rollback(context.WithoutCancel(ctx)); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("postgres: rollback: %w", err)
	}
	return nil
}

// PostgreSQL error codes the driver tells apart.
const (
	codeUniqueViolation = "23505"
	codeLockTimeout     = "55P03"
)

// isCode reports whether err is a PostgreSQL error with code, and for a
// constraint violation (when constraint is not empty) on that constraint.
func isCode(err error, code, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code && (constraint == "" || pe.ConstraintName == constraint)
}
