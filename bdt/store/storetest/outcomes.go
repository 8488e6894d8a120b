package storetest

import (
	"context"
	"fmt"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// outcomesOf reads every outcome of file id from r.
func outcomesOf(t *testing.T, r store.Reader, id int64) []ledger.Outcome {
	t.Helper()
	var out []ledger.Outcome
	for o, err := range r.Outcomes(context.Background(), id) {
		if err != nil {
			t.Fatalf("Outcomes(%d): %v", id, err)
		}
		out = append(out, o)
	}
	return out
}

func testOutcomes(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := ledgerFile(uni, "a.xml"), ledgerFile(employer, "b.xml")
	put(t, s, a, b)
	// More outcomes than one statement (or chunk) of a driver carries, in
	// several calls, in index order.
	const n = 1100
	var want []ledger.Outcome
	for i := 1; i <= n; i++ {
		o := ledger.Outcome{Index: i, Line: 10 + 7*i, Reference: fmt.Sprintf("S%05d", i), Cert: fmt.Sprintf("CAS%011d", i),
			Status: ledger.RecordAccepted, ConfRef: fmt.Sprintf("BDT-ACT-%06d", i)}
		if i%3 == 0 {
			o.Status, o.ConfRef = ledger.RecordRejected, ""
			o.Findings = []ledger.Finding{
				{Rule: "R.CERT.FOUND", Severity: "error", Field: "CASNumber", Line: o.Line + 1, Path: fmt.Sprintf("/R/S[%d]/CASNumber", i), Message: "not found"},
				{Rule: "R.ACTIVITY.LATE", Severity: "warning", Line: o.Line, Message: "late: \"quoted\", <tagged> & ünïcode"},
			}
		}
		if i%5 == 0 {
			o.Reference, o.Cert = "", "" // a record too broken to name them
		}
		want = append(want, o)
	}
	inTx(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.OutcomeInsert(ctx, a.ID); err != nil { // none: nothing to do
			return err
		}
		for _, part := range [][]ledger.Outcome{want[:1], want[1:600], want[600:]} {
			if err := tx.OutcomeInsert(ctx, a.ID, part...); err != nil {
				return err
			}
		}
		// The transaction reads its own outcomes, in index order.
		same(t, "outcomes in the transaction", outcomesOf(t, tx, a.ID), want)
		return tx.OutcomeInsert(ctx, b.ID, ledger.Outcome{Index: 1, Line: 3, Status: ledger.RecordRejected,
			Findings: []ledger.Finding{{Rule: "R.X", Severity: "error", Message: "only one"}}})
	})
	eachReader(t, s, func(name string, r store.Reader) {
		same(t, name+": outcomes of a", outcomesOf(t, r, a.ID), want)
		same(t, name+": outcomes of b", outcomesOf(t, r, b.ID), []ledger.Outcome{{Index: 1, Line: 3, Status: ledger.RecordRejected,
			Findings: []ledger.Finding{{Rule: "R.X", Severity: "error", Message: "only one"}}}})
		if got := outcomesOf(t, r, b.ID+1000); len(got) != 0 {
			t.Errorf("%s: outcomes of an absent file: %d", name, len(got))
		}
	})

	// Streaming: the caller may stop early, and may use the store while it
	// iterates; stopping releases what the iteration held (Close, at the end
	// of the test, would wait for it otherwise).
	for range 3 {
		k := 0
		for o, err := range s.Outcomes(ctx, a.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if o.Index != want[k].Index {
				t.Fatalf("outcome %d has index %d", k, o.Index)
			}
			if k == 2 {
				f, err := s.File(ctx, b.ID)
				if err != nil || f == nil {
					t.Fatalf("File during an iteration = %v, %v", f, err)
				}
			}
			if k++; k == 5 {
				break
			}
		}
	}
	// Outcomes out of index order are refused, within a call or across
	// calls, and leave nothing behind.
	c := ledgerFile(uni, "c.xml")
	put(t, s, c)
	for name, calls := range map[string][][]ledger.Outcome{
		"within a call":     {{want[1], want[0]}},
		"across calls":      {{want[5], want[6]}, {want[2]}},
		"an index repeated": {{want[0]}, {want[0]}},
	} {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for _, call := range calls {
			if last = tx.OutcomeInsert(ctx, c.ID, call...); last != nil {
				break
			}
		}
		tx.Rollback(ctx)
		if last == nil {
			t.Errorf("outcomes %s: accepted", name)
		}
	}
	if got := outcomesOf(t, s, c.ID); len(got) != 0 {
		t.Errorf("refused outcomes left %d behind", len(got))
	}

	// A cancelled context ends the iteration with an error.
	cctx, cancel := context.WithCancel(ctx)
	k := 0
	var iterErr error
	for _, err := range s.Outcomes(cctx, a.ID) {
		if err != nil {
			iterErr = err
			break
		}
		if k++; k == 1 {
			cancel()
		}
	}
	if iterErr == nil && k == n {
		t.Log("the driver had read every outcome before the cancellation") // allowed: a small file fits one read
	}
	cancel()
	inTx(t, s, func(ctx context.Context, tx store.Tx) error { return nil }) // the store still works
}
