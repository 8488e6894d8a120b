package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"bdt/bdt/store"
)

// testLeases runs the cases of store.Leaser and store.LeaseChecker, each on
// a fresh store; the expiry case's leases are timed by a Clock it moves on.
func testLeases(t *testing.T, fresh func(*testing.T) store.Store, clocked func(*testing.T) (store.Store, *Clock)) {
	t.Run("Acquire", func(t *testing.T) { testLeaseAcquire(t, fresh(t)) })
	t.Run("Expiry", func(t *testing.T) { s, clock := clocked(t); testLeaseExpiry(t, s, clock) })
	t.Run("Replace", func(t *testing.T) { testLeaseReplace(t, fresh(t)) })
	t.Run("Fencing", func(t *testing.T) { testLeaseFencing(t, fresh(t)) })
}

const (
	leaseA = "sponsor:" + uni
	leaseB = "sponsor:" + employer
	ownerA = "host-a/101/aaaa"
	ownerB = "host-b/202/bbbb"
)

func acquire(t *testing.T, s store.Store, name, owner string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := s.LeaseAcquire(context.Background(), store.LeaseParams{Name: name, Owner: owner, TTL: ttl})
	if err != nil {
		t.Fatalf("LeaseAcquire(%s, %s): %v", name, owner, err)
	}
	if got != want {
		t.Errorf("LeaseAcquire(%s, %s) = %v; want %v", name, owner, got, want)
	}
}

func owner(t *testing.T, s store.Store, name, want string) {
	t.Helper()
	got, err := s.LeaseOwner(context.Background(), name)
	if err != nil {
		t.Fatalf("LeaseOwner(%s): %v", name, err)
	}
	if got != want {
		t.Errorf("LeaseOwner(%s) = %q; want %q", name, got, want)
	}
}

// held checks LeaseHeld in a transaction of its own.
func held(t *testing.T, s store.Store, name, owner string, want bool) {
	t.Helper()
	if got := isHeld(t, s, name, owner); got != want {
		t.Errorf("LeaseHeld(%s, %s) = %v; want %v", name, owner, got, want)
	}
}

func isHeld(t *testing.T, s store.Store, name, owner string) bool {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	got, err := tx.LeaseHeld(ctx, name, owner)
	if err != nil {
		t.Fatalf("LeaseHeld(%s, %s): %v", name, owner, err)
	}
	return got
}

func testLeaseAcquire(t *testing.T, s store.Store) {
	ctx := context.Background()
	owner(t, s, leaseA, "")
	held(t, s, leaseA, ownerA, false) // no lease at all

	acquire(t, s, leaseA, ownerA, time.Hour, true)
	owner(t, s, leaseA, ownerA)
	held(t, s, leaseA, ownerA, true)
	held(t, s, leaseA, ownerB, false)

	// Another owner is refused while it lasts, and changes nothing.
	acquire(t, s, leaseA, ownerB, time.Hour, false)
	owner(t, s, leaseA, ownerA)
	held(t, s, leaseA, ownerA, true)
	held(t, s, leaseA, ownerB, false)

	// The holder renews it, as often as it likes.
	acquire(t, s, leaseA, ownerA, time.Hour, true)
	acquire(t, s, leaseA, ownerA, 2*time.Hour, true)
	owner(t, s, leaseA, ownerA)

	// Leases are independent of each other.
	acquire(t, s, leaseB, ownerB, time.Hour, true)
	owner(t, s, leaseB, ownerB)
	held(t, s, leaseB, ownerB, true)
	held(t, s, leaseA, ownerA, true)
	held(t, s, leaseB, ownerA, false)

	// Release by someone else does nothing.
	if err := s.LeaseRelease(ctx, leaseA, ownerB); err != nil {
		t.Fatal(err)
	}
	owner(t, s, leaseA, ownerA)
	held(t, s, leaseA, ownerA, true)

	// Release by the holder frees it for anyone.
	if err := s.LeaseRelease(ctx, leaseA, ownerA); err != nil {
		t.Fatal(err)
	}
	owner(t, s, leaseA, "")
	held(t, s, leaseA, ownerA, false)
	owner(t, s, leaseB, ownerB) // the other lease is untouched
	acquire(t, s, leaseA, ownerB, time.Hour, true)
	owner(t, s, leaseA, ownerB)
	held(t, s, leaseA, ownerB, true)
	held(t, s, leaseA, ownerA, false)

	// Releasing a lease that is not there is no error.
	if err := s.LeaseRelease(ctx, "sponsor:ZZZZZZZZZ", ownerA); err != nil {
		t.Errorf("LeaseRelease(absent) = %v", err)
	}
}

func testLeaseExpiry(t *testing.T, s store.Store, clock *Clock) {
	// A holder that stops renewing (a crashed process): its lease runs out
	// and another takes it over; the old holder no longer holds it, and
	// cannot renew it back from the new one.
	acquire(t, s, leaseA, ownerA, time.Hour, true)
	acquire(t, s, leaseA, ownerA, time.Minute, true) // the last renewal before the crash
	acquire(t, s, leaseB, ownerA, time.Hour, true)   // a lease that does not run out
	// Another owner is refused until the lease runs out.
	clock.Advance(30 * time.Second)
	acquire(t, s, leaseA, ownerB, time.Hour, false)
	// Whether an expired lease that still names its holder counts as held
	// is the driver's (see LeaseChecker); once another owner takes it, it
	// is not.
	clock.Advance(time.Minute)
	held(t, s, leaseB, ownerA, true)
	owner(t, s, leaseA, ownerA) // expired, but still on record until taken over
	acquire(t, s, leaseA, ownerB, time.Hour, true)
	owner(t, s, leaseA, ownerB)
	held(t, s, leaseA, ownerB, true)
	held(t, s, leaseA, ownerA, false)
	acquire(t, s, leaseA, ownerA, time.Hour, false)
	acquire(t, s, leaseB, ownerB, time.Hour, false)

	// The holder itself may take an expired lease back.
	acquire(t, s, "sponsor:S7KQ2LMX4", ownerA, time.Minute, true)
	clock.Advance(2 * time.Minute)
	acquire(t, s, "sponsor:S7KQ2LMX4", ownerA, time.Hour, true)
	held(t, s, "sponsor:S7KQ2LMX4", ownerA, true)
}

func testLeaseReplace(t *testing.T, s store.Store) {
	ctx := context.Background()
	acquire(t, s, leaseA, ownerA, time.Hour, true)
	try := func(p store.LeaseParams, want bool) {
		t.Helper()
		got, err := s.LeaseAcquire(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("LeaseAcquire(%+v) = %v; want %v", p, got, want)
		}
	}
	// Replace names a holder the caller has proved dead: only that one.
	try(store.LeaseParams{Name: leaseA, Owner: ownerB, TTL: time.Hour, Replace: "host-a/999/dead"}, false)
	owner(t, s, leaseA, ownerA)
	try(store.LeaseParams{Name: leaseA, Owner: ownerB, TTL: time.Hour, Replace: ownerA}, true)
	owner(t, s, leaseA, ownerB)
	held(t, s, leaseA, ownerB, true)
	held(t, s, leaseA, ownerA, false)
	// A free lease is taken whatever Replace says.
	try(store.LeaseParams{Name: leaseB, Owner: ownerA, TTL: time.Hour, Replace: "someone"}, true)
	owner(t, s, leaseB, ownerA)
}

// testLeaseFencing: a transaction that found its lease held keeps it from
// changing hands until it ends. Another process taking the lease over (here
// with Replace, as if the holder had been proved dead) waits for the
// transaction.
func testLeaseFencing(t *testing.T, s store.Store) {
	ctx := context.Background()
	acquire(t, s, leaseA, ownerA, time.Hour, true)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	ok, err := tx.LeaseHeld(ctx, leaseA, ownerA)
	if err != nil || !ok {
		t.Fatalf("LeaseHeld = %v, %v; want true", ok, err)
	}
	var ended atomic.Bool
	type result struct {
		ok         bool
		err        error
		afterEnded bool
	}
	done := make(chan result, 1)
	go func() {
		ok, err := s.LeaseAcquire(ctx, store.LeaseParams{Name: leaseA, Owner: ownerB, TTL: time.Hour, Replace: ownerA})
		done <- result{ok, err, ended.Load()}
	}()
	// Give the takeover time to reach the database and wait there.
	time.Sleep(300 * time.Millisecond)
	ended.Store(true)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("takeover: %v", r.err)
	}
	if !r.ok {
		t.Error("takeover refused after the transaction ended")
	}
	if !r.afterEnded {
		t.Error("the lease changed hands while a transaction that checked it was open")
	}
	owner(t, s, leaseA, ownerB)
}
