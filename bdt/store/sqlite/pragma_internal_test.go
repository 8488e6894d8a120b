package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// Every connection of the driver runs with the settings the package
// documents: writers with foreign keys, WAL and synchronous FULL; readers
// query-only. Each pool is read through a connection of its own.
func TestConnectionSettings(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"writer", "foreign_keys", "1"},
		{"writer", "journal_mode", "wal"},
		{"writer", "synchronous", "2"}, // FULL
		{"writer", "busy_timeout", "30000"},
		{"reader", "query_only", "1"},
		{"reader", "journal_mode", "wal"},
		{"reader", "busy_timeout", "30000"},
	}
	for _, tt := range tests {
		db := s.wdb
		if tt.pool == "reader" {
			db = s.rdb
		}
		var got string
		if err := db.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", tt.pool, tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("%s: PRAGMA %s = %s; want %s", tt.pool, tt.pragma, got, tt.want)
		}
	}
	if _, err := s.rdb.Exec(`UPDATE certificate SET note = 'x'`); err == nil {
		t.Error("the reader pool wrote")
	}
}
