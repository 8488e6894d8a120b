package schema_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"bdt/schema"
)

// FuzzValidate feeds arbitrary bytes to the validator: it must never panic,
// crash in C, hang or fail with an error (the input is a bytes.Reader, so
// every problem is an issue), and what it returns must hang together. A
// valid document holds no processing instruction but the XML declaration
// (issue 17: the guard refuses them), as encoding/xml reads it.
func FuzzValidate(f *testing.F) {
	for _, doc := range corpus(f) {
		f.Add(doc)
	}
	d := newFee(2)
	d.rec(cas(1), "<CourseFeesPaidToDate>1</CourseFeesPaidToDate>")
	d.rec(cas(2), "<CourseFeesPaidToDate>x</CourseFeesPaidToDate>")
	f.Add(d.end())
	f.Add([]byte(`<a:FeeUpdate xmlns:a="` + feeNS + `"><a:Header/></a:FeeUpdate>`))
	f.Add([]byte("\xFF\xFE<\x00F\x00"))

	rules := map[string]bool{"F.SIZE": true, "F.WELLFORMED": true, "F.KIND": true, "F.SCHEMA": true}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var records []*schema.Record
		var headers int
		h := &funcHandler{
			header: func(*schema.Header) error { headers++; return nil },
			record: func(r *schema.Record) error { records = append(records, r); return nil },
		}
		res, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{MaxErrors: 50, MaxSize: 1 << 20})
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if len(res.Issues) > 50 || headers > 1 {
			t.Fatalf("%d issues, %d headers", len(res.Issues), headers)
		}
		if len(records) != 0 && len(records) != res.Records {
			t.Fatalf("%d records handed over, Result.Records %d", len(records), res.Records)
		}
		for i, r := range records {
			if r.Index != i+1 || r.Node == nil || r.Node.Name != res.Format.Record {
				t.Fatalf("record %d: index %d node %v", i+1, r.Index, r.Node)
			}
		}
		for _, is := range res.Issues {
			if !rules[string(is.Rule)] || is.Line < 0 || is.Column < 0 || is.Record < 0 || is.Message == "" {
				t.Fatalf("odd issue %#v", is)
			}
			if is.Parser != (is.Rule == "F.WELLFORMED") || (is.Parser && is.Record != 0) {
				t.Fatalf("odd issue %#v", is)
			}
			if is.Path != "" && !strings.HasPrefix(is.Path, "/") {
				t.Fatalf("odd path %#v", is)
			}
		}
		if res.Valid() && (res.Format.Name == "" || !res.Complete()) {
			t.Fatalf("valid without a format or not complete: %+v", res)
		}
		if res.Valid() {
			dec := xml.NewDecoder(bytes.NewReader(doc))
			for {
				tok, err := dec.RawToken()
				if err != nil {
					break
				}
				if pi, ok := tok.(xml.ProcInst); ok && pi.Target != "xml" {
					t.Fatalf("valid with the processing instruction <?%s?>", pi.Target)
				}
			}
		}
	})
}
