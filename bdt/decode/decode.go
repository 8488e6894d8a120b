// Package decode turns a validated record of a BDT file (a schema.Node tree)
// into the rules engine's operation. It knows the element names of every
// kind and version; it does no checking beyond what the types demand, since
// the XSD has already checked the values.
package decode

import (
	"fmt"
	"strings"

	"bdt/rules"
	"bdt/rules/calendar"
	"bdt/schema"
)

// Record is a decoded record: the operation, and what reports echo back.
type Record struct {
	Op        rules.Op
	Cert      string // the CAS or CoS number the record names
	Reference string // the sponsor's own reference
}

// FieldError reports a field whose value could not be decoded: one the XSD
// lets through but the engine cannot read, such as an xs:date whose year
// has five digits.
type FieldError struct {
	Field string
	Value string
	Line  int // the line of the field's element
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("line %d: %s: cannot read %q: %v", e.Line, e.Field, e.Value, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Decode decodes one record of a file of format f.
func Decode(f schema.Format, rec *schema.Record) (Record, error) {
	d := decoder{n: rec.Node}
	var out Record
	out.Reference = d.str("SponsorReference")
	switch f.Kind {
	case "noshow":
		op := rules.ReportActivity{
			Cert:             d.cert("CASNumber"),
			Type:             rules.StudentDidNotEnrol,
			EventDate:        d.date("NoShowDate"),
			Details:          d.str("Reason"),
			FamilyName:       d.str("FamilyName"),
			DateOfBirth:      d.date("DateOfBirth"),
			SponsorReference: out.Reference,
		}
		out.Op, out.Cert = op, op.Cert
	case "feeupdate":
		op := rules.UpdateFees{
			Cert: d.cert("CASNumber"),
			Fees: rules.Fees{
				CourseFeesFirstYear:   d.money("CourseFeesForFirstYearOnly"),
				CourseFeesPaid:        d.money("CourseFeesPaidToDate"),
				BoardingFeesPaid:      d.money("BoardingFeesPaidToDate"),
				IncludesAccommodation: d.boolean("CourseFeeIncludesAccomodationCosts"),
				AccommodationFeesPaid: d.money("AccommodationFeesPaidToDate"),
			},
			FamilyName:       d.str("FamilyName"),
			DateOfBirth:      d.date("DateOfBirth"),
			SponsorReference: out.Reference,
		}
		out.Op, out.Cert = op, op.Cert
	case "studentactivity", "workeractivity":
		certField := "CASNumber"
		if f.Kind == "workeractivity" {
			certField = "CoSNumber"
		}
		op := rules.ReportActivity{
			Cert:              d.cert(certField),
			Type:              rules.ActivityType(d.str("ActivityType")),
			EventDate:         d.date("EventDate"),
			Details:           d.str("Details"),
			FamilyName:        d.str("FamilyName"),
			DateOfBirth:       d.date("DateOfBirth"),
			Address:           d.address("LastResidentialAddress"),
			EarlyCompletion:   d.date("EarlyCompletionDate"),
			PreviousDate:      d.date("PreviousNotificationDate"),
			FirstDayOfAbsence: d.date("FirstDayOfAbsence"),
			NewEmployer:       d.str("NewEmployer"),
			SponsorReference:  out.Reference,
		}
		out.Op, out.Cert = op, op.Cert
	default:
		return out, fmt.Errorf("decode: %s files have no records to apply", f.Name)
	}
	return out, d.err
}

type decoder struct {
	n   *schema.Node
	err error // the first field error
}

func (d *decoder) str(name string) string {
	if d.n == nil {
		return ""
	}
	v, _ := d.n.Value(name)
	return v
}

// cert returns the certificate number in element name as a string of its
// own: the engine keeps the numbers of a file's records (R.RECORD.DUPLICATE)
// for the whole file, and a substring would keep the whole record's text.
func (d *decoder) cert(name string) string { return strings.Clone(d.str(name)) }

func (d *decoder) fail(name, v string, err error) {
	if d.err == nil {
		d.err = &FieldError{Field: name, Value: v, Line: d.n.LineOf(name), Err: err}
	}
}

func (d *decoder) date(name string) calendar.Date {
	v := d.str(name)
	if v == "" {
		return calendar.Date{}
	}
	t, err := calendar.ParseDate(v)
	if err != nil {
		d.fail(name, v, ErrNotADate)
	}
	return t
}

func (d *decoder) money(name string) *rules.Money {
	v := d.str(name)
	if v == "" {
		return nil
	}
	m, err := rules.ParseMoney(v)
	if err != nil {
		d.fail(name, v, err)
		return nil
	}
	return &m
}

func (d *decoder) boolean(name string) *bool {
	v := d.str(name)
	var b bool
	switch v {
	case "":
		return nil
	case "true", "1":
		b = true
	case "false", "0":
		b = false
	default:
		d.fail(name, v, fmt.Errorf("not a boolean"))
		return nil
	}
	return &b
}

func (d *decoder) address(name string) *rules.Address {
	if d.n == nil {
		return nil
	}
	a := d.n.Child(name)
	if a == nil {
		return nil
	}
	out := &rules.Address{}
	for _, c := range a.Children {
		switch c.Name {
		case "AddressLine":
			out.Lines = append(out.Lines, c.Text)
		case "Town":
			out.Town = c.Text
		case "Postcode":
			out.Postcode = c.Text
		case "Phone":
			out.Phone = c.Text
		case "Email":
			out.Email = c.Text
		}
	}
	return out
}

// noShowFields maps the engine's field names (those of the activity files)
// to the elements of a no-show record.
var noShowFields = map[string]string{"EventDate": "NoShowDate", "Details": "Reason"}

// Field returns the element of a record of format f that a finding's field
// names. The engine names fields as the activity files do; a no-show record
// calls its event date NoShowDate and its details Reason.
func Field(f schema.Format, field string) string {
	if f.Kind == "noshow" {
		if e, ok := noShowFields[field]; ok {
			return e
		}
	}
	return field
}
