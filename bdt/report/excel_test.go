package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"bdt/bdt/ledger"
)

// TestErrorsOpenAsExcelReadsThem reads an error report as Excel on Windows
// does on a double-click: the byte-order mark tells it the file is UTF-8,
// then the header row and rows of the same number of cells; a pound sign
// and a family name with accents come back as written, and a cell that
// could run as a formula is still neutralised.
func TestErrorsOpenAsExcelReadsThem(t *testing.T) {
	const family = "Ó Súilleabháin-Núñez"
	f := sample()
	f.FileFindings = []Finding{{Rule: "F.COUNT", Severity: "error", Line: 6, Message: "declared 4, found 3"}}
	recs := []Record{
		{Index: 1, Line: 9, Reference: "Zoë " + family, Cert: "CAS26000000001", Status: ledger.RecordRejected,
			Findings: []Finding{{Rule: "R.IDENTITY", Severity: "error", Field: "FamilyName",
				Message: "FamilyName is " + family + "; the CAS names someone else"}}},
		{Index: 2, Line: 15, Cert: "CAS26000000002", Status: ledger.RecordAccepted, ConfRef: "BDT-AAAA",
			Findings: []Finding{{Rule: "R.FEE.EXCEEDS", Severity: "warning", Field: "CourseFeesPaidToDate",
				Message: "£12,500.00 paid is more than the first-year fee of £9,250.00"}}},
		{Index: 3, Line: 21, Reference: "=1+1", Cert: "CAS26000000003", Status: ledger.RecordRejected,
			Findings: []Finding{{Rule: "R.FEE.ASSIGNED", Severity: "error", Field: "CASNumber", Message: "the CAS is USED"}}},
	}
	f.Records = func(yield func(Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
	var buf bytes.Buffer
	if err := WriteErrors(&buf, f); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("the report does not open with UTF-8's byte-order mark: % x", b[:min(len(b), 8)])
	}
	b = b[3:]
	if !utf8.Valid(b) {
		t.Fatal("the report after the byte-order mark is not UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(CSVHeader) // every row, the header too, has as many cells
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading the report as CSV: %v", err)
	}
	if !slices.Equal(rows[0], CSVHeader) {
		t.Errorf("header row = %q, want %q", rows[0], CSVHeader)
	}
	if len(rows) != 1+1+len(recs) {
		t.Fatalf("%d rows, want a header, a file finding and %d record findings: %q", len(rows), len(recs), rows)
	}
	msg := slices.Index(CSVHeader, "message")
	ref := slices.Index(CSVHeader, "reference")
	if got := rows[2][ref]; got != "Zoë "+family {
		t.Errorf("reference = %q, want the accented name as written", got)
	}
	if got := rows[2][msg]; !strings.Contains(got, family) {
		t.Errorf("message = %q, want the family name %q intact", got, family)
	}
	if got := rows[3][msg]; got != "£12,500.00 paid is more than the first-year fee of £9,250.00" {
		t.Errorf("message = %q, want the pound signs intact", got)
	}
	if got := rows[4][ref]; got != "'=1+1" {
		t.Errorf("reference = %q, want the formula neutralised", got)
	}
}
