package rules

import (
	"fmt"
	"testing"
)

func TestCheckListing(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Actor
		kind CertKind
		want RuleID // "" when the actor may list
	}{
		{"Level 1 CAS", actor(), CAS, ""},
		{"Level 1 CoS", actor(), CoS, ""},
		{"Level 2 CAS", actor(as(bob)), CAS, ""},
		{"B-rated", actor(ofSponsor(sponsor(withStatus(LicenceBRated)))), CAS, ""},
		{"F.LICENCE.SUSPENDED suspended", actor(ofSponsor(sponsor(withStatus(LicenceSuspended)))), CAS, FLicenceSuspended},
		{"F.LICENCE.SUSPENDED dormant", actor(ofSponsor(sponsor(withStatus(LicenceDormant)))), CoS, FLicenceSuspended},
		{"F.LICENCE.ACCESS revoked", actor(ofSponsor(sponsor(withStatus(LicenceRevoked)))), CAS, FLicenceAccess},
		{"F.LICENCE.ACCESS expired", actor(ofSponsor(sponsor(withStatus(LicenceExpired)))), CoS, FLicenceAccess},
		{"F.ROUTE CoS without a Worker route", actor(ofSponsor(sponsor(withRoutes(RouteStudent)))), CoS, FRoute},
		{"F.ROUTE CAS without the Student route", actor(ofSponsor(sponsor(withRoutes(RouteTemporaryWorker)))), CAS, FRoute},
		{"F.ROUTE CoS with only Temporary Worker passes", actor(ofSponsor(sponsor(withRoutes(RouteTemporaryWorker)))), CoS, ""},
		{"F.USER another sponsor's user", actor(as(carol)), CAS, FUser},
		{"F.USER inactive", actor(withUser(user(alice, func(u *User) { u.Status = UserDeactivatedBySponsor }))), CAS, FUser},
		{"F.USER none", actor(withUser(nil)), CAS, FUser},
		{"F.SPONSOR", actor(ofSponsor(nil)), CAS, FSponsor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := CheckListing(tc.a, tc.kind)
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

func TestListingOwner(t *testing.T) {
	if got := ListingOwner(actor()); got != "" {
		t.Errorf("Level 1: owner %q; want every certificate (\"\")", got)
	}
	if got := ListingOwner(actor(as(bob))); got != bob {
		t.Errorf("Level 2: owner %q; want %q", got, bob)
	}
}

func FuzzCheckListing(f *testing.F) {
	f.Add("A_RATED", 1, "ACTIVE", "CAS")
	f.Add("DORMANT", 2, "REQUESTED", "COS")
	f.Fuzz(func(t *testing.T, status string, level int, userStatus, kind string) {
		a := actor(ofSponsor(sponsor(withStatus(LicenceStatus(status)))),
			withUser(user(alice, func(u *User) { u.Level, u.Status = UserLevel(level), UserStatus(userStatus) })))
		fs := CheckListing(a, CertKind(kind))
		if len(fs) > 1 {
			t.Fatalf("%d findings; CheckListing stops at the first", len(fs))
		}
		allowed := len(fs) == 0
		if allowed && LicenceStatus(status) != LicenceARated && LicenceStatus(status) != LicenceBRated {
			t.Fatalf("licence %s may list", status)
		}
		if allowed && (UserStatus(userStatus) != UserActive || (UserLevel(level) != Level1 && UserLevel(level) != Level2)) {
			t.Fatalf("user level %d, %s may list", level, userStatus)
		}
	})
}

func ExampleCheckListing() {
	suspended := &Sponsor{Licence: "4NUV7KB58", Status: LicenceSuspended, Routes: []Route{RouteStudent}}
	a := Actor{Sponsor: suspended, User: &User{ID: "uni.admin", Sponsor: "4NUV7KB58", Level: Level1, Status: UserActive}}
	for _, f := range CheckListing(a, CAS) {
		fmt.Println(f.Rule, f.Message)
	}
	// Output: F.LICENCE.SUSPENDED Licence 4NUV7KB58 is suspended: a suspended or dormant licence cannot view or export CAS or CoS.
}
