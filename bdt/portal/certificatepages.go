package portal

import (
	"net/http"
	"net/url"
	"strings"

	"bdt/bdt/action"
	"bdt/rules"
)

// certificatesPage is GET /certificates: the look-up form, whose number
// (?number=) sends the browser to the certificate's page.
func (s *Server) certificatesPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var errs []fieldError
	if q.Has("number") {
		n := strings.TrimSpace(q.Get("number"))
		if n != "" {
			http.Redirect(w, r, "/certificates/"+url.PathEscape(n), http.StatusSeeOther)
			return
		}
		errs = []fieldError{{"number", "Enter a CAS or CoS number"}}
	}
	hint := "For example CAS26000000001."
	if principalOf(r).User.Level == rules.Level2 {
		hint += " As a Level 2 user you can look up the CAS and CoS you own."
	}
	s.render(w, r, http.StatusOK, "certificates", view{Title: "Look up a CAS or CoS", Errors: errs, Data: hint})
}

// certificateData is the certificate page's own: the view, or the
// messages of the findings that refused it.
type certificateData struct {
	Number  string
	V       *action.View
	Refused []string
}

// certificatePage is GET /certificates/{number}: the certificate, as
// bdt cas show and bdt cos show give it, with the same rules. One that
// does not exist, another sponsor's, and (for a Level 2 user) a
// colleague's are one page, 404 (s.certificate tells them apart from
// nothing); another refusal (a suspended licence) is 403 with its
// findings' messages.
func (s *Server) certificatePage(w http.ResponseWriter, r *http.Request) {
	n := r.PathValue("number")
	v, fs, err := s.certificate(r.Context(), principalOf(r), n)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := certificateData{Number: n, V: v}
	if len(fs) == 0 && v != nil {
		s.render(w, r, http.StatusOK, "certificate", view{Title: v.Kind + " " + v.Number, Data: d})
		return
	}
	if len(fs) == 0 {
		s.render(w, r, http.StatusNotFound, "certificate", view{Title: "No CAS or CoS found", Data: d})
		return
	}
	for _, f := range fs {
		d.Refused = append(d.Refused, f.Message)
	}
	s.render(w, r, http.StatusForbidden, "certificate", view{Title: "You cannot look up this CAS or CoS", Data: d})
}
