package register

import (
	"bytes"
	"testing"
)

// quoteWriter unescapes quotes however the encoder's output is cut into writes.
func TestQuoteWriterSplits(t *testing.T) {
	in := []byte(`<A>O&#39;Brien &amp;#39; &#34;x&#34; &lt;&#39;&#39;</A>&#3`)
	want := `<A>O'Brien &amp;#39; "x" &lt;''</A>&#3`
	for size := 1; size <= len(in); size++ {
		var out bytes.Buffer
		q := &quoteWriter{w: &out}
		for p := in; len(p) > 0; {
			n := min(size, len(p))
			if m, err := q.Write(p[:n]); m != n || err != nil {
				t.Fatalf("Write = %d, %v", m, err)
			}
			p = p[n:]
		}
		if err := q.flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("writes of %d bytes: got %q; want %q", size, out.String(), want)
		}
	}
}
