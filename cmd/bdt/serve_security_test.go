package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store/postgres/pgtest"
)

// served is a bdt serve process started by a test, its log in a file.
type served struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	logf string
}

// startServed starts cmd (bdt serve listening on listen), stops it when the
// test ends, and returns once /healthz answers.
func startServed(t testing.TB, cmd *exec.Cmd, listen string) *served {
	t.Helper()
	s := &served{cmd: cmd, base: "http://" + listen, logf: filepath.Join(t.TempDir(), "serve.log")}
	out, err := os.Create(s.logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		out.Close()
	})
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	eventually(t, "the admin endpoint", func() bool {
		resp, err := probe.Get(s.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return s
}

// log returns what the process has printed so far.
func (s *served) log() string {
	b, _ := os.ReadFile(s.logf)
	return string(b)
}

// do sends one request and returns its status and body.
func (s *served) do(t *testing.T, method, path string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// runFinished returns the "run finished" lines of a log.
func runFinished(log string) []map[string]any {
	var lines []map[string]any
	for _, l := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["message"] == "run finished" {
			lines = append(lines, m)
		}
	}
	return lines
}

// TestServeAdminRefusesCrossSite (issue 17, item 11): on loopback without a
// token, what a page in a browser can send — a form or a text/plain fetch
// from another site, a request through a name of another site resolving to
// 127.0.0.1 — starts no run, while curl's POST does; with a token, every
// path but /healthz needs it.
func TestServeAdminRefusesCrossSite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	listen := freePort(t)
	s := startServed(t, serveCmd(bin, dir, listen, "--schedule", "0 0 1 1 *"), listen)
	for _, c := range []struct {
		name    string
		headers map[string]string
		body    string
		want    int
	}{
		{"a form of another site", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, "a=b", 403},
		{"a text/plain fetch of another site", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, "x", 403},
		{"text/plain with no Origin", map[string]string{"Content-Type": "text/plain"}, "x", 415},
		{"DNS rebinding", map[string]string{"Host": "evil.example:" + strings.Split(listen, ":")[1]}, "", 421},
	} {
		if got, body := s.do(t, "POST", "/runs", c.headers, c.body); got != c.want {
			t.Errorf("POST /runs, %s: %d %q, want %d", c.name, got, body, c.want)
		}
	}
	if got, _ := s.do(t, "GET", "/runs/latest", nil, ""); got != 404 {
		t.Fatalf("after the refused posts /runs/latest = %d, want 404: no run", got)
	}
	if got, body := s.do(t, "POST", "/runs", nil, ""); got != 202 || !strings.Contains(body, `"run":1`) {
		t.Fatalf("curl's POST /runs = %d %q, want 202", got, body)
	}
	eventually(t, "run 1 to finish", func() bool {
		got, body := s.do(t, "GET", "/runs/1", nil, "")
		return got == 200 && strings.Contains(body, `"running":false`)
	})
	if got, _ := s.do(t, "GET", "/runs/2", nil, ""); got != 404 {
		t.Errorf("GET /runs/2 = %d, want 404", got)
	}

	listen = freePort(t)
	s = startServed(t, serveCmd(bin, dir, listen, "--schedule", "0 0 1 1 *", "--admin-token", "s3cret-token"), listen)
	bearer := map[string]string{"Authorization": "Bearer s3cret-token"}
	for _, path := range []string{"/readyz", "/metrics", "/runs/latest", "/runs/1"} {
		if got, body := s.do(t, "GET", path, nil, ""); got != 401 || strings.Contains(body, "inbox") {
			t.Errorf("GET %s without the token: %d %q, want 401", path, got, body)
		}
	}
	if got, _ := s.do(t, "GET", "/readyz", bearer, ""); got != 200 {
		t.Errorf("GET /readyz with the token: %d", got)
	}
	if got, _ := s.do(t, "POST", "/runs", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, "x"); got != 401 {
		t.Errorf("a cross-site POST without the token: %d, want 401", got)
	}
}

// TestServeFailedRunSaysWhy (issue 16): a run against a register that has
// gone (its PostgreSQL schema dropped under the running service) is logged
// at error level with the database's reason, and GET /runs/{id} tells it.
func TestServeFailedRunSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	dsn := pgtest.DSN(t)
	bin := sharedBinary(t)
	dir := t.TempDir()
	crashFill(t, bin, dir, dsn)
	listen := freePort(t)
	cmd := serveCmd(bin, dir, listen, "--schedule", "0 0 1 1 *")
	cmd.Args[3] = dsn // --db
	s := startServed(t, cmd, listen)

	// The register goes away: its schema is dropped and made again empty
	// (so that pgtest's clean-up still finds it).
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var schema string
	for _, kv := range strings.Split(strings.SplitN(dsn, "?", 2)[1], "&") {
		if v, ok := strings.CutPrefix(kv, "search_path="); ok {
			schema = v
		}
	}
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}

	if got, body := s.do(t, "POST", "/runs", nil, ""); got != 202 {
		t.Fatalf("POST /runs = %d %q", got, body)
	}
	var rep struct {
		Running bool   `json:"running"`
		Failed  int    `json:"failed"`
		Error   string `json:"error"`
	}
	eventually(t, "run 1 to finish", func() bool {
		got, body := s.do(t, "GET", "/runs/1", nil, "")
		return got == 200 && json.Unmarshal([]byte(body), &rep) == nil && !rep.Running
	})
	if rep.Failed == 0 && rep.Error == "" {
		t.Errorf("GET /runs/1 = %+v: the failure is not told", rep)
	}
	var lines []map[string]any
	eventually(t, "the run's log line", func() bool { lines = runFinished(s.log()); return len(lines) == 1 })
	l := lines[0]
	why := fmt.Sprint(l["error"], l["failures"])
	if l["level"] != "error" || l["result"] != "failed" || !strings.Contains(why, "does not exist") {
		t.Errorf("the failed run's line: %v\nwant level error, result failed and the database's reason", l)
	}
}

// TestServeReadyzWalksNothing (issue 17, item 10): GET /readyz checks that
// the inbox is there without reading a single folder of it. Folders read
// are counted by their access times: every folder of the inbox is given one
// in 2000, which reading it moves to now.
func TestServeReadyzWalksNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	inbox := filepath.Join(dir, "inbox")
	for i := 0; i < 20; i++ {
		os.MkdirAll(filepath.Join(inbox, fmt.Sprintf("SPON%05d", i), "sub"), 0o755)
	}
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	folders := func() []string {
		var ds []string
		filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				ds = append(ds, p)
			}
			return nil
		})
		return ds
	}()
	age := func() {
		for _, d := range folders {
			os.Chtimes(d, old, time.Time{})
		}
	}
	read := func() (n int) {
		for _, d := range folders {
			var st syscall.Stat_t
			if syscall.Stat(d, &st) == nil && time.Unix(st.Atim.Unix()).After(old) {
				n++
			}
		}
		return n
	}
	// The counter works here: a listing of the whole inbox reads every folder.
	age()
	if n := read(); n != 0 {
		t.Fatalf("%d folders read before anything ran", n)
	}
	filepath.WalkDir(inbox, func(string, fs.DirEntry, error) error { return nil })
	if n := read(); n != len(folders) {
		t.Skipf("this file system does not record folder reads (%d of %d after a walk)", n, len(folders))
	}

	listen := freePort(t)
	s := startServed(t, serveCmd(bin, dir, listen, "--schedule", "0 0 1 1 *"), listen)
	age()
	for i := 0; i < 3; i++ {
		if got, body := s.do(t, "GET", "/readyz", nil, ""); got != 200 {
			t.Fatalf("GET /readyz = %d %q", got, body)
		}
	}
	if n := read(); n != 0 {
		t.Errorf("GET /readyz read %d of the inbox's %d folders, want none", n, len(folders))
	}
	os.RemoveAll(inbox)
	if got, body := s.do(t, "GET", "/readyz", nil, ""); got != 503 || !strings.Contains(body, "inbox") {
		t.Errorf("GET /readyz with the inbox gone = %d %q, want 503 naming the inbox", got, body)
	}
}

// TestServeManyIdleConnections (issue 17, item 3): clients holding more
// kept-alive connections than the process may open files no longer starve
// it. bdt serve runs with 128 descriptors and 200 clients each send one
// /healthz and keep the connection: the endpoint holds at most its cap (64)
// and the others wait, so the scheduled runs still open the register and
// the inbox and process every file. Before, every connection took a
// descriptor, accept failed with "too many open files" and each run failed
// with no reason logged.
func TestServeManyIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	// The files come in once the connections are held.
	staged := filepath.Join(dir, "staged")
	if err := os.Rename(filepath.Join(dir, "inbox"), staged); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "inbox"), 0o755)
	listen := freePort(t)
	inner := serveCmd(bin, dir, listen, "--schedule", "*/1 * * * * *", "--workers", "1")
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -n 128 && exec "$@"`, "sh"}, inner.Args...)...)
	s := startServed(t, cmd, listen)

	const clients = 200
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	answered := 0
	for i := 0; i < clients; i++ {
		c, err := net.Dial("tcp", listen)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		held = append(held, c)
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", listen)
		if answered < 64 {
			// Within the cap each is answered and then kept alive.
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("client %d within the cap: %v", i, err)
			}
			resp.Body.Close()
			answered++
		}
	}
	sponsors, _ := os.ReadDir(staged)
	for _, sp := range sponsors {
		if err := os.Rename(filepath.Join(staged, sp.Name()), filepath.Join(dir, "inbox", sp.Name())); err != nil {
			t.Fatal(err)
		}
	}
	for key := range crashFiles {
		res := strings.TrimSuffix(key, ".xml") + ".result.xml"
		eventually(t, "a scheduled run to report "+res, func() bool { return exists(filepath.Join(dir, "outbox", res)) })
	}
	log := s.log()
	if strings.Contains(log, "too many open files") {
		t.Errorf("the process ran out of descriptors:\n%s", tail(log, 20))
	}
	if !strings.Contains(log, "HTTP connections at their cap") {
		t.Errorf("the cap was not reached, or not logged:\n%s", tail(log, 20))
	}
	for _, l := range runFinished(log) {
		if l["result"] != "ok" {
			t.Errorf("a run failed while the connections were held: %v", l)
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
