package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"bdt/bdt/register"
	"bdt/rules"
	"bdt/rules/calendar"
)

// certSpec is one certificate of the register.
type certSpec struct {
	sponsor  *sponsor // whose number space it is numbered in
	owner    *sponsor // whose certificate it is (another sponsor for catOtherSponsor)
	kind     rules.CertKind
	serial   int
	status   rules.CertStatus
	standing bool // has a standing activity report a withdrawal can name
}

// certNumber numbers certificate serial of sponsor s: CAS or COS, a digit
// (9 in the register, 0 never), the sponsor's index and the serial; 14
// characters, sorted in the order they are generated.
func certNumber(kind rules.CertKind, s *sponsor, serial int, digit byte) string {
	prefix := "CAS"
	if kind == rules.CoS {
		prefix = "COS"
	}
	return fmt.Sprintf("%s%c%03d%07d", prefix, digit, s.index, serial)
}

func (c certSpec) number() string { return certNumber(c.kind, c.sponsor, c.serial, '9') }

// certData is what a certificate says, a function of the seed and its number.
type certData struct {
	family, given, nationality string
	dob                        calendar.Date
	firstYear, paid            int64 // pence
	title                      string
	location                   string
	soc                        string
	salary                     int64
}

func (g *generator) data(kind rules.CertKind, s *sponsor, serial int) certData {
	k := uint64(1)
	if kind == rules.CoS {
		k = 2
	}
	r := rand.New(rand.NewPCG(g.cfg.Seed^0x43455254, mix(k<<60|uint64(s.index)<<32|uint64(serial)))) // "CERT"
	d := certData{family: pick(r, familyNames), given: pick(r, givenNames), nationality: pick(r, nationalities)}
	if kind == rules.CAS {
		d.dob = g.today.AddDays(-(17*365 + r.IntN(8*365)))
		d.firstYear = int64(9000+50*r.IntN(400)) * 100
		d.paid = d.firstYear / 4 / 100 * 100
		d.title = pick(r, courseTitles)
	} else {
		d.dob = g.today.AddDays(-(22*365 + r.IntN(35*365)))
		d.title = pick(r, jobTitles)
		d.soc = fmt.Sprintf("%04d", 1111+r.IntN(8000))
		d.salary = int64(26000+100*r.IntN(600)) * 100
		d.location = pick(r, placeNames)
	}
	return d
}

// Dates every certificate shares, counted back from today.
func (g *generator) createdAt() time.Time      { return at(g.today.AddDays(-210), 9) }
func (g *generator) assignedOn() calendar.Date { return g.today.AddDays(-200) }
func (g *generator) standingDate() calendar.Date {
	return g.today.AddDays(-40)
}

func at(d calendar.Date, hour int) time.Time { return d.Time().Add(time.Duration(hour) * time.Hour) }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeRegister writes the register fixture in canonical form (as `bdt
// register export` writes it): sponsors by licence, users by id,
// certificates by number.
func (g *generator) writeRegister(w *writer) {
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.raw(`<Register xmlns="` + register.Namespace + `">` + "\n")
	w.depth = 1
	w.open("Sponsors")
	for _, s := range g.sponsors {
		w.open("Sponsor")
		w.leaf("SponsorLicenceNumber", s.licence)
		w.leaf("Name", s.name)
		w.leaf("Status", string(s.status))
		w.leaf("Nation", string(s.nation))
		w.leaf("Route", string(rules.RouteStudent))
		w.leaf("Route", string(rules.RouteWorker))
		w.close("Sponsor")
	}
	w.close("Sponsors")
	w.open("Users")
	for _, s := range g.sponsors {
		for _, u := range userRoles {
			w.open("User")
			w.leaf("SMSUserId", s.user(u.role))
			w.leaf("SponsorLicenceNumber", s.licence)
			w.leaf("Name", u.name)
			w.int("Level", int(u.level))
			w.leaf("Status", string(u.status))
			w.close("User")
		}
	}
	w.close("Users")
	w.open("Certificates")
	files := g.plans()
	for _, kind := range []rules.CertKind{rules.CAS, rules.CoS} {
		statuses := casStatuses
		if kind == rules.CoS {
			statuses = cosStatuses
		}
		for _, s := range g.sponsors {
			for i := 0; i < reserve; i++ {
				g.writeCert(w, certSpec{sponsor: s, owner: s, kind: kind, serial: i, status: statuses[i%len(statuses)]})
			}
			for _, f := range files {
				if f.sponsor != s || f.space() != kind {
					continue
				}
				p := g.plan(f)
				for i := range p.recs {
					if c, ok := p.certOf(i); ok {
						g.writeCert(w, c)
					}
				}
			}
		}
	}
	w.close("Certificates")
	w.depth = 0
	w.raw("</Register>\n")
}

func (g *generator) writeCert(w *writer, c certSpec) {
	g.certs++
	d := g.data(c.kind, c.sponsor, c.serial)
	officer := c.owner.user("officer")
	elem, numElem := "CAS", "CASNumber"
	if c.kind == rules.CoS {
		elem, numElem = "CoS", "CoSNumber"
	}
	assigned := c.status != rules.StatusWorkInProgress && c.status != rules.StatusReadyToGo
	w.open(elem)
	w.leaf(numElem, c.number())
	w.leaf("SponsorLicenceNumber", c.owner.licence)
	w.leaf("Status", string(c.status))
	w.leaf("CreatedBy", officer)
	w.leaf("Owner", officer)
	if assigned {
		w.leaf("AssignedOn", g.assignedOn().String())
	}
	w.open("Person")
	w.leaf("FamilyName", d.family)
	w.leaf("GivenNames", d.given)
	w.leaf("DateOfBirth", d.dob.String())
	w.leaf("Nationality", d.nationality)
	w.close("Person")
	if c.kind == rules.CAS {
		w.open("Course")
		w.leaf("Title", d.title)
		w.leaf("StartDate", g.today.AddDays(-60).String())
		w.leaf("EndDate", g.today.AddDays(600).String())
		w.close("Course")
		w.open("Fees")
		w.leaf("CourseFeesForFirstYearOnly", pounds(d.firstYear))
		w.leaf("CourseFeesPaidToDate", pounds(d.paid))
		w.close("Fees")
	} else {
		w.open("Job")
		w.leaf("Title", d.title)
		w.leaf("SOCCode", d.soc)
		w.leaf("StartDate", g.today.AddDays(-150).String())
		w.leaf("EndDate", g.today.AddDays(900).String())
		w.leaf("Salary", pounds(d.salary))
		w.leaf("WorkLocation", d.location)
		w.close("Job")
	}
	w.open("StatusHistory")
	w.open("StatusChange")
	w.leaf("Status", string(rules.StatusWorkInProgress))
	w.leaf("At", stamp(g.createdAt()))
	w.leaf("By", officer)
	w.close("StatusChange")
	if c.status != rules.StatusWorkInProgress {
		w.open("StatusChange")
		w.leaf("Status", string(c.status))
		switch c.status {
		case rules.StatusReadyToGo, rules.StatusAssigned, rules.StatusWithdrawn:
			w.leaf("At", stamp(at(g.assignedOn(), 10)))
			w.leaf("By", officer)
		default:
			w.leaf("At", stamp(at(g.assignedOn().AddDays(30), 0)))
			w.leaf("Reason", "Set by the Home Office")
		}
		w.close("StatusChange")
	}
	w.close("StatusHistory")
	if c.standing {
		t := rules.StudentAbsent
		if c.kind == rules.CoS {
			t = rules.WorkerAbsent
		}
		w.open("ActivityHistory")
		w.open("ActivityReport")
		w.leaf("ConfirmationReference", rules.ConfirmationRef("gen:standing", c.number()))
		w.leaf("ActivityType", string(t))
		w.leaf("EventDate", g.standingDate().String())
		w.leaf("Details", "Absent from expected contact points since this date.")
		w.leaf("ReportedAt", stamp(at(g.standingDate().AddDays(2), 10)))
		w.leaf("ReportedBy", c.owner.user("admin"))
		w.leaf("Source", "screen:"+c.owner.user("admin"))
		w.close("ActivityReport")
		w.close("ActivityHistory")
	}
	w.close(elem)
}

var (
	familyNames = []string{"Okafor", "Zhang", "Nguyen", "Patel", "Kowalski", "Garcia", "Smith", "Haddad",
		"Ivanova", "Mensah", "Sato", "Kim", "Silva", "Rossi", "Murphy", "O'Brien", "Al-Sayed", "Khan",
		"Yilmaz", "Novak", "Dubois", "Andersen", "Chowdhury", "Adeyemi", "Costa", "Fischer", "Lopez",
		"MacLeod", "Santos", "Wang", "Tanaka", "Abubakar"}
	givenNames = []string{"Chidinma", "Wei", "Mai", "Priya", "Tomasz", "Lucia", "Aisha", "Omar", "Elena",
		"Kwame", "Yuki", "Ji-woo", "Joao", "Giulia", "Siobhan", "Nour", "Arjun", "Emre", "Petra", "Amelie",
		"Lars", "Farhana", "Tunde", "Ines", "Jonas", "Camila", "Rafael", "Hana", "Bilal", "Mei"}
	nationalities = []string{"NGA", "CHN", "VNM", "IND", "POL", "ESP", "PAK", "JOR", "UKR", "GHA", "JPN",
		"KOR", "BRA", "ITA", "IRL", "EGY", "TUR", "CZE", "FRA", "DNK", "BGD", "STATELESS"}
	courseTitles = []string{"BSc Computer Science", "MSc Data Science", "BA English Literature", "MEng Civil Engineering",
		"LLM International Law", "MBA", "BSc Nursing", "MA Music", "PhD Chemistry", "BSc Economics"}
	jobTitles = []string{"Software Engineer", "Staff Nurse", "Research Fellow", "Mechanical Engineer",
		"Data Analyst", "Care Worker", "Chef", "Electrician", "Lecturer", "Welder"}
	placeNames = []string{"Wessex", "Strathmore", "Lagan", "Severn", "Pennine", "Tamar", "Cairngorm",
		"Fenland", "Mendip", "Cotswold", "Solway", "Dyfi"}
	sponsorKinds = []string{"University", "College", "Engineering Ltd", "Health Trust", "Academy", "Foods Ltd"}
)
