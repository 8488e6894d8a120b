package store

import (
	"context"
	"time"
)

// Leaser hands out leases: named, time-limited claims that let several bdt
// processes (replicas on many machines, or two runs on one SQLite file)
// share one inbox without processing a file twice. The runner leases each
// sponsor's queue ("sponsor:<licence>"), so one sponsor's files are
// processed in order by one process at a time; a crashed holder's lease
// expires and another process takes the queue over.
//
// Lease times are the database's clock where it has one (PostgreSQL), so
// replicas' clocks need not agree, and the machine's otherwise (SQLite). A
// driver's parameters may name a clock to use instead (Clock, a func()
// time.Time), so that tests let a lease run out without waiting for it.
type Leaser interface {
	// LeaseAcquire takes the lease params.Name for params.Owner for
	// params.TTL, or renews it when params.Owner already holds it. It
	// reports false, without error, when another owner holds it unexpired.
	LeaseAcquire(ctx context.Context, params LeaseParams) (bool, error)

	// LeaseRelease gives the lease up if owner holds it.
	LeaseRelease(ctx context.Context, name, owner string) error

	// LeaseOwner returns the current holder of the lease name (expired or
	// not), or "" when there is none.
	LeaseOwner(ctx context.Context, name string) (string, error)
}

// LeaseChecker is part of Tx: fencing for the transaction that commits a
// file's work.
type LeaseChecker interface {
	// LeaseHeld reports whether owner still holds the lease name, and keeps
	// it from changing hands until the transaction ends, so that a process
	// whose lease ran out never commits work another process has taken
	// over. PostgreSQL checks the expiry too and locks the lease's row;
	// SQLite's write transaction already excludes any takeover, so there a
	// lease that still names owner is held.
	LeaseHeld(ctx context.Context, name, owner string) (bool, error)
}

// LeaseParams asks Leaser.LeaseAcquire for a lease.
type LeaseParams struct {
	Name  string
	Owner string
	TTL   time.Duration
	// Replace, when set, also takes the lease from this holder even if its
	// lease has not expired: the caller has proved that holder dead (a
	// process of this host that no longer exists).
	Replace string
}
