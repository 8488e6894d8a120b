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
