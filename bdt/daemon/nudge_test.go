package daemon

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"bdt/bdt/runner"
)

// countingRuns is a RunFunc that counts its runs, tells each start on
// started and ends each when release gives it leave, or when asked to stop.
type countingRuns struct {
	calls   atomic.Int32
	started chan int32
	release chan struct{}
}

func newCountingRuns() *countingRuns {
	return &countingRuns{started: make(chan int32, 10), release: make(chan struct{})}
}

func (c *countingRuns) run(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error) {
	c.started <- c.calls.Add(1)
	select {
	case <-c.release:
	case <-stop:
	}
	return &runner.Summary{}, nil
}

// idle waits until no run is in progress and returns the latest report (a
// bound against hanging, not a timing assertion: Nudge's follow-up run is
// started in the same hold of the lock that ends a run, so an idle daemon
// has none pending).
func idle(t *testing.T, d *Daemon) *RunReport {
	t.Helper()
	var l *RunReport
	waitFor(t, "no run in progress", func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		l = d.latest
		return !d.running
	})
	return l
}

// TestNudge: a nudge starts a run at once; the nudges during a run come to
// exactly one more run, started when it ends; a nudge when idle starts one
// again.
func TestNudge(t *testing.T) {
	c := newCountingRuns()
	d, err := New(Config{Schedule: "0 2 * * *", Log: zerolog.Nop(), Run: c.run})
	if err != nil {
		t.Fatal(err)
	}
	d.Nudge("upload")
	if n := <-c.started; n != 1 {
		t.Fatalf("run %d started; want 1", n)
	}
	for range 3 {
		d.Nudge("upload")
	}
	if _, ok := d.Trigger("api"); ok {
		t.Error("Trigger started a run beside the nudged one")
	}
	c.release <- struct{}{}
	if n := <-c.started; n != 2 {
		t.Fatalf("run %d started after the first; want 2", n)
	}
	c.release <- struct{}{}
	if l := idle(t, d); l.ID != 2 || c.calls.Load() != 2 || l.Trigger != "upload" {
		t.Fatalf("after the nudges: latest run %d (%s), %d runs; want 2 runs, the second nudged", l.ID, l.Trigger, c.calls.Load())
	}
	d.Nudge("upload")
	if n := <-c.started; n != 3 {
		t.Fatalf("run %d started on a nudge when idle; want 3", n)
	}
	c.release <- struct{}{}
	if l := idle(t, d); l.ID != 3 || c.calls.Load() != 3 {
		t.Errorf("latest run %d, %d runs; want 3", l.ID, c.calls.Load())
	}
}

// TestNudgeWhileStopping: a run nudged for after the one in hand is not
// started once the daemon stops, nor is any later nudge.
func TestNudgeWhileStopping(t *testing.T) {
	c := newCountingRuns()
	d, err := New(Config{Schedule: "0 2 * * *", Log: zerolog.Nop(), Run: c.run, Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx) }()
	d.Nudge("upload")
	<-c.started
	d.Nudge("upload") // pending when the stop comes
	cancel()          // the run in hand ends on its stop channel
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	d.Nudge("upload")
	if l := idle(t, d); l.ID != 1 || c.calls.Load() != 1 {
		t.Errorf("latest run %d, %d runs; want only the first", l.ID, c.calls.Load())
	}
}
