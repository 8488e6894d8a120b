package rules

import (
	"fmt"
	"testing"
)

func TestListingOwner(t *testing.T) {
	if got := ListingOwner(actor()); got != "" {
		t.Errorf("Level 1: owner %q; want every certificate (\"\")", got)
	}
	if got := ListingOwner(actor(as(bob))); got != bob {
		t.Errorf("Level 2: owner %q; want %q", got, bob)
	}
}

// TestListingOwnerAsFindCert checks that a listing limited to
// ListingOwner holds exactly the certificates R.CERT.OWNER lets the actor
// act on, for every certificate of the test state and both levels.
func TestListingOwnerAsFindCert(t *testing.T) {
	st := state()
	for _, a := range []Actor{actor(), actor(as(bob))} {
		owner := ListingOwner(a)
		for n, c := range st.Certs {
			if c.Sponsor != a.Sponsor.Licence {
				continue
			}
			listed := owner == "" || c.Owner == owner
			_, f := findCert(a, st, n, refFor(""))
			if listed != (f == nil) {
				t.Errorf("user %s, %s (owner %q): listed %v, findCert %+v", a.User.ID, n, c.Owner, listed, f)
			}
		}
	}
}

func ExampleListingOwner() {
	sponsor := &Sponsor{Licence: "4NUV7KB58", Status: LicenceARated, Routes: []Route{RouteStudent}}
	for _, u := range []*User{
		{ID: "uni.admin", Sponsor: "4NUV7KB58", Level: Level1, Status: UserActive},
		{ID: "uni.intl01", Sponsor: "4NUV7KB58", Level: Level2, Status: UserActive},
	} {
		fmt.Printf("%s: %q\n", u.ID, ListingOwner(Actor{Sponsor: sponsor, User: u}))
	}
	// Output:
	// uni.admin: ""
	// uni.intl01: "uni.intl01"
}
