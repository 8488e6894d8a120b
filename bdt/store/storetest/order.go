package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/rules"
)

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
