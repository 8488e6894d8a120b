package portal

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"bdt/bdt/auth"
	"bdt/bdt/report"
	"bdt/rules"
)

// The pages' decisions, where the issue leaves a choice:
//
//   - Server-rendered with html/template, no JavaScript, one stylesheet
//     (/static/bdt.css): the CSP allows no inline style or script, so the
//     error summary (GOV.UK's pattern: at the top of the form, a link to
//     each field in error, the field showing its error through
//     aria-describedby, the title beginning "Error:") works without a
//     script moving the focus.
//   - A form shown again with its errors is 200, but past the size limit
//     (413) and the sign-in rate limit (429).
//   - Login CSRF: POST /sign-in has no session, so no token; it is refused
//     unless from this site's own page (s.cop, the origin check every form
//     has), and the session cookie is SameSite=Strict.
//   - Anything absent or not the user's (a path, a file, a report, a
//     certificate) is one not-found page, 404, for a signed-in user; a
//     browser without a session is sent to sign in first, whatever the
//     path, so that the paths tell a stranger nothing.
//   - A file's page does not refresh itself (a meta refresh fails WCAG
//     2.2.1); it says to reload.
//
// pageRoutes are the portal's pages: sign-in and sign-out, the password,
// home, files and their reports, upload, and the certificate look-up. Every
// page but sign-in is behind s.page; a path no page has answers the
// not-found page, once signed in.
func (s *Server) pageRoutes() []route {
	return []route{
		{"GET /static/bdt.css", http.HandlerFunc(serveStylesheet)},
		{"GET /sign-in", http.HandlerFunc(s.signInPage)},
		{"POST /sign-in", http.HandlerFunc(s.signInPost)},
		{"POST /sign-out", s.page(s.signOutPost, true)},
		{"GET /signed-out", http.HandlerFunc(s.signedOutPage)},
		{"GET /password", s.page(s.passwordPage, true)},
		{"POST /password", s.page(s.passwordPost, true)},
		{"GET /{$}", s.page(s.homePage, false)},
		{"GET /upload", s.page(s.uploadPage, false)},
		{"POST /upload", s.page(s.uploadPost, false)},
		{"GET /files", s.page(s.filesPage, false)},
		{"GET /files/{id}", s.page(s.filePage, false)},
		{"GET /files/{id}/{report}", s.page(s.reportDownload, false)},
		{"GET /certificates", s.page(s.certificatesPage, false)},
		{"GET /certificates/{number}", s.page(s.certificatePage, false)},
		{"/", s.page(s.notFound, false)},
	}
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/bdt.css
var stylesheet []byte

// stylesheetPath is where every page links its one stylesheet.
const stylesheetPath = "/static/bdt.css"

// serveStylesheet serves the pages' stylesheet, the only thing a page
// loads besides itself.
func serveStylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	http.ServeContent(w, r, "bdt.css", time.Time{}, bytes.NewReader(stylesheet))
}

// pages returns each page's template: the layout (layout.html) with the
// page's own content, by the page's file name without .html. They are
// parsed when first needed (New asks, so that a template that does not
// parse still stops bdt serve at its start), not in a package initialiser
// that every bdt command would run.
var pages = sync.OnceValue(func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(template.FuncMap{
		"uk":         ukTime,
		"stylesheet": func() string { return stylesheetPath },
		"meaning":    func() string { return rules.MeaningHeading },
		"fix":        func() string { return rules.FixHeading },
		"mustChange": rules.SignInMustChange.Message,
		"lockout":    func() string { return newPasswordData().Lockout },
	}).ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := n[len("templates/") : len(n)-len(".html")]
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return out
})

// view is what every page's template is given.
type view struct {
	Title string          // the page's h1 and the title's first part
	P     *auth.Principal // the signed-in user; nil on the sign-in page
	// Errors are the form's errors, in the order of its fields: the error
	// summary at the top links each to its field, and the field shows it.
	Errors []fieldError
	Data   any // the page's own
}

// fieldError is one error of a form: the id of the field in error and
// what to do about it.
type fieldError struct {
	Field, Message string
}

// input is one input of a form with its label, hint and error, for the
// "input" template: every field of every form is drawn by it, so that
// each has its label, and its error beside it linked by aria-describedby.
type input struct {
	ID, Label, Type, Autocomplete, Hint, Value string
	Error                                      string
}

// Input returns the input with id and the other parts given, and its
// error from v.Errors.
func (v view) Input(id, label, typ, autocomplete, hint, value string) input {
	in := input{ID: id, Label: label, Type: typ, Autocomplete: autocomplete, Hint: hint, Value: value}
	for _, e := range v.Errors {
		if e.Field == id {
			in.Error = e.Message
			break
		}
	}
	return in
}

// render answers the page name with v and status. The page is written to
// a buffer first, so that a template failure is a 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if v.P == nil {
		v.P = principalOf(r)
	}
	var b bytes.Buffer
	if err := pages()[name].ExecuteTemplate(&b, "layout.html", v); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// notFound is the page of an address with nothing at it for the user's
// licence: a path no page has, a file or a certificate that does not exist
// or is another sponsor's, all in the same words.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", view{Title: "Page not found"})
}

// ukTime formats t for a person in the UK as the summary page does, ""
// for the zero time.
func ukTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return report.UKTime(t)
}
