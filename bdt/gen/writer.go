package gen

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// writer writes indented XML to a buffered stream, keeping the first error
// and counting bytes.
type writer struct {
	bw    *bufio.Writer
	n     int64
	err   error
	depth int
}

func newWriter(w io.Writer) *writer { return &writer{bw: bufio.NewWriterSize(w, 256<<10)} }

func (w *writer) raw(s string) {
	if w.err != nil {
		return
	}
	k, err := w.bw.WriteString(s)
	w.n += int64(k)
	w.err = err
}

func (w *writer) indent() {
	for i := 0; i < w.depth; i++ {
		w.raw("  ")
	}
}

// open writes <name> on a line of its own and indents what follows.
func (w *writer) open(name string) {
	w.indent()
	w.raw("<" + name + ">\n")
	w.depth++
}

func (w *writer) close(name string) {
	w.depth--
	w.indent()
	w.raw("</" + name + ">\n")
}

// leaf writes <name>text</name>, escaping text; nothing when text is "".
func (w *writer) leaf(name, text string) {
	if text == "" {
		return
	}
	w.leafRaw(name, escape(text))
}

// leafRaw writes <name>text</name> with text as is (already safe).
func (w *writer) leafRaw(name, text string) {
	w.indent()
	w.raw("<" + name + ">")
	w.raw(text)
	w.raw("</" + name + ">\n")
}

func (w *writer) int(name string, n int) { w.leafRaw(name, strconv.Itoa(n)) }

func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	return w.bw.Flush()
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape escapes text for element content. Quotes and apostrophes are
// legal there and written as they are, as the register's canonical form
// does.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

// pounds writes an amount in pence as pounds with two decimals: 1850000 is
// "18500.00".
func pounds(p int64) string {
	return strconv.FormatInt(p/100, 10) + "." + twoDigits(int(p%100))
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}
