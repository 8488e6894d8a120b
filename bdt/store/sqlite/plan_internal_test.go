package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// TestFileListByKeyUsesIndex: the read of a file's every entry under its
// inbox key, archived or not (the runner's upload number), searches index
// ledger_file_key (migration 005) rather than scanning the ledger (before:
// SCAN ledger_file, 200 ms a file at a million entries).
func TestFileListByKeyUsesIndex(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q, args := sqlrow.FileListClause(store.FileListParams{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml"}, param, "")
	rows, err := s.rdb.Query(`EXPLAIN QUERY PLAN SELECT `+sqlrow.FileColumns+` FROM ledger_file `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "\n"); !strings.Contains(got, "USING INDEX ledger_file_key (licence=? AND key=?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan:\n%s\nwant a search of index ledger_file_key, in order", got)
	}
}
