package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// freePort returns a loopback address no one listens on (yet).
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// eventually polls cond until it holds, failing after a generous bound (a
// guard against hanging, not a timing assertion).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	eventuallyWithin(t, 60*time.Second, what, cond)
}

// eventuallyWithin is eventually with a bound of its own, for what takes
// long on a loaded machine.
func eventuallyWithin(t testing.TB, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func serveCmd(bin, dir, listen string, extra ...string) *exec.Cmd {
	args := append([]string{"serve", "--db", "sqlite:" + filepath.Join(dir, "bdt.db"),
		"--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
		"--archive", filepath.Join(dir, "archive"), "--now", "2026-11-23T02:00:00Z",
		"--listen", listen, "--log-format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	return cmd
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestServeSchedulesAndTriggers runs bdt serve as a real process with a
// per-second schedule: files dropped in the inbox are processed by the
// schedule, POST /runs triggers a run, metrics count them, and SIGTERM
// stops it cleanly.
func TestServeSchedulesAndTriggers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	cmd, listen, logs := startServe(t, bin, dir, "--schedule", "*/1 * * * * *")
	base := "http://" + listen
	for key := range crashFiles {
		res := strings.TrimSuffix(key, ".xml") + ".result.xml"
		eventually(t, "the scheduled run to report "+res, func() bool { return exists(filepath.Join(dir, "outbox", res)) })
	}

	// A file dropped later, and a run triggered through the API.
	late := strings.ReplaceAll(crashFiles["4NUV7KB58/wx-crash-1.xml"], "WX-CRASH-1", "WX-CRASH-LATE")
	os.WriteFile(filepath.Join(dir, "inbox", "4NUV7KB58", "wx-crash-late.xml"), []byte(late), 0o644)
	eventually(t, "POST /runs to be accepted", func() bool {
		resp, err := http.Post(base+"/runs", "", nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusConflict {
			t.Fatalf("POST /runs = %d", resp.StatusCode)
		}
		return resp.StatusCode == http.StatusAccepted
	})
	eventually(t, "the late file's report", func() bool {
		return exists(filepath.Join(dir, "outbox", "4NUV7KB58", "wx-crash-late.result.xml"))
	})
	// The API run is counted when it ends, a moment after it has written
	// the report (or after a scheduled run took the file first).
	wants := []string{`bdt_files_processed_total{kind="studentactivity",status="ACCEPTED"}`, `bdt_runs_total{result="ok",trigger="api"}`,
		`bdt_last_successful_run_timestamp_seconds`, `bdt_rule_findings_total`, `bdt_build_info{goversion="` + runtime.Version() + `"`}
	var metrics []byte
	eventually(t, "the metrics of the runs: "+strings.Join(wants, ", "), func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range wants {
			if !strings.Contains(string(metrics), want) {
				return false
			}
		}
		return true
	})
	for _, path := range []string{"/readyz", "/runs/latest"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, err, resp.StatusCode)
		} else {
			resp.Body.Close()
			if resp.Header.Get("BDT-Version") == "" {
				t.Errorf("GET %s: no BDT-Version header", path)
			}
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bdt serve after SIGTERM: %v\n%s", err, logs.String())
	}
	if n := strings.Count(logs.String(), `"message":"bdt serve starting"`); n != 1 || !strings.Contains(logs.String(), `"libxml2":"`) {
		t.Errorf("%d start lines with the versions, want 1:\n%s", n, logs.String())
	}
	// Everything applied exactly once, the late file included.
	st, err := open.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, _ := st.FileList(context.Background(), store.FileListParams{})
	if len(fs) != len(crashFiles)+1 {
		t.Errorf("%d ledger entries, want %d", len(fs), len(crashFiles)+1)
	}
	for _, f := range fs {
		if f.Status != ledger.Accepted || !f.Archived {
			t.Errorf("%s: %s archived=%v", f.Key, f.Status, f.Archived)
		}
	}
}

// TestServeSIGTERMMidFileAppliesNothing: SIGTERM while a large file is being
// applied rolls it back after the grace period; nothing of it is in the
// register, and the next run applies it whole.
func TestServeSIGTERMMidFileAppliesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	bin := sharedBinary(t)
	dir := crashSetup(t, bin)
	for key := range crashFiles {
		os.Remove(filepath.Join(dir, "inbox", filepath.FromSlash(key)))
	}
	os.WriteFile(filepath.Join(dir, "inbox", "4NUV7KB58", "big.xml"), []byte(bigActivityFile("BIG-1", 200000)), 0o644)

	// The test's store is opened first: opening checks the schema in a
	// write transaction, which would wait for the file's to end.
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	listen := freePort(t)
	cmd := serveCmd(bin, dir, listen, "--schedule", "0 0 1 1 *", "--grace", "1ms")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	eventually(t, "POST /runs", func() bool {
		resp, err := http.Post("http://"+listen+"/runs", "", nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	})
	eventually(t, "the file to be claimed", func() bool {
		fs, _ := st.FileList(ctx, store.FileListParams{Status: ledger.Processing})
		return len(fs) == 1
	})
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bdt serve after SIGTERM: %v\n%s", err, logs.String())
	}
	if n := strings.Count(logs.String(), `"message":"bdt serve starting"`); n != 1 || !strings.Contains(logs.String(), `"libxml2":"`) {
		t.Errorf("%d start lines with the versions, want 1:\n%s", n, logs.String())
	}
	bigReports := func() int { return appliedFrom(t, st, "BIG-1") }
	fs, _ := st.FileList(ctx, store.FileListParams{})
	switch {
	case len(fs) == 1 && fs[0].Status == ledger.Processing:
		if n := bigReports(); n != 0 {
			t.Fatalf("the file was stopped mid-way but %d of its reports are in the register", n)
		}
	case len(fs) == 1 && fs[0].Done():
		t.Logf("the file finished within the grace period (%s)", fs[0].Status)
	default:
		t.Fatalf("ledger after SIGTERM: %+v", fs)
	}
	if out, err := crashCmd(bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("run after the stop: %v\n%s", err, out)
	}
	if n := bigReports(); n != 8 {
		t.Errorf("%d reports of the file in the register after the next run, want 8", n)
	}
}

// TestServeS3EndToEnd runs bdt serve as a real process with inbox, outbox
// and archive in an S3 bucket (versitygw on loopback) and a per-second
// schedule: files put in the inbox prefix get their reports in the outbox
// prefix; POST /runs triggers a run; SIGTERM while a large file is in hand
// leaves nothing of it applied, and the next run applies it whole.
func TestServeS3EndToEnd(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	const bucket = "bdt"
	srv.CreateBucket(t, bucket)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "bdt.db")
	if out, err := exec.Command(bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput(); err != nil {
		t.Fatalf("register import: %v\n%s", err, out)
	}
	for key, body := range crashFiles {
		srv.PutRaw(t, bucket, "inbox/"+key, body)
	}
	serve := func(extra ...string) (*exec.Cmd, string, *strings.Builder) {
		listen := freePort(t)
		cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--inbox", "s3://" + bucket + "/inbox",
			"--outbox", "s3://" + bucket + "/outbox", "--archive", "s3://" + bucket + "/archive",
			"--s3-endpoint", srv.Endpoint, "--now", "2026-11-23T02:00:00Z", "--listen", listen, "--log-format", "json"}, extra...)...)
		cmd.Env = append(os.Environ(), s3test.Env()...)
		logs := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		return cmd, "http://" + listen, logs
	}
	cmd, base, logs := serve("--schedule", "*/1 * * * * *")
	for key := range crashFiles {
		want := "outbox/" + strings.TrimSuffix(key, ".xml") + ".result.xml"
		eventually(t, "the scheduled run to report "+want, func() bool { return len(srv.Keys(t, bucket, want)) == 1 })
	}
	late := strings.ReplaceAll(crashFiles["4NUV7KB58/wx-crash-1.xml"], "WX-CRASH-1", "WX-CRASH-S3")
	srv.PutRaw(t, bucket, "inbox/4NUV7KB58/wx-crash-s3.xml", late)
	eventually(t, "POST /runs to be accepted", func() bool {
		resp, err := http.Post(base+"/runs", "", nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	})
	eventually(t, "the late file's report", func() bool {
		return len(srv.Keys(t, bucket, "outbox/4NUV7KB58/wx-crash-s3.result.xml")) == 1
	})
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bdt serve after SIGTERM: %v\n%s", err, logs.String())
	}
	if n := strings.Count(logs.String(), `"message":"bdt serve starting"`); n != 1 || !strings.Contains(logs.String(), `"libxml2":"`) {
		t.Errorf("%d start lines with the versions, want 1:\n%s", n, logs.String())
	}
	if left := srv.Keys(t, bucket, "inbox/"); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
	if got := len(srv.Keys(t, bucket, "archive/")); got != len(crashFiles)+1 {
		t.Errorf("%d files archived, want %d", got, len(crashFiles)+1)
	}

	// SIGTERM mid-file.
	srv.PutRaw(t, bucket, "inbox/4NUV7KB58/big.xml", bigActivityFile("BIG-S3", 200000))
	ctx := context.Background()
	st, err := open.Open(ctx, db) // before the run: opening takes a write transaction
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cmd, base, logs = serve("--schedule", "0 0 1 1 *", "--grace", "1ms")
	eventually(t, "POST /runs", func() bool {
		resp, err := http.Post(base+"/runs", "", nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	})
	eventually(t, "the big file to be claimed", func() bool {
		fs, _ := st.FileList(ctx, store.FileListParams{Status: ledger.Processing})
		return len(fs) == 1
	})
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bdt serve after SIGTERM: %v\n%s", err, logs.String())
	}
	applied := func() int { return appliedFrom(t, st, "BIG-S3") }
	if fs, _ := st.FileList(ctx, store.FileListParams{Key: "4NUV7KB58/big.xml"}); len(fs) == 1 && fs[0].Status == ledger.Processing {
		if n := applied(); n != 0 {
			t.Fatalf("stopped mid-file, yet %d of its records are in the register", n)
		}
	}
	if out, err := s3Run(bin, db, bucket, []string{"--s3-endpoint", srv.Endpoint}, nil); err != nil {
		t.Fatalf("run after the stop: %v\n%s", err, out)
	}
	if n := applied(); n != 8 {
		t.Errorf("%d records of the big file applied after the next run, want 8", n)
	}
}

// bigActivityFile is a student activity file of n records from 4NUV7KB58
// with file id id: the first eight apply, the rest repeat them
// (R.RECORD.DUPLICATE), so the file has changes in hand all along. A repeat
// takes little time (no read of the register): tests that stop the file
// mid-way give it hundreds of thousands of records, so that it stays in
// hand for a second or more.
func bigActivityFile(id string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber><SMSUserId>jsmith01</SMSUserId><BulkReportingID>%s</BulkReportingID><CreatedAt>2026-11-22T23:00:00Z</CreatedAt><RecordCount>%d</RecordCount></Header>
`, id, n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  <StudentActivity><CASNumber>CAS26000000%03d</CASNumber><ActivityType>STUDENT_OTHER_CHANGE</ActivityType><EventDate>2026-11-20</EventDate><Details>Record %d</Details></StudentActivity>\n", 201+i%8, i)
	}
	b.WriteString("</StudentActivityReport>\n")
	return b.String()
}

// appliedFrom counts the activity reports in the register that came from
// the file with file id id.
func appliedFrom(t *testing.T, st store.Store, id string) int {
	t.Helper()
	certs, err := st.CertificateList(context.Background(), store.CertificateListParams{Sponsor: "4NUV7KB58"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range certs {
		for _, a := range c.Activity {
			if strings.Contains(a.Source, "/"+id+"#") {
				n++
			}
		}
	}
	return n
}
