package rules

import (
	"testing"
)

func header(k FileKind, mods ...func(*FileHeader)) FileHeader {
	h := FileHeader{Kind: k, Licence: licA, FolderLicence: licA, UserID: alice, FileID: "F1"}
	for _, m := range mods {
		m(&h)
	}
	return h
}

func checkFile(h FileHeader, s *Sponsor, u *User) func() Decision {
	return func() Decision { return Decision{Findings: CheckFile(h, s, u)} }
}

func checkActor(a Actor, routes ...Route) func() Decision {
	return func() Decision { return Decision{Findings: CheckActor(a, routes...)} }
}

// only asserts that d holds exactly one finding.
func only(t *testing.T, d Decision) {
	t.Helper()
	if len(d.Findings) != 1 {
		t.Errorf("want exactly one finding, got %+v", d.Findings)
	}
}

func fileCases() []ruleCase {
	fromFolder := func(l string) func(*FileHeader) { return func(h *FileHeader) { h.FolderLicence = l } }
	naming := func(l string) func(*FileHeader) { return func(h *FileHeader) { h.Licence = l } }
	byUser := func(id string) func(*FileHeader) { return func(h *FileHeader) { h.UserID = id } }
	uploadedBy := func(id string) func(*FileHeader) { return func(h *FileHeader) { h.Submitter = id } }
	deactivated := func(u *User) { u.Status = UserDeactivatedBySponsor }
	studentOnly := withRoutes(RouteStudent)
	cases := []ruleCase{
		fires(FKind, "on an unknown kind", checkFile(header("graduate"), sponsor(), user(alice))),
		passes(FKind, "on a no-show file", checkFile(header(KindNoShow), sponsor(), user(alice))),

		fires(FChannel, "on another licence in our inbox", checkFile(header(KindNoShow, naming(licB)), sponsor(), user(alice))).
			then(only),
		// Whether the other licence exists is not disclosed: F.CHANNEL, not F.SPONSOR.
		fires(FChannel, "on a licence not in the register, without saying so", checkFile(header(KindNoShow, naming("ZZZZZZZZZ")), nil, nil)).
			then(only),
		passes(FChannel, "on our own licence", checkFile(header(KindNoShow), sponsor(), user(alice))),
		passes(FChannel, "when the inbox is not known", checkFile(header(KindNoShow, fromFolder("")), sponsor(), user(alice))),

		fires(FSponsor, "on a licence not in the register", checkFile(header(KindNoShow, naming("ZZZZZZZZZ"), fromFolder("")), nil, user(alice))).
			then(only),
		passes(FSponsor, "on a licence in the register", checkFile(header(KindNoShow), sponsor(), user(alice))),

		fires(FUser, "on a user not in the register", checkFile(header(KindNoShow, byUser("nobody")), sponsor(), nil)).then(only),
		fires(FUser, "on another sponsor's user", checkFile(header(KindNoShow, byUser(carol)), sponsor(), user(carol))).then(only),
		fires(FUser, "on a deactivated user", checkFile(header(KindNoShow), sponsor(), user(alice, deactivated))),
		fires(FUser, "on a requested user", checkFile(header(KindNoShow), sponsor(), user(alice, func(u *User) { u.Status = UserRequested }))),
		fires(FUser, "on a user of no known level", checkFile(header(KindNoShow), sponsor(), user(alice, func(u *User) { u.Level = 3 }))),
		fires(FUser, "on a user who is not the one the header names", checkFile(header(KindNoShow, byUser("mallory")), sponsor(), user(alice))),
		// Nothing about the licence is said to a submitter who is not its user.
		fires(FUser, "alone before a revoked licence", checkFile(header(KindNoShow), sponsor(withStatus(LicenceRevoked)), nil)).then(only),
		passes(FUser, "on an active Level 1 user", checkFile(header(KindNoShow), sponsor(), user(alice))),
		fires(FUser, "on an upload naming another user than its uploader", checkFile(header(KindNoShow, uploadedBy(bob)), sponsor(), user(alice))).
			then(func(t *testing.T, d Decision) {
				only(t, d)
				want := "The file names SMS user " + alice + ", but it was uploaded by " + bob + ". A file uploaded through the portal or the API must name the user who uploads it."
				if d.Findings[0].Message != want || d.Findings[0].Field != "SMSUserId" {
					t.Errorf("finding %+v; want at SMSUserId: %s", d.Findings[0], want)
				}
			}),
		fires(FUser, "on an upload naming no user", checkFile(header(KindNoShow, byUser(""), uploadedBy(alice)), sponsor(), nil)).then(only),
		// The uploader is checked like any submitter: an upload is not a way round the level.
		fires(FUser, "on an upload by a user who may not submit", checkFile(header(KindNoShow, uploadedBy(alice)), sponsor(), user(alice, deactivated))),
		passes(FUser, "on an upload naming its uploader", checkFile(header(KindNoShow, byUser(bob), uploadedBy(bob)), sponsor(), user(bob))),
		passes(FUser, "on an active Level 2 user", checkFile(header(KindNoShow, byUser(bob)), sponsor(), user(bob))),

		fires(FLicenceAccess, "on a revoked licence", checkFile(header(KindNoShow), sponsor(withStatus(LicenceRevoked)), user(alice))).then(only),
		fires(FLicenceAccess, "on an expired licence", checkFile(header(KindStudentActivity), sponsor(withStatus(LicenceExpired)), user(alice))),
		fires(FLicenceAccess, "on an unknown licence status", checkFile(header(KindNoShow), sponsor(withStatus("")), user(alice))),
		passes(FLicenceAccess, "on a B-rated licence", checkFile(header(KindNoShow), sponsor(withStatus(LicenceBRated)), user(alice))),
		passes(FLicenceAccess, "on a suspended licence's no-show file", checkFile(header(KindNoShow), sponsor(withStatus(LicenceSuspended)), user(alice))),

		fires(FLicenceSuspended, "on a suspended licence's fee update", checkFile(header(KindFeeUpdate), sponsor(withStatus(LicenceSuspended)), user(alice))),
		fires(FLicenceSuspended, "on a dormant licence's fee update", checkFile(header(KindFeeUpdate), sponsor(withStatus(LicenceDormant)), user(alice))),
		passes(FLicenceSuspended, "on a suspended licence's no-show file", checkFile(header(KindNoShow), sponsor(withStatus(LicenceSuspended)), user(alice))),
		passes(FLicenceSuspended, "on a suspended licence's student activity", checkFile(header(KindStudentActivity), sponsor(withStatus(LicenceSuspended)), user(alice))),
		passes(FLicenceSuspended, "on a dormant licence's worker activity", checkFile(header(KindWorkerActivity), sponsor(withStatus(LicenceDormant)), user(alice))),
		passes(FLicenceSuspended, "on an A-rated licence's fee update", checkFile(header(KindFeeUpdate), sponsor(), user(alice))),

		fires(FRoute, "on worker activity of a Student-only sponsor", checkFile(header(KindWorkerActivity), sponsor(studentOnly), user(alice))),
		fires(FRoute, "on a no-show file of a Worker-only sponsor", checkFile(header(KindNoShow), sponsor(withRoutes(RouteWorker)), user(alice))),
		fires(FRoute, "beside F.LICENCE.SUSPENDED on a suspended Worker-only sponsor's fee update",
			checkFile(header(KindFeeUpdate), sponsor(withRoutes(RouteWorker), withStatus(LicenceSuspended)), user(alice))).withOthers().
			then(func(t *testing.T, d Decision) {
				if len(d.Findings) != 2 || len(findingsOf(d, FLicenceSuspended)) != 1 {
					t.Errorf("want F.ROUTE and F.LICENCE.SUSPENDED, got %+v", d.Findings)
				}
			}),
		passes(FRoute, "on worker activity of a Temporary Worker sponsor", checkFile(header(KindWorkerActivity), sponsor(withRoutes(RouteTemporaryWorker)), user(alice))),
		passes(FRoute, "on a fee update of a Student-only sponsor", checkFile(header(KindFeeUpdate), sponsor(studentOnly), user(alice))),
	}
	for i := range cases {
		cases[i].findingsOnly = true
	}
	return cases
}

func actorCases() []ruleCase {
	cases := []ruleCase{
		fires(FSponsor, "on an action without a sponsor", checkActor(actor(ofSponsor(nil)))),
		passes(FSponsor, "on an action of a sponsor in the register", checkActor(actor())),
		fires(FUser, "on an action of another sponsor's user", checkActor(actor(as(carol)))),
		fires(FUser, "on an action without a user", checkActor(actor(withUser(nil)))),
		passes(FUser, "on an action of a Level 2 user", checkActor(actor(as(bob)))),
		fires(FLicenceAccess, "on an action of a revoked licence", checkActor(actor(ofSponsor(sponsor(withStatus(LicenceRevoked)))))),
		passes(FLicenceAccess, "on an action of a dormant licence", checkActor(actor(ofSponsor(sponsor(withStatus(LicenceDormant)))))),
		fires(FRoute, "on a worker action of a Student-only sponsor", checkActor(actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), RouteWorker, RouteTemporaryWorker)),
		passes(FRoute, "on an action with no route asked", checkActor(actor(ofSponsor(sponsor(withRoutes()))))),
	}
	for i := range cases {
		cases[i].findingsOnly = true
	}
	return append(cases,
		// One-at-a-time actions through EvaluateAction.
		fires(FRoute, "on a CoS withdrawal by a Student-only sponsor",
			action(actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), WithdrawCoS{Cert: cosAssigned}, state())),
		fires(FRoute, "on a CAS note by a Worker-only sponsor",
			action(actor(ofSponsor(sponsor(withRoutes(RouteWorker)))), AddNote{Cert: casAssigned, Text: "x", Mode: NoteAppend}, state())),
		fires(FLicenceAccess, "on a one-at-a-time report by a revoked licence",
			action(actor(ofSponsor(sponsor(withStatus(LicenceRevoked)))), activity(casUsed, StudentDiscontinued), state())),
		// F.LICENCE.SUSPENDED speaks of bulk fee updates: one CAS at a time is allowed.
		passes(FLicenceSuspended, "on a suspended licence's one-at-a-time fee update",
			action(actor(ofSponsor(sponsor(withStatus(LicenceSuspended)))), fees(casAssigned), state())),
		passes(FRoute, "on a student report of a Student-only sponsor",
			action(actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), activity(casUsed, StudentAbsent), state())),
	)
}

// TestCheckFile runs the file rule tables.
func TestCheckFile(t *testing.T) { runCases(t, fileCases()) }

// TestCheckActor runs the actor rule tables.
func TestCheckActor(t *testing.T) { runCases(t, actorCases()) }

// TestCheckFileHidesOtherSponsors checks that a user of another sponsor is
// reported in the same words as a user who does not exist.
func TestCheckFileHidesOtherSponsors(t *testing.T) {
	h := header(KindNoShow, func(h *FileHeader) { h.UserID = carol })
	missing := CheckFile(h, sponsor(), nil)
	other := CheckFile(h, sponsor(), user(carol))
	if len(missing) != 1 || len(other) != 1 || missing[0] != other[0] {
		t.Fatalf("F.USER differs for a missing user and another sponsor's:\n%+v\n%+v", missing, other)
	}
	if got := CheckFile(header(KindNoShow), sponsor(), user(alice)); len(got) != 0 {
		t.Fatalf("a valid file got findings: %+v", got)
	}
}
