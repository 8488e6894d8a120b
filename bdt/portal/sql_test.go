package portal_test

import (
	"database/sql"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// execSQL changes the register under the server, as an operator's
// register import would: statement on the SQLite file at path.
func execSQL(t *testing.T, path, statement string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(statement); err != nil {
		t.Fatal(err)
	}
}
