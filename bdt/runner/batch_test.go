package runner_test

import (
	"strings"
	"testing"

	"bdt/bdt/ledger"
)

// Records are decided in batches whose certificates are read together; a
// record naming a certificate that an earlier record of the same batch
// changed must see the change. Here the second record withdraws the report
// the first one made on the same CAS, and the fourth the one the third made,
// with unrelated records around them (so the batch is read once, then
// partly read again).
func TestBatchSeesEarlierRecordsOfTheFile(t *testing.T) {
	e := newEnv(t)
	e.put("4NUV7KB58/same-cas.xml", studentFile("BATCH-1", "2026-11-22T09:00:00Z",
		rec{cas: "CAS26000000203", typ: "STUDENT_ABSENT", date: "2026-11-18", details: "Missed two contact points"},
		rec{cas: "CAS26000000203", typ: "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", date: "2026-11-20",
			details: "The student had agreed leave", prev: "2026-11-18"},
		rec{cas: "CAS26000000208", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-19", details: "New address"},
		rec{cas: "CAS26000000204", typ: "STUDENT_SUSPENDED", date: "2026-11-17", details: "Interrupted studies"},
		rec{cas: "CAS26000000204", typ: "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", date: "2026-11-20",
			details: "Reported on the wrong student", prev: "2026-11-17"},
		// The same operation on CAS …203 again: R.RECORD.DUPLICATE.
		rec{cas: "CAS26000000203", typ: "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN", date: "2026-11-20",
			details: "Again", prev: "2026-11-18"},
	))
	sum := e.run(nil)
	if len(sum.Files) != 1 {
		t.Fatalf("%d files processed", len(sum.Files))
	}
	f := sum.Files[0].Entry
	if f.Status != ledger.PartiallyAccepted || f.Accepted != 5 || f.Rejected != 1 {
		t.Fatalf("%s, %d accepted, %d rejected; want PARTIALLY_ACCEPTED, 5, 1\n%s", f.Status, f.Accepted, f.Rejected,
			e.outbox_("4NUV7KB58/same-cas.errors.csv"))
	}
	csv := e.outbox_("4NUV7KB58/same-cas.errors.csv")
	// The duplicate operation on CAS …203 (record 6) is the one refused.
	if !strings.Contains(csv, ",6,") || !strings.Contains(csv, "R.RECORD.DUPLICATE") {
		t.Errorf("errors report:\n%s", csv)
	}
}
