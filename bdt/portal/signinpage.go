package portal

import (
	"errors"
	"fmt"
	"net/http"

	"bdt/bdt/auth"
	"bdt/rules"
)

// signInData is the sign-in page's own: the user id typed, shown again
// (never the password).
type signInData struct {
	User string
}

// signInPage is GET /sign-in: the form, or home for a user already signed
// in.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.sessionPrincipal(w, r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Data: signInData{}})
}

// signInPost is POST /sign-in. There is no session yet, so no CSRF token
// to check: login CSRF (another site signing the browser in as someone
// else) is refused by the origin check every form has (s.cop: a browser's
// Sec-Fetch-Site or Origin must be this site's), and the session cookie is
// SameSite=Strict. Whether the id exists or not, a refusal is the same
// words (rules.SignInOutcome.Message).
func (s *Server) signInPost(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(w, r, "") {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	var errs []fieldError
	if user == "" {
		errs = append(errs, fieldError{"user", "Enter your user ID"})
	}
	if password == "" {
		errs = append(errs, fieldError{"password", "Enter your password"})
	}
	status := http.StatusOK
	if len(errs) == 0 {
		o, err := s.signIn(w, r, user, password)
		switch {
		case err != nil:
			s.serverError(w, r, err)
			return
		case o == rules.SignInMustChange:
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		case o.SignedIn():
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		case o == rateLimited:
			errs, status = []fieldError{{"user", rateLimitedMessage}}, http.StatusTooManyRequests
		default:
			errs = []fieldError{{"user", o.Message()}}
		}
	}
	s.render(w, r, status, "signin", view{Title: "Sign in", Errors: errs, Data: signInData{User: user}})
}

// sameOrigin reports whether r comes from a page of this site (s.cop); if
// not, it answers 403 and logs and counts the refusal.
func (s *Server) sameOrigin(w http.ResponseWriter, r *http.Request, user string) bool {
	if s.cop.Check(r) == nil {
		return true
	}
	s.metrics.csrfRefused.Inc()
	s.cfg.Log.Warn().Str("address", s.clientAddress(r)).Str("user", user).Str("path", r.URL.Path).Msg("portal: form refused: another site's")
	http.Error(w, formRefused, http.StatusForbidden)
	return false
}

// signOutPost is POST /sign-out: the session ends, and the browser is
// sent to the signed-out page.
func (s *Server) signOutPost(w http.ResponseWriter, r *http.Request) {
	if err := s.signOut(w, r); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}

// signedOutPage is GET /signed-out, outside the guard: there is no session.
func (s *Server) signedOutPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signedout", view{Title: "You have signed out"})
}

// passwordData is the password page's own.
type passwordData struct {
	Requirements []string // seed 003's standard, in words
	Lockout      string   // what wrong current passwords lead to
}

// newPasswordData is the password page's requirements, from package
// rules' constants.
func newPasswordData() passwordData {
	return passwordData{
		Requirements: []string{
			fmt.Sprintf("be between %d and %d characters long", rules.PasswordMinLength, rules.PasswordMaxLength),
			"include an upper-case letter (A to Z), a lower-case letter (a to z) and a number (0 to 9)",
			"include at least one of the special characters " + rules.PasswordSpecials,
			"not include spaces",
			"not contain your user ID",
			"be different from your current password",
		},
		Lockout: fmt.Sprintf("After %d wrong passwords in a row your account is locked for %d minutes.",
			rules.SignInAttempts, int(rules.LockoutDuration.Minutes())),
	}
}

// passwordPage is GET /password: the form to change the password, which
// a user whose password an operator set must fill in first.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", view{Title: "Change your password", Data: newPasswordData()})
}

// passwordPost is POST /password: auth.Service.ChangePassword, with each
// unmet requirement of a new password listed in the error summary.
func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request) {
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	var errs []fieldError
	if current == "" {
		errs = append(errs, fieldError{"current", "Enter your current password"})
	}
	if next == "" {
		errs = append(errs, fieldError{"new", "Enter a new password"})
	} else if confirm != next {
		errs = append(errs, fieldError{"confirm", "Enter the same new password again to confirm it"})
	}
	p := principalOf(r)
	if len(errs) == 0 {
		c, err := r.Cookie(s.cookieName(r))
		if err != nil {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		err = s.cfg.Auth.ChangePassword(r.Context(), c.Value, current, next)
		var pe *auth.PasswordError
		switch {
		case err == nil:
			s.cfg.Log.Info().Str("user", p.User.ID).Msg("portal: password changed")
			changed := *p
			changed.MustChange = false
			s.render(w, r, http.StatusOK, "passwordchanged", view{Title: "Your password has been changed", P: &changed})
			return
		case errors.As(err, &pe):
			for _, u := range pe.Unmet {
				errs = append(errs, fieldError{"new", "Your new password must " + u})
			}
		case errors.Is(err, auth.ErrWrongPassword):
			s.cfg.Log.Warn().Str("user", p.User.ID).Msg("portal: password change refused: wrong current password")
			errs = append(errs, fieldError{"current", "Your current password is not right, or your account is locked. " + newPasswordData().Lockout})
		case errors.Is(err, auth.ErrNoSession):
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		default:
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "password", view{Title: "Change your password", Errors: errs, Data: newPasswordData()})
}
