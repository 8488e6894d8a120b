package rules

import (
	"reflect"
	"testing"
)

// TestBriefDecidesFeeUpdates: every operation that ReadsBrief is decided
// the same from the certificates' briefs as from the whole certificates,
// through each check that reads the certificate (found, kind, sponsor,
// owner, identity, status, fees). The cases are chosen so that each field
// Brief keeps decides one of them: a Brief that dropped it would fail.
func TestBriefDecidesFeeUpdates(t *testing.T) {
	mismatch := func(family, dob string) func(*UpdateFees) {
		return func(o *UpdateFees) { o.FamilyName, o.DateOfBirth = family, d(dob) }
	}
	for _, tt := range []struct {
		name string
		a    Actor
		op   UpdateFees
		want RuleID // "" for accepted
	}{
		{"accepted", actor(), fees(casAssigned, mismatch("okonkwo-smith", "2001-04-12")), ""},
		{"another sponsor's", actor(), fees(casOther), RCertFound},
		{"a CoS", actor(), fees(cosAssigned), RCertFound},
		{"not the level 2 user's", actor(as(bob)), fees(casAssigned), RCertOwner},
		{"the level 2 user's", actor(as(bob)), fees(casBob), RFeeAssigned},
		{"family name", actor(), fees(casAssigned, mismatch("Smith", "")), RIdentity},
		{"date of birth", actor(), fees(casAssigned, mismatch("", "2001-04-13")), RIdentity},
		{"status", actor(), fees(casUsed), RFeeAssigned},
		{"fees exceed", actor(), fees(casAssigned, func(o *UpdateFees) { o.Fees.CourseFeesPaid = money(30000) }), RFeeExceeds},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.op.ReadsBrief() {
				t.Fatalf("%T does not read the brief", tt.op)
			}
			whole := state()
			brief := State{Certs: map[string]*Certificate{}}
			for n, c := range whole.Certs {
				brief.Certs[n] = Brief(c)
			}
			want := Evaluate(tt.a, tt.op, whole)
			if got := Evaluate(tt.a, tt.op, brief); !reflect.DeepEqual(got, want) {
				t.Fatalf("from the brief:\n got %+v\nwant %+v", got, want)
			}
			switch {
			case tt.want == "" && !want.Accepted():
				t.Fatalf("rejected: %+v", want.Findings)
			case tt.want != "" && len(findingsOf(want, tt.want)) == 0:
				t.Fatalf("no %s: %+v", tt.want, want.Findings)
			}
		})
	}
}
