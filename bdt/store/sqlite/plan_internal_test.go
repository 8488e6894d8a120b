package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

// TestFileListUsesIndex: the ledger reads that must not scan the ledger
// search their index, in order (no temporary B-tree for a sort).
//
//   - A file's every entry under its inbox key, archived or not (the
//     runner's upload number): ledger_file_key (migration 005; before it,
//     SCAN ledger_file, 200 ms a file at a million entries).
//   - A sponsor's files newest first, a page at a time (the portal's
//     list): ledger_file_licence (migration 008).
func TestFileListUsesIndex(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct {
		name   string
		params store.FileListParams
		want   string
	}{
		{"by key", store.FileListParams{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml"},
			"USING INDEX ledger_file_key (licence=? AND key=?)"},
		{"a sponsor's newest page", store.FileListParams{Licence: "4NUV7KB58", Newest: true, After: 3000, Limit: 20},
			"USING INDEX ledger_file_licence (licence=? AND id<?)"},
	} {
		q, args := sqlrow.FileListClause(tt.params, param, "")
		rows, err := s.rdb.Query(`EXPLAIN QUERY PLAN SELECT `+sqlrow.FileColumns+` FROM ledger_file `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
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
		rows.Close()
		if got := strings.Join(plan, "\n"); !strings.Contains(got, tt.want) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s: query plan:\n%s\nwant %q, in order", tt.name, got, tt.want)
		}
	}
}
