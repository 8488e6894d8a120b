package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"bdt/bdt/storage/s3/s3test"
)

// s3Run runs `bdt run` (a real process) with inbox, outbox and archive in
// prefixes of one bucket, credentials and region from the environment as
// the SDK's default chain reads them.
func s3Run(bin, db, bucket string, args, env []string) ([]byte, error) {
	cmd := exec.Command(bin, append([]string{"run", "--db", db,
		"--inbox", "s3://" + bucket + "/inbox", "--outbox", "s3://" + bucket + "/outbox/",
		"--archive", "s3://" + bucket + "/archive", "--now", "2026-11-23T02:00:00Z", "--log-format", "json"}, args...)...)
	cmd.Env = append(append(os.Environ(), s3test.Env()...), env...)
	return cmd.CombinedOutput()
}

// s3Setup imports the sample register and uploads the files under the
// scenario folder's inbox/ to the bucket's inbox/ prefix; it returns them by
// key relative to the inbox.
func s3Setup(t *testing.T, bin, db string, srv *s3test.Server, bucket, inbox string, only ...string) map[string][]byte {
	t.Helper()
	out, err := exec.Command(bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput()
	if err != nil {
		t.Fatalf("register import: %v\n%s", err, out)
	}
	files := s3ReadTree(t, inbox)
	for key, body := range files {
		if len(only) > 0 && !slices.Contains(only, key) {
			delete(files, key)
			continue
		}
		srv.PutRaw(t, bucket, "inbox/"+key, string(body))
	}
	return files
}

// s3ReadTree returns the files under dir by slash-separated relative path.
func s3ReadTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// s3Tree returns the objects of bucket under prefix, by key relative to it.
func s3Tree(t *testing.T, srv *s3test.Server, bucket, prefix string) map[string][]byte {
	t.Helper()
	objs := map[string][]byte{}
	for _, k := range srv.Keys(t, bucket, prefix) {
		objs[strings.TrimPrefix(k, prefix)] = srv.Get(t, bucket, k)
	}
	return objs
}

func s3Keys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// s3LedgerFile is what the tests read of `bdt files list --format json`.
type s3LedgerFile struct {
	Key            string
	Status         string
	Accepted       int
	ReportsWritten bool
	Archived       bool
}

func s3Ledger(t *testing.T, bin, db string) []s3LedgerFile {
	t.Helper()
	out, err := exec.Command(bin, "files", "list", "--db", db, "--limit", "0", "--format", "json").Output()
	if err != nil {
		t.Fatalf("files list: %v", err)
	}
	var fs []s3LedgerFile
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var f s3LedgerFile
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("files list line %q: %v", sc.Text(), err)
		}
		fs = append(fs, f)
	}
	return fs
}

// TestRunS3EndToEnd runs the accepted-files sample scenario through `bdt
// run` with inbox, outbox and archive in one versitygw bucket: the reports
// in the outbox prefix are the scenario's golden reports byte for byte, the
// inbox is empty, the archive holds the files and the ledger says ACCEPTED.
func TestRunS3EndToEnd(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	const bucket = "bdt"
	srv.CreateBucket(t, bucket)
	scenario := filepath.Join("..", "..", "samples", "01-accepted")
	db := "sqlite:" + filepath.Join(t.TempDir(), "bdt.db")
	files := s3Setup(t, bin, db, srv, bucket, filepath.Join(scenario, "inbox"))
	if len(files) < 2 {
		t.Fatalf("the scenario has %d files", len(files))
	}

	out, err := s3Run(bin, db, bucket, []string{"--s3-endpoint", srv.Endpoint, "--workers", "2"}, nil)
	if err != nil {
		t.Fatalf("bdt run: %v\n%s", err, out)
	}

	golden := s3ReadTree(t, filepath.Join(scenario, "golden"))
	outbox := s3Tree(t, srv, bucket, "outbox/")
	if got, want := s3Keys(outbox), s3Keys(golden); !slices.Equal(got, want) {
		t.Errorf("outbox holds\n%q\nwant the golden reports\n%q", got, want)
	}
	if len(outbox) != 3*len(files) {
		t.Errorf("%d reports for %d files", len(outbox), len(files))
	}
	for k, want := range golden {
		if got, ok := outbox[k]; ok && !bytes.Equal(got, want) {
			t.Errorf("outbox/%s differs from the golden report", k)
		}
	}
	if keys := srv.Keys(t, bucket, "inbox/"); len(keys) != 0 {
		t.Errorf("the inbox still holds %q", keys)
	}
	archive := s3Tree(t, srv, bucket, "archive/")
	if got, want := s3Keys(archive), s3Keys(files); !slices.Equal(got, want) {
		t.Errorf("archive holds %q, want %q", got, want)
	}
	for k, want := range files {
		if got, ok := archive[k]; ok && !bytes.Equal(got, want) {
			t.Errorf("archive/%s differs from the file uploaded", k)
		}
	}
	entries := s3Ledger(t, bin, db)
	if len(entries) != len(files) {
		t.Errorf("the ledger has %d files, want %d", len(entries), len(files))
	}
	for _, f := range entries {
		if f.Status != "ACCEPTED" || !f.ReportsWritten || !f.Archived || files[f.Key] == nil {
			t.Errorf("ledger: %+v, want an uploaded file ACCEPTED, reports written, archived", f)
		}
	}

	// A second run finds nothing to do and changes nothing.
	if out, err := s3Run(bin, db, bucket, []string{"--s3-endpoint", srv.Endpoint}, nil); err != nil {
		t.Fatalf("second bdt run: %v\n%s", err, out)
	}
	if again := s3Tree(t, srv, bucket, "outbox/"); !slices.Equal(s3Keys(again), s3Keys(outbox)) {
		t.Errorf("the second run changed the outbox: %q", s3Keys(again))
	}
	if n := len(s3Ledger(t, bin, db)); n != len(files) {
		t.Errorf("after a second run the ledger has %d files, want %d", n, len(files))
	}
}

// TestRunS3ReadFailsMidway cuts every download of the inbox file part way
// (the endpoint, a fault-injecting proxy, comes from BDT_S3_ENDPOINT): the
// run fails with exit status 1 and leaves the file pending, unapplied and
// unreported; the next run, with the connection whole, accepts it.
func TestRunS3ReadFailsMidway(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	proxy := srv.Proxy(t)
	const bucket = "bdt"
	srv.CreateBucket(t, bucket)
	db := "sqlite:" + filepath.Join(t.TempDir(), "bdt.db")
	const key = "4NUV7KB58/noshow-2026-11-20.xml"
	files := s3Setup(t, bin, db, srv, bucket, filepath.Join("..", "..", "samples", "01-accepted", "inbox"), key)
	if len(files) != 1 || len(files[key]) < 400 {
		t.Fatalf("want the sample %s of more than 400 bytes, have %d files", key, len(files))
	}
	env := []string{"BDT_S3_ENDPOINT=" + proxy.URL}

	proxy.CutObjectReads(int64(len(files[key]) / 2))
	out, err := s3Run(bin, db, bucket, nil, env)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("bdt run with downloads cut: %v, want exit status 1\n%s", err, out)
	}
	if proxy.Cuts() == 0 {
		t.Fatalf("the proxy cut no download\n%s", out)
	}
	if !bytes.Contains(out, []byte("unexpected EOF")) {
		t.Errorf("the failed run does not say the read broke off:\n%s", out)
	}
	if keys := srv.Keys(t, bucket, "inbox/"); !slices.Equal(keys, []string{"inbox/" + key}) {
		t.Errorf("after the failed run the inbox holds %q, want the file", keys)
	}
	if keys := srv.Keys(t, bucket, "outbox/"); len(keys) != 0 {
		t.Errorf("the failed run wrote %q", keys)
	}
	if keys := srv.Keys(t, bucket, "archive/"); len(keys) != 0 {
		t.Errorf("the failed run archived %q", keys)
	}
	for _, f := range s3Ledger(t, bin, db) {
		if f.Status != "PROCESSING" || f.Accepted != 0 {
			t.Errorf("after the failed run the ledger has %+v, want nothing applied", f)
		}
	}

	proxy.CutObjectReads(0)
	if out, err := s3Run(bin, db, bucket, nil, env); err != nil {
		t.Fatalf("bdt run with the connection whole: %v\n%s", err, out)
	}
	entries := s3Ledger(t, bin, db)
	if len(entries) != 1 || entries[0].Status != "ACCEPTED" || !entries[0].Archived {
		t.Errorf("ledger = %+v, want the file ACCEPTED and archived", entries)
	}
	name := strings.TrimSuffix(key, ".xml")
	want := []string{"outbox/" + name + ".errors.csv", "outbox/" + name + ".result.xml", "outbox/" + name + ".summary.html"}
	if keys := srv.Keys(t, bucket, "outbox/"); !slices.Equal(keys, want) {
		t.Errorf("outbox holds %q, want %q", keys, want)
	}
	if keys := srv.Keys(t, bucket, "inbox/"); len(keys) != 0 {
		t.Errorf("the inbox still holds %q", keys)
	}
}
