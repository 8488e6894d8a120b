package main

import (
	"strings"
	"testing"

	"bdt/schema"
)

func TestSchemaCommand(t *testing.T) {
	bin := buildBDT(t, t.TempDir())
	stdout, stderr, code := bdtRun(t, bin, "schema", "list")
	if code != 0 || stderr != "" {
		t.Fatalf("schema list: exit %d, %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if f := strings.Fields(lines[0]); len(f) != 3 || f[0] != "NAME" || f[1] != "NAMESPACE" || f[2] != "TITLE" {
		t.Errorf("heading %q", lines[0])
	}
	listed := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		listed[f[0]] = l
	}
	for _, f := range schema.Formats() {
		if _, err := schema.Source(f.File); err != nil {
			continue
		}
		l, ok := listed[f.Name]
		if !ok || !strings.Contains(l, f.Namespace) || !strings.Contains(l, f.Title) {
			t.Errorf("format %s: listed as %q", f.Name, l)
		}
	}
	if _, ok := listed["common"]; !ok {
		t.Errorf("common is not listed")
	}

	for _, tc := range []struct{ name, file string }{
		{"feeupdate-v2", "xsd/feeupdate-v2.xsd"},
		{"noshow-v1", "xsd/noshow-v1.xsd"},
		{"common", "xsd/common.xsd"},
	} {
		want, err := schema.Source(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := bdtRun(t, bin, "schema", "show", tc.name)
		if code != 0 || stderr != "" || stdout != string(want) {
			t.Errorf("schema show %s: exit %d, stderr %q, %d bytes (want %d)", tc.name, code, stderr, len(stdout), len(want))
		}
	}
	for _, args := range [][]string{{"schema", "show", "nope"}, {"schema", "show"}, {"schema", "list", "x"}} {
		stdout, stderr, code := bdtRun(t, bin, args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if _, stderr, _ := bdtRun(t, bin, "schema", "show", "nope"); !strings.Contains(stderr, `no schema called "nope"`) || !strings.Contains(stderr, "feeupdate-v1") {
		t.Errorf("stderr %q", stderr)
	}
}
