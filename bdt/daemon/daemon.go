// Package daemon runs bdt as a long-running service: runs on a cron
// schedule (UK time by default), runs on demand through an admin HTTP
// endpoint, Prometheus metrics, and a graceful stop on SIGTERM that finishes
// or rolls back the file in hand.
package daemon

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"bdt/bdt/ledger"
	"bdt/bdt/runner"
)

// RunFunc performs one run. stop, when closed, asks it to start no new file.
type RunFunc func(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error)

// Config is what a Daemon works with.
type Config struct {
	Run      RunFunc
	Schedule string         // cron expression: 5 fields, or 6 with seconds first
	Location *time.Location // the schedule's time zone (default Europe/London)
	Listen   string         // admin endpoint address, e.g. 127.0.0.1:9090
	// HTTP bounds the admin endpoint's connections (ListenHTTP).
	HTTP ServerLimits
	// Token, when set, is required as "Authorization: Bearer TOKEN" by
	// every path of the admin endpoint but /healthz. It must be set when
	// Listen is not a loopback address.
	Token string
	// Ready checks that the database and storage are reachable (/readyz).
	Ready func(ctx context.Context) error
	// Grace is how long a stopping daemon lets the file in hand finish
	// before rolling it back (default 30s).
	Grace    time.Duration
	Log      zerolog.Logger
	Observer runner.Observer // hears every run's progress, e.g. the log printer
}

// RunReport is what GET /runs/latest and GET /runs/{id} answer.
type RunReport struct {
	ID         int                       `json:"id"`
	Trigger    string                    `json:"trigger"` // "schedule", "api", or what Nudge was given
	StartedAt  time.Time                 `json:"started_at"`
	FinishedAt *time.Time                `json:"finished_at,omitempty"`
	Running    bool                      `json:"running"`
	Files      int                       `json:"files"`
	Failed     int                       `json:"failed"`
	Skipped    int                       `json:"skipped"`
	ByStatus   map[ledger.FileStatus]int `json:"by_status"`
	Error      string                    `json:"error,omitempty"`
}

// Daemon is the service.
type Daemon struct {
	cfg     Config
	sched   cron.Schedule
	metrics *metrics

	mu      sync.Mutex
	running bool
	nextID  int
	latest  *RunReport
	runs    []*RunReport  // the last keptRuns runs, oldest first
	done    chan struct{} // closed when the current run ends
	stop    chan struct{} // closed to stop the current run between files
	cancel  context.CancelFunc
	closing bool
	nudged  string // the trigger of the run Nudge asked for after the current one; "" for none

	adminLn *limitListener // the admin endpoint's listener while serving
}

// parser reads 5-field expressions and 6-field ones with seconds first.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// New checks cfg and returns a Daemon.
func New(cfg Config) (*Daemon, error) {
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, fmt.Errorf("daemon: time zone: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	sched, err := parser.Parse(cfg.Schedule)
	if err != nil {
		return nil, fmt.Errorf("daemon: schedule %q: %w", cfg.Schedule, err)
	}
	if cfg.Listen != "" && cfg.Token == "" && !isLoopback(cfg.Listen) {
		return nil, fmt.Errorf("daemon: the admin endpoint %s is not on loopback: set an admin token (--admin-token or BDT_ADMIN_TOKEN)", cfg.Listen)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Daemon{cfg: cfg, sched: sched, metrics: newMetrics()}, nil
}

// isLoopback reports whether the listen address is on a loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve runs the schedule and the admin endpoint until ctx is cancelled
// (SIGTERM), then stops: no new run or file is started, the file in hand is
// given Config.Grace to finish and is then rolled back, and Serve returns.
func (d *Daemon) Serve(ctx context.Context) error {
	for _, w := range ClockChangeWarnings(d.sched, d.cfg.Location, time.Now()) {
		d.cfg.Log.Warn().Str("schedule", d.cfg.Schedule).Msg(w)
	}
	c := cron.New(cron.WithLocation(d.cfg.Location), cron.WithParser(parser),
		// Recover innermost: a panicking run never stops later ones.
		cron.WithChain(cron.SkipIfStillRunning(cronLogger{d.cfg.Log}), cron.Recover(cronLogger{d.cfg.Log})))
	c.Schedule(d.sched, cron.FuncJob(func() { d.runNow("schedule", true) }))
	c.Start()
	d.cfg.Log.Info().Str("schedule", d.cfg.Schedule).Str("tz", d.cfg.Location.String()).
		Time("next", d.sched.Next(time.Now().In(d.cfg.Location))).Msg("scheduler started")

	var srv *http.Server
	errc := make(chan error, 1)
	if d.cfg.Listen != "" {
		var ln net.Listener
		var err error
		srv, ln, err = ListenHTTP(d.cfg.Listen, d.Handler(), d.cfg.HTTP, d.cfg.Log)
		if err != nil {
			c.Stop()
			return fmt.Errorf("daemon: %w", err)
		}
		d.mu.Lock()
		d.adminLn = ln.(*limitListener)
		d.mu.Unlock()
		d.cfg.Log.Info().Str("listen", ln.Addr().String()).Msg("admin endpoint listening")
		go func() { errc <- srv.Serve(ln) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	d.cfg.Log.Info().Msg("stopping: no new runs or files")
	cronDone := c.Stop()
	d.shutdown()
	<-cronDone.Done()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	d.cfg.Log.Info().Msg("stopped")
	return err
}

// shutdown stops the run in hand: first between files, then, after the
// grace period, by cancelling it (the file in hand rolls back).
func (d *Daemon) shutdown() {
	d.mu.Lock()
	d.closing = true
	done, stop, cancel := d.done, d.stop, d.cancel
	running := d.running
	d.mu.Unlock()
	if !running {
		return
	}
	close(stop)
	select {
	case <-done:
		return
	case <-time.After(d.cfg.Grace):
	}
	d.cfg.Log.Warn().Dur("grace", d.cfg.Grace).Msg("the file in hand did not finish in time: rolling it back")
	cancel()
	<-done
}

// Handler returns the admin endpoint: /healthz, /readyz, /metrics,
// POST /runs, GET /runs/latest and GET /runs/{id}, behind guard.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if d.cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			if err := d.cfg.Ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /runs", func(w http.ResponseWriter, r *http.Request) {
		id, ok := d.Trigger("api")
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusConflict)
			json.NewEncoder(w).Encode(map[string]any{"error": "a run is already in progress, or the service is stopping"})
			return
		}
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]any{"run": id})
	})
	mux.HandleFunc("GET /runs/latest", func(w http.ResponseWriter, r *http.Request) {
		writeReport(w, d.Latest(), "no run yet")
	})
	mux.HandleFunc("GET /runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		var rep *RunReport
		if id, err := strconv.Atoi(r.PathValue("id")); err == nil {
			rep = d.Run(id)
		}
		writeReport(w, rep, fmt.Sprintf("no run %q among the last %d", r.PathValue("id"), keptRuns))
	})
	return withVersion(d.guard(mux))
}

// writeReport answers rep as JSON, or 404 with notFound when rep is nil.
func writeReport(w http.ResponseWriter, rep *RunReport, notFound string) {
	if rep == nil {
		http.Error(w, notFound, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(rep)
}

// authorised checks the bearer token in constant time.
func (d *Daemon) authorised(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(d.cfg.Token)) == 1
}

// cronLogger adapts zerolog to cron's logger.
type cronLogger struct{ l zerolog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	c.l.Debug().Fields(kv).Msg("cron: " + msg)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error().Err(err).Fields(kv).Msg("cron: " + msg)
}

type nopObserver struct{}

func (nopObserver) FileStarted(string, int64)    {}
func (nopObserver) RecordsDone(string, int, int) {}
func (nopObserver) FileDone(runner.FileResult)   {}
func (nopObserver) Skipped(string, string)       {}

// observers fans progress out to several observers.
type observers []runner.Observer

func (o observers) FileStarted(k string, n int64) {
	for _, x := range o {
		x.FileStarted(k, n)
	}
}

func (o observers) RecordsDone(k string, done, declared int) {
	for _, x := range o {
		x.RecordsDone(k, done, declared)
	}
}

func (o observers) FileDone(r runner.FileResult) {
	for _, x := range o {
		x.FileDone(r)
	}
}

func (o observers) Skipped(k, why string) {
	for _, x := range o {
		x.Skipped(k, why)
	}
}

var _ runner.Observer = observers(nil)

// Registry returns the daemon's Prometheus registry (for tests and embedding).
func (d *Daemon) Registry() *prometheus.Registry { return d.metrics.reg }
