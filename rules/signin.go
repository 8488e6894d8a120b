package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The sign-in rules of seed 003 (manual 1: "Logging in and out of SMS",
// "User ID and password", "Access to SMS", guide 1 step 2 and the
// troubleshooting table). They are not findings of a file, so they have no
// catalogue id: CheckPassword answers in words and a sign-in in a
// SignInOutcome.
const (
	// PasswordMinLength and PasswordMaxLength bound a password, in
	// characters (guide 1 step 2: "be between 12 and 256 characters").
	PasswordMinLength = 12
	PasswordMaxLength = 256
	// PasswordSpecials are the special characters of which a password must
	// hold at least one.
	PasswordSpecials = "@#$!%^&*+=_"
	// SignInAttempts wrong attempts in a row lock an account ("If you enter
	// an incorrect ID or password three times your account will be
	// temporarily locked").
	SignInAttempts = 3
	// LockoutDuration is how long a lock lasts (troubleshooting: "wait for
	// 30 minutes and try again").
	LockoutDuration = 30 * time.Minute
	// SessionIdleLimit ends a session without activity ("SMS will log you
	// out of your current session after 20 minutes of inactivity").
	SessionIdleLimit = 20 * time.Minute
)

// CheckPassword returns every requirement of seed 003's password standard
// (guide 1 step 2) that password does not meet, in words and in the order
// the standard lists them; nil when it meets them all. userID is the id of
// the user whose password it is: the password must not contain it,
// compared without regard to case ("Jsmith01" inside "xJSMITH01x" is as
// guessable as the id itself). Lengths count characters (runes), not
// bytes; the letter and digit classes are the standard's ASCII ones ("from
// A to Z"), and a letter outside them counts towards the length only.
func CheckPassword(password, userID string) []string {
	var out []string
	if n := utf8.RuneCountInString(password); n < PasswordMinLength || n > PasswordMaxLength {
		out = append(out, fmt.Sprintf("be between %d and %d characters long (it is %d)", PasswordMinLength, PasswordMaxLength, n))
	}
	var upper, lower, digit, special, space bool
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(PasswordSpecials, r):
			special = true
		case unicode.IsSpace(r):
			space = true
		}
	}
	if !upper {
		out = append(out, "include at least one upper-case letter from A to Z")
	}
	if !lower {
		out = append(out, "include at least one lower-case letter from a to z")
	}
	if !digit {
		out = append(out, "include at least one number from 0 to 9")
	}
	if !special {
		out = append(out, "include at least one of the special characters "+PasswordSpecials)
	}
	if space {
		out = append(out, "not include any whitespace (spaces, tabs or line breaks)")
	}
	if userID != "" && strings.Contains(strings.ToLower(password), strings.ToLower(userID)) {
		out = append(out, "not contain your user ID")
	}
	return out
}

// Lockout is an account's count of sign-in attempts not yet followed by a
// success, and the lock they set. The zero Lockout is an account without
// either.
type Lockout struct {
	Failed      int       // attempts counted since the last success or the end of a lock
	LockedUntil time.Time // the lock's end; zero when the account was never locked since
}

// Locked reports whether the lock holds at now: until its end, exclusive
// (at 29:59 after the lock began it holds, at 30:00 it is over).
func (l Lockout) Locked(now time.Time) bool { return now.Before(l.LockedUntil) }

// Attempt counts a sign-in attempt made at now, before its password is
// checked: it returns the Lockout to record and whether the password may be
// checked at all. A locked account refuses the attempt and stays as it is.
// After a lock has ended the count starts again. The attempt that brings
// the count to SignInAttempts sets the lock for LockoutDuration; a correct
// password then clears it (the caller records the zero Lockout).
//
// The count is taken before the password is checked, and recorded only if
// no other attempt was recorded in between (compare and swap), so that
// attempts racing on several replicas are counted one after another: two
// attempts never both pass as the third, and none passes as a fourth.
func (l Lockout) Attempt(now time.Time) (Lockout, bool) {
	if l.Locked(now) {
		return l, false
	}
	if !l.LockedUntil.IsZero() { // a lock that has ended
		l = Lockout{}
	}
	l.Failed++
	if l.Failed >= SignInAttempts {
		l.LockedUntil = now.Add(LockoutDuration)
	}
	return l, true
}

// SignInOutcome is the answer to a sign-in attempt, or to whether an
// account signed in (by a session or a token) may still act.
type SignInOutcome string

// Sign-in outcomes. Only SignInOK and SignInMustChange sign the user in.
const (
	SignInOK            SignInOutcome = "OK"
	SignInMustChange    SignInOutcome = "MUST_CHANGE_PASSWORD" // signed in only to choose a new password
	SignInUnknownUser   SignInOutcome = "UNKNOWN_USER"
	SignInNoPassword    SignInOutcome = "NO_PASSWORD" // no password has been set for the user
	SignInWrongPassword SignInOutcome = "WRONG_PASSWORD"
	SignInLocked        SignInOutcome = "LOCKED"
	SignInNotActive     SignInOutcome = "USER_NOT_ACTIVE"
	SignInNoAccess      SignInOutcome = "LICENCE_NO_ACCESS" // revoked, expired, or not in the register
)

// SignedIn reports whether o lets the user in (perhaps only to change the
// password).
func (o SignInOutcome) SignedIn() bool { return o == SignInOK || o == SignInMustChange }

// Message is what the user is shown. The outcomes that must not tell
// whether an id exists (unknown user, no password, wrong password, locked)
// share seed 003's one message; the others are told only to whoever gave
// the right password.
func (o SignInOutcome) Message() string {
	switch o {
	case SignInOK:
		return "You are signed in."
	case SignInMustChange:
		return "You must choose a new password before you go on."
	case SignInNotActive:
		return "Your user account is not active, so you cannot sign in. Ask a Level 1 user of your licence."
	case SignInNoAccess:
		return "Your organisation's licence has been revoked or has expired, so you cannot sign in."
	}
	return "Please make sure you enter the correct user ID and password, as your previous attempt does not match our records."
}

// Account is what the sign-in decision reads of the user an id names.
type Account struct {
	User       *User    // nil: no such user
	Sponsor    *Sponsor // the user's licence; nil when it is not in the register
	MustChange bool     // the password was set by an operator (or reset) and must be changed
}

// CheckAccount decides whether a's user may use SMS at all, whatever the
// password: SignInNotActive unless the user is Active (seed 003 guide 3:
// the statuses), SignInNoAccess for a licence revoked, expired, of a
// status this package does not know, or absent ("If your licence has
// expired or has been revoked you will not be able to log in to SMS"), and
// SignInOK otherwise. A suspended or dormant licence signs in: its limits
// are those of what it does (CheckViewAccess, CheckFile). A session or a
// token asks it again at every use, so that a user deactivated or a
// licence revoked is refused at once.
func CheckAccount(a Account) SignInOutcome {
	switch {
	case a.User == nil:
		return SignInUnknownUser
	case a.User.Status != UserActive || (a.User.Level != Level1 && a.User.Level != Level2):
		return SignInNotActive
	case a.Sponsor == nil || a.Sponsor.Licence != a.User.Sponsor:
		return SignInNoAccess
	}
	if _, ok := checkAccess(a.Sponsor); !ok {
		return SignInNoAccess
	}
	return SignInOK
}

// DecideSignIn decides a sign-in attempt on account a whose password was
// checked (passwordOK) after Lockout.Attempt let it be: a wrong password
// first, so that nothing about the account is told to someone who does not
// know it; then CheckAccount; then SignInMustChange when the password was
// set by an operator. An attempt Lockout.Attempt refused is SignInLocked
// without this call.
func DecideSignIn(a Account, passwordOK bool) SignInOutcome {
	if a.User == nil {
		return SignInUnknownUser
	}
	if !passwordOK {
		return SignInWrongPassword
	}
	if o := CheckAccount(a); o != SignInOK {
		return o
	}
	if a.MustChange {
		return SignInMustChange
	}
	return SignInOK
}

// SessionExpired reports whether a session last active at lastSeen has
// ended at now: after SessionIdleLimit without activity (at 19:59 it is
// alive, at 20:00 it has ended).
func SessionExpired(lastSeen, now time.Time) bool {
	return now.Sub(lastSeen) >= SessionIdleLimit
}
