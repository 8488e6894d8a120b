package storetest

import (
	"context"
	"errors"
	"testing"

	"bdt/bdt/store"
	"bdt/rules"
)

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
