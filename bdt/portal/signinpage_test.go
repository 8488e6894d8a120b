package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"bdt/bdt/portal"
	"bdt/rules"
)

// TestSignedOutSentToSignIn: every page but sign-in sends a browser
// without a session to sign in, and the sign-in page is the form.
func TestSignedOutSentToSignIn(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	for _, path := range []string{"/", "/password", "/no-such-page"} {
		if a := b.get(path); a.Status != http.StatusSeeOther || a.Location != "/sign-in" {
			t.Errorf("GET %s signed out: %d to %q, want 303 to /sign-in", path, a.Status, a.Location)
		}
	}
	a := b.get("/sign-in")
	if a.Status != http.StatusOK {
		t.Fatalf("GET /sign-in: %d", a.Status)
	}
	for _, want := range []string{`<html lang="en-GB">`, `<label for="user">User ID</label>`, `<label for="password">Password</label>`,
		`<a class="skip-link" href="#main">`, `<link rel="stylesheet" href="/static/bdt.css">`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("the sign-in page has no %s", want)
		}
	}
	if got := a.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", got)
	}
}

// TestSignInRefusedInTheSameWords: an unknown id, a wrong password, and
// the right password of a locked account (three wrong before it) are told
// the same words, in the error summary linked to the user id field.
func TestSignInRefusedInTheSameWords(t *testing.T) {
	site := newPageSite(t, nil)
	site.setPassword(studentL1)
	b := site.browser()
	same := []string{"#user: " + rules.SignInWrongPassword.Message()}
	check := func(what string, a answer) {
		t.Helper()
		if a.Status != http.StatusOK || !slices.Equal(errorSummary(a.Body), same) {
			t.Errorf("%s: %d, error summary %q, want 200 and %q", what, a.Status, errorSummary(a.Body), same)
		}
		if !strings.Contains(a.Body, "<title>Error: Sign in") {
			t.Errorf("%s: the title does not begin with Error:", what)
		}
	}
	check("unknown id", b.signIn("nobody.here", operatorPassword))
	check("wrong case of the id", b.signIn(strings.ToUpper(studentL1), operatorPassword))
	for i := range rules.SignInAttempts {
		check("wrong password "+string(rune('1'+i)), b.signIn(studentL1, "Wrong#Password1"))
	}
	check("right password, locked", b.signIn(studentL1, operatorPassword))
	if a := b.get("/"); a.Status != http.StatusSeeOther || a.Location != "/sign-in" {
		t.Errorf("after the refusals GET /: %d to %q, want no session", a.Status, a.Location)
	}
	site.Clock.Advance(rules.LockoutDuration)
	if a := b.signIn(studentL1, operatorPassword); a.Location != "/password" {
		t.Errorf("the lock over, the right password: %d to %q, want /password", a.Status, a.Location)
	}
}

// TestSignInFormErrors: empty fields are each in the error summary,
// linked to their field, and the field shows its error.
func TestSignInFormErrors(t *testing.T) {
	site := newPageSite(t, nil)
	a := site.browser().signIn("", "")
	want := []string{"#user: Enter your user ID", "#password: Enter your password"}
	if got := errorSummary(a.Body); !slices.Equal(got, want) {
		t.Errorf("error summary %q, want %q", got, want)
	}
	for _, id := range []string{"user", "password"} {
		if !strings.Contains(a.Body, `id="`+id+`-error"`) || !regexp.MustCompile(`<input id="`+id+`"[^>]*aria-describedby="[^"]*`+id+`-error"`).MatchString(a.Body) {
			t.Errorf("field %s does not show its error", id)
		}
	}
}

// TestFirstSignInChangesPassword: a password an operator set signs in
// only to change it; every other page sends the user to /password; the
// new password's unmet requirements are listed; the change opens home.
func TestFirstSignInChangesPassword(t *testing.T) {
	site := newPageSite(t, nil)
	site.setPassword(studentL1)
	b := site.browser()
	if a := b.signIn(studentL1, operatorPassword); a.Status != http.StatusSeeOther || a.Location != "/password" {
		t.Fatalf("first sign-in: %d to %q, want 303 to /password", a.Status, a.Location)
	}
	if a := b.get("/"); a.Location != "/password" {
		t.Errorf("GET / before the change: %d to %q, want /password", a.Status, a.Location)
	}
	a := b.get("/password")
	if !strings.Contains(a.Body, rules.SignInMustChange.Message()) || strings.Contains(a.Body, `href="/files"`) {
		t.Errorf("the must-change page does not say why, or shows the menu:\n%s", a.Body)
	}
	form := func(current, next, confirm string) url.Values {
		return url.Values{"csrf": {b.csrf}, "current": {current}, "new": {next}, "confirm": {confirm}}
	}
	a = b.post("/password", form(operatorPassword, "short", "short"))
	want := []string{}
	for _, u := range rules.CheckPassword("short", studentL1) {
		want = append(want, "#new: Your new password must "+u)
	}
	if got := errorSummary(a.Body); !slices.Equal(got, want) {
		t.Errorf("a weak password: error summary %q, want %q", got, want)
	}
	a = b.post("/password", form(operatorPassword, chosenPassword, chosenPassword+"x"))
	if got := errorSummary(a.Body); !slices.Equal(got, []string{"#confirm: Enter the same new password again to confirm it"}) {
		t.Errorf("confirmation differs: error summary %q", got)
	}
	a = b.post("/password", form("Wrong#Current1", chosenPassword, chosenPassword))
	if got := errorSummary(a.Body); len(got) != 1 || !strings.HasPrefix(got[0], "#current: ") {
		t.Errorf("wrong current password: error summary %q", got)
	}
	if a = b.post("/password", form(operatorPassword, chosenPassword, chosenPassword)); a.Status != http.StatusOK ||
		!strings.Contains(a.Body, "Your password has been changed") {
		t.Fatalf("the change: %d\n%s", a.Status, a.Body)
	}
	if a = b.get("/"); a.Status != http.StatusOK || !strings.Contains(a.Body, "University of Wessex") {
		t.Errorf("home after the change: %d", a.Status)
	}
	other := site.browser()
	if a := other.signIn(studentL1, operatorPassword); len(errorSummary(a.Body)) != 1 {
		t.Errorf("the operator's password still signs in: %d to %q", a.Status, a.Location)
	}
	if a := other.signIn(studentL1, chosenPassword); a.Location != "/" {
		t.Errorf("the chosen password: %d to %q, want /", a.Status, a.Location)
	}
}

// TestFormsNeedTheirToken: a POST without the session's CSRF token, with
// a wrong one, or from another site is refused with 403 and changes
// nothing; sign-in's own form (no session yet) is refused from another
// site.
func TestFormsNeedTheirToken(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	b.ready(studentL1)
	good := b.csrf
	for what, a := range map[string]answer{
		"no token":      b.post("/sign-out", url.Values{}),
		"wrong token":   b.post("/sign-out", url.Values{"csrf": {good + "x"}}),
		"another site":  b.post("/sign-out", url.Values{"csrf": {good}}, "Sec-Fetch-Site", "cross-site"),
		"other origin":  b.post("/sign-out", url.Values{"csrf": {good}}, "Origin", "https://evil.example"),
		"password form": b.post("/password", url.Values{"current": {chosenPassword}, "new": {"Another#Pass123"}, "confirm": {"Another#Pass123"}}),
	} {
		if a.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", what, a.Status)
		}
	}
	if a := b.get("/"); a.Status != http.StatusOK {
		t.Fatalf("the session ended after refused forms: %d", a.Status)
	}
	for what, h := range map[string][]string{"cross-site": {"Sec-Fetch-Site", "cross-site"}, "other origin": {"Origin", "https://evil.example"}} {
		if a := site.browser().post("/sign-in", url.Values{"user": {studentL1}, "password": {chosenPassword}}, h...); a.Status != http.StatusForbidden {
			t.Errorf("sign-in from %s: %d, want 403", what, a.Status)
		}
	}
	if a := b.post("/sign-out", url.Values{"csrf": {good}}); a.Status != http.StatusSeeOther || a.Location != "/signed-out" {
		t.Errorf("sign-out: %d to %q", a.Status, a.Location)
	}
	if a := b.get("/"); a.Location != "/sign-in" {
		t.Errorf("after sign-out GET /: %d to %q, want /sign-in", a.Status, a.Location)
	}
}

// TestSessionIdleLimit: on the injected clock, a session idle for just
// under 20 minutes goes on; idle for 20 it is refused.
func TestSessionIdleLimit(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	b.ready(studentL1)
	site.Clock.Advance(rules.SessionIdleLimit - time.Second)
	if a := b.get("/"); a.Status != http.StatusOK {
		t.Fatalf("idle %v: %d, want 200", rules.SessionIdleLimit-time.Second, a.Status)
	}
	site.Clock.Advance(rules.SessionIdleLimit)
	if a := b.get("/"); a.Status != http.StatusSeeOther || a.Location != "/sign-in" {
		t.Errorf("idle %v: %d to %q, want 303 to /sign-in", rules.SessionIdleLimit, a.Status, a.Location)
	}
}

// TestSignInRateLimit: past its burst, an address is told to wait, with
// 429, before any account is tried.
func TestSignInRateLimit(t *testing.T) {
	site := newPageSite(t, func(c *portal.Config) { c.SignInBurst = 2 })
	site.setPassword(studentL1)
	b := site.browser()
	b.signIn("nobody.here", "x")
	b.signIn("nobody.here", "x")
	a := b.signIn(studentL1, operatorPassword)
	if a.Status != http.StatusTooManyRequests || len(errorSummary(a.Body)) != 1 || !strings.Contains(a.Body, "too many attempts") {
		t.Errorf("third attempt: %d, error summary %q", a.Status, errorSummary(a.Body))
	}
}
