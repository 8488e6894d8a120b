package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// LeaseAcquire implements store.Leaser in one atomic statement: the lease
// is inserted, or taken over when its owner asks again (a renewal), when it
// has expired, or when its holder is params.Replace. Times are the
// database's clock (clock_timestamp(), the time of the statement), so
// replicas' clocks need not agree, or Params.Clock's where it is set.
func (s *Store) LeaseAcquire(ctx context.Context, p store.LeaseParams) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO lease (name, owner, expires_at)
		VALUES ($1, $2, coalesce($5::timestamptz, clock_timestamp()) + $3 * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE lease.owner = excluded.owner OR lease.expires_at < coalesce($5::timestamptz, clock_timestamp()) OR lease.owner = $4`,
		p.Name, p.Owner, p.TTL.Microseconds(), sqlrow.NullString(p.Replace), leaseNow(s.clock))
	if err != nil {
		return false, fmt.Errorf("postgres: lease %s: %w", p.Name, err)
	}
	return tag.RowsAffected() == 1, nil
}

// LeaseRelease implements store.Leaser.
func (s *Store) LeaseRelease(ctx context.Context, name, owner string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM lease WHERE name = $1 AND owner = $2`, name, owner); err != nil {
		return fmt.Errorf("postgres: release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHeld implements store.LeaseChecker. It locks the lease's row
// (SELECT … FOR UPDATE) until the transaction ends, so that no other
// process can take the lease over before this transaction has committed;
// expiry is judged by the clock at the time of the check, not at the start
// of the transaction (now()), which may be long before.
func (t *tx) LeaseHeld(ctx context.Context, name, owner string) (bool, error) {
	var held bool
	err := t.tx.QueryRow(ctx, `SELECT owner = $2 AND expires_at >= coalesce($3::timestamptz, clock_timestamp()) FROM lease WHERE name = $1 FOR UPDATE`,
		name, owner, leaseNow(t.clock)).Scan(&held)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: lease %s: %w", name, err)
	}
	return held, nil
}

// leaseNow is the time a lease statement judges by, as its argument: the
// clock's, or NULL, which the statement reads as clock_timestamp(), when
// there is none.
func leaseNow(clock func() time.Time) any {
	if clock == nil {
		return nil
	}
	return clock()
}

// LeaseOwner implements store.Leaser.
func (s *Store) LeaseOwner(ctx context.Context, name string) (string, error) {
	var owner string
	err := s.pool.QueryRow(ctx, `SELECT owner FROM lease WHERE name = $1`, name).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: lease %s: %w", name, err)
	}
	return owner, nil
}
