package rules

import (
	"fmt"
	"testing"
)

// The packed keys of Batch are one-to-one: pairs differing in any character
// or in the operation never share a key, and numbers of another form are
// kept apart, so duplicates are found exactly as with strings.
func TestBatchKeysDistinct(t *testing.T) {
	b := NewBatch()
	b.other, b.ops = map[batchKey]int{}, map[string]uint32{}
	certs := []string{"CAS26000000001", "CAS26000000002", "DAS26000000001", "CAS26000000010", "ZZZZZZZZZZZZZZ",
		"00000000000000", "COS26000000001", "cas26000000001", "CAS2600000001", "CAS260000000011", "CAS-6000000001", ""}
	ops := []string{"fees", "note", "activity:STUDENT_ABSENT", "activity:STUDENT_SUSPENDED"}
	index := 0
	for _, op := range ops {
		for _, c := range certs {
			index++
			if i, dup := b.seen(op, c, index); dup {
				t.Errorf("(%s, %q) taken for record %d's", op, c, i)
			}
		}
	}
	index = 0
	for _, op := range ops {
		for _, c := range certs {
			index++
			if i, dup := b.seen(op, c, 1000+index); !dup || i != index {
				t.Errorf("(%s, %q) again: record %d, duplicate %v; want record %d", op, c, i, dup, index)
			}
		}
	}
	if len(b.other) != 4*5 { // the five numbers not of the usual form, per operation
		t.Errorf("%d keys kept as strings; want 20", len(b.other))
	}
}

// The table keeps every key through its growths.
func TestBatchTableGrows(t *testing.T) {
	b := NewBatch()
	b.other, b.ops = map[batchKey]int{}, map[string]uint32{}
	const n = 100000
	cert := func(i int) string { return "CAS9" + string(rune('A'+i%26)) + fmt.Sprintf("%09d", i) }
	for i := 1; i <= n; i++ {
		if j, dup := b.seen("fees", cert(i), i); dup {
			t.Fatalf("record %d: taken by %d", i, j)
		}
	}
	for i := 1; i <= n; i++ {
		if j, dup := b.seen("fees", cert(i), n+i); !dup || j != i {
			t.Fatalf("record %d again: %d, %v", i, j, dup)
		}
		if _, dup := b.seen("note", cert(i), 2*n+i); dup {
			t.Fatalf("record %d: another operation is a duplicate", i)
		}
	}
	packed := 0
	for i := range b.first {
		packed += b.first[i].n
	}
	if packed != 2*n || len(b.other) != 0 {
		t.Errorf("%d keys packed, %d as strings; want %d, 0", packed, len(b.other), 2*n)
	}
}
