package sqlite_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"bdt/rules"
)

// Appending to the histories of certificates a transaction has read (whose
// last seq it remembers) and of ones it has not (looked up) gives the same
// histories, in order, across transactions.
func TestHistoriesAppendInOrder(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	fixture(t, s)
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
		if err := tx.Commit(); err != nil {
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
	fixture(t, s)
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
	if err := tx.Commit(); err != nil {
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
