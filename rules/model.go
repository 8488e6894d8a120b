package rules

import (
	"time"

	"bdt/rules/calendar"
)

// Date is a civil date (YYYY-MM-DD); see calendar.Date.
type Date = calendar.Date

// Nation is the UK nation whose bank holidays apply to a sponsor.
type Nation = calendar.Nation

// LicenceStatus is the status of a sponsor licence.
type LicenceStatus string

// Licence statuses (seed 003). Codes are the enumeration values of the XSDs.
const (
	LicenceARated    LicenceStatus = "A_RATED" // fully active
	LicenceBRated    LicenceStatus = "B_RATED"
	LicenceSuspended LicenceStatus = "SUSPENDED"
	LicenceDormant   LicenceStatus = "DORMANT"
	LicenceRevoked   LicenceStatus = "REVOKED"
	LicenceExpired   LicenceStatus = "EXPIRED"
)

// Route is a sponsorship route a licence covers.
type Route string

// Routes of a licence.
const (
	RouteStudent         Route = "STUDENT"
	RouteWorker          Route = "WORKER"
	RouteTemporaryWorker Route = "TEMPORARY_WORKER"
)

// Sponsor is a licensed sponsor in the register.
type Sponsor struct {
	Licence string // 9 letters and digits
	Name    string
	Status  LicenceStatus
	Routes  []Route
	Nation  Nation
}

// HasRoute reports whether the sponsor's licence covers r.
func (s *Sponsor) HasRoute(r Route) bool {
	for _, x := range s.Routes {
		if x == r {
			return true
		}
	}
	return false
}

// UserLevel is an SMS user's access level.
type UserLevel int

// SMS user levels (seed 003).
const (
	Level1 UserLevel = 1 // everything
	Level2 UserLevel = 2 // only the CAS/CoS they own
)

// UserStatus is the status of an SMS user account.
type UserStatus string

// User statuses (seed 003). Only Active users act.
const (
	UserRequested            UserStatus = "REQUESTED"
	UserActive               UserStatus = "ACTIVE"
	UserRefused              UserStatus = "REFUSED"
	UserDeactivatedBySponsor UserStatus = "DEACTIVATED_BY_SPONSOR"
	UserDeactivatedByUKVI    UserStatus = "DEACTIVATED_BY_UKVI"
)

// User is an SMS user of one sponsor.
type User struct {
	ID      string
	Sponsor string // licence number
	Name    string
	Level   UserLevel
	Status  UserStatus
}

// CertKind says whether a certificate is a CAS (students) or a CoS (workers).
type CertKind string

// Certificate kinds.
const (
	CAS CertKind = "CAS"
	CoS CertKind = "COS"
)

// Noun names the kind as SMS writes it: "CAS", "CoS", or "certificate"
// when the kind is not known.
func (k CertKind) Noun() string {
	switch k {
	case CAS:
		return "CAS"
	case CoS:
		return "CoS"
	}
	return "certificate"
}

// CertStatus is the status of a CAS or CoS.
type CertStatus string

// Certificate statuses (seeds 001, 002). OBSOLETE is CAS only.
const (
	StatusWorkInProgress CertStatus = "WORK_IN_PROGRESS"
	StatusReadyToGo      CertStatus = "READY_TO_GO"
	StatusAssigned       CertStatus = "ASSIGNED"
	StatusWithdrawn      CertStatus = "WITHDRAWN"
	StatusObsolete       CertStatus = "OBSOLETE"
	StatusUsed           CertStatus = "USED"
	StatusExpired        CertStatus = "EXPIRED"
	StatusCancelled      CertStatus = "CANCELLED"
)

// StatusChange is one entry of a certificate's append-only status history.
type StatusChange struct {
	Status CertStatus
	At     time.Time
	By     string // user id, or "" for the system
	Reason string
}

// Person is the sponsored person named on a certificate.
type Person struct {
	FamilyName  string
	GivenNames  string
	DateOfBirth Date
	Nationality string // ISO 3166-1 alpha-3, or STATELESS
}

// Course is the course of study on a CAS.
type Course struct {
	Title     string
	StartDate Date
	EndDate   Date
}

// Job is the job on a CoS.
type Job struct {
	Title       string
	SOCCode     string
	StartDate   Date
	EndDate     Date
	SalaryPence Money
	Location    string
}

// Money is an amount of pounds sterling held in pence.
type Money int64

// Fees are the fee details of a CAS. Nil pointers are "not given".
type Fees struct {
	CourseFeesFirstYear   *Money
	CourseFeesPaid        *Money
	BoardingFeesPaid      *Money
	IncludesAccommodation *bool
	AccommodationFeesPaid *Money
}

// FeeChange is one entry of a CAS's append-only fee history: the values
// before and after one accepted fee update.
type FeeChange struct {
	At     time.Time
	By     string
	Ref    string // confirmation reference
	Before Fees
	After  Fees
}

// Address is a residential address with optional contact details.
type Address struct {
	Lines    []string // 1 to 4 lines
	Town     string
	Postcode string
	Phone    string
	Email    string
}

// ActivityType is the code of a reportable student or worker event
// (RULES.md "Activity types"). Student codes apply to a CAS, worker codes to a CoS.
type ActivityType string

// Student activity types (CAS).
const (
	StudentDidNotEnrol          ActivityType = "STUDENT_DID_NOT_ENROL" // the no-show
	StudentDiscontinued         ActivityType = "STUDENT_DISCONTINUED"
	StudentAbsent               ActivityType = "STUDENT_ABSENT"    // missed expected contact points
	StudentSuspended            ActivityType = "STUDENT_SUSPENDED" // suspended or interrupted studies
	StudentEarlyCompletion      ActivityType = "STUDENT_EARLY_COMPLETION"
	StudentSponsorshipWithdrawn ActivityType = "STUDENT_SPONSORSHIP_WITHDRAWN"
	StudentPreviousWithdrawn    ActivityType = "STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN"
	StudentOtherChange          ActivityType = "STUDENT_OTHER_CHANGE"
)

// Worker activity types (CoS).
const (
	WorkerDidNotStart          ActivityType = "WORKER_DID_NOT_START"
	WorkerStopped              ActivityType = "WORKER_STOPPED_WORKING" // resigned, dismissed, contract ended
	WorkerAbsent               ActivityType = "WORKER_ABSENT"          // more than 10 consecutive working days
	WorkerChange               ActivityType = "WORKER_CHANGE_OF_ROLE_SALARY_OR_LOCATION"
	WorkerSponsorshipWithdrawn ActivityType = "WORKER_SPONSORSHIP_WITHDRAWN"
	WorkerPreviousWithdrawn    ActivityType = "WORKER_PREVIOUS_NOTIFICATION_WITHDRAWN"
)

// ActivityReport is one accepted activity report on a certificate. Reports
// are never deleted: a withdrawn one keeps WithdrawnBy set to the
// confirmation reference of the report that withdrew it.
type ActivityReport struct {
	Ref               string // stable confirmation reference
	Type              ActivityType
	EventDate         Date
	Details           string
	Address           *Address // sponsorship withdrawal: last residential address
	EarlyCompletion   Date     // early completion: the earlier completion date
	PreviousDate      Date     // previous notification withdrawn: date of the earlier report's event
	FirstDayOfAbsence Date
	NewEmployer       string
	ReportedAt        time.Time
	ReportedBy        string // user id
	Source            string // where it came from: "file:<licence>/<file id>#<index>" or "screen"
	SponsorReference  string
	WithdrawnBy       string // Ref of the report that withdrew this one, "" if standing
	Late              bool
}

// Certificate is a CAS or a CoS with everything the rules look at.
type Certificate struct {
	Number        string // 14 letters and digits
	Kind          CertKind
	Sponsor       string // licence number
	Status        CertStatus
	StatusHistory []StatusChange
	CreatedBy     string // user id
	Owner         string // user id that created and assigned it, or to whom it was transferred
	AssignedOn    Date   // zero if never assigned
	Person        Person
	Course        *Course // CAS
	Job           *Job    // CoS
	Fees          Fees    // CAS
	FeeHistory    []FeeChange
	Note          string // sponsor note
	Activity      []ActivityReport
}

// Brief returns what an operation that ReadsBrief is decided from: c's
// number, kind, sponsor, status and owner, the person's family name and date
// of birth, and the fees, shared with c (nil for nil). A store reads no more
// for such operations (store.CertificatesForRulesParams.Brief).
func Brief(c *Certificate) *Certificate {
	if c == nil {
		return nil
	}
	return &Certificate{Number: c.Number, Kind: c.Kind, Sponsor: c.Sponsor, Status: c.Status, Owner: c.Owner,
		Person: Person{FamilyName: c.Person.FamilyName, DateOfBirth: c.Person.DateOfBirth}, Fees: c.Fees}
}
