package portal_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"bdt/bdt/auth"
	"bdt/bdt/portal"
	"bdt/bdt/storage"
	"bdt/bdt/store"
)

// The users of samples/register.xml the page tests sign in as.
const (
	studentL1 = "jsmith01"      // Level 1 of 4NUV7KB58, University of Wessex: Student route only
	studentL2 = "intl.office02" // Level 2 of 4NUV7KB58
	workerL1  = "squinn"        // Level 1 of NTMHWM0V3, Lagan Precision Engineering: Worker route only
	workerL2  = "cdoherty"      // Level 2 of NTMHWM0V3
)

// operatorPassword is the password an operator sets (the user must change
// it); chosenPassword is the one the user then chooses.
const (
	operatorPassword = "Operator#Set2026"
	chosenPassword   = "Chosen!Pass1234"
)

// pageClock is the page tests' injected time, moved by hand.
type pageClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *pageClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *pageClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// pageSite is a portal on a real listener over a real SQLite register
// (the sample register, inSQLite) and local inbox, outbox and archive folders, on
// an injected clock.
type pageSite struct {
	t     *testing.T
	URL   string
	Clock *pageClock
	Auth  *auth.Service
	Store store.Store

	Inbox, Outbox, Archive storage.Storage
	MaxSize                int64
}

// newPageSite starts a pageSite; cfg may change the portal's Config
// before it starts.
func newPageSite(t *testing.T, cfg func(*portal.Config)) *pageSite {
	t.Helper()
	st, _ := inSQLite(t)
	s := &pageSite{t: t, Clock: &pageClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, Store: st,
		Inbox: folder(t), Outbox: folder(t), Archive: folder(t), MaxSize: 1 << 20}
	s.Auth = auth.New(auth.Params{Store: st, Clock: s.Clock.Now, Argon2: quickArgon})
	c := portal.Config{Auth: s.Auth, Store: st, Inbox: s.Inbox, Outbox: s.Outbox, MaxSize: s.MaxSize,
		Clock: s.Clock.Now, Log: zerolog.Nop()}
	if cfg != nil {
		cfg(&c)
	}
	p, err := portal.New(c)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// run processes the inbox once, as the API tests' site does (apiSite.run).
func (s *pageSite) run() {
	s.t.Helper()
	(&apiSite{t: s.t, Store: s.Store, Inbox: s.Inbox, Outbox: s.Outbox, Archive: s.Archive, MaxSize: s.MaxSize}).run()
}

// setPassword is an operator's password for user (bdt users set-password).
func (s *pageSite) setPassword(user string) {
	s.t.Helper()
	if err := s.Auth.SetPassword(context.Background(), user, operatorPassword); err != nil {
		s.t.Fatal(err)
	}
}

// pageBrowser is one person's browser on a pageSite: its own cookies, and
// redirects not followed, so that a test sees each answer.
type pageBrowser struct {
	t    *testing.T
	site *pageSite
	c    *http.Client
	csrf string // the last page's form token
}

func (s *pageSite) browser() *pageBrowser {
	jar, _ := cookiejar.New(nil)
	return &pageBrowser{t: s.t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// answer is one answer: its status, where it redirects, its headers and
// its body.
type answer struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (b *pageBrowser) do(req *http.Request) answer {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfValue.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(body)}
}

// get is GET path.
func (b *pageBrowser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.site.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post posts form to path as a urlencoded form; header may add headers.
func (b *pageBrowser) post(path string, form url.Values, header ...string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// signIn posts the sign-in form.
func (b *pageBrowser) signIn(user, password string) answer {
	b.t.Helper()
	return b.post("/sign-in", url.Values{"user": {user}, "password": {password}})
}

// ready signs user in for the first time and chooses chosenPassword, as
// a user does after an operator set the password: the browser is then
// signed in with a session that may do everything.
func (b *pageBrowser) ready(user string) {
	b.t.Helper()
	b.site.setPassword(user)
	if a := b.signIn(user, operatorPassword); a.Location != "/password" {
		b.t.Fatalf("first sign-in of %s: %d to %q, want a redirect to /password", user, a.Status, a.Location)
	}
	b.get("/password")
	a := b.post("/password", url.Values{"csrf": {b.csrf}, "current": {operatorPassword}, "new": {chosenPassword}, "confirm": {chosenPassword}})
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "Your password has been changed") {
		b.t.Fatalf("password change of %s: %d\n%s", user, a.Status, a.Body)
	}
}

// errorSummary returns the error summary's links of a page, each as
// "#field: message", nil when it has none.
func errorSummary(body string) []string {
	i := strings.Index(body, `<div class="error-summary"`)
	if i < 0 {
		return nil
	}
	part := body[i:]
	part = part[:strings.Index(part, "</div>")]
	out := []string{}
	for _, m := range summaryLink.FindAllStringSubmatch(part, -1) {
		out = append(out, m[1]+": "+html.UnescapeString(m[2]))
	}
	return out
}

var summaryLink = regexp.MustCompile(`<a href="(#[^"]*)">([^<]*)</a>`)
