package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// LeaseAcquire implements store.Leaser. SQLite has no clock of its own
// shared by processes other than the machine's, which every process on one
// file shares: leases are timed by it (or by Params.Clock).
func (s *Store) LeaseAcquire(ctx context.Context, p store.LeaseParams) (bool, error) {
	now := s.clock()
	res, err := s.wdb.ExecContext(ctx, `INSERT INTO lease (name, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE lease.owner = excluded.owner OR lease.expires_at < ? OR lease.owner = ?`,
		p.Name, p.Owner, sqlrow.FormatTime(now.Add(p.TTL)), sqlrow.FormatTime(now), sqlrow.NullString(p.Replace)) // NULL matches no owner
	if err != nil {
		return false, fmt.Errorf("sqlite: lease %s: %w", p.Name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LeaseRelease implements store.Leaser.
func (s *Store) LeaseRelease(ctx context.Context, name, owner string) error {
	if _, err := s.wdb.ExecContext(ctx, `DELETE FROM lease WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return fmt.Errorf("sqlite: release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHeld implements store.LeaseChecker. The transaction holds SQLite's
// write lock from its start, and taking a lease over is a write, so while
// it is open no other process can take the lease: a lease that still names
// owner is held, even if it ran out during the transaction (its renewals,
// writes too, wait for this very lock). Before the transaction, a takeover
// would have changed the owner.
func (t *tx) LeaseHeld(ctx context.Context, name, owner string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM lease WHERE name = ? AND owner = ?`, name, owner).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: lease %s: %w", name, err)
	}
	return n == 1, nil
}

// LeaseOwner implements store.Leaser.
func (s *Store) LeaseOwner(ctx context.Context, name string) (string, error) {
	var owner string
	err := s.rdb.QueryRowContext(ctx, `SELECT owner FROM lease WHERE name = ?`, name).Scan(&owner)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: lease %s: %w", name, err)
	}
	return owner, nil
}
