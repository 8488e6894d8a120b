package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"bdt/rules"
	"bdt/rules/calendar"
)

// writeFile writes one BDT file as p plans it.
func (g *generator) writeFile(w *writer, p *filePlan) {
	f := p.ref
	r := rand.New(rand.NewPCG(g.cfg.Seed^0x46494c45, mix(uint64(f.sponsor.index)<<24|uint64(f.fmtIdx)<<16|uint64(f.j)))) // "FILE"
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.raw(fmt.Sprintf("<!-- Made by bdt gen (seed %d): %s file %d of sponsor %s, %d records. -->\n",
		g.cfg.Seed, f.format.Name, f.j+1, f.sponsor.licence, len(p.recs)))
	w.raw("<" + f.format.Root + ` xmlns="` + f.format.Namespace + `">` + "\n")
	w.depth = 1
	w.open("Header")
	w.leaf("SponsorLicenceNumber", f.sponsor.licence)
	w.leaf("SMSUserId", f.sponsor.user("admin"))
	w.leaf(f.format.FileIDElement, f.fileID())
	created := at(g.today.AddDays(-1), 17).Add(time.Duration(f.seq) * time.Minute)
	w.leaf("CreatedAt", stamp(created))
	w.int("RecordCount", len(p.recs))
	w.close("Header")
	for i := range p.recs {
		g.writeRecord(w, r, p, i)
	}
	w.depth = 0
	w.raw("</" + f.format.Root + ">\n")
}

// writeRecord writes record i of p.
func (g *generator) writeRecord(w *writer, r *rand.Rand, p *filePlan, i int) {
	f := p.ref
	rp := p.recs[i]
	kind := f.format.Kind
	// The certificate the record names, and what it says.
	src := i // the record whose certificate this one names
	if j, ok := p.dup[i]; ok {
		src = j
	}
	number := certNumber(f.space(), f.sponsor, f.base+src, '9')
	if rp.cat == catNotFound {
		number = certNumber(f.space(), f.sponsor, f.base+i, '0')
	}
	d := g.data(f.space(), f.sponsor, f.base+src)
	if rp.cat == catSchema {
		number = "BAD-" + number[4:] // not 14 letters and digits: F.SCHEMA
	}
	family, dob := d.family, d.dob
	wrongIdentity := rp.cat == catIdentity
	if wrongIdentity {
		family, dob = "Mismatch", d.dob.AddDays(366)
	}

	w.open(f.format.Record)
	if r.IntN(10) > 0 {
		w.leaf("SponsorReference", fmt.Sprintf("R%07d", 1000000+r.IntN(9000000)))
	}
	switch kind {
	case "feeupdate":
		w.leaf("CASNumber", number)
		if rp.cat == catNoPaid || r.IntN(10) < 3 {
			w.leaf("CourseFeesForFirstYearOnly", pounds(d.firstYear))
		}
		if rp.cat != catNoPaid {
			paid := d.paid + int64(r.IntN(int((d.firstYear-d.paid)/100)+1))*100
			if rp.cat == catWarning {
				paid = d.firstYear + 50000 // R.FEE.EXCEEDS
			}
			w.leaf("CourseFeesPaidToDate", pounds(paid))
		}
		if r.IntN(10) == 0 && rp.cat != catNoPaid {
			w.leaf("BoardingFeesPaidToDate", "0.00")
		}
		if r.IntN(5) == 0 {
			w.leaf("CourseFeeIncludesAccomodationCosts", "false")
		}
		if f.format.Version == "2" {
			if wrongIdentity || r.IntN(2) == 0 {
				w.leaf("FamilyName", family)
			}
			if r.IntN(3) == 0 {
				w.leaf("DateOfBirth", d.dob.String())
			}
		}
	case "noshow":
		w.leaf("CASNumber", number)
		w.leaf("NoShowDate", g.eventDate(r, rp.cat).String())
		w.leaf("Reason", pick(r, noShowReasons))
		if r.IntN(3) == 0 {
			w.leaf("FamilyName", d.family)
		}
		if wrongIdentity || r.IntN(3) == 0 {
			w.leaf("DateOfBirth", dob.String())
		}
	default:
		t := p.actType(src)
		if rp.cat == catWrongStatus {
			t = p.actType(i)
		}
		event := g.eventDate(r, rp.cat)
		if kind == "workeractivity" {
			w.leaf("CoSNumber", number)
		} else {
			w.leaf("CASNumber", number)
		}
		w.leaf("ActivityType", string(t))
		w.leaf("EventDate", event.String())
		w.leaf("Details", details[t])
		if r.IntN(3) == 0 {
			w.leaf("FamilyName", d.family)
		}
		if wrongIdentity || r.IntN(3) == 0 {
			w.leaf("DateOfBirth", dob.String())
		}
		withdrawal := t == rules.StudentSponsorshipWithdrawn || t == rules.WorkerSponsorshipWithdrawn
		if withdrawal && rp.cat != catNoAddress {
			w.open("LastResidentialAddress")
			w.leaf("AddressLine", fmt.Sprintf("Flat %d", 1+r.IntN(40)))
			w.leaf("AddressLine", fmt.Sprintf("%d %s Road", 1+r.IntN(200), pick(r, placeNames)))
			w.leaf("Town", pick(r, towns))
			w.leaf("Postcode", fmt.Sprintf("SO%d %dES", 14+r.IntN(6), 1+r.IntN(9)))
			w.close("LastResidentialAddress")
		}
		switch t {
		case rules.StudentEarlyCompletion:
			w.leaf("EarlyCompletionDate", g.today.AddDays(30).String())
		case rules.WorkerAbsent:
			w.leaf("FirstDayOfAbsence", event.AddDays(-21).String()) // over 10 working days (R.ACTIVITY.ABSENCE)
		case rules.WorkerStopped:
			if r.IntN(2) == 0 {
				w.leaf("NewEmployer", pick(r, placeNames)+" "+pick(r, sponsorKinds))
			}
		}
		if t == rules.StudentPreviousWithdrawn || t == rules.WorkerPreviousWithdrawn {
			w.leaf("PreviousNotificationDate", g.standingDate().String())
		}
	}
	w.close(f.format.Record)
}

// eventDate is a record's event date: within the deadline for most, past
// it for a late one (R.ACTIVITY.LATE), after today for a future one.
func (g *generator) eventDate(r *rand.Rand, c category) calendar.Date {
	switch c {
	case catWarning:
		return g.today.AddDays(-(25 + r.IntN(60)))
	case catFuture:
		return g.today.AddDays(2 + r.IntN(40))
	}
	return g.today.AddDays(-(1 + r.IntN(7)))
}

var (
	noShowReasons = []string{
		"Did not complete enrolment by the final late-enrolment deadline.",
		"Told the admissions office by email that they accepted a place elsewhere.",
		"Visa application withdrawn; the student will not travel.",
	}
	details = map[rules.ActivityType]string{
		rules.StudentDidNotEnrol:          "Did not enrol by the final deadline.",
		rules.StudentDiscontinued:         "Withdrew from the course by email to the registry.",
		rules.StudentAbsent:               "Missed the expected contact points without permission.",
		rules.StudentSuspended:            "Studies interrupted for medical reasons until next September.",
		rules.StudentEarlyCompletion:      "Completes the course early after accreditation of prior learning.",
		rules.StudentSponsorshipWithdrawn: "Sponsorship withdrawn after the final warning letter went unanswered.",
		rules.StudentPreviousWithdrawn:    "The earlier absence report was made in error: the student attended.",
		rules.StudentOtherChange:          "Transferred to a related course; the end date is unchanged.",
		rules.WorkerDidNotStart:           "Did not start work on the agreed start date.",
		rules.WorkerStopped:               "Resigned with one month's notice.",
		rules.WorkerAbsent:                "Absent without permission for more than 10 working days.",
		rules.WorkerChange:                "Salary increased after the annual review.",
		rules.WorkerSponsorshipWithdrawn:  "Sponsorship withdrawn: the contract was ended.",
		rules.WorkerPreviousWithdrawn:     "The earlier absence report was made in error: the worker was on approved leave.",
	}
	towns = []string{"Southampton", "Aberdeen", "Belfast", "Leeds", "Cardiff", "Norwich"}
)
