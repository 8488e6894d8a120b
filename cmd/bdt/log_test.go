package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkFailureLogged checks that the JSON log of a run (other output lines
// are ignored) has, at level error, the failure of the file key with its
// reason, and the failure of the run.
func checkFailureLogged(t *testing.T, logs, key string) {
	t.Helper()
	var fileLine, runLine bool
	for _, line := range strings.Split(logs, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil || l["level"] != "error" {
			continue
		}
		reason, _ := l["error"].(string)
		switch {
		case l["file"] == key && reason != "":
			elapsed, _ := l["elapsed"].(string)
			if _, err := time.ParseDuration(elapsed); err != nil {
				t.Errorf("elapsed %v is not a duration with its unit: %v", l["elapsed"], err)
			}
			fileLine = true
		case l["message"] == "run failed" && strings.Contains(reason, "could not be processed"):
			runLine = true
		}
	}
	if !fileLine || !runLine {
		t.Errorf("no error-level log line with the reason for the file %s (%v) or for the run (%v):\n%s", key, fileLine, runLine, logs)
	}
}

// TestLogFormatAndLevel runs the real binary: console lines begin with the
// date and time, the start line names the versions, --log-level hides what
// is below it, and a level that is not one is a usage error.
func TestLogFormatAndLevel(t *testing.T) {
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	run := func(args ...string) (string, error) {
		cmd := crashCmd(bin, dir)
		cmd.Args = append(cmd.Args, args...) // the last --log-format wins
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		return stderr.String(), err
	}
	logs, err := run("--log-format", "console", "--dry-run")
	if err != nil {
		t.Fatalf("bdt run: %v\n%s", err, logs)
	}
	first, _, _ := strings.Cut(logs, "\n")
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) INF bdt run starting .*libxml2=\d`).MatchString(first) {
		t.Errorf("the first console line is not the dated start line:\n%s", logs)
	}
	if logs, err = run("--log-format", "console", "--dry-run", "--log-level", "warn"); err != nil || strings.Contains(logs, "starting") {
		t.Errorf("--log-level warn: %v, still shows info lines:\n%s", err, logs)
	}
	logs, err = run("--log-level", "loud")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage || !strings.Contains(logs, "--log-level must be") {
		t.Errorf("--log-level loud: %v (want exit %d)\n%s", err, exitUsage, logs)
	}
}
