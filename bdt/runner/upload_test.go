package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bdt/bdt/intake"
	"bdt/bdt/ledger"
	"bdt/bdt/runner"
	"bdt/bdt/store"
	"bdt/rules"
)

// uploadedAt is when the uploads of these tests are received: not the
// inbox object's time, which the claim must not put in its place.
var uploadedAt = time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)

// upload sends body as user through bdt/intake, as the portal does.
func (e *env) upload(user, clientName, body string) *ledger.File {
	e.t.Helper()
	f, err := intake.Receive(context.Background(), intake.ReceiveParams{Store: e.st, Inbox: e.inbox,
		Licence: "4NUV7KB58", User: user, ClientName: clientName, Body: strings.NewReader(body),
		MaxSize: runner.DefaultMaxSize, Now: uploadedAt})
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// entry returns the ledger entry id.
func (e *env) entry(id int64) *ledger.File {
	e.t.Helper()
	f, err := e.st.File(context.Background(), id)
	if err != nil || f == nil {
		e.t.Fatalf("File(%d) = %v, %v", id, f, err)
	}
	return f
}

func uploadFile(id string) string {
	return studentFile(id, "2026-11-22T10:00:00Z",
		rec{cas: "CAS26000000201", typ: "STUDENT_OTHER_CHANGE", date: "2026-11-20", details: "New address"})
}

// TestUploadNamingAnotherUserIsRejected: an upload by fees.office whose
// header names jsmith01 (both active Level 1 users of the licence) is
// REJECTED with F.USER, never processed as jsmith01; the upload's entry is
// the one claimed, keeping who sent it, the client's name and when.
func TestUploadNamingAnotherUserIsRejected(t *testing.T) {
	e := newEnv(t)
	before := e.export()
	up := e.upload("fees.office", "activity.xml", uploadFile("UP-1"))
	e.run(nil)
	got := e.entry(up.ID)
	if got.Status != ledger.Rejected || len(got.FileFindings) != 1 || got.FileFindings[0].Rule != rules.FUser ||
		!strings.Contains(got.FileFindings[0].Message, "uploaded by fees.office") {
		t.Fatalf("entry %s, findings %+v; want REJECTED with F.USER", got.Status, got.FileFindings)
	}
	if got.Submitter != "fees.office" || got.ClientName != "activity.xml" || !got.ReceivedAt.Equal(uploadedAt) ||
		got.UserID != "jsmith01" || !got.Archived {
		t.Errorf("entry %+v; want the upload's submitter, client name and time kept, archived", got)
	}
	if fs, _ := e.st.FileList(context.Background(), store.FileListParams{}); len(fs) != 1 {
		t.Errorf("the ledger holds %d entries; want the upload's one", len(fs))
	}
	if !bytes.Equal(before, e.export()) {
		t.Error("a refused upload changed the register")
	}
	res := e.outbox_(strings.TrimSuffix(up.Key, ".xml") + ".result.xml")
	if !strings.Contains(res, "<Status>REJECTED</Status>") || !strings.Contains(res, `Rule="F.USER"`) {
		t.Errorf("result report:\n%s", res)
	}
}

// TestUploadDryRun: a dry run decides an upload as its submitter too.
func TestUploadDryRun(t *testing.T) {
	e := newEnv(t)
	up := e.upload("fees.office", "", uploadFile("UP-DRY"))
	sum := e.run(func(c *runner.Config) { c.DryRun = true })
	if len(sum.Files) != 1 || sum.Files[0].Entry.Status != ledger.Rejected || sum.Files[0].Entry.Submitter != "fees.office" {
		t.Fatalf("dry run decided %+v", sum.Files)
	}
	if got := e.entry(up.ID); got.Status != ledger.Received {
		t.Errorf("after a dry run the upload's entry is %s; want RECEIVED", got.Status)
	}
}

// TestUploadByItsUser: an upload naming its submitter is processed like any
// file, and the same content uploaded again is a DUPLICATE.
func TestUploadByItsUser(t *testing.T) {
	e := newEnv(t)
	before := e.export()
	first := e.upload("jsmith01", "a.xml", uploadFile("UP-2"))
	e.run(nil)
	if got := e.entry(first.ID); got.Status != ledger.Accepted || got.Submitter != "jsmith01" || got.SHA256 != first.SHA256 ||
		got.Size != first.Size || !got.Archived || !got.ReportsWritten {
		t.Fatalf("first upload: %+v; want ACCEPTED, its size and hash as received, archived", got)
	}
	if bytes.Equal(before, e.export()) {
		t.Error("the accepted upload changed nothing")
	}
	second := e.upload("jsmith01", "a.xml", uploadFile("UP-2"))
	e.run(nil)
	got := e.entry(second.ID)
	if got.Status != ledger.Duplicate || got.DuplicateOf != first.ID {
		t.Errorf("second upload: %s (duplicate of %d); want DUPLICATE of %d", got.Status, got.DuplicateOf, first.ID)
	}
}

// TestReportKeys: the keys ReportKeys gives are those the run wrote the
// reports under, for a first upload of a name and for a second (numbered).
func TestReportKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.put("4NUV7KB58/r.xml", uploadFile("RK-1"))
	e.run(nil)
	e.put("4NUV7KB58/r.xml", uploadFile("RK-2"))
	e.run(nil)
	fs, err := e.st.FileList(ctx, store.FileListParams{Key: "4NUV7KB58/r.xml"})
	if err != nil || len(fs) != 2 {
		t.Fatalf("ledger: %v %v", fs, err)
	}
	for i, want := range []runner.ReportKeySet{
		{Result: "4NUV7KB58/r.result.xml", Errors: "4NUV7KB58/r.errors.csv", Summary: "4NUV7KB58/r.summary.html"},
		{Result: "4NUV7KB58/r.xml.2.result.xml", Errors: "4NUV7KB58/r.xml.2.errors.csv", Summary: "4NUV7KB58/r.xml.2.summary.html"},
	} {
		got, err := runner.ReportKeys(ctx, e.st, fs[i])
		if err != nil || got != want {
			t.Errorf("ReportKeys(file %d) = %+v, %v; want %+v", i+1, got, err, want)
		}
		for _, k := range []string{got.Result, got.Errors, got.Summary} {
			if !strings.Contains(e.outbox_(k), fmt.Sprintf("RK-%d", i+1)) && !strings.HasSuffix(k, ".csv") {
				t.Errorf("%s does not hold file %d's report", k, i+1)
			}
		}
	}
}

// TestUploadClaimedThenTakenOver: an upload whose claim did not commit (a
// crash after the claim) is taken over by the next run still as its
// uploader's, with the time it was received.
func TestUploadClaimedThenTakenOver(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	up := e.upload("fees.office", "", uploadFile("UP-3"))
	claimed := e.entry(up.ID)
	claimed.Status, claimed.ReceivedAt = ledger.Processing, uploadedAt
	tx, err := e.st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.FileUpdate(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	e.run(nil)
	got := e.entry(up.ID)
	if got.Status != ledger.Rejected || got.FileFindings[0].Rule != rules.FUser || !got.ReceivedAt.Equal(uploadedAt) {
		t.Errorf("entry %s %+v received %s; want REJECTED with F.USER, received %s", got.Status, got.FileFindings, got.ReceivedAt, uploadedAt)
	}
}
