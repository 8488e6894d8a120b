package main

import (
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// versionFields runs bin with args and parses the "name: value" lines it
// prints.
func versionFields(t *testing.T, bin string, args ...string) (map[string]string, string) {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("bdt %s: %v", strings.Join(args, " "), err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bdt %s: line %q is not name: value", strings.Join(args, " "), line)
		}
		fields[name] = strings.TrimSpace(value)
	}
	return fields, string(out)
}

// libxml2Version is the system libxml2's version as pkg-config has it.
func libxml2Version(t *testing.T) string {
	out, err := exec.Command("pkg-config", "--modversion", "libxml-2.0").Output()
	if err != nil {
		t.Skipf("pkg-config --modversion libxml-2.0: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestVersionCommand runs the real binary's `version` and `--version` and
// checks every field against what is really there: the build information
// the Go linker wrote into the binary, the Go toolchain, the system libxml2.
func TestVersionCommand(t *testing.T) {
	bin := sharedBinary(t)
	got, text := versionFields(t, bin, "version")
	if _, again := versionFields(t, bin, "--version"); again != text {
		t.Errorf("bdt --version prints\n%s\nbdt version prints\n%s", again, text)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"version": bi.Main.Version, "revision": "unknown", "revision_time": "unknown", "modified": "false",
		"go": runtime.Version(), "libxml2": libxml2Version(t),
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			want["revision"] = s.Value
		case "vcs.time":
			want["revision_time"] = s.Value
		case "vcs.modified":
			want["modified"] = s.Value
		}
	}
	if bi.GoVersion != runtime.Version() {
		t.Fatalf("the binary was built by %s, the test by %s", bi.GoVersion, runtime.Version())
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("bdt version: %s %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("bdt version printed %d fields, want %d:\n%s", len(got), len(want), text)
	}
}

// TestVersionFromLinker: a build without VCS information (the container's)
// names its version and revision with -ldflags -X, as the Dockerfile does.
func TestVersionFromLinker(t *testing.T) {
	if testing.Short() {
		t.Skip("links a second bdt binary")
	}
	bin := filepath.Join(t.TempDir(), "bdt")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin,
		"-ldflags", "-X bdt/bdt/buildinfo.version=v9.8.7 -X bdt/bdt/buildinfo.revision=0123abc", ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	got, _ := versionFields(t, bin, "version")
	if got["version"] != "v9.8.7" || got["revision"] != "0123abc" || got["go"] != runtime.Version() {
		t.Fatalf("bdt version = %v", got)
	}
}
