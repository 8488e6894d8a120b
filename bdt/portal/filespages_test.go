package portal_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"bdt/bdt/portal"
	"bdt/bdt/runner"
	"bdt/rules"
)

// upload posts the upload form: the CSRF token first (unless csrfFirst is
// false: the file first), then the file part named name.
func (b *pageBrowser) upload(name string, content []byte, csrfFirst bool) answer {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	csrf := func() { mw.WriteField("csrf", b.csrf) }
	if csrfFirst {
		csrf()
	}
	if name != "" || content != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(content)
	}
	if !csrfFirst {
		csrf()
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.site.URL+"/upload", &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

var fileLocation = regexp.MustCompile(`^/files/([0-9]+)$`)

// TestUploadAndFollow: a file uploaded through the form is Received on
// its page, then, processed, shows its status, counts, findings with
// their explanations and its reports, which download byte for byte as
// the outbox has them; another sponsor's user and a Level 2 colleague get
// the not-found page for the file and its reports.
func TestUploadAndFollow(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	b.ready(studentL1)
	if a := b.get("/upload"); a.Status != http.StatusOK || !strings.Contains(a.Body, `enctype="multipart/form-data"`) {
		t.Fatalf("GET /upload: %d", a.Status)
	}
	a := b.upload("noshow.xml", []byte(sample(t, "../../02-record-rules/inbox/4NUV7KB58/noshow-2026-11-19.xml")), true)
	m := fileLocation.FindStringSubmatch(a.Location)
	if a.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d to %q, want 303 to /files/ID", a.Status, a.Location)
	}
	page := a.Location
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if a = b.get(page); a.Status != http.StatusOK || !strings.Contains(a.Body, `<span class="status RECEIVED">Received</span>`) ||
		!strings.Contains(a.Body, "<h1>noshow.xml</h1>") || strings.Contains(a.Body, `id="reports"`) {
		t.Fatalf("the file's page before the run: %d\n%s", a.Status, a.Body)
	}
	site.run()
	a = b.get(page)
	for _, want := range []string{`<span class="status PARTIALLY_ACCEPTED">Partially accepted</span>`, `id="counts"`,
		`<a href="#rule-R.CERT.FOUND">R.CERT.FOUND</a>`, `<section id="rule-R.CERT.FOUND">`,
		`href="` + page + `/summary.html"`, `href="` + page + `/result.xml"`, `href="` + page + `/errors.csv"`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("the processed file's page has no %s", want)
		}
	}
	fix, _ := rules.Explain(rules.RCertFound)
	if !strings.Contains(a.Body, fix.Fix) {
		t.Errorf("the page does not say how to fix R.CERT.FOUND")
	}
	if a := b.get("/files"); !strings.Contains(a.Body, `<a href="`+page+`">noshow.xml</a>`) {
		t.Errorf("/files does not list the upload:\n%s", a.Body)
	}

	f, err := site.Store.File(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := runner.ReportKeys(context.Background(), site.Store, f)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{"result.xml": keys.Result, "errors.csv": keys.Errors, "summary.html": keys.Summary} {
		rc, err := site.Outbox.Open(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(rc)
		rc.Close()
		a := b.get(page + "/" + name)
		if a.Status != http.StatusOK || a.Body != string(want) {
			t.Errorf("%s: %d, %d bytes, want the outbox's %d", name, a.Status, len(a.Body), len(want))
		}
	}

	other := site.browser()
	other.ready(workerL1)
	missing := other.get("/files/999999")
	for _, path := range []string{page, page + "/result.xml", page + "/summary.html"} {
		if a := other.get(path); a.Status != http.StatusNotFound || a.Body != missing.Body {
			t.Errorf("another sponsor's user GET %s: %d, not the page of a missing id", path, a.Status)
		}
	}
	colleague := site.browser()
	colleague.ready(studentL2)
	missing = colleague.get("/files/999999")
	for _, path := range []string{page, page + "/errors.csv"} {
		if a := colleague.get(path); a.Status != http.StatusNotFound || a.Body != missing.Body {
			t.Errorf("a Level 2 colleague GET %s: %d, not the page of a missing id", path, a.Status)
		}
	}
}

// TestUploadRefused: past the size limit the form comes again with
// F.SIZE's message and 413, and nothing is left in the inbox; without a
// file it asks for one; with the file before the CSRF token it is 403.
func TestUploadRefused(t *testing.T) {
	site := newPageSite(t, func(c *portal.Config) { c.MaxSize = 100 })
	b := site.browser()
	b.ready(studentL1)
	b.get("/upload")
	a := b.upload("big.xml", bytes.Repeat([]byte("x"), 1000), true)
	want := "#file: " + rules.SizeFinding(-1, 100).Message
	if got := errorSummary(a.Body); a.Status != http.StatusRequestEntityTooLarge || len(got) != 1 || got[0] != want {
		t.Errorf("too large: %d, error summary %q, want 413 and %q", a.Status, got, want)
	}
	objs, _, err := site.Inbox.List(context.Background(), "")
	if err != nil || len(objs) != 0 {
		t.Errorf("the inbox after a refused upload: %v, %v", objs, err)
	}
	if a := b.upload("", nil, true); a.Status != http.StatusBadRequest || len(errorSummary(a.Body)) != 1 {
		t.Errorf("no file: %d, error summary %q", a.Status, errorSummary(a.Body))
	}
	if a := b.upload("x.xml", []byte("<x/>"), false); a.Status != http.StatusForbidden {
		t.Errorf("file before the token: %d, want 403", a.Status)
	}
}

// TestCertificatePages: a Level 2 user sees their own CAS; a colleague's,
// another sponsor's and a missing number are the same page, 404; a
// suspended licence is told why, 403; the look-up form sends the browser
// to the number's page, or asks for a number.
func TestCertificatePages(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	b.ready(studentL2)
	if a := b.get("/certificates/CAS26000000001"); a.Status != http.StatusOK || !strings.Contains(a.Body, "<h1>CAS CAS26000000001</h1>") {
		t.Errorf("own CAS: %d", a.Status)
	}
	missing := b.get("/certificates/CAS26999999999")
	for _, n := range []string{"CAS26000000003", "CAS26000000301"} {
		if a := b.get("/certificates/" + n); a.Status != http.StatusNotFound || a.Body != missing.Body {
			t.Errorf("%s: %d, not the same page as a missing number", n, a.Status)
		}
	}
	if a := b.get("/certificates?number=+CAS26000000001+"); a.Status != http.StatusSeeOther || a.Location != "/certificates/CAS26000000001" {
		t.Errorf("look-up: %d to %q", a.Status, a.Location)
	}
	if a := b.get("/certificates?number="); len(errorSummary(a.Body)) != 1 {
		t.Errorf("look-up of nothing: error summary %q", errorSummary(a.Body))
	}
	s := site.browser()
	s.ready("kce.admissions") // Level 2 of B3RT9XK21, a suspended licence
	if a := s.get("/certificates/CAS26000000401"); a.Status != http.StatusForbidden || !strings.Contains(a.Body, "suspended") {
		t.Errorf("suspended licence: %d", a.Status)
	}
}

// TestFilesPaged: the files page lists 20 files, newest first, with a
// link to the older ones; no page has an inline style or a script, or
// more than one h1.
func TestFilesPaged(t *testing.T) {
	site := newPageSite(t, nil)
	b := site.browser()
	b.ready(studentL1)
	b.get("/upload")
	var pages []string
	for i := range 21 {
		a := b.upload("f"+strconv.Itoa(i)+".xml", []byte("<x/>"), true)
		pages = append(pages, a.Location)
	}
	first := b.get("/files")
	links := regexp.MustCompile(`<a href="(/files/[0-9]+)">`).FindAllStringSubmatch(first.Body, -1)
	if len(links) != 20 || links[0][1] != pages[20] || links[19][1] != pages[1] {
		t.Fatalf("first page: %d files, first %v", len(links), links[:1])
	}
	older := regexp.MustCompile(`<a href="(/files\?after=[0-9]+)">Older files</a>`).FindStringSubmatch(first.Body)
	if older == nil {
		t.Fatal("no link to the older files")
	}
	second := b.get(older[1])
	links = regexp.MustCompile(`<a href="(/files/[0-9]+)">`).FindAllStringSubmatch(second.Body, -1)
	if len(links) != 1 || links[0][1] != pages[0] || strings.Contains(second.Body, "Older files") || !strings.Contains(second.Body, `<a href="/files">Newest files</a>`) {
		t.Errorf("second page: %v", links)
	}
	for _, path := range []string{"/", "/files", pages[0], "/upload", "/certificates", "/password", "/nowhere"} {
		a := b.get(path)
		if strings.Contains(a.Body, " style=") || strings.Contains(a.Body, "<style") || strings.Contains(a.Body, "<script") {
			t.Errorf("%s has an inline style or a script", path)
		}
		if n := strings.Count(a.Body, "<h1>"); n != 1 {
			t.Errorf("%s has %d h1", path, n)
		}
	}
}
