package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"bdt/bdt/runner"
)

// serving runs d.Serve on a free loopback port until the test ends and
// returns the address once /healthz answers.
func serving(t *testing.T, cfg Config) (*Daemon, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = ln.Addr().String()
	ln.Close()
	if cfg.Schedule == "" {
		cfg.Schedule = "0 0 1 1 *"
	}
	if cfg.Run == nil {
		cfg.Run = func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
			return &runner.Summary{}, nil
		}
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	waitFor(t, "the admin endpoint", func() bool {
		resp, err := probe.Get("http://" + cfg.Listen + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return d, cfg.Listen
}

// keptAlive is a raw connection that has had one /healthz answered and is
// kept open, as a client holding idle connections does.
type keptAlive struct {
	net.Conn
	r *bufio.Reader
}

// dialHealthz opens a connection and sends GET /healthz on it.
func dialHealthz(t *testing.T, addr string) *keptAlive {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	return &keptAlive{Conn: c, r: bufio.NewReader(c)}
}

// holdIdle opens n connections, has /healthz answered on each and keeps
// them open.
func holdIdle(t *testing.T, addr string, n int) []*keptAlive {
	t.Helper()
	var held []*keptAlive
	for i := 0; i < n; i++ {
		k := dialHealthz(t, addr)
		if c := k.answer(t); c != 200 {
			t.Fatalf("connection %d: /healthz = %d", i+1, c)
		}
		held = append(held, k)
	}
	return held
}

// answer reads the answer to the request sent, within a hang guard.
func (k *keptAlive) answer(t *testing.T) int {
	t.Helper()
	k.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// closedByServer waits, within a hang guard, for the server to close the
// connection.
func (k *keptAlive) closedByServer(t *testing.T) {
	t.Helper()
	k.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := k.r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("the idle connection was not closed by the server: %v", err)
	}
}

// TestAdminConnectionCap: with the cap at 8, eight clients holding kept-alive
// connections make a ninth wait, never a ninth descriptor; it is answered
// as soon as one of the eight closes.
func TestAdminConnectionCap(t *testing.T) {
	d, addr := serving(t, Config{Log: zerolog.Nop(), HTTP: ServerLimits{MaxConns: 8, IdleTimeout: time.Hour}})
	waitFor(t, "the probe's connection to close", func() bool { return d.adminLn.open.Load() == 0 })
	held := holdIdle(t, addr, 8)
	ninth := dialHealthz(t, addr)
	held[0].Close()
	if c := ninth.answer(t); c != 200 {
		t.Fatalf("the ninth connection: /healthz = %d", c)
	}
	if peak := d.adminLn.peak.Load(); peak != 8 {
		t.Errorf("%d connections were open at once, want the cap, 8", peak)
	}
}

// TestAdminClosesIdleConnections: the server closes a kept-alive connection
// once it has been idle for IdleTimeout, and one that never sends a request
// after ReadHeaderTimeout, so that clients cannot hold descriptors for ever.
func TestAdminClosesIdleConnections(t *testing.T) {
	d, addr := serving(t, Config{Log: zerolog.Nop(), HTTP: ServerLimits{MaxConns: 8,
		IdleTimeout: 50 * time.Millisecond, ReadHeaderTimeout: 50 * time.Millisecond}})
	held := holdIdle(t, addr, 8)
	for _, k := range held {
		k.closedByServer(t)
	}
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	(&keptAlive{Conn: silent, r: bufio.NewReader(silent)}).closedByServer(t)
	waitFor(t, "every slot to be given back", func() bool { return d.adminLn.open.Load() == 0 })
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz after the idle connections closed: %v %v", err, resp)
	}
	resp.Body.Close()
}

// TestServerLimitsDefaults: every timeout and the cap are set when the
// configuration leaves them out.
func TestServerLimitsDefaults(t *testing.T) {
	srv, ln, err := ListenHTTP("127.0.0.1:0", http.NotFoundHandler(), ServerLimits{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("a limit left unset: %+v", srv)
	}
	if n := cap(ln.(*limitListener).slots); n != 64 {
		t.Errorf("cap = %d, want 64", n)
	}
}

// TestRunFailureIsLogged: a run that fails says why on its own error line,
// whether the run could not start or a sponsor's queue failed.
func TestRunFailureIsLogged(t *testing.T) {
	var logs bytes.Buffer
	calls := 0
	d, err := New(Config{Schedule: "0 2 * * *", Log: zerolog.New(&logs),
		Run: func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
			if calls++; calls == 1 {
				return nil, errors.New("runner: list inbox: open /srv/inbox: too many open files")
			}
			return &runner.Summary{Files: []runner.FileResult{{Key: "4NUV7KB58/", Err: errors.New("list inbox: too many open files")}}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	d.runNow("schedule", true)
	d.runNow("schedule", true)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, `"run finished"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("run lines: %q", lines)
	}
	for i, want := range []string{"list inbox: open /srv/inbox: too many open files", `4NUV7KB58/\": list inbox: too many open files`} {
		if !strings.Contains(lines[i], `"level":"error"`) || !strings.Contains(lines[i], want) {
			t.Errorf("run %d: %s\nwant an error line holding %s", i+1, lines[i], want)
		}
	}
}
