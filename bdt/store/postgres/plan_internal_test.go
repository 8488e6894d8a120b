package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/bdt/store/postgres/pgtest"
)

// TestFileListUsesIndex: the ledger reads that must not scan the ledger
// use their index. The ledger is given 20,000 entries of 400 sponsors and
// analysed, so that the planner weighs real figures; the plan must then
// name the index.
//
//   - A file's every entry under its inbox key, archived or not (the
//     runner's upload number): ledger_file_key (migration 005).
//   - A sponsor's files newest first, a page at a time (the portal's
//     list): ledger_file_licence (migration 008), in order, with no sort.
func TestFileListUsesIndex(t *testing.T) {
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
	for _, q := range []string{
		`INSERT INTO ledger_file (licence, key, name, status, file_id, sha256)
			SELECT 'L' || (i % 400), 'L' || (i % 400) || '/' || i || '.xml', i || '.xml', 'ACCEPTED', 'F' || i, 'S' || i
			FROM generate_series(1, 20000) i`,
		`ANALYZE ledger_file`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name   string
		params store.FileListParams
		want   string
	}{
		{"by key", store.FileListParams{Licence: "L7", Key: "L7/407.xml"}, "Index Scan using ledger_file_key"},
		{"a sponsor's newest page", store.FileListParams{Licence: "L7", Newest: true, After: 15000, Limit: 20},
			"Index Scan Backward using ledger_file_licence"},
	} {
		plan := explain(t, ctx, tx, tt.params)
		if !strings.Contains(plan, tt.want) || strings.Contains(plan, "Sort") {
			t.Errorf("%s: query plan:\n%s\nwant %q, no sort", tt.name, plan, tt.want)
		}
	}
}

// explain returns the plan of FileList(p) in tx.
func explain(t *testing.T, ctx context.Context, tx pgx.Tx, p store.FileListParams) string {
	t.Helper()
	q, args := sqlrow.FileListClause(p, param, "")
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
	return strings.Join(plan, "\n")
}
