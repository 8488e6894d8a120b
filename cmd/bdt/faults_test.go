package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
	tx.Rollback()
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
