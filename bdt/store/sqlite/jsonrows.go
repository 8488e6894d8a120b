package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// jvalue is one value of a JSON row: null, an integer or a string.
type jvalue struct {
	null bool
	n    int64
	s    string
}

// str is v as a nullable column value.
func (v jvalue) str() sql.NullString { return sql.NullString{String: v.s, Valid: !v.null} }

// int is v as a nullable integer column value.
func (v jvalue) int() sql.NullInt64 { return sql.NullInt64{Int64: v.n, Valid: !v.null} }

var errJSONRows = errors.New("malformed history")

// jsonRows parses what SQLite's json_group_array(json_array(...)) writes:
// an array of arrays of width values, each null, an integer or a string,
// and calls each with every inner array in order. The values passed are
// only valid during the call.
func jsonRows(text string, width int, each func([]jvalue) error) error {
	if text == "" || text == "[]" {
		return nil
	}
	vals := make([]jvalue, width)
	p := jsonParser{s: text}
	if !p.byte('[') {
		return errJSONRows
	}
	for {
		if !p.byte('[') {
			return errJSONRows
		}
		for i := 0; i < width; i++ {
			if i > 0 && !p.byte(',') {
				return fmt.Errorf("%w: fewer than %d values", errJSONRows, width)
			}
			v, err := p.value()
			if err != nil {
				return err
			}
			vals[i] = v
		}
		if !p.byte(']') {
			return fmt.Errorf("%w: more than %d values", errJSONRows, width)
		}
		if err := each(vals); err != nil {
			return err
		}
		if p.byte(']') {
			if p.i != len(p.s) {
				return errJSONRows
			}
			return nil
		}
		if !p.byte(',') {
			return errJSONRows
		}
	}
}

type jsonParser struct {
	s string
	i int
}

// byte consumes c if it comes next.
func (p *jsonParser) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) value() (jvalue, error) {
	if p.i >= len(p.s) {
		return jvalue{}, errJSONRows
	}
	switch c := p.s[p.i]; {
	case c == 'n':
		if strings.HasPrefix(p.s[p.i:], "null") {
			p.i += 4
			return jvalue{null: true}, nil
		}
	case c == '"':
		start := p.i
		escaped := false
		for j := p.i + 1; j < len(p.s); j++ {
			switch p.s[j] {
			case '\\':
				escaped = true
				j++
			case '"':
				p.i = j + 1
				if !escaped {
					return jvalue{s: p.s[start+1 : j]}, nil
				}
				var s string
				if err := json.Unmarshal([]byte(p.s[start:p.i]), &s); err != nil {
					return jvalue{}, fmt.Errorf("%w: %v", errJSONRows, err)
				}
				return jvalue{s: s}, nil
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return jvalue{}, fmt.Errorf("%w: %v", errJSONRows, err)
		}
		p.i = j
		return jvalue{n: n}, nil
	}
	return jvalue{}, fmt.Errorf("%w at offset %d", errJSONRows, p.i)
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
	if err := jsonRows(text, width, func(v []jvalue) error { seqs = append(seqs, v[0].n); return nil }); err != nil {
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
