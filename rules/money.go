package rules

import (
	"errors"
	"fmt"
	"strings"
)

// Fee field names: the element names of a fee update record, used as
// Finding.Field and as the keys of UpdateFees.RawAmounts.
const (
	FieldCourseFeesFirstYear   = "CourseFeesForFirstYearOnly"
	FieldCourseFeesPaid        = "CourseFeesPaidToDate"
	FieldBoardingFeesPaid      = "BoardingFeesPaidToDate"
	FieldAccommodationFeesPaid = "AccommodationFeesPaidToDate"
)

// maxPoundsDigits is the most digits of whole pounds an amount may have, as
// in the XSD's Amount type (up to 999,999,999.99).
const maxPoundsDigits = 9

// ParseMoney parses an amount of pounds sterling written as whole pounds
// ("1234") or pounds and exactly two digits of pence ("1234.99"), the format
// SMS asks for (seed 002 step 5) and the XSD's Amount type allows: no currency
// sign, no thousands separator, no leading zeros, at most 9 digits of pounds.
// Spaces around the amount are ignored. A negative amount is an error.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("no amount was given")
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%s is negative; an amount is never negative", Show(s))
	}
	pounds, pence, hasPence := strings.Cut(s, ".")
	bad := func() error {
		return fmt.Errorf("%s is not an amount in pounds written like 1234 or 1234.99 (no £ sign, no commas)", Show(s))
	}
	if pounds == "" || len(pounds) > maxPoundsDigits || !allDigits(pounds) {
		return 0, bad()
	}
	if len(pounds) > 1 && pounds[0] == '0' {
		return 0, bad()
	}
	if hasPence && (len(pence) != 2 || !allDigits(pence)) {
		return 0, bad()
	}
	var v int64
	for _, c := range pounds {
		v = v*10 + int64(c-'0')
	}
	for _, c := range pence {
		v = v*10 + int64(c-'0')
	}
	if !hasPence {
		v *= 100
	}
	return Money(v), nil
}

// String formats m in the canonical form: pounds, a dot and exactly two
// digits of pence, no sign for amounts of zero or more, no separators
// ("1234.50", "0.00"; "-3.05" for a negative amount). The canonical form of
// a valid amount is itself valid input to ParseMoney and to the XSD.
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		// -v overflows only for the minimum int64; format it via uint64.
		u := uint64(-(v + 1)) + 1
		return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
	}
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
