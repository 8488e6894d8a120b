// Package portal is the sponsor's side of bdt: server-rendered pages that
// an SMS user signs in to, and the same as an API under /api/v1 for
// sponsors' own systems (README, "For sponsors"). bdt serve runs it on its
// own listener (--portal-listen), beside the admin endpoint.
//
// The portal decides nothing itself. Who a request is comes from bdt/auth
// (a session cookie for pages, a bearer token for the API); what a user may
// see comes from package rules; an upload is just another source, stored in
// the sponsor's inbox by bdt/intake and processed by the same runs as files
// of every other channel; a page or an API answer reads the ledger, the
// register and the reports the runs wrote.
//
// Every request passes the same guard (guard.go): security headers on every
// answer, the principal resolved once, a form's CSRF token and origin
// checked before its handler runs. Another sponsor's file or certificate
// answers exactly as one that does not exist.
package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"bdt/bdt/auth"
	"bdt/bdt/storage"
	"bdt/bdt/store"
)

// Config is what a Server works with.
type Config struct {
	Auth   *auth.Service
	Store  store.Store // the ledger and the register: read; uploads' ledger entries: written by bdt/intake
	Inbox  storage.Storage
	Outbox storage.Storage // where the runs write the reports

	// MaxSize is the largest file accepted (F.SIZE), the runs' own limit:
	// an upload past it is refused with 413 while it streams.
	MaxSize int64
	// Nudge asks for a run soon after an upload (daemon.Daemon.Nudge);
	// nil: uploads wait for the schedule.
	Nudge func(trigger string)

	// TLS: the portal is served over TLS itself (--portal-tls-cert/-key);
	// cookies are then Secure.
	TLS bool
	// TrustProxy: the portal is behind a reverse proxy that sets
	// X-Forwarded-Proto and appends the client's address to
	// X-Forwarded-For; "https" then makes cookies Secure, and the last
	// X-Forwarded-For address is the client's for the sign-in rate limit.
	// Without it both headers are ignored.
	TrustProxy bool
	// SignInRate and SignInBurst bound sign-in attempts per client address,
	// besides each account's lockout; zero: DefaultSignInRate and
	// DefaultSignInBurst.
	SignInRate  rate.Limit
	SignInBurst int

	Clock   func() time.Time // nil: time.Now
	Log     zerolog.Logger
	Metrics prometheus.Registerer // nil: none registered
}

// DefaultSignInRate and DefaultSignInBurst: a client address may try to
// sign in 10 times at once, then once every 6 seconds.
const (
	DefaultSignInRate  = rate.Limit(1.0 / 6)
	DefaultSignInBurst = 10
)

// Server is the portal and the API.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	limits  *addressLimits
	metrics *metrics
	cop     *http.CrossOriginProtection
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || cfg.Store == nil || cfg.Inbox == nil || cfg.Outbox == nil {
		return nil, errors.New("portal: Auth, Store, Inbox and Outbox are required")
	}
	if cfg.MaxSize <= 0 {
		return nil, errors.New("portal: MaxSize must be positive")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.SignInRate == 0 {
		cfg.SignInRate = DefaultSignInRate
	}
	if cfg.SignInBurst == 0 {
		cfg.SignInBurst = DefaultSignInBurst
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	pages() // parsed now: a template that does not parse panics at the start
	s := &Server{
		cfg:     cfg,
		mux:     http.NewServeMux(),
		limits:  newAddressLimits(cfg.SignInRate, cfg.SignInBurst),
		metrics: m,
		cop:     http.NewCrossOriginProtection(),
	}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, rt.handler)
	}
	return s, nil
}

// ServeHTTP serves the portal and the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// route is one path the server answers: its Go 1.22 pattern ("GET
// /api/v1/files/{id}") and the handler, already wrapped in the guard its
// audience needs (page, form or api).
type route struct {
	pattern string
	handler http.Handler
}

// routes is every path the portal and the API answer, in one place; the
// OpenAPI document is checked against the /api/v1 ones (openapi_test.go).
func (s *Server) routes() []route {
	return append(s.pageRoutes(), s.apiRoutes()...)
}
