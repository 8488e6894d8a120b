package rules_test

import (
	"fmt"
	"testing"
	"time"

	"bdt/rules"
	"bdt/rules/calendar"
)

// BenchmarkEvaluate decides one record of a file per iteration, as the
// runner does (Batch.Evaluate, a certificate of its own for each record):
// a fee update on an ASSIGNED CAS, and a late activity report on a USED
// CAS (which counts working days for R.ACTIVITY.LATE).
func BenchmarkEvaluate(b *testing.B) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	today := rules.UKDate(now)
	sp := &rules.Sponsor{Licence: "4NUV7KB58", Name: "University of Wessex", Status: rules.LicenceARated,
		Routes: []rules.Route{rules.RouteStudent}, Nation: calendar.EnglandAndWales}
	user := &rules.User{ID: "fees.office", Sponsor: sp.Licence, Level: rules.Level1, Status: rules.UserActive}
	money := func(p int64) *rules.Money { m := rules.Money(p); return &m }
	cert := func(n int, status rules.CertStatus) *rules.Certificate {
		return &rules.Certificate{Number: fmt.Sprintf("CAS9%010d", n), Kind: rules.CAS, Sponsor: sp.Licence, Status: status,
			CreatedBy: "intl.office02", Owner: "intl.office02", AssignedOn: today.AddDays(-200),
			Person:        rules.Person{FamilyName: "Okafor", GivenNames: "Emeka", DateOfBirth: calendar.MustDate("2005-04-17"), Nationality: "NGA"},
			Course:        &rules.Course{Title: "BSc Computer Science", StartDate: today.AddDays(-60), EndDate: today.AddDays(600)},
			Fees:          rules.Fees{CourseFeesFirstYear: money(1850000), CourseFeesPaid: money(462500)},
			StatusHistory: []rules.StatusChange{{Status: rules.StatusWorkInProgress, At: now.AddDate(0, -7, 0)}, {Status: status, At: now.AddDate(0, -6, 0)}},
		}
	}
	for _, kind := range []string{"fees", "activity"} {
		b.Run(kind, func(b *testing.B) {
			const n = 4096
			certs := make([]*rules.Certificate, n)
			for i := range certs {
				if kind == "fees" {
					certs[i] = cert(i, rules.StatusAssigned)
				} else {
					certs[i] = cert(i, rules.StatusUsed)
				}
			}
			batch := rules.NewBatch()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%n == 0 && i > 0 {
					batch = rules.NewBatch() // a new file: a certificate once per file
				}
				c := certs[i%n]
				var op rules.Op
				if kind == "fees" {
					op = rules.UpdateFees{Cert: c.Number, Fees: rules.Fees{CourseFeesPaid: money(925000)}, FamilyName: "Okafor"}
				} else {
					op = rules.ReportActivity{Cert: c.Number, Type: rules.StudentAbsent, EventDate: today.AddDays(-30),
						Details: "Missed the expected contact points."}
				}
				a := rules.Actor{Sponsor: sp, User: user, Now: now, Source: fmt.Sprintf("file:%s/F#%d", sp.Licence, i%n+1)}
				d := batch.Evaluate(a, op, rules.State{Certs: map[string]*rules.Certificate{c.Number: c}}, i%n+1)
				if !d.Accepted() {
					b.Fatalf("record %d rejected: %v", i, d.Findings)
				}
			}
		})
	}
}
