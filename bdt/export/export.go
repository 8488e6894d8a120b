// Package export writes the export direction of Bulk Data Transfer (Manual
// 6's "exporting CAS"): one sponsor's CAS or CoS whose status changed at or
// after an instant, as a casexport-v1 or cosexport-v1 document (their XSDs
// are in bdt/schema), for the sponsor's own student-record or HR system.
//
// Who may export is decided as for every listing of certificates
// (action.Listing, rules.CheckViewAccess): an Active Level 1 or Level 2 user
// of a licence with the route, not suspended, dormant, revoked or expired;
// a Level 2 user exports only the certificates they own. The certificates
// stream from the register (store.Reader.CertificateChanges) to the writer
// one at a time, in number order, so that memory stays flat on a register
// of any size; the count comes last, so a reader tells a whole export from
// one cut short.
package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"bdt/bdt/action"
	"bdt/bdt/store"
	"bdt/rules"
	"bdt/schema"
)

// FormatName returns the name of the export format of kind k in the schema
// catalogue: "casexport-v1" or "cosexport-v1".
func FormatName(k rules.CertKind) string {
	if k == rules.CoS {
		return "cosexport-v1"
	}
	return "casexport-v1"
}

// Params says what to export.
type Params struct {
	Kind rules.CertKind // CAS or CoS
	// Since selects the certificates whose last status change was at or
	// after it; zero exports every certificate.
	Since time.Time
}

// Summary is what Write wrote.
type Summary struct {
	Sponsor string // the licence exported
	Count   int    // certificates written
}

// header is the export's Header.
type header struct {
	Sponsor      string `xml:"SponsorLicenceNumber"`
	ExportedBy   string `xml:"ExportedBy"`
	ExportedAt   string `xml:"ExportedAt"`
	ChangedSince string `xml:"ChangedSince,omitempty"`
}

// record is one CAS or CoS element: the number element of its kind, the
// person, the status, then the course and fees (CAS) or the job (CoS).
type record struct {
	CASNumber        string  `xml:"CASNumber,omitempty"`
	CoSNumber        string  `xml:"CoSNumber,omitempty"`
	SponsorReference string  `xml:"SponsorReference,omitempty"`
	FamilyName       string  `xml:"FamilyName"`
	GivenNames       string  `xml:"GivenNames,omitempty"`
	DateOfBirth      string  `xml:"DateOfBirth,omitempty"`
	Nationality      string  `xml:"Nationality,omitempty"`
	Status           string  `xml:"Status"`
	StatusChangedAt  string  `xml:"StatusChangedAt,omitempty"`
	Course           *course `xml:"Course"`
	FirstYear        *string `xml:"CourseFeesForFirstYearOnly"`
	Paid             *string `xml:"CourseFeesPaidToDate"`
	Boarding         *string `xml:"BoardingFeesPaidToDate"`
	Includes         *bool   `xml:"CourseFeeIncludesAccomodationCosts"`
	Accommodation    *string `xml:"AccommodationFeesPaidToDate"`
	Job              *job    `xml:"Job"`
}

type course struct {
	Title     string `xml:"Title"`
	StartDate string `xml:"StartDate,omitempty"`
	EndDate   string `xml:"EndDate,omitempty"`
}

type job struct {
	Title     string `xml:"Title"`
	SOCCode   string `xml:"SOCCode,omitempty"`
	StartDate string `xml:"StartDate,omitempty"`
	EndDate   string `xml:"EndDate,omitempty"`
	Salary    string `xml:"Salary"`
	Location  string `xml:"WorkLocation,omitempty"`
}

// instant writes t as the XSDs' Instant: RFC 3339 in UTC, "" when zero.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// date writes d as xs:date, "" when zero.
func date(d rules.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func amount(m *rules.Money) *string {
	if m == nil {
		return nil
	}
	s := m.String()
	return &s
}

// recordOf is the element of one exported certificate.
func recordOf(ch store.CertificateChange) record {
	c := ch.Certificate
	r := record{SponsorReference: ch.SponsorReference,
		FamilyName: c.Person.FamilyName, GivenNames: c.Person.GivenNames,
		DateOfBirth: date(c.Person.DateOfBirth), Nationality: c.Person.Nationality,
		Status: string(c.Status), StatusChangedAt: instant(ch.Changed)}
	if c.Kind == rules.CoS {
		r.CoSNumber = c.Number
		if j := c.Job; j != nil {
			r.Job = &job{Title: j.Title, SOCCode: j.SOCCode, StartDate: date(j.StartDate), EndDate: date(j.EndDate),
				Salary: j.SalaryPence.String(), Location: j.Location}
		}
		return r
	}
	r.CASNumber = c.Number
	if co := c.Course; co != nil {
		r.Course = &course{Title: co.Title, StartDate: date(co.StartDate), EndDate: date(co.EndDate)}
	}
	f := c.Fees
	r.FirstYear, r.Paid, r.Boarding = amount(f.CourseFeesFirstYear), amount(f.CourseFeesPaid), amount(f.BoardingFeesPaid)
	r.Includes, r.Accommodation = f.IncludesAccommodation, amount(f.AccommodationFeesPaid)
	return r
}

// Write writes to out the export p asks of the certificates w may list,
// made at w.Now. When w may not export it writes nothing and returns the
// findings that refuse it (F.USER, F.LICENCE.ACCESS, F.LICENCE.SUSPENDED,
// F.ROUTE); otherwise an error is a failure of the register or of out, after
// which out holds a document cut short (without its count).
func Write(ctx context.Context, out io.Writer, r store.Reader, w action.Who, p Params) (Summary, []rules.Finding, error) {
	if p.Kind != rules.CAS && p.Kind != rules.CoS {
		return Summary{}, nil, fmt.Errorf("export: kind %q: want CAS or COS", p.Kind)
	}
	sc, fs, err := action.Listing(ctx, r, w, p.Kind)
	if err != nil || len(fs) > 0 {
		return Summary{}, fs, err
	}
	f, ok := schema.ByName(FormatName(p.Kind))
	if !ok {
		return Summary{}, nil, fmt.Errorf("export: no format %s", FormatName(p.Kind))
	}
	sum := Summary{Sponsor: sc.Sponsor}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if _, err := io.WriteString(bw, xml.Header); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	root := xml.StartElement{Name: xml.Name{Local: f.Root}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: f.Namespace}}}
	if err := enc.EncodeToken(root); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	h := header{Sponsor: sc.Sponsor, ExportedBy: w.User, ExportedAt: instant(w.Now), ChangedSince: instant(p.Since)}
	if err := enc.EncodeElement(h, xml.StartElement{Name: xml.Name{Local: "Header"}}); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	elem := xml.StartElement{Name: xml.Name{Local: "CAS"}}
	if p.Kind == rules.CoS {
		elem.Name.Local = "CoS"
	}
	for ch, err := range r.CertificateChanges(ctx, store.CertificateChangesParams{
		Sponsor: sc.Sponsor, Kind: sc.Kind, Owner: sc.Owner, Since: p.Since}) {
		if err != nil {
			return sum, nil, fmt.Errorf("export: %w", err)
		}
		if err := enc.EncodeElement(recordOf(ch), elem); err != nil {
			return sum, nil, fmt.Errorf("export: %w", err)
		}
		sum.Count++
	}
	if err := enc.EncodeElement(sum.Count, xml.StartElement{Name: xml.Name{Local: "RecordCount"}}); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	if err := enc.EncodeToken(root.End()); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	if err := enc.Flush(); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	if _, err := io.WriteString(bw, "\n"); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return sum, nil, fmt.Errorf("export: %w", err)
	}
	return sum, nil, nil
}
