package schema_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bdt/rules"
	"bdt/schema"
)

// feeRecord is a valid CASFeeUpdate record of feeupdate-v2 on CAS n.
func feeRecord(n int) string {
	return fmt.Sprintf(`<CASFeeUpdate>
    <SponsorReference>S%07d</SponsorReference>
    <CASNumber>CAS26%09d</CASNumber>
    <CourseFeesPaidToDate>9250.00</CourseFeesPaidToDate>
    <CourseFeeIncludesAccomodationCosts>false</CourseFeeIncludesAccomodationCosts>
  </CASFeeUpdate>`, n, n)
}

// feeFile is a feeupdate-v2 file holding records.
func feeFile(records ...string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v2">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>fees.office</SMSUserId>
    <BulkUpdateFileId>FEES-1</BulkUpdateFileId>
    <CreatedAt>2026-07-17T16:45:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
  %s
</FeeUpdate>
`, len(records), strings.Join(records, "\n  "))
}

// violation breaks one thing inside a record: edit turns a valid record
// into one with that violation alone, and field is the element the issue
// names.
type violation struct {
	name  string
	field string // the element the issue names
	edit  func(string) string
}

// recordViolations break one thing inside a fee record, one per kind of
// facet or content error the XSDs have; each turns a valid record into one
// with that violation alone.
var recordViolations = []violation{
	{"pattern", "CourseFeesPaidToDate", func(r string) string { return strings.Replace(r, "9250.00", "1234.999", 1) }},
	{"type", "CourseFeeIncludesAccomodationCosts", func(r string) string { return strings.Replace(r, ">false<", ">yes<", 1) }},
	{"length", "FamilyName", func(r string) string {
		return strings.Replace(r, "</CASFeeUpdate>", "<FamilyName>"+strings.Repeat("a", 251)+"</FamilyName></CASFeeUpdate>", 1)
	}},
	{"missing", "CASFeeUpdate", func(r string) string { // the record ends before its CASNumber
		return r[:strings.Index(r, "<CASNumber>")] + "</CASFeeUpdate>"
	}},
	{"missing in the middle", "CourseFeesPaidToDate", func(r string) string { // seen as the next element unexpected
		i, j := strings.Index(r, "<CASNumber>"), strings.Index(r, "</CASNumber>")
		return r[:i] + r[j+len("</CASNumber>"):]
	}},
	{"unexpected", "Tuition", func(r string) string {
		return strings.Replace(r, "<CourseFeesPaidToDate>", "<Tuition>1</Tuition><CourseFeesPaidToDate>", 1)
	}},
	{"order", "SponsorReference", func(r string) string {
		i, j := strings.Index(r, "<SponsorReference>"), strings.Index(r, "</SponsorReference>")+len("</SponsorReference>")
		ref := r[i:j]
		r = r[:i] + r[j:]
		return strings.Replace(r, "</CASFeeUpdate>", ref+"</CASFeeUpdate>", 1)
	}},
	{"text in record", "CASFeeUpdate", func(r string) string {
		return strings.Replace(r, "<CASNumber>", "stray<CASNumber>", 1)
	}},
}

// scopeCounter keeps the issues the validator attached to each record.
type scopeCounter struct{ issues map[int][]schema.Issue }

func (c *scopeCounter) Header(*schema.Header) error { return nil }
func (c *scopeCounter) Record(r *schema.Record) error {
	if c.issues == nil {
		c.issues = map[int][]schema.Issue{}
	}
	c.issues[r.Index] = r.Issues
	return nil
}

// TestRecordScope checks, with libxml2, that each violation inside one
// record is R.SCHEMA on that record alone under RecordScope, and that the
// records after it are validated as before: the same violation in record 4
// is found again, and records 3 and 5 have none.
func TestRecordScope(t *testing.T) {
	checkRecordScope(t, feeFile, feeRecord, recordViolations)
}

// checkRecordScope checks each violation of vs in records 2 and 4 of a file
// of five records made by file from record(1) to record(5): under
// RecordScope only records 2 and 4 carry issues, each R.SCHEMA naming the
// violation's field, sequentially and concurrently; under the default file
// scope every issue is F.SCHEMA.
func checkRecordScope(t *testing.T, file func(...string) string, record func(int) string, vs []violation) {
	t.Helper()
	for _, v := range vs {
		for _, concurrent := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/concurrent=%v", v.name, concurrent), func(t *testing.T) {
				doc := file(record(1), v.edit(record(2)), record(3), v.edit(record(4)), record(5))
				if v.edit(record(2)) == record(2) {
					t.Fatal("the edit changes nothing")
				}
				c := &scopeCounter{}
				res, err := schema.Default().Validate(strings.NewReader(doc), c,
					schema.Options{SchemaErrors: schema.RecordScope, Concurrent: concurrent})
				if err != nil {
					t.Fatal(err)
				}
				if res.Records != 5 || len(c.issues) != 5 {
					t.Fatalf("records %d, handed over %d; want 5", res.Records, len(c.issues))
				}
				if len(res.Issues) == 0 {
					t.Fatal("no issue")
				}
				for _, is := range res.Issues {
					if is.Rule != rules.RSchema || (is.Record != 2 && is.Record != 4) || is.Field != v.field {
						t.Errorf("issue %v (record %d, field %s); want R.SCHEMA on %s of record 2 or 4", is, is.Record, is.Field, v.field)
					}
				}
				for idx := 1; idx <= 5; idx++ {
					bad := idx == 2 || idx == 4
					if got := len(c.issues[idx]) > 0; got != bad {
						t.Errorf("record %d: issues %v; want some: %v", idx, c.issues[idx], bad)
					}
				}

				// Under FileScope, the same issues are F.SCHEMA.
				res, err = schema.Default().Validate(strings.NewReader(doc), nil, schema.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Issues) == 0 {
					t.Fatal("file scope: no issue")
				}
				for _, is := range res.Issues {
					if is.Rule != rules.FSchema {
						t.Errorf("file scope: %v; want F.SCHEMA", is)
					}
				}
			})
		}
	}
}

// TestRecordScopeFileErrors checks that what is not inside one record stays
// F.SCHEMA under RecordScope: a record where none may be, an element among
// the records that is none, an attribute on a record element, and the
// header's own errors.
func TestRecordScopeFileErrors(t *testing.T) {
	good := feeFile(feeRecord(1), feeRecord(2))
	cases := []struct{ name, doc string }{
		{"record before the header", strings.Replace(good, "<Header>", feeRecord(9)+"<Header>", 1)},
		{"foreign element among records", strings.Replace(good, "<CASFeeUpdate>", "<Note>x</Note><CASFeeUpdate>", 1)},
		{"attribute on a record", strings.Replace(good, "<CASFeeUpdate>", `<CASFeeUpdate status="new">`, 1)},
		{"header value", strings.Replace(good, "4NUV7KB58", "4nuv7kb58", 1)},
		{"no records", feeFile()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := schema.Default().Validate(strings.NewReader(c.doc), &scopeCounter{}, schema.Options{SchemaErrors: schema.RecordScope})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Issues) == 0 {
				t.Fatal("no issue")
			}
			for _, is := range res.Issues {
				if is.Rule != rules.FSchema {
					t.Errorf("%v; want F.SCHEMA", is)
				}
			}
		})
	}
}

// TestRecordScopePastCap checks that a record whose schema errors lie past
// the cap on issues is still rejected on its own, with one R.SCHEMA issue
// that says so.
func TestRecordScopePastCap(t *testing.T) {
	bad := recordViolations[0].edit
	doc := feeFile(bad(feeRecord(1)), feeRecord(2), bad(feeRecord(3)))
	for _, concurrent := range []bool{false, true} {
		c := &scopeCounter{}
		res, err := schema.Default().Validate(strings.NewReader(doc), c,
			schema.Options{SchemaErrors: schema.RecordScope, MaxErrors: 1, Concurrent: concurrent})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Issues) != 1 || !res.Truncated {
			t.Fatalf("issues %v, truncated %v; want 1, truncated", res.Issues, res.Truncated)
		}
		got := c.issues[3]
		if len(got) != 1 || got[0].Rule != rules.RSchema || got[0].Record != 3 || got[0].Line == 0 || !strings.Contains(got[0].Message, "--max-errors") {
			t.Errorf("record 3: %+v; want one R.SCHEMA issue on its line saying its errors are past the cap", got)
		}
		if len(c.issues[2]) != 0 {
			t.Errorf("record 2: %v; want none", c.issues[2])
		}
	}
}

// TestRecordScopeNested checks an error inside an element of a record
// (an address of five lines, in record 6 of the valid student activity
// sample): R.SCHEMA on that record alone, and the records after it are
// validated as before (a bad date in record 7 is found, record 8 is clean).
func TestRecordScopeNested(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sampleDir, "valid", "studentactivity-v1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(b), "<AddressLine>27 Hill Street</AddressLine>",
		strings.Repeat("<AddressLine>27 Hill Street</AddressLine>", 4), 1)
	doc = strings.Replace(doc, "<PreviousNotificationDate>2026-10-16<", "<PreviousNotificationDate>2026-10-36<", 1)
	c := &scopeCounter{}
	res, err := schema.Default().Validate(strings.NewReader(doc), c, schema.Options{SchemaErrors: schema.RecordScope})
	if err != nil {
		t.Fatal(err)
	}
	for idx := 1; idx <= 8; idx++ {
		got := c.issues[idx]
		switch idx {
		case 6, 7:
			if len(got) != 1 || got[0].Rule != rules.RSchema {
				t.Errorf("record %d: %v; want one R.SCHEMA issue", idx, got)
			}
		default:
			if len(got) != 0 {
				t.Errorf("record %d: %v; want none", idx, got)
			}
		}
	}
	if len(res.Issues) != 2 || res.Issues[0].Field != "AddressLine" || res.Issues[1].Field != "PreviousNotificationDate" {
		t.Errorf("issues %v", res.Issues)
	}
}
