package main

import (
	"encoding/json"
	"strings"
	"testing"
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
			fileLine = true
		case l["message"] == "run failed" && strings.Contains(reason, "could not be processed"):
			runLine = true
		}
	}
	if !fileLine || !runLine {
		t.Errorf("no error-level log line with the reason for the file %s (%v) or for the run (%v):\n%s", key, fileLine, runLine, logs)
	}
}
