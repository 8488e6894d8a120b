package postgres_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/rules"
)

// The benchmark's work: benchSponsors sponsors, benchFiles files each, of
// benchRecords student activity records, one per certificate.
const (
	benchSponsors = 8
	benchFiles    = 4
	benchRecords  = 250
)

func benchLicence(s int) string { return fmt.Sprintf("BEN%02dQX7K", s) }
func benchUser(s int) string    { return fmt.Sprintf("ben.admin%02d", s) }
func benchCert(s, c int) string { return fmt.Sprintf("CAS28%02d%07d", s, c) }

func benchRegister() *register.Fixture {
	fx := &register.Fixture{}
	for s := range benchSponsors {
		fx.Sponsors = append(fx.Sponsors, rules.Sponsor{Licence: benchLicence(s), Name: "Bench", Status: rules.LicenceARated,
			Routes: []rules.Route{rules.RouteStudent}, Nation: "ENGLAND_AND_WALES"})
		fx.Users = append(fx.Users, rules.User{ID: benchUser(s), Sponsor: benchLicence(s), Name: "Admin", Level: rules.Level1, Status: rules.UserActive})
		for c := range benchRecords {
			fx.Certificates = append(fx.Certificates, rules.Certificate{Number: benchCert(s, c), Kind: rules.CAS, Sponsor: benchLicence(s),
				Status: rules.StatusUsed, CreatedBy: benchUser(s), Owner: benchUser(s),
				Person: rules.Person{FamilyName: "Student", GivenNames: "A", Nationality: "IND"}})
		}
	}
	return fx
}

func benchInbox() map[string]string {
	files := map[string]string{}
	for s := range benchSponsors {
		for f := range benchFiles {
			var b strings.Builder
			id := fmt.Sprintf("BEN-%02d-%d", s, f)
			fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>%s</SponsorLicenceNumber>
    <SMSUserId>%s</SMSUserId>
    <BulkReportingID>%s</BulkReportingID>
    <CreatedAt>2026-11-22T%02d:00:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, benchLicence(s), benchUser(s), id, 8+f, benchRecords)
			for c := range benchRecords {
				fmt.Fprintf(&b, `  <StudentActivity>
    <SponsorReference>%s-%d</SponsorReference>
    <CASNumber>%s</CASNumber>
    <ActivityType>STUDENT_OTHER_CHANGE</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>Change of term-time address.</Details>
  </StudentActivity>
`, id, c+1, benchCert(s, c))
			}
			b.WriteString("</StudentActivityReport>\n")
			files[fmt.Sprintf("%s/%s.xml", benchLicence(s), strings.ToLower(id))] = b.String()
		}
	}
	return files
}

// benchRun loads the register into st, puts the files in a new inbox and
// times one bdt run over them. It returns the records applied and the time
// the run took.
func benchRun(b *testing.B, st store.Store, fx *register.Fixture, files map[string]string) (int, time.Duration) {
	b.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := fx.Import(ctx, tx); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var boxes [3]*storage.Local
	for i, name := range []string{"inbox", "outbox", "archive"} {
		if boxes[i], err = storage.NewLocal(filepath.Join(dir, name)); err != nil {
			b.Fatal(err)
		}
	}
	for key, body := range files {
		if err := boxes[0].Put(ctx, key, strings.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	r := runner.New(runner.Config{Store: st, Inbox: boxes[0], Outbox: boxes[1], Archive: boxes[2],
		Now: func() time.Time { return now }, Workers: 2})
	start := time.Now()
	sum, err := r.Run(ctx)
	elapsed := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	records := 0
	for _, f := range sum.Files {
		if f.Err != nil {
			b.Fatalf("%s: %v", f.Key, f.Err)
		}
		if f.Entry.Status != ledger.Accepted {
			b.Fatalf("%s: %s %v", f.Key, f.Entry.Status, f.Entry.FileFindings)
		}
		records += f.Entry.Accepted
	}
	if want := benchSponsors * benchFiles * benchRecords; records != want {
		b.Fatalf("%d records applied, want %d", records, want)
	}
	return records, elapsed
}

// BenchmarkRunSQLiteVsPostgres runs bdt's main job over the same generated
// files (8 sponsors, 32 files, 8,000 records, two workers) on a fresh
// SQLite file and on a fresh PostgreSQL schema in each iteration, and
// reports both throughputs side by side in records per second. Only the
// run is timed, not loading the register.
func BenchmarkRunSQLiteVsPostgres(b *testing.B) {
	fx, files := benchRegister(), benchInbox()
	var sqliteRecs, pgRecs int
	var sqliteTime, pgTime time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		st, err := open.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bdt.db"))
		if err != nil {
			b.Fatal(err)
		}
		n, d := benchRun(b, st, fx, files)
		st.Close()
		sqliteRecs, sqliteTime = sqliteRecs+n, sqliteTime+d

		st, err = open.Open(context.Background(), pgtest.DSN(b))
		if err != nil {
			b.Fatal(err)
		}
		n, d = benchRun(b, st, fx, files)
		st.Close()
		pgRecs, pgTime = pgRecs+n, pgTime+d
		b.StartTimer()
	}
	sq := float64(sqliteRecs) / sqliteTime.Seconds()
	pg := float64(pgRecs) / pgTime.Seconds()
	b.ReportMetric(sq, "sqlite-records/s")
	b.ReportMetric(pg, "postgres-records/s")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d records a run: SQLite %.0f records/s, PostgreSQL %.0f records/s (%.2f×)", sqliteRecs/max(1, b.N), sq, pg, pg/sq)
}
