package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// testFileListPages: a sponsor's files a page at a time (After, both
// directions), and the files a user submitted (User): their own uploads,
// and files of other channels whose header names them; never an upload by
// someone else that names them, nor another sponsor's.
func testFileListPages(t *testing.T, s store.Store) {
	type spec struct {
		licence, submitter, header string
		status                     ledger.FileStatus
	}
	specs := []spec{
		{uni, "", uniL1, ledger.Accepted},         // 0: by folder, names uniL1
		{uni, uniL2, uniL2, ledger.Received},      // 1: uploaded by uniL2, not yet read
		{uni, uniL2, uniL1, ledger.Rejected},      // 2: uploaded by uniL2, names uniL1
		{employer, "", uniL2, ledger.Rejected},    // 3: another sponsor's
		{uni, "", uniL2, ledger.Duplicate},        // 4: by folder, names uniL2
		{uni, uniL1, uniL1, ledger.Processing},    // 5: uploaded by uniL1
		{uni, uniL1, uniL2, ledger.Rejected},      // 6: uploaded by uniL1, names uniL2
		{uni, "", "", ledger.Rejected},            // 7: by folder, no user (not well-formed)
		{employer, empL1, empL1, ledger.Received}, // 8
	}
	var files []*ledger.File
	for i, sp := range specs {
		f := ledgerFile(sp.licence, fmt.Sprintf("%d.xml", i))
		f.Submitter, f.UserID, f.Status = sp.submitter, sp.header, sp.status
		f.FileID, f.SHA256 = fmt.Sprintf("F%d", i), fmt.Sprintf("S%d", i)
		files = append(files, f)
	}
	put(t, s, files...)
	id := func(is ...int) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, files[i].ID)
		}
		return out
	}
	tests := []fileListCase{
		{"newest first", store.FileListParams{Licence: uni, Newest: true}, id(7, 6, 5, 4, 2, 1, 0)},
		{"newest, first page", store.FileListParams{Licence: uni, Newest: true, Limit: 3}, id(7, 6, 5)},
		{"newest, second page", store.FileListParams{Licence: uni, Newest: true, Limit: 3, After: files[5].ID}, id(4, 2, 1)},
		{"newest, last page", store.FileListParams{Licence: uni, Newest: true, Limit: 3, After: files[1].ID}, id(0)},
		{"newest, past the end", store.FileListParams{Licence: uni, Newest: true, Limit: 3, After: files[0].ID}, nil},
		{"oldest, second page", store.FileListParams{Licence: uni, Limit: 2, After: files[1].ID}, id(2, 4)},
		{"oldest, after the last", store.FileListParams{Licence: uni, After: files[7].ID}, nil},
		{"after an id of another sponsor", store.FileListParams{Licence: uni, Newest: true, After: files[3].ID}, id(2, 1, 0)},
		{"received", store.FileListParams{Status: ledger.Received}, id(1, 8)},
		{"user uniL1", store.FileListParams{Licence: uni, User: uniL1, Newest: true}, id(6, 5, 0)},
		{"user uniL2", store.FileListParams{Licence: uni, User: uniL2, Newest: true}, id(4, 2, 1)},
		{"user uniL2, a page", store.FileListParams{Licence: uni, User: uniL2, Newest: true, Limit: 1, After: files[4].ID}, id(2)},
		{"user uniL2, every sponsor", store.FileListParams{User: uniL2}, id(1, 2, 3, 4)},
		{"user of another sponsor", store.FileListParams{Licence: uni, User: empL1}, nil},
		{"user and status", store.FileListParams{Licence: uni, User: uniL2, Status: ledger.Received}, id(1)},
	}
	eachReader(t, s, func(name string, r store.Reader) { checkFileList(t, name, r, tests) })
}

// testFileDelete: FileDelete removes a RECEIVED entry only, tells a claimed
// entry (ErrConflict) from a missing one (ErrNotFound), and is undone by a
// rollback.
func testFileDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	received, kept, claimed := ledgerFile(uni, "r.xml"), ledgerFile(uni, "k.xml"), ledgerFile(uni, "c.xml")
	received.Status, kept.Status, claimed.Status = ledger.Received, ledger.Received, ledger.Processing
	claimed.FileID, claimed.SHA256 = "C", "c"
	put(t, s, received, kept, claimed)
	if received.Done() {
		t.Error("a RECEIVED entry is Done")
	}

	// Rolled back: the entry stays.
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.FileDelete(ctx, kept.ID); err != nil {
		t.Fatalf("FileDelete(received) = %v", err)
	}
	if got, err := tx.File(ctx, kept.ID); got != nil || err != nil {
		t.Errorf("in the transaction after FileDelete: File = %v, %v; want nil, nil", got, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.File(ctx, kept.ID); got == nil || err != nil {
		t.Fatalf("after a rolled back FileDelete: File = %v, %v; want the entry", got, err)
	}

	inTx(t, s, func(ctx context.Context, tx store.Tx) error { return tx.FileDelete(ctx, received.ID) })
	for _, tt := range []struct {
		name string
		id   int64
		want error
	}{
		{"claimed", claimed.ID, store.ErrConflict},
		{"deleted before", received.ID, store.ErrNotFound},
		{"never there", claimed.ID + 1000, store.ErrNotFound},
	} {
		tx, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.FileDelete(ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("FileDelete(%s) = %v; want %v", tt.name, err, tt.want)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
	eachReader(t, s, func(name string, r store.Reader) {
		got, err := r.FileList(ctx, store.FileListParams{Licence: uni})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, f := range got {
			ids = append(ids, f.ID)
		}
		same(t, name+": entries after FileDelete", ids, []int64{kept.ID, claimed.ID})
	})
}
