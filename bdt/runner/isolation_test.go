package runner_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/rules"
)

// resultRecord is what the isolation test reads back from a result report.
type resultRecord struct {
	Index    int    `xml:"Index,attr"`
	Cert     string `xml:"CertificateNumber"`
	Status   string `xml:"Status"`
	Findings []struct {
		Rule     string `xml:"Rule,attr"`
		Severity string `xml:"Severity,attr"`
		Field    string `xml:"Field,attr"`
		Message  string `xml:"Message"`
	} `xml:"Findings>Finding"`
}

func readRecords(t *testing.T, path string) []resultRecord {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Records []resultRecord `xml:"Records>Record"`
	}
	if err := xml.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res.Records
}

// TestIsolationFilesProperty: for randomly drawn operations, a file of one
// sponsor naming another sponsor's certificates gets exactly the report it
// would get naming certificates that do not exist (the numbers aside), and
// the register is unchanged. Seeded, so a failure can be replayed.
func TestIsolationFilesProperty(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	all, err := e.st.CertificateList(ctx, store.CertificateListParams{})
	if err != nil {
		t.Fatal(err)
	}
	type actorCase struct {
		licence, user, kind string
	}
	actors := []actorCase{
		{"4NUV7KB58", "jsmith01", "studentactivity"}, {"4NUV7KB58", "intl.office02", "studentactivity"},
		{"4NUV7KB58", "jsmith01", "noshow"}, {"4NUV7KB58", "fees.office", "feeupdate"},
		{"S7KQ2LMX4", "fmacleod", "studentactivity"}, {"NTMHWM0V3", "squinn", "workeractivity"},
		{"NTMHWM0V3", "cdoherty", "workeractivity"},
	}
	studentTypes := []rules.ActivityType{rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent,
		rules.StudentSuspended, rules.StudentEarlyCompletion, rules.StudentSponsorshipWithdrawn, rules.StudentPreviousWithdrawn, rules.StudentOtherChange}
	workerTypes := []rules.ActivityType{rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent,
		rules.WorkerChange, rules.WorkerSponsorshipWithdrawn, rules.WorkerPreviousWithdrawn}
	seed := int64(20261123)
	rng := rand.New(rand.NewSource(seed))
	before := e.export()
	for i, a := range actors {
		var others []string
		for _, c := range all {
			if c.Sponsor != a.licence {
				others = append(others, c.Number)
			}
		}
		rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
		fake := make([]string, len(others))
		for j := range others {
			fake[j] = fmt.Sprintf("%s%011d", others[j][:3], 90000000000+int64(i*1000+j))
		}
		record := func(cert string, j int) string {
			date := fmt.Sprintf("2026-11-%02d", 2+rng.Intn(18))
			switch a.kind {
			case "noshow":
				return fmt.Sprintf("<NoShow><CASNumber>%s</CASNumber><NoShowDate>%s</NoShowDate></NoShow>", cert, date)
			case "feeupdate":
				return fmt.Sprintf("<CASFeeUpdate><CASNumber>%s</CASNumber><CourseFeesPaidToDate>%d.00</CourseFeesPaidToDate></CASFeeUpdate>", cert, 100+rng.Intn(9000))
			case "studentactivity":
				typ := studentTypes[rng.Intn(len(studentTypes))]
				return fmt.Sprintf("<StudentActivity><CASNumber>%s</CASNumber><ActivityType>%s</ActivityType><EventDate>%s</EventDate><Details>Reason %d</Details><PreviousNotificationDate>%s</PreviousNotificationDate></StudentActivity>", cert, typ, date, j, date)
			default:
				typ := workerTypes[rng.Intn(len(workerTypes))]
				return fmt.Sprintf("<WorkerActivity><CoSNumber>%s</CoSNumber><ActivityType>%s</ActivityType><EventDate>%s</EventDate><Details>Reason %d</Details><PreviousNotificationDate>%s</PreviousNotificationDate></WorkerActivity>", cert, typ, date, j, date)
			}
		}
		file := func(id string, certs []string, state *rand.Rand) string {
			saved := rng
			rng = state
			defer func() { rng = saved }()
			root := map[string]string{"noshow": "NoShowReport", "feeupdate": "FeeUpdate", "studentactivity": "StudentActivityReport", "workeractivity": "WorkerActivityReport"}[a.kind]
			idElem := "BulkReportingID"
			if a.kind == "feeupdate" {
				idElem = "BulkUpdateFileId"
			}
			ns := a.kind + ":v1"
			var b strings.Builder
			fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<%s xmlns="urn:uk:gov:ukvi:sms:bdt:%s"><Header><SponsorLicenceNumber>%s</SponsorLicenceNumber><SMSUserId>%s</SMSUserId><%s>%s</%s><CreatedAt>2026-11-22T10:00:00Z</CreatedAt><RecordCount>%d</RecordCount></Header>
`, root, ns, a.licence, a.user, idElem, id, idElem, len(certs))
			for j, c := range certs {
				b.WriteString(record(c, j) + "\n")
			}
			fmt.Fprintf(&b, "</%s>\n", root)
			return b.String()
		}
		// The same random draws for both files: one state, two copies.
		s1, s2 := rand.New(rand.NewSource(seed+int64(i))), rand.New(rand.NewSource(seed+int64(i)))
		e.put(fmt.Sprintf("%s/iso-%d-other.xml", a.licence, i), file(fmt.Sprintf("ISO-%d-O", i), others, s1))
		e.put(fmt.Sprintf("%s/iso-%d-none.xml", a.licence, i), file(fmt.Sprintf("ISO-%d-N", i), fake, s2))
		e.run(nil)
		got := readRecords(t, filepath.Join(e.dir, "outbox", a.licence, fmt.Sprintf("iso-%d-other.result.xml", i)))
		want := readRecords(t, filepath.Join(e.dir, "outbox", a.licence, fmt.Sprintf("iso-%d-none.result.xml", i)))
		if len(got) != len(others) || len(want) != len(others) {
			t.Fatalf("%v: %d and %d records, want %d", a, len(got), len(want), len(others))
		}
		for j := range got {
			g, w := got[j], want[j]
			if g.Status != "REJECTED" {
				t.Errorf("%v: another sponsor's %s was %s", a, others[j], g.Status)
			}
			gs := fmt.Sprint(g.Findings)
			ws := strings.ReplaceAll(fmt.Sprint(w.Findings), fake[j], others[j])
			if gs != ws {
				t.Errorf("%v record %d: another sponsor's certificate is told apart from a missing one:\n  theirs:  %s\n  missing: %s", a, j+1, gs, ws)
			}
		}
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("files naming other sponsors' certificates changed the register")
	}
}
