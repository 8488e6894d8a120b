package schema

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"bdt/rules"
)

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func TestSniff(t *testing.T) {
	const ns = "urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"
	tests := []struct {
		name      string
		in        []byte
		status    int
		local, ns string
		line, col int
	}{
		{"plain", []byte(`<FeeUpdate xmlns="` + ns + `">`), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"declaration comment PI", []byte("<?xml version=\"1.0\"?>\n<!-- c -->\n<?pi x?>\n  <FeeUpdate xmlns='" + ns + "'>"), sniffRoot, "FeeUpdate", ns, 4, 3},
		{"BOM", []byte("\xEF\xBB\xBF<FeeUpdate xmlns=\"" + ns + "\"/>"), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"prefixed", []byte(`<b:FeeUpdate xmlns="x" xmlns:b="` + ns + `">`), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"spaces around =", []byte("<FeeUpdate\n  xmlns = \"" + ns + "\"\n  a='1' >"), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"character reference", []byte(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate&#x3A;v1">`), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"no namespace", []byte(`<FeeUpdate>`), sniffRoot, "FeeUpdate", "", 1, 1},
		{"column counts characters", []byte("<!-- é -->   <FeeUpdate>"), sniffRoot, "FeeUpdate", "", 1, 14},
		{"UTF-16LE", utf16le(`<?xml version="1.0" encoding="UTF-16"?><FeeUpdate xmlns="`+ns+`">`, true), sniffRoot, "FeeUpdate", ns, 1, 40},
		{"UTF-16BE", utf16be(`<FeeUpdate xmlns="` + ns + `">`), sniffRoot, "FeeUpdate", ns, 1, 1},
		{"doctype", []byte("<?xml version=\"1.0\"?>\n<!DOCTYPE FeeUpdate [<!ENTITY x 'y'>]>\n<FeeUpdate/>"), sniffDoctype, "", "", 2, 1},
		{"doctype after comment", []byte("<!-- a -->\n\n   <!DOCTYPE x SYSTEM \"http://example.com/x.dtd\"><x/>"), sniffDoctype, "", "", 3, 4},
		{"doctype in UTF-16", utf16le("<!DOCTYPE x><x/>", true), sniffDoctype, "", "", 1, 1},
		{"empty", nil, sniffJunk, "", "", 0, 0},
		{"text before root", []byte("hello <FeeUpdate/>"), sniffJunk, "", "", 0, 0},
		{"undeclared prefix", []byte(`<b:FeeUpdate xmlns="x">`), sniffJunk, "", "", 0, 0},
		{"unclosed comment", []byte("<!-- never closed <FeeUpdate/>"), sniffJunk, "", "", 0, 0},
		{"unclosed root tag", []byte(`<FeeUpdate xmlns="`), sniffJunk, "", "", 0, 0},
		{"unquoted attribute", []byte(`<FeeUpdate xmlns=urn:x>`), sniffJunk, "", "", 0, 0},
		{"NUL bytes", []byte("\x00\x00\x00\x00<FeeUpdate/>"), sniffJunk, "", "", 0, 0},
		{"lower-case doctype", []byte("<!doctype x><x/>"), sniffJunk, "", "", 0, 0},
		{"CDATA before root", []byte("<![CDATA[x]]><x/>"), sniffJunk, "", "", 0, 0},
		{"lone <", []byte("<"), sniffJunk, "", "", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Whole input at once, and one byte at a time: the same answer.
			for _, r := range []io.Reader{
				bytes.NewReader(tc.in), &oneByte{b: tc.in},
			} {
				prefix, s, err := sniff(r)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(prefix, tc.in[:len(prefix)]) {
					t.Errorf("prefix is not the start of the input")
				}
				if s.status != tc.status || s.local != tc.local || s.ns != tc.ns || s.line != tc.line || s.col != tc.col {
					t.Errorf("sniff = %+v, want status %d local %q ns %q at %d:%d", s, tc.status, tc.local, tc.ns, tc.line, tc.col)
				}
			}
		})
	}
}

type oneByte struct{ b []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.b[0]
	o.b = o.b[1:]
	return 1, nil
}

func TestSniffLimit(t *testing.T) {
	// A root after more than sniffLimit bytes of comment is not looked for.
	long := "<!--" + strings.Repeat("x", sniffLimit) + "--><FeeUpdate/>"
	_, s, err := sniff(strings.NewReader(long))
	if err != nil {
		t.Fatal(err)
	}
	if s.status != sniffTooLong {
		t.Fatalf("status = %d, want sniffTooLong", s.status)
	}
	// One just inside the limit is found.
	ok := "<!--" + strings.Repeat("x", sniffLimit-100) + "--><FeeUpdate/>"
	if _, s, _ := sniff(strings.NewReader(ok)); s.status != sniffRoot {
		t.Fatalf("status = %d, want sniffRoot", s.status)
	}
}

func TestValidityMessage(t *testing.T) {
	types := &vocab{
		elem: map[string]string{"CourseFeesPaidToDate": "Amount", "CASNumber": "CASNumber", "ActivityType": "StudentActivityType", "Flag": "xs:boolean"},
		types: map[string]simpleType{
			"StudentActivityType": {base: "xs:string", enums: []string{"A", "B"}, minLen: -1, maxLen: -1},
			"CASNumber":           {base: "xs:string", minLen: -1, maxLen: -1},
		},
	}
	const ns = "{urn:uk:gov:ukvi:sms:bdt:feeupdate:v1}"
	tests := []struct{ raw, want string }{
		{"Element '" + ns + "CourseFeesPaidToDate': [facet 'pattern'] The value '12.5' is not accepted by the pattern '(0|[1-9][0-9]{0,8})(\\.[0-9]{2})?'.\n",
			`CourseFeesPaidToDate: '12.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros`},
		{"Element '" + ns + "CourseFeesPaidToDate': '£1' is not a valid value of the atomic type '" + ns + "Amount'.\n",
			`CourseFeesPaidToDate: '£1' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros`},
		{"Element '" + ns + "Flag': 'yes' is not a valid value of the atomic type 'xs:boolean'.\n",
			`Flag: 'yes' is not a valid yes-or-no value; it must be true or false (or 1 or 0)`},
		{"Element '" + ns + "CASNumber': 'x' is not a valid value of the local atomic type.\n",
			`CASNumber: 'x' is not a valid CAS number; it must be 14 capital letters and digits, such as CAS26000000001`},
		{"Element '" + ns + "Other': 'x' is not a valid value of the local atomic type.\n",
			`Other: 'x' is not a valid value`},
		{"Element '" + ns + "ActivityType': [facet 'enumeration'] The value 'X' is not an element of the set {'A', 'B'}.\n",
			`ActivityType: 'X' is not a valid student activity type; it must be one of A or B`},
		{"Element '" + ns + "FamilyName': [facet 'maxLength'] The value has a length of '251'; this exceeds the allowed maximum length of '250'.\n",
			`FamilyName: the value is 251 characters long, more than the 250 allowed`},
		{"Element '" + ns + "Name': [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length of '1'.\n",
			`Name: the value is empty; it must be at least 1 character long`},
		{"Element '" + ns + "CASNumber': [facet 'length'] The value 'AB' has a length of '2'; this differs from the allowed length of '14'.\n",
			`CASNumber: 'AB' is not a valid CAS number; it must be 14 capital letters and digits, such as CAS26000000001 (it is 2 characters long, not 14)`},
		{"Element '" + ns + "N': [facet 'minInclusive'] The value '-1' is less than the minimum value allowed ('0').\n",
			`N: '-1' is less than the minimum, 0`},
		{"Element '" + ns + "N': [facet 'maxInclusive'] The value '9' is greater than the maximum value allowed ('5').\n",
			`N: '9' is more than the maximum, 5`},
		{"Element '" + ns + "N': [facet 'totalDigits'] The value '123' has more digits than are allowed ('2').\n",
			`N: the value '123' has more digits than are allowed ('2')`},
		{"Element '" + ns + "Reason': This element is not expected. Expected is ( " + ns + "DateOfBirth ).\n",
			`Reason: this element is not expected here; expected here: DateOfBirth`},
		{"Element '" + ns + "X': This element is not expected. Expected is one of ( " + ns + "A, " + ns + "B ).\n",
			`X: this element is not expected here; expected here: A or B`},
		{"Element '" + ns + "X': This element is not expected.\n",
			`X: this element is not expected here`},
		{"Element '" + ns + "CASFeeUpdate': Missing child element(s). Expected is ( " + ns + "CASNumber ).\n",
			`CASFeeUpdate: CASNumber is missing`},
		{"Element '" + ns + "Header': Character content other than whitespace is not allowed because the content type is 'element-only'.\n",
			`Header: text is not allowed here, only child elements`},
		{"Element '" + ns + "CASNumber': Element content is not allowed, because the content type is a simple type.\n",
			`CASNumber: child elements are not allowed here, only a value`},
		{"Element '" + ns + "CASNumber': Element content is not allowed, because the type definition is simple.\n",
			`CASNumber: child elements are not allowed here, only a value`},
		{"Element '" + ns + "CASFeeUpdate', attribute 'id': The attribute 'id' is not allowed.\n",
			`CASFeeUpdate/@id: the attribute id is not allowed`},
		{"Element '" + ns + "FeeUpdate': No matching global declaration available for the validation root.\n",
			`FeeUpdate: not a root element of this schema`},
		{"Something new\nover two lines.\n", `something new over two lines`},
		{"Element '" + ns + "CASNumber': 'a\tb\u200bc' is not a valid value of the local atomic type.\n",
			`CASNumber: 'a\tb\u200bc' is not a valid CAS number; ` + "it must be 14 capital letters and digits, such as CAS26000000001"},
		{"Element '" + ns + "Other': [facet 'enumeration'] The value 'X' is not an element of the set {'A', 'B', 'C'}.\n",
			`Other: 'X' is not a valid value; it must be one of A, B or C`},
		{"Element '" + ns + "CASFeeUpdate': Missing child element(s). Expected is one of ( " + ns + "A, " + ns + "B ).\n",
			`CASFeeUpdate: one of A or B is missing`},
	}
	for _, tc := range tests {
		if got := validityMessage(tc.raw, types); got != tc.want {
			t.Errorf("validityMessage(%q)\n got %q\nwant %q", tc.raw, got, tc.want)
		}
	}
}

func TestParserMessage(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"Document is empty\n", "no root element: the file must start with an XML element"},
		{"Start tag expected, '<' not found\n", "the file does not start with an XML element ('<' not found)"},
		{"Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x3C 0x2F 0x43\n", "the text is not valid UTF-8 (bytes 0xFF 0x3C 0x2F 0x43)"},
		{"Char 0x0 out of allowed range\n", "a NUL byte (character 0x0) is not allowed in XML"},
		{"Premature end of data in tag CASFeeUpdate line 12\n", "the file ends inside element CASFeeUpdate (opened on line 12): it is truncated or a tag is not closed"},
		{"Opening and ending tag mismatch: Reason line 14 and NoShow\n", "end tag </NoShow> does not match start tag <Reason> of line 14"},
		{"Extra content at the end of the document\n", "extra content after the end of the root element"},
		{"Entity 'nbsp' not defined\n", "entity &nbsp; is not defined (a BDT file has no entities)"},
		{"Namespace prefix b on FeeUpdate is not defined\n", "namespace prefix b of element FeeUpdate is not declared"},
		{"Couldn't find end of Start Tag X line 3\n", "the start tag <X> is not finished (the file may be truncated)"},
		{"Comment not terminated \n<!-- <Header>\n", "Comment not terminated <!-- <Header>"},
	}
	for _, tc := range tests {
		if got := parserMessage(tc.raw); got != tc.want {
			t.Errorf("parserMessage(%q)\n got %q\nwant %q", tc.raw, got, tc.want)
		}
	}
}

// A tiny chameleon pair in memory, like common.xsd and the kinds.
const (
	testCommon = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}"/></xs:restriction></xs:simpleType>
</xs:schema>`
	testKind = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:test:kind:v1"
    targetNamespace="urn:test:kind:v1" elementFormDefault="qualified">
  <xs:include schemaLocation="%s"/>
  <xs:element name="Root"><xs:complexType><xs:sequence>
    <xs:element name="Item" type="Code" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`
)

func TestNewIncludesFromMemory(t *testing.T) {
	fsys := fstest.MapFS{
		"xsd/common.xsd": {Data: []byte(testCommon)},
		"xsd/kind.xsd":   {Data: []byte(strings.Replace(testKind, "%s", "common.xsd", 1))},
	}
	f := Format{Name: "kind-v1", Namespace: "urn:test:kind:v1", Root: "Root", Record: "Item", File: "xsd/kind.xsd"}
	v, err := New(fsys, []Format{f})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Formats()) != 1 {
		t.Fatalf("Formats() = %v", v.Formats())
	}
	schema, types := v.schemaOf(f)
	if got := types.elem["Item"]; got != "Code" {
		t.Errorf("element type of Item = %q, want Code (from the included file)", got)
	}
	if schema == nil {
		t.Fatal("no compiled schema")
	}

	// The compiled schema validates, with the included type's facet.
	doc := "<Root xmlns=\"urn:test:kind:v1\">\n<Item>ABC</Item>\n<Item>abc</Item>\n</Root>\n"
	var items []string
	h := &testHandler{record: func(r *Record) { items = append(items, r.Node.Text) }}
	res, err := v.Validate(strings.NewReader(doc), h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Issue{Finding: rules.Finding{Rule: rules.FSchema, Severity: rules.Error, Field: "Item", Line: 3, Column: 17, Path: "/Root/Item[2]", Record: 2,
		Message: "Item: 'abc' is not a valid value"}}
	if len(res.Issues) != 1 || res.Issues[0] != want || res.Format.Name != "kind-v1" || res.Records != 2 {
		t.Errorf("result %+v", res)
	}
	if fmt.Sprint(items) != "[ABC abc]" {
		t.Errorf("records %v", items)
	}
	// A namespace of the catalogue that this validator does not hold.
	res, _ = v.Validate(strings.NewReader(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"/>`), nil, Options{})
	if len(res.Issues) != 1 || res.Issues[0].Rule != rules.FKind || !strings.Contains(res.Issues[0].Message, "feeupdate-v1 files are not accepted here") {
		t.Errorf("issues %v", res.Issues)
	}
}

type testHandler struct{ record func(*Record) }

func (testHandler) Header(*Header) error { return nil }
func (h *testHandler) Record(r *Record) error {
	h.record(r)
	return nil
}

func TestNewCompileErrors(t *testing.T) {
	common := fstest.MapFile{Data: []byte(testCommon)}
	tests := []struct {
		name string
		kind string
		want []string // substrings of the error
	}{
		{"missing include", strings.Replace(testKind, "%s", "nosuch.xsd", 1),
			[]string{"xsd/kind.xsd does not compile", "nosuch.xsd"}},
		{"include over http is refused", strings.Replace(testKind, "%s", "http://127.0.0.1:1/common.xsd", 1),
			[]string{"does not compile", "http://127.0.0.1:1/common.xsd"}},
		{"absolute path is refused", strings.Replace(testKind, "%s", "/etc/passwd", 1),
			[]string{"does not compile", "/etc/passwd"}},
		{"unknown type", strings.Replace(strings.Replace(testKind, "%s", "common.xsd", 1), `type="Code"`, `type="Nope"`, 1),
			[]string{"xsd/kind.xsd:5:", "Nope"}},
		{"not XML", "<xs:schema", []string{"xsd/kind.xsd", "does not compile"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"xsd/common.xsd": &common, "xsd/kind.xsd": {Data: []byte(tc.kind)}}
			_, err := New(fsys, []Format{{Name: "kind-v1", Namespace: "urn:test:kind:v1", Root: "Root", File: "xsd/kind.xsd"}})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// A format whose XSD is not in the FS at all.
	if _, err := New(fstest.MapFS{}, []Format{{Name: "x", File: "xsd/x.xsd"}}); err == nil || !strings.Contains(err.Error(), "xsd/x.xsd") {
		t.Errorf("New with a missing file: %v", err)
	}
}

func TestHeapInUse(t *testing.T) {
	n, err := cHeapInUse()
	if err != nil {
		t.Fatal(err)
	}
	if n <= 0 {
		t.Fatalf("cHeapInUse = %d", n)
	}
}

func TestDoctypeBelowTheSniffer(t *testing.T) {
	// Should a DOCTYPE ever get past the scan, the C layer still stops at
	// it, and libxml2 loads nothing: no NOENT, no DTDLOAD, and an entity
	// loader that refuses everything outside a schema compile.
	const secret = "SECRET-below-the-sniffer"
	dir := t.TempDir()
	file := dir + "/secret.txt"
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	docs := []string{
		`<!DOCTYPE a SYSTEM "` + srv.URL + `/a.dtd"><a>&xxe;</a>`,
		`<!DOCTYPE a [<!ENTITY xxe SYSTEM "file://` + file + `">]><a>&xxe;</a>`,
		`<!DOCTYPE a [<!ENTITY % p SYSTEM "file://` + file + `"> %p; <!ENTITY % q SYSTEM "` + srv.URL + `/q"> %q;]><a/>`,
	}
	for _, src := range docs {
		d, err := openDoc(strings.NewReader(src), nil, "", false, 100)
		if err != nil {
			t.Fatal(err)
		}
		ev := d.next()
		res := &Result{}
		d.collect(res, 0, nil)
		d.close()
		if ev != evDoctype && ev != evFatal {
			t.Errorf("event %d for %s", ev, src)
		}
		if strings.Contains(fmt.Sprint(res.Issues), secret) {
			t.Errorf("secret in %v", res.Issues)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the server was asked %d times", hits.Load())
	}
}
