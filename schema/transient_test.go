package schema_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"bdt/schema"
)

// flatten writes n's tree as the handler sees it during its call.
func flatten(b *strings.Builder, n *schema.Node) {
	fmt.Fprintf(b, "(%s %d %q", n.Name, n.Line, n.Text)
	for _, c := range n.Children {
		flatten(b, c)
	}
	b.WriteString(")")
}

// TestTransient: with Options.Transient every record's nodes are decoded
// into the same memory, and a handler that looks during its call sees the
// same trees as without it, whatever the records' shapes (a record with
// fewer elements than the one before must not keep any of its nodes); and
// the decoding allocates at least a block a record less (one by one),
// and at least the nodes' bytes less (in slabs, Options.Concurrent).
func TestTransient(t *testing.T) {
	const n = 2000
	d := newFee(n)
	for i := 1; i <= n; i++ {
		switch i % 3 {
		case 0:
			d.rec(cas(i), "<CourseFeesForFirstYearOnly>9000</CourseFeesForFirstYearOnly>",
				"<CourseFeesPaidToDate>1</CourseFeesPaidToDate>", "<BoardingFeesPaidToDate>2.50</BoardingFeesPaidToDate>")
		case 1:
			d.rec(cas(i), "<CourseFeesPaidToDate>  3 </CourseFeesPaidToDate>")
		default:
			d.rec(cas(i), "<CourseFeesPaidToDate>4</CourseFeesPaidToDate>", "<AccommodationFeesPaidToDate>5</AccommodationFeesPaidToDate>")
		}
	}
	doc := d.end()
	run := func(opt schema.Options) ([]string, uint64, uint64) {
		var seen []string
		h := &funcHandler{record: func(r *schema.Record) error {
			var b strings.Builder
			flatten(&b, r.Node)
			seen = append(seen, b.String())
			return nil
		}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := schema.Default().Validate(bytes.NewReader(doc), h, opt)
		runtime.ReadMemStats(&after)
		if err != nil || !res.Valid() || res.Records != n {
			t.Fatalf("%+v: err %v valid %v records %d", opt, err, res.Valid(), res.Records)
		}
		return seen, after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
	}
	for _, concurrent := range []bool{false, true} {
		kept, keptAllocs, keptBytes := run(schema.Options{Concurrent: concurrent})
		reused, reusedAllocs, reusedBytes := run(schema.Options{Concurrent: concurrent, Transient: true})
		if len(kept) != n || len(reused) != n {
			t.Fatalf("concurrent %v: %d and %d records seen", concurrent, len(kept), len(reused))
		}
		for i := range kept {
			if kept[i] != reused[i] {
				t.Fatalf("concurrent %v: record %d\nkept:      %s\ntransient: %s", concurrent, i+1, kept[i], reused[i])
			}
		}
		// Two blocks a record fewer (nodes, child pointers); one, to leave
		// room for what the race detector and the runtime allocate besides.
		if !concurrent && reusedAllocs+n > keptAllocs {
			t.Errorf("%d allocations with Transient, %d without: want at least %d fewer", reusedAllocs, keptAllocs, n)
		}
		// A record has at least two nodes (the record and its CASNumber).
		if min := uint64(2 * n * int(unsafe.Sizeof(schema.Node{}))); reusedBytes+min > keptBytes {
			t.Errorf("concurrent %v: %d bytes allocated with Transient, %d without: want at least %d fewer",
				concurrent, reusedBytes, keptBytes, min)
		}
		t.Logf("concurrent %v: %d allocations (%d bytes) kept, %d (%d bytes) transient",
			concurrent, keptAllocs, keptBytes, reusedAllocs, reusedBytes)
	}
}
