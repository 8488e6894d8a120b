package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/daemon"
	"bdt/bdt/runner"
)

// newServeCommand returns "serve".
func newServeCommand() *cobra.Command {
	var o runOptions
	var schedule, tz, listen, token string
	var grace time.Duration
	var po portalOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run as a daemon: process the inbox on a schedule and on demand",
		Long: `Run as a daemon: process the inbox on a cron schedule (UK time by default)
and on demand through the admin endpoint.

Every run takes all that is pending, so a missed night is harmless. Runs never
overlap: a run due while another is in progress is skipped. A run that panics
is logged and counted; the schedule goes on.

Admin endpoint (--listen, loopback by default):
  GET  /healthz       the process is up
  GET  /readyz        the database and the inbox are reachable
  GET  /metrics       Prometheus metrics
  POST /runs          start a run now: 202, or 409 when one is in progress
  GET  /runs/latest   the latest run: counts by status, errors
  GET  /runs/{id}     one of the last 100 runs (404 for any other id)

When --admin-token is set (it is required when --listen is not a loopback
address), every path but /healthz needs "Authorization: Bearer TOKEN". The
Host header must name loopback or the --listen host; a POST from a page of
another site, or with a body type a form can send, is refused.

Sponsor portal and API (--portal-listen, off by default; README, "For
operators: the portal and the API"): pages for sponsors' SMS users and
/api/v1 for their systems, on a listener of their own, over TLS with
--portal-tls-cert and --portal-tls-key or behind a reverse proxy with
--portal-trust-proxy. An upload starts a run within seconds.

SIGTERM or SIGINT: the portal takes no new request and gives those in hand
--grace to finish; no new run or file is started; the file in hand is given
--grace to finish and is then rolled back; the process exits.

Every flag can also be set in the environment as BDT_<FLAG>, e.g. BDT_DB,
BDT_SCHEDULE, BDT_ADMIN_TOKEN, BDT_PORTAL_LISTEN.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := po.check(); err != nil {
				return err
			}
			loc, err := time.LoadLocation(tz)
			if err != nil {
				return exitWith(exitUsage, "--tz %q: %v", tz, err)
			}
			cfg, err := o.config(ctx)
			if err != nil {
				return err
			}
			defer cfg.Store.Close()
			defer filesGC(cfg.Workers)()
			p := o.printer(cmd, "serve")
			log := p.log
			d, err := daemon.New(daemon.Config{
				Schedule: schedule, Location: loc, Listen: listen, Token: token, Grace: grace,
				Log: log, Observer: p,
				Run: func(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error) {
					c := cfg
					c.Stop, c.Observer = stop, obs
					return runner.New(c).Run(ctx)
				},
				Ready: func(ctx context.Context) error {
					if _, err := cfg.Store.Sponsor(ctx, ""); err != nil {
						return fmt.Errorf("database: %w", err)
					}
					if _, _, err := cfg.Inbox.List(ctx, "readyz-probe/"); err != nil {
						return fmt.Errorf("inbox: %w", err)
					}
					return nil
				},
			})
			if err != nil {
				return exitWith(exitUsage, "%v", err)
			}
			ps, err := po.start(cfg, d, log)
			if err != nil {
				return exitWith(exitFailed, "portal: %v", err)
			}
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stopped := make(chan error, 1)
			go func() {
				var failed error
				select {
				case <-ctx.Done():
				case failed = <-ps.failed():
					cancel() // the portal's listener failed: stop the daemon too
				}
				stopped <- errors.Join(failed, ps.stop(grace))
			}()
			err = d.Serve(ctx)
			cancel()
			if err := errors.Join(err, <-stopped); err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			return nil
		},
	}
	o.addFlags(cmd)
	po.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&schedule, "schedule", "0 2 * * *", "cron schedule (5 fields, or 6 with seconds first)")
	f.StringVar(&tz, "tz", "Europe/London", "time zone of the schedule")
	f.StringVar(&listen, "listen", defaultListen, "admin endpoint address (empty: none)")
	f.StringVar(&token, "admin-token", "", "bearer token required by every admin path but /healthz (required off loopback)")
	f.DurationVar(&grace, "grace", 30*time.Second, "on SIGTERM, how long the file in hand may take to finish before it is rolled back")
	return cmd
}
