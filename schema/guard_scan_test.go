package schema

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// scanRef is the guard's byte scan as it was before scan8: every character
// through step. scan8 must agree with it on everything.
func (g *guard) scanRef(b []byte) (int, *guardError) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if g.st == gText && c != '<' && c != '\n' && c != '\r' {
			g.cr = false
			if c&0xC0 != 0x80 {
				g.col++
			}
			continue
		}
		if e := g.step(int(c), c&0xC0 != 0x80); e != nil {
			return i, e
		}
	}
	return len(b), nil
}

// guardDoc makes a random document of the markup the guard reads: tags with
// attributes and namespace declarations, comments, CDATA, processing
// instructions, text with every line end, UTF-8, and now and then a start
// tag with too many attributes or a flood of distinct names.
func guardDoc(r *rand.Rand) []byte {
	var b strings.Builder
	nl := []string{"\n", "\r\n", "\r", "\n\r", ""}
	text := []string{"abc", "é€", "  ", "x\ty", "&amp;", ">", "]]>", "--", "?"}
	name := func() string {
		n := []string{"a", "CASNumber", "p:x", "é", "Header", "n" + fmt.Sprint(r.Intn(50))}
		return n[r.Intn(len(n))]
	}
	b.WriteString(`<?xml version="1.0"?>` + nl[r.Intn(len(nl))])
	depth := 0
	for k := 0; k < 200+r.Intn(400); k++ {
		switch r.Intn(12) {
		case 0, 1, 2:
			b.WriteString("<" + name())
			na := r.Intn(4)
			if r.Intn(40) == 0 {
				na = 60 + r.Intn(10)
			}
			for a := 0; a < na; a++ {
				sp := []string{" ", "\n", "\r\n ", "\t"}[r.Intn(4)]
				an := []string{"a", "xmlns", "xmlns:q", "b" + fmt.Sprint(a), "é"}[r.Intn(5)]
				q := []string{`"`, `'`}[r.Intn(2)]
				v := []string{"v", "urn:x", "a'b", `a"b`, "", "é", fmt.Sprint(r.Intn(20000))}[r.Intn(7)]
				v = strings.ReplaceAll(v, q, "")
				b.WriteString(sp + an + []string{"=", " = "}[r.Intn(2)] + q + v + q)
			}
			if r.Intn(5) == 0 {
				b.WriteString("/>")
			} else {
				b.WriteString(">")
				depth++
			}
		case 3, 4:
			if depth > 0 {
				b.WriteString("</" + name() + []string{">", " >", "\n>"}[r.Intn(3)])
				depth--
			}
		case 5:
			b.WriteString("<!--" + text[r.Intn(len(text))] + "-->")
		case 6:
			b.WriteString("<![CDATA[" + text[r.Intn(len(text))] + "]]>")
		case 7:
			b.WriteString("<?pi " + text[r.Intn(len(text))] + "?>")
		case 8:
			b.WriteString("<!X y>")
		default:
			b.WriteString(text[r.Intn(len(text))] + nl[r.Intn(len(nl))])
		}
	}
	return []byte(b.String())
}

func TestScan8AgreesWithStep(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	failures := 0
	for k := 0; k < n; k++ {
		doc := guardDoc(r)
		a := newGuard(nil, false, false)
		b := newGuard(nil, false, false)
		where := func(g *guard) string {
			return fmt.Sprintf("line %d col %d cr %v st %d depth %d scopes %d names %d", g.line, g.col, g.cr, g.st, g.depth, g.inScope, len(g.names))
		}
		off := 0
		for off < len(doc) {
			end := off + 1 + r.Intn(600)
			if end > len(doc) {
				end = len(doc)
			}
			ka, ea := a.scanRef(doc[off:end])
			kb, eb := b.scan8(doc[off:end])
			if ka != kb || (ea == nil) != (eb == nil) || (ea != nil && ea.is != eb.is) {
				t.Fatalf("doc %d at %d: ref %d %v, scan8 %d %v\n%q", k, off, ka, ea, kb, eb, doc)
			}
			if ea != nil {
				failures++
				break
			}
			if where(a) != where(b) {
				t.Fatalf("doc %d after %d: ref %s, scan8 %s", k, end, where(a), where(b))
			}
			off = end
		}
	}
	if failures == 0 {
		t.Errorf("no document broke a limit: the test does not cover failures")
	}
	t.Logf("%d documents, %d refused", n, failures)
}

// BenchmarkGuardScan scans a 2,000-record fee update in reads of 4096
// bytes, as the read-ahead does.
func BenchmarkGuardScan(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FeeUpdate xmlns=\"urn:uk:gov:ukvi:sms:bdt:feeupdate:v2\">\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "  <CASFeeUpdate>\n    <SponsorReference>R%07d</SponsorReference>\n    <CASNumber>CAS%011d</CASNumber>\n    <CourseFeesPaidToDate>%d.00</CourseFeesPaidToDate>\n    <FamilyName>Kowalski</FamilyName>\n  </CASFeeUpdate>\n", i, i, i)
	}
	sb.WriteString("</FeeUpdate>\n")
	doc := []byte(sb.String())
	for _, bc := range []struct {
		name string
		scan func(*guard, []byte) (int, *guardError)
	}{{"step", (*guard).scanRef}, {"scan8", (*guard).scan8}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for i := 0; i < b.N; i++ {
				g := newGuard(nil, false, false)
				for off := 0; off < len(doc); off += 4096 {
					if _, e := bc.scan(g, doc[off:min(off+4096, len(doc))]); e != nil {
						b.Fatal(e)
					}
				}
			}
		})
	}
}
