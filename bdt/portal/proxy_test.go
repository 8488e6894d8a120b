package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"bdt/bdt/portal"
)

// TestTrustProxy: X-Forwarded-Proto and X-Forwarded-For count only with
// Config.TrustProxy. Behind a TLS proxy, the session cookie is Secure and
// __Host- prefixed; the sign-in rate limit counts the address the proxy
// appended (the last of X-Forwarded-For), not one a client wrote before it.
// Without TrustProxy, both headers are ignored: a client cannot choose its
// rate-limit bucket or make the portal believe it is on TLS.
func TestTrustProxy(t *testing.T) {
	oneAttempt := func(c *portal.Config) { c.SignInBurst = 1 }
	fromProxy := func(client string) []string {
		return []string{"X-Forwarded-Proto", "https", "X-Forwarded-For", client}
	}
	signIn := func(b *pageBrowser, user, password string, header ...string) answer {
		b.t.Helper()
		return b.post("/sign-in", map[string][]string{"user": {user}, "password": {password}}, header...)
	}

	t.Run("trusted", func(t *testing.T) {
		site := newPageSite(t, func(c *portal.Config) { oneAttempt(c); c.TrustProxy = true })
		site.setPassword(studentL1)
		b := site.browser()
		a := signIn(b, studentL1, operatorPassword, fromProxy("203.0.113.1")...)
		if a.Location != "/password" {
			t.Fatalf("sign-in through the proxy: %d to %q", a.Status, a.Location)
		}
		c := a.Header.Get("Set-Cookie")
		if !strings.HasPrefix(c, "__Host-bdt-session=") || !strings.Contains(c, "; Secure") || !strings.Contains(c, "; HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
			t.Errorf("session cookie behind a TLS proxy: %q; want __Host-, Secure, HttpOnly, SameSite=Strict", c)
		}
		// Another client address has its own bucket; the same one is out.
		if a := signIn(b, "nobody.here", "x", fromProxy("203.0.113.2")...); a.Status == http.StatusTooManyRequests {
			t.Errorf("a second client address was rate-limited with the first")
		}
		// A client writing its own X-Forwarded-For before the proxy's
		// address is still counted at the proxy's.
		if a := signIn(b, "nobody.here", "x", fromProxy("198.51.100.9, 203.0.113.1")...); a.Status != http.StatusTooManyRequests {
			t.Errorf("a spoofed first X-Forwarded-For escaped the limit: %d", a.Status)
		}
	})

	t.Run("not trusted", func(t *testing.T) {
		site := newPageSite(t, oneAttempt)
		site.setPassword(studentL1)
		b := site.browser()
		a := signIn(b, studentL1, operatorPassword, fromProxy("203.0.113.1")...)
		c := a.Header.Get("Set-Cookie")
		if a.Location != "/password" || !strings.HasPrefix(c, "bdt-session=") || strings.Contains(c, "Secure") {
			t.Errorf("without TrustProxy, X-Forwarded-Proto believed: %d to %q, cookie %q", a.Status, a.Location, c)
		}
		if a := signIn(b, "nobody.here", "x", fromProxy("203.0.113.2")...); a.Status != http.StatusTooManyRequests {
			t.Errorf("without TrustProxy, X-Forwarded-For chose the bucket: %d", a.Status)
		}
	})
}
