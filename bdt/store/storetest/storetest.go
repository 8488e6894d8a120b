// Package storetest is the conformance suite of the register store: every
// driver of bdt/bdt/store runs Run against itself, so that they all behave
// the same to the processor.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"bdt/bdt/register"
	"bdt/bdt/store"
)

// Run runs the conformance suite. open returns a new, empty store for each
// subtest (a fresh database) whose leases are timed by clock (the driver's
// Clock parameter), or by the store's own clock when clock is nil: the
// lease cases move a Clock on instead of waiting for a lease to run out.
// The suite closes the store.
func Run(t *testing.T, open func(t *testing.T, clock func() time.Time) store.Store) {
	fresh := func(t *testing.T) store.Store {
		t.Helper()
		return closed(t, open(t, nil))
	}
	loaded := func(t *testing.T) store.Store {
		t.Helper()
		s := fresh(t)
		load(t, s, Fixture())
		return s
	}
	clocked := func(t *testing.T) (store.Store, *Clock) { // for the lease cases
		t.Helper()
		c := &Clock{}
		return closed(t, open(t, c.Now)), c
	}
	t.Run("Missing", func(t *testing.T) { testMissing(t, loaded(t)) })
	t.Run("ReadBack", func(t *testing.T) { testReadBack(t, loaded(t)) })
	t.Run("InsertRefused", func(t *testing.T) { testInsertRefused(t, loaded) })
	t.Run("Apply", func(t *testing.T) { testApply(t, loaded) })
	t.Run("ApplyRefused", func(t *testing.T) { testApplyRefused(t, loaded) })
	t.Run("AppendOnly", func(t *testing.T) { testAppendOnly(t, loaded(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, loaded(t)) })
	t.Run("Isolation", func(t *testing.T) { testIsolation(t, loaded(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, fresh(t)) })
	t.Run("Order", func(t *testing.T) { testOrder(t, fresh(t)) })
	t.Run("ManyCertificates", func(t *testing.T) { testMany(t, fresh(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, loaded(t)) })
	t.Run("SearchPaging", func(t *testing.T) { testSearchPaging(t, fresh(t)) })
	t.Run("Changes", func(t *testing.T) { testChanges(t, loaded(t)) })
	t.Run("ChangesMany", func(t *testing.T) { testChangesMany(t, fresh(t)) })
	t.Run("ApplyRuns", func(t *testing.T) { testApplyRuns(t, fresh) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, fresh) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, fresh, clocked) })
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, loaded) })
}

// closed has the test close s when it ends.
func closed(t *testing.T, s store.Store) store.Store {
	t.Helper()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// Clock is a store's lease clock in tests: the machine's time, moved on by
// Advance, so that a test lets a lease run out without waiting for it.
type Clock struct {
	ahead atomic.Int64 // nanoseconds added to the machine's time
}

// Now is the machine's time plus everything Advance added.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// load imports f in one transaction and commits.
func load(t *testing.T, s store.Store, f *register.Fixture) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer tx.Rollback(ctx)
	if err := f.Import(ctx, tx); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// export reads the whole register r holds.
func export(t *testing.T, r store.Reader) *register.Fixture {
	t.Helper()
	f, err := register.Export(context.Background(), r)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return f
}

// same fails t when got and want differ, showing both as JSON.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// readers returns the store and an open transaction on it, so that a test
// of reads checks both; the transaction is rolled back at the end of t.
func readers(t *testing.T, s store.Store) map[string]store.Reader {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	return map[string]store.Reader{"Store": s, "Tx": tx}
}
