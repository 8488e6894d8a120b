package portal

import (
	"net/http"

	"bdt/rules"
)

// rateLimited is the sign-in outcome of an address past its rate limit
// (Config.SignInRate): no account was tried.
const rateLimited rules.SignInOutcome = "RATE_LIMITED"

// rateLimitedMessage is what a rate-limited sign-in is told.
const rateLimitedMessage = "There have been too many attempts to sign in from your network. Wait a minute, then try again."

// signIn is one sign-in attempt from r with the user id and password
// typed: the client address's rate limit first, then auth.Service.SignIn.
// A good one sets the session cookie. The outcome (rateLimited, or
// rules.SignInOutcome with its Message) is logged and counted; the
// password never is. The error is a failure of the store.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, user, password string) (rules.SignInOutcome, error) {
	addr := s.clientAddress(r)
	if !s.limits.allow(addr, s.cfg.Clock()) {
		s.metrics.signIns.WithLabelValues(string(rateLimited)).Inc()
		s.cfg.Log.Warn().Str("address", addr).Str("user", user).Msg("portal: sign-in refused: rate limit")
		return rateLimited, nil
	}
	res, err := s.cfg.Auth.SignIn(r.Context(), user, password)
	if err != nil {
		return "", err
	}
	s.metrics.signIns.WithLabelValues(string(res.Outcome)).Inc()
	ev := s.cfg.Log.Info()
	if !res.Outcome.SignedIn() {
		ev = s.cfg.Log.Warn()
	}
	ev.Str("address", addr).Str("user", user).Str("outcome", string(res.Outcome)).Msg("portal: sign-in")
	if res.Outcome.SignedIn() {
		s.setSession(w, r, res.Session)
	}
	return res.Outcome, nil
}

// signOut ends r's session, if any, and clears its cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(s.cookieName(r)); err == nil && c.Value != "" {
		if err := s.cfg.Auth.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	if p := principalOf(r); p != nil {
		s.cfg.Log.Info().Str("user", p.User.ID).Msg("portal: signed out")
	}
	s.setSession(w, r, "")
	return nil
}
