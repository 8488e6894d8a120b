package rules

import (
	"reflect"
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
