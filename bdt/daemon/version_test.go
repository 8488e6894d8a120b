package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"bdt/bdt/buildinfo"
	"bdt/bdt/runner"
)

// TestVersionOnEveryResponse: every answer of the admin endpoint, an error
// as much as a success, names the version in BDT-Version; /metrics has
// bdt_build_info with the binary's labels.
func TestVersionOnEveryResponse(t *testing.T) {
	run := func(context.Context, <-chan struct{}, runner.Observer) (*runner.Summary, error) {
		return &runner.Summary{}, nil
	}
	d, err := New(Config{Schedule: "0 2 * * *", Listen: "127.0.0.1:0", Token: "s3cret-token", Run: run, Log: zerolog.Nop(),
		Ready: func(context.Context) error { return fmt.Errorf("database: gone") }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	info := buildinfo.Read()
	var metrics string
	for _, c := range []struct {
		method, path string
		auth         bool // with the token
		host         string
		want         int
	}{
		{"GET", "/healthz", false, "", 200}, {"GET", "/readyz", true, "", 503}, {"GET", "/metrics", true, "", 200},
		{"GET", "/runs/latest", true, "", 404}, {"POST", "/runs", false, "", 401}, {"GET", "/no-such-page", true, "", 404},
		{"DELETE", "/healthz", true, "", 405}, {"GET", "/healthz", false, "evil.example", 421},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if c.auth {
			req.Header.Set("Authorization", "Bearer s3cret-token")
		}
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s (Host %q) = %d, want %d", c.method, c.path, c.host, resp.StatusCode, c.want)
		}
		if got := resp.Header.Get("BDT-Version"); got != info.Version || got == "" {
			t.Errorf("%s %s: BDT-Version %q, want %q", c.method, c.path, got, info.Version)
		}
		if c.path == "/metrics" {
			metrics = string(body)
		}
	}
	want := fmt.Sprintf(`bdt_build_info{goversion=%q,libxml2=%q,revision=%q,version=%q} 1`,
		info.GoVersion, info.Libxml2, info.Revision, info.Version)
	if !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
