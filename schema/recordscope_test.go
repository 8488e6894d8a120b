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

// The records below are the samples' records (samples/01-accepted/inbox:
// 4NUV7KB58/noshow-2026-11-20.xml, NTMHWM0V3/wa-2026-11-20.xml, and
// samples/schema/valid/feeupdate-v1.xml), with certificate number n so that
// the five records of a file differ.

// noShowRecord is a valid NoShow record of noshow-v1 on CAS n.
func noShowRecord(n int) string {
	return fmt.Sprintf(`<NoShow>
    <SponsorReference>S%07d</SponsorReference>
    <CASNumber>CAS26%09d</CASNumber>
    <NoShowDate>2026-11-13</NoShowDate>
    <Reason>Did not complete enrolment by the final late-enrolment deadline.</Reason>
    <FamilyName>Mensah</FamilyName>
    <DateOfBirth>2003-08-22</DateOfBirth>
  </NoShow>`, n, n)
}

// noShowFile is a noshow-v1 file holding records.
func noShowFile(records ...string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<NoShowReport xmlns="urn:uk:gov:ukvi:sms:bdt:noshow:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>jsmith01</SMSUserId>
    <BulkReportingID>NS-2026-11-20</BulkReportingID>
    <CreatedAt>2026-11-20T17:10:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
  %s
</NoShowReport>
`, len(records), strings.Join(records, "\n  "))
}

// workerRecord is a valid WorkerActivity record of workeractivity-v1 on
// CoS n, with a last residential address.
func workerRecord(n int) string {
	return fmt.Sprintf(`<WorkerActivity>
    <SponsorReference>E%07d</SponsorReference>
    <CoSNumber>COS26%09d</CoSNumber>
    <ActivityType>WORKER_CHANGE_OF_ROLE_SALARY_OR_LOCATION</ActivityType>
    <EventDate>2026-11-16</EventDate>
    <Details>Work location moved from the Newry plant to the Lisburn plant.</Details>
    <FamilyName>Gómez</FamilyName>
    <DateOfBirth>1990-07-07</DateOfBirth>
    <LastResidentialAddress>
      <AddressLine>14 Quay Street</AddressLine>
      <Town>Newry</Town>
      <Postcode>BT35 6AB</Postcode>
    </LastResidentialAddress>
  </WorkerActivity>`, n, n)
}

// workerFile is a workeractivity-v1 file holding records.
func workerFile(records ...string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<WorkerActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:workeractivity:v1">
  <Header>
    <SponsorLicenceNumber>NTMHWM0V3</SponsorLicenceNumber>
    <SMSUserId>squinn</SMSUserId>
    <BulkReportingID>WA-2026-11-20</BulkReportingID>
    <CreatedAt>2026-11-20T09:00:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
  %s
</WorkerActivityReport>
`, len(records), strings.Join(records, "\n  "))
}

// feeV1Record is a valid CASFeeUpdate record of feeupdate-v1 on CAS n.
func feeV1Record(n int) string {
	return fmt.Sprintf(`<CASFeeUpdate>
    <SponsorReference>S%07d</SponsorReference>
    <CASNumber>CAS26%09d</CASNumber>
    <CourseFeesForFirstYearOnly>18500.00</CourseFeesForFirstYearOnly>
    <CourseFeesPaidToDate>9250.00</CourseFeesPaidToDate>
    <BoardingFeesPaidToDate>0</BoardingFeesPaidToDate>
    <CourseFeeIncludesAccomodationCosts>false</CourseFeeIncludesAccomodationCosts>
    <AccommodationFeesPaidToDate>2400.00</AccommodationFeesPaidToDate>
  </CASFeeUpdate>`, n, n)
}

// feeV1File is a feeupdate-v1 file holding records.
func feeV1File(records ...string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>fees.office</SMSUserId>
    <BulkUpdateFileId>FEES-2026-07-17</BulkUpdateFileId>
    <CreatedAt>2026-07-17T16:45:00+01:00</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
  %s
</FeeUpdate>
`, len(records), strings.Join(records, "\n  "))
}

// element returns the start and end of element tag (its first occurrence)
// in r.
func element(r, tag string) (int, int) {
	return strings.Index(r, "<"+tag+">"), strings.Index(r, "</"+tag+">") + len("</"+tag+">")
}

// setText edits the text of element tag to text.
func setText(tag, text string) func(string) string {
	return func(r string) string {
		i, j := element(r, tag)
		return r[:i] + "<" + tag + ">" + text + "</" + tag + ">" + r[j:]
	}
}

// drop removes element tag.
func drop(tag string) func(string) string {
	return func(r string) string {
		i, j := element(r, tag)
		return r[:i] + r[j:]
	}
}

// cutFrom ends record rec before its element tag.
func cutFrom(rec, tag string) func(string) string {
	return func(r string) string {
		i, _ := element(r, tag)
		return r[:i] + "</" + rec + ">"
	}
}

// insertBefore puts xml just before element tag.
func insertBefore(tag, xml string) func(string) string {
	return func(r string) string {
		return strings.Replace(r, "<"+tag+">", xml+"<"+tag+">", 1)
	}
}

// moveToEnd moves element tag to the end of record rec.
func moveToEnd(rec, tag string) func(string) string {
	return func(r string) string {
		i, j := element(r, tag)
		el := r[i:j]
		r = r[:i] + r[j:]
		return strings.Replace(r, "</"+rec+">", el+"</"+rec+">", 1)
	}
}

// TestRecordScopeKinds is TestRecordScope for the other record kinds of
// issue 14 (studentactivity-v1 is covered through the runner in
// runner/recordschema_test.go): per facet the kind's XSD has, and per
// content error (missing, unexpected, order), the violation in records 2
// and 4 of five is R.SCHEMA on those records alone under RecordScope, and
// F.SCHEMA under the default file scope.
func TestRecordScopeKinds(t *testing.T) {
	kinds := []struct {
		name   string
		file   func(...string) string
		record func(int) string
		vs     []violation
	}{
		{"noshow-v1", noShowFile, noShowRecord, []violation{
			{"pattern", "CASNumber", setText("CASNumber", "cas26000000001")},
			// enumeration: noshow-v1 has no element with an enumeration.
			{"length max", "FamilyName", setText("FamilyName", strings.Repeat("a", 251))},
			{"length min", "Reason", setText("Reason", "")},
			{"length reference", "SponsorReference", setText("SponsorReference", strings.Repeat("S", 65))},
			{"type date", "NoShowDate", setText("NoShowDate", "2026-11-31")},
			{"type date optional", "DateOfBirth", setText("DateOfBirth", "22/08/2003")},
			{"missing", "NoShow", cutFrom("NoShow", "NoShowDate")}, // the record ends before its NoShowDate
			{"missing in the middle", "NoShowDate", drop("CASNumber")},
			{"unexpected", "Tuition", insertBefore("NoShowDate", "<Tuition>1</Tuition>")},
			{"order", "SponsorReference", moveToEnd("NoShow", "SponsorReference")},
		}},
		{"workeractivity-v1", workerFile, workerRecord, []violation{
			{"pattern", "CoSNumber", setText("CoSNumber", "COS-26-0000001")},
			{"pattern nested", "Postcode", setText("Postcode", "BT35 6A")},
			{"enumeration", "ActivityType", setText("ActivityType", "STUDENT_ABSENT")},
			{"length max", "FamilyName", setText("FamilyName", strings.Repeat("a", 251))},
			{"length min", "Details", setText("Details", "")},
			{"length nested", "AddressLine", setText("AddressLine", strings.Repeat("a", 101))},
			{"type date", "EventDate", setText("EventDate", "2026-13-16")},
			{"type date optional", "DateOfBirth", setText("DateOfBirth", "1990-7-7")},
			{"missing", "WorkerActivity", cutFrom("WorkerActivity", "ActivityType")}, // the record ends before its ActivityType
			{"missing in the middle", "EventDate", drop("ActivityType")},
			{"missing nested", "Postcode", drop("Town")}, // seen as the next element unexpected
			{"unexpected", "Tuition", insertBefore("EventDate", "<Tuition>1</Tuition>")},
			{"order", "SponsorReference", moveToEnd("WorkerActivity", "SponsorReference")},
		}},
		{"feeupdate-v1", feeV1File, feeV1Record, []violation{
			{"pattern", "CourseFeesPaidToDate", setText("CourseFeesPaidToDate", "1234.999")},
			{"pattern leading zero", "BoardingFeesPaidToDate", setText("BoardingFeesPaidToDate", "00")},
			// enumeration: feeupdate-v1 has no element with an enumeration.
			{"length", "SponsorReference", setText("SponsorReference", strings.Repeat("S", 65))},
			{"type boolean", "CourseFeeIncludesAccomodationCosts", setText("CourseFeeIncludesAccomodationCosts", "yes")},
			{"type decimal", "AccommodationFeesPaidToDate", setText("AccommodationFeesPaidToDate", "£2400")},
			{"missing", "CASFeeUpdate", cutFrom("CASFeeUpdate", "CASNumber")}, // the record ends before its CASNumber
			{"missing in the middle", "CourseFeesForFirstYearOnly", drop("CASNumber")},
			{"unexpected", "FamilyName", insertBefore("CourseFeesPaidToDate", "<FamilyName>Mensah</FamilyName>")},
			{"order", "CourseFeesForFirstYearOnly", moveToEnd("CASFeeUpdate", "CourseFeesForFirstYearOnly")},
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			checkRecordScope(t, k.file, k.record, k.vs)
		})
	}
}
