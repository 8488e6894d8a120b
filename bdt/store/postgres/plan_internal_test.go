package postgres

import (
	"context"
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/bdt/store/postgres/pgtest"
)

// TestFileListByKeyUsesIndex: the read of a file's every entry under its
// inbox key, archived or not (the runner's upload number), can use index
// ledger_file_key (migration 005) rather than scan the ledger. The planner
// is told to avoid a sequential scan (on a small table it prefers one); the
// plan must then name the index.
func TestFileListByKeyUsesIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	q, args := sqlrow.FileListClause(store.FileListParams{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml"}, param, "")
	rows, err := tx.Query(ctx, `EXPLAIN SELECT `+sqlrow.FileColumns+` FROM ledger_file `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "\n"); !strings.Contains(got, "Index Scan using ledger_file_key") {
		t.Errorf("query plan:\n%s\nwant an index scan of ledger_file_key", got)
	}
}
