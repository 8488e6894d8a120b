package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"bdt/rules"
	"bdt/rules/calendar"
	"bdt/schema"
)

// category is what a record is made to be.
type category uint8

const (
	catValid        category = iota // accepted, no finding
	catWarning                      // accepted with one warning (R.FEE.EXCEEDS, R.ACTIVITY.LATE)
	catSchema                       // invalid against the XSD
	catWrongStatus                  // R.FEE.ASSIGNED, R.ACTIVITY.USED
	catOtherSponsor                 // R.CERT.FOUND: another sponsor's certificate
	catNotFound                     // R.CERT.FOUND: a number not in the register
	catDuplicate                    // R.RECORD.DUPLICATE
	catNoPaid                       // R.FEE.PRESENT
	catIdentity                     // R.IDENTITY
	catFuture                       // R.ACTIVITY.DATE: an event after today
	catNoAddress                    // R.ACTIVITY.WITHDRAWAL.ADDRESS
)

// invalidCats are the rejecting categories of each format, in a fixed order.
var invalidCats = map[string][]category{
	"feeupdate-v1":       {catWrongStatus, catOtherSponsor, catNotFound, catDuplicate, catNoPaid},
	"feeupdate-v2":       {catWrongStatus, catOtherSponsor, catNotFound, catDuplicate, catNoPaid, catIdentity},
	"noshow-v1":          {catWrongStatus, catOtherSponsor, catNotFound, catDuplicate, catFuture, catIdentity},
	"studentactivity-v1": {catWrongStatus, catOtherSponsor, catNotFound, catDuplicate, catFuture, catNoAddress, catIdentity},
	"workeractivity-v1":  {catWrongStatus, catOtherSponsor, catNotFound, catDuplicate, catFuture, catNoAddress, catIdentity},
}

// ruleOf is the rule that decides a record of category c in a file of kind k.
func ruleOf(c category, kind string) rules.RuleID {
	switch c {
	case catWarning:
		if kind == "feeupdate" {
			return rules.RFeeExceeds
		}
		return rules.RActivityLate
	case catWrongStatus:
		if kind == "feeupdate" {
			return rules.RFeeAssigned
		}
		return rules.RActivityUsed
	case catOtherSponsor, catNotFound:
		return rules.RCertFound
	case catDuplicate:
		return rules.RRecordDuplicate
	case catNoPaid:
		return rules.RFeePresent
	case catIdentity:
		return rules.RIdentity
	case catFuture:
		return rules.RActivityDate
	case catNoAddress:
		return rules.RActivityWithdrawalAddress
	}
	return ""
}

// Activity types a generated record may carry.
var (
	studentTypes = []rules.ActivityType{rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent,
		rules.StudentSuspended, rules.StudentEarlyCompletion, rules.StudentSponsorshipWithdrawn,
		rules.StudentPreviousWithdrawn, rules.StudentOtherChange}
	workerTypes = []rules.ActivityType{rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent,
		rules.WorkerChange, rules.WorkerSponsorshipWithdrawn, rules.WorkerPreviousWithdrawn}
	// simple types need nothing beyond a date and details.
	studentSimple = []rules.ActivityType{rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent,
		rules.StudentSuspended, rules.StudentOtherChange}
	workerSimple = []rules.ActivityType{rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent, rules.WorkerChange}
)

// Certificate statuses: every one appears in each sponsor's reserve; a
// wrong-status record names one that its operation refuses.
var (
	casStatuses = []rules.CertStatus{rules.StatusWorkInProgress, rules.StatusReadyToGo, rules.StatusAssigned,
		rules.StatusWithdrawn, rules.StatusObsolete, rules.StatusUsed, rules.StatusExpired, rules.StatusCancelled}
	cosStatuses = []rules.CertStatus{rules.StatusWorkInProgress, rules.StatusReadyToGo, rules.StatusAssigned,
		rules.StatusWithdrawn, rules.StatusUsed, rules.StatusExpired, rules.StatusCancelled}
)

// reserve is how many certificates in every status each sponsor has before
// those the files name.
const reserve = 64

// sponsor is one generated sponsor.
type sponsor struct {
	index   int
	licence string
	name    string
	nation  calendar.Nation
	status  rules.LicenceStatus
}

// User ids of a sponsor: the Level 1 user who sends every file, the Level 2
// user who created and owns the certificates, and one in each other status.
func (s *sponsor) user(role string) string { return fmt.Sprintf("u%03d.%s", s.index, role) }

type userRole struct {
	role   string
	name   string
	level  rules.UserLevel
	status rules.UserStatus
}

// userRoles are sorted by role, so that user ids come out sorted.
var userRoles = []userRole{
	{"admin", "Bulk Upload Admin", rules.Level1, rules.UserActive},
	{"deactivated", "Former Officer", rules.Level2, rules.UserDeactivatedBySponsor},
	{"officer", "Compliance Officer", rules.Level2, rules.UserActive},
	{"refused", "Refused Applicant", rules.Level2, rules.UserRefused},
	{"requested", "New Starter", rules.Level2, rules.UserRequested},
	{"ukvi", "Deactivated By UKVI", rules.Level1, rules.UserDeactivatedByUKVI},
}

// fileRef is one file to generate and where its certificates are numbered.
type fileRef struct {
	sponsor *sponsor
	format  schema.Format
	fmtIdx  int // index in Kinds
	j       int // 0-based file number of this sponsor and format
	base    int // serial of record 1's certificate (record i: base+i-1)
	seq     int // position among the sponsor's files, for CreatedAt
}

func (f *fileRef) space() rules.CertKind {
	if f.format.Kind == "workeractivity" {
		return rules.CoS
	}
	return rules.CAS
}

func (f *fileRef) name() string { return fmt.Sprintf("%s-%02d.xml", f.format.Name, f.j+1) }

func (f *fileRef) fileID() string {
	abbr := map[string]string{"feeupdate-v1": "FU1", "feeupdate-v2": "FU2", "noshow-v1": "NS",
		"studentactivity-v1": "SA", "workeractivity-v1": "WA"}[f.format.Name]
	return fmt.Sprintf("GEN-%s-%03d-%02d", abbr, f.sponsor.index, f.j+1)
}

type generator struct {
	cfg      Config
	today    calendar.Date
	sponsors []*sponsor
	certs    int // certificates written to the register
}

func newGenerator(cfg Config) *generator {
	g := &generator{cfg: cfg, today: rules.UKDate(cfg.Now)}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5350_4f4e)) // "SPON"
	seen := map[string]bool{}
	var licences []string
	for len(licences) < cfg.Sponsors {
		l := randString(r, 9, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
		if !seen[l] {
			seen[l] = true
			licences = append(licences, l)
		}
	}
	slices.Sort(licences)
	nations := []calendar.Nation{calendar.EnglandAndWales, calendar.Scotland, calendar.NorthernIreland}
	for i, l := range licences {
		st := rules.LicenceARated
		if i%4 == 3 {
			st = rules.LicenceBRated // still processes everything
		}
		g.sponsors = append(g.sponsors, &sponsor{index: i, licence: l, nation: nations[i%3], status: st,
			name: fmt.Sprintf("%s %s %03d", pick(r, placeNames), pick(r, sponsorKinds), i)})
	}
	return g
}

// plans lists every file, sponsor by sponsor, format by format.
func (g *generator) plans() []*fileRef {
	var out []*fileRef
	for _, s := range g.sponsors {
		next := map[rules.CertKind]int{rules.CAS: reserve, rules.CoS: reserve}
		seq := 0
		for fi, name := range Kinds {
			if !slices.Contains(g.cfg.Formats, name) {
				continue
			}
			for j := 0; j < g.cfg.Files; j++ {
				f := &fileRef{sponsor: s, format: formatOf(name), fmtIdx: fi, j: j, seq: seq}
				f.base = next[f.space()]
				next[f.space()] += g.cfg.Records
				out = append(out, f)
				seq++
			}
		}
	}
	return out
}

// recPlan is what one record is made to be.
type recPlan struct {
	cat category
	// act is the activity type (index into studentTypes or workerTypes);
	// for a wrong-status record, the index of its status.
	act uint8
}

// filePlan is every record of one file.
type filePlan struct {
	ref   *fileRef
	recs  []recPlan
	dup   map[int]int // record index (0-based) → the earlier record it repeats
	other *sponsor    // whose certificates catOtherSponsor records name

	invalid, warnings, schema int
	rules                     map[rules.RuleID]int
}

// plan decides every record of file f. The choice is exact: round(share ×
// records) of each category, at positions drawn uniformly.
func (g *generator) plan(f *fileRef) *filePlan {
	n := g.cfg.Records
	r := rand.New(rand.NewPCG(g.cfg.Seed, mix(uint64(f.sponsor.index)<<24|uint64(f.fmtIdx)<<16|uint64(f.j))))
	p := &filePlan{ref: f, recs: make([]recPlan, n), dup: map[int]int{}, rules: map[rules.RuleID]int{}}
	p.other = g.sponsors[(f.sponsor.index+1)%len(g.sponsors)]
	cats := invalidCats[f.format.Name]
	if len(g.sponsors) == 1 {
		cats = slices.DeleteFunc(slices.Clone(cats), func(c category) bool { return c == catOtherSponsor })
	}
	nInv := int(g.cfg.Invalid*float64(n) + 0.5)
	nWarn := int(g.cfg.Warnings*float64(n) + 0.5)
	nSchema := int(g.cfg.SchemaInvalid*float64(n) + 0.5)
	if nInv+nWarn+nSchema > n {
		nSchema = n - nInv - nWarn
	}
	kind := f.format.Kind
	types, simple := studentTypes, studentSimple
	if kind == "workeractivity" {
		types, simple = workerTypes, workerSimple
	}
	typeIndex := func(t rules.ActivityType) uint8 { return uint8(slices.Index(types, t)) }
	lastGood := -1
	for i := 0; i < n; i++ {
		rem := n - i
		u := r.IntN(rem)
		var rp recPlan
		switch {
		case u < nInv:
			nInv--
			rp.cat = cats[r.IntN(len(cats))]
		case u < nInv+nWarn:
			nWarn--
			rp.cat = catWarning
		case u < nInv+nWarn+nSchema:
			nSchema--
			rp.cat = catSchema
		default:
			rp.cat = catValid
		}
		switch rp.cat {
		case catValid, catSchema:
			rp.act = uint8(r.IntN(len(types)))
		case catNoAddress:
			if kind == "workeractivity" {
				rp.act = typeIndex(rules.WorkerSponsorshipWithdrawn)
			} else {
				rp.act = typeIndex(rules.StudentSponsorshipWithdrawn)
			}
		case catWrongStatus:
			rp.act = uint8(r.IntN(len(casStatuses))) // mapped to a wrong one below
		default:
			rp.act = typeIndex(simple[r.IntN(len(simple))])
		}
		if kind == "noshow" {
			if rp.cat == catWrongStatus {
				rp.act = uint8(r.IntN(len(casStatuses)))
			} else {
				rp.act = typeIndex(rules.StudentDidNotEnrol)
			}
		}
		if rp.cat == catDuplicate {
			if lastGood < 0 {
				rp.cat = catNotFound // nothing earlier to repeat
			} else {
				p.dup[i] = lastGood
				if kind != "feeupdate" {
					rp.act = p.recs[lastGood].act
				}
			}
		}
		if rp.cat == catValid || rp.cat == catWarning {
			lastGood = i
		}
		p.recs[i] = rp
		switch rp.cat {
		case catValid:
		case catSchema:
			p.schema++
		case catWarning:
			p.warnings++
			p.rules[ruleOf(rp.cat, kind)]++
		default:
			p.invalid++
			p.rules[ruleOf(rp.cat, kind)]++
		}
	}
	return p
}

// targetStatus is the status an operation of kind k needs.
func targetStatus(kind string) rules.CertStatus {
	if kind == "feeupdate" {
		return rules.StatusAssigned
	}
	return rules.StatusUsed
}

// wrongStatus maps a drawn index to a status kind's operation refuses.
func wrongStatus(kind string, space rules.CertKind, idx uint8) rules.CertStatus {
	list := casStatuses
	if space == rules.CoS {
		list = cosStatuses
	}
	want := targetStatus(kind)
	s := list[int(idx)%len(list)]
	if s == want {
		s = list[(int(idx)+1)%len(list)]
	}
	return s
}

// certOf returns the certificate record i of p names and must exist in
// the register (ok false when it names none of its own).
func (p *filePlan) certOf(i int) (c certSpec, ok bool) {
	f := p.ref
	rp := p.recs[i]
	c = certSpec{sponsor: f.sponsor, owner: f.sponsor, kind: f.space(), serial: f.base + i, status: targetStatus(f.format.Kind)}
	switch rp.cat {
	case catNotFound, catDuplicate:
		return c, false
	case catWrongStatus:
		c.status = wrongStatus(f.format.Kind, c.kind, rp.act)
	case catOtherSponsor:
		c.owner = p.other
	case catValid, catSchema:
		if t := p.actType(i); t == rules.StudentPreviousWithdrawn || t == rules.WorkerPreviousWithdrawn {
			c.standing = true
		}
	}
	return c, true
}

// actType is the activity type of record i of an activity or no-show file.
func (p *filePlan) actType(i int) rules.ActivityType {
	rp := p.recs[i]
	switch p.ref.format.Kind {
	case "workeractivity":
		if rp.cat == catWrongStatus {
			return workerSimple[int(rp.act)%len(workerSimple)]
		}
		return workerTypes[rp.act]
	case "studentactivity":
		if rp.cat == catWrongStatus {
			return studentSimple[int(rp.act)%len(studentSimple)]
		}
		return studentTypes[rp.act]
	case "noshow":
		return rules.StudentDidNotEnrol
	}
	return ""
}

// mix is the SplitMix64 finaliser: a well-spread 64-bit hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func randString(r *rand.Rand, n int, alphabet string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }
