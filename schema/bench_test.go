package schema_test

import (
	"bytes"
	"testing"

	"bdt/schema"
)

// BenchmarkValidate validates a 20,000-record fee update (about 6 MB).
// Compare with: xmllint --stream --noout --schema xsd/feeupdate-v1.xsd FILE
// (the target is at most 1.2 times its time).
func BenchmarkValidate(b *testing.B) {
	const n = 20000
	d := newFee(n)
	for i := 1; i <= n; i++ {
		d.rec("<SponsorReference>S1234567</SponsorReference>", cas(i),
			"<CourseFeesForFirstYearOnly>18500.00</CourseFeesForFirstYearOnly>",
			"<CourseFeesPaidToDate>9250.00</CourseFeesPaidToDate>",
			"<CourseFeeIncludesAccomodationCosts>false</CourseFeeIncludesAccomodationCosts>")
	}
	doc := d.end()
	v := schema.Default()
	noop := &funcHandler{record: func(*schema.Record) error { return nil }}
	for _, bc := range []struct {
		name string
		h    schema.Handler
		opt  schema.Options
	}{
		{"plain", nil, schema.Options{}},
		{"records", noop, schema.Options{}},
		{"concurrent", noop, schema.Options{Concurrent: true}},
		// bdt run's and bdt validate's default: schema errors inside a
		// record reject only that record (none here, so the same work).
		{"records/record-scope", noop, schema.Options{SchemaErrors: schema.RecordScope}},
		{"concurrent/record-scope", noop, schema.Options{Concurrent: true, SchemaErrors: schema.RecordScope}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := v.Validate(bytes.NewReader(doc), bc.h, bc.opt)
				if err != nil || !res.Valid() || res.Records != n {
					b.Fatalf("err %v, valid %v, %d records", err, res.Valid(), res.Records)
				}
			}
		})
	}
}
