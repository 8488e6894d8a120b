package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/sqlite"
)

// Fault tests: each fault fails the file it hits clearly (exit status 1, a
// message naming the file), leaves it pending, and a later run, once the
// fault is gone, completes it — every record applied exactly once, every
// report present (verifyExactlyOnce).

// TestFaultOutboxUnwritable: the outbox cannot take the reports (a file
// stands where the sponsor's report folder should be).
func TestFaultOutboxUnwritable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	os.MkdirAll(filepath.Join(dir, "outbox"), 0o755)
	blocker := filepath.Join(dir, "outbox", "4NUV7KB58")
	os.WriteFile(blocker, []byte("not a folder"), 0o644)
	out, err := crashCmd(bin, dir).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run with an unwritable outbox: %v (want exit 1)\n%s", err, out)
	}
	if !strings.Contains(string(out), "4NUV7KB58/") || !strings.Contains(string(out), "write report") {
		t.Errorf("the failure does not name the file and the report:\n%s", out)
	}
	checkFailureLogged(t, string(out), "4NUV7KB58/wx-crash-1.xml")
	if _, err := os.Stat(filepath.Join(dir, "inbox", "4NUV7KB58", "wx-crash-1.xml")); err != nil {
		t.Errorf("the file left the inbox although its reports were not written: %v", err)
	}
	os.Remove(blocker)
	if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("run after the fault: %v\n%s", err, out)
	}
	verifyExactlyOnce(t, dir)
}

// TestFaultDiskFull: the outbox is a 64 KiB file system that fills up while
// the reports are written.
func TestFaultDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	outbox := filepath.Join(dir, "outbox")
	os.MkdirAll(outbox, 0o755)
	if err := syscall.Mount("tmpfs", outbox, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): needs root", err)
	}
	defer syscall.Unmount(outbox, syscall.MNT_DETACH)
	out, err := crashCmd(bin, dir).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run with a full disk: %v (want exit 1)\n%s", err, out)
	}
	if !strings.Contains(string(out), "no space left on device") {
		t.Errorf("the failure does not say the disk is full:\n%s", out)
	}
	// Move what was written to a roomy outbox, as an operator would.
	roomy := filepath.Join(dir, "outbox-roomy")
	if err := exec.Command("cp", "-a", outbox+"/.", roomy).Run(); err != nil {
		t.Fatal(err)
	}
	syscall.Unmount(outbox, syscall.MNT_DETACH)
	os.RemoveAll(outbox)
	if err := os.Rename(roomy, outbox); err != nil {
		t.Fatal(err)
	}
	if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("run after the fault: %v\n%s", err, out)
	}
	verifyExactlyOnce(t, dir)
}

// TestFaultDatabaseLocked: another process holds the register's write lock
// for longer than bdt waits.
func TestFaultDatabaseLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	ctx := context.Background()
	holder, err := sqlite.Open(ctx, filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin(ctx) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	cmd := crashCmd(bin, dir, "BDT_SQLITE_BUSY_TIMEOUT=300ms")
	out, err := cmd.CombinedOutput()
	tx.Rollback(ctx)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run with the database locked: %v (want exit 1)\n%s", err, out)
	}
	if !strings.Contains(string(out), "locked") && !strings.Contains(string(out), "busy") {
		t.Errorf("the failure does not say the database is locked:\n%s", out)
	}
	if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("run after the lock was released: %v\n%s", err, out)
	}
	verifyExactlyOnce(t, dir)
}

// TestFaultPostgresRestarted: the PostgreSQL server restarts while bdt run
// is applying a large file. That file fails clearly and stays pending,
// nothing of it is applied, and the next run completes everything exactly
// once. The test starts a cluster of its own (.ci/postgres.sh) so that the
// restart disturbs no other test.
func TestFaultPostgresRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster of its own")
	}
	start := exec.Command("../../.ci/postgres.sh", "start")
	// The server inherits the script's standard error: a file, not a pipe
	// that Output would wait on until the server exits.
	logf, err := os.Create(filepath.Join(t.TempDir(), "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	start.Stderr = logf
	out, err := start.Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL required in CI: .ci/postgres.sh start: %v", err)
		}
		t.Skipf("no PostgreSQL cluster can be started here: %v", err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		env[k] = strings.Trim(v, "'")
	}
	dsn, pgdata := env["BDT_TEST_POSTGRES"], env["BDT_TEST_PGDATA"]
	t.Cleanup(func() { exec.Command("../../.ci/postgres.sh", "stop", pgdata).Run() })
	pgctl, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if dsn == "" || len(pgctl) == 0 {
		t.Fatalf("postgres.sh printed %q; pg_ctl %v", out, pgctl)
	}

	bin := sharedBinary(t)
	dir := t.TempDir()
	crashFill(t, bin, dir, dsn)
	// The big file sorts first among 4NUV7KB58's (earliest CreatedAt).
	big := strings.Replace(bigActivityFile("BIG-PG", 150000), "2026-11-22T23:00:00Z", "2026-11-21T00:00:00Z", 1)
	os.WriteFile(filepath.Join(dir, "inbox", "4NUV7KB58", "big.xml"), []byte(big), 0o644)
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--db", dsn, "--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
			"--archive", filepath.Join(dir, "archive"), "--now", "2026-11-23T02:00:00Z", "--log-format", "json")
		return cmd
	}
	ctx := context.Background()
	st, err := open.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	cmd := run()
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the big file to be claimed", func() bool {
		fs, _ := st.FileList(ctx, store.FileListParams{Key: "4NUV7KB58/big.xml", Status: ledger.Processing})
		return len(fs) == 1
	})
	// -l: the new server must not hold this test's pipes open.
	restart := exec.Command("runuser", "-u", "postgres", "--", pgctl[0], "-D", filepath.Join(pgdata, "data"),
		"-l", filepath.Join(pgdata, "server.log"), "-m", "fast", "-w", "restart")
	restart.Stdout, restart.Stderr = logf, logf
	if err := restart.Run(); err != nil {
		t.Fatalf("pg_ctl restart: %v", err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run across a database restart: %v (want exit 1)\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "4NUV7KB58/big.xml") {
		t.Errorf("the failure does not name the file:\n%s", logs.String())
	}
	checkFailureLogged(t, logs.String(), "4NUV7KB58/big.xml")
	st.Close() // its connections died with the server
	if st, err = open.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	if n := appliedFrom(t, st, "BIG-PG"); n != 0 {
		t.Fatalf("%d records of the file in hand were applied across the restart", n)
	}
	if out, err := run().CombinedOutput(); err != nil {
		t.Fatalf("run after the restart: %v\n%s", err, out)
	}
	if n := appliedFrom(t, st, "BIG-PG"); n != 8 {
		t.Errorf("%d records of the big file applied, want 8", n)
	}
	fs, _ := st.FileList(ctx, store.FileListParams{})
	seen := map[string]int{}
	for _, f := range fs {
		seen[f.Key]++
		if f.Status != ledger.Accepted && f.Status != ledger.PartiallyAccepted || !f.Archived {
			t.Errorf("%s: %s, archived %v", f.Key, f.Status, f.Archived)
		}
	}
	for key := range crashFiles {
		if seen[key] != 1 {
			t.Errorf("%s: %d ledger entries, want 1", key, seen[key])
		}
	}
}
