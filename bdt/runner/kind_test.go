package runner_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"bdt/bdt/ledger"
)

// TestNotABDTFile: a register fixture or a result report put in a sponsor's
// inbox folder was ACCEPTED (no header, so no file rule ran; a second one
// then failed on the ledger's unique index and stayed pending for ever). It
// is REJECTED with F.KIND, and the register is unchanged.
func TestNotABDTFile(t *testing.T) {
	e := newEnv(t)
	before := e.export()
	reg, err := os.ReadFile("../../samples/register.xml")
	if err != nil {
		t.Fatal(err)
	}
	e.put("4NUV7KB58/register.xml", string(reg))
	e.put("4NUV7KB58/result.xml", `<BDTResult xmlns="urn:uk:gov:ukvi:sms:bdt:result:v1"/>`)
	sum := e.run(nil)
	if len(sum.Files) != 2 {
		t.Fatalf("%d files", len(sum.Files))
	}
	for _, key := range []string{"4NUV7KB58/register.xml", "4NUV7KB58/result.xml"} {
		if s := e.status(key); s != ledger.Rejected {
			t.Errorf("%s: %s", key, s)
		}
		name := strings.TrimSuffix(key, ".xml") + ".result.xml"
		if r := e.outbox_(name); !strings.Contains(r, `Rule="F.KIND"`) || !strings.Contains(r, "not a BDT file") {
			t.Errorf("%s:\n%s", name, r)
		}
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("the register changed")
	}
}

// TestUnreadableDate: xs:date takes years of five digits and negative
// years, which the engine's calendar does not read. Such a record was
// dropped without a word, and with it every record after it: the file came
// out ACCEPTED with none accepted and none rejected (found by FuzzDecode).
// Now the file is REJECTED with F.SCHEMA naming the field, and nothing of
// it is applied.
func TestUnreadableDate(t *testing.T) {
	for _, date := range []string{"-2026-11-20", "12026-11-20", "20288888886-11-20"} {
		t.Run(date, func(t *testing.T) {
			e := newEnv(t)
			before := e.export()
			e.put("4NUV7KB58/year.xml", studentFile("YEAR-1", "2026-11-20T10:00:00Z",
				rec{cas: "CAS26000000208", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "First."},
				rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: date, details: "Odd year."},
				rec{cas: "CAS26000000202", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "Third."}))
			e.run(nil)
			if s := e.status("4NUV7KB58/year.xml"); s != ledger.Rejected {
				t.Errorf("status %s", s)
			}
			r := e.outbox_("4NUV7KB58/year.result.xml")
			want := `<Finding Rule="F.SCHEMA" Severity="error" Field="EventDate"`
			if !strings.Contains(r, want) || !strings.Contains(r, "dates are written YYYY-MM-DD") || !strings.Contains(r, "[2]/EventDate") {
				t.Errorf("result report:\n%s", r)
			}
			if !bytes.Equal(before, e.export()) {
				t.Error("the register changed")
			}
		})
	}
}
