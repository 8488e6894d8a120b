package schema_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"bdt/schema"
)

// corpus returns documents of every sort: the samples, plus generated ones
// that are malformed, refused or of an unknown kind.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{}
	paths, err := filepath.Glob("../samples/schema/*/*.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = b
	}
	d := newFee(60)
	for i := 1; i <= 60; i++ {
		amount := "12.50"
		if i%3 == 0 {
			amount = "12.5"
		}
		d.rec(cas(i), "<CourseFeesPaidToDate>"+amount+"</CourseFeesPaidToDate>")
	}
	many := d.end()
	docs["many errors"] = many
	docs["truncated"] = many[:len(many)/2]
	docs["bad UTF-8"] = bytes.Replace(many, []byte("12.50"), []byte("12\xff50"), 5)
	docs["doctype"] = []byte(`<!DOCTYPE FeeUpdate [<!ENTITY x "y">]><FeeUpdate xmlns="` + feeNS + `">&x;</FeeUpdate>`)
	docs["unknown kind"] = bytes.Replace(many, []byte("feeupdate:v1"), []byte("feeupdate:v7"), 1)
	docs["empty"] = nil
	docs["junk"] = []byte("\x00\x01\x02 not xml at all")
	return docs
}

// summary renders everything a validation returned, to compare runs.
func summary(res *schema.Result, h *recorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %v %v\n%s", res.Format.Name, res.Records, res.Truncated, res.Complete(), issueList(res.Issues))
	if hd := res.Header; hd != nil {
		var nb bytes.Buffer
		dumpNode(&nb, hd.Node)
		fmt.Fprintf(&b, "header %s %d %q %q %q %q %d %s\n", hd.Format.Name, hd.Line, hd.Licence, hd.UserID, hd.FileID, hd.CreatedAt, hd.RecordCount, nb.String())
	}
	for _, r := range h.records {
		var nb bytes.Buffer
		dumpNode(&nb, r.Node)
		fmt.Fprintf(&b, "%d %d %s %v\n", r.Index, r.Line, nb.String(), r.Issues)
	}
	return b.String()
}

func TestConcurrentValidation(t *testing.T) {
	docs := corpus(t)
	want := map[string]string{}
	for name, doc := range docs {
		h := &recorder{}
		want[name] = summary(validate(t, doc, h, schema.Options{}), h)
	}
	const workers, rounds = 8, 4
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(docs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for name, doc := range docs {
					h := &recorder{}
					res, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{})
					if err != nil {
						errs <- fmt.Sprintf("%s: %v", name, err)
						continue
					}
					if got := summary(res, h); got != want[name] {
						errs <- fmt.Sprintf("worker %d, %s:\n got %s\nwant %s", w, name, got, want[name])
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 3 {
			t.Error(e)
		}
	}
	if n > 3 {
		t.Errorf("... and %d more differences", n-3)
	}
}
