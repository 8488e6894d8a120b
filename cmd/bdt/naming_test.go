package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"bdt/bdt/storage/s3/s3test"
)

// The security review's items on the names of reports and archived files
// (issue 17, items 6, 7 and 8), through the real binary.

// namingDir makes a work folder holding the sample register (bdt.db) and an
// empty inbox folder of the sample sponsor, and returns it.
func namingDir(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "inbox", hostileLicence), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := bdtIn(t, bin, dir, "register", "import", filepath.Join(mustAbs(t, "../.."), "samples", "register.xml")); code != 0 {
		t.Fatalf("register import: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir
}

// upload puts body in the sponsor's inbox folder as name.
func upload(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "inbox", hostileLicence, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runOK runs bdt run in dir and fails the test unless it exits 0.
func runOK(t *testing.T, bin, dir string) {
	t.Helper()
	if code, stdout, stderr := bdtIn(t, bin, dir, "run", "--now", hostileNow); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
}

// folderFiles returns the files of the sponsor's folder under dir/sub by
// name.
func folderFiles(t *testing.T, dir, sub string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, sub, hostileLicence))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, sub, hostileLicence, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

var reportSHA = regexp.MustCompile(`<SHA256>([0-9a-f]{64})</SHA256>`)

// TestEveryUploadKeepsItsOwnNames: uploads whose names once shared report
// or archive names (a.xml twice, a.2.xml, a, a.XML) each keep three reports
// of their own, each naming its own file's bytes, and an archived copy of
// their own bytes (before: the second a.xml overwrote the first's archived
// copy and a.2.xml's reports; a, a.xml and a.XML wrote the same reports).
func TestEveryUploadKeepsItsOwnNames(t *testing.T) {
	bin := sharedBinary(t)
	dir := namingDir(t, bin)
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	uploads := map[string]bool{} // SHA-256 of every upload
	first := []string{"a.xml", "a.2.xml", "a", "a.XML"}
	for i, name := range first {
		body := hostileDoc("NAMES-"+name, "Changed course "+strings.Repeat("x", i)+".")
		upload(t, dir, name, body)
		uploads[sum(body)] = true
	}
	runOK(t, bin, dir)
	second := hostileDoc("NAMES-again", "Changed course again.")
	upload(t, dir, "a.xml", second)
	uploads[sum(second)] = true
	runOK(t, bin, dir)

	// The ordinary first upload keeps the names it always had.
	reports := folderFiles(t, dir, "outbox")
	for _, n := range []string{"a.result.xml", "a.errors.csv", "a.summary.html"} {
		if _, ok := reports[n]; !ok {
			t.Errorf("no report %s; reports: %v", n, keys(reports))
		}
	}
	if len(reports) != 3*len(uploads) {
		t.Errorf("%d reports for %d uploads: %v", len(reports), len(uploads), keys(reports))
	}
	named := map[string]string{} // SHA-256 -> the result report naming it
	for n, b := range reports {
		if !strings.HasSuffix(n, ".result.xml") {
			continue
		}
		m := reportSHA.FindSubmatch(b)
		if m == nil || !uploads[string(m[1])] || named[string(m[1])] != "" {
			t.Errorf("result report %s names no upload of its own:\n%s", n, b)
			continue
		}
		named[string(m[1])] = n
		base := strings.TrimSuffix(n, ".result.xml")
		for _, other := range []string{base + ".errors.csv", base + ".summary.html"} {
			if _, ok := reports[other]; !ok {
				t.Errorf("result report %s has no %s", n, other)
			}
		}
	}
	archived := folderFiles(t, dir, "archive")
	seen := map[string]bool{}
	for n, b := range archived {
		s := sum(string(b))
		if !uploads[s] || seen[s] {
			t.Errorf("archived %s is not an upload of its own", n)
		}
		seen[s] = true
	}
	if len(archived) != len(uploads) || len(named) != len(uploads) {
		t.Errorf("%d uploads, %d archived (%v), %d with a result report", len(uploads), len(archived), keys(archived), len(named))
	}
}

// TestLongNameIsApplied: a file whose name is 254 bytes long (the most a
// file system allows is 255) is applied, reported under names that fit and
// archived, and the next run has nothing left to do (before: its reports
// could not be written, "file name too long", the file stayed pending and
// every run exited 1).
func TestLongNameIsApplied(t *testing.T) {
	bin := sharedBinary(t)
	dir := namingDir(t, bin)
	for i, name := range []string{strings.Repeat("n", 250) + ".xml", strings.Repeat("é", 125) + ".xml", strings.Repeat("n", 255)} {
		upload(t, dir, name, hostileDoc("LONG-"+string(rune('A'+i)), "Changed course."))
	}
	runOK(t, bin, dir)
	if got := folderFiles(t, dir, "inbox"); len(got) != 0 {
		t.Errorf("left in the inbox: %v", keys(got))
	}
	archived, reports := folderFiles(t, dir, "archive"), folderFiles(t, dir, "outbox")
	if len(archived) != 3 || len(reports) != 9 {
		t.Errorf("archived %v, reports %v; want 3 and 9", keys(archived), keys(reports))
	}
	for n, b := range reports {
		if strings.HasSuffix(n, ".result.xml") && (!strings.Contains(string(b), "<Status>ACCEPTED</Status>") || !strings.Contains(string(b), "<Name>"+strings.Repeat("n", 250)) && !strings.Contains(string(b), "<Name>éé")) {
			t.Errorf("result report %s:\n%s", n, b)
		}
	}
	code, stdout, stderr := bdtIn(t, bin, dir, "run", "--now", hostileNow, "--log-format", "json")
	if code != 0 || strings.Contains(stdout, `"status"`) {
		t.Errorf("second run: exit %d\n%s%s\nwant exit 0, nothing processed", code, stdout, stderr)
	}
}

// TestS3NamesOfTheirOwn: on S3 alike, a re-upload of a.xml is archived
// beside the first file, not over it, and a 254-byte name is reported under
// names that fit and archived (versitygw keeps objects as files, so a name
// too long for a file system fails there as on a folder).
func TestS3NamesOfTheirOwn(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	bucket := srv.Bucket(t)
	db := "sqlite:" + filepath.Join(namingDir(t, bin), "bdt.db")
	long := strings.Repeat("n", 250) + ".xml"
	first, second := hostileDoc("S3-NAMES-1", "Changed course."), hostileDoc("S3-NAMES-2", "Changed course again.")
	srv.PutRaw(t, bucket, "inbox/"+hostileLicence+"/a.xml", first)
	srv.PutRaw(t, bucket, "inbox/"+hostileLicence+"/"+long, hostileDoc("S3-NAMES-3", "Changed course."))
	for _, next := range []string{second, ""} {
		if out, err := s3Run(bin, db, bucket, []string{"--s3-endpoint", srv.Endpoint}, nil); err != nil {
			t.Fatalf("bdt run: %v\n%s", err, out)
		}
		if next != "" {
			srv.PutRaw(t, bucket, "inbox/"+hostileLicence+"/a.xml", next)
		}
	}
	if left := s3Tree(t, srv, bucket, "inbox/"); len(left) != 0 {
		t.Errorf("left in the inbox: %v", keys(left))
	}
	archived := s3Tree(t, srv, bucket, "archive/"+hostileLicence+"/")
	if string(archived["a.xml"]) != first || string(archived["a.xml.2.xml"]) != second || len(archived) != 3 {
		t.Errorf("archived %v; want a.xml and a.xml.2.xml with their own bytes, and the long name's", keys(archived))
	}
	if reports := s3Tree(t, srv, bucket, "outbox/"+hostileLicence+"/"); len(reports) != 9 {
		t.Errorf("reports %v; want 9", keys(reports))
	}
}

// keys returns m's keys, sorted.
func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
