package main

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var portalCSRF = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// portalClient is a person's browser without the browser: cookies kept,
// redirects not followed, the last page's CSRF token remembered.
type portalClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newPortalClient(t *testing.T, base string) *portalClient {
	jar, _ := cookiejar.New(nil)
	return &portalClient{t: t, base: base, c: &http.Client{Jar: jar, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send sends method path with body of type ctype and the headers given in
// pairs, and returns the status and where it redirects.
func (c *portalClient) send(method, path, ctype string, body io.Reader, header ...string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := portalCSRF.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return res.StatusCode, res.Header.Get("Location")
}

// form posts a urlencoded form.
func (c *portalClient) form(path string, v url.Values, header ...string) (int, string) {
	c.t.Helper()
	return c.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), header...)
}

// TestPortalFormsRefusedThroughServe: through the real bdt serve, a form
// posted without the session's CSRF token, with a wrong one, or from
// another site is refused with 403 and does nothing (the password stays,
// the inbox stays empty, the session goes on); sign-in from another site
// is refused too; no password reaches the log.
func TestPortalFormsRefusedThroughServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	s := startPortal(t, []string{"jsmith01"})
	c := newPortalClient(t, s.Portal)
	signIn := url.Values{"user": {"jsmith01"}, "password": {portalOperatorPassword}}
	if code, _ := c.form("/sign-in", signIn, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Errorf("sign-in from another site: %d, want 403", code)
	}
	if code, loc := c.form("/sign-in", signIn); code != http.StatusSeeOther || loc != "/password" {
		t.Fatalf("first sign-in: %d to %q", code, loc)
	}
	c.send(http.MethodGet, "/password", "", nil)
	good := c.csrf
	change := func(token string) url.Values {
		return url.Values{"csrf": {token}, "current": {portalOperatorPassword}, "new": {portalChosenPassword}, "confirm": {portalChosenPassword}}
	}
	for what, code := range map[string]int{
		"no token":    func() int { v := change(""); v.Del("csrf"); code, _ := c.form("/password", v); return code }(),
		"wrong token": func() int { code, _ := c.form("/password", change(good+"x")); return code }(),
		"another site": func() int {
			code, _ := c.form("/password", change(good), "Origin", "https://evil.example")
			return code
		}(),
	} {
		if code != http.StatusForbidden {
			t.Errorf("password change, %s: %d, want 403", what, code)
		}
	}
	if code, loc := newPortalClient(t, s.Portal).form("/sign-in", url.Values{"user": {"jsmith01"}, "password": {portalChosenPassword}}); code == http.StatusSeeOther {
		t.Errorf("a refused change changed the password: sign-in with it went to %q", loc)
	}
	if code, _ := c.form("/password", change(good)); code != http.StatusOK {
		t.Fatalf("password change with the token: %d", code)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.xml")
	fw.Write([]byte("<x/>"))
	mw.WriteField("csrf", good) // after the file: refused before the file is read
	mw.Close()
	if code, _ := c.send(http.MethodPost, "/upload", mw.FormDataContentType(), &body); code != http.StatusForbidden {
		t.Errorf("upload with the token after the file: %d, want 403", code)
	}
	if entries, err := os.ReadDir(filepath.Join(s.Dir, "inbox")); err != nil || len(entries) != 0 {
		t.Errorf("the inbox after a refused upload: %v %v", entries, err)
	}
	if code, _ := c.form("/sign-out", url.Values{"csrf": {"not-the-token"}}); code != http.StatusForbidden {
		t.Errorf("sign-out with a wrong token: %d, want 403", code)
	}
	if code, _ := c.send(http.MethodGet, "/", "", nil); code != http.StatusOK {
		t.Errorf("the session after refused forms: %d, want 200", code)
	}
	if code, loc := c.form("/sign-out", url.Values{"csrf": {good}}); code != http.StatusSeeOther || loc != "/signed-out" {
		t.Errorf("sign-out: %d to %q", code, loc)
	}
	if code, loc := c.send(http.MethodGet, "/", "", nil); code != http.StatusSeeOther || loc != "/sign-in" {
		t.Errorf("after sign-out: %d to %q, want /sign-in", code, loc)
	}
	noSecrets(t, s.log(), portalOperatorPassword, portalChosenPassword)
}

// noSecrets fails t if log holds any of secrets.
func noSecrets(t *testing.T, log string, secrets ...string) {
	t.Helper()
	if !strings.Contains(log, "portal: sign-in") {
		t.Fatalf("the log has no sign-in line: the check would prove nothing\n%s", log)
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the log holds a password (%q)", s)
		}
	}
}
