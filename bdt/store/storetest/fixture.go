package storetest

import (
	"time"

	"bdt/bdt/register"
	"bdt/rules"
	"bdt/rules/calendar"
)

// Licences, users and certificates of Fixture.
const (
	uni       = "4NUV7KB58" // Student-only university, England and Wales
	employer  = "NTMHWM0V3" // Worker employer, Northern Ireland
	scottish  = "S7KQ2LMX4" // Student and Worker, Scotland
	uniL1     = "uni.admin"
	uniL2     = "uni.intl01"
	empL1     = "emp.hr"
	empL2     = "emp.payroll"
	casUsed   = "CAS26000000001"
	casAssign = "CAS26000000002"
	casBare   = "CAS26000000003"
	cosAssign = "COS26000000001"
	cosUsed   = "COS26000000002"
)

func money(pounds int64) *rules.Money {
	m := rules.Money(pounds * 100)
	return &m
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

var d = calendar.MustDate

// Fixture returns a small register in canonical order in which every field
// of every model type is set somewhere, so that a driver that drops or
// mangles a column fails the round trip. Each call returns a fresh copy.
func Fixture() *register.Fixture {
	return &register.Fixture{
		Sponsors: []rules.Sponsor{
			{Licence: uni, Name: "University of Wessex", Status: rules.LicenceARated,
				Routes: []rules.Route{rules.RouteStudent}, Nation: calendar.EnglandAndWales},
			{Licence: employer, Name: "Lagan Precision Engineering Ltd", Status: rules.LicenceBRated,
				Routes: []rules.Route{rules.RouteWorker, rules.RouteTemporaryWorker}, Nation: calendar.NorthernIreland},
			{Licence: scottish, Name: "Strathmore University", Status: rules.LicenceSuspended,
				Routes: []rules.Route{rules.RouteStudent, rules.RouteWorker}, Nation: calendar.Scotland},
		},
		Users: []rules.User{
			{ID: empL1, Sponsor: employer, Name: "Siobhan Quinn", Level: rules.Level1, Status: rules.UserActive},
			{ID: empL2, Sponsor: employer, Name: "Ciaran Doherty", Level: rules.Level2, Status: rules.UserDeactivatedByUKVI},
			{ID: uniL1, Sponsor: uni, Name: "Margaret Ellison", Level: rules.Level1, Status: rules.UserActive},
			{ID: uniL2, Sponsor: uni, Name: "Tomasz Nowak", Level: rules.Level2, Status: rules.UserRequested},
		},
		Certificates: []rules.Certificate{
			{
				Number: casUsed, Kind: rules.CAS, Sponsor: uni, Status: rules.StatusUsed,
				StatusHistory: []rules.StatusChange{
					{Status: rules.StatusAssigned, At: at("2026-05-12T09:30:00Z"), By: uniL2},
					{Status: rules.StatusUsed, At: at("2026-07-01T00:00:00.123456789Z"), Reason: "Used in a visa application"},
				},
				CreatedBy: uniL2, Owner: uniL2, AssignedOn: d("2026-05-12"),
				Person: rules.Person{FamilyName: "Okafor", GivenNames: "Chidinma Grace", DateOfBirth: d("2005-04-17"), Nationality: "NGA"},
				Course: &rules.Course{Title: "MSc Data Science", StartDate: d("2026-09-21"), EndDate: d("2027-09-17")},
				Fees: rules.Fees{CourseFeesFirstYear: money(18500), CourseFeesPaid: money(9250), BoardingFeesPaid: money(0),
					IncludesAccommodation: no(), AccommodationFeesPaid: money(1200)},
				FeeHistory: []rules.FeeChange{{
					At: at("2026-06-03T14:00:00Z"), By: uniL1, Ref: "BDT-FEE-0001",
					Before: rules.Fees{CourseFeesFirstYear: money(18500)},
					After: rules.Fees{CourseFeesFirstYear: money(18500), CourseFeesPaid: money(9250), BoardingFeesPaid: money(0),
						IncludesAccommodation: no(), AccommodationFeesPaid: money(1200)},
				}},
				Note: "Deposit received.\nScholarship applied.",
				Activity: []rules.ActivityReport{
					{Ref: "BDT-ACT-0001", Type: rules.StudentSponsorshipWithdrawn, EventDate: d("2026-10-12"),
						Details: "Withdrawn after missed enrolment.",
						Address: &rules.Address{Lines: []string{"Flat 3", "27 Hill Street"}, Town: "Southampton", Postcode: "SO14 2AB",
							Phone: "023 8049 6000", Email: "c.okafor@example.com"},
						ReportedAt: at("2026-10-13T10:00:00Z"), ReportedBy: uniL1, Source: "file:4NUV7KB58/SA-2026-10-13#1",
						SponsorReference: "S2600417", WithdrawnBy: "BDT-ACT-0002", Late: true},
					{Ref: "BDT-ACT-0002", Type: rules.StudentPreviousWithdrawn, EventDate: d("2026-10-20"),
						Details: "Student enrolled late; withdrawal reversed.", PreviousDate: d("2026-10-12"),
						ReportedAt: at("2026-10-21T08:15:00Z"), ReportedBy: uniL1, Source: "screen:uni.admin:1792570500000000000"},
					{Ref: "BDT-ACT-0003", Type: rules.StudentEarlyCompletion, EventDate: d("2026-11-02"),
						EarlyCompletion: d("2027-06-30"), ReportedAt: at("2026-11-03T08:00:00Z"), ReportedBy: uniL1},
				},
			},
			{
				Number: casAssign, Kind: rules.CAS, Sponsor: uni, Status: rules.StatusAssigned,
				StatusHistory: []rules.StatusChange{{Status: rules.StatusAssigned, At: at("2026-10-01T12:00:00Z"), By: uniL1}},
				CreatedBy:     uniL1, Owner: uniL1, AssignedOn: d("2026-10-01"),
				Person: rules.Person{FamilyName: "Nguyen Thi", GivenNames: "Lan", DateOfBirth: d("2004-11-02"), Nationality: "VNM"},
				Course: &rules.Course{Title: "BSc Marine Biology", StartDate: d("2027-01-25"), EndDate: d("2030-06-14")},
				Fees:   rules.Fees{CourseFeesFirstYear: money(21000), IncludesAccommodation: yes()},
			},
			{
				Number: casBare, Kind: rules.CAS, Sponsor: scottish, Status: rules.StatusWorkInProgress,
				Person: rules.Person{FamilyName: "Stateless Person", Nationality: "STATELESS"},
			},
			{
				Number: cosAssign, Kind: rules.CoS, Sponsor: employer, Status: rules.StatusAssigned,
				StatusHistory: []rules.StatusChange{{Status: rules.StatusAssigned, At: at("2026-09-15T11:00:00Z"), By: empL2}},
				CreatedBy:     empL2, Owner: empL2, AssignedOn: d("2026-09-15"),
				Person: rules.Person{FamilyName: "Fernandes", GivenNames: "Rui", DateOfBirth: d("1991-08-03"), Nationality: "PRT"},
				Job: &rules.Job{Title: "CNC Machinist", SOCCode: "5223", StartDate: d("2026-12-01"), EndDate: d("2029-11-30"),
					SalaryPence: 3450050, Location: "Belfast"},
			},
			{
				Number: cosUsed, Kind: rules.CoS, Sponsor: employer, Status: rules.StatusUsed,
				CreatedBy: empL1, Owner: empL1, AssignedOn: d("2026-02-02"),
				Person: rules.Person{FamilyName: "Kowalczyk", GivenNames: "Anna", DateOfBirth: d("1988-01-30"), Nationality: "UKR"},
				Job:    &rules.Job{Title: "Quality Engineer", SOCCode: "2129", StartDate: d("2026-04-01"), SalaryPence: 4100000, Location: "Lisburn"},
				Activity: []rules.ActivityReport{
					{Ref: "BDT-ACT-0100", Type: rules.WorkerAbsent, EventDate: d("2026-09-14"), FirstDayOfAbsence: d("2026-08-28"),
						ReportedAt: at("2026-09-15T09:00:00Z"), ReportedBy: empL1, Source: "file:NTMHWM0V3/WA-2026-09-15#1"},
					{Ref: "BDT-ACT-0101", Type: rules.WorkerStopped, EventDate: d("2026-10-30"), NewEmployer: "Harland Marine Ltd",
						ReportedAt: at("2026-11-02T09:00:00Z"), ReportedBy: empL1, Source: "file:NTMHWM0V3/WA-2026-11-02#4"},
				},
			},
		},
	}
}
