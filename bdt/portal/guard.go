package portal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"bdt/bdt/auth"
)

// The headers every answer carries: nothing is loaded from elsewhere, no
// script runs, no page may frame this one, and no address leaks in a
// Referer.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// The session cookie's names: the __Host- prefix makes a browser refuse
// it unless it is Secure, for this host only, on every path; so it is the
// name over TLS, and the plain one is for plain HTTP (a test, a loopback
// portal).
const (
	cookieSecure = "__Host-bdt-session"
	cookiePlain  = "bdt-session"
)

// csrfField is the name of every form's hidden CSRF token field. It is the
// first field of a form, so that an upload is checked before its file
// part is read.
const csrfField = "csrf"

// secure reports whether r reached the portal over TLS: its own, or the
// proxy's when Config.TrustProxy.
func (s *Server) secure(r *http.Request) bool {
	if r.TLS != nil || s.cfg.TLS {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// cookieName is the session cookie's name for r.
func (s *Server) cookieName(r *http.Request) string {
	if s.secure(r) {
		return cookieSecure
	}
	return cookiePlain
}

// setSession sets (id != "") or clears (id == "") the session cookie.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, id string) {
	c := &http.Cookie{
		Name: s.cookieName(r), Value: id, Path: "/",
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode,
	}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// clientAddress is the address a request came from: the connection's
// peer, or with Config.TrustProxy the last address of X-Forwarded-For (the
// one the proxy added; earlier ones are the client's to write).
func (s *Server) clientAddress(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// principalKey is the context key of the request's principal.
type principalKey struct{}

// principalOf returns the principal the guard put in r's context.
func principalOf(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(*auth.Principal)
	return p
}

func withPrincipal(r *http.Request, p *auth.Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// sessionPrincipal is who r's session cookie is, or nil when it has none
// that is good (no cookie, ended, idle, or its user may no longer use
// SMS: the cookie is then cleared).
func (s *Server) sessionPrincipal(w http.ResponseWriter, r *http.Request) (*auth.Principal, error) {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil || c.Value == "" {
		return nil, nil
	}
	p, err := s.cfg.Auth.Session(r.Context(), c.Value)
	var ae *auth.AccessError
	switch {
	case errors.Is(err, auth.ErrNoSession) || errors.As(err, &ae):
		s.setSession(w, r, "")
		return nil, nil
	case err != nil:
		return nil, err
	}
	return p, nil
}

// page guards a page for a signed-in user: without a good session it
// sends the browser to sign in; a user who must change the password set
// by an operator is sent to change it first (unless h is that page,
// mayChange). A POST must come from this site's own page with the
// session's CSRF token (a form whose first field is csrfField), and is
// refused with 403 otherwise.
func (s *Server) page(h http.HandlerFunc, mayChange bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.sessionPrincipal(w, r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if p == nil {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		if p.MustChange && !mayChange {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			var ok bool
			if ok, r = s.formOK(r, p); !ok {
				s.metrics.csrfRefused.Inc()
				s.cfg.Log.Warn().Str("user", p.User.ID).Str("path", r.URL.Path).Msg("portal: form refused: missing or wrong CSRF token, or another site's")
				http.Error(w, formRefused, http.StatusForbidden)
				return
			}
		}
		h(w, withPrincipal(r, p))
	})
}

// formRefused is what a form refused by the CSRF or origin check is told.
const formRefused = "This form has expired or did not come from this site. Go back, reload the page and try again."

// formOK reports whether a POST comes from this site's own form: not
// cross-origin, and carrying the session's CSRF token. It reads the token
// from the form: a urlencoded body's field, or the first part of a
// multipart one, which the handler then reads on from (formParts) in the
// request formOK returns.
func (s *Server) formOK(r *http.Request, p *auth.Principal) (bool, *http.Request) {
	if s.cop.Check(r) != nil {
		return false, r
	}
	token, r := csrfToken(r)
	return p.CSRFOK(token), r
}

// api guards an /api/v1 path: a bearer token of a user who may use SMS.
// Every refusal is the same 401 problem, whatever the reason (no token,
// unknown, revoked, or its user inactive or licence revoked), and is
// logged and counted without the token.
func (s *Server) api(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var p *auth.Principal
		var err error
		if ok && bearer != "" {
			p, err = s.cfg.Auth.Token(r.Context(), bearer)
		}
		var ae *auth.AccessError
		switch {
		case p != nil:
			s.metrics.tokenUse.WithLabelValues("ok").Inc()
			s.cfg.Log.Info().Str("user", p.User.ID).Int64("token_id", p.TokenID).Str("method", r.Method).Str("path", r.URL.Path).Msg("portal: API request")
			h(w, withPrincipal(r, p))
			return
		case err == nil || errors.Is(err, auth.ErrNoToken) || errors.As(err, &ae):
			s.metrics.tokenUse.WithLabelValues("refused").Inc()
			ev := s.cfg.Log.Warn().Str("address", s.clientAddress(r)).Str("path", r.URL.Path)
			if ae != nil {
				ev = ev.Str("user", ae.User).Str("reason", ae.Outcome.Message())
			}
			ev.Msg("portal: API token refused")
			w.Header().Set("WWW-Authenticate", `Bearer realm="bdt"`)
			writeProblem(w, problemUnauthorised)
		default:
			s.serverError(w, r, err)
		}
	})
}

// serverError answers a failure of the store or the storage: logged with
// its cause, answered with none.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Log.Error().Err(err).Str("method", r.Method).Str("path", r.URL.Path).Msg("portal: request failed")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblem(w, problemInternal)
		return
	}
	http.Error(w, "Sorry, something went wrong on our side. Try again later.", http.StatusInternalServerError)
}
