package schema

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"bdt/rules"
)

// The C layer drives libxml2's push parser with the schema plugged into
// SAX, and builds no tree. These tests pin what the tree builder did and
// the push parser alone would not: its limits on depth and on one text
// node, exactly at the limit, and memory that does not grow with the
// records read.

// pushDoc is a fee update (v1) with one record whose CASNumber line is
// replaced by inner.
func pushDoc(inner string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"><Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>` +
		`<SMSUserId>fees.office</SMSUserId><BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt>` +
		`<RecordCount>1</RecordCount></Header>
<CASFeeUpdate>` + inner + `<CourseFeesPaidToDate>1.50</CourseFeesPaidToDate></CASFeeUpdate>
</FeeUpdate>
`)
}

func limitIssues(t *testing.T, doc []byte) []Issue {
	t.Helper()
	res, err := Default().Validate(bytes.NewReader(doc), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []Issue
	for _, is := range res.Issues {
		if is.Parser {
			out = append(out, is)
		}
	}
	return out
}

func TestPushParserLimits(t *testing.T) {
	const limit = 10000000 // XML_MAX_TEXT_LENGTH
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		inner string
		msg   string // "" for no parser issue
		line  int
	}{
		// The root is at depth 0, the record at 1: n <a> put the deepest
		// element at depth n+1, past 256 from n = 256.
		{"255 deep", strings.Repeat("<a>", 255) + strings.Repeat("</a>", 255), "", 0},
		{"256 deep", strings.Repeat("<a>", 256) + strings.Repeat("</a>", 256), "elements are nested more than 256 levels deep", 3},
		{"text at the limit", "<SponsorReference>" + x(limit) + "</SponsorReference>", "", 0},
		{"text past the limit", "<SponsorReference>" + x(limit+1) + "</SponsorReference>", "a text value is longer than the parser's limit", 3},
		{"two text nodes", "<SponsorReference>" + x(limit/2+1) + "<!-- c -->" + x(limit/2+1) + "</SponsorReference>", "", 0},
		// (the parser's own lookup of "]]>" stops first)
		{"CDATA past the limit", "<SponsorReference><![CDATA[" + x(limit+1) + "]]></SponsorReference>", "longer than the parser's limit", 3},
		{"two CDATA sections, one node", "<SponsorReference><![CDATA[" + x(limit/2+1) + "]]><![CDATA[" + x(limit/2+1) + "]]></SponsorReference>", "a text value is longer than the parser's limit", 3},
		{"text then CDATA", "<SponsorReference>" + x(limit/2+1) + "<![CDATA[" + x(limit/2+1) + "]]></SponsorReference>", "", 0},
		{"a reference past the limit", "<SponsorReference>" + x(limit) + "&amp;</SponsorReference>", "a text value is longer than the parser's limit", 3},
		{"references at the limit", "<SponsorReference>" + x(limit-2) + "&#65;&amp;</SponsorReference>", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := limitIssues(t, pushDoc(tc.inner))
			if tc.msg == "" {
				if len(got) != 0 {
					t.Errorf("parser issues:\n%v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Message, tc.msg) || got[0].Rule != rules.FWellformed || got[0].Line != tc.line {
				t.Errorf("parser issues:\n%v\nwant one F.WELLFORMED on line %d saying %q", got, tc.line, tc.msg)
			}
		})
	}
}

// TestPushParserFatalRecords: after a well-formedness error, the records
// counted are those handed to the handler, all of them ending before the
// error, with or without Options.Concurrent.
func TestPushParserFatalRecords(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"><Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>` +
		`<SMSUserId>fees.office</SMSUserId><BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt>` +
		`<RecordCount>300</RecordCount></Header>`)
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&b, "\n<CASFeeUpdate><CASNumber>CAS%011d</CASNumber><CourseFeesPaidToDate>%d.50</CourseFeesPaidToDate></CASFeeUpdate>", i, i)
	}
	b.WriteString("\n</FeeUpdate>\n")
	valid := b.String()
	for off := 400; off < len(valid); off += 611 {
		doc := valid[:off] + "<x></y>" + valid[off:]
		for _, concurrent := range []bool{false, true} {
			h := &lineRecorder{}
			res, err := Default().Validate(strings.NewReader(doc), h, Options{Concurrent: concurrent})
			if err != nil {
				t.Fatal(err)
			}
			var wf *Issue
			for i := range res.Issues {
				if res.Issues[i].Parser {
					wf = &res.Issues[i]
					break
				}
			}
			if wf == nil || res.Complete() {
				t.Fatalf("offset %d: no parser issue, or complete:\n%v", off, res.Issues)
			}
			if res.Records != len(h.lines) {
				t.Errorf("offset %d, concurrent %v: %d records counted, %d handed over", off, concurrent, res.Records, len(h.lines))
			}
			for _, l := range h.lines {
				if l > wf.Line {
					t.Errorf("offset %d: a record of line %d handed over, after the error on line %d", off, l, wf.Line)
				}
			}
		}
	}
}

type lineRecorder struct{ lines []int }

func (h *lineRecorder) Header(*Header) error { return nil }
func (h *lineRecorder) Record(r *Record) error {
	h.lines = append(h.lines, r.Line)
	return nil
}

// TestPushParserFlat: no tree is kept: the C heap in use while a document
// is read does not grow with the records read.
func TestPushParserFlat(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1"><Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>` +
		`<SMSUserId>fees.office</SMSUserId><BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt>` +
		`<RecordCount>60000</RecordCount></Header>`)
	for i := 1; i <= 60000; i++ {
		fmt.Fprintf(&b, "\n<CASFeeUpdate><CASNumber>CAS%011d</CASNumber><CourseFeesPaidToDate>%d.50</CourseFeesPaidToDate></CASFeeUpdate>", i, i)
	}
	b.WriteString("\n</FeeUpdate>\n")
	h := &heapSampler{at: map[int]int64{}}
	res, err := Default().Validate(strings.NewReader(b.String()), h, Options{})
	if err != nil || !res.Valid() || res.Records != 60000 {
		t.Fatalf("err %v, %d records, issues %v", err, res.Records, res.Issues)
	}
	if h.err != nil {
		t.Skip(h.err)
	}
	early, late := h.at[5000], h.at[60000]
	t.Logf("C heap in use at record 5,000: %d bytes; at record 60,000: %d bytes", early, late)
	// 55,000 records are ~6 MB of XML: a tree kept would be tens of MB.
	if late-early > 1<<20 {
		t.Errorf("the C heap grew by %d bytes over 55,000 records", late-early)
	}
}

type heapSampler struct {
	at  map[int]int64
	err error
}

func (h *heapSampler) Header(*Header) error { return nil }
func (h *heapSampler) Record(r *Record) error {
	if r.Index == 5000 || r.Index == 60000 {
		n, err := cHeapInUse()
		if err != nil {
			h.err = err
		}
		h.at[r.Index] = n
	}
	return nil
}

// TestNextBatchesRecords: doc.next hands out every record, in order, with
// one call of bdt_next for many of them (each call parses a read of input,
// 4 KiB, whose records it queues), not one for each.
func TestNextBatchesRecords(t *testing.T) {
	const n = 2000
	var b strings.Builder
	b.WriteString(`<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1">`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "<CASFeeUpdate><CASNumber>CAS%011d</CASNumber></CASFeeUpdate>\n", i)
	}
	b.WriteString(`</FeeUpdate>`)
	d, err := openDoc(strings.NewReader(b.String()), nil, "CASFeeUpdate", true, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	records := 0
	for ev := d.next(); ev != evEnd; ev = d.next() {
		if ev != evRecord {
			t.Fatalf("event %d after %d records", ev, records)
		}
		records++
		if d.record() != records || !bytes.Contains(d.buf(), []byte(fmt.Sprintf("CAS%011d", records))) {
			t.Fatalf("record %d handed out as record %d: %q", records, d.record(), d.buf())
		}
	}
	// 2,000 records of 64 bytes are 31 reads of 4 KiB.
	if records != n || d.calls > n/32 {
		t.Errorf("%d records with %d calls of bdt_next: want %d with at most %d", records, d.calls, n, n/32)
	}
	t.Logf("%d records, %d calls of bdt_next", records, d.calls)
}
