package decode_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"bdt/bdt/decode"
	"bdt/rules"
	"bdt/schema"
)

var fourDigitDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$`)

// decoding is a schema.Handler that decodes every record as bdt run does.
type decoding struct {
	format schema.Format
	got    []decoded
}

type decoded struct {
	rec *schema.Record
	out decode.Record
	err error
}

func (d *decoding) Header(h *schema.Header) error {
	d.format = h.Format
	return nil
}

func (d *decoding) Record(r *schema.Record) error {
	if d.format.Name == "" { // no header before it: bdt run decides nothing either
		return nil
	}
	out, err := decode.Decode(d.format, r)
	d.got = append(d.got, decoded{r, out, err})
	return nil
}

// FuzzDecode feeds arbitrary bytes to the validator and decodes every record
// it hands over, as bdt run does. Properties: nothing panics; a record
// fails to decode only with a *decode.FieldError, and only in a file that is
// not valid (the XSD has checked every value a decoder reads) or on a date
// that xs:date allows and YYYY-MM-DD does not; a decoded
// record carries an operation, and its certificate and reference are the
// record's own elements.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../samples/schema/valid/*.xml", "../../samples/schema/invalid/*.xml",
		"../../samples/0*/inbox/*/*.xml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range m {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		h := &decoding{}
		res, err := schema.Default().Validate(bytes.NewReader(doc), h, schema.Options{MaxErrors: 50, MaxSize: 1 << 20, BDTFiles: true})
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		for _, g := range h.got {
			rec, d, err := g.rec, g.out, g.err
			if err != nil {
				var fe *decode.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("record %d: not a field error: %v", rec.Index, err)
				}
				// xs:date is wider than what the engine reads (a year of
				// five digits, a sign): bdt run and bdt validate report
				// such a value as F.SCHEMA. Anything else the XSD let
				// through must decode.
				if res.Valid() && len(rec.Issues) == 0 && fourDigitDate.MatchString(fe.Value) {
					t.Fatalf("record %d of a valid file does not decode: %v", rec.Index, err)
				}
				continue
			}
			if d.Op == nil {
				t.Fatalf("record %d: no operation", rec.Index)
			}
			if ref, _ := rec.Node.Value("SponsorReference"); d.Reference != ref {
				t.Fatalf("record %d: reference %q, element %q", rec.Index, d.Reference, ref)
			}
			certField := "CASNumber"
			if h.format.Kind == "workeractivity" {
				certField = "CoSNumber"
			}
			if cert, _ := rec.Node.Value(certField); d.Cert != cert {
				t.Fatalf("record %d: certificate %q, element %q", rec.Index, d.Cert, cert)
			}
			switch op := d.Op.(type) {
			case rules.ReportActivity:
				if op.Cert != d.Cert {
					t.Fatalf("record %d: operation on %q, record names %q", rec.Index, op.Cert, d.Cert)
				}
			case rules.UpdateFees:
				if op.Cert != d.Cert {
					t.Fatalf("record %d: operation on %q, record names %q", rec.Index, op.Cert, d.Cert)
				}
			default:
				t.Fatalf("record %d: operation %T", rec.Index, op)
			}
			// Field maps an engine field to an element of the record's kind.
			if decode.Field(h.format, "EventDate") == "" {
				t.Fatal("Field gave no element")
			}
		}
	})
}
