package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"bdt/bdt/store"
	"bdt/bdt/store/storetest"
	"bdt/rules"
)

type storeT = store.Store

// Appending to the histories of certificates a transaction has read (whose
// last seq it remembers) and of ones it has not (looked up) gives the same
// histories, in order, across transactions.
func TestHistoriesAppendInOrder(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	storetest.LoadFixture(t, s)
	ctx := context.Background()
	const cas = "CAS26000000001" // USED, with status, fee and activity histories
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	paid := rules.Money(1000000)
	before, err := s.Certificates(ctx, cas)
	if err != nil {
		t.Fatal(err)
	}
	b := before[cas]
	changes := func(round int) []rules.Change {
		ref := fmt.Sprintf("BDT-SEQ-%d", round)
		return []rules.Change{
			rules.SetFees{Cert: cas, Change: rules.FeeChange{At: at, By: "uni.admin", Ref: ref, After: rules.Fees{CourseFeesPaid: &paid}}},
			rules.AddReport{Cert: cas, Report: rules.ActivityReport{Ref: ref, Type: rules.StudentAbsent, Details: "x", ReportedAt: at, ReportedBy: "uni.admin"}},
			rules.SetStatus{Cert: cas, Change: rules.StatusChange{Status: rules.StatusUsed, At: at, Reason: ref}},
		}
	}
	round := 0
	for _, read := range []bool{false, true, true, false} {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if read {
			if _, err := tx.Certificates(ctx, cas); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < 2; k++ { // twice in one transaction
			round++
			if err := tx.Apply(ctx, changes(round)...); err != nil {
				t.Fatalf("round %d (read first: %v): %v", round, read, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after, err := s.Certificates(ctx, cas)
	if err != nil {
		t.Fatal(err)
	}
	a := after[cas]
	if len(a.FeeHistory) != len(b.FeeHistory)+round || len(a.Activity) != len(b.Activity)+round ||
		len(a.StatusHistory) != len(b.StatusHistory)+round {
		t.Fatalf("histories grew from %d/%d/%d to %d/%d/%d; want +%d each", len(b.FeeHistory), len(b.Activity),
			len(b.StatusHistory), len(a.FeeHistory), len(a.Activity), len(a.StatusHistory), round)
	}
	for i := 1; i <= round; i++ {
		ref := fmt.Sprintf("BDT-SEQ-%d", i)
		if got := a.FeeHistory[len(b.FeeHistory)+i-1].Ref; got != ref {
			t.Errorf("fee change %d is %s; want %s", i, got, ref)
		}
		if got := a.Activity[len(b.Activity)+i-1].Ref; got != ref {
			t.Errorf("report %d is %s; want %s", i, got, ref)
		}
		if got := a.StatusHistory[len(b.StatusHistory)+i-1].Reason; got != ref {
			t.Errorf("status change %d is %s; want %s", i, got, ref)
		}
	}
}

// Histories come back exactly as written, whatever their text holds (they
// are read as JSON built by SQLite).
func TestHistoryTextRoundTrip(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	storetest.LoadFixture(t, s)
	ctx := context.Background()
	const cas = "CAS26000000001"
	at := time.Date(2026, 11, 23, 2, 0, 0, 123456789, time.UTC)
	odd := "quote \" backslash \\ newline \n tab \t nul \x00 bell \x07 é ☃ 𝄞 </x> & ]],[["
	rep := rules.ActivityReport{Ref: "BDT-ODD-1", Type: rules.StudentSponsorshipWithdrawn, EventDate: rules.UKDate(at),
		Details: odd, ReportedAt: at, ReportedBy: "uni.admin", Source: odd, SponsorReference: odd, NewEmployer: odd,
		Address: &rules.Address{Lines: []string{odd, "2"}, Town: odd, Postcode: "S1 2AB", Phone: "", Email: odd}, Late: true}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Apply(ctx, rules.AddReport{Cert: cas, Report: rep},
		rules.SetStatus{Cert: cas, Change: rules.StatusChange{Status: rules.StatusUsed, At: at, By: "uni.admin", Reason: odd}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Certificates(ctx, cas)
	if err != nil {
		t.Fatal(err)
	}
	c := got[cas]
	last := c.Activity[len(c.Activity)-1]
	if !reflect.DeepEqual(last, rep) {
		t.Errorf("report read back\n got %#v\nwant %#v", last, rep)
	}
	if sc := c.StatusHistory[len(c.StatusHistory)-1]; sc.Reason != odd || !sc.At.Equal(at) {
		t.Errorf("status change read back: %#v", sc)
	}
}

// Runs of fee changes and reports on many certificates (applied in
// multi-row statements) give the same register as one change at a time,
// and fail the same way.
func TestApplyRuns(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	const n = 90 // a run of 64, of 16, of 4, and 6 one at a time
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("CAS27%09d", i)
	}
	setup := func(t *testing.T) (storeT, []rules.Change) {
		s := openTemp(t)
		t.Cleanup(func() { s.Close() })
		storetest.LoadFixture(t, s)
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, num := range numbers {
			c := rules.Certificate{Number: num, Kind: rules.CAS, Sponsor: "4NUV7KB58", Status: rules.StatusAssigned,
				Person:        rules.Person{FamilyName: "Run", Nationality: "NGA"},
				StatusHistory: []rules.StatusChange{{Status: rules.StatusAssigned, At: at, Reason: "x"}}}
			if err := tx.CertificateInsert(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var changes []rules.Change
		for i, num := range numbers {
			paid := rules.Money(100 * (i + 1))
			changes = append(changes, rules.SetFees{Cert: num, Change: rules.FeeChange{At: at, By: "uni.admin",
				Ref: fmt.Sprintf("BDT-F-%d", i), After: rules.Fees{CourseFeesPaid: &paid}}})
		}
		for i, num := range numbers {
			changes = append(changes, rules.AddReport{Cert: num, Report: rules.ActivityReport{Ref: fmt.Sprintf("BDT-R-%d", i),
				Type: rules.StudentAbsent, Details: "d", ReportedAt: at, ReportedBy: "uni.admin",
				Address: &rules.Address{Lines: []string{"1 Road"}, Town: "Leeds"}}})
		}
		return s, changes
	}
	apply := func(t *testing.T, s storeT, read bool, changes []rules.Change) error {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if read { // the transaction knows the seqs: runs
			if _, err := tx.Certificates(ctx, numbers...); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Apply(ctx, changes...); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	dump := func(t *testing.T, s storeT) map[string]*rules.Certificate {
		got, err := s.Certificates(ctx, numbers...)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	one, changes := setup(t)
	if err := apply(t, one, false, changes); err != nil {
		t.Fatal(err)
	}
	runs, _ := setup(t)
	if err := apply(t, runs, true, changes); err != nil {
		t.Fatal(err)
	}
	if a, b := dump(t, one), dump(t, runs); !reflect.DeepEqual(a, b) {
		t.Error("runs and single changes give different registers")
	}
	// Twice in a row: the seqs go on.
	if err := apply(t, runs, true, changes[:n]); err != nil {
		t.Fatal(err)
	}
	if c := dump(t, runs)[numbers[70]]; len(c.FeeHistory) != 2 {
		t.Errorf("%d fee changes after two runs; want 2", len(c.FeeHistory))
	}
	// A missing certificate, or a report reference taken, in a run: the
	// error of a single change.
	bad := append([]rules.Change(nil), changes[:n]...)
	bad[10] = rules.SetFees{Cert: "CAS99999999999", Change: rules.FeeChange{At: at, Ref: "x"}}
	if err := apply(t, runs, true, bad); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("run with a missing certificate: %v; want ErrNotFound", err)
	}
	if err := apply(t, runs, true, changes[n:]); !errors.Is(err, store.ErrExists) {
		t.Errorf("run of reports already made: %v; want ErrExists", err)
	}
}
