package schema_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"bdt/schema"
)

// noLeak fails if goroutines started during f are still there once f has
// returned (the read-ahead and the record worker must be gone).
func noLeak(t *testing.T, f func()) {
	t.Helper()
	before := runtime.NumGoroutine()
	f()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // a goroutine that has signalled may not have exited yet
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// bigFee is a fee update of n records, 1 in every 7 schema-invalid.
func bigFee(n int) []byte {
	d := newFee(n)
	for i := 1; i <= n; i++ {
		amount := "100"
		if i%7 == 0 {
			amount = "1.5"
		}
		d.rec(cas(i), "<CourseFeesPaidToDate>"+amount+"</CourseFeesPaidToDate>")
	}
	return d.end()
}

// TestConcurrentRecordsSame: with Options.Concurrent, everything Validate
// returns and every record handed over is as without it, on every sort of
// document.
func TestConcurrentRecordsSame(t *testing.T) {
	docs := corpus(t)
	docs["big"] = bigFee(3000)
	for name, doc := range docs {
		noLeak(t, func() {
			h1, h2 := &recorder{}, &recorder{}
			want := summary(validate(t, doc, h1, schema.Options{MaxErrors: 100}), h1)
			got := summary(validate(t, doc, h2, schema.Options{MaxErrors: 100, Concurrent: true}), h2)
			if got != want {
				t.Errorf("%s: concurrent\n%s\nwant\n%s", name, got, want)
			}
		})
	}
}

// TestConcurrentHandlerError: a handler error stops the parse, no record is
// handed over after it, and the Result is the one Validate returns without
// Concurrent; also for a failure in the last, partly filled batch.
func TestConcurrentHandlerError(t *testing.T) {
	doc := bigFee(2000)
	stop := errors.New("stop here")
	for _, at := range []int{1, 7, 128, 129, 1000, 1999, 2000} {
		noLeak(t, func() {
			h1 := &recorder{failAt: at, err: stop}
			r1, err1 := schema.Default().Validate(bytes.NewReader(doc), h1, schema.Options{})
			h2 := &recorder{failAt: at, err: stop}
			r2, err2 := schema.Default().Validate(bytes.NewReader(doc), h2, schema.Options{Concurrent: true})
			if err1 != stop || err2 != stop {
				t.Fatalf("fail at %d: errors %v, %v", at, err1, err2)
			}
			if len(h2.records) != at || h2.records[at-1].Index != at {
				t.Errorf("fail at %d: %d records handed over", at, len(h2.records))
			}
			if r2.Records != at || r2.Records != r1.Records || r2.Complete() || r2.Truncated {
				t.Errorf("fail at %d: %d records (without Concurrent %d), complete %v, truncated %v",
					at, r2.Records, r1.Records, r2.Complete(), r2.Truncated)
			}
			// Issues: those collected when the failing record was handed over.
			if fmt.Sprint(r2.Issues) != fmt.Sprint(r1.Issues) {
				t.Errorf("fail at %d: issues\n%s\nwant\n%s", at, issueList(r2.Issues), issueList(r1.Issues))
			}
			for _, is := range r2.Issues {
				if is.Record > at+1 {
					t.Errorf("fail at %d: an issue of record %d in the Result", at, is.Record)
					break
				}
			}
			if len(r2.Issues) < at/7 {
				t.Errorf("fail at %d: %d issues, want at least %d", at, len(r2.Issues), at/7)
			}
		})
	}
}

// TestConcurrentHandlerPanic: a handler's panic comes out of Validate, in
// the caller's goroutine.
func TestConcurrentHandlerPanic(t *testing.T) {
	doc := bigFee(500)
	noLeak(t, func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the handler's panic", v)
			}
		}()
		h := &funcHandler{record: func(r *schema.Record) error {
			if r.Index == 300 {
				panic("boom")
			}
			return nil
		}}
		schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{Concurrent: true})
		t.Error("Validate returned")
	})
}

// TestGuardLateChunk: a limit broken far into the file, read ahead on
// another goroutine, gives the same single issue at the same place, after
// every issue and record before it, with or without Concurrent.
func TestGuardLateChunk(t *testing.T) {
	d := newFee(3000)
	for i := 1; i <= 2999; i++ {
		amount := "100"
		if i%100 == 0 {
			amount = "1.5"
		}
		d.rec(cas(i), "<CourseFeesPaidToDate>"+amount+"</CourseFeesPaidToDate>")
	}
	var attrs strings.Builder
	for i := 0; i < 70; i++ {
		fmt.Fprintf(&attrs, ` a%d="x"`, i)
	}
	line := d.add("<CASFeeUpdate" + attrs.String() + ">")
	d.add(cas(3000), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>", "</CASFeeUpdate>")
	doc := d.end()
	if len(doc) < 200<<10 {
		t.Fatalf("document of %d bytes: not far enough", len(doc))
	}
	for _, conc := range []bool{false, true} {
		noLeak(t, func() {
			h := &recorder{}
			res := validate(t, doc, h, schema.Options{Concurrent: conc})
			if len(res.Issues) != 30 || res.Complete() {
				t.Fatalf("concurrent %v: %d issues, complete %v", conc, len(res.Issues), res.Complete())
			}
			last := res.Issues[len(res.Issues)-1]
			if last.Rule != "F.WELLFORMED" || last.Line != line || !strings.Contains(last.Message, "more than 64 attributes") {
				t.Errorf("concurrent %v: last issue %v, want the guard's at line %d", conc, last, line)
			}
			if res.Records != 2999 || len(h.records) != 2999 {
				t.Errorf("concurrent %v: %d records, %d handed over", conc, res.Records, len(h.records))
			}
		})
	}
}

// TestNoLeakWhenParseStops: the read-ahead stops, and is waited for, when
// libxml2 stops early (a fatal error near the start of a large input) or
// the input fails.
func TestNoLeakWhenParseStops(t *testing.T) {
	doc := bigFee(5000)
	broken := append([]byte(nil), doc...)
	copy(broken[600:], "<<<<")
	noLeak(t, func() {
		res := validate(t, broken, &recorder{}, schema.Options{Concurrent: true})
		if res.Complete() || len(res.Issues) == 0 || !res.Issues[len(res.Issues)-1].Parser {
			t.Errorf("broken document: %v", res.Issues)
		}
	})
	noLeak(t, func() {
		fail := errors.New("gone")
		_, err := schema.Default().Validate(&failingReader{r: bytes.NewReader(doc), left: 100 << 10, err: fail}, &recorder{}, schema.Options{Concurrent: true})
		if !errors.Is(err, fail) {
			t.Errorf("error %v, want %v", err, fail)
		}
	})
}
