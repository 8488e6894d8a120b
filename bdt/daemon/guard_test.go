package daemon

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"bdt/bdt/runner"
)

// guarded is one request to the admin endpoint and the status it must get.
type guarded struct {
	name    string
	method  string
	path    string
	headers map[string]string // "Host" sets the request's Host
	want    int               // 0: let through (202 or 409 for POST /runs, else 200 or 404)
}

// checkGuard sends each request to a real server of d's handler and checks
// its status; it returns how many were let through.
func checkGuard(t *testing.T, d *Daemon, cases []guarded) {
	t.Helper()
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	for _, c := range cases {
		req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.headers {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, strings.ReplaceAll(v, "SELF", srv.Listener.Addr().String()))
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got := resp.StatusCode
		if c.want != 0 && got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		if c.want == 0 && got != 200 && got != 202 && got != 404 && got != 409 {
			t.Errorf("%s: %d, want it let through", c.name, got)
		}
	}
}

func countingRun(calls *atomic.Int32) RunFunc {
	return func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
		calls.Add(1)
		return &runner.Summary{}, nil
	}
}

// TestGuardRefusesCrossSite: on loopback without a token, a page in a
// browser on the same machine cannot start a run — not by a form or a
// simple fetch (cross-site, or a body type a form sends), not through a
// name of its own resolving to 127.0.0.1 — while a client such as curl can.
func TestGuardRefusesCrossSite(t *testing.T) {
	var calls atomic.Int32
	d, err := New(Config{Schedule: "0 2 * * *", Listen: "127.0.0.1:9090", Log: zerolog.Nop(), Run: countingRun(&calls)})
	if err != nil {
		t.Fatal(err)
	}
	checkGuard(t, d, []guarded{
		{"form post from another site", "POST", "/runs", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, 403},
		{"text/plain fetch from another site", "POST", "/runs", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, 403},
		{"cross-site by Sec-Fetch-Site", "POST", "/runs", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site but another origin", "POST", "/runs", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"text/plain without an origin", "POST", "/runs", map[string]string{"Content-Type": "text/plain; charset=utf-8"}, 415},
		{"multipart form without an origin", "POST", "/runs", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, 415},
		{"an unreadable body type", "POST", "/runs", map[string]string{"Content-Type": "text/plain; ;;="}, 415},
		{"DNS rebinding: POST", "POST", "/runs", map[string]string{"Host": "evil.example:9090"}, 421},
		{"DNS rebinding: the latest run", "GET", "/runs/latest", map[string]string{"Host": "evil.example"}, 421},
		{"DNS rebinding: /readyz", "GET", "/readyz", map[string]string{"Host": "127.0.0.1.evil.example"}, 421},
	})
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d runs started by refused requests", n)
	}
	checkGuard(t, d, []guarded{
		{"curl: no origin, no body", "POST", "/runs", nil, 0},
		{"a same-origin page with JSON", "POST", "/runs", map[string]string{"Origin": "http://SELF", "Content-Type": "application/json"}, 0},
		{"Sec-Fetch-Site same-origin", "POST", "/runs", map[string]string{"Sec-Fetch-Site": "same-origin"}, 0},
		{"Host localhost", "GET", "/healthz", map[string]string{"Host": "localhost:9090"}, 200},
		{"Host [::1]", "GET", "/healthz", map[string]string{"Host": "[::1]:9090"}, 200},
		{"Host 127.0.0.2", "GET", "/metrics", map[string]string{"Host": "127.0.0.2"}, 200},
	})
	if calls.Load() == 0 {
		waitFor(t, "the accepted run", func() bool { return calls.Load() > 0 })
	}
	waitFor(t, "the run to end", func() bool { l := d.Latest(); return l != nil && !l.Running })
}

// TestGuardTokenForEverything: with a token set, every path but /healthz
// needs it (the latest run, metrics and /readyz's error texts included),
// and off loopback any Host is let through to the token check.
func TestGuardTokenForEverything(t *testing.T) {
	var calls atomic.Int32
	d, err := New(Config{Schedule: "0 2 * * *", Listen: "0.0.0.0:9090", Token: "s3cret-token", Log: zerolog.Nop(), Run: countingRun(&calls),
		Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer s3cret-token", "Host": "bdt.internal.example:9090"}
	checkGuard(t, d, []guarded{
		{"/healthz without the token", "GET", "/healthz", map[string]string{"Host": "bdt.internal.example"}, 200},
		{"/readyz without the token", "GET", "/readyz", nil, 401},
		{"/metrics without the token", "GET", "/metrics", nil, 401},
		{"/runs/latest without the token", "GET", "/runs/latest", nil, 401},
		{"POST /runs with a wrong token", "POST", "/runs", map[string]string{"Authorization": "Bearer s3cret-tokeN"}, 401},
		{"/readyz with the token", "GET", "/readyz", bearer, 200},
		{"/metrics with the token", "GET", "/metrics", bearer, 200},
		{"/runs/latest with the token", "GET", "/runs/latest", bearer, 404},
		{"POST /runs with the token", "POST", "/runs", bearer, 202},
	})
	waitFor(t, "the run to end", func() bool { l := d.Latest(); return l != nil && !l.Running })
	if n := calls.Load(); n != 1 {
		t.Errorf("%d runs, want the one with the token", n)
	}
}
