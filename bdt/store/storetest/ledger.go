package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// testLedger runs the cases of the file ledger, each on a fresh store.
func testLedger(t *testing.T, fresh func(*testing.T) store.Store) {
	t.Run("FileRoundTrip", func(t *testing.T) { testFileRoundTrip(t, fresh(t)) })
	t.Run("FileList", func(t *testing.T) { testFileList(t, fresh(t)) })
	t.Run("FileListPages", func(t *testing.T) { testFileListPages(t, fresh(t)) })
	t.Run("FileDelete", func(t *testing.T) { testFileDelete(t, fresh(t)) })
	t.Run("FileDuplicate", func(t *testing.T) { testFileDuplicate(t, fresh(t)) })
	t.Run("AppliedOnce", func(t *testing.T) { testAppliedOnce(t, fresh) })
	t.Run("Outcomes", func(t *testing.T) { testOutcomes(t, fresh(t)) })
	t.Run("LedgerRollback", func(t *testing.T) { testLedgerRollback(t, fresh(t)) })
}

// inTx runs fn in a transaction and commits it.
func inTx(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := fn(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// eachReader calls fn with the store and with a transaction on it, which it
// rolls back before it returns (a transaction may hold the database's write
// lock).
func eachReader(t *testing.T, s store.Store, fn func(name string, r store.Reader)) {
	t.Helper()
	fn("Store", s)
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	fn("Tx", tx)
}

// ledgerFile is a ledger entry in which every field is set.
func ledgerFile(licence, name string) *ledger.File {
	return &ledger.File{
		Licence: licence, Key: licence + "/" + name, Name: name,
		SHA256: "3f" + name, Size: 12345,
		Kind: "studentactivity", Version: "v1", FileID: "ID-" + name, HeaderLicence: licence, UserID: uniL1,
		CreatedAt: "2026-11-22T09:00:00+01:00",
		Status:    ledger.Processing,
		Declared:  7, Read: 6, Accepted: 4, Rejected: 2, Warnings: 1,
		FileFindings: []ledger.Finding{
			{Rule: "F.COUNT", Severity: "error", Field: "RecordCount", Line: 6, Column: 3, Path: "/X/Header/RecordCount", Record: 0, Message: "7 declared, 6 read"},
			{Rule: "F.SCHEMA", Severity: "error", Line: 40, Column: 12, Path: "/X/R[5]", Record: 5, Message: "bad <element> & \"quotes\" ünïcode"},
		},
		Truncated:   true,
		ProcessedAt: at("2026-11-23T02:00:00Z"),
		ReceivedAt:  at("2026-11-22T23:59:59.123456789Z"),
		StartedAt:   at("2026-11-23T02:00:00.000000001Z"),
		FinishedAt:  at("2026-11-23T02:00:01.5Z"),
		Submitter:   uniL1,
		ClientName:  "Ünïcode ‘term’ <1>/../x.xml",
	}
}

// put inserts files in one transaction, setting their ids.
func put(t *testing.T, s store.Store, files ...*ledger.File) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, f := range files {
			if err := tx.FileInsert(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
}

func testFileRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := ledgerFile(uni, "a.xml"), ledgerFile(uni, "b.xml")
	b.FileFindings, b.Truncated, b.Declared = nil, false, -1
	b.ProcessedAt, b.ReceivedAt, b.StartedAt, b.FinishedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	put(t, s, a, b)
	if a.ID == 0 || b.ID <= a.ID {
		t.Fatalf("FileInsert ids %d, %d; want increasing, not 0", a.ID, b.ID)
	}
	wantB := *b
	wantB.FileFindings = []ledger.Finding{} // none is stored as an empty list
	eachReader(t, s, func(name string, r store.Reader) {
		got, err := r.File(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, name+": File(a) after FileInsert", got, a)
		got, err = r.File(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, name+": File(b), nothing set", got, &wantB)
		if got, err := r.File(ctx, b.ID+1000); got != nil || err != nil {
			t.Errorf("%s: File(absent) = %v, %v; want nil, nil", name, got, err)
		}
	})

	// FileUpdate stores every field.
	first := *a
	a.Status, a.DuplicateOf = ledger.Duplicate, b.ID
	a.SHA256, a.Size, a.Kind, a.Version, a.FileID = "ff00", 99, "feeupdate", "v2", "NEW-ID"
	a.HeaderLicence, a.UserID, a.CreatedAt = employer, empL1, "2026-11-23T00:00:00Z"
	a.Declared, a.Read, a.Accepted, a.Rejected, a.Warnings = 1, 2, 3, 4, 5
	a.FileFindings = []ledger.Finding{{Rule: "F.DUPLICATE", Severity: "error", Message: "again"}}
	a.Truncated = false
	a.ProcessedAt, a.ReceivedAt = at("2027-01-01T00:00:00Z"), time.Time{}
	a.StartedAt, a.FinishedAt = at("2027-01-01T00:00:00.999999999Z"), at("2027-01-01T00:00:02Z")
	a.ReportsWritten, a.Archived = true, true
	a.Licence, a.Key, a.Name = scottish, scottish+"/moved.xml", "moved.xml"
	a.Submitter, a.ClientName = empL1, ""
	inTx(t, s, func(ctx context.Context, tx store.Tx) error { return tx.FileUpdate(ctx, a) })
	got, err := s.File(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "File after FileUpdate", got, a)
	if first.ID != a.ID {
		t.Fatal("FileUpdate changed the id")
	}
	got, err = s.File(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "the other file after FileUpdate", got, &wantB)

	// An update of an absent entry changes nothing and says so.
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	absent := ledgerFile(uni, "absent.xml")
	absent.ID = b.ID + 1000
	if err := tx.FileUpdate(ctx, absent); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FileUpdate(absent) = %v; want ErrNotFound", err)
	}
}

func testFileList(t *testing.T, s store.Store) {
	ctx := context.Background()
	type spec struct {
		licence, name string
		status        ledger.FileStatus
		archived      bool
	}
	specs := []spec{
		{uni, "1.xml", ledger.Accepted, true},
		{employer, "2.xml", ledger.Rejected, false},
		{uni, "3.xml", ledger.Processing, false},
		{uni, "1.xml", ledger.Duplicate, false}, // the same key again: a re-upload
		{scottish, "5.xml", ledger.Accepted, false},
		{employer, "6.xml", ledger.Accepted, true},
		{uni, "7.xml", ledger.PartiallyAccepted, false},
	}
	var files []*ledger.File
	for i, sp := range specs {
		f := ledgerFile(sp.licence, sp.name)
		f.Status, f.Archived = sp.status, sp.archived
		f.FileID, f.SHA256 = fmt.Sprintf("F%d", i), fmt.Sprintf("S%d", i) // distinct: applied ones may not repeat
		files = append(files, f)
	}
	// Inserted in two transactions: ids grow across commits too.
	put(t, s, files[:3]...)
	put(t, s, files[3:]...)
	ids := func(sel func(i int, sp spec) bool) []int64 {
		var out []int64
		for i, sp := range specs {
			if sel(i, sp) {
				out = append(out, files[i].ID)
			}
		}
		return out
	}
	tests := []fileListCase{
		{"all", store.FileListParams{}, ids(func(int, spec) bool { return true })},
		{"licence", store.FileListParams{Licence: uni}, ids(func(_ int, sp spec) bool { return sp.licence == uni })},
		{"key", store.FileListParams{Key: uni + "/1.xml"}, ids(func(_ int, sp spec) bool { return sp.licence == uni && sp.name == "1.xml" })},
		{"status", store.FileListParams{Status: ledger.Accepted}, ids(func(_ int, sp spec) bool { return sp.status == ledger.Accepted })},
		{"unarchived", store.FileListParams{Unarchived: true}, ids(func(_ int, sp spec) bool { return !sp.archived })},
		{"licence and unarchived", store.FileListParams{Licence: employer, Unarchived: true}, ids(func(_ int, sp spec) bool { return sp.licence == employer && !sp.archived })},
		{"key and unarchived", store.FileListParams{Key: uni + "/1.xml", Unarchived: true}, []int64{files[3].ID}},
		{"every filter", store.FileListParams{Licence: uni, Key: uni + "/7.xml", Status: ledger.PartiallyAccepted, Unarchived: true}, []int64{files[6].ID}},
		{"no match", store.FileListParams{Licence: uni, Status: ledger.Rejected}, nil},
		{"absent licence", store.FileListParams{Licence: "ZZZZZZZZZ"}, nil},
		{"limit", store.FileListParams{Limit: 3}, ids(func(i int, _ spec) bool { return i < 3 })},
		{"limit beyond", store.FileListParams{Licence: scottish, Limit: 10}, []int64{files[4].ID}},
		{"newest", store.FileListParams{Newest: true}, func() []int64 {
			all := ids(func(int, spec) bool { return true })
			slices.Reverse(all)
			return all
		}()},
		{"newest of a key, one", store.FileListParams{Key: uni + "/1.xml", Newest: true, Limit: 1}, []int64{files[3].ID}},
		{"newest unarchived of a licence", store.FileListParams{Licence: uni, Unarchived: true, Newest: true}, []int64{files[6].ID, files[3].ID, files[2].ID}},
	}
	eachReader(t, s, func(name string, r store.Reader) {
		checkFileList(t, name, r, tests)
		// Entries come back whole.
		got, err := r.FileList(ctx, store.FileListParams{Key: scottish + "/5.xml"})
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: FileList(one key) = %v, %v", name, got, err)
		}
		same(t, name+": FileList entry", got[0], files[4])
	})
}

// fileListCase is a FileList call and the ids it must return, in order.
type fileListCase struct {
	name   string
	params store.FileListParams
	want   []int64
}

// checkFileList runs the cases on r (named name).
func checkFileList(t *testing.T, name string, r store.Reader, tests []fileListCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := r.FileList(context.Background(), tt.params)
		if err != nil {
			t.Fatalf("%s: FileList(%s): %v", name, tt.name, err)
		}
		var gotIDs []int64
		for _, f := range got {
			gotIDs = append(gotIDs, f.ID)
		}
		same(t, name+": FileList "+tt.name, gotIDs, tt.want)
	}
}

// The database itself refuses a second applied file with the same sponsor
// and file id, or the same content: FileUpdate (or FileInsert) then fails
// with ErrConflict or another error, and the transaction must be rolled back.
func testAppliedOnce(t *testing.T, fresh func(*testing.T) store.Store) {
	ctx := context.Background()
	tests := []struct {
		name       string
		first      *ledger.File // applied first
		second     *ledger.File // then updated to ACCEPTED
		refused    bool
		secondWant ledger.FileStatus
	}{
		{"same id", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1"},
			&ledger.File{Licence: uni, Key: uni + "/b", Name: "b", FileID: "X", SHA256: "2"}, true, ""},
		{"same content", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1"},
			&ledger.File{Licence: uni, Key: uni + "/b", Name: "b", FileID: "Y", SHA256: "1"}, true, ""},
		{"same id, other sponsor", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1"},
			&ledger.File{Licence: employer, Key: employer + "/b", Name: "b", FileID: "X", SHA256: "1"}, false, ""},
		{"same id after a rejected file", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1", Status: ledger.Rejected},
			&ledger.File{Licence: uni, Key: uni + "/b", Name: "b", FileID: "X", SHA256: "1"}, false, ""},
		{"same id, partially accepted", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1", Status: ledger.PartiallyAccepted},
			&ledger.File{Licence: uni, Key: uni + "/b", Name: "b", FileID: "X", SHA256: "2"}, true, ""},
		{"same id, the second a duplicate", &ledger.File{Licence: uni, Key: uni + "/a", Name: "a", FileID: "X", SHA256: "1"},
			&ledger.File{Licence: uni, Key: uni + "/b", Name: "b", FileID: "X", SHA256: "1"}, false, ledger.Duplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fresh(t)
			if tt.first.Status == "" {
				tt.first.Status = ledger.Accepted
			}
			tt.second.Status = ledger.Processing
			put(t, s, tt.first, tt.second)
			want := tt.secondWant
			if want == "" {
				want = ledger.Accepted
			}
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			tt.second.Status = want
			err = tx.FileUpdate(ctx, tt.second)
			if tt.refused {
				if err == nil {
					t.Fatal("a second applied file was stored")
				}
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("FileUpdate = %v; want ErrConflict", err)
				}
				if err := tx.Rollback(ctx); err != nil {
					t.Fatal(err)
				}
				got, err := s.File(ctx, tt.second.ID)
				if err != nil || got.Status != ledger.Processing {
					t.Errorf("after the refusal the second file is %v, %v; want PROCESSING", got, err)
				}
				// An insert that is applied from the start is refused too.
				tx, err := s.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				third := *tt.second
				third.Key += ".again"
				if err := tx.FileInsert(ctx, &third); err == nil {
					t.Error("FileInsert of a second applied file succeeded")
				}
				return
			}
			if err != nil {
				t.Fatalf("FileUpdate: %v", err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := s.File(ctx, tt.second.ID)
			if err != nil || got.Status != want {
				t.Errorf("second file = %v, %v; want %s", got, err, want)
			}
		})
	}
}

func testLedgerRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	kept := ledgerFile(uni, "kept.xml")
	put(t, s, kept)
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gone := ledgerFile(uni, "gone.xml")
	if err := tx.FileInsert(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := tx.OutcomeInsert(ctx, gone.ID, ledger.Outcome{Index: 1, Line: 1, Status: ledger.RecordAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := tx.OutcomeInsert(ctx, kept.ID, ledger.Outcome{Index: 1, Line: 1, Status: ledger.RecordAccepted}); err != nil {
		t.Fatal(err)
	}
	kept2 := *kept
	kept2.Status = ledger.Rejected
	if err := tx.FileUpdate(ctx, &kept2); err != nil {
		t.Fatal(err)
	}
	// Not visible to other readers before the end...
	if got, err := s.File(ctx, gone.ID); got != nil || err != nil {
		t.Errorf("an uncommitted entry is visible: %v, %v", got, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// ...nor after the rollback.
	if got, err := s.File(ctx, gone.ID); got != nil || err != nil {
		t.Errorf("File(rolled back) = %v, %v; want nil", got, err)
	}
	got, err := s.File(ctx, kept.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "entry after a rolled-back update", got, kept)
	if n := len(outcomesOf(t, s, kept.ID)) + len(outcomesOf(t, s, gone.ID)); n != 0 {
		t.Errorf("%d outcomes after the rollback; want 0", n)
	}
	all, err := s.FileList(ctx, store.FileListParams{})
	if err != nil || len(all) != 1 {
		t.Errorf("FileList after the rollback = %d entries, %v; want 1", len(all), err)
	}
}
