package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
)

// The security review (issue 17), through the real bdt run on the sample
// register: inputs crafted against how bdt works inside, each bounded by
// size so that the test shows the mechanism without a slow run. The hostile
// suite (hostile_test.go) holds the review's cases on the guard.

// feeUpdateOf writes a fee update (v1) of licence 4NUV7KB58 with one record
// per certificate number in certs, each paying a course fee.
func feeUpdateOf(t *testing.T, path, fileID string, certs []string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FeeUpdate xmlns=\"urn:uk:gov:ukvi:sms:bdt:feeupdate:v1\">\n"+
		"<Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber><SMSUserId>fees.office</SMSUserId>"+
		"<BulkUpdateFileId>%s</BulkUpdateFileId><CreatedAt>2026-11-22T10:00:00Z</CreatedAt><RecordCount>%d</RecordCount></Header>\n",
		fileID, len(certs))
	for _, c := range certs {
		fmt.Fprintf(&b, "  <CASFeeUpdate>\n    <CASNumber>%s</CASNumber>\n    <CourseFeesPaidToDate>9250.00</CourseFeesPaidToDate>\n  </CASFeeUpdate>\n", c)
	}
	b.WriteString("</FeeUpdate>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// collidingNumbers returns the first n certificate numbers of rules'
// testdata/colliding-cas.txt: numbers crafted so that, under the duplicate
// table's former unkeyed hash, every one took the same slot (rules'
// TestCollidingNumbers checks that they still do).
func collidingNumbers(t *testing.T, n int) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "rules", "testdata", "colliding-cas.txt"))
	if err != nil {
		t.Fatal(err)
	}
	certs := strings.Fields(string(b))
	if len(certs) < n {
		t.Fatalf("%d colliding numbers, want %d", len(certs), n)
	}
	return certs[:n]
}

// TestSecurityCollidingCertificates sends a fee update whose certificate
// numbers were crafted to collide in R.RECORD.DUPLICATE's table (issue 17,
// item 2: 100,000 such records took 47 s instead of 3.3 s, quadratic in the
// records) through bdt run. How many slots a lookup probes is counted in
// rules (TestBatchCollidingNumbers); here the real run decides every record
// and still finds the duplicates among the crafted numbers, naming the
// record that came first.
func TestSecurityCollidingCertificates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	const n = 5000
	certs := collidingNumbers(t, n)
	// Two later records repeat crafted numbers: the first and the last.
	certs = append(certs, certs[0], certs[n-1])
	h := newHostileEnv(t)
	dir := h.workDir(t)
	path := filepath.Join(dir, "inbox", hostileLicence, "colliding.xml")
	feeUpdateOf(t, path, "FEES-COLLIDING", certs)
	if r := h.run(t, dir); r.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	e := ledgerEntry(t, dir, hostileLicence+"/colliding.xml")
	if e == nil || e.Status != ledger.Rejected || e.Read != n+2 || e.Rejected != n+2 {
		t.Fatalf("ledger entry %+v, want REJECTED with %d records read and rejected", e, n+2)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "outbox", hostileLicence, "colliding.errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	if len(rows) != 1+n+2 {
		t.Fatalf("errors.csv has %d rows, want a header and %d findings", len(rows), n+2)
	}
	for i, want := range []struct {
		record, first int
	}{{n + 1, 1}, {n + 2, n}} {
		row := rows[len(rows)-2+i]
		if !strings.Contains(row, fmt.Sprintf(",%d,,%s,R.RECORD.DUPLICATE,error,", want.record, certs[want.record-1])) ||
			!strings.Contains(row, fmt.Sprintf("already appears in record %d of this file", want.first)) {
			t.Errorf("record %d: %s\nwant R.RECORD.DUPLICATE naming record %d", want.record, row, want.first)
		}
	}
	if got := strings.Count(string(csv), "R.RECORD.DUPLICATE"); got != 2 {
		t.Errorf("%d R.RECORD.DUPLICATE findings, want 2 (the crafted numbers are distinct)", got)
	}
}

// TestSecurityReportCap sends a fee update whose every record is rejected
// through bdt run (issue 17, item 13: a 15 MB file of such records gave
// 48 MB of result report and 16 MB of CSV, a finding's message being longer
// than its record): the reports list report.MaxFindings findings, every
// record still with its status, and say how many they leave out; the result
// report stays valid result-v1.
func TestSecurityReportCap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	const more = 50
	n := report.MaxFindings + more
	certs := make([]string, n)
	for i := range certs {
		certs[i] = fmt.Sprintf("CAS%011d", 90_000_000+i) // in no register
	}
	h := newHostileEnv(t)
	dir := h.workDir(t)
	feeUpdateOf(t, filepath.Join(dir, "inbox", hostileLicence, "unknown.xml"), "FEES-UNKNOWN", certs)
	if r := h.run(t, dir); r.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if e := ledgerEntry(t, dir, hostileLicence+"/unknown.xml"); e == nil || e.Status != ledger.Rejected || e.Rejected != n {
		t.Fatalf("ledger entry %+v, want REJECTED with %d records rejected", e, n)
	}
	out := filepath.Join(dir, "outbox", hostileLicence)
	result, err := os.ReadFile(filepath.Join(out, "unknown.result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	xsdValid(t, filepath.Join(out, "unknown.result.xml"), filepath.Join("..", "..", "schema", "xsd", "result-v1.xsd"))
	s := string(result)
	if got := strings.Count(s, "<Record "); got != n {
		t.Errorf("%d records in the result report, want every one of %d", got, n)
	}
	if got := strings.Count(s, "<Status>REJECTED</Status>"); got != n+1 {
		t.Errorf("%d REJECTED statuses, want the file's and %d records'", got, n)
	}
	if got := strings.Count(s, "<Finding "); got != report.MaxFindings+1 {
		t.Errorf("%d findings in the result report, want %d and the marker", got, report.MaxFindings)
	}
	marker := fmt.Sprintf(`<Record Index="%d" `, report.MaxFindings+1)
	i := strings.Index(s, marker)
	if i < 0 || !strings.Contains(s[i:], `<Findings Truncated="true">`) ||
		!strings.Contains(s[i:], fmt.Sprintf("findings after this one, on this record and on the %d records after it, are left out", more-1)) {
		t.Errorf("record %d does not carry the marker:\n%.1500s", report.MaxFindings+1, s[max(i, 0):])
	}
	csv, err := os.ReadFile(filepath.Join(out, "unknown.errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	if len(rows) != 1+report.MaxFindings+1 {
		t.Fatalf("errors.csv has %d rows, want a header, %d findings and the marker", len(rows), report.MaxFindings)
	}
	if last, want := rows[len(rows)-1], fmt.Sprintf(",,,,,,,,,And %d more findings not listed", more); !strings.HasPrefix(last, want) {
		t.Errorf("last row %q, want it to begin %q", last, want)
	}
}

// xsdValid checks the document at path against the XSD at xsd with xmllint
// (libxml2's own tool): bdt's validator would refuse a report of more than
// 10,000 records unread, its guard counting the distinct Index and Line
// values as it counts names.
func xsdValid(t *testing.T, path, xsd string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed")
		}
		t.Log("xmllint is not installed: the report's validity is not checked")
		return
	}
	if out, err := exec.Command(xmllint, "--stream", "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Fatalf("%s is not valid against %s: %v\n%.2000s", path, xsd, err, out)
	}
}
