package register

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"bdt/rules"
	"bdt/rules/calendar"
)

// The XML form of the fixture, element for element as register-v1.xsd
// declares it. Every value is a string here; conversion to and from the
// model is explicit so that an absent element and a zero value agree and
// errors can say which element was wrong.

type xmlRegister struct {
	XMLName      xml.Name     `xml:"urn:uk:gov:ukvi:sms:bdt:register:v1 Register"`
	Sponsors     *xmlSponsors `xml:"Sponsors"`
	Users        *xmlUsers    `xml:"Users"`
	Certificates *xmlCerts    `xml:"Certificates"`
}

// Lists are pointers to wrapper structs, nil when empty, rather than "a>b"
// tags: encoding/xml writes an empty parent for an empty "a>b" slice that
// follows another "a>b" field, which the XSD refuses.

type xmlSponsors struct {
	Items []xmlSponsor `xml:"Sponsor"`
}

type xmlUsers struct {
	Items []xmlUser `xml:"User"`
}

type xmlCerts struct {
	Items []xmlCert `xml:",any"`
}

type xmlSponsor struct {
	Licence string   `xml:"SponsorLicenceNumber"`
	Name    string   `xml:"Name"`
	Status  string   `xml:"Status"`
	Nation  string   `xml:"Nation"`
	Routes  []string `xml:"Route"`
}

type xmlUser struct {
	ID      string `xml:"SMSUserId"`
	Sponsor string `xml:"SponsorLicenceNumber"`
	Name    string `xml:"Name"`
	Level   string `xml:"Level"`
	Status  string `xml:"Status"`
}

// xmlCert is a <CAS> or a <CoS>; XMLName says which.
type xmlCert struct {
	XMLName       xml.Name
	CASNumber     string            `xml:"CASNumber,omitempty"`
	CoSNumber     string            `xml:"CoSNumber,omitempty"`
	Sponsor       string            `xml:"SponsorLicenceNumber"`
	Status        string            `xml:"Status"`
	CreatedBy     string            `xml:"CreatedBy,omitempty"`
	Owner         string            `xml:"Owner,omitempty"`
	AssignedOn    string            `xml:"AssignedOn,omitempty"`
	Person        xmlPerson         `xml:"Person"`
	Course        *xmlCourse        `xml:"Course"`
	Job           *xmlJob           `xml:"Job"`
	Fees          *xmlFees          `xml:"Fees"`
	Note          string            `xml:"SponsorNote,omitempty"`
	StatusHistory *xmlStatusHistory `xml:"StatusHistory"`
	FeeHistory    *xmlFeeHistory    `xml:"FeeHistory"`
	Activity      *xmlActivity      `xml:"ActivityHistory"`
}

type xmlStatusHistory struct {
	Items []xmlStatusChange `xml:"StatusChange"`
}

type xmlFeeHistory struct {
	Items []xmlFeeChange `xml:"FeeChange"`
}

type xmlActivity struct {
	Items []xmlReport `xml:"ActivityReport"`
}

type xmlPerson struct {
	FamilyName  string `xml:"FamilyName"`
	GivenNames  string `xml:"GivenNames,omitempty"`
	DateOfBirth string `xml:"DateOfBirth,omitempty"`
	Nationality string `xml:"Nationality,omitempty"`
}

type xmlCourse struct {
	Title     string `xml:"Title"`
	StartDate string `xml:"StartDate,omitempty"`
	EndDate   string `xml:"EndDate,omitempty"`
}

type xmlJob struct {
	Title     string `xml:"Title"`
	SOCCode   string `xml:"SOCCode,omitempty"`
	StartDate string `xml:"StartDate,omitempty"`
	EndDate   string `xml:"EndDate,omitempty"`
	Salary    string `xml:"Salary"`
	Location  string `xml:"WorkLocation,omitempty"`
}

type xmlFees struct {
	CourseFeesFirstYear   string `xml:"CourseFeesForFirstYearOnly,omitempty"`
	CourseFeesPaid        string `xml:"CourseFeesPaidToDate,omitempty"`
	BoardingFeesPaid      string `xml:"BoardingFeesPaidToDate,omitempty"`
	IncludesAccommodation string `xml:"CourseFeeIncludesAccomodationCosts,omitempty"` // sic
	AccommodationFeesPaid string `xml:"AccommodationFeesPaidToDate,omitempty"`
}

type xmlStatusChange struct {
	Status string `xml:"Status"`
	At     string `xml:"At"`
	By     string `xml:"By,omitempty"`
	Reason string `xml:"Reason,omitempty"`
}

type xmlFeeChange struct {
	At     string   `xml:"At"`
	By     string   `xml:"By,omitempty"`
	Ref    string   `xml:"ConfirmationReference,omitempty"`
	Before *xmlFees `xml:"Before"`
	After  *xmlFees `xml:"After"`
}

type xmlReport struct {
	Ref               string      `xml:"ConfirmationReference"`
	Type              string      `xml:"ActivityType"`
	EventDate         string      `xml:"EventDate,omitempty"`
	Details           string      `xml:"Details,omitempty"`
	Address           *xmlAddress `xml:"LastResidentialAddress"`
	EarlyCompletion   string      `xml:"EarlyCompletionDate,omitempty"`
	PreviousDate      string      `xml:"PreviousNotificationDate,omitempty"`
	FirstDayOfAbsence string      `xml:"FirstDayOfAbsence,omitempty"`
	NewEmployer       string      `xml:"NewEmployer,omitempty"`
	SponsorReference  string      `xml:"SponsorReference,omitempty"`
	ReportedAt        string      `xml:"ReportedAt"`
	ReportedBy        string      `xml:"ReportedBy,omitempty"`
	Source            string      `xml:"Source,omitempty"`
	WithdrawnBy       string      `xml:"WithdrawnBy,omitempty"`
	Late              bool        `xml:"Late,omitempty"`
}

type xmlAddress struct {
	Lines    []string `xml:"AddressLine"`
	Town     string   `xml:"Town"`
	Postcode string   `xml:"Postcode,omitempty"`
	Phone    string   `xml:"Phone,omitempty"`
	Email    string   `xml:"Email,omitempty"`
}

// Element names of the two kinds of certificate.
const (
	elemCAS = "CAS"
	elemCoS = "CoS"
)

func (h *xmlStatusHistory) list() []xmlStatusChange {
	if h == nil {
		return nil
	}
	return h.Items
}

func (h *xmlFeeHistory) list() []xmlFeeChange {
	if h == nil {
		return nil
	}
	return h.Items
}

func (h *xmlActivity) list() []xmlReport {
	if h == nil {
		return nil
	}
	return h.Items
}

// ---------------------------------------------------------------- decode

// Decode reads a register fixture. It checks the root element and namespace
// and converts every value, reporting the first error with the line of the
// sponsor, user or certificate it is in; it does not validate against the
// XSD (validate first: schema.Default().Validate). Text of token types
// (names, titles, address lines) is whitespace-collapsed as the XSD reads it.
func Decode(r io.Reader) (*Fixture, error) {
	d := xml.NewDecoder(r)
	root, err := nextStart(d, 0)
	if err != nil {
		return nil, err
	}
	if root.Name.Space != Namespace || root.Name.Local != "Register" {
		line, _ := d.InputPos()
		return nil, fmt.Errorf("register: line %d: root element is {%s}%s, want {%s}Register", line, root.Name.Space, root.Name.Local, Namespace)
	}
	f := new(Fixture)
	for {
		sec, err := nextStart(d, 1)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var item func(start xml.StartElement) error
		switch sec.Name.Local {
		case "Sponsors":
			item = func(start xml.StartElement) error {
				if start.Name.Local != "Sponsor" {
					return errUnexpected(start)
				}
				var x xmlSponsor
				if err := d.DecodeElement(&x, &start); err != nil {
					return err
				}
				s, err := x.model()
				if err != nil {
					return fmt.Errorf("sponsor %s: %w", x.Licence, err)
				}
				f.Sponsors = append(f.Sponsors, s)
				return nil
			}
		case "Users":
			item = func(start xml.StartElement) error {
				if start.Name.Local != "User" {
					return errUnexpected(start)
				}
				var x xmlUser
				if err := d.DecodeElement(&x, &start); err != nil {
					return err
				}
				u, err := x.model()
				if err != nil {
					return fmt.Errorf("user %s: %w", x.ID, err)
				}
				f.Users = append(f.Users, u)
				return nil
			}
		case "Certificates":
			item = func(start xml.StartElement) error {
				if start.Name.Local != elemCAS && start.Name.Local != elemCoS {
					return errUnexpected(start)
				}
				var x xmlCert
				if err := d.DecodeElement(&x, &start); err != nil {
					return err
				}
				c, err := x.model()
				if err != nil {
					return fmt.Errorf("%s %s%s: %w", start.Name.Local, x.CASNumber, x.CoSNumber, err)
				}
				f.Certificates = append(f.Certificates, c)
				return nil
			}
		default:
			line, _ := d.InputPos()
			return nil, fmt.Errorf("register: line %d: %w", line, errUnexpected(sec))
		}
		for {
			start, err := nextStart(d, 2)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			line, _ := d.InputPos()
			if err := item(start); err != nil {
				return nil, fmt.Errorf("register: line %d: %w", line, err)
			}
		}
	}
	return f, nil
}

func errUnexpected(e xml.StartElement) error {
	return fmt.Errorf("unexpected element %s", e.Name.Local)
}

// nextStart returns the next start element at depth (0 for the root), or
// io.EOF when the enclosing element (or, at depth 0, the document) ends first.
// Character data and comments between elements are skipped.
func nextStart(d *xml.Decoder, depth int) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth == 0 {
				return xml.StartElement{}, errors.New("register: no root element")
			}
			return xml.StartElement{}, errors.New("register: unexpected end of document")
		}
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("register: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, io.EOF
		case xml.CharData:
			if depth > 0 && len(strings.TrimSpace(string(t))) > 0 {
				line, _ := d.InputPos()
				return xml.StartElement{}, fmt.Errorf("register: line %d: unexpected text %q", line, strings.TrimSpace(string(t)))
			}
		case xml.Directive:
			return xml.StartElement{}, errors.New("register: a DOCTYPE or other directive is not allowed")
		}
	}
}

// conv converts strings to model values, keeping the first error with the
// element it was in.
type conv struct{ err error }

func (c *conv) fail(elem, v string, err error) {
	if c.err == nil {
		c.err = fmt.Errorf("%s %q: %w", elem, v, err)
	}
}

func (c *conv) date(elem, v string) rules.Date {
	if v == "" {
		return rules.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		c.fail(elem, v, errors.New("not a date (YYYY-MM-DD)"))
	}
	return d
}

func (c *conv) time(elem, v string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		c.fail(elem, v, errors.New("not a date and time with a time zone (2026-11-02T09:30:00Z)"))
	}
	return t.UTC()
}

func (c *conv) money(elem, v string) rules.Money {
	m, err := rules.ParseMoney(v)
	if err != nil {
		c.fail(elem, v, err)
	}
	return m
}

func (c *conv) optMoney(elem, v string) *rules.Money {
	if v == "" {
		return nil
	}
	m := c.money(elem, v)
	return &m
}

func (c *conv) optBool(elem, v string) *bool {
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		c.fail(elem, v, errors.New("not true or false"))
	}
	return &b
}

// token collapses whitespace as xs:token does.
func token(s string) string { return strings.Join(strings.Fields(s), " ") }

func (x *xmlSponsor) model() (rules.Sponsor, error) {
	s := rules.Sponsor{
		Licence: x.Licence,
		Name:    token(x.Name),
		Status:  rules.LicenceStatus(x.Status),
		Nation:  rules.Nation(x.Nation),
	}
	for _, r := range x.Routes {
		s.Routes = append(s.Routes, rules.Route(r))
	}
	return s, nil
}

func (x *xmlUser) model() (rules.User, error) {
	level, err := strconv.Atoi(strings.TrimSpace(x.Level))
	if err != nil {
		return rules.User{}, fmt.Errorf("Level %q: not 1 or 2", x.Level)
	}
	return rules.User{
		ID:      x.ID,
		Sponsor: x.Sponsor,
		Name:    token(x.Name),
		Level:   rules.UserLevel(level),
		Status:  rules.UserStatus(x.Status),
	}, nil
}

func (x *xmlCert) model() (rules.Certificate, error) {
	var cv conv
	c := rules.Certificate{
		Sponsor:    x.Sponsor,
		Status:     rules.CertStatus(x.Status),
		CreatedBy:  x.CreatedBy,
		Owner:      x.Owner,
		AssignedOn: cv.date("AssignedOn", x.AssignedOn),
		Person: rules.Person{
			FamilyName:  token(x.Person.FamilyName),
			GivenNames:  token(x.Person.GivenNames),
			DateOfBirth: cv.date("DateOfBirth", x.Person.DateOfBirth),
			Nationality: x.Person.Nationality,
		},
		Note: x.Note,
	}
	switch x.XMLName.Local {
	case elemCAS:
		c.Kind, c.Number = rules.CAS, x.CASNumber
	case elemCoS:
		c.Kind, c.Number = rules.CoS, x.CoSNumber
	}
	if x.Course != nil {
		c.Course = &rules.Course{
			Title:     token(x.Course.Title),
			StartDate: cv.date("Course/StartDate", x.Course.StartDate),
			EndDate:   cv.date("Course/EndDate", x.Course.EndDate),
		}
	}
	if x.Job != nil {
		c.Job = &rules.Job{
			Title:       token(x.Job.Title),
			SOCCode:     x.Job.SOCCode,
			StartDate:   cv.date("Job/StartDate", x.Job.StartDate),
			EndDate:     cv.date("Job/EndDate", x.Job.EndDate),
			SalaryPence: cv.money("Job/Salary", x.Job.Salary),
			Location:    token(x.Job.Location),
		}
	}
	c.Fees = x.Fees.model(&cv, "Fees")
	for _, s := range x.StatusHistory.list() {
		c.StatusHistory = append(c.StatusHistory, rules.StatusChange{
			Status: rules.CertStatus(s.Status),
			At:     cv.time("StatusChange/At", s.At),
			By:     s.By,
			Reason: s.Reason,
		})
	}
	for _, fc := range x.FeeHistory.list() {
		c.FeeHistory = append(c.FeeHistory, rules.FeeChange{
			At:     cv.time("FeeChange/At", fc.At),
			By:     fc.By,
			Ref:    token(fc.Ref),
			Before: fc.Before.model(&cv, "FeeChange/Before"),
			After:  fc.After.model(&cv, "FeeChange/After"),
		})
	}
	for _, a := range x.Activity.list() {
		r := rules.ActivityReport{
			Ref:               token(a.Ref),
			Type:              rules.ActivityType(a.Type),
			EventDate:         cv.date("EventDate", a.EventDate),
			Details:           a.Details,
			EarlyCompletion:   cv.date("EarlyCompletionDate", a.EarlyCompletion),
			PreviousDate:      cv.date("PreviousNotificationDate", a.PreviousDate),
			FirstDayOfAbsence: cv.date("FirstDayOfAbsence", a.FirstDayOfAbsence),
			NewEmployer:       token(a.NewEmployer),
			ReportedAt:        cv.time("ReportedAt", a.ReportedAt),
			ReportedBy:        a.ReportedBy,
			Source:            token(a.Source),
			SponsorReference:  token(a.SponsorReference),
			WithdrawnBy:       token(a.WithdrawnBy),
			Late:              a.Late,
		}
		if ad := a.Address; ad != nil {
			r.Address = &rules.Address{Town: token(ad.Town), Postcode: ad.Postcode, Phone: ad.Phone, Email: ad.Email}
			for _, l := range ad.Lines {
				r.Address.Lines = append(r.Address.Lines, token(l))
			}
		}
		c.Activity = append(c.Activity, r)
	}
	return c, cv.err
}

func (x *xmlFees) model(cv *conv, elem string) rules.Fees {
	if x == nil {
		return rules.Fees{}
	}
	return rules.Fees{
		CourseFeesFirstYear:   cv.optMoney(elem+"/CourseFeesForFirstYearOnly", x.CourseFeesFirstYear),
		CourseFeesPaid:        cv.optMoney(elem+"/CourseFeesPaidToDate", x.CourseFeesPaid),
		BoardingFeesPaid:      cv.optMoney(elem+"/BoardingFeesPaidToDate", x.BoardingFeesPaid),
		IncludesAccommodation: cv.optBool(elem+"/CourseFeeIncludesAccomodationCosts", x.IncludesAccommodation),
		AccommodationFeesPaid: cv.optMoney(elem+"/AccommodationFeesPaidToDate", x.AccommodationFeesPaid),
	}
}

// ---------------------------------------------------------------- encode

// Encode writes the fixture as canonical register-v1 XML: an XML
// declaration, two-space indentation, sponsors by licence, users by id,
// certificates by number (CAS and CoS together), routes in the order
// STUDENT, WORKER, TEMPORARY_WORKER, histories in their order, money with
// two decimals, instants in UTC, absent values omitted. It does not change
// f. It refuses what register-v1 cannot hold (a CoS with fees or a course,
// a CAS with a job), so that what it writes reads back the same.
func (f *Fixture) Encode(w io.Writer) error {
	g := f.sorted()
	x := xmlRegister{}
	if len(g.Sponsors) > 0 {
		x.Sponsors = &xmlSponsors{}
	}
	if len(g.Users) > 0 {
		x.Users = &xmlUsers{}
	}
	for _, s := range g.Sponsors {
		xs := xmlSponsor{Licence: s.Licence, Name: s.Name, Status: string(s.Status), Nation: string(s.Nation)}
		for _, r := range s.Routes {
			xs.Routes = append(xs.Routes, string(r))
		}
		x.Sponsors.Items = append(x.Sponsors.Items, xs)
	}
	for _, u := range g.Users {
		x.Users.Items = append(x.Users.Items, xmlUser{ID: u.ID, Sponsor: u.Sponsor, Name: u.Name,
			Level: strconv.Itoa(int(u.Level)), Status: string(u.Status)})
	}
	if len(g.Certificates) > 0 {
		x.Certificates = &xmlCerts{}
	}
	for i := range g.Certificates {
		xc, err := certXML(&g.Certificates[i])
		if err != nil {
			return fmt.Errorf("register: encode: certificate %s: %w", g.Certificates[i].Number, err)
		}
		x.Certificates.Items = append(x.Certificates.Items, xc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	q := &quoteWriter{w: w}
	e := xml.NewEncoder(q)
	e.Indent("", "  ")
	if err := e.Encode(x); err != nil {
		return fmt.Errorf("register: encode: %w", err)
	}
	if err := e.Close(); err != nil {
		return fmt.Errorf("register: encode: %w", err)
	}
	if err := q.flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// quoteWriter passes the encoder's output through, writing its escapes of
// apostrophes and quotation marks (&#39; and &#34;) as the plain characters,
// which are legal in element text, so that a name like O'Brien reads as
// written. It is exact: a literal "&" in text is always written "&amp;", so
// "&#39;" in the output can only be an escaped apostrophe, and the only
// attribute written (xmlns) holds no quotes.
type quoteWriter struct {
	w    io.Writer
	tail []byte // a possible escape cut off at the end of the last Write
}

var (
	escApos = []byte("&#39;")
	escQuot = []byte("&#34;")
)

func (q *quoteWriter) Write(p []byte) (int, error) {
	buf := append(q.tail, p...)
	keep := 0
	if i := bytes.LastIndexByte(buf, '&'); i >= 0 && len(buf)-i < len(escApos) {
		keep = len(buf) - i
	}
	out := bytes.ReplaceAll(buf[:len(buf)-keep], escApos, []byte("'"))
	out = bytes.ReplaceAll(out, escQuot, []byte(`"`))
	if _, err := q.w.Write(out); err != nil {
		return 0, err
	}
	q.tail = append([]byte(nil), buf[len(buf)-keep:]...)
	return len(p), nil
}

func (q *quoteWriter) flush() error {
	_, err := q.w.Write(q.tail)
	q.tail = nil
	return err
}

// sorted returns a copy of f in canonical order.
func (f *Fixture) sorted() *Fixture {
	g := &Fixture{
		Sponsors:     slices.Clone(f.Sponsors),
		Users:        slices.Clone(f.Users),
		Certificates: slices.Clone(f.Certificates),
	}
	for i := range g.Sponsors {
		g.Sponsors[i].Routes = slices.Clone(g.Sponsors[i].Routes)
	}
	g.Sort()
	return g
}

func certXML(c *rules.Certificate) (xmlCert, error) {
	x := xmlCert{
		Sponsor:    c.Sponsor,
		Status:     string(c.Status),
		CreatedBy:  c.CreatedBy,
		Owner:      c.Owner,
		AssignedOn: c.AssignedOn.String(),
		Person: xmlPerson{
			FamilyName:  c.Person.FamilyName,
			GivenNames:  c.Person.GivenNames,
			DateOfBirth: c.Person.DateOfBirth.String(),
			Nationality: c.Person.Nationality,
		},
		Note: c.Note,
	}
	switch c.Kind {
	case rules.CAS:
		x.XMLName.Local, x.CASNumber = elemCAS, c.Number
		if c.Job != nil {
			return x, errors.New("a CAS has no job")
		}
	case rules.CoS:
		x.XMLName.Local, x.CoSNumber = elemCoS, c.Number
		if c.Course != nil || feesXML(c.Fees) != nil || len(c.FeeHistory) > 0 {
			return x, errors.New("a CoS has no course and no fees")
		}
	default:
		return x, fmt.Errorf("unknown kind %q", c.Kind)
	}
	if co := c.Course; co != nil {
		x.Course = &xmlCourse{Title: co.Title, StartDate: co.StartDate.String(), EndDate: co.EndDate.String()}
	}
	if j := c.Job; j != nil {
		x.Job = &xmlJob{Title: j.Title, SOCCode: j.SOCCode, StartDate: j.StartDate.String(), EndDate: j.EndDate.String(),
			Salary: j.SalaryPence.String(), Location: j.Location}
	}
	x.Fees = feesXML(c.Fees)
	if len(c.StatusHistory) > 0 {
		x.StatusHistory = &xmlStatusHistory{}
	}
	if len(c.FeeHistory) > 0 {
		x.FeeHistory = &xmlFeeHistory{}
	}
	if len(c.Activity) > 0 {
		x.Activity = &xmlActivity{}
	}
	for _, s := range c.StatusHistory {
		x.StatusHistory.Items = append(x.StatusHistory.Items, xmlStatusChange{Status: string(s.Status), At: timeXML(s.At), By: s.By, Reason: s.Reason})
	}
	for _, fc := range c.FeeHistory {
		x.FeeHistory.Items = append(x.FeeHistory.Items, xmlFeeChange{At: timeXML(fc.At), By: fc.By, Ref: fc.Ref,
			Before: feesXML(fc.Before), After: feesXML(fc.After)})
	}
	for _, a := range c.Activity {
		xa := xmlReport{
			Ref:               a.Ref,
			Type:              string(a.Type),
			EventDate:         a.EventDate.String(),
			Details:           a.Details,
			EarlyCompletion:   a.EarlyCompletion.String(),
			PreviousDate:      a.PreviousDate.String(),
			FirstDayOfAbsence: a.FirstDayOfAbsence.String(),
			NewEmployer:       a.NewEmployer,
			SponsorReference:  a.SponsorReference,
			ReportedAt:        timeXML(a.ReportedAt),
			ReportedBy:        a.ReportedBy,
			Source:            a.Source,
			WithdrawnBy:       a.WithdrawnBy,
			Late:              a.Late,
		}
		if ad := a.Address; ad != nil {
			xa.Address = &xmlAddress{Lines: ad.Lines, Town: ad.Town, Postcode: ad.Postcode, Phone: ad.Phone, Email: ad.Email}
		}
		x.Activity.Items = append(x.Activity.Items, xa)
	}
	return x, nil
}

// feesXML returns the XML of fees, or nil when no value is given.
func feesXML(f rules.Fees) *xmlFees {
	if f == (rules.Fees{}) {
		return nil
	}
	money := func(m *rules.Money) string {
		if m == nil {
			return ""
		}
		return m.String()
	}
	x := &xmlFees{
		CourseFeesFirstYear:   money(f.CourseFeesFirstYear),
		CourseFeesPaid:        money(f.CourseFeesPaid),
		BoardingFeesPaid:      money(f.BoardingFeesPaid),
		AccommodationFeesPaid: money(f.AccommodationFeesPaid),
	}
	if f.IncludesAccommodation != nil {
		x.IncludesAccommodation = strconv.FormatBool(*f.IncludesAccommodation)
	}
	return x
}

// timeXML writes an instant as xs:dateTime in UTC.
func timeXML(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
