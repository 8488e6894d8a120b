package schema_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"bdt/rules"
	"bdt/schema"
)

const feeNS = "urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"

// xmlDoc builds a document line by line, so tests know every line number.
type xmlDoc struct{ lines []string }

// add appends lines and returns the number of the first.
func (d *xmlDoc) add(lines ...string) int {
	n := len(d.lines) + 1
	d.lines = append(d.lines, lines...)
	return n
}

func (d *xmlDoc) line(n int) string { return d.lines[n-1] }
func (d *xmlDoc) bytes() []byte     { return []byte(strings.Join(d.lines, "\n") + "\n") }

// newFee starts a fee update (v1) whose header declares count records;
// the header takes lines 3 to 9, the records start on line 10.
func newFee(count int) *xmlDoc {
	d := &xmlDoc{}
	d.add(`<?xml version="1.0" encoding="UTF-8"?>`,
		`<FeeUpdate xmlns="`+feeNS+`">`,
		`  <Header>`,
		`    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>`,
		`    <SMSUserId>fees.office</SMSUserId>`,
		`    <BulkUpdateFileId>FEES-TEST-1</BulkUpdateFileId>`,
		`    <CreatedAt>2026-07-17T16:45:00Z</CreatedAt>`,
		fmt.Sprintf(`    <RecordCount>%d</RecordCount>`, count),
		`  </Header>`)
	return d
}

// rec adds a record with the given child lines and returns its first line.
func (d *xmlDoc) rec(children ...string) int {
	n := d.add(`  <CASFeeUpdate>`)
	for _, c := range children {
		d.add("    " + c)
	}
	d.add(`  </CASFeeUpdate>`)
	return n
}

func (d *xmlDoc) end() []byte { d.add(`</FeeUpdate>`); return d.bytes() }

func cas(i int) string { return fmt.Sprintf("<CASNumber>CAS%011d</CASNumber>", i) }

// recorder is a Handler that keeps what it is given.
type recorder struct {
	events  []string
	header  *schema.Header
	records []*schema.Record
	failAt  int   // Record returns err for this index
	err     error // also returned by Header when failAt is 0
}

func (r *recorder) Header(h *schema.Header) error {
	r.events = append(r.events, "header")
	r.header = h
	if r.failAt == 0 && r.err != nil {
		return r.err
	}
	return nil
}

func (r *recorder) Record(rec *schema.Record) error {
	r.events = append(r.events, fmt.Sprintf("record %d", rec.Index))
	r.records = append(r.records, rec)
	if rec.Index == r.failAt {
		return r.err
	}
	return nil
}

func validate(t testing.TB, doc []byte, h schema.Handler, opt schema.Options) *schema.Result {
	t.Helper()
	res, err := schema.Default().Validate(bytes.NewReader(doc), h, opt)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return res
}

func issueList(issues []schema.Issue) string {
	var b strings.Builder
	for _, is := range issues {
		fmt.Fprintf(&b, "  %s record %d path %s parser %v\n", is, is.Record, is.Path, is.Parser)
	}
	return b.String()
}

func TestValidDocument(t *testing.T) {
	d := newFee(3)
	r1 := d.rec(cas(1), "<CourseFeesPaidToDate>  9250.00\n  </CourseFeesPaidToDate>")
	d.lines[len(d.lines)-2] = "    <CourseFeesPaidToDate>  9250.00  </CourseFeesPaidToDate>"
	r2 := d.add(`  <CASFeeUpdate><CASNumber>CAS26000000002</CASNumber><BoardingFeesPaidToDate>0</BoardingFeesPaidToDate></CASFeeUpdate>`)
	r3 := d.rec("<SponsorReference><![CDATA[S&1]]> &amp; 2</SponsorReference>", cas(3),
		"<!-- a comment -->", "<CourseFeeIncludesAccomodationCosts>true</CourseFeeIncludesAccomodationCosts>",
		"<AccommodationFeesPaidToDate/>")
	// An empty amount is not valid: make the last one a real amount.
	d.lines[len(d.lines)-2] = "    <AccommodationFeesPaidToDate>10</AccommodationFeesPaidToDate>"
	doc := d.end()

	h := &recorder{}
	res := validate(t, doc, h, schema.Options{})
	if !res.Valid() {
		t.Fatalf("not valid:\n%s", issueList(res.Issues))
	}
	if res.Format.Name != "feeupdate-v1" || res.Records != 3 || res.Truncated || !res.Complete() {
		t.Errorf("Result = format %q records %d truncated %v complete %v", res.Format.Name, res.Records, res.Truncated, res.Complete())
	}
	if got, want := strings.Join(h.events, ", "), "header, record 1, record 2, record 3"; got != want {
		t.Errorf("handler events = %s, want %s", got, want)
	}
	hd := h.header
	if hd == nil || res.Header != hd {
		t.Fatalf("header %p, Result.Header %p", hd, res.Header)
	}
	if hd.Format.Name != "feeupdate-v1" || hd.Line != 3 || hd.Licence != "4NUV7KB58" || hd.UserID != "fees.office" ||
		hd.FileID != "FEES-TEST-1" || hd.CreatedAt != "2026-07-17T16:45:00Z" || hd.RecordCount != 3 {
		t.Errorf("header = %+v", *hd)
	}
	if c := hd.Node.Child("RecordCount"); c == nil || c.Line != 8 || c.Text != "3" {
		t.Errorf("header RecordCount node = %+v", c)
	}
	if _, ok := res.CountIssue(); ok {
		t.Errorf("CountIssue reports a problem for a matching count")
	}

	wantRecs := []struct {
		line     int
		children []string
		cas      string
	}{
		{r1, []string{"CASNumber", "CourseFeesPaidToDate"}, "CAS00000000001"},
		{r2, []string{"CASNumber", "BoardingFeesPaidToDate"}, "CAS26000000002"},
		{r3, []string{"SponsorReference", "CASNumber", "CourseFeeIncludesAccomodationCosts", "AccommodationFeesPaidToDate"}, "CAS00000000003"},
	}
	for i, w := range wantRecs {
		rec := h.records[i]
		if rec.Index != i+1 || rec.Line != w.line || rec.Node.Name != "CASFeeUpdate" || rec.Node.Line != w.line || len(rec.Issues) != 0 {
			t.Errorf("record %d: index %d line %d node %s/%d issues %v", i+1, rec.Index, rec.Line, rec.Node.Name, rec.Node.Line, rec.Issues)
		}
		var names []string
		for _, c := range rec.Node.Children {
			names = append(names, c.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(w.children) {
			t.Errorf("record %d children = %v, want %v", i+1, names, w.children)
		}
		if v, ok := rec.Node.Value("CASNumber"); !ok || v != w.cas {
			t.Errorf("record %d CASNumber = %q, %v", i+1, v, ok)
		}
		if rec.Node.Text != "" {
			t.Errorf("record %d: a non-leaf has text %q", i+1, rec.Node.Text)
		}
	}
	if v, _ := h.records[0].Node.Value("CourseFeesPaidToDate"); v != "9250.00" {
		t.Errorf("text is not trimmed: %q", v)
	}
	if c := h.records[0].Node.Child("CourseFeesPaidToDate"); c.Line != r1+2 {
		t.Errorf("leaf line = %d, want %d", c.Line, r1+2)
	}
	if v, _ := h.records[2].Node.Value("SponsorReference"); v != "S&1 & 2" {
		t.Errorf("CDATA and entity text = %q, want %q", v, "S&1 & 2")
	}
	if v, ok := h.records[0].Node.Value("BoardingFeesPaidToDate"); ok || v != "" {
		t.Errorf("Value of an absent child = %q, %v", v, ok)
	}
	if c := h.records[0].Node.Child("Nope"); c != nil {
		t.Errorf("Child of an absent name = %v", c)
	}
	var nilNode *schema.Node
	if nilNode.Child("x") != nil {
		t.Errorf("Child on a nil node")
	}
}

func TestIssueFields(t *testing.T) {
	d := newFee(4)
	d.lines[4] = `    <SMSUserId>js</SMSUserId>` // line 5
	d.rec(cas(1), "<CourseFeesPaidToDate>100</CourseFeesPaidToDate>")
	r2 := d.rec(cas(2), "<CourseFeesPaidToDate>12.5</CourseFeesPaidToDate>")
	r3 := d.rec(cas(3), "<Colour>red</Colour>", "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	r4 := d.rec("<SponsorReference>S1</SponsorReference>")
	doc := d.end()

	want := []schema.Issue{
		{Finding: rules.Finding{Rule: rules.FSchema, Severity: rules.Error, Field: "SMSUserId", Line: 5, Column: len(d.line(5)) + 1, Path: "/FeeUpdate/Header/SMSUserId", Record: 0,
			Message: `SMSUserId: 'js' is not a valid SMS user id; it must be 3 to 64 letters, digits, dots, underscores and hyphens, starting with a letter or digit, such as jsmith01`}},
		{Finding: rules.Finding{Rule: rules.FSchema, Severity: rules.Error, Field: "CourseFeesPaidToDate", Line: r2 + 2, Column: len(d.line(r2+2)) + 1, Path: "/FeeUpdate/CASFeeUpdate[2]/CourseFeesPaidToDate", Record: 2,
			Message: `CourseFeesPaidToDate: '12.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros`}},
		{Finding: rules.Finding{Rule: rules.FSchema, Severity: rules.Error, Field: "Colour", Line: r3 + 2, Column: len("    <Colour>"), Path: "/FeeUpdate/CASFeeUpdate[3]/Colour", Record: 3, // column: the start tag's '>'
			Message: `Colour: this element is not expected here; expected here: CourseFeesForFirstYearOnly, CourseFeesPaidToDate, BoardingFeesPaidToDate, CourseFeeIncludesAccomodationCosts or AccommodationFeesPaidToDate`}},
		{Finding: rules.Finding{Rule: rules.FSchema, Severity: rules.Error, Field: "CASFeeUpdate", Line: r4 + 2, Column: len(d.line(r4+2)) + 1, Path: "/FeeUpdate/CASFeeUpdate[4]", Record: 4,
			Message: `CASFeeUpdate: CASNumber is missing`}},
	}
	h := &recorder{}
	res := validate(t, doc, h, schema.Options{})
	if res.Valid() {
		t.Fatal("Valid() = true")
	}
	if len(res.Issues) != len(want) {
		t.Fatalf("%d issues, want %d:\n%s", len(res.Issues), len(want), issueList(res.Issues))
	}
	for i := range want {
		if res.Issues[i] != want[i] {
			t.Errorf("issue %d\n got %#v\nwant %#v", i+1, res.Issues[i], want[i])
		}
	}
	if got, want := res.Issues[1].Error(), fmt.Sprintf("%d:%d: F.SCHEMA: %s", want[1].Line, want[1].Column, want[1].Message); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if res.Issues[1].String() != res.Issues[1].Error() {
		t.Errorf("String() != Error()")
	}
	// Each record got its own issues as it was handed over; the header's
	// issue belongs to no record.
	if len(h.records) != 4 {
		t.Fatalf("%d records handed over", len(h.records))
	}
	for i, rec := range h.records {
		var wantIssues []schema.Issue
		for _, is := range want {
			if is.Record == i+1 {
				wantIssues = append(wantIssues, is)
			}
		}
		if fmt.Sprint(rec.Issues) != fmt.Sprint(wantIssues) {
			t.Errorf("record %d issues = %v, want %v", i+1, rec.Issues, wantIssues)
		}
	}
}

func TestRecordCount(t *testing.T) {
	tests := []struct {
		declared string
		records  int
		want     bool // an F.COUNT issue
	}{
		{"2", 2, false},
		{"3", 2, true},
		{"1", 2, true},
		{"0", 0, false}, // no record at all is a schema error, not a count error
	}
	for _, tc := range tests {
		d := newFee(0)
		d.lines[7] = "    <RecordCount>" + tc.declared + "</RecordCount>"
		for i := 1; i <= tc.records; i++ {
			d.rec(cas(i), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
		}
		res := validate(t, d.end(), nil, schema.Options{})
		is, ok := res.CountIssue()
		if ok != tc.want {
			t.Errorf("declared %s, %d records: CountIssue = %v, %v", tc.declared, tc.records, is, ok)
			continue
		}
		if ok && (is.Rule != "F.COUNT" || is.Line != 8 || is.Path != "/FeeUpdate/Header/RecordCount" ||
			is.Message != fmt.Sprintf("the header declares %s records but the file holds %d", tc.declared, tc.records) &&
				is.Message != fmt.Sprintf("the header declares %s record but the file holds %d", tc.declared, tc.records)) {
			t.Errorf("F.COUNT issue = %#v", is)
		}
	}
	// Not checked when the file could not be read to its end.
	d := newFee(5)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	res := validate(t, d.bytes(), nil, schema.Options{}) // no end tag
	if _, ok := res.CountIssue(); ok || res.Complete() {
		t.Errorf("CountIssue on a truncated file")
	}
}

func TestMalformed(t *testing.T) {
	valid := newFee(1)
	valid.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	good := string(valid.end())
	junk := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(junk)

	tests := []struct {
		name string
		in   string
		line int    // of the first issue
		msg  string // in the first issue's message
	}{
		{"empty file", "", 1, "the file is empty"},
		{"white space only", "\n\n   \n", 4, "the file is empty"},
		{"binary junk", string(junk), 1, ""},
		{"NUL bytes only", strings.Repeat("\x00", 64), 1, ""},
		{"text before the root", "hello\n" + good, 1, "no root element"},
		{"unclosed tag", strings.Replace(good, "</CASNumber>", "", 1), 13, "does not match start tag <CASNumber> of line 11"},
		{"truncated file", good[:strings.Index(good, "<CourseFeesPaidToDate>")+10], 12, "may be truncated"},
		{"truncated in the header", good[:strings.Index(good, "<SMSUserId>")+5], 5, ""},
		{"bad UTF-8", strings.Replace(good, "CAS00000000001", "CAS\xff0000000001", 1), 11, "not valid UTF-8"},
		{"NUL byte in text", strings.Replace(good, "CAS00000000001", "CAS\x000000000001", 1), 11, "NUL"},
		{"control character", strings.Replace(good, "CAS00000000001", "CAS\x010000000001", 1), 11, "not allowed"},
		{"two roots", good + "<FeeUpdate xmlns=\"" + feeNS + "\"/>\n", 15, "extra content"},
		{"undefined entity", strings.Replace(good, "CAS00000000001", "CAS&nbsp;0000000001", 1), 11, "entity &nbsp; is not defined"},
		{"undeclared prefix on the root", strings.Replace(strings.Replace(good, "<FeeUpdate xmlns", "<b:FeeUpdate xmlns", 1), "</FeeUpdate>", "</b:FeeUpdate>", 1), 2, "prefix b"},
		{"undeclared prefix inside", strings.Replace(good, "<CASNumber>CAS00000000001</CASNumber>", "<x:CASNumber>CAS00000000001</x:CASNumber>", 1), 11, "prefix x"},
		{"unquoted attribute", strings.Replace(good, "<CASFeeUpdate>", "<CASFeeUpdate id=1>", 1), 10, ""},
		{"unclosed comment", strings.Replace(good, "  <Header>", "  <!-- <Header>", 1), 15, ""},
		{"lone ampersand", strings.Replace(good, "fees.office", "fees & office", 1), 5, ""},
		{"lone <", "<", 1, ""},
		{"unclosed CDATA", strings.Replace(good, "CAS00000000001", "<![CDATA[CAS", 1), 11, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &recorder{}
			res := validate(t, []byte(tc.in), h, schema.Options{})
			if res.Valid() || len(res.Issues) == 0 {
				t.Fatal("Valid() = true")
			}
			// Schema issues may come first, found before the parser saw
			// what is wrong; the parser's own comes after them.
			var first schema.Issue
			for _, is := range res.Issues {
				if is.Parser {
					first = is
					break
				}
			}
			if first.Rule != "F.WELLFORMED" || !first.Parser || first.Record != 0 {
				t.Fatalf("no parser F.WELLFORMED issue:\n%s", issueList(res.Issues))
			}
			if first.Line != tc.line {
				t.Errorf("first issue at line %d, want %d:\n%s", first.Line, tc.line, issueList(res.Issues))
			}
			if !strings.Contains(first.Message, tc.msg) || first.Message == "" {
				t.Errorf("message %q does not say %q", first.Message, tc.msg)
			}
			for _, is := range res.Issues {
				if is.Rule != "F.WELLFORMED" && is.Rule != "F.SCHEMA" {
					t.Errorf("issue with rule %s", is.Rule)
				}
				if strings.Contains(is.Message, "Schemas") || strings.Contains(is.Message, "{urn:") || strings.HasSuffix(is.Message, "\n") {
					t.Errorf("message not cleaned up: %q", is.Message)
				}
			}
			if res.Complete() {
				if _, ok := res.CountIssue(); ok {
					t.Errorf("F.COUNT on a file that is not well-formed")
				}
			}
		})
	}
}

func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestKindDetection(t *testing.T) {
	d := newFee(1)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	good := string(d.end())
	v2 := strings.Replace(good, "feeupdate:v1", "feeupdate:v2", 1)
	prefixed := `<?xml version="1.0"?>
<f:FeeUpdate xmlns:f="` + feeNS + `">
  <f:Header>
    <f:SponsorLicenceNumber>4NUV7KB58</f:SponsorLicenceNumber>
    <f:SMSUserId>fees.office</f:SMSUserId>
    <f:BulkUpdateFileId>FEES-TEST-1</f:BulkUpdateFileId>
    <f:CreatedAt>2026-07-17T16:45:00Z</f:CreatedAt>
    <f:RecordCount>1</f:RecordCount>
  </f:Header>
  <f:CASFeeUpdate><f:CASNumber>CAS00000000001</f:CASNumber></f:CASFeeUpdate>
</f:FeeUpdate>
`
	utf16doc := strings.Replace(good, `encoding="UTF-8"`, `encoding="UTF-16"`, 1)

	tests := []struct {
		name   string
		in     []byte
		format string // "" when F.KIND
		valid  bool
		msg    string // in the F.KIND message
	}{
		{"v1", []byte(good), "feeupdate-v1", true, ""},
		{"v2", []byte(v2), "feeupdate-v2", true, ""},
		{"prefixed root", []byte(prefixed), "feeupdate-v1", true, ""},
		{"UTF-16 with a BOM", utf16LE(utf16doc), "feeupdate-v1", true, ""},
		{"long comment first", []byte(strings.Replace(good, "<FeeUpdate", "<!--"+strings.Repeat("-x", 5000)+"-->\n<FeeUpdate", 1)), "feeupdate-v1", true, ""},
		{"unknown namespace", []byte(strings.Replace(good, "feeupdate:v1", "feeupdate:v9", 1)), "", false, `namespace "urn:uk:gov:ukvi:sms:bdt:feeupdate:v9"`},
		{"no namespace", []byte(strings.Replace(good, ` xmlns="`+feeNS+`"`, "", 1)), "", false, "has no namespace"},
		{"wrong root for the namespace", []byte(strings.Replace(strings.Replace(good, "<FeeUpdate ", "<NoShowReport ", 1), "</FeeUpdate>", "</NoShowReport>", 1)), "", false, "is FeeUpdate, not NoShowReport"},
		{"root far down", []byte("<!--" + strings.Repeat("x", 1<<20) + "-->" + good), "", false, "within the first 1024 KiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &recorder{}
			res := validate(t, tc.in, h, schema.Options{})
			if res.Valid() != tc.valid {
				t.Fatalf("Valid() = %v:\n%s", res.Valid(), issueList(res.Issues))
			}
			if res.Format.Name != tc.format {
				t.Errorf("Format = %q, want %q", res.Format.Name, tc.format)
			}
			if tc.format != "" {
				if res.Records != 1 || len(h.records) != 1 || h.header == nil {
					t.Errorf("records %d, handed %d, header %v", res.Records, len(h.records), h.header)
				}
				return
			}
			if len(res.Issues) != 1 || res.Issues[0].Rule != "F.KIND" || !strings.Contains(res.Issues[0].Message, tc.msg) {
				t.Fatalf("issues:\n%s\nwant one F.KIND saying %q", issueList(res.Issues), tc.msg)
			}
			if len(h.events) != 0 || res.Records != 0 {
				t.Errorf("an unknown kind was parsed: events %v, records %d", h.events, res.Records)
			}
		})
	}
	// The position of an F.KIND issue is the root's start tag.
	res := validate(t, []byte("<?xml version=\"1.0\"?>\n\n  <Foo xmlns=\"urn:x\"/>"), nil, schema.Options{})
	if is := res.Issues[0]; is.Line != 3 || is.Column != 3 || is.Path != "/Foo" {
		t.Errorf("F.KIND at %d:%d %s, want 3:3 /Foo", is.Line, is.Column, is.Path)
	}
}

func TestReaders(t *testing.T) {
	// The same document through readers that hand out data in odd ways
	// gives the same result.
	d := newFee(300)
	for i := 1; i <= 300; i++ {
		amount := "100"
		if i%7 == 0 {
			amount = "1.5"
		}
		d.rec(cas(i), "<CourseFeesPaidToDate>"+amount+"</CourseFeesPaidToDate>")
	}
	doc := d.end()
	want := validate(t, doc, nil, schema.Options{})
	if len(want.Issues) != 300/7 {
		t.Fatalf("%d issues, want %d", len(want.Issues), 300/7)
	}
	readers := map[string]func() io.Reader{
		"one byte":    func() io.Reader { return iotest.OneByteReader(bytes.NewReader(doc)) },
		"half":        func() io.Reader { return iotest.HalfReader(bytes.NewReader(doc)) },
		"data+EOF":    func() io.Reader { return iotest.DataErrReader(bytes.NewReader(doc)) },
		"multi":       func() io.Reader { return io.MultiReader(bytes.NewReader(doc[:5000]), bytes.NewReader(doc[5000:])) },
		"empty 0,nil": func() io.Reader { return &stutter{r: bytes.NewReader(doc)} },
	}
	for name, mk := range readers {
		res, err := schema.Default().Validate(mk(), nil, schema.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fmt.Sprint(res.Issues) != fmt.Sprint(want.Issues) || res.Records != want.Records {
			t.Errorf("%s: %d issues, %d records; want %d, %d", name, len(res.Issues), res.Records, len(want.Issues), want.Records)
		}
	}
}

// stutter returns (0, nil) before every read.
type stutter struct {
	r    io.Reader
	flip bool
}

func (s *stutter) Read(p []byte) (int, error) {
	if s.flip = !s.flip; s.flip {
		return 0, nil
	}
	return s.r.Read(p)
}

func TestMaxSize(t *testing.T) {
	d := newFee(40)
	for i := 1; i <= 40; i++ {
		d.rec(cas(i), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	}
	doc := d.end()
	n := int64(len(doc))
	tests := []struct {
		max  int64
		size bool
	}{
		{0, false},
		{n, false},
		{n + 1, false},
		{n - 1, true},
		{n / 2, true},
		{100, true}, // before the root is even found
		{1, true},
	}
	for _, tc := range tests {
		h := &recorder{}
		res := validate(t, doc, h, schema.Options{MaxSize: tc.max})
		if !tc.size {
			if !res.Valid() {
				t.Errorf("MaxSize %d of %d: not valid:\n%s", tc.max, n, issueList(res.Issues))
			}
			continue
		}
		if len(res.Issues) != 1 || res.Issues[0].Rule != "F.SIZE" || res.Valid() || res.Complete() {
			t.Errorf("MaxSize %d of %d: issues\n%s", tc.max, n, issueList(res.Issues))
		}
		if !strings.Contains(res.Issues[0].Message, "over the limit of") {
			t.Errorf("F.SIZE message %q", res.Issues[0].Message)
		}
	}
}

func TestHandlerErrors(t *testing.T) {
	d := newFee(5)
	for i := 1; i <= 5; i++ {
		d.rec(cas(i), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	}
	doc := d.end()
	stop := errors.New("stop here")

	h := &recorder{failAt: 2, err: stop}
	res, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{})
	if err != stop {
		t.Fatalf("Validate error = %v, want the handler's", err)
	}
	if got := strings.Join(h.events, ", "); got != "header, record 1, record 2" {
		t.Errorf("events after the error: %s", got)
	}
	if res == nil || res.Records != 2 {
		t.Errorf("Result after a handler error: %+v", res)
	}

	h = &recorder{failAt: 0, err: stop}
	if _, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{}); err != stop {
		t.Fatalf("Validate error = %v, want the Header's", err)
	}
	if len(h.records) != 0 {
		t.Errorf("records handed over after Header failed")
	}
}

// failingReader hands out data, then fails.
type failingReader struct {
	r     io.Reader
	left  int
	err   error
	panic bool
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		if f.panic {
			panic("the disk caught fire")
		}
		return 0, f.err
	}
	if len(p) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= n
	return n, err
}

func TestReaderFailure(t *testing.T) {
	d := newFee(400)
	for i := 1; i <= 400; i++ {
		d.rec(cas(i), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	}
	doc := d.end()
	broken := errors.New("connection reset")
	for _, at := range []int{0, 10, 3000, 20000, len(doc) - 3} {
		res, err := schema.Default().Validate(&failingReader{r: bytes.NewReader(doc), left: at, err: broken}, nil, schema.Options{})
		if !errors.Is(err, broken) {
			t.Errorf("failing after %d bytes: error %v, want %v", at, err, broken)
		}
		if res != nil && res.Complete() {
			t.Errorf("failing after %d bytes: Complete", at)
		}
		for _, is := range res.Issues {
			if is.Rule == "F.WELLFORMED" {
				t.Errorf("failing after %d bytes: the read error became an issue: %v", at, is)
			}
		}
	}
	// A reader that panics inside libxml2's read callback.
	_, err := schema.Default().Validate(&failingReader{r: bytes.NewReader(doc), left: 20000, panic: true}, nil, schema.Options{})
	if err == nil || !strings.Contains(err.Error(), "the disk caught fire") {
		t.Errorf("panicking reader: %v", err)
	}
}

// countingReader counts the bytes read from it. The count is atomic: the
// validator reads ahead on a goroutine of its own while handlers look.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestStreaming(t *testing.T) {
	// Records are handed over while the rest of the file is still unread.
	const n = 20000
	d := newFee(n)
	for i := 1; i <= n; i++ {
		d.rec(cas(i), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	}
	doc := d.end()
	cr := &countingReader{r: bytes.NewReader(doc)}
	var readAt []int64
	h := &funcHandler{record: func(r *schema.Record) error {
		if r.Index == 1 || r.Index == n/2 {
			readAt = append(readAt, cr.n.Load())
		}
		return nil
	}}
	res, err := schema.Default().Validate(cr, h, schema.Options{})
	if err != nil || !res.Valid() || res.Records != n {
		t.Fatalf("err %v valid %v records %d", err, res.Valid(), res.Records)
	}
	// The validator reads at most its input buffer (64 KiB) and the guard's
	// read-ahead (three chunks of 64 KiB) beyond libxml2, which itself holds
	// at most 64 KiB.
	const ahead = 64<<10 + 4*64<<10
	if readAt[0] > ahead {
		t.Errorf("record 1 came after %d of %d bytes were read", readAt[0], len(doc))
	}
	if half := int64(len(doc) / 2); readAt[1] > half+ahead {
		t.Errorf("record %d came after %d of %d bytes were read", n/2, readAt[1], len(doc))
	}
	if n := cr.n.Load(); n != int64(len(doc)) {
		t.Errorf("read %d bytes of %d", n, len(doc))
	}
}

type funcHandler struct {
	header func(*schema.Header) error
	record func(*schema.Record) error
}

func (f *funcHandler) Header(h *schema.Header) error {
	if f.header == nil {
		return nil
	}
	return f.header(h)
}

func (f *funcHandler) Record(r *schema.Record) error { return f.record(r) }

func TestEveryErrorReported(t *testing.T) {
	// 250 invalid records: 250 issues, each with its line, record and path,
	// and each record handed over with its own issue.
	const n = 250
	d := newFee(n)
	var lines []int
	for i := 1; i <= n; i++ {
		r := d.rec(cas(i), fmt.Sprintf("<CourseFeesPaidToDate>%d.5</CourseFeesPaidToDate>", i))
		lines = append(lines, r+2)
	}
	doc := d.end()
	for _, max := range []int{0, n, 1000} {
		h := &recorder{}
		res := validate(t, doc, h, schema.Options{MaxErrors: max})
		if len(res.Issues) != n || res.Truncated {
			t.Fatalf("MaxErrors %d: %d issues, truncated %v", max, len(res.Issues), res.Truncated)
		}
		for i, is := range res.Issues {
			path := fmt.Sprintf("/FeeUpdate/CASFeeUpdate[%d]/CourseFeesPaidToDate", i+1)
			if is.Line != lines[i] || is.Record != i+1 || is.Path != path || is.Column != len(d.line(lines[i]))+1 {
				t.Errorf("issue %d: %v record %d path %s", i+1, is, is.Record, is.Path)
			}
			if recIssues := h.records[i].Issues; len(recIssues) != 1 || recIssues[0] != is {
				t.Errorf("record %d issues %v", i+1, recIssues)
			}
		}
	}
	// Under a cap: the first ones, flagged, and the file still read to the end.
	h := &recorder{}
	res := validate(t, doc, h, schema.Options{MaxErrors: 10})
	if len(res.Issues) != 10 || !res.Truncated || res.Valid() || res.Records != n || len(h.records) != n || !res.Complete() {
		t.Errorf("MaxErrors 10: %d issues, truncated %v, records %d/%d", len(res.Issues), res.Truncated, res.Records, len(h.records))
	}
	if res.Issues[9].Line != lines[9] {
		t.Errorf("10th issue at line %d, want %d", res.Issues[9].Line, lines[9])
	}
	if len(h.records[10].Issues) != 0 {
		t.Errorf("a record past the cap carries issues")
	}
}

func TestLinesPast65535(t *testing.T) {
	// libxml2 keeps at most 65535 in a node's line; positions here do not.
	const n = 17000 // 4 lines each: the last records are past line 68000
	d := newFee(n)
	var last int
	for i := 1; i <= n; i++ {
		amount := "1"
		if i == n {
			amount = "x"
		}
		last = d.rec(cas(i), "<CourseFeesPaidToDate>"+amount+"</CourseFeesPaidToDate>")
	}
	doc := d.end()
	var lastRec *schema.Record
	res := validate(t, doc, &funcHandler{record: func(r *schema.Record) error { lastRec = r; return nil }}, schema.Options{})
	if len(res.Issues) != 1 || res.Issues[0].Line != last+2 || res.Issues[0].Record != n {
		t.Fatalf("issues:\n%s\nwant one at line %d", issueList(res.Issues), last+2)
	}
	if lastRec.Line != last || lastRec.Node.Child("CourseFeesPaidToDate").Line != last+2 {
		t.Errorf("last record at line %d, leaf at %d; want %d, %d", lastRec.Line, lastRec.Node.Child("CourseFeesPaidToDate").Line, last, last+2)
	}
}

func TestOneLine(t *testing.T) {
	// A file on a single line: errors told apart by column, path and record.
	var b strings.Builder
	b.WriteString(`<FeeUpdate xmlns="` + feeNS + `"><Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>` +
		`<SMSUserId>fees.office</SMSUserId><BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt>` +
		`<RecordCount>30</RecordCount></Header>`)
	var cols []int
	for i := 1; i <= 30; i++ {
		amount := "1"
		if i%10 == 0 {
			amount = "bad"
		}
		b.WriteString("<CASFeeUpdate>" + cas(i) + "<CourseFeesPaidToDate>" + amount + "</CourseFeesPaidToDate>")
		if i%10 == 0 {
			cols = append(cols, b.Len()+1)
		}
		b.WriteString("</CASFeeUpdate>")
	}
	b.WriteString("</FeeUpdate>")
	res := validate(t, []byte(b.String()), nil, schema.Options{})
	if len(res.Issues) != 3 {
		t.Fatalf("issues:\n%s", issueList(res.Issues))
	}
	for k, is := range res.Issues {
		rec := 10 * (k + 1)
		if is.Line != 1 || is.Column != cols[k] || is.Record != rec || is.Path != fmt.Sprintf("/FeeUpdate/CASFeeUpdate[%d]/CourseFeesPaidToDate", rec) {
			t.Errorf("issue %d: %v record %d path %s; want column %d", k+1, is, is.Record, is.Path, cols[k])
		}
	}
}

func TestStructureOutsideRecords(t *testing.T) {
	// No header; an unknown element among the records; an empty record.
	d := &xmlDoc{}
	d.add(`<FeeUpdate xmlns="`+feeNS+`">`, `  <CASFeeUpdate>`, "    "+cas(1), `  </CASFeeUpdate>`,
		`  <Stray/>`, `  <CASFeeUpdate/>`)
	doc := d.end()
	h := &recorder{}
	res := validate(t, doc, h, schema.Options{})
	if h.header != nil || res.Header != nil {
		t.Errorf("Header called for a file without one")
	}
	if res.Records != 2 || len(h.records) != 2 || h.records[1].Node.Name != "CASFeeUpdate" || len(h.records[1].Node.Children) != 0 {
		t.Errorf("records %d handed %d", res.Records, len(h.records))
	}
	if len(res.Issues) == 0 || res.Issues[0].Record != 1 || res.Issues[0].Path != "/FeeUpdate/CASFeeUpdate[1]" {
		t.Errorf("issues:\n%s", issueList(res.Issues))
	}
	for _, is := range res.Issues {
		if strings.Contains(is.Path, "Stray") && is.Record != 0 {
			t.Errorf("an element outside any record has record %d", is.Record)
		}
	}
}

func TestHugeRecordAndValues(t *testing.T) {
	// A record far beyond anything valid is handed over cut short, and a
	// huge value is quoted in part: memory does not follow the input.
	d := newFee(1)
	d.rec(cas(1), strings.Repeat("<CourseFeesPaidToDate>1</CourseFeesPaidToDate>", 40000),
		"<BoardingFeesPaidToDate>"+strings.Repeat("9", 20000)+"</BoardingFeesPaidToDate>")
	var got *schema.Record
	res := validate(t, d.end(), &funcHandler{record: func(r *schema.Record) error { got = r; return nil }}, schema.Options{})
	if res.Valid() || res.Records != 1 || got == nil {
		t.Fatalf("valid %v, records %d", res.Valid(), res.Records)
	}
	if n := len(got.Node.Children); n < 1000 || n >= 40002 {
		t.Errorf("%d children kept of 40002", n)
	}
	for _, is := range res.Issues {
		if len(is.Message) > 1000 {
			t.Errorf("message of %d bytes: %.200s", len(is.Message), is.Message)
		}
	}

	d = newFee(1)
	d.rec(cas(1), "<CourseFeesPaidToDate>"+strings.Repeat("9", 20000)+"</CourseFeesPaidToDate>")
	res = validate(t, d.end(), nil, schema.Options{})
	want := "CourseFeesPaidToDate: '" + strings.Repeat("9", 100) + "…' is not a valid amount"
	if len(res.Issues) != 1 || !strings.HasPrefix(res.Issues[0].Message, want) {
		t.Errorf("issues:\n%s\nwant a message starting %q", issueList(res.Issues), want)
	}
	// Shortened on a UTF-8 boundary; values up to 120 bytes are kept whole.
	for value, kept := range map[string]string{
		strings.Repeat("é", 300):       strings.Repeat("é", 50) + "…",
		"x" + strings.Repeat("é", 300): "x" + strings.Repeat("é", 49) + "…",
		strings.Repeat("7", 120):       strings.Repeat("7", 120),
	} {
		d = newFee(1)
		d.rec(cas(1), "<CourseFeesPaidToDate>"+value+"</CourseFeesPaidToDate>")
		res = validate(t, d.end(), nil, schema.Options{})
		want := "CourseFeesPaidToDate: '" + kept + "' is not a valid amount"
		if len(res.Issues) != 1 || !strings.HasPrefix(res.Issues[0].Message, want) {
			t.Errorf("issues:\n%s\nwant a message starting %q", issueList(res.Issues), want)
		}
	}
}
