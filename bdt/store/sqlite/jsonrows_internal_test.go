package sqlite

import (
	"errors"
	"reflect"
	"testing"

	"bdt/rules"
)

func TestJSONRows(t *testing.T) {
	var got [][]jvalue
	collect := func(v []jvalue) error {
		got = append(got, append([]jvalue(nil), v...))
		return nil
	}
	text := `[[1,"a\"b\\c\u0000d\n","é ☃ 𝄞",null,-42],[2,"","x",null,0]]`
	if err := jsonRows(text, 5, collect); err != nil {
		t.Fatal(err)
	}
	want := [][]jvalue{
		{{n: 1}, {s: "a\"b\\c\x00d\n"}, {s: "é ☃ 𝄞"}, {null: true}, {n: -42}},
		{{n: 2}, {s: ""}, {s: "x"}, {null: true}, {n: 0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	for _, empty := range []string{"", "[]"} {
		if err := jsonRows(empty, 5, func([]jvalue) error { t.Error("called on an empty history"); return nil }); err != nil {
			t.Errorf("%q: %v", empty, err)
		}
	}
	for _, bad := range []string{`[`, `[[1,2]]`, `[[1,2,3,4,5,6]]`, `[[1,"x",3,4,5]`, `[[1,"x,3,4,5]]`, `[[1.5,"",3,4,5]]`,
		`[[true,"",3,4,5]]`, `[[1,"",3,4,5]]x`, `{}`} {
		if err := jsonRows(bad, 5, func([]jvalue) error { return nil }); !errors.Is(err, errJSONRows) {
			t.Errorf("%q: error %v; want a malformed history", bad, err)
		}
	}
}

// Histories that do not come in order of seq are put in order.
func TestHistoryOrder(t *testing.T) {
	var c rules.Certificate
	text := `[[3,"USED","2026-01-03T00:00:00Z","","c"],[1,"WORK_IN_PROGRESS","2026-01-01T00:00:00Z","","a"],[2,"ASSIGNED","2026-01-02T00:00:00Z","","b"]]`
	last, err := statusHistory(&c, text)
	if err != nil || last != 3 {
		t.Fatalf("last %d, %v", last, err)
	}
	var got string
	for _, sc := range c.StatusHistory {
		got += sc.Reason
	}
	if got != "abc" {
		t.Errorf("order %q; want abc", got)
	}
}
