package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// umaskCmd is crashCmd run by a shell under umask.
func umaskCmd(bin, dir, umask string, args ...string) *exec.Cmd {
	c := crashCmd(bin, dir)
	c.Args = append(c.Args, args...)
	sh := exec.Command("sh", append([]string{"-c", "umask " + umask + ` && exec "$@"`, "sh"}, c.Args...)...)
	sh.Env = c.Env
	return sh
}

// TestFileModes runs the real binary under umask 022 and 077, and with
// --file-mode and --dir-mode: reports, archived files and the folders bdt
// creates follow the umask unless the flags say otherwise.
func TestFileModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	bin := sharedBinary(t)
	for _, c := range []struct {
		umask             string
		flags             []string
		wantFile, wantDir fs.FileMode
	}{
		{"022", nil, 0o644, 0o755},
		{"077", nil, 0o600, 0o700},
		{"077", []string{"--file-mode", "0640", "--dir-mode", "0750"}, 0o640, 0o750},
		{"002", []string{"--file-mode", "640"}, 0o640, 0o775},
	} {
		t.Run(c.umask+strings.Join(c.flags, ""), func(t *testing.T) {
			dir := crashSetup(t, bin)
			if out, err := umaskCmd(bin, dir, c.umask, c.flags...).CombinedOutput(); err != nil {
				t.Fatalf("bdt run: %v\n%s", err, out)
			}
			checked := 0
			for _, top := range []string{"outbox", "archive"} {
				filepath.WalkDir(filepath.Join(dir, top), func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						t.Fatal(err)
					}
					if d.Name() == ".bdt" {
						return fs.SkipDir // bdt's own staging folder: 0700
					}
					info, _ := d.Info()
					want := c.wantFile
					if d.IsDir() {
						want = c.wantDir
					}
					if got := info.Mode().Perm(); got != want {
						t.Errorf("%s: mode %o, want %o", strings.TrimPrefix(p, dir), got, want)
					}
					checked++
					return nil
				})
			}
			if checked < 2+3+len(crashFiles)*4 {
				t.Errorf("only %d files and folders checked", checked)
			}
		})
	}
	dir := t.TempDir()
	out, err := exec.Command(bin, "run", "--db", "sqlite:"+filepath.Join(dir, "bdt.db"), "--file-mode", "rw-r--r--").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "--file-mode") {
		t.Errorf("--file-mode rw-r--r--: %v (want exit %d)\n%s", err, exitUsage, out)
	}
}

// TestCrashBeforeRenameLeavesNoTemporary kills bdt run (SIGKILL, failpoint
// before-rename) after a report is written and before it is renamed into
// place: the sponsor's folder shows no temporary file, and the next run
// completes everything exactly once.
func TestCrashBeforeRenameLeavesNoTemporary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	bin := sharedBinary(t)
	for _, fp := range []string{"before-rename:1", "before-rename:5", "before-rename:11"} {
		t.Run(fp, func(t *testing.T) {
			dir := crashSetup(t, bin)
			out, err := crashCmd(bin, dir, "BDT_FAILPOINT="+fp).CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || !killedBySIGKILL(ee.ProcessState) {
				t.Fatalf("the run with failpoint %s ended with %v, not SIGKILL:\n%s", fp, err, out)
			}
			litter := func() []string {
				var names []string
				for _, top := range []string{"outbox", "archive"} {
					sponsors, _ := os.ReadDir(filepath.Join(dir, top))
					for _, s := range sponsors {
						if s.Name() == ".bdt" {
							continue
						}
						ents, _ := os.ReadDir(filepath.Join(dir, top, s.Name()))
						for _, e := range ents {
							if strings.HasPrefix(e.Name(), ".") {
								names = append(names, filepath.Join(top, s.Name(), e.Name()))
							}
						}
					}
				}
				return names
			}
			if l := litter(); len(l) > 0 {
				t.Errorf("after the crash, sponsors' folders show temporary files: %v", l)
			}
			staged, _ := filepath.Glob(filepath.Join(dir, "*", ".bdt", "tmp", ".bdt-tmp-*"))
			if len(staged) == 0 {
				t.Errorf("no temporary file in the staging folders: the crash interrupted no write")
			}
			if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
				t.Fatalf("recovery run: %v\n%s", err, out)
			}
			if l := litter(); len(l) > 0 {
				t.Errorf("after the recovery, sponsors' folders show temporary files: %v", l)
			}
			verifyExactlyOnce(t, dir)
		})
	}
}
