package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSuggestions runs the real binary with mistyped verbs and flags: each
// is a usage error (exit 2) naming what was meant, and nothing runs.
func TestSuggestions(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rnu"}, `unknown command "rnu" for "bdt" (did you mean run?)`},
		{[]string{"files", "lst"}, `unknown command "lst" for "bdt files" (did you mean list?)`},
		{[]string{"run", "--inbx", "x"}, `unknown flag: --inbx (did you mean --inbox?); see bdt run --help`},
		{[]string{"serve", "--scedule", "x"}, `(did you mean --schedule?)`},
		{[]string{"run", "--log-levl", "x"}, `(did you mean --log-level?)`},
		{[]string{"run", "--zzzzzz"}, "unknown flag: --zzzzzz; see bdt run --help"},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
			t.Errorf("bdt %s: %v (want exit %d)\n%s", strings.Join(c.args, " "), err, exitUsage, out)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("bdt %s said\n%s\nwant %q", strings.Join(c.args, " "), out, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"inbx", "inbox", 1}, {"rnu", "run", 2}, {"", "db", 2}, {"kitten", "sitting", 3}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
