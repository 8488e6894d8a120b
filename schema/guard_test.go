package schema_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"bdt/schema"
)

// hangGuard validates doc and fails if that takes longer than a minute: not
// a speed assertion, only a guard against the quadratic paths of libxml2
// 2.9 these tests feed, which take many minutes when unguarded.
func hangGuard(t *testing.T, doc []byte, h schema.Handler) *schema.Result {
	t.Helper()
	type out struct {
		res *schema.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{})
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatalf("Validate: %v", o.err)
		}
		return o.res
	case <-time.After(time.Minute):
		t.Fatal("validation did not finish in a minute")
		return nil
	}
}

func utf16Encode(s string, bigEndian bool) []byte {
	var b []byte
	if bigEndian {
		b = append(b, 0xFE, 0xFF)
	} else {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

// TestGuardLimits feeds the inputs that make libxml2 2.9's parser quadratic
// (hundreds of kilobytes take minutes): each is refused with one
// F.WELLFORMED issue naming the limit, at the right line, and everything
// before it is still checked.
func TestGuardLimits(t *testing.T) {
	attrs := func(n int, f string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, f, i)
		}
		return b.String()
	}
	withRecordTag := func(tag string) string {
		d := newFee(1)
		d.rec(cas(1), "<CourseFeesPaidToDate>x</CourseFeesPaidToDate>") // an F.SCHEMA issue before the limit
		d.add(tag)
		d.rec(cas(2), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
		return string(d.end())
	}
	nested := func(levels, each int) string {
		var b strings.Builder
		for l := 0; l < levels; l++ {
			b.WriteString("<n" + attrs(each, fmt.Sprintf(` xmlns:p%d_%%d="urn:x"`, l)) + ">")
		}
		for l := 0; l < levels; l++ {
			b.WriteString("</n>")
		}
		return withRecordTag(b.String())
	}
	var unique strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&unique, "<n%07x/>", i)
	}
	var values strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&values, `<n a="%x"/>`, i)
	}
	tests := []struct {
		name string
		doc  []byte
		line int
		msg  string
	}{
		{"50,000 attributes", []byte(withRecordTag("<CASFeeUpdate" + attrs(50000, ` a%d=""`) + "/>")), 14,
			"the start tag <CASFeeUpdate> has more than 64 attributes"},
		{"50,000 attributes on the root", []byte(strings.Replace(withRecordTag(""), "<FeeUpdate ", "<FeeUpdate"+attrs(50000, ` a%d=""`)+" ", 1)), 2,
			"the start tag <FeeUpdate> has more than 64 attributes"},
		{"50,000 namespace declarations", []byte(withRecordTag("<CASFeeUpdate" + attrs(50000, ` xmlns:p%d="urn:x"`) + "/>")), 14,
			"more than 64 namespace declarations are in scope at <CASFeeUpdate>"},
		{"namespace declarations nested", []byte(nested(200, 8)), 14,
			"more than 64 namespace declarations are in scope at <n>"},
		{"20,000 distinct element names", []byte(withRecordTag(unique.String())), 14,
			"more than 10000 different element names, attribute names and attribute values"},
		{"20,000 distinct attribute values", []byte(withRecordTag(values.String())), 14,
			"more than 10000 different element names, attribute names and attribute values"},
		{"processing instructions (2,000 distinct targets)", []byte(withRecordTag(attrs(2000, "<?q%07d?>"))), 14,
			"a processing instruction (<?...?>) is not allowed"},
		{"a style sheet processing instruction", []byte(withRecordTag(`<?xml-stylesheet href="x.xsl"?>`)), 14,
			"a processing instruction (<?...?>) is not allowed"},
		{"a processing instruction named XML", []byte(withRecordTag(`<?XML version="1.0"?>`)), 14,
			"a processing instruction (<?...?>) is not allowed"},
		{"UTF-16 with a processing instruction", utf16Encode(strings.Replace(withRecordTag("<!--"+strings.Repeat("c", 1<<16)+"--><?q?>"),
			`encoding="UTF-8"`, `encoding="UTF-16"`, 1), true), 14,
			"a processing instruction (<?...?>) is not allowed"},
		{"UTF-16 with 50,000 attributes", utf16Encode(`<?xml version="1.0" encoding="UTF-16"?>`+
			strings.Replace(withRecordTag("<CASFeeUpdate"+attrs(50000, ` a%d=""`)+"/>"), `<?xml version="1.0" encoding="UTF-8"?>`, "", 1), false), 14,
			"the start tag <CASFeeUpdate> has more than 64 attributes"},
		{"UTF-16BE with 50,000 attributes", utf16Encode(strings.Replace(withRecordTag("<CASFeeUpdate"+attrs(50000, ` a%d=""`)+"/>"),
			`encoding="UTF-8"`, `encoding="UTF-16"`, 1), true), 14,
			"the start tag <CASFeeUpdate> has more than 64 attributes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := hangGuard(t, tc.doc, nil)
			last := res.Issues[len(res.Issues)-1]
			if last.Rule != "F.WELLFORMED" || last.Line != tc.line || !strings.Contains(last.Message, tc.msg) ||
				!strings.Contains(last.Message, "refused before it is parsed further") {
				t.Errorf("issues:\n%s\nwant last F.WELLFORMED on line %d saying %q", issueList(res.Issues), tc.line, tc.msg)
			}
			if res.Complete() || res.Valid() {
				t.Errorf("complete %v valid %v", res.Complete(), res.Valid())
			}
			// What came before the limit was still checked.
			if tc.line > 2 && (len(res.Issues) < 2 || res.Issues[0].Rule != "F.SCHEMA" || res.Issues[0].Line != 12) {
				t.Errorf("issues:\n%s\nwant the F.SCHEMA issue of line 12 first", issueList(res.Issues))
			}
		})
	}
}

// TestGuardAllowsRealFiles checks that what real files do stays within the
// guard: a namespace declaration on every record, prefixes, the XSI
// attributes, comments and CDATA holding markup characters.
func TestGuardAllowsRealFiles(t *testing.T) {
	d := newFee(3000)
	for i := 1; i <= 3000; i++ {
		d.add(`  <f:CASFeeUpdate xmlns:f="` + feeNS + `" xmlns="` + feeNS + `">`)
		d.add("    "+cas(i), "    <CourseFeesPaidToDate><![CDATA[1]]></CourseFeesPaidToDate><!-- <a b='1' c='2'> -->")
		d.add(`  </f:CASFeeUpdate>`)
	}
	doc := strings.Replace(string(d.end()), "<FeeUpdate ",
		`<FeeUpdate xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="`+feeNS+` feeupdate-v1.xsd" `, 1)
	res := hangGuard(t, []byte(doc), nil)
	if !res.Valid() || res.Records != 3000 {
		t.Errorf("records %d, issues:\n%s", res.Records, issueList(res.Issues))
	}
}

// TestTextInPieces: text libxml2 hands over in many pieces (character
// references, entity references, a long value across input chunks) was
// appended piece by piece by the schema validator, quadratically: 20 MB of
// "&#65;" took minutes. It is gathered first now.
func TestTextInPieces(t *testing.T) {
	for _, tc := range []struct {
		name, value, msg string
	}{
		{"4 million character references", strings.Repeat("&#65;", 4<<20), "the value is 4194304 characters long, more than the 64 allowed"},
		{"a million entity references", strings.Repeat("&amp;", 1<<20), "the value is 1048576 characters long, more than the 64 allowed"},
		{"9 MiB of text", strings.Repeat("x", 9<<20), "the value is 9437184 characters long, more than the 64 allowed"},
		{"20 MiB of text", strings.Repeat("x", 20<<20), "a text value is longer than the parser's limit of 10,000,000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newFee(1)
			d.rec("<SponsorReference>"+tc.value+"<!-- c --></SponsorReference>", cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
			res := hangGuard(t, d.end(), nil)
			found := false
			for _, is := range res.Issues {
				found = found || strings.Contains(is.Message, tc.msg)
			}
			if !found {
				t.Errorf("issues:\n%s\nwant one saying %q", issueList(res.Issues), tc.msg)
			}
		})
	}
	// Text in element-only content, a piece per reference: an issue per
	// MiB of gathered text, not one per reference (a million, cut at the
	// cap of 1000).
	d := newFee(1)
	d.rec(cas(1), strings.Repeat("&#65;", 1<<20), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	res := hangGuard(t, d.end(), nil)
	if len(res.Issues) == 0 || len(res.Issues) > 5 || res.Truncated || !strings.Contains(res.Issues[0].Message, "text is not allowed here") {
		t.Errorf("truncated %v, issues:\n%s", res.Truncated, issueList(res.Issues))
	}
}

// TestEncodingsAndSignatures: files whose markup the guard could not see as
// libxml2 does are refused before parsing, as are files that are not XML at
// all; each says what it is.
func TestEncodingsAndSignatures(t *testing.T) {
	d := newFee(1)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	good := string(d.end())
	withEnc := func(enc string) string {
		return strings.Replace(good, `encoding="UTF-8"`, `encoding="`+enc+`"`, 1)
	}
	ucs4 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, 0, 0, byte(r>>8), byte(r))
		}
		return b
	}
	tests := []struct {
		name string
		doc  []byte
		msg  string // "" : valid
	}{
		{"UTF-8", []byte(good), ""},
		{"ISO-8859-1", []byte(withEnc("ISO-8859-1")), ""},
		{"windows-1252", []byte(withEnc("windows-1252")), ""},
		{"US-ASCII", []byte(withEnc("US-ASCII")), ""},
		{"UTF-16LE declared UTF-16", utf16Encode(withEnc("UTF-16"), false), ""},
		{"UTF-16BE declared UTF-16BE", utf16Encode(withEnc("UTF-16BE"), true), ""},
		{"UTF-7", []byte(withEnc("UTF-7")), `names the encoding "UTF-7", which bdt does not read`},
		{"ISO-2022-JP", []byte(withEnc("ISO-2022-JP")), `names the encoding "ISO-2022-JP", which bdt does not read`},
		{"UTF-16LE declared in an 8-bit file", []byte(withEnc("UTF-16LE")), `names the encoding "UTF-16LE", which bdt does not read`},
		{"UTF-16 declaring ISO-8859-1", utf16Encode(withEnc("ISO-8859-1"), false), `the file is in UTF-16 but its XML declaration names the encoding "ISO-8859-1"`},
		{"UTF-16LE declared UTF-16BE", utf16Encode(withEnc("UTF-16BE"), false), `names the encoding "UTF-16BE"`},
		{"UCS-4", ucs4(good), "the file is in UCS-4 (UTF-32), which bdt does not read"},
		{"EBCDIC", []byte("\x4C\x6F\xA7\x94\x93\x40"), "the file is in EBCDIC, which bdt does not read"},
		{"gzip", []byte("\x1F\x8B\x08\x00\x00\x00\x00\x00"), "the file is gzip-compressed, not XML"},
		{"zip", []byte("PK\x03\x04\x14\x00"), "the file is a zip archive (or an Office document such as .xlsx), not XML"},
		{"PDF", []byte("%PDF-1.7\n"), "the file is a PDF document, not XML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := hangGuard(t, tc.doc, nil)
			if tc.msg == "" {
				if !res.Valid() {
					t.Errorf("not valid:\n%s", issueList(res.Issues))
				}
				return
			}
			if len(res.Issues) != 1 || res.Issues[0].Rule != "F.WELLFORMED" || res.Issues[0].Line != 1 ||
				!strings.Contains(res.Issues[0].Message, tc.msg) {
				t.Errorf("issues:\n%s\nwant one F.WELLFORMED on line 1 saying %q", issueList(res.Issues), tc.msg)
			}
		})
	}
}

// TestParserLimitMessages: libxml2's own limits are reported in words for a
// sponsor, and a truncated file is called truncated (libxml2 says "Extra
// content at the end of the document").
func TestParserLimitMessages(t *testing.T) {
	d := newFee(1)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	good := string(d.end())
	cut := good[:strings.Index(good, "<CourseFeesPaidToDate>")+len("<CourseFeesPaidToDate>1")]
	tests := []struct {
		name, doc, msg string
	}{
		{"truncated in a record", cut, "the file ends inside element CourseFeesPaidToDate (/FeeUpdate/CASFeeUpdate[1]/CourseFeesPaidToDate): it is truncated, or an end tag is missing"},
		{"truncated after the header", good[:strings.Index(good, "<CASFeeUpdate>")], "the file ends inside element FeeUpdate (/FeeUpdate): it is truncated"},
		{"extra content", good + "<x/>", "extra content after the end of the root element"},
		{"100,000 deep", strings.Replace(good, "<CASFeeUpdate>", strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000)+"<CASFeeUpdate>", 1),
			"elements are nested more than 256 levels deep"},
		{"10 MB attribute", strings.Replace(good, "<CASFeeUpdate>", `<CASFeeUpdate a="`+strings.Repeat("A", 10<<20)+`">`, 1),
			"longer than the parser's limit of 10,000,000 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := hangGuard(t, []byte(tc.doc), nil)
			found := false
			for _, is := range res.Issues {
				found = found || (is.Rule == "F.WELLFORMED" && strings.Contains(is.Message, tc.msg))
			}
			if !found {
				t.Errorf("issues:\n%s\nwant F.WELLFORMED %q", issueList(res.Issues), tc.msg)
			}
		})
	}
}

// TestBDTFilesOnly: with Options.BDTFiles (bdt run), a register fixture or
// a result report is refused as F.KIND unread; without it (bdt validate,
// bdt register import) it is validated.
func TestBDTFilesOnly(t *testing.T) {
	reg := []byte(`<Register xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1"></Register>`)
	res, err := schema.Default().Validate(bytes.NewReader(reg), nil, schema.Options{BDTFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issues) != 1 || res.Issues[0].Rule != "F.KIND" || res.Format.Name != "" ||
		!strings.Contains(res.Issues[0].Message, "names a register-v1 document, not a BDT file") {
		t.Errorf("format %q, issues:\n%s", res.Format.Name, issueList(res.Issues))
	}
	res = validate(t, reg, nil, schema.Options{})
	if res.Format.Name != "register-v1" {
		t.Errorf("without BDTFiles: format %q, issues:\n%s", res.Format.Name, issueList(res.Issues))
	}
	d := newFee(1)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	res, err = schema.Default().Validate(bytes.NewReader(d.end()), nil, schema.Options{BDTFiles: true})
	if err != nil || !res.Valid() {
		t.Errorf("a fee update with BDTFiles: %v\n%s", err, issueList(res.Issues))
	}
}
