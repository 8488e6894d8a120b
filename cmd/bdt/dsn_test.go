package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bdt/bdt/store/postgres/pgtest"
)

// The security review's items on the register's DSN (issue 17, items 4
// and 5), through the real binary.

// bdtIn runs the bdt binary in dir and returns its exit status and output.
// A process still running after hostileTimeout is killed (a hang guard: a
// serve that should have refused to start would otherwise run for ever).
func bdtIn(t *testing.T, bin, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("bdt %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// dsnInbox makes a work folder whose inbox holds one clean file of the
// sample register's sponsor 4NUV7KB58, and returns it.
func dsnInbox(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "inbox", hostileLicence), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "inbox", hostileLicence, "a.xml"), []byte(hostileDoc("DSN-1", "x")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// entries lists dir's top-level names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestMissingRegisterIsRefused: every verb but register import and migrate
// refuses a register that does not exist, with exit 2 and one line naming
// it and the command that creates it, and creates nothing (before: run,
// serve and files made a new, empty register and run rejected every file).
func TestMissingRegisterIsRefused(t *testing.T) {
	bin := sharedBinary(t)
	dir := dsnInbox(t)
	for _, args := range [][]string{
		{"run", "--now", hostileNow},
		{"serve", "--listen", ""},
		{"files", "list"},
		{"files", "show", "1"},
		{"cas", "show", "--user", "jsmith01", "CAS26000000208"},
		{"cos", "show", "--user", "jsmith01", "COS26000000001"},
		{"register", "export"},
	} {
		for _, db := range []string{"sqlite:bdt.db", "bdt.db"} {
			code, stdout, stderr := bdtIn(t, bin, dir, append(args, "--db", db)...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != exitUsage || len(lines) != 1 || !strings.Contains(stderr, "bdt.db does not exist") ||
				!strings.Contains(stderr, "bdt register import --db '"+db+"'") {
				t.Errorf("bdt %v --db %s = exit %d\n%s%s\nwant exit 2 and one line naming the register and bdt register import", args, db, code, stdout, stderr)
			}
		}
		if got := entries(t, dir); !slices.Equal(got, []string{"inbox"}) {
			t.Fatalf("bdt %v left %v in the work folder; want only the inbox", args, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", hostileLicence, "a.xml")); err != nil {
		t.Errorf("the inbox file was touched: %v", err)
	}
}

// TestKeyValueDSNIsPostgres: a key=value DSN goes to PostgreSQL, never to a
// SQLite file named after it (before: a file "host=… password=…" was
// created and every inbox file came back REJECTED, exit 0). On a real
// PostgreSQL, run refuses a schema without a register; register import
// creates one through the same DSN, and run then applies the file.
func TestKeyValueDSNIsPostgres(t *testing.T) {
	bin := sharedBinary(t)
	dir := dsnInbox(t)
	const secret = "s3cret-kv"
	code, stdout, stderr := bdtIn(t, bin, dir, "run", "--now", hostileNow,
		"--db", "host=127.0.0.1 port=1 user=bdt password="+secret+" dbname=bdt connect_timeout=5")
	if code != exitFailed || strings.Contains(stdout+stderr, secret) || !strings.Contains(stderr, "password=xxxxx") {
		t.Errorf("run on an unreachable key=value DSN = exit %d\n%s%s\nwant exit 1, the DSN shown redacted", code, stdout, stderr)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"inbox"}) {
		t.Fatalf("run on a key=value DSN left %v in the work folder; want only the inbox", got)
	}

	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	kv := "host=" + u.Hostname() + " port=" + u.Port() + " user=" + u.User.Username() + " password='" + secret + " x'" +
		" dbname=" + strings.TrimPrefix(u.Path, "/")
	for k, v := range u.Query() {
		kv += " " + k + "=" + v[0]
	}
	code, stdout, stderr = bdtIn(t, bin, dir, "run", "--now", hostileNow, "--db", kv)
	if code != exitUsage || !strings.Contains(stderr, "no bdt register in this database") || strings.Contains(stdout+stderr, secret) {
		t.Fatalf("run on an empty PostgreSQL schema = exit %d\n%s%s\nwant exit 2: no register", code, stdout, stderr)
	}
	if code, stdout, stderr = bdtIn(t, bin, dir, "register", "import", "--db", kv, filepath.Join(mustAbs(t, "../.."), "samples", "register.xml")); code != 0 {
		t.Fatalf("register import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = bdtIn(t, bin, dir, "run", "--now", hostileNow, "--db", kv, "--log-format", "json")
	if code != 0 || !strings.Contains(stdout, `"status":"ACCEPTED"`) {
		t.Errorf("run on the imported PostgreSQL register = exit %d\n%s%s\nwant the file ACCEPTED", code, stdout, stderr)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"archive", "inbox", "outbox"}) {
		t.Errorf("work folder after the run: %v; want archive, inbox, outbox and no database file", got)
	}
}

// TestDSNSecretsNeverShown: a password in a DSN's query string
// (password, sslpassword) or in key=value pairs is never printed, by a
// failed open or by bdt serve's log, /readyz and /runs/latest (before: the
// query string's were printed as given).
func TestDSNSecretsNeverShown(t *testing.T) {
	bin := sharedBinary(t)
	dir := dsnInbox(t)
	const pw, sslpw = "hunter2-q", "hunter3-q"
	for _, db := range []string{
		"postgres://bdt@127.0.0.1:1/bdt?password=" + pw + "&sslpassword=" + sslpw + "&connect_timeout=5",
		"postgresql://bdt:" + pw + "@127.0.0.1:1/bdt?sslpassword=" + sslpw + "&connect_timeout=5",
		"host=127.0.0.1 port=1 password=" + pw + " sslpassword='" + sslpw + " \\' x' connect_timeout=5",
		"postgres://bdt@127.0.0.1:1/bdt?connect_timeout=oops&password=" + pw + "&sslpassword=" + sslpw,
	} {
		for _, verb := range [][]string{{"run"}, {"files", "list"}, {"migrate"}, {"register", "export"}} {
			code, stdout, stderr := bdtIn(t, bin, dir, append(verb, "--db", db)...)
			if code == 0 || strings.Contains(stdout+stderr, pw) || strings.Contains(stdout+stderr, sslpw) {
				t.Errorf("bdt %v --db %q = exit %d\n%s%s\nwant a failure that shows no password", verb, db, code, stdout, stderr)
			}
		}
	}

	// bdt serve on a reachable register whose DSN carries both secrets
	// (the test server trusts every connection, so they are never used).
	db := pgtest.DSN(t) + "&password=" + pw + "&sslpassword=" + sslpw
	if code, stdout, stderr := bdtIn(t, bin, dir, "register", "import", "--db", db, filepath.Join(mustAbs(t, "../.."), "samples", "register.xml")); code != 0 ||
		strings.Contains(stdout+stderr, pw) || strings.Contains(stdout+stderr, sslpw) {
		t.Fatalf("register import: exit %d\n%s%s", code, stdout, stderr)
	}
	listen := freePort(t)
	cmd := exec.Command(bin, "serve", "--db", db, "--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
		"--archive", filepath.Join(dir, "archive"), "--now", hostileNow, "--listen", listen, "--log-format", "json", "--schedule", "0 2 1 1 *")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + listen
	get := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	eventually(t, "/readyz", func() bool { return get("/readyz") != "" })
	if resp, err := http.Post(base+"/runs", "", nil); err == nil {
		resp.Body.Close()
	}
	eventually(t, "the triggered run", func() bool { return exists(filepath.Join(dir, "archive", hostileLicence)) })
	shown := get("/readyz") + get("/runs/latest") + get("/metrics")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if all := shown + logs.String(); strings.Contains(all, pw) || strings.Contains(all, sslpw) {
		t.Errorf("bdt serve showed a DSN secret:\n%s", all)
	}
}

// mustAbs is filepath.Abs or the test's end.
func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
