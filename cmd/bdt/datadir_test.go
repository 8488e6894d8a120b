package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// containerUID is the uid the container runs bdt as (Dockerfile).
const containerUID = 10001

// asOtherUser returns a command running the real binary (a copy anyone can
// run) as uid 10001, as in the container, in dir. Run as root, the test
// switches uid for the child (SysProcAttr.Credential); as uid 10001 it needs
// no switch; otherwise it skips, saying why.
func asOtherUser(t *testing.T, bin, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	switch os.Geteuid() {
	case containerUID:
	case 0:
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: containerUID, Gid: containerUID}}
	default:
		t.Skipf("runs bdt as uid %d: needs root (to switch uid) or to be that uid; running as uid %d", containerUID, os.Geteuid())
	}
	return cmd
}

// openTempDir returns a new folder that every user can enter and read, as
// can they the test's temporary folder above it (t.TempDir makes both 0700).
func openTempDir(t *testing.T) string {
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDataFolderNotWritable runs the real binary as uid 10001 in a folder
// it does not own: a register cannot be made there, and bdt says which
// folder, whose it is and the two ways out, exit 2, nothing created; in a
// folder it owns, the same commands work.
func TestDataFolderNotWritable(t *testing.T) {
	bin := sharedBinary(t)
	dir := openTempDir(t)
	own := filepath.Join(dir, "bin")
	os.Mkdir(own, 0o755)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(own, "bdt")
	os.WriteFile(bin, b, 0o755)
	reg, _ := os.ReadFile(filepath.Join("..", "..", "samples", "register.xml"))
	os.WriteFile(filepath.Join(dir, "register.xml"), reg, 0o644)

	notMine := filepath.Join(dir, "data")
	if err := os.Mkdir(notMine, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == containerUID {
		os.Chmod(notMine, 0o555) // not writable by its owner either
	}
	import_ := func(in string) (string, error) {
		out, err := asOtherUser(t, bin, in, "register", "import", "--db", "sqlite:bdt.db", filepath.Join(dir, "register.xml")).CombinedOutput()
		return string(out), err
	}
	out, err := import_(notMine)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
		t.Fatalf("register import in a folder bdt cannot write: %v (want exit %d)\n%s", err, exitUsage, out)
	}
	fi, _ := os.Stat(notMine)
	owner := fi.Sys().(*syscall.Stat_t).Uid
	for _, want := range []string{"cannot write " + notMine + ": owned by uid ", "bdt runs as uid 10001", "--user", "chown -R 10001 " + notMine} {
		if !strings.Contains(out, want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "owned by uid "+strconv.Itoa(int(owner))) || strings.Count(out, "\n") != 1 {
		t.Errorf("the error is not one line naming the owner %d:\n%s", owner, out)
	}
	if ents, _ := os.ReadDir(notMine); len(ents) != 0 {
		t.Errorf("files were created in the folder: %v", ents)
	}

	mine := filepath.Join(dir, "mine")
	os.Mkdir(mine, 0o755)
	if os.Geteuid() == 0 {
		os.Chown(mine, containerUID, containerUID)
	}
	if out, err := import_(mine); err != nil {
		t.Fatalf("register import in a folder bdt owns: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(mine, "inbox"), 0o755)
	if os.Geteuid() == 0 {
		os.Chown(filepath.Join(mine, "inbox"), containerUID, containerUID)
	}
	if out, err := asOtherUser(t, bin, mine, "run", "--log-format", "json").CombinedOutput(); err != nil {
		t.Fatalf("bdt run in a folder bdt owns: %v\n%s", err, out)
	}
}
