package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// startServe starts the real bdt serve on the work folder dir (crashSetup)
// with extra flags, listening on a free loopback port, and waits until its
// admin endpoint answers. It returns the process (killed when the test
// ends), the address and the log output.
func startServe(t *testing.T, bin, dir string, extra ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	listen := freePort(t)
	cmd := serveCmd(bin, dir, listen, extra...)
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	eventually(t, "the admin endpoint", func() bool {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return cmd, listen, logs
}

func TestHealthURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:9090": "http://127.0.0.1:9090/healthz",
		"0.0.0.0:9090":   "http://127.0.0.1:9090/healthz",
		":9090":          "http://127.0.0.1:9090/healthz",
		"[::]:9090":      "http://127.0.0.1:9090/healthz",
		"[::1]:9091":     "http://[::1]:9091/healthz",
		"bdt.local:80":   "http://bdt.local:80/healthz",
	} {
		if got := healthURL(listen); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", listen, got, want)
		}
	}
}

// TestHealthcheckAgainstServe runs the real bdt serve and asks it with the
// real bdt healthcheck: exit 0 while it is up (by URL, by --listen and by
// BDT_LISTEN, as the container's HEALTHCHECK does), 1 for a page that is
// not there, for a server that does not answer within --timeout, and once
// serve has stopped.
func TestHealthcheckAgainstServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	serve, listen, logs := startServe(t, bin, dir, "--schedule", "0 0 1 1 *")
	check := func(want int, env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"healthcheck"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != want {
			t.Errorf("bdt healthcheck %v (env %v): exit %d, want %d\n%s", args, env, code, want, out)
		}
		return string(out)
	}
	check(0, nil, "http://"+listen+"/healthz")
	check(0, nil, "http://"+listen+"/readyz")
	check(0, nil, "--listen", listen)
	_, port, _ := net.SplitHostPort(listen)
	check(0, []string{"BDT_LISTEN=0.0.0.0:" + port})
	if out := check(1, nil, "http://"+listen+"/no-such-page"); !strings.Contains(out, "404") {
		t.Errorf("the failure does not give the status:\n%s", out)
	}

	// A server that takes the connection and never answers.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if out := check(1, nil, "--timeout", "100ms", "http://"+mute.Addr().String()+"/healthz"); !strings.Contains(out, "deadline exceeded") {
		t.Errorf("the failure does not say the time ran out:\n%s", out)
	}

	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Fatalf("bdt serve after SIGTERM: %v\n%s", err, logs.String())
	}
	check(1, nil, "--listen", listen)
	check(2, nil, "a", "b")
}
