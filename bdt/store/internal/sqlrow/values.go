package sqlrow

import "bdt/rules"

// The drivers keep the register in the same tables and columns. They store
// text, integers and NULLs alike and differ only in the types of dates and
// booleans: what follows is the mapping of certificates and fees to column
// values that they share.

// CertColumns are the columns of certificate, in the order of
// Values.CertificateArgs (and of the drivers' reads).
const CertColumns = `number, kind, sponsor, status, created_by, owner, assigned_on,
	family_name, given_names, date_of_birth, nationality,
	course_title, course_start, course_end,
	job_title, job_soc_code, job_start, job_end, job_salary, job_location,
	course_fees_first_year, course_fees_paid, boarding_fees_paid, includes_accommodation, accommodation_fees_paid,
	note`

// BriefColumns are the columns of certificate that rules.Brief keeps: what
// the drivers read for operations that rules.Op.ReadsBrief
// (store.CertificatesForRulesParams.Brief).
const BriefColumns = `number, kind, sponsor, status, owner, family_name, date_of_birth,
	course_fees_first_year, course_fees_paid, boarding_fees_paid, includes_accommodation, accommodation_fees_paid`

// Values writes column values as a driver stores them.
type Values struct {
	Date func(d rules.Date) any // a date that is not zero
	Bool func(b bool) any
}

// DateArg returns d as a column value, NULL when zero.
func (v Values) DateArg(d rules.Date) any {
	if d.IsZero() {
		return nil
	}
	return v.Date(d)
}

// BoolArg returns *b as a column value, NULL when b is nil.
func (v Values) BoolArg(b *bool) any {
	if b == nil {
		return nil
	}
	return v.Bool(*b)
}

// FeeArgs returns the five fee columns' values, in the order of Fees.
func (v Values) FeeArgs(f rules.Fees) []any {
	return []any{MoneyArg(f.CourseFeesFirstYear), MoneyArg(f.CourseFeesPaid), MoneyArg(f.BoardingFeesPaid),
		v.BoolArg(f.IncludesAccommodation), MoneyArg(f.AccommodationFeesPaid)}
}

// CertificateArgs returns the values of CertColumns for c.
func (v Values) CertificateArgs(c *rules.Certificate) []any {
	var courseTitle, courseStart, courseEnd any
	if co := c.Course; co != nil {
		courseTitle, courseStart, courseEnd = co.Title, v.DateArg(co.StartDate), v.DateArg(co.EndDate)
	}
	var jobTitle, soc, jobStart, jobEnd, salary, loc any
	if j := c.Job; j != nil {
		jobTitle, soc, jobStart, jobEnd, salary, loc = j.Title, j.SOCCode, v.DateArg(j.StartDate), v.DateArg(j.EndDate), int64(j.SalaryPence), j.Location
	}
	args := []any{c.Number, string(c.Kind), c.Sponsor, string(c.Status), NullString(c.CreatedBy), NullString(c.Owner), v.DateArg(c.AssignedOn),
		c.Person.FamilyName, c.Person.GivenNames, v.DateArg(c.Person.DateOfBirth), c.Person.Nationality,
		courseTitle, courseStart, courseEnd,
		jobTitle, soc, jobStart, jobEnd, salary, loc}
	args = append(args, v.FeeArgs(c.Fees)...)
	return append(args, c.Note)
}

// MoneyArg returns *m in pence as a column value, NULL when m is nil.
func MoneyArg(m *rules.Money) any {
	if m == nil {
		return nil
	}
	return int64(*m)
}

// NullString returns s as a column value, NULL when empty.
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Fees are the five nullable fee columns as a driver reads them (NULL:
// nil), in the order of FeeArgs.
type Fees struct {
	FirstYear, Paid, Boarding *int64
	Includes                  *bool
	Accommodation             *int64
}

// Model returns the fees read; they share f's values.
func (f Fees) Model() rules.Fees {
	return rules.Fees{
		CourseFeesFirstYear:   (*rules.Money)(f.FirstYear),
		CourseFeesPaid:        (*rules.Money)(f.Paid),
		BoardingFeesPaid:      (*rules.Money)(f.Boarding),
		IncludesAccommodation: f.Includes,
		AccommodationFeesPaid: (*rules.Money)(f.Accommodation),
	}
}
