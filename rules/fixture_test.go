package rules

import (
	"strings"
	"testing"
	"time"

	"bdt/rules/calendar"
)

// The fixtures: one sponsor ("ours", licence licA) with both routes, a Level 1
// and a Level 2 user, and another sponsor (licB) whose certificates must stay
// invisible. Every builder returns fresh values, so a case can change what
// it got without touching any other case.

const (
	licA  = "4NUV7KB58" // our sponsor
	licB  = "NTMHWM0V3" // another sponsor
	alice = "alice01"   // Level 1 user of licA
	bob   = "bob02"     // Level 2 user of licA
	carol = "carol03"   // Level 1 user of licB

	casUsed     = "CAS26000000001" // USED CAS of licA, owned by alice
	casAssigned = "CAS26000000002" // ASSIGNED CAS of licA, owned by alice
	casBob      = "CAS26000000003" // USED CAS of licA, owned by bob
	casOther    = "CAS26000000009" // USED CAS of licB
	casMissing  = "CAS26999999999" // in no register
	cosUsed     = "COS26000000001" // USED CoS of licA, owned by alice
	cosAssigned = "COS26000000002" // ASSIGNED CoS of licA, owned by alice
	cosBob      = "COS26000000003" // ASSIGNED CoS of licA, owned by bob
	cosOther    = "COS26000000009" // ASSIGNED CoS of licB
)

// now is the processing time of most cases: Monday 16 March 2026, 10:00 GMT.
var now = time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC)

// d parses a date of the tables; "" is the zero Date (no date given).
func d(s string) Date {
	if s == "" {
		return Date{}
	}
	return calendar.MustDate(s)
}

func money(pounds int64) *Money { m := Money(pounds * 100); return &m }

func sponsor(mods ...func(*Sponsor)) *Sponsor {
	s := &Sponsor{Licence: licA, Name: "Northfield University", Status: LicenceARated,
		Routes: []Route{RouteStudent, RouteWorker}, Nation: calendar.EnglandAndWales}
	for _, m := range mods {
		m(s)
	}
	return s
}

func withStatus(st LicenceStatus) func(*Sponsor) { return func(s *Sponsor) { s.Status = st } }
func withRoutes(r ...Route) func(*Sponsor)       { return func(s *Sponsor) { s.Routes = r } }
func inNation(n Nation) func(*Sponsor)           { return func(s *Sponsor) { s.Nation = n } }

func user(id string, mods ...func(*User)) *User {
	u := &User{ID: id, Sponsor: licA, Name: id, Level: Level1, Status: UserActive}
	switch id {
	case bob:
		u.Level = Level2
	case carol:
		u.Sponsor = licB
	}
	for _, m := range mods {
		m(u)
	}
	return u
}

// actor returns alice acting for licA at now from a bulk file record.
func actor(mods ...func(*Actor)) Actor {
	a := Actor{Sponsor: sponsor(), User: user(alice), Now: now, Source: "file:" + licA + "/F1#1"}
	for _, m := range mods {
		m(&a)
	}
	return a
}

func as(id string) func(*Actor)                  { return func(a *Actor) { a.User = user(id) } }
func at(t time.Time) func(*Actor)                { return func(a *Actor) { a.Now = t } }
func ofSponsor(s *Sponsor) func(*Actor)          { return func(a *Actor) { a.Sponsor = s } }
func onDay(s string) func(*Actor)                { return at(d(s).Time().Add(10 * time.Hour)) }
func withUser(u *User) func(*Actor)              { return func(a *Actor) { a.User = u } }
func fromSource(src string) func(*Actor)         { return func(a *Actor) { a.Source = src } }
func certStatus(s CertStatus) func(*Certificate) { return func(c *Certificate) { c.Status = s } }
func ownedBy(u string) func(*Certificate)        { return func(c *Certificate) { c.Owner = u } }

// cert returns a certificate of licA: number n (a CAS if it starts with
// "CAS", else a CoS), status USED unless n is one of the ASSIGNED fixtures,
// owned by alice (bob for casBob and cosBob), of licB for the "Other" numbers.
func cert(n string, mods ...func(*Certificate)) *Certificate {
	c := &Certificate{
		Number: n, Kind: CoS, Sponsor: licA, Status: StatusUsed,
		CreatedBy: alice, Owner: alice, AssignedOn: d("2026-01-05"),
		Person: Person{FamilyName: "Okonkwo-Smith", GivenNames: "Ada", DateOfBirth: d("2001-04-12"), Nationality: "NGA"},
	}
	if strings.HasPrefix(n, "CAS") {
		c.Kind = CAS
		c.Course = &Course{Title: "MSc Data Science", StartDate: d("2026-01-12"), EndDate: d("2027-01-29")}
		c.Fees = Fees{CourseFeesFirstYear: money(20000), CourseFeesPaid: money(5000)}
	} else {
		c.Job = &Job{Title: "Software engineer", SOCCode: "2134", StartDate: d("2026-02-02"), SalaryPence: 4200000}
	}
	switch n {
	case casAssigned, cosAssigned, cosBob, cosOther:
		c.Status = StatusAssigned
	}
	switch n {
	case casBob, cosBob:
		c.Owner, c.CreatedBy = bob, bob
	case casOther, cosOther:
		c.Sponsor, c.Owner, c.CreatedBy = licB, carol, carol
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

// state holds the given certificates; with none, every fixture certificate.
func state(certs ...*Certificate) State {
	if len(certs) == 0 {
		for _, n := range []string{casUsed, casAssigned, casBob, casOther, cosUsed, cosAssigned, cosBob, cosOther} {
			certs = append(certs, cert(n))
		}
	}
	st := State{Certs: map[string]*Certificate{}}
	for _, c := range certs {
		st.Certs[c.Number] = c
	}
	return st
}

func withTarget(st State, u *User) State { st.ToUser = u; return st }

// report returns a standing activity report with the given type, event date and ref.
func report(t ActivityType, event, ref string) ActivityReport {
	return ActivityReport{Ref: ref, Type: t, EventDate: d(event), ReportedAt: now.AddDate(0, 0, -30), ReportedBy: alice, Source: "screen"}
}

func withReports(rs ...ActivityReport) func(*Certificate) {
	return func(c *Certificate) { c.Activity = append(c.Activity, rs...) }
}

func addr() *Address {
	return &Address{Lines: []string{"Flat 3, 27 Hill Street"}, Town: "Sheffield", Postcode: "S1 2AB",
		Phone: "0114 496 0000", Email: "a.student@example.com"}
}

// activity returns a valid report of type t on certificate n, dated 2026-03-09.
func activity(n string, t ActivityType, mods ...func(*ReportActivity)) ReportActivity {
	o := ReportActivity{Cert: n, Type: t, EventDate: d("2026-03-09"), Details: "Details of the event.", SponsorReference: "S1234567"}
	switch t {
	case StudentSponsorshipWithdrawn, WorkerSponsorshipWithdrawn:
		o.Address = addr()
	case StudentEarlyCompletion:
		o.EarlyCompletion = d("2026-12-18")
	case WorkerAbsent:
		o.FirstDayOfAbsence = d("2026-02-23")
	case WorkerStopped:
		o.NewEmployer = "Southbank Engineering Ltd"
	case StudentPreviousWithdrawn, WorkerPreviousWithdrawn:
		o.PreviousDate = d("2026-03-02")
		o.Details = "The decision to withdraw sponsorship was reversed."
	}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func fees(n string, mods ...func(*UpdateFees)) UpdateFees {
	o := UpdateFees{Cert: n, Fees: Fees{CourseFeesPaid: money(7500)}, SponsorReference: "S1234567"}
	for _, m := range mods {
		m(&o)
	}
	return o
}

// findingsOf returns the findings of d with rule id.
func findingsOf(d Decision, id RuleID) []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}

// checkInvariants fails t when d breaks what every decision promises: a
// rejected decision has no changes and no ref, an accepted one has both,
// and every finding cites a catalogued rule with its severity and a message.
func checkInvariants(t testing.TB, d Decision) {
	t.Helper()
	if d.Accepted() {
		if d.Ref == "" || len(d.Changes) == 0 {
			t.Errorf("accepted decision without ref or changes: %+v", d)
		}
		if !strings.HasPrefix(d.Ref, "BDT-") || len(d.Ref) != 16 {
			t.Errorf("ref %q is not BDT- and 12 characters", d.Ref)
		}
	} else if d.Ref != "" || len(d.Changes) != 0 {
		t.Errorf("rejected decision with ref %q or changes %+v", d.Ref, d.Changes)
	}
	for _, f := range d.Findings {
		r, ok := Lookup(f.Rule)
		if !ok {
			t.Errorf("finding cites unknown rule %q", f.Rule)
			continue
		}
		if f.Severity != r.Severity {
			t.Errorf("%s finding has severity %s, catalogue says %s", f.Rule, f.Severity, r.Severity)
		}
		if f.Message == "" {
			t.Errorf("%s finding has no message", f.Rule)
		}
	}
}
