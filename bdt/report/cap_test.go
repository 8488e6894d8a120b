package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"bdt/bdt/ledger"
	"bdt/schema"
)

// manyFindings returns a rejected file of n records with per findings each
// (R.CERT.FOUND) and the given file findings. Its records are built once and
// shared by every report written from it, as the runner's fan-out shares
// them.
func manyFindings(n, per int, fileFindings int) *File {
	f := sample()
	f.Status, f.Counts = Rejected, Counts{Declared: n, Read: n, Rejected: n}
	for i := 0; i < fileFindings; i++ {
		f.FileFindings = append(f.FileFindings, Finding{Rule: "F.SCHEMA", Severity: "error", Line: i + 1, Message: "file finding"})
	}
	recs := make([]Record, n)
	for i := range recs {
		r := Record{Index: i + 1, Line: 10 + 4*i, Cert: fmt.Sprintf("CAS%011d", i+1), Status: ledger.RecordRejected}
		for k := 0; k < per; k++ {
			r.Findings = append(r.Findings, Finding{Rule: "R.CERT.FOUND", Severity: "error", Field: "CASNumber",
				Message: fmt.Sprintf("finding %d of record %d", k+1, i+1)})
		}
		recs[i] = r
	}
	f.Records = func(yield func(Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
	return f
}

// TestReportsCapFindings: past MaxFindings findings, the result report
// lists every record but no more findings, and marks the cut; the error
// report ends with a row saying how many it left out. Both with the cap
// between two records and inside one, with file findings counted first.
func TestReportsCapFindings(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		records, per, fileFds int
		markRecord, markIndex int // the record whose list is cut, and the marker's place in it
	}{
		// 10,000 findings fill records 1-5000; record 5001's first is the marker.
		{"cap between records", MaxFindings/2 + 3, 2, 0, MaxFindings/2 + 1, 0},
		// One file finding: record 5000's second finding is the marker.
		{"cap inside a record", MaxFindings/2 + 3, 2, 1, MaxFindings / 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := manyFindings(tc.records, tc.per, tc.fileFds)
			total := tc.records*tc.per + tc.fileFds
			var res bytes.Buffer
			if err := WriteResult(&res, f); err != nil {
				t.Fatal(err)
			}
			out := res.String()
			if v, err := schema.Default().Validate(bytes.NewReader(res.Bytes()), nil, schema.Options{}); err != nil || !v.Valid() {
				t.Fatalf("the capped result report is not valid result-v1: %v %v", err, v.Issues)
			}
			if got := strings.Count(out, "<Record "); got != tc.records {
				t.Errorf("%d records listed, want every one of %d", got, tc.records)
			}
			if got := strings.Count(out, "<Finding "); got != MaxFindings+1 {
				t.Errorf("%d findings listed, want %d and the marker", got, MaxFindings)
			}
			if got := strings.Count(out, `Truncated="true"`); got != 1 {
				t.Fatalf("%d lists marked truncated, want 1", got)
			}
			after := tc.records - tc.markRecord
			note := fmt.Sprintf("finding %d of record %d [And more not listed: a report lists the first %d findings of a file. The findings after this one, on this record and on the %d records after it, are left out;",
				tc.markIndex+1, tc.markRecord, MaxFindings, after)
			if !strings.Contains(out, note) {
				t.Errorf("no marker %q", note)
			}
			cut := out[strings.Index(out, fmt.Sprintf(`<Record Index="%d" `, tc.markRecord)):]
			if !strings.HasPrefix(cut[strings.Index(cut, "<Findings"):], `<Findings Truncated="true">`) {
				t.Errorf("the cut list is not the marked one:\n%.600s", cut)
			}
			if strings.Contains(cut[strings.Index(cut, "</Findings>"):], "<Finding") {
				t.Errorf("findings listed after the marker")
			}

			var errs bytes.Buffer
			if err := WriteErrors(&errs, f); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&errs).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1+MaxFindings+1 {
				t.Fatalf("%d rows, want the header, %d findings and the marker", len(rows), MaxFindings)
			}
			last := rows[len(rows)-1]
			if want := omittedRow(total - MaxFindings); last[9] != want || strings.Join(last[:9], "") != "" {
				t.Errorf("last row %q, want only the message %q", last, want)
			}
			if strings.Contains(errs.String(), "[And more") {
				t.Error("the result report's marker leaked into the shared findings")
			}
		})
	}
}

// TestReportsUnderTheCap: at MaxFindings exactly, nothing is cut or marked.
func TestReportsUnderTheCap(t *testing.T) {
	f := manyFindings(MaxFindings, 1, 0)
	var res, errs bytes.Buffer
	if err := WriteResult(&res, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteErrors(&errs, f); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(res.String(), "<Finding "); n != MaxFindings || strings.Contains(res.String(), "Truncated") {
		t.Errorf("%d findings (truncated: %v), want all %d unmarked", n, strings.Contains(res.String(), "Truncated"), MaxFindings)
	}
	if n := strings.Count(errs.String(), "\n"); n != 1+MaxFindings || strings.Contains(errs.String(), "more findings not listed") {
		t.Errorf("%d rows, want the header and %d findings, no marker", n, MaxFindings)
	}
}
