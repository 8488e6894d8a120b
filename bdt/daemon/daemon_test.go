package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"bdt/bdt/runner"
)

// waitFor polls cond until it holds or the deadline passes (a bound against
// hanging, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSchedulerSurvivesPanic: a per-second schedule whose first run panics
// goes on running.
func TestSchedulerSurvivesPanic(t *testing.T) {
	var calls atomic.Int32
	d, err := New(Config{
		Schedule: "* * * * * *", Location: time.UTC, Log: zerolog.Nop(),
		Run: func(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error) {
			if calls.Add(1) == 1 {
				panic("boom: a bug in a run")
			}
			return &runner.Summary{}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx) }()
	waitFor(t, "two runs after the panic", func() bool { return calls.Load() >= 3 })
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if n := testutil.ToFloat64(d.metrics.runs.WithLabelValues("schedule", "panic")); n != 1 {
		t.Errorf("panicked runs = %v, want 1", n)
	}
	if n := testutil.ToFloat64(d.metrics.runs.WithLabelValues("schedule", "ok")); n < 2 {
		t.Errorf("ok runs after the panic = %v, want at least 2", n)
	}
}

// TestRunsDoNotOverlap: POST /runs answers 202, then 409 while the run is
// in progress; /runs/latest reports it.
func TestRunsDoNotOverlap(t *testing.T) {
	release := make(chan struct{})
	d, err := New(Config{
		Schedule: "0 2 * * *", Log: zerolog.Nop(),
		Run: func(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error) {
			<-release
			return &runner.Summary{Skipped: 2}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	post := func() int {
		resp, err := http.Post(srv.URL+"/runs", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(); c != http.StatusAccepted {
		t.Fatalf("first POST /runs = %d, want 202", c)
	}
	if c := post(); c != http.StatusConflict {
		t.Errorf("second POST /runs during the run = %d, want 409", c)
	}
	close(release)
	waitFor(t, "the run to finish", func() bool { l := d.Latest(); return l != nil && !l.Running })
	resp, err := http.Get(srv.URL + "/runs/latest")
	if err != nil {
		t.Fatal(err)
	}
	var rep RunReport
	json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if rep.ID != 1 || rep.Trigger != "api" || rep.Skipped != 2 || rep.FinishedAt == nil {
		t.Errorf("latest = %+v", rep)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, err, resp.StatusCode)
		}
		resp.Body.Close()
	}
}

// TestAdminToken: off loopback a token is required; POST /runs checks it.
func TestAdminToken(t *testing.T) {
	run := func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
		return &runner.Summary{}, nil
	}
	if _, err := New(Config{Schedule: "0 2 * * *", Listen: "0.0.0.0:9090", Run: run}); err == nil {
		t.Error("a non-loopback admin endpoint without a token was accepted")
	}
	for _, l := range []string{"127.0.0.1:9090", "[::1]:9090", "localhost:9090"} {
		if _, err := New(Config{Schedule: "0 2 * * *", Listen: l, Run: run}); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	d, err := New(Config{Schedule: "0 2 * * *", Listen: "0.0.0.0:9090", Token: "s3cret-token", Run: run, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"s3cret-token", 401}, {"Bearer s3cret-token", 202}} {
		req, _ := http.NewRequest("POST", srv.URL+"/runs", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, resp.StatusCode, c.want)
		}
	}
}

// TestStopFinishesOrRollsBack: stopping lets the run end between files, and
// cancels it after the grace period.
func TestStopFinishesOrRollsBack(t *testing.T) {
	var cancelled atomic.Bool
	d, err := New(Config{
		Schedule: "0 2 * * *", Grace: 200 * time.Millisecond, Log: zerolog.Nop(),
		Run: func(ctx context.Context, stop <-chan struct{}, obs runner.Observer) (*runner.Summary, error) {
			<-stop       // asked to stop between files...
			<-ctx.Done() // ...but the "file in hand" never finishes
			cancelled.Store(true)
			return &runner.Summary{}, ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Trigger("api"); !ok {
		t.Fatal("Trigger refused")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	if !cancelled.Load() {
		t.Error("the run in hand was not cancelled after the grace period")
	}
	if _, ok := d.Trigger("api"); ok {
		t.Error("a stopped daemon started a run")
	}
	if l := d.Latest(); l == nil || !strings.Contains(l.Error, "context canceled") {
		t.Errorf("latest = %+v", l)
	}
}

// TestRunByID: GET /runs/{id} answers each of the last keptRuns runs; an id
// never given, one forgotten, and one that is not a number are 404.
func TestRunByID(t *testing.T) {
	calls := 0
	d, err := New(Config{Schedule: "0 2 * * *", Log: zerolog.Nop(),
		Run: func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
			calls++
			return &runner.Summary{Skipped: calls}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < keptRuns+2; i++ {
		d.runNow("schedule", true)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	get := func(path string) (int, RunReport) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep RunReport
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		return resp.StatusCode, rep
	}
	for _, id := range []int{3, 50, keptRuns + 2} {
		code, rep := get(fmt.Sprintf("/runs/%d", id))
		if code != 200 || rep.ID != id || rep.Skipped != id || rep.FinishedAt == nil {
			t.Errorf("GET /runs/%d = %d %+v", id, code, rep)
		}
	}
	if code, rep := get("/runs/latest"); code != 200 || rep.ID != keptRuns+2 {
		t.Errorf("GET /runs/latest = %d %+v", code, rep)
	}
	for _, path := range []string{"/runs/1", "/runs/2", "/runs/0", "/runs/999", "/runs/-1", "/runs/abc", "/runs/1e3"} {
		if code, _ := get(path); code != 404 {
			t.Errorf("GET %s = %d, want 404", path, code)
		}
	}
}
