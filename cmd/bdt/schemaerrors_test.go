package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSchemaErrors runs the real binary on the fee update of
// samples/09-record-schema (three of its five records break the XSD inside
// their own element): by default its two good records are applied
// (PARTIALLY_ACCEPTED, R.SCHEMA on the others); with --schema-errors=file
// the file is REJECTED (F.SCHEMA); an unknown value is a usage error.
func TestRunSchemaErrors(t *testing.T) {
	bin := buildBDT(t, t.TempDir())
	fees, err := os.ReadFile(filepath.Join("..", "..", "samples", "09-record-schema", "inbox", "4NUV7KB58", "fees-2026-11-19.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flag, status, rule, absent string
		code                       int
	}{
		{"", "<Status>PARTIALLY_ACCEPTED</Status>", `Rule="R.SCHEMA"`, `Rule="F.SCHEMA"`, 0},
		{"--schema-errors=record", "<Status>PARTIALLY_ACCEPTED</Status>", `Rule="R.SCHEMA"`, `Rule="F.SCHEMA"`, 0},
		{"--schema-errors=file", "<Status>REJECTED</Status>", `Rule="F.SCHEMA"`, `Rule="R.SCHEMA"`, 0},
		{"--schema-errors=records", "", "", "", 2},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			dir := t.TempDir()
			db := "sqlite:" + filepath.Join(dir, "bdt.db")
			if out, errs, code := bdtRun(t, bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")); code != 0 {
				t.Fatalf("register import: exit %d\n%s%s", code, out, errs)
			}
			in := filepath.Join(dir, "inbox", "4NUV7KB58")
			if err := os.MkdirAll(in, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(in, "fees.xml"), fees, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"run", "--db", db, "--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
				"--archive", filepath.Join(dir, "archive"), "--now", "2026-11-23T02:00:00Z", "--log-format", "json"}
			if tc.flag != "" {
				args = append(args, tc.flag)
			}
			out, errs, code := bdtRun(t, bin, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errs)
			}
			if code != 0 {
				if !strings.Contains(errs, "record or file") {
					t.Errorf("stderr %q does not say what the flag takes", errs)
				}
				return
			}
			res, err := os.ReadFile(filepath.Join(dir, "outbox", "4NUV7KB58", "fees.result.xml"))
			if err != nil {
				t.Fatal(err)
			}
			r := string(res)
			if !strings.Contains(r, tc.status) || !strings.Contains(r, tc.rule) || strings.Contains(r, tc.absent) {
				t.Errorf("result report: want %s with %s, without %s:\n%s", tc.status, tc.rule, tc.absent, r)
			}
		})
	}
}
