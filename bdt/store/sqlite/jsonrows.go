package sqlite

import (
	"reflect"
	"sort"

	"bdt/bdt/store/jsonrows"
)

// jvalue is a value of a JSON row (jsonrows).
type jvalue = jsonrows.Value

// errJSONRows is the error a malformed history is reported with.
var errJSONRows = jsonrows.ErrMalformed

// jsonRows is jsonrows.Parse.
func jsonRows(text string, width int, each func([]jvalue) error) error {
	return jsonrows.Parse(text, width, each)
}

// seqOrder follows the seqs of a history as its entries are read, and puts
// the entries in order of seq if they did not come so.
type seqOrder struct {
	n        int
	last     int64 // the highest seq
	unsorted bool
}

func (o *seqOrder) add(seq int64) {
	if o.n > 0 && seq <= o.last {
		o.unsorted = true
	}
	o.n++
	o.last = max(o.last, seq)
}

// sort orders entries (a slice holding one entry per row of text, a history
// of width values a row, in the same order) by seq.
func (o *seqOrder) sort(entries any, text string, width int) error {
	if !o.unsorted {
		return nil
	}
	var seqs []int64
	if err := jsonRows(text, width, func(v []jvalue) error { seqs = append(seqs, v[0].N); return nil }); err != nil {
		return err
	}
	v := reflect.ValueOf(entries)
	if v.Len() != len(seqs) {
		return errJSONRows
	}
	idx := make([]int, len(seqs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return seqs[idx[a]] < seqs[idx[b]] })
	sorted := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i, j := range idx {
		sorted.Index(i).Set(v.Index(j))
	}
	reflect.Copy(v, sorted)
	return nil
}
