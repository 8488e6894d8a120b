// Package storetest is the conformance suite of the register store: every
// driver of bdt/bdt/store runs Run against itself, so that they all behave
// the same to the processor.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/rules"
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

func testMissing(t *testing.T, s store.Store) {
	ctx := context.Background()
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			if got, err := r.Sponsor(ctx, "ZZZZZZZZZ"); got != nil || err != nil {
				t.Errorf("Sponsor(absent) = %v, %v; want nil, nil", got, err)
			}
			if got, err := r.User(ctx, "nobody"); got != nil || err != nil {
				t.Errorf("User(absent) = %v, %v; want nil, nil", got, err)
			}
			for _, numbers := range [][]string{nil, {"CAS99999999999"}, {"CAS99999999999", casUsed, "COS99999999999"}} {
				got, err := r.Certificates(ctx, numbers...)
				if err != nil || got == nil {
					t.Fatalf("Certificates(%v) = %v, %v; want a map, nil", numbers, got, err)
				}
				var keys, want []string
				for k := range got {
					keys = append(keys, k)
				}
				if slices.Contains(numbers, casUsed) {
					want = []string{casUsed}
				}
				if !slices.Equal(keys, want) {
					t.Errorf("Certificates(%v) has %v; want %v", numbers, keys, want)
				}
			}
			if got, err := r.UserList(ctx, store.UserListParams{Sponsor: "ZZZZZZZZZ"}); len(got) != 0 || err != nil {
				t.Errorf("UserList(absent sponsor) = %v, %v; want none", got, err)
			}
			if got, err := r.CertificateList(ctx, store.CertificateListParams{Sponsor: "ZZZZZZZZZ"}); len(got) != 0 || err != nil {
				t.Errorf("CertificateList(absent sponsor) = %v, %v; want none", got, err)
			}
		})
	}
}

func testReadBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := Fixture()
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			for i := range f.Sponsors {
				want := &f.Sponsors[i]
				got, err := r.Sponsor(ctx, want.Licence)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "Sponsor "+want.Licence, got, want)
			}
			for i := range f.Users {
				want := &f.Users[i]
				got, err := r.User(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "User "+want.ID, got, want)
			}
			var numbers []string
			want := map[string]*rules.Certificate{}
			for i := range f.Certificates {
				c := &f.Certificates[i]
				numbers = append(numbers, c.Number)
				want[c.Number] = c
				one, err := r.Certificates(ctx, c.Number)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "Certificates("+c.Number+")", one, map[string]*rules.Certificate{c.Number: c})
			}
			got, err := r.Certificates(ctx, numbers...)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "Certificates(all)", got, want)
			for _, activity := range []bool{false, true} {
				lite := map[string]*rules.Certificate{}
				for n, c := range want {
					cc := *c
					cc.StatusHistory, cc.FeeHistory = nil, nil
					if !activity {
						cc.Activity = nil
					}
					lite[n] = &cc
				}
				got, err := r.CertificatesForRules(ctx, store.CertificatesForRulesParams{
					Numbers: append(numbers, "CAS99999999999"), Activity: activity})
				if err != nil {
					t.Fatal(err)
				}
				same(t, fmt.Sprintf("CertificatesForRules(all, activity %v)", activity), got, lite)
				if sp, ok := r.(store.CertificatesForRulesSplitter); ok {
					decode, err := sp.CertificatesForRulesSplit(ctx, store.CertificatesForRulesParams{
						Numbers: append(numbers, "CAS99999999999"), Activity: activity})
					if err != nil {
						t.Fatal(err)
					}
					got, err := decode()
					if err != nil {
						t.Fatal(err)
					}
					same(t, fmt.Sprintf("CertificatesForRulesSplit(all, activity %v)", activity), got, lite)
				}
				if got, err := r.CertificatesForRules(ctx, store.CertificatesForRulesParams{}); err != nil || got == nil || len(got) != 0 {
					t.Errorf("CertificatesForRules(none) = %v, %v; want an empty map", got, err)
				}
			}
		})
	}
}

func testInsertRefused(t *testing.T, loaded func(*testing.T) store.Store) {
	f := Fixture()
	newCert := func(edit func(c *rules.Certificate)) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			c := Fixture().Certificates[1]
			c.Number = "CAS26000009999"
			edit(&c)
			return tx.CertificateInsert(ctx, &c)
		}
	}
	tests := []struct {
		name   string
		insert func(ctx context.Context, tx store.Tx) error
		want   error
	}{
		{"existing sponsor", func(ctx context.Context, tx store.Tx) error {
			s := f.Sponsors[0]
			s.Name = "Another name"
			return tx.SponsorInsert(ctx, &s)
		}, store.ErrExists},
		{"existing user", func(ctx context.Context, tx store.Tx) error {
			u := f.Users[0]
			u.Level = rules.Level2
			return tx.UserInsert(ctx, &u)
		}, store.ErrExists},
		{"user of absent sponsor", func(ctx context.Context, tx store.Tx) error {
			return tx.UserInsert(ctx, &rules.User{ID: "new.user", Sponsor: "ZZZZZZZZZ", Name: "New", Level: rules.Level1, Status: rules.UserActive})
		}, store.ErrNotFound},
		{"existing certificate", func(ctx context.Context, tx store.Tx) error {
			c := f.Certificates[0]
			c.Note = "replaced?"
			return tx.CertificateInsert(ctx, &c)
		}, store.ErrExists},
		{"certificate of absent sponsor", newCert(func(c *rules.Certificate) { c.Sponsor = "ZZZZZZZZZ"; c.CreatedBy, c.Owner = "", "" }), store.ErrNotFound},
		{"certificate owned by absent user", newCert(func(c *rules.Certificate) { c.Owner = "nobody" }), store.ErrNotFound},
		{"certificate created by absent user", newCert(func(c *rules.Certificate) { c.CreatedBy = "nobody" }), store.ErrNotFound},
		{"certificate owned by another sponsor's user", newCert(func(c *rules.Certificate) { c.Owner = empL1 }), store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := loaded(t)
			before := export(t, s)
			ctx := context.Background()
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.insert(ctx, tx)
			if !errors.Is(err, tt.want) {
				t.Errorf("insert = %v; want %v", err, tt.want)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			same(t, "register after the refused insert", export(t, s), before)
		})
	}
}

// changeTest is one change and what it does to the fixture's certificate.
type changeTest struct {
	name    string
	changes []rules.Change
	cert    string
	edit    func(c *rules.Certificate) // the expected effect on the fixture's certificate
}

func changeTests() []changeTest {
	report := rules.ActivityReport{Ref: "BDT-ACT-0200", Type: rules.StudentAbsent, EventDate: d("2026-11-04"),
		Details: "Missed three contact points.", ReportedAt: at("2026-11-05T10:00:00Z"), ReportedBy: uniL1,
		Source: "file:4NUV7KB58/SA-2026-11-05#2", SponsorReference: "S2600417", Late: true}
	withdrawal := rules.ActivityReport{Ref: "BDT-ACT-0201", Type: rules.StudentSponsorshipWithdrawn, EventDate: d("2026-11-06"),
		Address:    &rules.Address{Lines: []string{"12 Quay Road"}, Town: "Southampton"},
		ReportedAt: at("2026-11-06T10:00:00Z"), ReportedBy: uniL1}
	fees := rules.FeeChange{At: at("2026-11-05T10:00:00Z"), By: uniL1, Ref: "BDT-FEE-0002",
		Before: rules.Fees{CourseFeesFirstYear: money(21000), IncludesAccommodation: yes()},
		After:  rules.Fees{CourseFeesFirstYear: money(21000), CourseFeesPaid: money(5000), IncludesAccommodation: yes(), AccommodationFeesPaid: money(800)}}
	report2 := report
	report2.Ref = "BDT-ACT-0210"
	fees2 := rules.FeeChange{At: at("2026-11-06T10:00:00Z"), By: uniL1, Ref: "BDT-FEE-0004", Before: fees.After,
		After: rules.Fees{CourseFeesFirstYear: money(21000), CourseFeesPaid: money(9000), IncludesAccommodation: yes()}}
	status := rules.StatusChange{Status: rules.StatusWithdrawn, At: at("2026-11-05T10:00:00Z"), By: empL1, Reason: "Candidate declined the offer"}
	return []changeTest{
		{"AddReport", []rules.Change{rules.AddReport{Cert: casUsed, Report: report}}, casUsed,
			func(c *rules.Certificate) { c.Activity = append(c.Activity, report) }},
		{"AddReport with address", []rules.Change{rules.AddReport{Cert: casUsed, Report: withdrawal}}, casUsed,
			func(c *rules.Certificate) { c.Activity = append(c.Activity, withdrawal) }},
		{"MarkReportWithdrawn", []rules.Change{rules.MarkReportWithdrawn{Cert: casUsed, Ref: "BDT-ACT-0003", WithdrawnBy: "BDT-ACT-0300"}}, casUsed,
			func(c *rules.Certificate) { c.Activity[2].WithdrawnBy = "BDT-ACT-0300" }},
		{"SetFees", []rules.Change{rules.SetFees{Cert: casAssign, Change: fees}}, casAssign,
			func(c *rules.Certificate) { c.Fees = fees.After; c.FeeHistory = append(c.FeeHistory, fees) }},
		{"SetFees clears a value", []rules.Change{rules.SetFees{Cert: casUsed, Change: rules.FeeChange{At: at("2026-11-05T10:00:00Z"), Ref: "BDT-FEE-0003",
			Before: Fixture().Certificates[0].Fees, After: rules.Fees{CourseFeesPaid: money(1)}}}}, casUsed,
			func(c *rules.Certificate) {
				c.Fees = rules.Fees{CourseFeesPaid: money(1)}
				c.FeeHistory = append(c.FeeHistory, rules.FeeChange{At: at("2026-11-05T10:00:00Z"), Ref: "BDT-FEE-0003",
					Before: Fixture().Certificates[0].Fees, After: rules.Fees{CourseFeesPaid: money(1)}})
			}},
		{"SetNote", []rules.Change{rules.SetNote{Cert: cosAssign, Note: "Start date moved to January.\n"}}, cosAssign,
			func(c *rules.Certificate) { c.Note = "Start date moved to January.\n" }},
		{"SetNote empty", []rules.Change{rules.SetNote{Cert: casUsed, Note: ""}}, casUsed,
			func(c *rules.Certificate) { c.Note = "" }},
		{"SetStatus", []rules.Change{rules.SetStatus{Cert: cosAssign, Change: status}}, cosAssign,
			func(c *rules.Certificate) {
				c.Status = rules.StatusWithdrawn
				c.StatusHistory = append(c.StatusHistory, status)
			}},
		{"SetOwner", []rules.Change{rules.SetOwner{Cert: cosAssign, Owner: empL1}}, cosAssign,
			func(c *rules.Certificate) { c.Owner = empL1 }},
		{"SetOwner none", []rules.Change{rules.SetOwner{Cert: cosAssign, Owner: ""}}, cosAssign,
			func(c *rules.Certificate) { c.Owner = "" }},
		{"a run of fee changes and reports", []rules.Change{
			rules.SetFees{Cert: casUsed, Change: fees},
			rules.AddReport{Cert: casUsed, Report: report2},
			rules.SetFees{Cert: casUsed, Change: fees2},
		}, casUsed,
			func(c *rules.Certificate) {
				c.Fees = fees2.After
				c.FeeHistory = append(c.FeeHistory, fees, fees2)
				c.Activity = append(c.Activity, report2)
			}},
		{"several in order", []rules.Change{
			rules.AddReport{Cert: casUsed, Report: report},
			rules.MarkReportWithdrawn{Cert: casUsed, Ref: report.Ref, WithdrawnBy: "BDT-ACT-0201"},
			rules.AddReport{Cert: casUsed, Report: withdrawal},
			rules.SetNote{Cert: casUsed, Note: "one"},
			rules.SetNote{Cert: casUsed, Note: "two"},
		}, casUsed,
			func(c *rules.Certificate) {
				r := report
				r.WithdrawnBy = "BDT-ACT-0201"
				c.Activity = append(c.Activity, r, withdrawal)
				c.Note = "two"
			}},
	}
}

// readsBeforeApply are the reads a transaction may make of a certificate
// before it changes it (a driver may remember what it read, such as the
// last entry of each history, to append after it).
var readsBeforeApply = []struct {
	name string
	read func(ctx context.Context, tx store.Tx, number string) error
}{
	{"", func(context.Context, store.Tx, string) error { return nil }},
	{"/after Certificates", func(ctx context.Context, tx store.Tx, n string) error {
		_, err := tx.Certificates(ctx, n)
		return err
	}},
	{"/after CertificatesForRules", func(ctx context.Context, tx store.Tx, n string) error {
		_, err := tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: []string{n}})
		return err
	}},
	{"/after CertificatesForRules with activity", func(ctx context.Context, tx store.Tx, n string) error {
		_, err := tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: []string{n}, Activity: true})
		return err
	}},
	{"/after CertificatesForRulesSplit", func(ctx context.Context, tx store.Tx, n string) error {
		sp, ok := tx.(store.CertificatesForRulesSplitter)
		if !ok {
			return nil // the driver does not split its reads
		}
		decode, err := sp.CertificatesForRulesSplit(ctx, store.CertificatesForRulesParams{Numbers: []string{n}})
		if err != nil {
			return err
		}
		_, err = decode()
		return err
	}},
}

func testApply(t *testing.T, loaded func(*testing.T) store.Store) {
	ctx := context.Background()
	for _, tt := range changeTests() {
		for _, rb := range readsBeforeApply {
			t.Run(tt.name+rb.name, func(t *testing.T) {
				s := loaded(t)
				want := export(t, s)
				for i := range want.Certificates {
					if want.Certificates[i].Number == tt.cert {
						tt.edit(&want.Certificates[i])
					}
				}
				tx, err := s.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				if err := rb.read(ctx, tx, tt.cert); err != nil {
					t.Fatalf("read: %v", err)
				}
				if err := tx.Apply(ctx, tt.changes...); err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if err := tx.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				// Every other certificate, user and sponsor is as it was.
				same(t, "register after Apply", export(t, s), want)
			})
		}
	}
}

func testApplyRefused(t *testing.T, loaded func(*testing.T) store.Store) {
	const absent = "CAS99999999999"
	tests := []struct {
		name   string
		change rules.Change
		want   error
	}{
		{"AddReport absent certificate", rules.AddReport{Cert: absent, Report: rules.ActivityReport{Ref: "X", Type: rules.StudentAbsent}}, store.ErrNotFound},
		{"AddReport existing reference", rules.AddReport{Cert: casUsed, Report: rules.ActivityReport{Ref: "BDT-ACT-0001", Type: rules.StudentAbsent}}, store.ErrExists},
		{"MarkReportWithdrawn absent certificate", rules.MarkReportWithdrawn{Cert: absent, Ref: "BDT-ACT-0001", WithdrawnBy: "Y"}, store.ErrNotFound},
		{"MarkReportWithdrawn absent report", rules.MarkReportWithdrawn{Cert: casUsed, Ref: "NOPE", WithdrawnBy: "Y"}, store.ErrNotFound},
		{"MarkReportWithdrawn report of another certificate", rules.MarkReportWithdrawn{Cert: casAssign, Ref: "BDT-ACT-0003", WithdrawnBy: "Y"}, store.ErrNotFound},
		{"MarkReportWithdrawn already withdrawn", rules.MarkReportWithdrawn{Cert: casUsed, Ref: "BDT-ACT-0001", WithdrawnBy: "Y"}, store.ErrConflict},
		{"SetFees absent certificate", rules.SetFees{Cert: absent}, store.ErrNotFound},
		{"SetNote absent certificate", rules.SetNote{Cert: absent, Note: "x"}, store.ErrNotFound},
		{"SetStatus absent certificate", rules.SetStatus{Cert: absent, Change: rules.StatusChange{Status: rules.StatusUsed}}, store.ErrNotFound},
		{"SetOwner absent certificate", rules.SetOwner{Cert: absent, Owner: uniL1}, store.ErrNotFound},
		{"SetOwner absent user", rules.SetOwner{Cert: cosAssign, Owner: "nobody"}, store.ErrNotFound},
		{"SetOwner user of another sponsor", rules.SetOwner{Cert: cosAssign, Owner: uniL1}, store.ErrNotFound},
	}
	ctx := context.Background()
	fees := func(ref string) rules.Change {
		return rules.SetFees{Cert: casAssign, Change: rules.FeeChange{At: at("2026-11-05T10:00:00Z"), By: uniL1, Ref: ref,
			After: rules.Fees{CourseFeesPaid: money(100)}}}
	}
	report := rules.AddReport{Cert: casUsed, Report: rules.ActivityReport{Ref: "BDT-ACT-0900", Type: rules.StudentAbsent,
		EventDate: d("2026-11-04"), ReportedAt: at("2026-11-05T10:00:00Z"), ReportedBy: uniL1}}
	for _, tt := range tests {
		// Alone, and in a run of changes a driver may apply together
		// (after a read, which a driver may remember or lock by).
		for _, inRun := range []bool{false, true} {
			name := tt.name
			if inRun {
				name += " in a run"
			}
			t.Run(name, func(t *testing.T) {
				s := loaded(t)
				before := export(t, s)
				tx, err := s.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				// A good change first: the refusal must take it back too.
				if err := tx.Apply(ctx, rules.SetNote{Cert: casAssign, Note: "made before the refused change"}); err != nil {
					t.Fatal(err)
				}
				changes := []rules.Change{tt.change}
				if inRun {
					if _, err := tx.Certificates(ctx, casAssign, casUsed); err != nil {
						t.Fatal(err)
					}
					changes = []rules.Change{fees("F-1"), report, fees("F-2"), tt.change, fees("F-3")}
				}
				if err := tx.Apply(ctx, changes...); !errors.Is(err, tt.want) {
					t.Errorf("Apply = %v; want %v", err, tt.want)
				}
				if err := tx.Rollback(ctx); err != nil {
					t.Fatal(err)
				}
				same(t, "register after the refused change", export(t, s), before)
			})
		}
	}
}

func testAppendOnly(t *testing.T, s store.Store) {
	ctx := context.Background()
	fee1 := rules.FeeChange{At: at("2026-11-05T10:00:00Z"), Ref: "F1",
		Before: rules.Fees{CourseFeesFirstYear: money(21000), IncludesAccommodation: yes()},
		After:  rules.Fees{CourseFeesFirstYear: money(21000), CourseFeesPaid: money(100), IncludesAccommodation: yes()}}
	fee2 := rules.FeeChange{At: at("2026-11-06T10:00:00Z"), Ref: "F2", Before: fee1.After,
		After: rules.Fees{CourseFeesFirstYear: money(21000), CourseFeesPaid: money(200), IncludesAccommodation: yes()}}
	st1 := rules.StatusChange{Status: rules.StatusWithdrawn, At: at("2026-11-05T10:00:00Z"), By: uniL1}
	st2 := rules.StatusChange{Status: rules.StatusAssigned, At: at("2026-11-06T10:00:00Z"), Reason: "restored"}
	// Each step in its own transaction: history survives across commits.
	steps := [][]rules.Change{
		{rules.SetFees{Cert: casAssign, Change: fee1}, rules.SetStatus{Cert: casAssign, Change: st1}},
		{rules.SetFees{Cert: casAssign, Change: fee2}, rules.SetStatus{Cert: casAssign, Change: st2}},
		{rules.MarkReportWithdrawn{Cert: casUsed, Ref: "BDT-ACT-0003", WithdrawnBy: "BDT-ACT-0004"}},
	}
	for _, changes := range steps {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Apply(ctx, changes...); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Certificates(ctx, casAssign, casUsed)
	if err != nil {
		t.Fatal(err)
	}
	f := Fixture()
	a := got[casAssign]
	same(t, "fee history", a.FeeHistory, []rules.FeeChange{fee1, fee2})
	same(t, "fees", a.Fees, fee2.After)
	same(t, "status history", a.StatusHistory, append(f.Certificates[1].StatusHistory, st1, st2))
	if a.Status != rules.StatusAssigned {
		t.Errorf("status = %s; want the last change's, ASSIGNED", a.Status)
	}
	u := got[casUsed]
	if len(u.Activity) != 3 {
		t.Fatalf("%d reports after a withdrawal; want all 3 kept", len(u.Activity))
	}
	want := f.Certificates[0].Activity
	want[2].WithdrawnBy = "BDT-ACT-0004"
	same(t, "activity", u.Activity, want)
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := export(t, s)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) // after a failure too: an open transaction would hold up the store's cleanup
	extra := &register.Fixture{
		Sponsors: []rules.Sponsor{{Licence: "ROLLBACK1", Name: "Gone", Status: rules.LicenceARated, Nation: "SCOTLAND"}},
		Users:    []rules.User{{ID: "gone.user", Sponsor: "ROLLBACK1", Name: "Gone", Level: rules.Level1, Status: rules.UserActive}},
	}
	if err := extra.Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range changeTests() {
		if tt.name == "several in order" { // repeats the first tests' reports
			continue
		}
		if err := tx.Apply(ctx, tt.changes...); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("second Rollback = %v; want nil", err)
	}
	same(t, "register after Rollback", export(t, s), before)

	// Rollback after Commit does nothing.
	tx, err = s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Apply(ctx, rules.SetNote{Cert: casAssign, Note: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("Rollback after Commit = %v; want nil", err)
	}
	got, err := s.Certificates(ctx, casAssign)
	if err != nil {
		t.Fatal(err)
	}
	if got[casAssign].Note != "kept" {
		t.Errorf("note after Commit then Rollback = %q; want %q", got[casAssign].Note, "kept")
	}

	// Rollback under a context that has ended still ends the transaction:
	// its writes are gone and the store takes the next one.
	before = export(t, s)
	cctx, cancel := context.WithCancel(ctx)
	tx, err = s.Begin(cctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Apply(cctx, rules.SetNote{Cert: casAssign, Note: "cancelled"}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := tx.Rollback(cctx); err != nil {
		t.Errorf("Rollback after the context ended = %v; want nil", err)
	}
	same(t, "register after a Rollback under an ended context", export(t, s), before)
	load(t, s, &register.Fixture{Sponsors: []rules.Sponsor{{Licence: "ROLLBACK2", Name: "Next", Status: rules.LicenceARated, Nation: "SCOTLAND"}}})
}

func testIsolation(t *testing.T, s store.Store) {
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	newSponsor := &rules.Sponsor{Licence: "ISOLATED1", Name: "Isolated", Status: rules.LicenceARated,
		Routes: []rules.Route{rules.RouteStudent}, Nation: "ENGLAND_AND_WALES"}
	if err := tx.SponsorInsert(ctx, newSponsor); err != nil {
		t.Fatal(err)
	}
	status := rules.StatusChange{Status: rules.StatusUsed, At: at("2026-11-05T10:00:00Z")}
	if err := tx.Apply(ctx, rules.SetStatus{Cert: casAssign, Change: status}); err != nil {
		t.Fatal(err)
	}
	check := func(who string, r store.Reader, visible bool) {
		t.Helper()
		sp, err := r.Sponsor(ctx, newSponsor.Licence)
		if err != nil {
			t.Fatal(err)
		}
		if (sp != nil) != visible {
			t.Errorf("%s sees the new sponsor: %v; want %v", who, sp != nil, visible)
		}
		certs, err := r.Certificates(ctx, casAssign)
		if err != nil {
			t.Fatal(err)
		}
		c := certs[casAssign]
		if got := c.Status == rules.StatusUsed && len(c.StatusHistory) == 2; got != visible {
			t.Errorf("%s sees the status change: %v (status %s, %d entries); want %v", who, got, c.Status, len(c.StatusHistory), visible)
		}
		list, err := r.CertificateList(ctx, store.CertificateListParams{Sponsor: uni})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(list) == 2 && list[1].Status == rules.StatusUsed; got != visible {
			t.Errorf("%s lists the status change: %v; want %v", who, got, visible)
		}
	}
	check("the transaction", tx, true)
	check("another reader", s, false)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check("a reader after Commit", s, true)
}

func testRoundTrip(t *testing.T, s store.Store) {
	f := Fixture()
	// Import in reverse order of everything: export is canonical regardless.
	rev := &register.Fixture{}
	for i := len(f.Sponsors) - 1; i >= 0; i-- {
		sp := f.Sponsors[i]
		sp.Routes = slices.Clone(sp.Routes)
		slices.Reverse(sp.Routes)
		rev.Sponsors = append(rev.Sponsors, sp)
	}
	for i := len(f.Users) - 1; i >= 0; i-- {
		rev.Users = append(rev.Users, f.Users[i])
	}
	for i := len(f.Certificates) - 1; i >= 0; i-- {
		rev.Certificates = append(rev.Certificates, f.Certificates[i])
	}
	load(t, s, rev)
	same(t, "export after import", export(t, s), Fixture())
}

func testOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Sponsors, users and certificates inserted out of order.
	f := &register.Fixture{}
	for _, l := range []string{"ZZZZZZZZ1", "AAAAAAAA1", "MMMMMMMM1"} {
		f.Sponsors = append(f.Sponsors, rules.Sponsor{Licence: l, Name: "Sponsor " + l, Status: rules.LicenceARated,
			Routes: []rules.Route{rules.RouteTemporaryWorker, rules.RouteStudent, rules.RouteWorker}, Nation: "ENGLAND_AND_WALES"})
	}
	for i, id := range []string{"zed", "alf", "mia", "bob"} {
		f.Users = append(f.Users, rules.User{ID: id, Sponsor: f.Sponsors[i%3].Licence, Name: id, Level: rules.Level1, Status: rules.UserActive})
	}
	var numbers []string
	for i := 30; i > 0; i-- {
		kind, prefix := rules.CAS, "CAS"
		if i%3 == 0 {
			kind, prefix = rules.CoS, "COS"
		}
		n := fmt.Sprintf("%s%011d", prefix, i)
		numbers = append(numbers, n)
		c := rules.Certificate{Number: n, Kind: kind, Sponsor: f.Sponsors[i%2].Licence, Status: rules.StatusAssigned,
			Person: rules.Person{FamilyName: "P" + n}}
		for j := 5; j > 0; j-- { // history entries in insertion order, not time order
			c.StatusHistory = append(c.StatusHistory, rules.StatusChange{Status: rules.StatusAssigned, At: at(fmt.Sprintf("2026-0%d-01T00:00:00Z", j)), Reason: fmt.Sprint(j)})
		}
		f.Certificates = append(f.Certificates, c)
	}
	load(t, s, f)
	slices.Sort(numbers)

	sponsors, err := s.SponsorList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var licences []string
	for _, sp := range sponsors {
		licences = append(licences, sp.Licence)
		same(t, "routes of "+sp.Licence, sp.Routes, []rules.Route{rules.RouteStudent, rules.RouteWorker, rules.RouteTemporaryWorker})
	}
	same(t, "SponsorList order", licences, []string{"AAAAAAAA1", "MMMMMMMM1", "ZZZZZZZZ1"})

	users, err := s.UserList(ctx, store.UserListParams{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	same(t, "UserList order", ids, []string{"alf", "bob", "mia", "zed"})
	users, err = s.UserList(ctx, store.UserListParams{Sponsor: "ZZZZZZZZ1"})
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	same(t, "UserList of one sponsor", ids, []string{"bob", "zed"})

	// Paging by After and Limit visits every certificate once, in order.
	var paged []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > len(numbers) {
			t.Fatal("paging does not end")
		}
		page, err := s.CertificateList(ctx, store.CertificateListParams{After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 7 {
			t.Fatalf("page of %d; want at most 7", len(page))
		}
		for _, c := range page {
			paged = append(paged, c.Number)
			var reasons []string
			for _, h := range c.StatusHistory {
				reasons = append(reasons, h.Reason)
			}
			same(t, "history order of "+c.Number, reasons, []string{"5", "4", "3", "2", "1"})
		}
		after = page[len(page)-1].Number
	}
	same(t, "paged CertificateList", paged, numbers)

	// Filters.
	filtered, err := s.CertificateList(ctx, store.CertificateListParams{Sponsor: "AAAAAAAA1", Kind: rules.CoS})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range filtered {
		if c.Sponsor != "AAAAAAAA1" || c.Kind != rules.CoS {
			t.Errorf("filtered list has %s of %s, kind %s", c.Number, c.Sponsor, c.Kind)
		}
		got = append(got, c.Number)
	}
	var want []string
	for _, n := range numbers {
		var i int
		fmt.Sscanf(n[3:], "%d", &i)
		if i%3 == 0 && f.Sponsors[i%2].Licence == "AAAAAAAA1" {
			want = append(want, n)
		}
	}
	if len(want) == 0 {
		t.Fatal("test data selects no certificate")
	}
	same(t, "CertificateList(sponsor, CoS)", got, want)
}

func testMany(t *testing.T, s store.Store) {
	// More numbers than SQLite's default host-parameter limit, and more
	// than one query's worth for a driver that batches naively.
	const n = 2500
	f, numbers := manyCAS(n, func(_ int, c *rules.Certificate) {
		c.Status = rules.StatusUsed
		c.Activity = []rules.ActivityReport{{Ref: "R" + c.Number, Type: rules.StudentAbsent, ReportedAt: at("2026-11-02T09:00:00Z")}}
	})
	load(t, s, f)
	got, err := s.Certificates(context.Background(), append(numbers, "CAS99999999999", numbers[0])...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("Certificates(%d numbers) returned %d", n, len(got))
	}
	for _, num := range numbers {
		c := got[num]
		if c == nil || len(c.Activity) != 1 || c.Activity[0].Ref != "R"+num {
			t.Fatalf("certificate %s read back as %+v", num, c)
		}
	}
}

// manyCAS returns a register of one sponsor and n CAS, CAS00000000000 on,
// each as edit (called with its position) makes it, and their numbers.
func manyCAS(n int, edit func(i int, c *rules.Certificate)) (*register.Fixture, []string) {
	f := &register.Fixture{Sponsors: []rules.Sponsor{{Licence: uni, Name: "U", Status: rules.LicenceARated, Nation: "ENGLAND_AND_WALES"}}}
	var numbers []string
	for i := range n {
		c := rules.Certificate{Number: fmt.Sprintf("CAS%011d", i), Kind: rules.CAS, Sponsor: uni, Person: rules.Person{FamilyName: "F"}}
		edit(i, &c)
		numbers = append(numbers, c.Number)
		f.Certificates = append(f.Certificates, c)
	}
	return f, numbers
}

// testApplyRuns applies long runs of fee changes, as a file's batch makes
// them (which a driver may apply in a few statements): after a read of the
// certificates or without, longer than a driver's run, with a certificate
// named twice, and with one not in the register (refused, and nothing of
// the run stays once the transaction is rolled back).
func testApplyRuns(t *testing.T, fresh func(*testing.T) store.Store) {
	ctx := context.Background()
	const n = 300
	f, numbers := manyCAS(n, func(i int, c *rules.Certificate) {
		c.Status, c.Fees = rules.StatusAssigned, rules.Fees{CourseFeesFirstYear: money(20000)}
		if i%3 == 0 { // some with a fee history already
			c.FeeHistory = []rules.FeeChange{{At: at("2026-10-01T09:00:00Z"), By: "u", Ref: "OLD-" + c.Number,
				After: rules.Fees{CourseFeesFirstYear: money(20000)}}}
		}
	})
	change := func(num, ref string, paid int64) rules.SetFees {
		return rules.SetFees{Cert: num, Change: rules.FeeChange{At: at("2026-11-23T02:00:00Z"), By: "u", Ref: ref,
			Before: rules.Fees{CourseFeesFirstYear: money(20000)},
			After:  rules.Fees{CourseFeesFirstYear: money(20000), CourseFeesPaid: money(paid), IncludesAccommodation: yes()}}}
	}
	for _, read := range []bool{true, false} {
		name := "without a read"
		if read {
			name = "after a read"
		}
		t.Run(name, func(t *testing.T) {
			s := fresh(t)
			load(t, s, f)
			var run []rules.Change
			for i, num := range numbers[:280] {
				run = append(run, change(num, "NEW-"+num, int64(i)))
			}
			run = append(run, change(numbers[5], "AGAIN-"+numbers[5], 7)) // a certificate again, after the run
			inTx(t, s, func(ctx context.Context, tx store.Tx) error {
				if read {
					if _, err := tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: numbers}); err != nil {
						return err
					}
				}
				return tx.Apply(ctx, run...)
			})
			got, err := s.Certificates(ctx, numbers...)
			if err != nil {
				t.Fatal(err)
			}
			for i, num := range numbers {
				c, want := got[num], f.Certificates[i]
				var hist []string
				for _, fc := range c.FeeHistory {
					hist = append(hist, fc.Ref)
				}
				var wantHist []string
				for _, fc := range want.FeeHistory {
					wantHist = append(wantHist, fc.Ref)
				}
				wantPaid := int64(-1)
				if i < 280 {
					wantHist = append(wantHist, "NEW-"+num)
					wantPaid = int64(i)
				}
				if i == 5 {
					wantHist = append(wantHist, "AGAIN-"+num)
					wantPaid = 7
				}
				if !slices.Equal(hist, wantHist) {
					t.Fatalf("%s: fee history %v; want %v", num, hist, wantHist)
				}
				if wantPaid >= 0 && (c.Fees.CourseFeesPaid == nil || *c.Fees.CourseFeesPaid != *money(wantPaid) || c.Fees.IncludesAccommodation == nil) {
					t.Fatalf("%s: fees %+v; want %d paid", num, c.Fees, wantPaid)
				}
				if wantPaid < 0 && c.Fees.CourseFeesPaid != nil {
					t.Fatalf("%s: changed, but not in the run", num)
				}
			}

			// A run naming a certificate not in the register is refused
			// whole once rolled back.
			before := export(t, s)
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if read {
				if _, err := tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: numbers}); err != nil {
					t.Fatal(err)
				}
			}
			bad := []rules.Change{change(numbers[0], "X0", 1), change(numbers[1], "X1", 1), change("CAS99999999999", "X2", 1),
				change(numbers[2], "X3", 1), change(numbers[3], "X4", 1)}
			if err := tx.Apply(ctx, bad...); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a run with a certificate not in the register: %v; want ErrNotFound", err)
			}
			tx.Rollback(ctx)
			same(t, "register after the refused run", export(t, s), before)
		})
	}
}
