package schema

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// sniffLimit is how far into a file the root element must start.
const sniffLimit = 1 << 20

// Outcomes of sniff.
const (
	sniffRoot    = iota // the root start tag was found
	sniffDoctype        // a DOCTYPE comes before the root
	sniffJunk           // something that is not markup before the root (or no root at all)
	sniffTooLong        // no root within sniffLimit bytes
)

// sniffed is what the light scan found before the root element.
type sniffed struct {
	status    int
	local, ns string // root local name and namespace
	line, col int    // 1-based position of the root's or DOCTYPE's '<'
}

// sniff reads from r until the root start tag is complete (or something
// else decides the matter) and returns the bytes read, to be parsed again.
// The scan knows the XML declaration, comments, processing instructions,
// white space, a byte order mark and UTF-16; it refuses a DOCTYPE before
// libxml2 ever sees it.
func sniff(r io.Reader) ([]byte, sniffed, error) {
	buf := make([]byte, 0, 4096)
	for {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		// Fill the buffer before scanning, so that a reader handing out a
		// byte at a time costs no more than one scan per doubling.
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return buf, sniffed{}, err
		}
		if s, done := scanProlog(buf, eof); done {
			return buf, s, nil
		}
		if eof {
			return buf, sniffed{status: sniffJunk}, nil
		}
		if len(buf) >= sniffLimit {
			return buf, sniffed{status: sniffTooLong}, nil
		}
	}
}

// scanProlog scans b, the start of a file; done is false when more bytes
// are needed to decide (and eof is false).
func scanProlog(b []byte, eof bool) (s sniffed, done bool) {
	text, ok := asUTF8(b)
	if !ok {
		return sniffed{status: sniffJunk}, true
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	more := func() (sniffed, bool) {
		if eof {
			return sniffed{status: sniffJunk}, true
		}
		return sniffed{}, false
	}
	i := 0
	for {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) {
			return more()
		}
		rest := text[i:]
		if rest[0] != '<' {
			return sniffed{status: sniffJunk}, true
		}
		switch {
		case strings.HasPrefix(rest, "<?"):
			j := strings.Index(rest, "?>")
			if j < 0 {
				return more()
			}
			i += j + 2
		case strings.HasPrefix(rest, "<!--"):
			j := strings.Index(rest[4:], "-->")
			if j < 0 {
				return more()
			}
			i += 4 + j + 3
		case strings.HasPrefix(rest, "<!DOCTYPE"):
			line, col := position(text, i)
			return sniffed{status: sniffDoctype, line: line, col: col}, true
		case len(rest) < len("<!DOCTYPE") && strings.HasPrefix("<!DOCTYPE", rest):
			return more()
		case strings.HasPrefix(rest, "<!"):
			return sniffed{status: sniffJunk}, true
		default:
			s, done := scanRoot(rest, eof)
			if done && s.status == sniffRoot {
				s.line, s.col = position(text, i)
			}
			return s, done
		}
	}
}

// scanRoot reads the root start tag at the start of t and resolves the
// namespace of its name from the declarations on it.
func scanRoot(t string, eof bool) (sniffed, bool) {
	junk := sniffed{status: sniffJunk}
	more := func() (sniffed, bool) {
		if eof {
			return junk, true
		}
		return sniffed{}, false
	}
	i := 1
	name, ok := scanName(t, &i)
	if !ok {
		return more()
	}
	if name == "" {
		return junk, true
	}
	decls := map[string]string{}
	for {
		sp := i
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i >= len(t) {
			return more()
		}
		if t[i] == '>' || strings.HasPrefix(t[i:], "/>") {
			break
		}
		if t[i] == '/' {
			if i+1 >= len(t) {
				return more()
			}
			return junk, true
		}
		if sp == i { // attributes are separated by white space
			return junk, true
		}
		attr, ok := scanName(t, &i)
		if !ok {
			return more()
		}
		if attr == "" {
			return junk, true
		}
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i >= len(t) {
			return more()
		}
		if t[i] != '=' {
			return junk, true
		}
		i++
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i >= len(t) {
			return more()
		}
		q := t[i]
		if q != '"' && q != '\'' {
			return junk, true
		}
		j := strings.IndexByte(t[i+1:], q)
		if j < 0 {
			return more()
		}
		val := t[i+1 : i+1+j]
		i += j + 2
		if strings.ContainsRune(val, '<') {
			return junk, true
		}
		switch {
		case attr == "xmlns":
			decls[""] = unescape(val)
		case strings.HasPrefix(attr, "xmlns:"):
			decls[attr[len("xmlns:"):]] = unescape(val)
		}
	}
	prefix, local := "", name
	if k := strings.IndexByte(name, ':'); k >= 0 {
		prefix, local = name[:k], name[k+1:]
	}
	ns, ok := decls[prefix]
	if !ok && prefix != "" {
		return junk, true // an undeclared prefix: libxml2 explains
	}
	return sniffed{status: sniffRoot, local: local, ns: ns}, true
}

// scanName reads a name at t[*i:]; ok is false when t ends inside it.
func scanName(t string, i *int) (string, bool) {
	start := *i
	for *i < len(t) {
		c := t[*i]
		if isSpace(c) || c == '>' || c == '/' || c == '=' {
			return t[start:*i], true
		}
		if c == '<' || c == '"' || c == '\'' || c == '&' || c < 0x20 {
			return "", true
		}
		*i++
	}
	return "", false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// position returns the 1-based line and column (in characters) of t[i].
func position(t string, i int) (line, col int) {
	line = 1 + strings.Count(t[:i], "\n")
	ls := strings.LastIndexByte(t[:i], '\n') + 1
	return line, utf8.RuneCountInString(t[ls:i]) + 1
}

// asUTF8 returns the text of b for scanning: UTF-8 (or any encoding that
// writes markup in ASCII) as is; UTF-16 with or without a BOM decoded.
// ok is false for encodings the scan does not read.
func asUTF8(b []byte) (string, bool) {
	var be bool
	switch {
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0, '<', 0, '?'}):
		be = true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}),
		bytes.HasPrefix(b, []byte{'<', 0, '?', 0}):
	default:
		if len(b) >= 4 && (b[0] == 0 || b[1] == 0) {
			return "", false // UCS-4 or something stranger
		}
		return string(b), true
	}
	u := make([]uint16, len(b)/2)
	for k := range u {
		if be {
			u[k] = uint16(b[2*k])<<8 | uint16(b[2*k+1])
		} else {
			u[k] = uint16(b[2*k+1])<<8 | uint16(b[2*k])
		}
	}
	return string(utf16.Decode(u)), true
}

// unescape resolves the predefined entities and character references of an
// attribute value; anything else is left as written.
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ';')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		ref := s[1:j]
		switch ref {
		case "amp":
			b.WriteByte('&')
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			var n uint64
			var err error = strconv.ErrSyntax
			if strings.HasPrefix(ref, "#x") {
				n, err = strconv.ParseUint(ref[2:], 16, 32)
			} else if strings.HasPrefix(ref, "#") {
				n, err = strconv.ParseUint(ref[1:], 10, 32)
			}
			if err != nil {
				b.WriteString(s[:j+1])
			} else {
				b.WriteRune(rune(n))
			}
		}
		s = s[j+1:]
	}
}

// binaryKinds are file signatures of what is sometimes uploaded instead of
// the XML: archives, compressed files, office documents.
var binaryKinds = []struct{ magic, kind string }{
	{"\x1F\x8B", "gzip-compressed"},
	{"PK\x03\x04", "a zip archive (or an Office document such as .xlsx)"},
	{"PK\x05\x06", "an empty zip archive"},
	{"BZh", "bzip2-compressed"},
	{"\xFD7zXZ\x00", "xz-compressed"},
	{"(\xB5/\xFD", "zstd-compressed"},
	{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
	{"%PDF-", "a PDF document"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old-style Office document (such as .xls)"},
}

// binaryKind names what b, the start of a file, is when it is one of
// binaryKinds.
func binaryKind(b []byte) (string, bool) {
	for _, k := range binaryKinds {
		if bytes.HasPrefix(b, []byte(k.magic)) {
			return k.kind, true
		}
	}
	return "", false
}
