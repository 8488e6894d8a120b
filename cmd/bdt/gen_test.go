package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/gen"
)

// bdt gen writes a register that bdt register import loads and uploads that
// bdt run processes as the manifest says; the same flags give the same bytes.
func TestGenCommand(t *testing.T) {
	dir := t.TempDir()
	args := func(out string) []string {
		return []string{"gen", "--seed", "5", "--sponsors", "2", "--records", "40", "--kind", "feeupdate,noshow",
			"--invalid", "0.25", "--warnings", "0", "--out", out}
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, out := range []string{a, b} {
		code, stdout, stderr := runBDT(t, args(out)...)
		if code != 0 || !strings.Contains(stdout, "4 files, 160 records") {
			t.Fatalf("bdt gen: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	m, err := gen.ReadManifest(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"register.xml", "gen.json", "inbox/" + m.Files[0].Key} {
		x, _ := os.ReadFile(filepath.Join(a, rel))
		y, _ := os.ReadFile(filepath.Join(b, rel))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: empty or different between two runs", rel)
		}
	}

	db := "sqlite:" + filepath.Join(dir, "bdt.db")
	if code, stdout, stderr := runBDT(t, "register", "import", "--db", db, filepath.Join(a, "register.xml")); code != 0 {
		t.Fatalf("register import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runBDT(t, "run", "--db", db, "--inbox", filepath.Join(a, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
		"--archive", filepath.Join(dir, "archive"), "--now", m.Now, "--log-format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := strings.Count(stdout+stderr, `"accepted":30,"rejected":10`); n != 4 {
		t.Errorf("%d files with 30 accepted and 10 rejected; want 4:\n%s%s", n, stdout, stderr)
	}
}

func TestGenUsage(t *testing.T) {
	for _, args := range [][]string{
		{"gen"}, // no --out
		{"gen", "--out", t.TempDir(), "--kind", "payroll"},
		{"gen", "--out", t.TempDir(), "--invalid", "1.5"},
		{"gen", "--out", t.TempDir(), "--now", "yesterday"},
	} {
		if code, _, _ := runBDT(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d; want %d", args, code, exitUsage)
		}
	}
}
