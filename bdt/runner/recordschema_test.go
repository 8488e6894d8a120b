package runner_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/runner"
	"bdt/schema"
)

// activityRecord is a valid student activity record on cas whose Details
// say which record it is ("Record n"), so that the register shows whether
// it was applied.
func activityRecord(n int, cas string) string {
	return fmt.Sprintf(`  <StudentActivity>
    <SponsorReference>S26%05d</SponsorReference>
    <CASNumber>%s</CASNumber>
    <ActivityType>STUDENT_OTHER_CHANGE</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>Record %d changed course.</Details>
  </StudentActivity>
`, n, cas, n)
}

// schemaViolations break one thing inside a student activity record, one
// per kind of schema violation the XSDs can give (a facet, the type, the
// content model), with the field the finding names.
var schemaViolations = []struct {
	name, field string
	edit        func(string) string
}{
	{"pattern", "CASNumber", func(r string) string { return strings.Replace(r, "<CASNumber>CAS", "<CASNumber>cas", 1) }},
	{"enumeration", "ActivityType", func(r string) string {
		return strings.Replace(r, "STUDENT_OTHER_CHANGE", "STUDENT_GRADUATED", 1)
	}},
	{"length", "Details", func(r string) string {
		return strings.Replace(r, "changed course.", strings.Repeat("x", 4001), 1)
	}},
	{"type", "EventDate", func(r string) string { return strings.Replace(r, "2026-11-20", "2026-11-31", 1) }},
	{"missing", "StudentActivity", func(r string) string {
		return r[:strings.Index(r, "    <EventDate>")] + "  </StudentActivity>\n"
	}},
	{"unexpected", "Colour", func(r string) string {
		return strings.Replace(r, "    <Details>", "    <Colour>red</Colour>\n    <Details>", 1)
	}},
	{"order", "Details", func(r string) string {
		i, j := strings.Index(r, "    <EventDate>"), strings.Index(r, "    <Details>")
		return r[:i] + r[j:strings.Index(r, "  </StudentActivity>")] + r[i:j] + "  </StudentActivity>\n"
	}},
	{"unreadable date", "EventDate", func(r string) string { return strings.Replace(r, "2026-11-20", "12026-11-20", 1) }},
}

// violationFile is a student activity file of five records, the third
// broken by edit.
func violationFile(edit func(string) string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>jsmith01</SMSUserId>
    <BulkReportingID>SCH-1</BulkReportingID>
    <CreatedAt>2026-11-22T10:00:00Z</CreatedAt>
    <RecordCount>5</RecordCount>
  </Header>
`)
	for i, cas := range []string{"CAS26000000201", "CAS26000000202", "CAS26000000204", "CAS26000000206", "CAS26000000208"} {
		r := activityRecord(i+1, cas)
		if i == 2 {
			r = edit(r)
		}
		b.WriteString(r)
	}
	b.WriteString("</StudentActivityReport>\n")
	return b.String()
}

// TestRecordSchemaError: under --schema-errors=record, a record with one
// schema violation among good ones is rejected alone with R.SCHEMA naming
// the field, and the four others are applied to the (SQLite) register;
// under --schema-errors=file, the same file is REJECTED with F.SCHEMA and
// the register is unchanged.
func TestRecordSchemaError(t *testing.T) {
	for _, v := range schemaViolations {
		t.Run(v.name, func(t *testing.T) {
			body := violationFile(v.edit)

			e := newEnv(t)
			e.put("4NUV7KB58/s.xml", body)
			e.run(func(c *runner.Config) { c.SchemaErrors = schema.RecordScope })
			if s := e.status("4NUV7KB58/s.xml"); s != ledger.PartiallyAccepted {
				t.Errorf("record scope: status %s, want PARTIALLY_ACCEPTED", s)
			}
			res := e.outbox_("4NUV7KB58/s.result.xml")
			want := fmt.Sprintf(`<Finding Rule="R.SCHEMA" Severity="error" Field="%s"`, v.field)
			if !strings.Contains(res, want) || strings.Count(res, `Rule="R.SCHEMA"`) != 1 ||
				!strings.Contains(res, `Accepted="4" Rejected="1"`) || strings.Contains(res, `Rule="F.SCHEMA"`) {
				t.Errorf("record scope: result report (want %s on record 3 alone):\n%s", want, res)
			}
			reg := e.export()
			for n := 1; n <= 5; n++ {
				applied := bytes.Contains(reg, fmt.Appendf(nil, "Record %d changed course.", n))
				if applied != (n != 3) {
					t.Errorf("record scope: record %d applied: %v", n, applied)
				}
			}

			e = newEnv(t)
			before := e.export()
			e.put("4NUV7KB58/s.xml", body)
			e.run(func(c *runner.Config) { c.SchemaErrors = schema.FileScope })
			if s := e.status("4NUV7KB58/s.xml"); s != ledger.Rejected {
				t.Errorf("file scope: status %s, want REJECTED", s)
			}
			if res := e.outbox_("4NUV7KB58/s.result.xml"); !strings.Contains(res, `Rule="F.SCHEMA"`) || strings.Contains(res, "R.SCHEMA") {
				t.Errorf("file scope: result report:\n%s", res)
			}
			if !bytes.Equal(before, e.export()) {
				t.Error("file scope: the register changed")
			}
		})
	}
}

// TestEveryRecordSchemaError: a file whose every record fails R.SCHEMA is
// REJECTED like any file whose records all fail, with nothing applied; and
// one rejected by a file rule (F.COUNT here) still reports its records'
// R.SCHEMA findings.
func TestEveryRecordSchemaError(t *testing.T) {
	bad := schemaViolations[0].edit
	body := strings.Join([]string{violationFile(bad)}, "")
	for _, cas := range []string{"201", "202", "206", "208"} {
		body = strings.Replace(body, "<CASNumber>CAS26000000"+cas, "<CASNumber>cas26000000"+cas, 1)
	}
	e := newEnv(t)
	before := e.export()
	e.put("4NUV7KB58/all.xml", body)
	e.put("4NUV7KB58/count.xml", strings.Replace(strings.Replace(violationFile(bad), "SCH-1", "SCH-2", 1), "<RecordCount>5<", "<RecordCount>6<", 1))
	e.run(func(c *runner.Config) { c.SchemaErrors = schema.RecordScope })
	if s := e.status("4NUV7KB58/all.xml"); s != ledger.Rejected {
		t.Errorf("status %s, want REJECTED", s)
	}
	if res := e.outbox_("4NUV7KB58/all.result.xml"); strings.Count(res, `Rule="R.SCHEMA"`) != 5 || !strings.Contains(res, `Accepted="0" Rejected="5"`) {
		t.Errorf("result report:\n%s", res)
	}
	if s := e.status("4NUV7KB58/count.xml"); s != ledger.Rejected {
		t.Errorf("count.xml: status %s, want REJECTED", s)
	}
	if res := e.outbox_("4NUV7KB58/count.result.xml"); !strings.Contains(res, `Rule="F.COUNT"`) || !strings.Contains(res, `Rule="R.SCHEMA"`) {
		t.Errorf("count.xml: result report:\n%s", res)
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("the register changed")
	}
}
