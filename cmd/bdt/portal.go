package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"bdt/bdt/auth"
	"bdt/bdt/daemon"
	"bdt/bdt/portal"
	"bdt/bdt/runner"
)

// portalLimits are the portal listener's bounds (daemon.ListenHTTP). The
// whole of a request must arrive within 30 seconds and its answer leave
// within 60, as on the admin endpoint: a client that has not shown who it
// is holds a connection no longer. An upload or a report download, once
// its user is known, is given portal.TransferTimeout instead (15 minutes:
// 100 MB at about 1 Mbit/s). More connections than the admin endpoint's,
// for the sponsors' users and systems at once.
var portalLimits = daemon.ServerLimits{
	ReadTimeout:  30 * time.Second,
	WriteTimeout: 60 * time.Second,
	IdleTimeout:  60 * time.Second,
	MaxConns:     256,
}

// portalOptions are serve's --portal-* flags.
type portalOptions struct {
	listen, cert, key string
	trustProxy        bool
}

func (o *portalOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.listen, "portal-listen", "", "sponsor portal and API address, e.g. :8443 (empty: none)")
	f.StringVar(&o.cert, "portal-tls-cert", "", "PEM `FILE` of the portal's TLS certificate (with --portal-tls-key)")
	f.StringVar(&o.key, "portal-tls-key", "", "PEM `FILE` of the portal's TLS private key")
	f.BoolVar(&o.trustProxy, "portal-trust-proxy", false, "the portal is behind a reverse proxy: believe its X-Forwarded-Proto and the last X-Forwarded-For address")
}

// check refuses flags that cannot work together, before anything starts.
func (o *portalOptions) check() error {
	if (o.cert == "") != (o.key == "") {
		return exitWith(exitUsage, "--portal-tls-cert and --portal-tls-key go together")
	}
	if o.listen == "" && (o.cert != "" || o.trustProxy) {
		return exitWith(exitUsage, "--portal-tls-cert, --portal-tls-key and --portal-trust-proxy need --portal-listen")
	}
	if o.cert != "" {
		if _, err := tls.LoadX509KeyPair(o.cert, o.key); err != nil {
			return exitWith(exitUsage, "--portal-tls-cert/--portal-tls-key: %v", err)
		}
	}
	return nil
}

// portalServer is the portal's listener while bdt serve runs.
type portalServer struct {
	srv  *http.Server
	auth *auth.Service
	errc chan error
}

// start listens on --portal-listen (nil, nil when it is empty) and serves
// the portal on the runs' store and storage, uploads nudging d, its
// counters in d's /metrics.
func (o *portalOptions) start(cfg runner.Config, d *daemon.Daemon, log zerolog.Logger) (*portalServer, error) {
	if o.listen == "" {
		return nil, nil
	}
	maxSize := cfg.MaxSize
	if maxSize <= 0 {
		maxSize = runner.DefaultMaxSize
	}
	as := auth.New(auth.Params{Store: cfg.Store})
	h, err := portal.New(portal.Config{
		Auth: as, Store: cfg.Store,
		Inbox: cfg.Inbox, Outbox: cfg.Outbox, MaxSize: maxSize, Nudge: d.Nudge,
		TLS: o.cert != "", TrustProxy: o.trustProxy,
		Log: log, Metrics: d.Registry(),
	})
	if err != nil {
		return nil, err
	}
	srv, ln, err := daemon.ListenHTTP(o.listen, h, portalLimits, log)
	if err != nil {
		return nil, err
	}
	p := &portalServer{srv: srv, auth: as, errc: make(chan error, 1)}
	log.Info().Str("listen", ln.Addr().String()).Bool("tls", o.cert != "").Bool("trust_proxy", o.trustProxy).Msg("portal listening")
	if o.cert == "" && !o.trustProxy && !loopbackAddr(ln.Addr()) {
		log.Warn().Str("listen", ln.Addr().String()).Msg("the portal is served over plain HTTP off loopback: passwords and tokens cross the network in clear; set --portal-tls-cert and --portal-tls-key, or put it behind a TLS proxy (--portal-trust-proxy)")
	}
	go func() {
		if o.cert != "" {
			p.errc <- srv.ServeTLS(ln, o.cert, o.key)
		} else {
			p.errc <- srv.Serve(ln)
		}
	}()
	return p, nil
}

// failed is closed-over by serve: an error when the portal stopped on its
// own (its listener failed).
func (p *portalServer) failed() <-chan error {
	if p == nil {
		return nil
	}
	return p.errc
}

// stop stops taking requests and lets those in hand (an upload) finish
// within grace, then writes the sessions' and tokens' last uses
// (auth.Service.Flush) within what is left of it.
func (p *portalServer) stop(grace time.Duration) error {
	if p == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = p.srv.Close()
	}
	p.auth.Flush(ctx) // unwritten uses are harmless: sessions can only end early
	return err
}

// loopbackAddr reports whether a listener's address is a loopback one.
func loopbackAddr(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
