package schema_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bdt/rules"
	"bdt/schema"
)

// sampleDir holds the schema samples: valid/ has one valid file of every
// kind and version, named after the format; invalid/ has files that each
// break one thing, named after what they break.
const sampleDir = "../samples/schema"

// sampleCounter is a Handler that keeps the header and counts the records
// the validator hands over.
type sampleCounter struct {
	header  *schema.Header
	records int
	indexes []int
	issues  []int // len(Record.Issues) of each record
}

func (c *sampleCounter) Header(h *schema.Header) error { c.header = h; return nil }

func (c *sampleCounter) Record(r *schema.Record) error {
	c.records++
	c.indexes = append(c.indexes, r.Index)
	c.issues = append(c.issues, len(r.Issues))
	return nil
}

func validateSample(t *testing.T, path string, h schema.Handler, opt schema.Options) *schema.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := schema.Default().Validate(f, h, opt)
	if err != nil {
		t.Fatalf("Validate(%s): %v", path, err)
	}
	return res
}

func TestValidSamples(t *testing.T) {
	// Every BDT file kind and version has a valid sample, and nothing else does.
	want := map[string]bool{}
	for _, f := range schema.Formats() {
		if f.Record != "" && f.Kind != "register" && f.Kind != "result" {
			want[f.Name] = true
		}
	}
	paths, err := filepath.Glob(filepath.Join(sampleDir, "valid", "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range paths {
		have[strings.TrimSuffix(filepath.Base(p), ".xml")] = true
	}
	for name := range want {
		if !have[name] {
			t.Errorf("no valid sample for format %s", name)
		}
	}

	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".xml")
		t.Run(name, func(t *testing.T) {
			if !want[name] {
				t.Fatalf("valid sample %s is not named after a BDT format", p)
			}
			c := &sampleCounter{}
			res := validateSample(t, p, c, schema.Options{})
			for _, is := range res.Issues {
				t.Errorf("issue %s at line %d (%s): %s", is.Rule, is.Line, is.Path, is.Message)
			}
			if !res.Valid() {
				t.Fatalf("Valid() = false")
			}
			if res.Format.Name != name {
				t.Errorf("Format = %q, want %q", res.Format.Name, name)
			}
			if c.header == nil {
				t.Fatalf("Handler.Header was not called")
			}
			if c.header.Licence != "4NUV7KB58" {
				t.Errorf("header licence = %q, want 4NUV7KB58", c.header.Licence)
			}
			if c.records < 2 {
				t.Errorf("%d records; a sample should have several", c.records)
			}
			if res.Records != c.records {
				t.Errorf("Result.Records = %d, handler saw %d", res.Records, c.records)
			}
			if int64(res.Records) != int64(c.header.RecordCount) {
				t.Errorf("Result.Records = %d, header RecordCount = %d", res.Records, c.header.RecordCount)
			}
			for i, idx := range c.indexes {
				if idx != i+1 {
					t.Errorf("record %d has Index %d, want %d", i+1, idx, i+1)
				}
			}
		})
	}
}

// invalidSamples says, for every file in invalid/, which rule the validator
// cites and at which lines (every issue of the file, in order); the element
// path, record (1-based; 0 in the header or for the whole file) and a piece
// of the message (the offending value or element) of the first issue.
var invalidSamples = []struct {
	file    string
	rule    rules.RuleID
	lines   []int
	path    string
	record  int
	mention string
}{
	// header
	{"licence-8-chars.xml", "F.SCHEMA", []int{5}, "/NoShowReport/Header/SponsorLicenceNumber", 0, "'4NUV7KB5'"},
	{"licence-lower-case.xml", "F.SCHEMA", []int{5}, "/NoShowReport/Header/SponsorLicenceNumber", 0, "'4nuv7kb58'"},
	{"user-id-too-short.xml", "F.SCHEMA", []int{6}, "/FeeUpdate/Header/SMSUserId", 0, "'js'"},
	{"datetime-without-time.xml", "F.SCHEMA", []int{8}, "/WorkerActivityReport/Header/CreatedAt", 0, "'2026-06-12'"},
	{"recordcount-not-a-number.xml", "F.SCHEMA", []int{9}, "/NoShowReport/Header/RecordCount", 0, "'two'"},
	// certificate numbers
	{"cas-13-chars.xml", "F.SCHEMA", []int{16}, "/NoShowReport/NoShow[2]/CASNumber", 2, "'CAS2600000002'"},
	{"cas-lower-case.xml", "F.SCHEMA", []int{16}, "/FeeUpdate/CASFeeUpdate[2]/CASNumber", 2, "'cas26000000102'"},
	{"cas-with-spaces.xml", "F.SCHEMA", []int{12}, "/NoShowReport/NoShow[1]/CASNumber", 1, "' CAS26000000001 '"},
	// amounts and booleans
	{"amount-one-decimal.xml", "F.SCHEMA", []int{14}, "/FeeUpdate/CASFeeUpdate[1]/CourseFeesPaidToDate", 1, "'9250.5'"},
	{"amount-negative.xml", "F.SCHEMA", []int{17}, "/FeeUpdate/CASFeeUpdate[2]/AccommodationFeesPaidToDate", 2, "'-150.00'"},
	{"amount-pound-sign.xml", "F.SCHEMA", []int{13}, "/FeeUpdate/CASFeeUpdate[1]/CourseFeesPaidToDate", 1, "'£9250.00'"},
	{"amount-thousands-separator.xml", "F.SCHEMA", []int{13}, "/FeeUpdate/CASFeeUpdate[1]/CourseFeesForFirstYearOnly", 1, "'18,500.00'"},
	{"boolean-yes.xml", "F.SCHEMA", []int{14}, "/FeeUpdate/CASFeeUpdate[1]/CourseFeeIncludesAccomodationCosts", 1, "'yes'"},
	// activity codes
	{"activity-code-unknown.xml", "F.SCHEMA", []int{19}, "/StudentActivityReport/StudentActivity[2]/ActivityType", 2, "'STUDENT_GRADUATED'"},
	{"student-code-in-worker-file.xml", "F.SCHEMA", []int{13}, "/WorkerActivityReport/WorkerActivity[1]/ActivityType", 1, "'STUDENT_DISCONTINUED'"},
	{"worker-code-in-student-file.xml", "F.SCHEMA", []int{13}, "/StudentActivityReport/StudentActivity[1]/ActivityType", 1, "'WORKER_ABSENT'"},
	// dates
	{"date-not-iso.xml", "F.SCHEMA", []int{17}, "/NoShowReport/NoShow[2]/NoShowDate", 2, "'28/09/2026'"},
	{"date-no-such-day.xml", "F.SCHEMA", []int{14}, "/StudentActivityReport/StudentActivity[1]/EventDate", 1, "'2026-02-30'"},
	// structure
	{"missing-cas-number.xml", "F.SCHEMA", []int{17}, "/NoShowReport/NoShow[2]/NoShowDate", 2, "CASNumber"},
	{"element-out-of-order.xml", "F.SCHEMA", []int{15}, "/NoShowReport/NoShow[1]/Reason", 1, "Reason"},
	{"unknown-element.xml", "F.SCHEMA", []int{16}, "/StudentActivityReport/StudentActivity[1]/Nationality", 1, "Nationality"},
	{"address-five-lines.xml", "F.SCHEMA", []int{20}, "/StudentActivityReport/StudentActivity[1]/LastResidentialAddress/AddressLine[5]", 1, "AddressLine"},
	{"name-251-chars.xml", "F.SCHEMA", []int{15}, "/WorkerActivityReport/WorkerActivity[1]/FamilyName", 1, "251"},
	{"v2-element-in-v1.xml", "F.SCHEMA", []int{14}, "/FeeUpdate/CASFeeUpdate[1]/FamilyName", 1, "FamilyName"},
	// kind and well-formedness
	{"wrong-namespace.xml", "F.KIND", []int{3}, "/NoShowReport", 0, "urn:uk:gov:ukvi:sms:bdt:noshow:v9"},
	{"unclosed-tag.xml", "F.WELLFORMED", []int{15}, "/NoShowReport/NoShow[1]/Reason", 0, "Reason"},
}

func TestInvalidSamples(t *testing.T) {
	// Every file in invalid/ has an expectation, and every expectation a file.
	paths, err := filepath.Glob(filepath.Join(sampleDir, "invalid", "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tc := range invalidSamples {
		listed[tc.file] = true
	}
	for _, p := range paths {
		if !listed[filepath.Base(p)] {
			t.Errorf("invalid sample %s has no expectation in invalidSamples", filepath.Base(p))
		}
	}

	for _, tc := range invalidSamples {
		t.Run(strings.TrimSuffix(tc.file, ".xml"), func(t *testing.T) {
			res := validateSample(t, filepath.Join(sampleDir, "invalid", tc.file), nil, schema.Options{})
			if res.Valid() {
				t.Fatalf("Valid() = true, want %s at lines %v", tc.rule, tc.lines)
			}
			var lines []int
			for _, is := range res.Issues {
				if is.Rule != tc.rule {
					t.Errorf("issue %s at line %d: %s; want only %s", is.Rule, is.Line, is.Message, tc.rule)
				}
				if is.Message == "" {
					t.Errorf("issue at line %d has no message", is.Line)
				}
				lines = append(lines, is.Line)
			}
			if fmt.Sprint(lines) != fmt.Sprint(tc.lines) {
				t.Fatalf("issue lines = %v, want %v; issues:\n%s", lines, tc.lines, sampleIssueList(res.Issues))
			}
			first := res.Issues[0]
			if first.Path != tc.path {
				t.Errorf("issue path = %q, want %q", first.Path, tc.path)
			}
			if first.Record != tc.record {
				t.Errorf("issue record = %d, want %d", first.Record, tc.record)
			}
			if !strings.Contains(first.Message, tc.mention) {
				t.Errorf("issue message %q does not mention %s", first.Message, tc.mention)
			}
			if first.Parser != (tc.rule == "F.WELLFORMED") {
				t.Errorf("issue Parser = %v for rule %s", first.Parser, tc.rule)
			}
			if res.Truncated {
				t.Errorf("Truncated = true for %d issue(s)", len(res.Issues))
			}
		})
	}
}

func sampleIssueList(issues []schema.Issue) string {
	var b strings.Builder
	for _, is := range issues {
		fmt.Fprintf(&b, "  %s line %d col %d record %d %s: %s\n", is.Rule, is.Line, is.Column, is.Record, is.Path, is.Message)
	}
	return b.String()
}

// manyErrorsDoc builds a no-show report of n records in which every record has
// exactly one schema error (odd records a 13-character CAS number, even ones
// a date written 28/09/2026), and returns it with the line of each error.
func manyErrorsDoc(n int) ([]byte, []int) {
	var b bytes.Buffer
	line := 1
	put := func(s string) { b.WriteString(s); b.WriteByte('\n'); line++ }
	put(`<?xml version="1.0" encoding="UTF-8"?>`)
	put(`<NoShowReport xmlns="urn:uk:gov:ukvi:sms:bdt:noshow:v1">`)
	put(`  <Header>`)
	put(`    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>`)
	put(`    <SMSUserId>jsmith01</SMSUserId>`)
	put(`    <BulkReportingID>NS-MANY-ERRORS</BulkReportingID>`)
	put(`    <CreatedAt>2026-10-09T17:00:00Z</CreatedAt>`)
	put(fmt.Sprintf(`    <RecordCount>%d</RecordCount>`, n))
	put(`  </Header>`)
	var lines []int
	for i := 1; i <= n; i++ {
		put(`  <NoShow>`)
		if i%2 == 1 {
			lines = append(lines, line)
			put(fmt.Sprintf(`    <CASNumber>CAS2600%06d</CASNumber>`, i))
			put(`    <NoShowDate>2026-09-28</NoShowDate>`)
		} else {
			put(fmt.Sprintf(`    <CASNumber>CAS260000%05d</CASNumber>`, i))
			lines = append(lines, line)
			put(`    <NoShowDate>28/09/2026</NoShowDate>`)
		}
		put(`  </NoShow>`)
	}
	put(`</NoShowReport>`)
	return b.Bytes(), lines
}

func TestManySchemaErrors(t *testing.T) {
	const n = 250
	doc, wantLines := manyErrorsDoc(n)
	tests := []struct {
		name      string
		maxErrors int
		want      int
		truncated bool
	}{
		{"default cap", 0, n, false},
		{"cap above", n + 1, n, false},
		{"cap exactly", n, n, false},
		{"cap below", 100, 100, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &sampleCounter{}
			res, err := schema.Default().Validate(bytes.NewReader(doc), c, schema.Options{MaxErrors: tc.maxErrors})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid() {
				t.Fatal("Valid() = true")
			}
			if res.Format.Name != "noshow-v1" {
				t.Errorf("Format = %q, want noshow-v1", res.Format.Name)
			}
			if len(res.Issues) != tc.want {
				t.Fatalf("%d issues, want %d", len(res.Issues), tc.want)
			}
			if res.Truncated != tc.truncated {
				t.Errorf("Truncated = %v, want %v", res.Truncated, tc.truncated)
			}
			for i, is := range res.Issues {
				elem := "CASNumber"
				if (i+1)%2 == 0 {
					elem = "NoShowDate"
				}
				path := fmt.Sprintf("/NoShowReport/NoShow[%d]/%s", i+1, elem)
				if is.Rule != "F.SCHEMA" || is.Line != wantLines[i] || is.Record != i+1 || is.Path != path {
					t.Errorf("issue %d: %s line %d record %d %s, want F.SCHEMA line %d record %d %s (%s)",
						i+1, is.Rule, is.Line, is.Record, is.Path, wantLines[i], i+1, path, is.Message)
				}
			}
			if res.Records != n || c.records != n {
				t.Errorf("Records = %d, handler saw %d, want %d", res.Records, c.records, n)
			}
			if !tc.truncated {
				for i, k := range c.issues {
					if k != 1 {
						t.Errorf("record %d carries %d issues, want 1", i+1, k)
					}
				}
			}
		})
	}
}

// facetDoc builds a file of format name holding one record whose content is
// body (the record's child elements).
func facetDoc(t *testing.T, name, body string) []byte {
	t.Helper()
	f, ok := schema.ByName(name)
	if !ok {
		t.Fatalf("no format %s", name)
	}
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<%[1]s xmlns="%[2]s">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>jsmith01</SMSUserId>
    <%[3]s>FACETS-1</%[3]s>
    <CreatedAt>2026-10-09T17:00:00Z</CreatedAt>
    <RecordCount>1</RecordCount>
  </Header>
  <%[4]s>%[5]s</%[4]s>
</%[1]s>
`, f.Root, f.Namespace, f.FileIDElement, f.Record, body))
}

// TestRecordFacets checks the XSDs' decisions one facet at a time, on a file
// of one record: what must be valid (boundaries, and the records the rules
// engine rather than the schema rejects) and what must not. want is the
// element path of the single issue, relative to the record, or "" for valid.
func TestRecordFacets(t *testing.T) {
	const cas = "<CASNumber>CAS26000000001</CASNumber>"
	const cos = "<CoSNumber>COS26000000001</CoSNumber>"
	const fee = cas + "<CourseFeesPaidToDate>100.00</CourseFeesPaidToDate>"
	name := func(n int) string { return strings.Repeat("n", n) }
	addr := func(lines ...string) string {
		s := "<LastResidentialAddress>"
		for _, l := range lines {
			s += l
		}
		return s + "</LastResidentialAddress>"
	}
	line := "<AddressLine>27 Hill Street</AddressLine>"
	town := "<Town>Sheffield</Town>"
	sa := func(typ, extra string) string {
		return cas + "<ActivityType>" + typ + "</ActivityType><EventDate>2026-11-06</EventDate>" + extra
	}
	wa := func(typ, extra string) string {
		return cos + "<ActivityType>" + typ + "</ActivityType><EventDate>2026-06-01</EventDate>" + extra
	}
	tests := []struct {
		name   string
		format string
		body   string
		want   string
	}{
		// no-show
		{"noshow minimal", "noshow-v1", cas + "<NoShowDate>2026-09-28</NoShowDate>", ""},
		{"noshow every field", "noshow-v1", "<SponsorReference>S1</SponsorReference>" + cas +
			"<NoShowDate>2026-09-28</NoShowDate><Reason>Deferred.</Reason><FamilyName>Okafor</FamilyName><DateOfBirth>2005-04-17</DateOfBirth>", ""},
		{"noshow without date", "noshow-v1", cas, "/"},
		{"cas 15 chars", "noshow-v1", "<CASNumber>CAS260000000001</CASNumber><NoShowDate>2026-09-28</NoShowDate>", "/CASNumber"},
		{"empty reason", "noshow-v1", cas + "<NoShowDate>2026-09-28</NoShowDate><Reason></Reason>", "/Reason"},
		{"name of 250 chars", "noshow-v1", cas + "<NoShowDate>2026-09-28</NoShowDate><FamilyName>" + name(250) + "</FamilyName>", ""},
		{"name of 251 chars", "noshow-v1", cas + "<NoShowDate>2026-09-28</NoShowDate><FamilyName>" + name(251) + "</FamilyName>", "/FamilyName"},
		{"name of spaces only", "noshow-v1", cas + "<NoShowDate>2026-09-28</NoShowDate><FamilyName>   </FamilyName>", "/FamilyName"},
		{"reference of 64 chars", "noshow-v1", "<SponsorReference>" + name(64) + "</SponsorReference>" + cas + "<NoShowDate>2026-09-28</NoShowDate>", ""},
		{"reference of 65 chars", "noshow-v1", "<SponsorReference>" + name(65) + "</SponsorReference>" + cas + "<NoShowDate>2026-09-28</NoShowDate>", "/SponsorReference"},
		{"reference after cas", "noshow-v1", cas + "<SponsorReference>S1</SponsorReference><NoShowDate>2026-09-28</NoShowDate>", "/SponsorReference"},

		// fee update: every fee field optional, R.FEE.PRESENT is the engine's
		{"fee record without fees", "feeupdate-v1", cas, ""},
		{"fee record without fees v2", "feeupdate-v2", cas, ""},
		{"boolean 1", "feeupdate-v1", fee + "<CourseFeeIncludesAccomodationCosts>1</CourseFeeIncludesAccomodationCosts>", ""},
		{"boolean True", "feeupdate-v1", fee + "<CourseFeeIncludesAccomodationCosts>True</CourseFeeIncludesAccomodationCosts>", "/CourseFeeIncludesAccomodationCosts"},
		{"correctly spelt accommodation", "feeupdate-v1", fee + "<CourseFeeIncludesAccommodationCosts>true</CourseFeeIncludesAccommodationCosts>", "/CourseFeeIncludesAccommodationCosts"},
		{"fees out of order", "feeupdate-v1", cas + "<CourseFeesPaidToDate>1</CourseFeesPaidToDate><CourseFeesForFirstYearOnly>1</CourseFeesForFirstYearOnly>", "/CourseFeesForFirstYearOnly"},
		{"v2 identity", "feeupdate-v2", fee + "<FamilyName>Okafor</FamilyName><DateOfBirth>2005-04-17</DateOfBirth>", ""},
		{"v2 identity in v1", "feeupdate-v1", fee + "<DateOfBirth>2005-04-17</DateOfBirth>", "/DateOfBirth"},
		{"v2 identity out of order", "feeupdate-v2", fee + "<DateOfBirth>2005-04-17</DateOfBirth><FamilyName>Okafor</FamilyName>", "/FamilyName"},
		{"v2 identity before fees", "feeupdate-v2", cas + "<FamilyName>Okafor</FamilyName><CourseFeesPaidToDate>1</CourseFeesPaidToDate>", "/CourseFeesPaidToDate"},

		// student activity: conditional fields are the engine's to require
		{"withdrawn without address", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", ""), ""},
		{"early completion without date", "studentactivity-v1", sa("STUDENT_EARLY_COMPLETION", ""), ""},
		{"previous withdrawn without date", "studentactivity-v1", sa("STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", ""), ""},
		{"every student field", "studentactivity-v1", "<SponsorReference>S1</SponsorReference>" + sa("STUDENT_OTHER_CHANGE",
			"<Details>d</Details><FamilyName>Okafor</FamilyName><DateOfBirth>2005-04-17</DateOfBirth>"+addr(line, town)+
				"<EarlyCompletionDate>2027-01-29</EarlyCompletionDate><PreviousNotificationDate>2026-10-16</PreviousNotificationDate>"), ""},
		{"worker field in student record", "studentactivity-v1", sa("STUDENT_ABSENT", "<FirstDayOfAbsence>2026-10-12</FirstDayOfAbsence>"), "/FirstDayOfAbsence"},
		{"cos number in student record", "studentactivity-v1", cos + "<ActivityType>STUDENT_ABSENT</ActivityType><EventDate>2026-11-06</EventDate>", "/CoSNumber"},
		{"activity code lower case", "studentactivity-v1", sa("student_absent", ""), "/ActivityType"},
		{"details of 4000 chars", "studentactivity-v1", sa("STUDENT_ABSENT", "<Details>"+name(4000)+"</Details>"), ""},
		{"details of 4001 chars", "studentactivity-v1", sa("STUDENT_ABSENT", "<Details>"+name(4001)+"</Details>"), "/Details"},

		// addresses
		{"address of four lines and every contact", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN",
			addr(line, line, line, line, town, "<Postcode>S1 2AB</Postcode><Phone>+44 (0)114 496 0000</Phone><Email>a.b@example.ac.uk</Email>")), ""},
		{"address without lines", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(town)), "/LastResidentialAddress/Town"},
		{"address without town", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, "<Postcode>S1 2AB</Postcode>")), "/LastResidentialAddress/Postcode"},
		{"postcode lower case without space", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, town, "<Postcode>sw1a1aa</Postcode>")), ""},
		{"postcode not a UK one", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, town, "<Postcode>75001</Postcode>")), "/LastResidentialAddress/Postcode"},
		{"phone of letters", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, town, "<Phone>call me</Phone>")), "/LastResidentialAddress/Phone"},
		{"email without at", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, town, "<Email>a.example.com</Email>")), "/LastResidentialAddress/Email"},
		{"email with a space", "studentactivity-v1", sa("STUDENT_SPONSORSHIP_WITHDRAWN", addr(line, town, "<Email>a b@example.com</Email>")), "/LastResidentialAddress/Email"},

		// worker activity
		{"worker withdrawn without address", "workeractivity-v1", wa("WORKER_SPONSORSHIP_WITHDRAWN", ""), ""},
		{"worker previous withdrawn without date", "workeractivity-v1", wa("WORKER_PREVIOUS_NOTIFICATION_WITHDRAWN", ""), ""},
		{"every worker field", "workeractivity-v1", "<SponsorReference>E1</SponsorReference>" + wa("WORKER_ABSENT",
			"<Details>d</Details><FamilyName>Fernandes</FamilyName><DateOfBirth>1991-08-03</DateOfBirth>"+addr(line, town)+
				"<FirstDayOfAbsence>2026-05-11</FirstDayOfAbsence><NewEmployer>Northfield Ltd</NewEmployer><PreviousNotificationDate>2026-04-24</PreviousNotificationDate>"), ""},
		{"new employer of 251 chars", "workeractivity-v1", wa("WORKER_STOPPED_WORKING", "<NewEmployer>"+name(251)+"</NewEmployer>"), "/NewEmployer"},
		{"student field in worker record", "workeractivity-v1", wa("WORKER_STOPPED_WORKING", "<EarlyCompletionDate>2026-06-01</EarlyCompletionDate>"), "/EarlyCompletionDate"},
		{"cas number in worker record", "workeractivity-v1", cas + "<ActivityType>WORKER_ABSENT</ActivityType><EventDate>2026-06-01</EventDate>", "/CASNumber"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkFacet(t, tc.format, tc.body, tc.want)
		})
	}
}

// checkFacet validates a one-record file of format name and checks that it
// is valid (want "") or has exactly one F.SCHEMA issue, at the element path
// want below the record ("/" for the record element itself).
func checkFacet(t *testing.T, name, body, want string) {
	t.Helper()
	f, _ := schema.ByName(name)
	res, err := schema.Default().Validate(bytes.NewReader(facetDoc(t, name, body)), nil, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want == "" {
		if !res.Valid() {
			t.Fatalf("want valid, got:\n%s", sampleIssueList(res.Issues))
		}
		if res.Records != 1 {
			t.Errorf("Records = %d, want 1", res.Records)
		}
		return
	}
	path := "/" + f.Root + "/" + f.Record + "[1]" + strings.TrimSuffix(want, "/")
	if len(res.Issues) != 1 || res.Issues[0].Rule != "F.SCHEMA" || res.Issues[0].Path != path || res.Issues[0].Record != 1 {
		t.Fatalf("want one F.SCHEMA issue at %s in record 1, got:\n%s", path, sampleIssueList(res.Issues))
	}
}

// TestAmountFacet checks the Amount type against rules.ParseMoney: the XSD
// and the rules engine (which reads amounts typed on a screen) must agree on
// every amount, valid or not.
func TestAmountFacet(t *testing.T) {
	tests := []struct {
		amount string
		valid  bool
	}{
		{"0", true},
		{"0.00", true},
		{"0.50", true},
		{"7", true},
		{"1234", true},
		{"1234.99", true},
		{"999999999", true},
		{"999999999.99", true},
		{" 1234.50 ", true}, // white space around a decimal is collapsed
		{"1000000000", false},
		{"1234.5", false},
		{"1234.999", false},
		{"1234.", false},
		{".50", false},
		{"01234", false},
		{"00", false},
		{"-1", false},
		{"-0.00", false},
		{"+100", false},
		{"£1234", false},
		{"1,234.00", false},
		{"1 234", false},
		{"1e3", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.amount), func(t *testing.T) {
			_, perr := rules.ParseMoney(tc.amount)
			if (perr == nil) != tc.valid {
				t.Errorf("rules.ParseMoney(%q) error = %v, want valid %v", tc.amount, perr, tc.valid)
			}
			want := ""
			if !tc.valid {
				want = "/CourseFeesPaidToDate"
			}
			checkFacet(t, "feeupdate-v2", "<CASNumber>CAS26000000001</CASNumber><CourseFeesPaidToDate>"+tc.amount+"</CourseFeesPaidToDate>", want)
		})
	}
}

// TestActivityCodes checks that each activity type enumeration of the XSD
// holds exactly the codes of the rules engine, each valid in its own kind of
// file and invalid in the other.
func TestActivityCodes(t *testing.T) {
	student := []rules.ActivityType{rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent,
		rules.StudentSuspended, rules.StudentEarlyCompletion, rules.StudentSponsorshipWithdrawn,
		rules.StudentPreviousWithdrawn, rules.StudentOtherChange}
	worker := []rules.ActivityType{rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent,
		rules.WorkerChange, rules.WorkerSponsorshipWithdrawn, rules.WorkerPreviousWithdrawn}
	common := parseSampleXSD(t, "xsd/common.xsd")
	tests := []struct {
		simpleType string
		codes      []rules.ActivityType
		own, other string
		certOwn    string
		certOther  string
	}{
		{"StudentActivityType", student, "studentactivity-v1", "workeractivity-v1",
			"<CASNumber>CAS26000000001</CASNumber>", "<CoSNumber>COS26000000001</CoSNumber>"},
		{"WorkerActivityType", worker, "workeractivity-v1", "studentactivity-v1",
			"<CoSNumber>COS26000000001</CoSNumber>", "<CASNumber>CAS26000000001</CASNumber>"},
	}
	for _, tc := range tests {
		t.Run(tc.simpleType, func(t *testing.T) {
			var inXSD []string
			for _, st := range common.find("simpleType") {
				if st.attr("name") == tc.simpleType {
					for _, e := range st.find("enumeration") {
						inXSD = append(inXSD, e.attr("value"))
					}
				}
			}
			var inRules []string
			for _, c := range tc.codes {
				inRules = append(inRules, string(c))
			}
			if fmt.Sprint(inXSD) != fmt.Sprint(inRules) {
				t.Errorf("%s enumerates %v; the rules engine has %v", tc.simpleType, inXSD, inRules)
			}
			for _, c := range inRules {
				body := "<ActivityType>" + c + "</ActivityType><EventDate>2026-06-01</EventDate>"
				checkFacet(t, tc.own, tc.certOwn+body, "")
				checkFacet(t, tc.other, tc.certOther+body, "/ActivityType")
			}
		})
	}
}

// sampleXSDNode is an element of an XSD, read generically.
type sampleXSDNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr       `xml:",any,attr"`
	Nodes   []*sampleXSDNode `xml:",any"`
	Text    string           `xml:",chardata"`
}

func (n *sampleXSDNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// find returns every XSD element called local at any depth below n.
func (n *sampleXSDNode) find(local string) []*sampleXSDNode {
	var out []*sampleXSDNode
	for _, c := range n.Nodes {
		if c.XMLName.Space == sampleXSNamespace && c.XMLName.Local == local {
			out = append(out, c)
		}
		out = append(out, c.find(local)...)
	}
	return out
}

const sampleXSNamespace = "http://www.w3.org/2001/XMLSchema"

func parseSampleXSD(t *testing.T, file string) *sampleXSDNode {
	t.Helper()
	b, err := schema.Source(file)
	if err != nil {
		t.Fatal(err)
	}
	var n sampleXSDNode
	if err := xml.Unmarshal(b, &n); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &n
}

// TestXSDsDocumented checks the schemas are written for people too: the
// schema, every element, type and enumeration value has an xs:annotation
// with a non-empty xs:documentation; and each kind's XSD is a chameleon
// includer of common.xsd in its catalogue namespace.
func TestXSDsDocumented(t *testing.T) {
	files := []string{"xsd/common.xsd"}
	for _, f := range schema.Formats() {
		if f.Record != "" {
			files = append(files, f.File)
		}
	}
	for _, file := range files {
		t.Run(strings.TrimPrefix(file, "xsd/"), func(t *testing.T) {
			root := parseSampleXSD(t, file)
			all := []*sampleXSDNode{root}
			for _, kind := range []string{"element", "simpleType", "complexType", "enumeration"} {
				all = append(all, root.find(kind)...)
			}
			for _, n := range all {
				doc := ""
				for _, a := range n.Nodes {
					if a.XMLName.Space == sampleXSNamespace && a.XMLName.Local == "annotation" {
						for _, d := range a.find("documentation") {
							doc += strings.TrimSpace(d.Text)
						}
					}
				}
				if doc == "" {
					t.Errorf("xs:%s %q has no xs:documentation", n.XMLName.Local, n.attr("name")+n.attr("value"))
				}
			}
			if root.attr("elementFormDefault") != "qualified" {
				t.Errorf("elementFormDefault = %q, want qualified", root.attr("elementFormDefault"))
			}
			if file == "xsd/common.xsd" {
				if ns := root.attr("targetNamespace"); ns != "" {
					t.Errorf("common.xsd has targetNamespace %q; it must have none (a chameleon include)", ns)
				}
				for _, e := range root.Nodes {
					if e.XMLName.Local == "element" {
						t.Errorf("common.xsd declares the global element %s; it holds types only", e.attr("name"))
					}
				}
				return
			}
			var f schema.Format
			for _, g := range schema.Formats() {
				if g.File == file {
					f = g
				}
			}
			if ns := root.attr("targetNamespace"); ns != f.Namespace {
				t.Errorf("targetNamespace = %q, want %q", ns, f.Namespace)
			}
			inc := root.find("include")
			if len(inc) != 1 || inc[0].attr("schemaLocation") != "common.xsd" {
				t.Errorf("want exactly one xs:include of common.xsd")
			}
			var globals []string
			for _, e := range root.Nodes {
				if e.XMLName.Local == "element" {
					globals = append(globals, e.attr("name"))
				}
			}
			if fmt.Sprint(globals) != fmt.Sprint([]string{f.Root}) {
				t.Errorf("global elements %v, want only the root %s", globals, f.Root)
			}
		})
	}
}
