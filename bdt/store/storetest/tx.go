package storetest

import (
	"context"
	"slices"
	"testing"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/rules"
)

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
