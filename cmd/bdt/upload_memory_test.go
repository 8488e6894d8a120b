package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
)

// uploadMemoryBudget is how much above its idle resident set a bdt serve
// may grow while a 100 MB upload streams in and is stored (issue 13), and
// while it is then processed.
const uploadMemoryBudget = 32 << 20

// TestUploadMemoryFlat (issue 13): a 100 MB file uploaded through the API
// of a real bdt serve, with the inbox in a folder and in S3 (versitygw),
// keeps the server's memory flat. The body is made as it is sent
// (bigUpload): a valid student activity file of 4NUV7KB58, just under the
// default size limit, whose first eight records apply and the rest repeat
// them. The server's own accounting is read from /proc: its resident set
// when idle (after a small upload was processed, so that the code of both
// paths is resident), then its peak (VmHWM, reset at idle) once the upload
// has its 202 — the body streamed in and stored — and again once the file
// is processed: both under uploadMemoryBudget above idle.
func TestUploadMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process with a 100 MB upload")
	}
	bin := sharedBinary(t)
	for _, where := range []string{"folder", "s3"} {
		t.Run(where, func(t *testing.T) {
			dir := t.TempDir()
			b := folderBoxes(dir)
			if where == "s3" {
				b = s3Boxes(t, s3test.Start(t))
			}
			db := "sqlite:" + filepath.Join(dir, "bdt.db")
			if code, _, stderr := runBinaryInput(t, bin, "", "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")); code != exitOK {
				t.Fatalf("register import: exit %d: %s", code, stderr)
			}
			p := startPortalProc(t, bin, db, b, nil)
			c := newAPIClient(t, p.portal, createToken(t, bin, db, "jsmith01"))
			pid := p.cmd.Process.Pid

			loc, _, err := c.upload(context.Background(), "warm-up.xml", strings.NewReader(bigActivityFile("MEM-WARM", 8)))
			if err != nil {
				t.Fatalf("%v\n%s", err, p.log())
			}
			c.waitFinal(t, loc, 2*time.Minute)
			st, err := open.Open(context.Background(), db) // before the big file: opening writes
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			idle := procMemory(t, pid)
			resetPeak(t, pid)

			body := newBigUpload("MEM-100MB", 100_000_000)
			loc, _, err = c.upload(context.Background(), "big.xml", body)
			if err != nil {
				t.Fatalf("%v\n%s", err, p.log())
			}
			stored := procMemory(t, pid)
			if body.sent != body.size {
				t.Fatalf("%d bytes sent, want %d", body.sent, body.size)
			}
			// Followed in the ledger, not over the API: on SQLite every API
			// request writes its token's use, and so waits for the write
			// lock the file's transaction holds (PERFORMANCE.md).
			eventuallyWithin(t, 10*time.Minute, "the 100 MB file to be processed", func() bool {
				es, err := st.FileList(context.Background(), store.FileListParams{})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					if !finalStatus(string(e.Status)) {
						return false
					}
				}
				return len(es) == 2
			})
			processed := procMemory(t, pid)
			f, err := c.file(context.Background(), loc)
			if err != nil {
				t.Fatal(err)
			}
			if f.Status != "PARTIALLY_ACCEPTED" {
				t.Errorf("the 100 MB file is %s, want PARTIALLY_ACCEPTED (8 records applied, the rest repeats)", f.Status)
			}
			// Archived a moment after the status is final.
			eventually(t, "both uploads archived", func() bool { return len(b.keys(t, "archive")) == 2 })
			t.Logf("%s: %d bytes (%d records) uploaded; bdt serve idle: %s; peak once stored (202): %s, +%.1f MiB; once processed (%s): %s, +%.1f MiB",
				where, body.size, body.records, idle, stored, mib(stored.peak-idle.rss), f.Status, processed, mib(processed.peak-idle.rss))
			if grew := stored.peak - idle.rss; grew >= uploadMemoryBudget {
				t.Errorf("the upload took bdt serve %.1f MiB above idle, want under %d MiB", mib(grew), uploadMemoryBudget>>20)
			}
			if grew := processed.peak - idle.rss; grew >= uploadMemoryBudget {
				t.Errorf("the upload and its processing took bdt serve %.1f MiB above idle, want under %d MiB", mib(grew), uploadMemoryBudget>>20)
			}
		})
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// memory is a process's memory as the kernel accounts it, in bytes.
type memory struct {
	rss  int64 // resident now (VmRSS)
	peak int64 // the high-water mark of rss (VmHWM) since start or resetPeak
	file int64 // resident of mapped files now (RssFile): chiefly the code
}

func (m memory) String() string {
	return fmt.Sprintf("RSS %.1f MiB (peak %.1f, mapped files %.1f)", mib(m.rss), mib(m.peak), mib(m.file))
}

// procMemory reads /proc/PID/status.
func procMemory(tb testing.TB, pid int) memory {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.rss = n << 10
		case "VmHWM":
			m.peak = n << 10
		case "RssFile":
			m.file = n << 10
		}
	}
	if m.rss == 0 || m.peak == 0 {
		tb.Fatalf("/proc/%d/status has no VmRSS or VmHWM", pid)
	}
	return m
}

// resetPeak sets the process's VmHWM to its resident set now (writing 5
// to /proc/PID/clear_refs). Where the kernel refuses, the peak keeps
// counting from the start, which only makes the figures larger.
func resetPeak(tb testing.TB, pid int) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		tb.Logf("the peak RSS could not be reset (%v): it counts from the start", err)
	}
}

// bigUpload is a valid student activity file of 4NUV7KB58 (submitted by
// jsmith01), of at least a given size, made as it is read: the first eight
// of its records apply (the certificates of bigActivityFile), the rest
// repeat them (R.RECORD.DUPLICATE). Every record is the same length.
type bigUpload struct {
	records int    // records in the file
	size    int64  // its length in bytes
	next    int    // the next record to make; records+1 once the end is made
	buf     []byte // made, not yet read: buf[off:]
	off     int
	sent    int64 // bytes read
}

const bigUploadRecord = "  <StudentActivity><CASNumber>CAS26000000%03d</CASNumber><ActivityType>STUDENT_OTHER_CHANGE</ActivityType><EventDate>2026-11-20</EventDate><Details>Record %09d</Details></StudentActivity>\n"
const bigUploadEnd = "</StudentActivityReport>\n"

func bigUploadHead(id string, records int) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber><SMSUserId>jsmith01</SMSUserId><BulkReportingID>%s</BulkReportingID><CreatedAt>2026-11-22T23:00:00Z</CreatedAt><RecordCount>%d</RecordCount></Header>
`, id, records)
}

// newBigUpload returns a file with id id of at least size bytes.
func newBigUpload(id string, size int64) *bigUpload {
	rec := int64(len(fmt.Sprintf(bigUploadRecord, 0, 0)))
	n := 0
	for i := 0; i < 2; i++ { // the head's length depends on n's digits
		rest := size - int64(len(bigUploadHead(id, n))+len(bigUploadEnd))
		n = int((rest + rec - 1) / rec)
	}
	head := bigUploadHead(id, n)
	return &bigUpload{records: n, size: int64(len(head)+len(bigUploadEnd)) + int64(n)*rec, buf: []byte(head)}
}

func (u *bigUpload) Read(p []byte) (int, error) {
	for u.off == len(u.buf) {
		u.buf, u.off = u.buf[:0], 0
		switch {
		case u.next > u.records:
			return 0, io.EOF
		case u.next == u.records:
			u.buf = append(u.buf, bigUploadEnd...)
			u.next++
		default:
			for end := min(u.next+512, u.records); u.next < end; u.next++ {
				u.buf = fmt.Appendf(u.buf, bigUploadRecord, 201+u.next%8, u.next)
			}
		}
	}
	n := copy(p, u.buf[u.off:])
	u.off += n
	u.sent += int64(n)
	return n, nil
}
