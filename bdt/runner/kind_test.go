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
