package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

type nopHandler struct{ failAt int }

func (nopHandler) Header(*Header) error { return nil }
func (h nopHandler) Record(r *Record) error {
	if r.Index == h.failAt {
		return errors.New("stop")
	}
	return nil
}

type brokenReader struct {
	r    io.Reader
	left int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("broken")
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}

// leakDocs covers every path through the C layer: valid with and without a
// handler, schema errors (issue strings), a parser error, a refused DOCTYPE,
// an unknown kind, a size limit, a handler error and a read error.
func leakDocs() []func(v *Validator) {
	var b strings.Builder
	b.WriteString(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"><Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>` +
		`<SMSUserId>fees.office</SMSUserId><BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt>` +
		`<RecordCount>20</RecordCount></Header>`)
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "\n<CASFeeUpdate><CASNumber>CAS%011d</CASNumber><CourseFeesPaidToDate>%d.50</CourseFeesPaidToDate></CASFeeUpdate>", i, i)
	}
	b.WriteString("\n</FeeUpdate>\n")
	valid := []byte(b.String())
	invalid := bytes.ReplaceAll(valid, []byte(".50<"), []byte(".5<"))
	broken := valid[:len(valid)-200]
	doctype := append([]byte(`<!DOCTYPE FeeUpdate [<!ENTITY x "y">]>`), valid...)
	unknown := bytes.Replace(valid, []byte("feeupdate:v1"), []byte("feeupdate:v9"), 1)
	run := func(doc []byte, h Handler, opt Options) func(v *Validator) {
		return func(v *Validator) { v.Validate(bytes.NewReader(doc), h, opt) }
	}
	return []func(v *Validator){
		run(valid, nil, Options{}),
		run(valid, nopHandler{}, Options{}),
		run(invalid, nopHandler{}, Options{}),
		run(invalid, nil, Options{MaxErrors: 3}),
		run(broken, nopHandler{}, Options{}),
		run(doctype, nil, Options{}),
		run(unknown, nil, Options{}),
		run([]byte("\x00junk"), nil, Options{}),
		run(valid, nopHandler{}, Options{MaxSize: int64(len(valid) - 100)}),
		run(valid, nopHandler{failAt: 3}, Options{}),
		func(v *Validator) {
			v.Validate(&brokenReader{r: bytes.NewReader(valid), left: 700}, nopHandler{}, Options{})
		},
	}
}

// rssKiB is this process's resident set size.
func rssKiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func TestNoCLeak(t *testing.T) {
	// Validate thousands of documents and watch the C heap (malloc_info,
	// every arena): once warm, it must not grow. The Go heap and the race
	// detector's shadow memory do not count there; RSS is logged only.
	v := Default()
	docs := leakDocs()
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	cycle := func(n int) {
		for i := 0; i < n; i++ {
			for _, d := range docs {
				d(v)
			}
		}
		runtime.GC()
	}
	// Warm up: libxml2's global caches, and malloc's arenas — one per
	// thread that has called into C (the read-ahead and record goroutines
	// run on several). The arenas settle slowly: after a few thousand
	// documents the heap still grows by tens of bytes a document, less and
	// less (4.5 bytes a document over 16,500). A leak grows it alike in
	// every window; so the smaller growth of two windows in a row counts.
	cycle(rounds)
	heap := func() int64 {
		n, err := cHeapInUse()
		if err != nil {
			t.Skip(err)
		}
		return n
	}
	rss0, m0 := rssKiB(t), heap()
	cycle(rounds)
	m1 := heap()
	cycle(rounds)
	m2 := heap()
	n := rounds * len(docs)
	growth := min(m1-m0, m2-m1)
	t.Logf("%d validations twice: C heap in use %d -> %d -> %d bytes (%+d, %+d; %.1f bytes per document); RSS %d -> %d KiB",
		n, m0, m1, m2, m1-m0, m2-m1, float64(growth)/float64(n), rss0, rssKiB(t))
	// A leak of even 64 bytes a document would show as 200 KiB and more.
	if growth > 64*int64(n) && growth > 128<<10 {
		t.Errorf("the C heap grew by %d bytes in each of two windows of %d validations", growth, n)
	}
}
