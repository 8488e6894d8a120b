package rules

import (
	"fmt"
	"sort"
	"strings"
)

// UpdateFees changes the fee details of a CAS. Nil fields are left as they are.
type UpdateFees struct {
	Cert             string
	Fees             Fees
	FamilyName       string // optional identity cross-check (fee update v2)
	DateOfBirth      Date
	SponsorReference string
	// RawAmounts holds amounts as typed by a person (one-at-a-time action),
	// keyed by field name, for R.FEE.AMOUNT; bulk files leave it nil because
	// the XSD has already checked them.
	RawAmounts map[string]string
}

// Name implements Op.
func (UpdateFees) Name() string { return "fees" }

// CertNumbers implements Op.
func (o UpdateFees) CertNumbers() []string { return []string{o.Cert} }
func (o UpdateFees) oneCert() string       { return o.Cert }

// TargetUser implements Op.
func (UpdateFees) TargetUser() string { return "" }

// ReadsActivity implements Op.
func (UpdateFees) ReadsActivity() bool { return false }

// ReadsBrief implements Op: R.CERT.*, R.IDENTITY and R.FEE.* read the brief.
func (UpdateFees) ReadsBrief() bool { return true }

// Summary implements Op.
func (o UpdateFees) Summary(Decision) string { return fmt.Sprintf("fees of CAS %s updated", o.Cert) }

func (o UpdateFees) evaluate(a Actor, st State) Decision { return updateFees(a, o, st) }
func (UpdateFees) routes(Actor, State) []Route           { return kindRoutes(CAS) }
func (UpdateFees) ref() certRef                          { return refFor(CAS) }

// updateFees decides an UpdateFees (R.FEE.*).
//
// When RawAmounts is not nil (a one-at-a-time action), every entry that is not
// blank is parsed with ParseMoney and, when valid, sets the fee field of that
// name (FieldCourseFeesFirstYear, FieldCourseFeesPaid, FieldBoardingFeesPaid,
// FieldAccommodationFeesPaid), overriding Fees; an invalid amount or an
// unknown field name is an R.FEE.AMOUNT error. A blank entry is "not given".
func updateFees(a Actor, o UpdateFees, st State) Decision {
	c, f := findCert(a, st, o.Cert, refFor(CAS))
	if f != nil {
		return reject(*f)
	}
	if fs := checkIdentity(c, o.FamilyName, o.DateOfBirth); len(fs) > 0 {
		return reject(fs...)
	}
	var fs []Finding
	if c.Status != StatusAssigned {
		fs = append(fs, NewFinding(RFeeAssigned, "",
			"Fee details can be changed only on a CAS with status ASSIGNED; CAS %s has status %s.", Show(c.Number), certStatusWord(c.Status)))
	}

	// upd and after point to the operation's and the certificate's values
	// until the decision copies them.
	upd := o.Fees
	if o.RawAmounts != nil {
		keys := make([]string, 0, len(o.RawAmounts))
		for k := range o.RawAmounts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := o.RawAmounts[k]
			if blank(v) {
				continue
			}
			p := moneyField(&upd, k)
			if p == nil {
				fs = append(fs, NewFinding(RFeeAmount, Show(k), "%s is not a fee amount this update can change.", Show(k)))
				continue
			}
			m, err := ParseMoney(v)
			if err != nil {
				fs = append(fs, NewFinding(RFeeAmount, k, "%s: %v.", feeLabel(k), err))
				continue
			}
			*p = &m
		}
	}
	for _, k := range []string{FieldCourseFeesFirstYear, FieldCourseFeesPaid, FieldBoardingFeesPaid, FieldAccommodationFeesPaid} {
		if m := *moneyField(&upd, k); m != nil && *m < 0 {
			fs = append(fs, NewFinding(RFeeAmount, k, "%s is negative (%s); an amount is never negative.", feeLabel(k), *m))
		}
	}
	if upd.CourseFeesPaid == nil && upd.BoardingFeesPaid == nil && upd.AccommodationFeesPaid == nil {
		fs = append(fs, NewFinding(RFeePresent, "",
			"A fee update must give at least one amount paid to date: course fees, boarding fees or accommodation fees."))
	}

	after := c.Fees
	for _, k := range []string{FieldCourseFeesFirstYear, FieldCourseFeesPaid, FieldBoardingFeesPaid, FieldAccommodationFeesPaid} {
		if m := *moneyField(&upd, k); m != nil {
			*moneyField(&after, k) = m
		}
	}
	if upd.IncludesAccommodation != nil {
		after.IncludesAccommodation = upd.IncludesAccommodation
	}
	if p, y := after.CourseFeesPaid, after.CourseFeesFirstYear; p != nil && y != nil && *p > *y {
		fs = append(fs, NewFinding(RFeeExceeds, FieldCourseFeesPaid,
			"Course fees paid to date (£%s) exceed the course fees for the first year (£%s). The update is applied; check both amounts.", *p, *y))
	}

	if hasError(fs) {
		return reject(fs...)
	}
	ref := ConfirmationRef(a.Source, c.Number)
	v := new([2]feeValues)
	return Decision{Findings: fs, Ref: ref, Changes: []Change{SetFees{Cert: c.Number, Change: FeeChange{
		At: a.Now, By: a.User.ID, Ref: ref, Before: copyFees(&v[0], c.Fees), After: copyFees(&v[1], after),
	}}}}
}

// feeLabel names fee field k in words for a message.
func feeLabel(k string) string {
	switch k {
	case FieldCourseFeesFirstYear:
		return "Course fees for the first year"
	case FieldCourseFeesPaid:
		return "Course fees paid to date"
	case FieldBoardingFeesPaid:
		return "Boarding fees paid to date"
	case FieldAccommodationFeesPaid:
		return "Accommodation fees paid to date"
	}
	return Show(k)
}

// certStatusWord writes a certificate status as SMS shows it: READY_TO_GO
// is READY TO GO. A status this package does not know is "not known".
func certStatusWord(s CertStatus) string {
	switch s {
	case StatusWorkInProgress, StatusReadyToGo, StatusAssigned, StatusWithdrawn, StatusObsolete,
		StatusUsed, StatusExpired, StatusCancelled:
		return strings.ReplaceAll(string(s), "_", " ")
	}
	return "not known"
}

// moneyField returns the field of f named k, or nil for an unknown name.
func moneyField(f *Fees, k string) **Money {
	switch k {
	case FieldCourseFeesFirstYear:
		return &f.CourseFeesFirstYear
	case FieldCourseFeesPaid:
		return &f.CourseFeesPaid
	case FieldBoardingFeesPaid:
		return &f.BoardingFeesPaid
	case FieldAccommodationFeesPaid:
		return &f.AccommodationFeesPaid
	}
	return nil
}

// copyFees returns a deep copy of f whose values are in v, so that a
// decision never shares memory with the state or the operation it was made
// from. A fee update's decision copies its before and after fees into one
// block: one allocation, not one a value.
func copyFees(v *feeValues, f Fees) Fees {
	cp := func(m *Money, i int) *Money {
		if m == nil {
			return nil
		}
		v.m[i] = *m
		return &v.m[i]
	}
	out := Fees{
		CourseFeesFirstYear:   cp(f.CourseFeesFirstYear, 0),
		CourseFeesPaid:        cp(f.CourseFeesPaid, 1),
		BoardingFeesPaid:      cp(f.BoardingFeesPaid, 2),
		AccommodationFeesPaid: cp(f.AccommodationFeesPaid, 3),
	}
	if f.IncludesAccommodation != nil {
		v.inc = *f.IncludesAccommodation
		out.IncludesAccommodation = &v.inc
	}
	return out
}

// feeValues holds the values a copy of Fees points to.
type feeValues struct {
	m   [4]Money
	inc bool
}
