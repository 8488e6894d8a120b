package schema

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"unicode/utf16"
)

// The guard reads a document's markup on its way to libxml2 and stops it at
// what would make libxml2 2.9 slow: the parser's duplicate-attribute check
// is quadratic in the attributes of one start tag, its namespace lookups are
// linear in the declarations in scope, and its name dictionary stops adding
// buckets at a few thousand, so that every lookup slows down with the
// distinct names seen. A few hundred kilobytes of any of these take minutes.
// BDT files need almost none of it, so the limits are far above any real
// file and far below the harm. Processing instructions, whose targets are
// names too, BDT files need not at all: the guard refuses every one but the
// XML declaration (target "xml"; libxml2 itself refuses one that is not at
// the very start).
//
// Names are told apart by a hash keyed afresh for each document
// (hash/maphash), so that no one can make many names look like one.
const (
	// guardMaxAttrs caps the attributes (namespace declarations included)
	// of one start tag. BDT elements have none.
	guardMaxAttrs = 64
	// guardMaxNS caps the namespace declarations in scope at once.
	guardMaxNS = 64
	// guardMaxNames caps the distinct element names, attribute names and
	// attribute values of one document. A BDT file has fewer than 100.
	guardMaxNames = 10000
)

// guardError stops the input at a limit of the guard; the issue says which.
type guardError struct{ is Issue }

func (e *guardError) Error() string { return e.is.Message }

// States of the guard's scan.
const (
	gText      = iota // content, prolog or epilog
	gLt               // after '<'
	gBang             // after "<!"
	gComment          // in <!-- -->
	gCDATA            // in <![CDATA[ ]]>
	gPITarget         // after "<?", matching the target "xml"
	gPI               // in <?xml ?>
	gDecl             // in another <! ... >
	gEndTag           // in </ ... >
	gName             // an element name
	gTag              // in a start tag, between attributes
	gAttrName         // an attribute name
	gAttrEq           // after an attribute name, before its value
	gAttrValue        // a quoted attribute value
)

type nsScope struct{ depth, n int }

// guard is an io.Reader passing its input through unchanged up to the first
// character that breaks a limit; the read after that fails with a
// *guardError. It reads characters the way libxml2 will: bytes (UTF-8 or an
// ASCII-compatible encoding, where markup is ASCII) or UTF-16 code units.
type guard struct {
	r    io.Reader
	wide bool // UTF-16
	be   bool // big-endian UTF-16
	odd  int  // a byte of a UTF-16 unit left from the last read; -1 none
	held error

	st        int
	line, col int
	cr        bool

	name          []byte       // the element name, first bytes (for messages)
	mh            maphash.Hash // hash of the name or value being read (a random seed of its own)
	pit           int          // bytes of "xml" matched in a processing instruction's target
	attrs, nsDecl int
	aname         [6]byte
	alen          int
	quote         int
	slash         bool
	bang          []byte
	dash, br      int
	qm            bool

	depth   int
	scopes  []nsScope
	inScope int
	names   map[uint64]struct{}
	recent  [64]uint64 // hashes known to be in names
}

func newGuard(r io.Reader, wide, be bool) *guard {
	return &guard{r: r, wide: wide, be: be, odd: -1, line: 1, names: map[uint64]struct{}{}}
}

func (g *guard) Read(p []byte) (int, error) {
	if g.held != nil {
		return 0, g.held
	}
	n, err := g.r.Read(p)
	if n > 0 {
		if k, gerr := g.scan(p[:n]); gerr != nil {
			g.held = gerr
			if k > 0 {
				return k, nil
			}
			return 0, gerr
		}
	}
	return n, err
}

// scan reads b; on a broken limit it returns the offset of the character
// that broke it, so that what comes before still reaches the parser.
func (g *guard) scan(b []byte) (int, *guardError) {
	if !g.wide {
		return g.scan8(b)
	}
	i := 0
	if g.odd >= 0 {
		u := g.unit(byte(g.odd), b[0])
		g.odd = -1
		i = 1
		if e := g.step(u, u < 0xDC00 || u > 0xDFFF); e != nil {
			return 0, e
		}
	}
	for ; i+1 < len(b); i += 2 {
		u := g.unit(b[i], b[i+1])
		if e := g.step(u, u < 0xDC00 || u > 0xDFFF); e != nil {
			return i, e
		}
	}
	if i < len(b) {
		g.odd = int(b[i])
	}
	return len(b), nil
}

// scan8 is scan for bytes (UTF-8 or an ASCII-compatible encoding). It reads
// the runs that cannot change anything but the position (text, end tags,
// names, attribute values) in tight loops, and the position itself once per
// call (lines and columns only matter in an issue): g.line, g.col and g.cr
// are the position at the start of b until the end.
func (g *guard) scan8(b []byte) (int, *guardError) {
	n := len(b)
	for i := 0; i < n; i++ {
		switch g.st {
		case gText:
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				i = n
				continue
			}
			i += j // '<' below
		case gEndTag:
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				i = n
				continue
			}
			i += j
		case gName:
			start := i
			for ; i < n; i++ {
				c := b[i]
				if c == ' ' || c == '>' || c == '/' || c == '\n' || c == '\t' || c == '\r' {
					break
				}
			}
			g.mh.Write(b[start:i])
			if k := 64 - len(g.name); k > 0 {
				g.name = append(g.name, b[start:start+min(k, i-start)]...)
			}
			if i == n {
				continue
			}
		case gAttrValue:
			start, q := i, byte(g.quote)
			if j := bytes.IndexByte(b[i:], q); j >= 0 {
				i += j
			} else {
				i = n
			}
			g.mh.Write(b[start:i])
			if i == n {
				continue
			}
		}
		if e := g.advance(int(b[i])); e != nil {
			g.moveBytes(b[:i+1])
			e.is.Line, e.is.Column = g.line, g.col
			return i, e
		}
	}
	g.moveBytes(b)
	return n, nil
}

// moveBytes moves the position over b (bytes), as step does a character at
// a time: a line per CR, LF or CR LF; a column per byte that does not
// continue a UTF-8 sequence.
func (g *guard) moveBytes(b []byte) {
	if len(b) == 0 {
		return
	}
	if bytes.IndexByte(b, '\r') >= 0 {
		for _, c := range b {
			switch c {
			case '\n':
				if !g.cr {
					g.line++
				}
				g.cr, g.col = false, 0
			case '\r':
				g.line++
				g.cr, g.col = true, 0
			default:
				g.cr = false
				if c&0xC0 != 0x80 {
					g.col++
				}
			}
		}
		return
	}
	tail := b
	if nl := bytes.Count(b, []byte{'\n'}); nl > 0 {
		if g.cr && b[0] == '\n' {
			nl-- // the LF of a CR LF split between reads
		}
		g.line += nl
		g.col = 0
		tail = b[bytes.LastIndexByte(b, '\n')+1:]
	}
	for _, c := range tail {
		if c&0xC0 != 0x80 {
			g.col++
		}
	}
	g.cr = false
}

func (g *guard) unit(a, b byte) int {
	if g.be {
		return int(a)<<8 | int(b)
	}
	return int(b)<<8 | int(a)
}

func gSpace(c int) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// step reads one character c (a byte, or a UTF-16 unit); counts says whether
// it starts a character, for the column.
func (g *guard) step(c int, counts bool) *guardError {
	switch {
	case c == '\n':
		if !g.cr {
			g.line++
		}
		g.cr, g.col = false, 0
	case c == '\r':
		g.line++
		g.cr, g.col = true, 0
	default:
		g.cr = false
		if counts {
			g.col++
		}
	}
	return g.advance(c)
}

// advance moves the scan's state over c, whatever the position.
func (g *guard) advance(c int) *guardError {
	switch g.st {
	case gText:
		if c == '<' {
			g.st = gLt
		}
	case gLt:
		switch c {
		case '/':
			g.st = gEndTag
		case '?':
			g.st, g.pit = gPITarget, 0
		case '!':
			g.st, g.bang = gBang, g.bang[:0]
		default:
			g.st, g.name = gName, g.name[:0]
			g.mh.Reset()
			g.attrs, g.nsDecl, g.slash = 0, 0, false
			g.nameChar(c)
		}
	case gBang:
		if c < 0x80 {
			g.bang = append(g.bang, byte(c))
		} else {
			g.bang = append(g.bang, 0)
		}
		switch s := string(g.bang); {
		case s == "--":
			g.st, g.dash = gComment, 0
		case s == "[CDATA[":
			g.st, g.br = gCDATA, 0
		case strings.HasPrefix("--", s), strings.HasPrefix("[CDATA[", s):
		case c == '>':
			g.st = gText
		default:
			g.st = gDecl
		}
	case gComment:
		if c == '-' {
			g.dash++
		} else {
			if c == '>' && g.dash >= 2 {
				g.st = gText
			}
			g.dash = 0
		}
	case gCDATA:
		if c == ']' {
			g.br++
		} else {
			if c == '>' && g.br >= 2 {
				g.st = gText
			}
			g.br = 0
		}
	case gPITarget:
		switch {
		case g.pit == len("xml") && (gSpace(c) || c == '?'):
			g.st, g.qm = gPI, c == '?'
		case g.pit < len("xml") && c == int("xml"[g.pit]):
			g.pit++
		default:
			return g.fail(msgPI)
		}
	case gPI:
		if c == '>' && g.qm {
			g.st = gText
		}
		g.qm = c == '?'
	case gDecl:
		if c == '>' {
			g.st = gText
		}
	case gEndTag:
		if c == '>' {
			if n := len(g.scopes); n > 0 && g.scopes[n-1].depth == g.depth {
				g.inScope -= g.scopes[n-1].n
				g.scopes = g.scopes[:n-1]
			}
			if g.depth > 0 {
				g.depth--
			}
			g.st = gText
		}
	case gName:
		switch {
		case gSpace(c):
			g.st = gTag
			return g.addName()
		case c == '/':
			g.st, g.slash = gTag, true
			return g.addName()
		case c == '>':
			if e := g.addName(); e != nil {
				return e
			}
			g.startDone(false)
		default:
			g.nameChar(c)
		}
	case gTag, gAttrEq:
		switch {
		case gSpace(c), c == '=' && g.st == gAttrEq:
		case c == '/':
			g.st, g.slash = gTag, true
		case c == '>':
			g.startDone(g.slash && g.st == gTag)
		case c == '"' || c == '\'':
			if g.st == gTag { // a value without a name: libxml2 says so
				if e := g.attr(); e != nil {
					return e
				}
			}
			g.st, g.quote = gAttrValue, c
			g.mh.Reset()
		default:
			g.st, g.slash, g.alen = gAttrName, false, 0
			g.mh.Reset()
			g.attrChar(c)
		}
	case gAttrName:
		switch {
		case gSpace(c), c == '=':
			g.st = gAttrEq
			return g.attr()
		case c == '>':
			if e := g.attr(); e != nil {
				return e
			}
			g.startDone(false)
		case c == '/':
			g.st, g.slash = gTag, true
			return g.attr()
		case c == '"' || c == '\'':
			if e := g.attr(); e != nil {
				return e
			}
			g.st, g.quote = gAttrValue, c
			g.mh.Reset()
		default:
			g.attrChar(c)
		}
	case gAttrValue:
		if c == g.quote {
			g.st = gTag
			return g.addName()
		}
		g.hashChar(c)
	}
	return nil
}

// msgPI is the guard's message on a processing instruction.
const msgPI = "a processing instruction (<?...?>) is not allowed: BDT files have none, and only the XML declaration <?xml ...?> may start a file"

// hashChar adds the character c to the hash of the name or value being read.
func (g *guard) hashChar(c int) {
	if g.wide {
		g.mh.WriteByte(byte(c >> 8))
	}
	g.mh.WriteByte(byte(c))
}

func (g *guard) nameChar(c int) {
	g.hashChar(c)
	if len(g.name) < 64 {
		if c >= 0x80 && g.wide {
			g.name = append(g.name, '?')
		} else {
			g.name = append(g.name, byte(c))
		}
	}
}

func (g *guard) attrChar(c int) {
	g.hashChar(c)
	if g.alen < len(g.aname) {
		if c >= 0x80 {
			c = 0
		}
		g.aname[g.alen] = byte(c)
		g.alen++
	}
}

// attr counts the attribute just named.
func (g *guard) attr() *guardError {
	g.attrs++
	if g.attrs > guardMaxAttrs {
		return g.fail(fmt.Sprintf("the start tag <%s> has more than %d attributes (BDT elements have none)",
			g.tagName(), guardMaxAttrs))
	}
	if a := string(g.aname[:g.alen]); a == "xmlns" || strings.HasPrefix(a, "xmlns:") {
		g.nsDecl++
		if g.inScope+g.nsDecl > guardMaxNS {
			return g.fail(fmt.Sprintf("more than %d namespace declarations are in scope at <%s> (a BDT file needs one)",
				guardMaxNS, g.tagName()))
		}
	}
	return g.addName()
}

// addName records the name or value just read (its hash is g.mh's).
func (g *guard) addName() *guardError {
	h := g.mh.Sum64()
	// Most names are among the last few seen: a small cache before the map.
	slot := &g.recent[(h^h>>32)%uint64(len(g.recent))]
	if *slot == h && h != 0 {
		return nil
	}
	if _, ok := g.names[h]; ok {
		*slot = h
		return nil
	}
	if len(g.names) >= guardMaxNames {
		return g.fail(fmt.Sprintf("the file has more than %d different element names, attribute names and attribute values (a BDT file has fewer than 100)",
			guardMaxNames))
	}
	g.names[h] = struct{}{}
	*slot = h
	return nil
}

func (g *guard) startDone(empty bool) {
	g.st = gText
	if empty {
		return
	}
	g.depth++
	if g.nsDecl > 0 {
		g.scopes = append(g.scopes, nsScope{depth: g.depth, n: g.nsDecl})
		g.inScope += g.nsDecl
	}
}

func (g *guard) tagName() string {
	return strings.ToValidUTF8(string(g.name), "?")
}

func (g *guard) fail(msg string) *guardError {
	return &guardError{is: parserIssue(g.line, g.col, "", msg+": the file is refused before it is parsed further")}
}

// detectEncoding says how libxml2 will read a file that starts with b: it
// looks at the first four bytes only (xmlDetectCharEncoding). wide is
// UTF-16 (be: big-endian); refuse names an encoding bdt does not read at all.
func detectEncoding(b []byte) (wide, be bool, refuse string) {
	if len(b) >= 4 {
		switch string(b[:4]) {
		case "\x00\x00\x00<", "<\x00\x00\x00", "\x00\x00<\x00", "\x00<\x00\x00":
			return false, false, "UCS-4 (UTF-32)"
		case "\x4C\x6F\xA7\x94":
			return false, false, "EBCDIC"
		case "<?xm":
			return false, false, ""
		case "<\x00?\x00":
			return true, false, ""
		case "\x00<\x00?":
			return true, true, ""
		}
		switch {
		case string(b[:3]) == "\xEF\xBB\xBF":
			return false, false, ""
		case string(b[:2]) == "\xFE\xFF":
			return true, true, ""
		case string(b[:2]) == "\xFF\xFE":
			return true, false, ""
		}
	}
	return false, false, ""
}

var reEncodingDecl = lazyRE(`^\x{FEFF}?<\?xml[ \t\r\n](?:[^?]|\?[^>])*?encoding[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')`)

// declaredEncoding returns the encoding the XML declaration at the start of
// b names, if any, reading b as detectEncoding says.
func declaredEncoding(b []byte, wide, be bool) (string, bool) {
	if len(b) > 4096 {
		b = b[:4096]
	}
	var text string
	if wide {
		u := make([]uint16, len(b)/2)
		for k := range u {
			if be {
				u[k] = uint16(b[2*k])<<8 | uint16(b[2*k+1])
			} else {
				u[k] = uint16(b[2*k+1])<<8 | uint16(b[2*k])
			}
		}
		text = string(utf16.Decode(u))
	} else {
		text = strings.TrimPrefix(string(b), "\xEF\xBB\xBF")
	}
	m := reEncodingDecl().FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	return m[1] + m[2], true
}

// encodingAccepted reports whether bdt reads a file declaring enc: UTF-8,
// UTF-16 and the ASCII-compatible single-byte encodings, in which the
// guard sees the markup exactly as libxml2 does. Other encodings (UTF-7,
// ISO-2022, EBCDIC, UTF-32...) could hide markup from the guard; a UTF-16
// file must not switch to another encoding, nor an 8-bit one to UTF-16LE
// or BE (libxml2 would follow; "UTF-16" alone it refuses in an 8-bit file).
func encodingAccepted(enc string, wide, be bool) bool {
	e := strings.ToUpper(enc)
	if wide {
		return e == "UTF-16" || e == "UTF16" || (be && e == "UTF-16BE") || (!be && e == "UTF-16LE")
	}
	switch e {
	case "UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "ISO-LATIN-1", "UTF-16", "UTF16":
		return true
	}
	if n, ok := strings.CutPrefix(e, "ISO-8859-"); ok {
		switch n {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "13", "14", "15", "16":
			return true
		}
	}
	for _, p := range []string{"WINDOWS-125", "CP125"} {
		if n, ok := strings.CutPrefix(e, p); ok && len(n) == 1 && n[0] >= '0' && n[0] <= '8' {
			return true
		}
	}
	return false
}
