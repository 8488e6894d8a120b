package jsonrows

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	var got [][]Value
	collect := func(v []Value) error {
		got = append(got, append([]Value(nil), v...))
		return nil
	}
	text := `[[1,"a\"b\\c\u0000d\n","é ☃ 𝄞",null,-42],[2,"","x",null,0]]`
	if err := Parse(text, 5, collect); err != nil {
		t.Fatal(err)
	}
	want := [][]Value{
		{{N: 1}, {S: "a\"b\\c\x00d\n"}, {S: "é ☃ 𝄞"}, {Null: true}, {N: -42}},
		{{N: 2}, {S: ""}, {S: "x"}, {Null: true}, {N: 0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	got = nil
	if err := Parse(" [ [1 , \"a\\\"b\\\\c\\u0000d\\n\",\n\"é ☃ 𝄞\", null,-42],\n [2,\"\",\"x\",null , 0] ] ", 5, collect); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with white space: got %#v\nwant %#v", got, want)
	}
	for _, empty := range []string{"", "[]"} {
		if err := Parse(empty, 5, func([]Value) error { t.Error("called on no rows"); return nil }); err != nil {
			t.Errorf("%q: %v", empty, err)
		}
	}
	for _, bad := range []string{`[`, `[[1,2]]`, `[[1,2,3,4,5,6]]`, `[[1,"x",3,4,5]`, `[[1,"x,3,4,5]]`, `[[1.5,"",3,4,5]]`,
		`[[true,"",3,4,5]]`, `[[1,"",3,4,5]]x`, `{}`} {
		if err := Parse(bad, 5, func([]Value) error { return nil }); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: error %v; want ErrMalformed", bad, err)
		}
	}
}

// TestWriterRoundTrip checks that what Writer writes, Parse reads back as
// the values written, whatever the text holds.
func TestWriterRoundTrip(t *testing.T) {
	texts := []string{"", "plain", `quote " and back\slash`, "line\nbreak\r\ttab", "\x00\x01\x1f\x7f", "£9,500 — ünïcödé 🎓",
		"\u2028\u2029", "</Record>&amp;", "[[\"]],", "null"}
	var w Writer
	if w.String() != "[]" {
		t.Errorf("empty writer = %q", w.String())
	}
	for i, s := range texts {
		w.Row(int64(i), s, nil, -i, int64(-9223372036854775808))
	}
	i := 0
	err := Parse(w.String(), 5, func(v []Value) error {
		want := []Value{{N: int64(i)}, {S: texts[i]}, {Null: true}, {N: int64(-i)}, {N: -9223372036854775808}}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("row %d = %#v, want %#v", i, v, want)
		}
		i++
		return nil
	})
	if err != nil || i != len(texts) {
		t.Fatalf("parsed %d rows of %d: %v", i, len(texts), err)
	}
	if got := string(AppendString(nil, "caf\xe9")); got != `"caf\ufffd"` {
		t.Errorf("invalid UTF-8 written as %s", got)
	}
}

// FuzzWriterRoundTrip checks Writer and Parse on any text and integer.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("x", int64(1))
	f.Add("\"\\\x00\n\u2028", int64(-1))
	f.Add("caf\xe9", int64(0))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		var w Writer
		w.Row(s, n, nil)
		w.Row(n, s, s)
		if !utf8.ValidString(s) { // each invalid byte written as U+FFFD, as encoding/json does
			var b strings.Builder
			for _, r := range s {
				b.WriteRune(r) // range yields U+FFFD for each invalid byte
			}
			s = b.String()
		}
		var got [][]Value
		err := Parse(w.String(), 3, func(v []Value) error {
			got = append(got, append([]Value(nil), v...))
			return nil
		})
		want := [][]Value{{{S: s}, {N: n}, {Null: true}}, {{N: n}, {S: s}, {S: s}}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, %v; want %#v", w.String(), got, err, want)
		}
	})
}

// TestWriterTyped checks that rows written value by value (BeginRow, Int,
// Str, Null, EndRow) are byte for byte Row's, and that they box nothing.
func TestWriterTyped(t *testing.T) {
	var row, typed Writer
	for i, s := range []string{"", "a \"b\"", "caf\xe9"} {
		row.Row(int64(i), s, nil, i*1000)
		typed.BeginRow()
		typed.Int(int64(i))
		typed.Str(s)
		typed.Null()
		typed.Int(int64(i * 1000))
		typed.EndRow()
	}
	row.Row()
	typed.BeginRow()
	typed.EndRow()
	if row.String() != typed.String() {
		t.Errorf("typed rows %s, want %s", typed.String(), row.String())
	}
	w := Writer{b: make([]byte, 0, 1<<10)}
	if n := testing.AllocsPerRun(10, func() {
		w.b = w.b[:0]
		w.BeginRow()
		w.Int(123456)
		w.Str("CAS0000000001")
		w.EndRow()
	}); n != 0 {
		t.Errorf("a typed row: %v allocations, want 0", n)
	}
}
