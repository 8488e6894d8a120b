package rules

import "testing"

// The packed keys of Batch are one-to-one: pairs differing in any character
// or in the operation never share a key, and numbers of another form are
// kept apart, so duplicates are found exactly as with strings.
func TestBatchKeysDistinct(t *testing.T) {
	b := NewBatch()
	b.first, b.other, b.ops = map[packedKey]int{}, map[batchKey]int{}, map[string]uint64{}
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
