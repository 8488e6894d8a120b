package schema

import (
	"os/exec"
	"strings"
	"testing"
)

func TestDottedVersion(t *testing.T) {
	for in, want := range map[string]string{
		"20914":            "2.9.14",
		"21003":            "2.10.3",
		"21400-GITv2.14.0": "2.14.0",
		"":                 "",
		"unknown":          "unknown",
	} {
		if got := dottedVersion(in); got != want {
			t.Errorf("dottedVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLibxmlVersion checks the version the library reports against what
// xmllint, linked to the same system library, says it uses.
func TestLibxmlVersion(t *testing.T) {
	out, err := exec.Command("xmllint", "--version").CombinedOutput()
	if err != nil {
		t.Skipf("xmllint --version: %v (installed by .ci/deps.sh)", err)
	}
	// "xmllint: using libxml version 20914"
	first, _, _ := strings.Cut(string(out), "\n")
	num := first[strings.LastIndexByte(first, ' ')+1:]
	if got, want := LibxmlVersion(), dottedVersion(num); got != want || !strings.HasPrefix(got, "2.") {
		t.Fatalf("LibxmlVersion() = %q, xmllint uses %q (%q)", got, want, first)
	}
}
