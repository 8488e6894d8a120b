package runner

import (
	"context"
	"fmt"
	"testing"
)

// TestDiskSeen checks the on-disk set's answers, and that a failure is kept
// for Err (the file must not commit on answers given after it).
func TestDiskSeen(t *testing.T) {
	d, err := newDiskSeen(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	check := func(what string, got int, ok bool, want int, wantOK bool) {
		t.Helper()
		if got != want || ok != wantOK {
			t.Errorf("%s = %d, %v; want %d, %v", what, got, ok, want, wantOK)
		}
	}
	first, seen := d.Seen("fees", "CAS26000000201", 1)
	check("Seen first", first, seen, 1, false)
	first, seen = d.Seen("fees", "CAS26000000201", 7)
	check("Seen again", first, seen, 1, true)
	first, seen = d.Seen("activity:STUDENT_ABSENT", "CAS26000000201", 8)
	check("Seen for another operation", first, seen, 8, false)
	first, seen = d.Seen("fees", "cas with\x00odd bytes ✓", 9)
	check("Seen of any text", first, seen, 9, false)
	first, seen = d.Lookup("fees", "CAS26000000201")
	check("Lookup", first, seen, 1, true)
	first, seen = d.Lookup("fees", "CAS26000000999")
	check("Lookup of none", first, seen, 0, false)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	// Many pairs: written to the database in statements of seenFlush,
	// found there again; absent ones not found (whatever the filter says).
	for i := range 2000 {
		if first, seen := d.Seen("fees", fmt.Sprintf("CAS%011d", i), 100+i); seen || first != 100+i {
			t.Fatalf("new pair %d: %d, %v", i, first, seen)
		}
	}
	for i := range 2000 {
		if first, seen := d.Seen("fees", fmt.Sprintf("CAS%011d", i), 5000+i); !seen || first != 100+i {
			t.Fatalf("pair %d again: %d, %v; want %d, true", i, first, seen, 100+i)
		}
		if _, ok := d.Lookup("fees", fmt.Sprintf("CAS%011d", 10000+i)); ok {
			t.Fatalf("absent pair %d found", i)
		}
	}
	d.flush()
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	d.conn.Close() // the disk goes away
	first, seen = d.Seen("fees", "CAS26000000201", 10)
	check("Seen after a failure", first, seen, 10, false)
	if d.Err() == nil {
		t.Error("a failed Seen left no error")
	}
}
