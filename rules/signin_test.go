package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// good meets every requirement of the standard and does not contain the
// user id "jsmith01"; the cases below take one requirement away at a time.
const good = "Correct#Horse7"

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, password, user string
		want                 []string // the start of each unmet requirement, in order
	}{
		{"good", good, "jsmith01", nil},
		{"11 characters", "Abcdefgh1#x", "jsmith01", []string{"be between 12 and 256 characters long (it is 11)"}},
		{"12 characters", "Abcdefgh1#xy", "jsmith01", nil},
		{"256 characters", "Aa1#" + strings.Repeat("x", 252), "jsmith01", nil},
		{"257 characters", "Aa1#" + strings.Repeat("x", 253), "jsmith01", []string{"be between 12 and 256 characters long (it is 257)"}},
		{"12 characters, not 12 bytes", "Ää1#ÄäÄäÄäÄä", "jsmith01", []string{"include at least one upper-case", "include at least one lower-case"}},
		{"no upper-case", strings.ToLower(good), "jsmith01", []string{"include at least one upper-case"}},
		{"no lower-case", strings.ToUpper(good), "jsmith01", []string{"include at least one lower-case"}},
		{"no digit", "Correct#Horse!", "jsmith01", []string{"include at least one number"}},
		{"no special", "CorrectHorse77", "jsmith01", []string{"include at least one of the special characters @#$!%^&*+=_"}},
		{"another special", "CorrectHorse7_", "jsmith01", nil},
		{"a special not in the list", "CorrectHorse7-", "jsmith01", []string{"include at least one of the special"}},
		{"space", "Correct Horse#7", "jsmith01", []string{"not include any whitespace"}},
		{"tab", "Correct\tHorse#7", "jsmith01", []string{"not include any whitespace"}},
		{"no-break space", "Correct\u00a0Horse#7", "jsmith01", []string{"not include any whitespace"}},
		{"contains the user id", "xjsmith01#Horse", "jsmith01", []string{"not contain your user ID"}},
		{"contains the user id in another case", "xJSMITH01#horse", "jsmith01", []string{"not contain your user ID"}},
		{"no user id given", "xjsmith01#Horse", "", nil},
		{"empty", "", "jsmith01", []string{"be between", "include at least one upper-case", "include at least one lower-case",
			"include at least one number", "include at least one of the special"}},
		{"everything wrong", "jsmith01 ", "jsmith01", []string{"be between", "include at least one upper-case",
			"include at least one of the special", "not include any whitespace", "not contain your user ID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPassword(tc.password, tc.user)
			if len(got) != len(tc.want) {
				t.Fatalf("CheckPassword(%q) = %q, want %d requirements starting %q", tc.password, got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("requirement %d = %q, want it to start %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLockoutAttempts(t *testing.T) {
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var l Lockout
	for i := 1; i <= 2; i++ {
		next, ok := l.Attempt(start)
		if !ok || next.Failed != i || !next.LockedUntil.IsZero() {
			t.Fatalf("attempt %d: %+v, %v; want counted, not locked", i, next, ok)
		}
		l = next
	}
	third, ok := l.Attempt(start)
	if !ok || third.Failed != 3 || !third.LockedUntil.Equal(start.Add(30*time.Minute)) {
		t.Fatalf("third attempt: %+v, %v; want checked, and locked until 30 minutes on", third, ok)
	}
	if fourth, ok := third.Attempt(start.Add(time.Second)); ok || fourth != third {
		t.Fatalf("fourth attempt: %+v, %v; want refused, the lockout unchanged", fourth, ok)
	}
	if !third.Locked(start.Add(29*time.Minute + 59*time.Second)) {
		t.Error("not locked at 29:59")
	}
	if _, ok := third.Attempt(start.Add(29*time.Minute + 59*time.Second)); ok {
		t.Error("an attempt at 29:59 was let through")
	}
	if third.Locked(start.Add(30 * time.Minute)) {
		t.Error("still locked at 30:00")
	}
	after, ok := third.Attempt(start.Add(30 * time.Minute))
	if !ok || after.Failed != 1 || !after.LockedUntil.IsZero() {
		t.Errorf("attempt at 30:00: %+v, %v; want checked, counted as the first again", after, ok)
	}
	if (Lockout{}).Locked(start) {
		t.Error("the zero Lockout is locked")
	}
}

func TestDecideSignIn(t *testing.T) {
	active := &User{ID: "jsmith01", Sponsor: "4NUV7KB58", Level: Level1, Status: UserActive}
	licence := func(st LicenceStatus) *Sponsor { return &Sponsor{Licence: "4NUV7KB58", Status: st} }
	with := func(f func(*User)) *User { u := *active; f(&u); return &u }
	for _, tc := range []struct {
		name       string
		a          Account
		passwordOK bool
		want       SignInOutcome
	}{
		{"ok", Account{User: active, Sponsor: licence(LicenceARated)}, true, SignInOK},
		{"B-rated", Account{User: active, Sponsor: licence(LicenceBRated)}, true, SignInOK},
		{"suspended signs in", Account{User: active, Sponsor: licence(LicenceSuspended)}, true, SignInOK},
		{"dormant signs in", Account{User: active, Sponsor: licence(LicenceDormant)}, true, SignInOK},
		{"must change", Account{User: active, Sponsor: licence(LicenceARated), MustChange: true}, true, SignInMustChange},
		{"unknown user", Account{}, true, SignInUnknownUser},
		{"wrong password", Account{User: active, Sponsor: licence(LicenceARated)}, false, SignInWrongPassword},
		{"wrong password tells nothing of the licence", Account{User: active, Sponsor: licence(LicenceRevoked)}, false, SignInWrongPassword},
		{"wrong password tells nothing of the user", Account{User: with(func(u *User) { u.Status = UserRefused }), Sponsor: licence(LicenceARated)}, false, SignInWrongPassword},
		{"requested", Account{User: with(func(u *User) { u.Status = UserRequested }), Sponsor: licence(LicenceARated)}, true, SignInNotActive},
		{"deactivated", Account{User: with(func(u *User) { u.Status = UserDeactivatedBySponsor }), Sponsor: licence(LicenceARated)}, true, SignInNotActive},
		{"revoked", Account{User: active, Sponsor: licence(LicenceRevoked)}, true, SignInNoAccess},
		{"expired", Account{User: active, Sponsor: licence(LicenceExpired)}, true, SignInNoAccess},
		{"unknown licence status", Account{User: active, Sponsor: licence("WHATEVER")}, true, SignInNoAccess},
		{"licence absent", Account{User: active}, true, SignInNoAccess},
		{"another sponsor's licence", Account{User: active, Sponsor: &Sponsor{Licence: "OTHER0001", Status: LicenceARated}}, true, SignInNoAccess},
		{"not active before must change", Account{User: with(func(u *User) { u.Status = UserRefused }), Sponsor: licence(LicenceARated), MustChange: true}, true, SignInNotActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DecideSignIn(tc.a, tc.passwordOK); got != tc.want {
				t.Errorf("DecideSignIn = %s, want %s", got, tc.want)
			}
		})
	}
}

// The outcomes that must not tell an id that exists from one that does not
// are shown alike.
func TestSignInMessageSame(t *testing.T) {
	want := SignInUnknownUser.Message()
	for _, o := range []SignInOutcome{SignInNoPassword, SignInWrongPassword, SignInLocked} {
		if o.Message() != want {
			t.Errorf("%s: %q, want %q", o, o.Message(), want)
		}
		if o.SignedIn() {
			t.Errorf("%s signs in", o)
		}
	}
	for _, o := range []SignInOutcome{SignInOK, SignInMustChange, SignInNotActive, SignInNoAccess} {
		if o.Message() == want {
			t.Errorf("%s has the message of a wrong password", o)
		}
	}
}

func TestSessionExpired(t *testing.T) {
	seen := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		idle time.Duration
		want bool
	}{{0, false}, {19*time.Minute + 59*time.Second, false}, {20 * time.Minute, true}, {2 * time.Hour, true}} {
		if got := SessionExpired(seen, seen.Add(tc.idle)); got != tc.want {
			t.Errorf("idle %v: expired %v, want %v", tc.idle, got, tc.want)
		}
	}
}

// FuzzCheckPassword: a password is accepted exactly when it meets each
// requirement, checked here another way.
func FuzzCheckPassword(f *testing.F) {
	f.Add(good, "jsmith01")
	f.Add("Abcdefgh1#x", "")
	f.Add("xJSMITH01#horse", "jsmith01")
	f.Fuzz(func(t *testing.T, password, user string) {
		got := CheckPassword(password, user)
		n := utf8.RuneCountInString(password)
		ok := n >= 12 && n <= 256 &&
			strings.ContainsAny(password, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(password, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(password, "0123456789") &&
			strings.ContainsAny(password, "@#$!%^&*+=_") &&
			strings.IndexFunc(password, unicode.IsSpace) < 0 &&
			(user == "" || !strings.Contains(strings.ToLower(password), strings.ToLower(user)))
		if ok != (len(got) == 0) {
			t.Fatalf("CheckPassword(%q, %q) = %q; meets the standard: %v", password, user, got, ok)
		}
		if !reflect.DeepEqual(got, CheckPassword(password, user)) {
			t.Fatal("not the same answer twice")
		}
	})
}
