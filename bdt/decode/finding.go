package decode

import (
	"errors"
	"fmt"
	"strings"

	"bdt/rules"
	"bdt/schema"
)

// ErrNotADate is the Err of a FieldError whose value is not a date the
// engine reads (YYYY-MM-DD with a year of four digits).
var ErrNotADate = errors.New("not a date (YYYY-MM-DD)")

// Message says, for the sponsor, why the value the XSD accepted cannot be
// read (bdt validate reports the same as bdt run).
func (e *FieldError) Message() string {
	v := e.Value
	if len(v) > 100 {
		v = strings.ToValidUTF8(v[:100], "") + "…"
	}
	msg := fmt.Sprintf("%s: '%s' cannot be read", e.Field, v)
	if errors.Is(e.Err, ErrNotADate) {
		msg += ": dates are written YYYY-MM-DD, with a year of four digits"
	}
	return msg
}

// Finding returns the finding of record rec of a file of format f, which
// the XSD accepted but whose field e cannot be read: R.SCHEMA, which rejects
// the record, under schema.RecordScope; F.SCHEMA, which rejects the file,
// under schema.FileScope.
func (e *FieldError) Finding(f schema.Format, rec *schema.Record, scope schema.Scope) rules.Finding {
	rule := rules.FSchema
	if scope == schema.RecordScope {
		rule = rules.RSchema
	}
	fd := rules.NewFinding(rule, e.Field, "%s", e.Message())
	fd.Line = e.Line
	fd.Path = fmt.Sprintf("/%s/%s[%d]/%s", f.Root, f.Record, rec.Index, e.Field)
	fd.Record = rec.Index
	fd.Reference, fd.Cert = Who(rec)
	return fd
}

// Who returns the sponsor's reference and the certificate number that
// record rec names, read from its elements as they are: the record need
// not be valid.
func Who(rec *schema.Record) (reference, cert string) {
	reference, _ = rec.Node.Value("SponsorReference")
	cert, ok := rec.Node.Value("CASNumber")
	if !ok {
		cert, _ = rec.Node.Value("CoSNumber")
	}
	return reference, cert
}

// AtHeader returns f, a file finding on the header hd, placed at the
// header element its Field names (SponsorLicenceNumber when it names
// none): Field, Path and Line.
func AtHeader(hd *schema.Header, f rules.Finding) rules.Finding {
	if f.Field == "" {
		f.Field = "SponsorLicenceNumber"
	}
	f.Path = "/" + hd.Format.Root + "/Header/" + f.Field
	f.Line = hd.Node.LineOf(f.Field)
	return f
}

// AtRecord returns f, the engine's finding on record rec of a file of
// format ff, placed at the element its Field names (as Field maps it), or
// at the record itself when it names none: Field, Path and Line.
func AtRecord(ff schema.Format, rec *schema.Record, f rules.Finding) rules.Finding {
	f.Field = Field(ff, f.Field)
	f.Line = rec.Node.LineOf(f.Field)
	f.Path = fmt.Sprintf("/%s/%s[%d]", ff.Root, ff.Record, rec.Index)
	if f.Field != "" {
		f.Path += "/" + f.Field
	}
	return f
}
