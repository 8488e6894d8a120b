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
	"maps"
	"net"
	"net/http"
	"runtime/debug"
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

// Trigger starts a run now in the background. It reports false when a run
// is already in progress or the daemon is stopping.
func (d *Daemon) Trigger(trigger string) (int, bool) {
	return d.start(trigger, false)
}

// runNow runs synchronously (the scheduled job), skipping when a run is in progress.
func (d *Daemon) runNow(trigger string, wait bool) {
	d.start(trigger, wait)
}

// Nudge asks for a run soon, as the portal does after each upload: it
// starts one now or, when one is in progress, exactly one more as soon as
// that one ends (the nudges during a run all come to that one run). It does
// nothing while the daemon stops.
func (d *Daemon) Nudge(trigger string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.closing:
	case d.running:
		if d.nudged == "" {
			d.nudged = trigger
		}
	default:
		d.launch(trigger)
	}
}

func (d *Daemon) start(trigger string, wait bool) (int, bool) {
	d.mu.Lock()
	if d.running || d.closing {
		d.mu.Unlock()
		if !d.closing {
			d.cfg.Log.Info().Str("trigger", trigger).Msg("a run is already in progress: not starting another")
		}
		return 0, false
	}
	rep, done := d.launch(trigger)
	d.mu.Unlock()
	if wait {
		<-done
	}
	return rep.ID, true
}

// launch starts a run in the background, d.mu held, and returns its report
// and the channel closed when it ends.
func (d *Daemon) launch(trigger string) (*RunReport, chan struct{}) {
	d.nextID++
	rep := &RunReport{ID: d.nextID, Trigger: trigger, StartedAt: time.Now().UTC(), Running: true, ByStatus: map[ledger.FileStatus]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	d.running, d.latest = true, rep
	if len(d.runs) == keptRuns {
		d.runs = append(d.runs[:0], d.runs[1:]...)
	}
	d.runs = append(d.runs, rep)
	d.done, d.stop, d.cancel = make(chan struct{}), make(chan struct{}), cancel
	go d.run(ctx, rep, d.stop, d.done)
	return rep, d.done
}

// run performs one run. A panic in it is recovered, logged and counted; the
// daemon goes on.
func (d *Daemon) run(ctx context.Context, rep *RunReport, stop <-chan struct{}, done chan struct{}) {
	start := time.Now()
	d.metrics.inProgress.Set(1)
	result := "ok"
	var sum *runner.Summary
	var err error
	defer func() {
		if p := recover(); p != nil {
			result = "panic"
			err = fmt.Errorf("run panicked: %v", p)
			d.cfg.Log.Error().Str("stack", string(debug.Stack())).Msgf("run %d panicked: %v", rep.ID, p)
		}
		elapsed := time.Since(start)
		d.metrics.inProgress.Set(0)
		d.metrics.duration.Observe(elapsed.Seconds())
		if err != nil && result == "ok" {
			result = "failed"
		}
		if sum != nil && sum.Failed() > 0 && result == "ok" {
			result = "failed"
		}
		d.metrics.runs.WithLabelValues(rep.Trigger, result).Inc()
		if result == "ok" {
			d.metrics.lastSuccess.SetToCurrentTime()
		}
		d.mu.Lock()
		fin := time.Now().UTC()
		rep.FinishedAt, rep.Running = &fin, false
		if sum != nil {
			rep.Files, rep.Failed, rep.Skipped = len(sum.Files), sum.Failed(), sum.Skipped
			for _, f := range sum.Files {
				if f.Entry != nil && f.Err == nil {
					rep.ByStatus[f.Entry.Status]++
				}
			}
		}
		if err != nil {
			rep.Error = err.Error()
		}
		d.running = false
		d.cancel()
		if trigger := d.nudged; trigger != "" && !d.closing {
			d.nudged = ""
			d.launch(trigger) // in the same hold of d.mu: no other run slips in between
		}
		d.mu.Unlock()
		ev := d.cfg.Log.Info()
		if result != "ok" {
			// Why, on the run's own line: a run that could not list the
			// inbox, or a sponsor's queue that failed, has no file line.
			ev = d.cfg.Log.Error().Err(err).Strs("failures", failures(sum))
		}
		ev.Int("run", rep.ID).Str("trigger", rep.Trigger).Str("result", result).
			Int("files", rep.Files).Int("failed", rep.Failed).Dur("elapsed", elapsed).Msg("run finished")
		close(done)
	}()
	d.cfg.Log.Info().Int("run", rep.ID).Str("trigger", rep.Trigger).Msg("run started")
	sum, err = d.cfg.Run(ctx, stop, observers{d.cfg.Observer, d.metrics})
}

// maxFailures is how many failed files a run's line names.
const maxFailures = 10

// failures names the first maxFailures failed files of sum and why.
func failures(sum *runner.Summary) []string {
	var out []string
	if sum == nil {
		return out
	}
	for _, f := range sum.Files {
		if f.Err == nil {
			continue
		}
		if len(out) == maxFailures {
			out = append(out, fmt.Sprintf("and %d more", sum.Failed()-maxFailures))
			break
		}
		out = append(out, fmt.Sprintf("%q: %v", f.Key, f.Err))
	}
	return out
}

// keptRuns is how many runs GET /runs/{id} remembers.
const keptRuns = 100

// Latest returns a copy of the latest run's report, or nil before the first run.
func (d *Daemon) Latest() *RunReport {
	d.mu.Lock()
	defer d.mu.Unlock()
	return copyReport(d.latest)
}

// Run returns a copy of run id's report, or nil when there is no such run
// among the last keptRuns.
func (d *Daemon) Run(id int) *RunReport {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.runs {
		if r.ID == id {
			return copyReport(r)
		}
	}
	return nil
}

// copyReport copies r (nil for nil); d.mu is held.
func copyReport(r *RunReport) *RunReport {
	if r == nil {
		return nil
	}
	c := *r
	c.ByStatus = maps.Clone(r.ByStatus)
	return &c
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
