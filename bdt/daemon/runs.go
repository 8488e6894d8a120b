package daemon

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/runner"
)

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
