package rules

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckView(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Actor
		kind CertKind
		n    string
		want RuleID // "" when the certificate is shown
	}{
		{"shown CAS", actor(), CAS, casUsed, ""},
		{"shown CoS", actor(), CoS, cosAssigned, ""},
		{"shown either kind", actor(), "", cosAssigned, ""},
		{"Level 2 own", actor(as(bob)), CAS, casBob, ""},
		{"R.CERT.FOUND missing", actor(), CAS, casMissing, RCertFound},
		{"R.CERT.FOUND other sponsor", actor(), CAS, casOther, RCertFound},
		{"R.CERT.FOUND other kind", actor(), CAS, cosAssigned, RCertFound},
		{"R.CERT.OWNER", actor(as(bob)), CAS, casUsed, RCertOwner},
		{"F.USER", actor(withUser(user(alice, func(u *User) { u.Status = UserRefused }))), CAS, casUsed, FUser},
		{"F.LICENCE.ACCESS", actor(ofSponsor(sponsor(withStatus(LicenceRevoked)))), CAS, casUsed, FLicenceAccess},
		{"F.ROUTE", actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), CoS, cosAssigned, FRoute},
		{"F.SPONSOR", actor(ofSponsor(nil)), CAS, casUsed, FSponsor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fs := CheckView(tc.a, tc.kind, tc.n, state())
			if tc.want == "" {
				if len(fs) != 0 || c == nil || c.Number != tc.n {
					t.Fatalf("got %v, %+v; want certificate %s", c, fs, tc.n)
				}
				return
			}
			if c != nil || len(fs) != 1 || fs[0].Rule != tc.want {
				t.Fatalf("got %v, %+v; want one %s finding", c, fs, tc.want)
			}
		})
	}
	// Another sponsor's certificate reads exactly like a missing one.
	missing := state()
	delete(missing.Certs, casOther)
	_, held := CheckView(actor(), CAS, casOther, state())
	_, gone := CheckView(actor(), CAS, casOther, missing)
	if !reflect.DeepEqual(held, gone) {
		t.Errorf("another sponsor's CAS: %+v; a missing one: %+v", held, gone)
	}
}

// TestLicenceStatusEverywhere checks seed 003's "Access to SMS" for every
// one-at-a-time action and for viewing: a revoked or expired licence has no
// access at all (F.LICENCE.ACCESS); a suspended or dormant one cannot view a
// CAS or CoS (F.LICENCE.SUSPENDED) but may still act; a licensed one may do
// both.
func TestLicenceStatusEverywhere(t *testing.T) {
	ops := []Op{
		activity(casUsed, StudentDiscontinued), activity(cosUsed, WorkerAbsent), fees(casAssigned),
		AddNote{Cert: casAssigned, Kind: CAS, Text: "x", Mode: NoteAppend}, AddNote{Cert: cosAssigned, Kind: CoS, Text: "x", Mode: NoteReplace},
		WithdrawCAS{Cert: casAssigned}, WithdrawCoS{Cert: cosAssigned}, TransferCoS{Certs: []string{cosAssigned}, ToUser: bob},
	}
	for _, tc := range []struct {
		status    LicenceStatus
		act, view RuleID // "" when allowed
	}{
		{LicenceARated, "", ""},
		{LicenceBRated, "", ""},
		{LicenceSuspended, "", FLicenceSuspended},
		{LicenceDormant, "", FLicenceSuspended},
		{LicenceRevoked, FLicenceAccess, FLicenceAccess},
		{LicenceExpired, FLicenceAccess, FLicenceAccess},
	} {
		a := actor(ofSponsor(sponsor(withStatus(tc.status))))
		one := func(t *testing.T, fs []Finding, want RuleID) {
			t.Helper()
			if want == "" {
				if len(fs) != 0 {
					t.Errorf("%s: got %+v, want no finding", tc.status, fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Rule != want || !strings.Contains(fs[0].Message, statusWord(tc.status)) {
				t.Errorf("%s: got %+v, want one %s finding naming the status", tc.status, fs, want)
			}
		}
		for _, op := range ops {
			d := EvaluateAction(a, op, withTarget(state(), user(bob)))
			one(t, d.Findings, tc.act)
		}
		for _, k := range []CertKind{CAS, CoS, ""} {
			one(t, CheckViewAccess(a, k), tc.view)
			n := casUsed
			if k == CoS {
				n = cosUsed
			}
			c, fs := CheckView(a, k, n, state())
			one(t, fs, tc.view)
			if (c != nil) != (tc.view == "") {
				t.Errorf("%s: CheckView returned certificate %v", tc.status, c)
			}
		}
	}
}

// TestCheckViewAccess checks who may view or export a kind of certificate
// before any is read: the routes each kind needs, the user, the sponsor,
// and the licence's status (TestLicenceStatusEverywhere has every status).
func TestCheckViewAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Actor
		kind CertKind
		want RuleID // "" when the actor may view
	}{
		{"Level 1 CAS", actor(), CAS, ""},
		{"Level 2 CoS", actor(as(bob)), CoS, ""},
		{"B-rated", actor(ofSponsor(sponsor(withStatus(LicenceBRated)))), CAS, ""},
		{"F.ROUTE CoS without a Worker route", actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), CoS, FRoute},
		{"F.ROUTE CAS without the Student route", actor(ofSponsor(sponsor(withRoutes(RouteTemporaryWorker)))), CAS, FRoute},
		{"CoS with only the Temporary Worker route", actor(ofSponsor(sponsor(withRoutes(RouteTemporaryWorker)))), CoS, ""},
		{"F.USER another sponsor's user", actor(as(carol)), CAS, FUser},
		{"F.USER inactive", actor(withUser(user(alice, func(u *User) { u.Status = UserDeactivatedBySponsor }))), CAS, FUser},
		{"F.USER none", actor(withUser(nil)), CAS, FUser},
		{"F.SPONSOR", actor(ofSponsor(nil)), CAS, FSponsor},
		{"route checked before the suspension", actor(ofSponsor(sponsor(withStatus(LicenceSuspended), withRoutes(RouteStudent)))), CoS, FRoute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := CheckViewAccess(tc.a, tc.kind)
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("got %+v; want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Rule != tc.want {
				t.Fatalf("got %+v; want one %s finding", fs, tc.want)
			}
		})
	}
}

func FuzzCheckViewAccess(f *testing.F) {
	f.Add("A_RATED", 1, "ACTIVE", "CAS")
	f.Add("DORMANT", 2, "REQUESTED", "COS")
	f.Fuzz(func(t *testing.T, status string, level int, userStatus, kind string) {
		a := actor(ofSponsor(sponsor(withStatus(LicenceStatus(status)))),
			withUser(user(alice, func(u *User) { u.Level, u.Status = UserLevel(level), UserStatus(userStatus) })))
		fs := CheckViewAccess(a, CertKind(kind))
		if len(fs) > 1 {
			t.Fatalf("%d findings; CheckViewAccess stops at the first", len(fs))
		}
		allowed := len(fs) == 0
		if allowed && LicenceStatus(status) != LicenceARated && LicenceStatus(status) != LicenceBRated {
			t.Fatalf("licence %s may view", status)
		}
		if allowed && (UserStatus(userStatus) != UserActive || (UserLevel(level) != Level1 && UserLevel(level) != Level2)) {
			t.Fatalf("user level %d, %s may view", level, userStatus)
		}
	})
}
