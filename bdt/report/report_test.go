package report

import (
	"bytes"
	"encoding/csv"
	"iter"
	"regexp"
	"strings"
	"testing"
	"time"

	"bdt/bdt/ledger"
)

func sample() *File {
	recs := []Record{
		{Index: 1, Line: 9, Reference: "S-1", Cert: "CAS26000000001", Status: ledger.RecordAccepted, ConfRef: "BDT-AAAA"},
		{Index: 2, Line: 15, Reference: "=HYPERLINK(\"http://evil\")", Cert: "CAS26000000002", Status: ledger.RecordRejected,
			Findings: []Finding{{Rule: "R.FEE.ASSIGNED", Severity: "error", Field: "CASNumber", Message: "-the CAS is USED"}}},
		{Index: 3, Line: 21, Cert: "CAS26000000003", Status: ledger.RecordAccepted, ConfRef: "BDT-BBBB",
			Findings: []Finding{{Rule: "R.FEE.EXCEEDS", Severity: "warning", Field: "CourseFeesPaidToDate", Message: "<b>more</b> than the fee"}}},
	}
	return &File{
		Name: "fees.xml", Licence: "4NUV7KB58", Kind: "feeupdate", Version: "2", FileID: "F-1",
		SHA256: strings.Repeat("ab", 32), Size: 1234, ProcessedAt: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC),
		Status: PartiallyAccepted, Counts: Counts{Declared: 3, Read: 3, Accepted: 2, Rejected: 1, Warnings: 1},
		Records: func(yield func(Record, error) bool) {
			for _, r := range recs {
				if !yield(r, nil) {
					return
				}
			}
		},
	}
}

func TestNames(t *testing.T) {
	r, e, s := Names("4NUV7KB58/fees.xml")
	if r != "4NUV7KB58/fees.result.xml" || e != "4NUV7KB58/fees.errors.csv" || s != "4NUV7KB58/fees.summary.html" {
		t.Errorf("Names = %s %s %s", r, e, s)
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44 20": "'+44 20", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"plain": "plain", "": "", "a=b": "a=b",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteErrorsOnlyProblemsNeutralised(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteErrors(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 { // header + 2 problems
		t.Fatalf("rows = %d, want 3: %v", len(rows), rows)
	}
	if rows[1][3] != `'=HYPERLINK("http://evil")` {
		t.Errorf("reference cell not neutralised: %q", rows[1][3])
	}
	if rows[1][9] != "'-the CAS is USED" {
		t.Errorf("message cell not neutralised: %q", rows[1][9])
	}
	if rows[1][0] != "15" || rows[1][2] != "2" || rows[1][5] != "R.FEE.ASSIGNED" {
		t.Errorf("row = %v", rows[1])
	}
}

func TestWriteSummarySelfContainedAndEscaped(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSummary(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "src=", "@import", "url(", "<b>more</b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("summary contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("summary links outside itself: %s", m[0])
		}
	}
	for _, want := range []string{"PARTIALLY_ACCEPTED", "R.FEE.ASSIGNED", "R.FEE.EXCEEDS", "&lt;b&gt;more&lt;/b&gt;", "4NUV7KB58"} {
		if !strings.Contains(page, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestReportsAreDeterministic(t *testing.T) {
	for name, w := range map[string]func(*bytes.Buffer, *File) error{
		"result":  func(b *bytes.Buffer, f *File) error { return WriteResult(b, f) },
		"errors":  func(b *bytes.Buffer, f *File) error { return WriteErrors(b, f) },
		"summary": func(b *bytes.Buffer, f *File) error { return WriteSummary(b, f) },
	} {
		var a, b bytes.Buffer
		if err := w(&a, sample()); err != nil {
			t.Fatal(err)
		}
		if err := w(&b, sample()); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s report differs between two writes", name)
		}
	}
}

func TestWriteResultShape(t *testing.T) {
	var buf bytes.Buffer
	f := sample()
	f.FileFindings = []Finding{{Rule: "F.COUNT", Severity: "error", Line: 6, Message: "declared 4"}}
	if err := WriteResult(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<BDTResult xmlns="urn:uk:gov:ukvi:sms:bdt:result:v1">`,
		`<Counts Declared="3" Read="3" Accepted="2" Rejected="1" Warnings="1"></Counts>`,
		`<Record Index="2" Line="15">`,
		`<Finding Rule="R.FEE.ASSIGNED" Severity="error" Field="CASNumber">`,
		`<ConfirmationReference>BDT-AAAA</ConfirmationReference>`,
		`<ProcessedAt>2026-11-23T02:00:00Z</ProcessedAt>`,
		`<FileErrors>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("result lacks %s\n%s", want, out)
		}
	}
}

func TestRecordIteratorErrorStopsWriting(t *testing.T) {
	f := sample()
	f.Records = iter.Seq2[Record, error](func(yield func(Record, error) bool) {
		yield(Record{}, errBoom)
	})
	for name, w := range map[string]func(*bytes.Buffer, *File) error{
		"result":  func(b *bytes.Buffer, f *File) error { return WriteResult(b, f) },
		"errors":  func(b *bytes.Buffer, f *File) error { return WriteErrors(b, f) },
		"summary": func(b *bytes.Buffer, f *File) error { return WriteSummary(b, f) },
	} {
		if err := w(&bytes.Buffer{}, f); err != errBoom {
			t.Errorf("%s: err = %v, want the iterator's error", name, err)
		}
	}
}

type boom struct{}

func (boom) Error() string { return "ledger read failed" }

var errBoom error = boom{}
