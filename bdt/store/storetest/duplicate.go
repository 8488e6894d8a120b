package storetest

import (
	"context"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

func testFileDuplicate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mk := func(licence, name string, status ledger.FileStatus, fileID, sha string) *ledger.File {
		f := ledgerFile(licence, name)
		f.Status, f.FileID, f.SHA256 = status, fileID, sha
		return f
	}
	rejected := mk(uni, "r.xml", ledger.Rejected, "ID-1", "sha-1")     // applied nothing
	processing := mk(uni, "p.xml", ledger.Processing, "ID-1", "sha-1") // not committed
	duplicate := mk(uni, "d.xml", ledger.Duplicate, "ID-1", "sha-1")   // applied nothing
	accepted := mk(uni, "a.xml", ledger.Accepted, "ID-1", "sha-1")     // the one that counts
	partial := mk(uni, "pa.xml", ledger.PartiallyAccepted, "ID-2", "sha-2")
	other := mk(employer, "o.xml", ledger.Accepted, "ID-3", "sha-3") // another sponsor's
	later := mk(uni, "later.xml", ledger.Accepted, "ID-4", "sha-4")  // a later applied file
	noID := mk(uni, "noid.xml", ledger.Accepted, "", "sha-5")        // no file id in its header
	put(t, s, rejected, processing, duplicate, accepted, partial, other, later, noID)
	// A later applied file with the id of an earlier one cannot exist (the
	// unique index); the earliest is returned among matches on id or content.
	tests := []struct {
		name   string
		params store.FileDuplicateParams
		want   *ledger.File
	}{
		{"same file id", store.FileDuplicateParams{Licence: uni, FileID: "ID-1"}, accepted},
		{"same content", store.FileDuplicateParams{Licence: uni, SHA256: "sha-1"}, accepted},
		{"partially accepted counts", store.FileDuplicateParams{Licence: uni, FileID: "ID-2"}, partial},
		{"partially accepted content", store.FileDuplicateParams{Licence: uni, SHA256: "sha-2"}, partial},
		{"id or content, earliest", store.FileDuplicateParams{Licence: uni, FileID: "ID-4", SHA256: "sha-2"}, partial},
		{"id or content, the id", store.FileDuplicateParams{Licence: uni, FileID: "ID-4", SHA256: "sha-none"}, later},
		{"id or content, the content", store.FileDuplicateParams{Licence: uni, FileID: "ID-none", SHA256: "sha-4"}, later},
		{"another sponsor's id", store.FileDuplicateParams{Licence: uni, FileID: "ID-3"}, nil},
		{"another sponsor's content", store.FileDuplicateParams{Licence: uni, SHA256: "sha-3"}, nil},
		{"the same id at the other sponsor", store.FileDuplicateParams{Licence: employer, FileID: "ID-1"}, nil},
		{"its own id at its sponsor", store.FileDuplicateParams{Licence: employer, FileID: "ID-3"}, other},
		{"excluded", store.FileDuplicateParams{Licence: uni, FileID: "ID-1", Exclude: accepted.ID}, nil},
		{"excluded, content", store.FileDuplicateParams{Licence: uni, SHA256: "sha-2", Exclude: partial.ID}, nil},
		{"excluded, another matches", store.FileDuplicateParams{Licence: uni, FileID: "ID-4", SHA256: "sha-2", Exclude: partial.ID}, later},
		{"exclude another", store.FileDuplicateParams{Licence: uni, FileID: "ID-1", Exclude: rejected.ID}, accepted},
		{"rejected, processing and duplicate only", store.FileDuplicateParams{Licence: uni, FileID: "ID-9"}, nil},
		{"nothing to match", store.FileDuplicateParams{Licence: uni}, nil},
		{"content only: an empty file id is not compared", store.FileDuplicateParams{Licence: uni, SHA256: "sha-none"}, nil},
		{"no file id in the header", store.FileDuplicateParams{Licence: uni, SHA256: "sha-5"}, noID},
	}
	// Files whose only matches are not applied.
	put(t, s, mk(uni, "r9.xml", ledger.Rejected, "ID-9", "sha-9"), mk(uni, "d9.xml", ledger.Duplicate, "ID-9", "sha-9"),
		mk(uni, "p9.xml", ledger.Processing, "ID-9", "sha-9"))
	eachReader(t, s, func(name string, r store.Reader) {
		for _, tt := range tests {
			got, err := r.FileDuplicate(ctx, tt.params)
			if err != nil {
				t.Fatalf("%s: FileDuplicate(%s): %v", name, tt.name, err)
			}
			if tt.want == nil {
				if got != nil {
					t.Errorf("%s: FileDuplicate(%s) = file %d %s; want none", name, tt.name, got.ID, got.Key)
				}
				continue
			}
			same(t, name+": FileDuplicate "+tt.name, got, tt.want)
		}
	})
}
