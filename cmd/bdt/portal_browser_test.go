package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"bdt/bdt/chrometest"
)

// portalOperatorPassword is the password bdt users set-password gives the
// browser tests' users; portalChosenPassword the one they choose.
const (
	portalOperatorPassword = "Operator#Set2026"
	portalChosenPassword   = "Chosen!Pass1234"
)

// portalServe is a real bdt serve with its portal (startPortalProc) on a
// temporary SQLite register (bdt register import of samples/register.xml)
// and inbox, outbox and archive folders under Dir; users are given their
// first password by bdt users set-password.
type portalServe struct {
	*portalProc
	Portal string // http://127.0.0.1:PORT of the portal
	Dir    string
}

// startPortal starts it, with extra flags for bdt serve, and returns once
// the portal answers.
func startPortal(t *testing.T, users []string, extra ...string) *portalServe {
	t.Helper()
	bin := sharedBinary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "bdt.db")
	if out, err := exec.Command(bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput(); err != nil {
		t.Fatalf("bdt register import: %v\n%s", err, out)
	}
	for _, u := range users {
		cmd := exec.Command(bin, "users", "set-password", "--db", db, u)
		cmd.Stdin = strings.NewReader(portalOperatorPassword + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bdt users set-password %s: %v\n%s", u, err, out)
		}
	}
	p := startPortalProc(t, bin, db, folderBoxes(dir), nil, extra...)
	return &portalServe{portalProc: p, Portal: p.portal, Dir: dir}
}

// portalTab is a Chromium tab on a portalServe: every page it shows is
// checked (tab.Check: axe-core, console errors, requests off the portal's
// origin).
type portalTab struct {
	t     *testing.T
	tab   *chrometest.Tab
	base  string
	views int // pages checked
}

// own reports whether url is the portal's own.
func (p *portalTab) own(url string) bool { return strings.HasPrefix(url, p.base+"/") }

// check checks the page shown; a page answered 404 (not found) is
// expected to be logged as such, and nothing else.
func (p *portalTab) check(status int) {
	p.t.Helper()
	var expected []string
	if status == 404 {
		expected = append(expected, chrometest.StatusLogged(p.location(), "404 (Not Found)"))
	}
	p.tab.Check(p.t, p.own, expected...)
	p.views++
}

// location is the address of the page shown.
func (p *portalTab) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.tab.Ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return loc
}

// at fails the test unless the page shown is path.
func (p *portalTab) at(path string) {
	p.t.Helper()
	if got := p.location(); got != p.base+path {
		p.t.Fatalf("at %s, want %s%s", got, p.base, path)
	}
}

// open navigates to path, checks the page, and returns its status.
func (p *portalTab) open(path string) int {
	p.t.Helper()
	p.tab.Take()
	res, err := chromedp.Run(p.tab.Ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.t.Fatalf("opening %s: %v", path, err)
	}
	p.check(int(res.Status))
	return int(res.Status)
}

// submit does the actions (typing), then clicks sel and waits for the page
// it leads to, which it checks; it returns that page's status.
func (p *portalTab) submit(sel string, actions ...chromedp.Action[chromedp.Void]) int {
	p.t.Helper()
	p.tab.Take()
	if err := chromedp.Do(p.tab.Ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
	res, err := chromedp.RunResponse(p.tab.Ctx, chromedp.Click(sel))
	if err != nil {
		p.t.Fatalf("submitting %s: %v", sel, err)
	}
	p.check(int(res.Status))
	return int(res.Status)
}

// text is the text of sel on the page shown.
func (p *portalTab) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.tab.Ctx, chromedp.Text(sel))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signIn fills in and sends the sign-in form.
func (p *portalTab) signIn(user, password string) int {
	p.t.Helper()
	p.open("/sign-in")
	return p.submit("main button.primary", chromedp.SendKeys("#user", user), chromedp.SendKeys("#password", password))
}

// changePassword fills in and sends the password form.
func (p *portalTab) changePassword(current, next string) int {
	p.t.Helper()
	return p.submit("main button.primary", chromedp.SendKeys("#current", current), chromedp.SendKeys("#new", next), chromedp.SendKeys("#confirm", next))
}

// signOut uses the header's sign-out button.
func (p *portalTab) signOut() {
	p.t.Helper()
	p.submit("header form button")
	p.at("/signed-out")
}

// TestPortalInChromium drives the real bdt serve's portal in headless
// Chromium as sponsors' users would: first sign-in and the password
// change, upload of a sample through the form, its page with the result
// and the summary, a report downloaded (the outbox's bytes), sign-out; a
// lockout after three wrong passwords (the right fourth refused in the
// same words); a Level 2 user's look-up of a colleague's certificate (the
// page of a missing number). Every page shown, with its error summary
// where a form has one, has no axe-core WCAG 2.2 AA violation, no console
// error, and asks nothing of another origin.
func TestPortalInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process, and Chromium")
	}
	tab := chrometest.Start(t)
	s := startPortal(t, []string{"jsmith01", "intl.office02", "intl.office03"})
	p := &portalTab{t: t, tab: tab, base: s.Portal}

	// Signed out, every page is the sign-in page; a refusal's error summary.
	p.open("/")
	p.at("/sign-in")
	p.signIn("nobody.here", "Not#The1Password")
	refusal := p.text(".error-summary")

	// First sign-in: the password must be changed, then home.
	p.signIn("jsmith01", portalOperatorPassword)
	p.at("/password")
	p.changePassword(portalOperatorPassword, "short")
	if got := p.text(".error-summary"); !strings.Contains(got, "Your new password must be between 12 and 256 characters long") {
		t.Errorf("a weak password's error summary: %q", got)
	}
	p.changePassword(portalOperatorPassword, portalChosenPassword)
	p.open("/")
	if got := p.text("main"); !strings.Contains(got, "University of Wessex") || !strings.Contains(got, "Students") || strings.Contains(got, "Workers") {
		t.Errorf("home of a Student-route Level 1 user:\n%s", got)
	}

	// Upload a sample through the form; its page follows it to the result.
	sample, err := filepath.Abs(filepath.Join("..", "..", "samples", "01-accepted", "inbox", "4NUV7KB58", "noshow-2026-11-20.xml"))
	if err != nil {
		t.Fatal(err)
	}
	p.open("/upload")
	p.submit("main button.primary", chromedp.SetUploadFiles("#file", []string{sample}))
	page := strings.TrimPrefix(p.location(), p.base)
	if !strings.HasPrefix(page, "/files/") {
		t.Fatalf("after the upload at %s, want a file's page", page)
	}
	eventually(t, "the upload's result", func() bool {
		p.open(page)
		status := p.text(".status")
		return status != "Received" && status != "Being processed"
	})
	if got := p.text(".status"); got != "Accepted" {
		t.Errorf("the upload's status %q, want Accepted\n%s", got, p.text("main"))
	}
	// The summary: sandboxed (no script runs, so neither can axe-core, which
	// bdt/report/browsertest runs on every golden summary page).
	p.tab.Take()
	if _, err := chromedp.RunResponse(tab.Ctx, chromedp.Click(`a[href$="/summary.html"]`)); err != nil {
		t.Fatal(err)
	}
	p.tab.CheckTraffic(t, p.own)
	if got := p.text("h1"); !strings.HasSuffix(got, ".xml") || !strings.Contains(p.text("#counts"), "3") {
		t.Errorf("the summary's heading %q, counts %q", got, p.text("#counts"))
	}

	// A report downloaded is the outbox's, byte for byte.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(tab.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	p.open(page)
	if err := chromedp.Do(tab.Ctx, chromedp.Click(`a[href$="/result.xml"]`)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	eventually(t, "the download", func() bool {
		m, _ := filepath.Glob(filepath.Join(downloads, "*result.xml"))
		if len(m) != 1 {
			return false
		}
		got, err = os.ReadFile(m[0])
		return err == nil
	})
	want, err := filepath.Glob(filepath.Join(s.Dir, "outbox", "4NUV7KB58", "*result.xml"))
	if err != nil || len(want) != 1 {
		t.Fatalf("the outbox's result reports: %v %v", want, err)
	}
	if w, err := os.ReadFile(want[0]); err != nil || !bytes.Equal(got, w) {
		t.Errorf("the downloaded result.xml (%d bytes) is not the outbox's %s (%d bytes)", len(got), want[0], len(w))
	}

	// The other pages: files, the look-up, a certificate, not found.
	p.open("/files")
	p.open("/certificates")
	p.submit("main button.primary", chromedp.SendKeys("#number", "CAS26000000002"))
	p.at("/certificates/CAS26000000002")
	if status := p.open("/no-such-page"); status != 404 {
		t.Errorf("a page that is not there: %d, want 404", status)
	}

	// Sign out: a page needs signing in again.
	p.signOut()
	p.open("/files")
	p.at("/sign-in")

	// Three wrong passwords lock the account; the right fourth is refused
	// in the same words as an unknown id.
	for i := range 3 {
		p.signIn("intl.office03", "Wrong#Password"+string(rune('1'+i)))
		if got := p.text(".error-summary"); got != refusal {
			t.Errorf("wrong password %d: %q, want %q", i+1, got, refusal)
		}
	}
	p.signIn("intl.office03", portalOperatorPassword)
	p.at("/sign-in")
	if got := p.text(".error-summary"); got != refusal {
		t.Errorf("the right password, locked: %q, want %q", got, refusal)
	}

	// A Level 2 user: a colleague's certificate is the page of a missing one.
	p.signIn("intl.office02", portalOperatorPassword)
	p.changePassword(portalOperatorPassword, portalChosenPassword)
	if status := p.open("/certificates/CAS26000000001"); status != 200 {
		t.Errorf("own CAS: %d", status)
	}
	if status := p.open("/certificates/CAS26999999999"); status != 404 {
		t.Errorf("a missing CAS: %d, want 404", status)
	}
	missing := p.text("main")
	if status := p.open("/certificates/CAS26000000003"); status != 404 || p.text("main") != missing {
		t.Errorf("a colleague's CAS: %d\n%s\nwant the missing number's page:\n%s", status, p.text("main"), missing)
	}
	p.signOut()
	noSecrets(t, s.log(), portalOperatorPassword, portalChosenPassword, "Not#The1Password", "Wrong#Password1")
	t.Logf("%d page views checked with axe-core, and the summary's traffic", p.views)
}
