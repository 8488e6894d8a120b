package action

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"bdt/rules"
)

// View is the printable form of a certificate that Show returned: its
// status and status history, person, course (CAS) or job (CoS), fees and fee
// history (CAS), sponsor note and activity history. It marshals to JSON with
// snake_case keys: dates as YYYY-MM-DD, instants as RFC 3339 in UTC, amounts
// of money as pounds with two digits of pence ("1234.50"), and absent values
// omitted (or null for a fee that was not given).
type View struct {
	Number        string          `json:"number"`
	Kind          string          `json:"kind"` // "CAS" or "CoS"
	Sponsor       string          `json:"sponsor"`
	Status        string          `json:"status"`
	StatusHistory []StatusView    `json:"status_history"`
	CreatedBy     string          `json:"created_by,omitempty"`
	Owner         string          `json:"owner,omitempty"`
	AssignedOn    string          `json:"assigned_on,omitempty"`
	Person        PersonView      `json:"person"`
	Course        *CourseView     `json:"course,omitempty"`
	Job           *JobView        `json:"job,omitempty"`
	Fees          *FeesView       `json:"fees,omitempty"`       // CAS only
	FeeHistory    []FeeChangeView `json:"fee_history,omitzero"` // CAS only
	Note          string          `json:"sponsor_note"`
	Activity      []ReportView    `json:"activity_history"`
}

// StatusView is one entry of a certificate's status history.
type StatusView struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"` // "" for the system
	Reason string    `json:"reason,omitempty"`
}

// PersonView is the person named on a certificate.
type PersonView struct {
	FamilyName  string `json:"family_name"`
	GivenNames  string `json:"given_names,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
	Nationality string `json:"nationality,omitempty"`
}

// CourseView is the course on a CAS.
type CourseView struct {
	Title     string `json:"title"`
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
}

// JobView is the job on a CoS.
type JobView struct {
	Title     string `json:"title"`
	SOCCode   string `json:"soc_code,omitempty"`
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
	Salary    string `json:"salary"`
	Location  string `json:"location,omitempty"`
}

// FeesView is the fee details of a CAS; nil is "not given".
type FeesView struct {
	CourseFeesFirstYear   *string `json:"course_fees_first_year"`
	CourseFeesPaid        *string `json:"course_fees_paid"`
	BoardingFeesPaid      *string `json:"boarding_fees_paid"`
	IncludesAccommodation *bool   `json:"includes_accommodation"`
	AccommodationFeesPaid *string `json:"accommodation_fees_paid"`
}

// FeeChangeView is one accepted fee update: the values before and after.
type FeeChangeView struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Ref    string    `json:"confirmation_reference"`
	Before FeesView  `json:"before"`
	After  FeesView  `json:"after"`
}

// ReportView is one activity report. WithdrawnBy is the confirmation
// reference of the report that withdrew it, "" while it stands.
type ReportView struct {
	Ref               string       `json:"confirmation_reference"`
	Type              string       `json:"type"`
	EventDate         string       `json:"event_date,omitempty"`
	Details           string       `json:"details,omitempty"`
	Address           *AddressView `json:"address,omitempty"`
	EarlyCompletion   string       `json:"early_completion,omitempty"`
	PreviousDate      string       `json:"previous_date,omitempty"`
	FirstDayOfAbsence string       `json:"first_day_of_absence,omitempty"`
	NewEmployer       string       `json:"new_employer,omitempty"`
	ReportedAt        time.Time    `json:"reported_at"`
	ReportedBy        string       `json:"reported_by"`
	Source            string       `json:"source,omitempty"`
	SponsorReference  string       `json:"sponsor_reference,omitempty"`
	WithdrawnBy       string       `json:"withdrawn_by,omitempty"`
	Late              bool         `json:"late"`
}

// AddressView is a residential address with optional contact details.
type AddressView struct {
	Lines    []string `json:"lines"`
	Town     string   `json:"town,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
	Phone    string   `json:"phone,omitempty"`
	Email    string   `json:"email,omitempty"`
}

// NewView returns the printable form of c. Histories are in the order they
// were made; empty ones are empty lists, never null.
func NewView(c *rules.Certificate) *View {
	v := &View{
		Number:        c.Number,
		Kind:          c.Kind.Noun(),
		Sponsor:       c.Sponsor,
		Status:        string(c.Status),
		StatusHistory: []StatusView{},
		CreatedBy:     c.CreatedBy,
		Owner:         c.Owner,
		AssignedOn:    c.AssignedOn.String(),
		Person: PersonView{FamilyName: c.Person.FamilyName, GivenNames: c.Person.GivenNames,
			DateOfBirth: c.Person.DateOfBirth.String(), Nationality: c.Person.Nationality},
		Note:     c.Note,
		Activity: []ReportView{},
	}
	for _, s := range c.StatusHistory {
		v.StatusHistory = append(v.StatusHistory, StatusView{Status: string(s.Status), At: s.At.UTC(), By: s.By, Reason: s.Reason})
	}
	if co := c.Course; co != nil {
		v.Course = &CourseView{Title: co.Title, StartDate: co.StartDate.String(), EndDate: co.EndDate.String()}
	}
	if j := c.Job; j != nil {
		v.Job = &JobView{Title: j.Title, SOCCode: j.SOCCode, StartDate: j.StartDate.String(), EndDate: j.EndDate.String(),
			Salary: j.SalaryPence.String(), Location: j.Location}
	}
	if c.Kind == rules.CAS {
		f := feesView(c.Fees)
		v.Fees = &f
		v.FeeHistory = []FeeChangeView{}
		for _, h := range c.FeeHistory {
			v.FeeHistory = append(v.FeeHistory, FeeChangeView{At: h.At.UTC(), By: h.By, Ref: h.Ref,
				Before: feesView(h.Before), After: feesView(h.After)})
		}
	}
	for _, r := range c.Activity {
		rv := ReportView{
			Ref: r.Ref, Type: string(r.Type), EventDate: r.EventDate.String(), Details: r.Details,
			EarlyCompletion: r.EarlyCompletion.String(), PreviousDate: r.PreviousDate.String(),
			FirstDayOfAbsence: r.FirstDayOfAbsence.String(), NewEmployer: r.NewEmployer,
			ReportedAt: r.ReportedAt.UTC(), ReportedBy: r.ReportedBy, Source: r.Source,
			SponsorReference: r.SponsorReference, WithdrawnBy: r.WithdrawnBy, Late: r.Late,
		}
		if a := r.Address; a != nil {
			rv.Address = &AddressView{Lines: append([]string{}, a.Lines...), Town: a.Town, Postcode: a.Postcode, Phone: a.Phone, Email: a.Email}
		}
		v.Activity = append(v.Activity, rv)
	}
	return v
}

func feesView(f rules.Fees) FeesView {
	amount := func(m *rules.Money) *string {
		if m == nil {
			return nil
		}
		s := m.String()
		return &s
	}
	var inc *bool
	if f.IncludesAccommodation != nil {
		b := *f.IncludesAccommodation
		inc = &b
	}
	return FeesView{
		CourseFeesFirstYear:   amount(f.CourseFeesFirstYear),
		CourseFeesPaid:        amount(f.CourseFeesPaid),
		BoardingFeesPaid:      amount(f.BoardingFeesPaid),
		IncludesAccommodation: inc,
		AccommodationFeesPaid: amount(f.AccommodationFeesPaid),
	}
}

// feeFields lists the fee fields in the order they are shown, with their labels.
var feeFields = []struct {
	label string
	get   func(FeesView) string
}{
	{"Course fees for the first year", func(f FeesView) string { return pounds(f.CourseFeesFirstYear) }},
	{"Course fees paid to date", func(f FeesView) string { return pounds(f.CourseFeesPaid) }},
	{"Boarding fees paid to date", func(f FeesView) string { return pounds(f.BoardingFeesPaid) }},
	{"Course fees include accommodation", func(f FeesView) string {
		if f.IncludesAccommodation == nil {
			return "-"
		}
		if *f.IncludesAccommodation {
			return "yes"
		}
		return "no"
	}},
	{"Accommodation fees paid to date", func(f FeesView) string { return pounds(f.AccommodationFeesPaid) }},
}

func pounds(s *string) string {
	if s == nil {
		return "-"
	}
	return "£" + *s
}

// WriteText writes v as readable text. Text the sponsor or a file wrote
// (notes, details, names) is printed with control characters escaped, so
// that it cannot move the cursor or recolour the terminal.
func (v *View) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// p writes a line of the layout; every string argument is cleaned.
	p := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = clean(s)
			}
		}
		fmt.Fprintf(tw, format, args...)
	}
	kv := func(label, value string) {
		if value != "" {
			p("  %s:\t%s\n", label, value)
		}
	}
	p("%s %s\n", v.Kind, v.Number)
	kv("Sponsor licence", v.Sponsor)
	kv("Status", v.Status)
	kv("Created by", v.CreatedBy)
	kv("Owner", v.Owner)
	kv("Assigned on", v.AssignedOn)

	p("Person\n")
	kv("Family name", v.Person.FamilyName)
	kv("Given names", v.Person.GivenNames)
	kv("Date of birth", v.Person.DateOfBirth)
	kv("Nationality", v.Person.Nationality)

	if c := v.Course; c != nil {
		p("Course\n")
		kv("Title", c.Title)
		kv("Start date", c.StartDate)
		kv("End date", c.EndDate)
	}
	if j := v.Job; j != nil {
		p("Job\n")
		kv("Title", j.Title)
		kv("SOC code", j.SOCCode)
		kv("Start date", j.StartDate)
		kv("End date", j.EndDate)
		kv("Salary", "£"+j.Salary)
		kv("Work location", j.Location)
	}
	if f := v.Fees; f != nil {
		p("Fees\n")
		for _, ff := range feeFields {
			kv(ff.label, ff.get(*f))
		}
	}

	p("Status history\n")
	if len(v.StatusHistory) == 0 {
		p("  (none)\n")
	}
	for _, s := range v.StatusHistory {
		by := s.By
		if by == "" {
			by = "system"
		}
		p("  %s\t%s\tby %s", stamp(s.At), s.Status, by)
		if s.Reason != "" {
			p("\t%s", s.Reason)
		}
		p("\n")
	}

	if v.Fees != nil {
		p("Fee history\n")
		if len(v.FeeHistory) == 0 {
			p("  (none)\n")
		}
		for _, h := range v.FeeHistory {
			p("  %s\tby %s\tconfirmation reference %s\n", stamp(h.At), h.By, h.Ref)
			for _, ff := range feeFields {
				if b, a := ff.get(h.Before), ff.get(h.After); b != a {
					p("    %s:\t%s -> %s\n", ff.label, b, a)
				}
			}
		}
	}

	p("Sponsor note\n")
	if v.Note == "" {
		p("  (none)\n")
	}
	for _, l := range strings.Split(v.Note, "\n") {
		if v.Note != "" {
			p("  | %s\n", l)
		}
	}

	p("Activity history\n")
	if len(v.Activity) == 0 {
		p("  (none)\n")
	}
	for _, r := range v.Activity {
		p("  %s  %s  event date %s\n", r.Ref, r.Type, orDash(r.EventDate))
		kv("  Reported", fmt.Sprintf("%s by %s", stamp(r.ReportedAt), r.ReportedBy))
		kv("  Source", r.Source)
		kv("  Sponsor reference", r.SponsorReference)
		kv("  Details", r.Details)
		kv("  Early completion", r.EarlyCompletion)
		kv("  Previous notification", r.PreviousDate)
		kv("  First day of absence", r.FirstDayOfAbsence)
		kv("  New employer", r.NewEmployer)
		if a := r.Address; a != nil {
			parts := append(append([]string{}, a.Lines...), a.Town, a.Postcode)
			kv("  Address", joinNonEmpty(parts))
			kv("  Phone", a.Phone)
			kv("  Email", a.Email)
		}
		if r.Late {
			kv("  Late", "yes: reported after the deadline of 10 working days")
		}
		if r.WithdrawnBy != "" {
			kv("  Withdrawn by", r.WithdrawnBy)
		} else {
			kv("  Withdrawn by", "-")
		}
	}
	return tw.Flush()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func joinNonEmpty(parts []string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// clean escapes the control characters of s (line breaks and tabs too) and
// the Unicode bidirectional controls as Go escapes, so that text from the
// register prints as what it is and cannot break the layout, drive the
// terminal or reorder what is shown.
func clean(s string) string {
	esc := func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }
	if strings.IndexFunc(s, esc) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if esc(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
