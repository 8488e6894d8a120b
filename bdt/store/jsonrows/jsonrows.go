// Package jsonrows reads and writes rows of values as a JSON array of
// arrays, each value null, an integer or a string: what SQLite's
// json_group_array(json_array(...)) writes, and what the ledger stores a
// chunk of record outcomes as. One value of text holds many rows, so that a
// database returns (or takes) them in one column instead of one column a
// value: from Go into SQLite every column is a call, and a conversion in
// database/sql. The parser is hand-written (no reflection): it is on the
// hot path of every file.
package jsonrows

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is one value of a JSON row: null, an integer or a string.
type Value struct {
	Null bool
	N    int64
	S    string
}

// NullString is v as a nullable text column value.
func (v Value) NullString() sql.NullString { return sql.NullString{String: v.S, Valid: !v.Null} }

// ErrMalformed is returned (wrapped) for text that is not such rows.
var ErrMalformed = errors.New("malformed JSON rows")

// jsonRows parses what SQLite's json_group_array(json_array(...)) writes:
// an array of arrays of width values, each null, an integer or a string,
// and calls each with every inner array in order. The values passed are
// only valid during the call.
func Parse(text string, width int, each func([]Value) error) error {
	if text == "" || text == "[]" {
		return nil
	}
	vals := make([]Value, width)
	p := parser{s: text}
	if !p.byte('[') {
		return ErrMalformed
	}
	for {
		if !p.byte('[') {
			return ErrMalformed
		}
		for i := 0; i < width; i++ {
			if i > 0 && !p.byte(',') {
				return fmt.Errorf("%w: fewer than %d values", ErrMalformed, width)
			}
			v, err := p.value()
			if err != nil {
				return err
			}
			vals[i] = v
		}
		if !p.byte(']') {
			return fmt.Errorf("%w: more than %d values", ErrMalformed, width)
		}
		if err := each(vals); err != nil {
			return err
		}
		if p.byte(']') {
			if p.space(); p.i != len(p.s) {
				return ErrMalformed
			}
			return nil
		}
		if !p.byte(',') {
			return ErrMalformed
		}
	}
}

type parser struct {
	s string
	i int
}

// space skips white space, which JSON allows between tokens (PostgreSQL
// writes some).
func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// byte consumes c if it comes next (after white space).
func (p *parser) byte(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) value() (Value, error) {
	p.space()
	if p.i >= len(p.s) {
		return Value{}, ErrMalformed
	}
	switch c := p.s[p.i]; {
	case c == 'n':
		if strings.HasPrefix(p.s[p.i:], "null") {
			p.i += 4
			return Value{Null: true}, nil
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
					return Value{S: p.s[start+1 : j]}, nil
				}
				var s string
				if err := json.Unmarshal([]byte(p.s[start:p.i]), &s); err != nil {
					return Value{}, fmt.Errorf("%w: %v", ErrMalformed, err)
				}
				return Value{S: s}, nil
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return Value{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		p.i = j
		return Value{N: n}, nil
	}
	return Value{}, fmt.Errorf("%w at offset %d", ErrMalformed, p.i)
}

// Writer writes rows of values (nil, a string, or an integer) for Parse:
// a JSON array of arrays.
type Writer struct{ b []byte }

// Row appends a row. It panics on a value of another type.
func (w *Writer) Row(values ...any) {
	w.BeginRow()
	for _, v := range values {
		switch v := v.(type) {
		case nil:
			w.Null()
		case string:
			w.Str(v)
		case int64:
			w.Int(v)
		case int:
			w.Int(int64(v))
		default:
			panic(fmt.Sprintf("jsonrows: a value of type %T", v))
		}
	}
	w.EndRow()
}

// BeginRow starts a row; Null, Str and Int append its values and EndRow
// ends it. A caller writing many rows uses them instead of Row, whose
// values would each be boxed in an interface (an allocation apiece).
func (w *Writer) BeginRow() {
	if len(w.b) == 0 {
		w.b = append(w.b, '[')
	} else {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '[')
}

// sep writes the comma before a row's value but its first.
func (w *Writer) sep() {
	if w.b[len(w.b)-1] != '[' {
		w.b = append(w.b, ',')
	}
}

// Null appends null to the row.
func (w *Writer) Null() { w.sep(); w.b = append(w.b, "null"...) }

// Str appends s to the row.
func (w *Writer) Str(s string) { w.sep(); w.b = AppendString(w.b, s) }

// Int appends n to the row.
func (w *Writer) Int(n int64) { w.sep(); w.b = strconv.AppendInt(w.b, n, 10) }

// EndRow ends the row BeginRow started.
func (w *Writer) EndRow() { w.b = append(w.b, ']') }

// String returns the rows written: "[]" for none.
func (w *Writer) String() string {
	if len(w.b) == 0 {
		return "[]"
	}
	return string(w.b) + "]"
}

// AppendString appends s as a JSON string. Invalid UTF-8 is written as
// encoding/json writes it (U+FFFD).
func AppendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
