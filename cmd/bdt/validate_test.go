package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// buildBDT builds the bdt binary (without the race detector, whatever the
// test binary has) into dir.
func buildBDT(t *testing.T, dir string) string {
	return goBuild(t, dir, "bdt", ".")
}

// goBuild builds the package pkg as dir/name, without the race detector.
func goBuild(t *testing.T, dir, name, pkg string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(gobin, "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bdtRun runs the binary and returns stdout, stderr and the exit status.
func bdtRun(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("bdt %v: %v", args, err)
		}
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// feeFile writes a fee update (v1) with n records and the header declaring
// declared; records listed in bad get an invalid amount. The header takes
// lines 3 to 9; record i takes 7 lines from line 10+7(i-1), its
// CourseFeesPaidToDate on the fifth.
func feeFile(t testing.TB, path string, n, declared int, bad map[int]bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>fees.office</SMSUserId>
    <BulkUpdateFileId>FEES-TEST</BulkUpdateFileId>
    <CreatedAt>2026-07-17T16:45:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, declared)
	for i := 1; i <= n; i++ {
		amount := "9250.00"
		if bad[i] {
			amount = "9250.5"
		}
		fmt.Fprintf(w, `  <CASFeeUpdate>
    <SponsorReference>S%07d</SponsorReference>
    <CASNumber>CAS%011d</CASNumber>
    <CourseFeesForFirstYearOnly>18500.00</CourseFeesForFirstYearOnly>
    <CourseFeesPaidToDate>%s</CourseFeesPaidToDate>
    <CourseFeeIncludesAccomodationCosts>false</CourseFeeIncludesAccomodationCosts>
  </CASFeeUpdate>
`, i, i, amount)
	}
	fmt.Fprintln(w, "</FeeUpdate>")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

var problemLine = regexp.MustCompile(`^(.+):(\d+):(\d+): ([FR]\.[A-Z]+): (.+)$`)

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bin := buildBDT(t, dir)
	samples := filepath.Join("..", "..", "samples", "schema")
	valid, _ := filepath.Glob(filepath.Join(samples, "valid", "*.xml"))
	invalid, _ := filepath.Glob(filepath.Join(samples, "invalid", "*.xml"))
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("no samples")
	}
	count := filepath.Join(dir, "count.xml")
	feeFile(t, count, 2, 3, nil)
	many := filepath.Join(dir, "many.xml")
	bad := map[int]bool{}
	for i := 1; i <= 20; i++ {
		bad[i] = true
	}
	feeFile(t, many, 20, 20, bad)
	doctype := filepath.Join(dir, "doctype.xml")
	if err := os.WriteFile(doctype, []byte("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<x>&e;</x>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	amount := filepath.Join(samples, "invalid", "amount-one-decimal.xml")
	missing := filepath.Join(dir, "nosuch.xml")

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // exact lines, in order (nil: not checked)
		stderr string   // substring ("" : stderr must be empty)
	}{
		{"valid files", append([]string{"validate"}, valid...), 0, []string{}, ""},
		{"schema error", []string{"validate", amount}, 1, []string{
			amount + ":14:56: R.SCHEMA: CourseFeesPaidToDate: '9250.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros"}, ""},
		{"schema error rejecting the file", []string{"validate", "--schema-errors=file", amount}, 1, []string{
			amount + ":14:56: F.SCHEMA: CourseFeesPaidToDate: '9250.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros"}, ""},
		{"bad schema-errors", []string{"validate", "--schema-errors=all", amount}, 2, []string{}, "record or file"},
		{"record count", []string{"validate", count}, 1, []string{
			count + ":8:0: F.COUNT: the header declares 3 records but the file holds 2"}, ""},
		{"size limit", []string{"validate", "--max-size", "100", count}, 1, nil, ""},
		{"doctype", []string{"validate", doctype}, 1, []string{
			doctype + ":2:1: F.WELLFORMED: a DOCTYPE declaration is not allowed: BDT files have no DTD and no entities"}, ""},
		{"error cap", []string{"validate", "--max-errors", "5", many}, 1, nil, "more than 5 problems"},
		{"missing file among others", []string{"validate", valid[0], missing, amount}, 2, nil, "nosuch.xml: no such file"},
		{"directory", []string{"validate", dir}, 2, []string{}, "is a directory"},
		{"no file", []string{"validate"}, 2, []string{}, "requires at least 1 arg"},
		{"bad format", []string{"validate", "--format", "xml", amount}, 2, []string{}, "--format must be text or json"},
		{"bad max-errors", []string{"validate", "--max-errors", "0", amount}, 2, []string{}, "--max-errors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := bdtRun(t, bin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if stdout == "" {
				lines = []string{}
			}
			if tc.stdout != nil && strings.Join(lines, "\n") != strings.Join(tc.stdout, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, strings.Join(tc.stdout, "\n"))
			}
			for _, l := range lines {
				if !problemLine.MatchString(l) {
					t.Errorf("not a FILE:LINE:COL: RULE: message line: %q", l)
				}
			}
			if tc.stderr == "" && stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q does not say %q", stderr, tc.stderr)
			}
		})
	}

	t.Run("every invalid sample", func(t *testing.T) {
		stdout, _, code := bdtRun(t, bin, append([]string{"validate"}, invalid...)...)
		if code != 1 {
			t.Errorf("exit %d", code)
		}
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
			m := problemLine.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("bad line %q", l)
			}
			seen[m[1]] = true
		}
		for _, f := range invalid {
			if !seen[f] {
				t.Errorf("no problem reported for %s", f)
			}
		}
	})

	t.Run("size limit line", func(t *testing.T) {
		stdout, _, _ := bdtRun(t, bin, "validate", "--max-size", "100", count)
		if !strings.HasPrefix(stdout, count+":0:0: F.SIZE: ") || strings.Count(stdout, "\n") != 1 {
			t.Errorf("stdout %q", stdout)
		}
	})

	t.Run("error cap lines", func(t *testing.T) {
		stdout, _, _ := bdtRun(t, bin, "validate", "--max-errors", "5", many)
		if n := strings.Count(stdout, "\n"); n != 5 {
			t.Errorf("%d lines, want 5:\n%s", n, stdout)
		}
	})

	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := bdtRun(t, bin, "validate", "--format", "json", valid[0], amount, count)
		if code != 1 || stderr != "" {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		var objs []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
			var o map[string]any
			if err := json.Unmarshal([]byte(l), &o); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			objs = append(objs, o)
		}
		want := []string{
			fmt.Sprintf(`{"file":%q,"format":"feeupdate-v1","problems":0,"records":4,"truncated":false,"type":"file","valid":true}`, valid[0]),
			fmt.Sprintf(`{"column":56,"file":%q,"line":14,"message":"CourseFeesPaidToDate: '9250.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros","path":"/FeeUpdate/CASFeeUpdate[1]/CourseFeesPaidToDate","record":1,"rejects":"record","rule":"R.SCHEMA","type":"problem"}`, amount),
			fmt.Sprintf(`{"file":%q,"format":"feeupdate-v1","problems":1,"records":2,"truncated":false,"type":"file","valid":false}`, amount),
			fmt.Sprintf(`{"column":0,"file":%q,"line":8,"message":"the header declares 3 records but the file holds 2","path":"/FeeUpdate/Header/RecordCount","rejects":"file","rule":"F.COUNT","type":"problem"}`, count),
			fmt.Sprintf(`{"file":%q,"format":"feeupdate-v1","problems":1,"records":2,"truncated":false,"type":"file","valid":false}`, count),
		}
		if len(objs) != len(want) {
			t.Fatalf("%d objects:\n%s", len(objs), stdout)
		}
		for i, o := range objs {
			b, _ := json.Marshal(o) // map keys come out sorted
			if string(b) != want[i] {
				t.Errorf("object %d\n got %s\nwant %s", i+1, b, want[i])
			}
		}
	})

	t.Run("memory", func(t *testing.T) {
		// 200,000 records (about 50 MB) in well under 32 MB of RSS: the file
		// is streamed, never held.
		if testing.Short() {
			t.Skip("-short")
		}
		big := filepath.Join(dir, "big.xml")
		feeFile(t, big, 200000, 200000, nil)
		st, err := os.Stat(big)
		if err != nil {
			t.Fatal(err)
		}
		// bdt's own accounting (BDT_MEMSTATS): the peak RSS, and the peak
		// less the mapped code, which some machines keep resident in whole.
		cmd := exec.Command(bin, "validate", "--max-size", "0", big)
		cmd.Env = append(os.Environ(), "BDT_MEMSTATS=1")
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		err = cmd.Run()
		var peak, file, anon int64 // KiB
		i := strings.Index(se.String(), "bdt: memstats ")
		if i >= 0 {
			fmt.Sscanf(se.String()[i:], "bdt: memstats peak-rss-kib=%d file-rss-kib=%d peak-anon-kib=%d", &peak, &file, &anon)
		}
		if err != nil || so.Len() != 0 || i != 0 || peak == 0 {
			t.Fatalf("err %v, stdout %q, stderr %q", err, so.String(), se.String())
		}
		t.Logf("bdt validate of %d records (%.1f MB): peak RSS %.1f MiB, of which mapped code %.1f MiB: %.1f MiB for the work",
			200000, float64(st.Size())/1e6, float64(peak)/1024, float64(file)/1024, float64(anon)/1024)
		if anon >= 32<<10 {
			t.Errorf("peak RSS less mapped code %d KiB, want under 32 MiB", anon)
		}
		// The same file with one error near the end: found, with its line.
		feeFile(t, big, 200000, 200000, map[int]bool{199999: true})
		stdout, _, code := bdtRun(t, bin, "validate", "--max-size", "0", big)
		wantLine := 10 + 199998*7 + 4
		if code != 1 || !strings.HasPrefix(stdout, fmt.Sprintf("%s:%d:", big, wantLine)) {
			t.Errorf("exit %d, stdout %q, want a problem at line %d", code, stdout, wantLine)
		}
	})
}
