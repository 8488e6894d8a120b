package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"bdt/bdt/storage"
	bdts3 "bdt/bdt/storage/s3"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/storage/storagetest"
)

// newStore returns a Store of bucket and prefix on endpoint, with the test
// server's credentials and short backoffs.
func newStore(t *testing.T, endpoint, bucket, prefix string, mod ...func(*bdts3.Params)) *bdts3.Store {
	t.Helper()
	p := bdts3.Params{
		Bucket: bucket, Prefix: prefix, Endpoint: endpoint, PathStyle: true,
		Region: s3test.Region, Credentials: s3test.Credentials(),
		MaxBackoff: 10 * time.Millisecond,
	}
	for _, m := range mod {
		m(&p)
	}
	s, err := bdts3.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestS3 runs the shared suite against versitygw: every Storage a
// different prefix of one bucket (so each case also shows that a Store sees
// nothing outside its prefix), listed two keys a page.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	n := 0
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		n++
		return newStore(t, srv.Endpoint, bucket, fmt.Sprintf("case-%d/inbox", n), func(p *bdts3.Params) { p.PageSize = 2 })
	})
}

// TestS3WholeBucket runs the shared suite on Stores of whole buckets (no
// prefix), a new bucket each.
func TestS3WholeBucket(t *testing.T) {
	srv := s3test.Start(t)
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		return newStore(t, srv.Endpoint, srv.Bucket(t), "")
	})
}

// TestS3ThroughFlakyServer runs the shared suite with every other request
// answered 503 SlowDown: the retryer must carry every operation through.
func TestS3ThroughFlakyServer(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	proxy.FailEvery(2)
	n := 0
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		n++
		return newStore(t, proxy.URL, bucket, fmt.Sprintf("flaky-%d", n))
	})
	if proxy.Failed() == 0 {
		t.Error("the proxy failed no request")
	}
}

func TestPrefixIsolation(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	for _, k := range []string{
		"inbox/4NUV7KB58/a.xml",
		"inbox/4NUV7KB58/", // a folder marker, as consoles make
		"inbox-old/4NUV7KB58/b.xml",
		"inboxes/c.xml",
		"inbox.xml",
		"outbox/4NUV7KB58/a.result.xml",
		"4NUV7KB58/root.xml",
	} {
		body := "x"
		if strings.HasSuffix(k, "/") {
			body = ""
		}
		srv.PutRaw(t, bucket, k, body)
	}
	// Keys S3 stores as they are but that would escape a folder if taken as
	// paths, or that bdt refuses for other reasons.
	unsafe := []string{
		"inbox/4NUV7KB58/new\nline.xml",
		`inbox/4NUV7KB58\..\..\outbox\evil.xml`,
		"inbox/4NUV7KB58/bell\a.xml",
	}
	for _, k := range unsafe {
		srv.PutRaw(t, bucket, k, "evil")
	}
	s := newStore(t, srv.Endpoint, bucket, "inbox")
	objs, skipped, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "4NUV7KB58/a.xml" {
		t.Errorf("List = %v, want only 4NUV7KB58/a.xml", objs)
	}
	if len(skipped) != len(unsafe) {
		t.Errorf("skipped = %v, want the %d unsafe keys", skipped, len(unsafe))
	}
	for _, k := range unsafe {
		rel := strings.TrimPrefix(k, "inbox/")
		if _, err := s.Open(ctx, rel); err == nil {
			t.Errorf("Open(%q) succeeded", rel)
		}
		if err := s.Delete(ctx, rel); err == nil {
			t.Errorf("Delete(%q) succeeded", rel)
		}
	}
	// The bucket still holds what this Store must not touch.
	if keys := srv.Keys(t, bucket, ""); len(keys) != 7+len(unsafe) {
		t.Errorf("bucket now holds %q", keys)
	}
	// A Store of a sponsor's folder sees only that folder.
	sub := newStore(t, srv.Endpoint, bucket, "/outbox/4NUV7KB58/")
	if objs, _, _ := sub.List(ctx, ""); len(objs) != 1 || objs[0].Key != "a.result.xml" {
		t.Errorf("List of outbox/4NUV7KB58 = %v", objs)
	}
	if got := sub.String(); got != "s3://"+bucket+"/outbox/4NUV7KB58" {
		t.Errorf("String = %q", got)
	}
}

// TestPagination lists more keys than fit a page and counts the pages the
// server was asked for.
func TestPagination(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	var want []string
	for i := 0; i < 10; i++ {
		k := fmt.Sprintf("NTMHWM0V3/f%02d.xml", i)
		srv.PutRaw(t, bucket, "in/"+k, "x")
		want = append(want, k)
	}
	srv.PutRaw(t, bucket, "inbox/NTMHWM0V3/other.xml", "x")
	s := newStore(t, proxy.URL, bucket, "in", func(p *bdts3.Params) { p.PageSize = 3 })
	before := proxy.Requests()
	objs, _, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Key)
	}
	if !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	if pages := proxy.Requests() - before; pages != 4 {
		t.Errorf("List took %d requests, want 4 pages of at most 3 keys", pages)
	}
}

func TestRetries(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	s := newStore(t, proxy.URL, bucket, "inbox", func(p *bdts3.Params) { p.MaxAttempts = 4 })

	big := bytes.Repeat([]byte("<Record/>\n"), 300_000) // 3 MB: spooled to a file
	for _, body := range [][]byte{[]byte("<small/>"), big} {
		proxy.FailNext(3)
		before := proxy.Requests()
		if err := s.Put(ctx, "4NUV7KB58/r.xml", bytes.NewReader(body)); err != nil {
			t.Fatalf("Put (%d bytes) after 3 transient failures: %v", len(body), err)
		}
		if n := proxy.Requests() - before; n != 4 {
			t.Errorf("Put took %d requests, want 4 (3 failed, 1 retried)", n)
		}
		if got := srv.Get(t, bucket, "inbox/4NUV7KB58/r.xml"); !bytes.Equal(got, body) {
			t.Errorf("stored %d bytes, want the %d sent", len(got), len(body))
		}
	}

	proxy.FailNext(2)
	if objs, _, err := s.List(ctx, ""); err != nil || len(objs) != 1 {
		t.Errorf("List after 2 transient failures = %v, %v", objs, err)
	}
	proxy.FailNext(2)
	if rd, err := s.Open(ctx, "4NUV7KB58/r.xml"); err != nil {
		t.Errorf("Open after 2 transient failures: %v", err)
	} else {
		rd.Close()
	}

	// More failures than attempts: the error comes back, after 4 tries.
	proxy.FailNext(4)
	before := proxy.Requests()
	_, _, err := s.List(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "SlowDown") {
		t.Errorf("List after 4 failures = %v, want the SlowDown error", err)
	}
	if n := proxy.Requests() - before; n != 4 {
		t.Errorf("List tried %d times, want 4 (MaxAttempts)", n)
	}
}

// TestReadCutMidway drops the connection part way through a download: the
// reader must fail, not end early, and a move must leave the source where
// it was.
func TestReadCutMidway(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	s := newStore(t, proxy.URL, bucket, "inbox")
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	if err := s.Put(ctx, "4NUV7KB58/f.xml", bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	proxy.CutObjectReads(1 << 20)
	rd, err := s.Open(ctx, "4NUV7KB58/f.xml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	if err == nil {
		t.Fatalf("read %d of %d bytes without an error", len(got), len(body))
	}
	if len(got) >= len(body) {
		t.Errorf("read %d bytes of a cut download of %d", len(got), len(body))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error = %v, want io.ErrUnexpectedEOF", err)
	}
	if proxy.Cuts() == 0 {
		t.Fatal("the proxy cut nothing")
	}

	// Moving to another kind of Storage streams through Open: it fails,
	// and the source stays.
	local, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.Move(ctx, s, local, "4NUV7KB58/f.xml"); err == nil {
		t.Fatal("Move of a cut download succeeded")
	}
	if objs, _, _ := local.List(ctx, ""); len(objs) != 0 {
		t.Errorf("a failed move left %v in the destination", objs)
	}
	proxy.CutObjectReads(0)
	if objs, _, _ := s.List(ctx, ""); len(objs) != 1 || objs[0].Size != int64(len(body)) {
		t.Errorf("source after a failed move = %v", objs)
	}
	if err := storage.Move(ctx, s, local, "4NUV7KB58/f.xml"); err != nil {
		t.Fatalf("Move once the connection holds: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(local.Root(), "4NUV7KB58", "f.xml")); err != nil || !bytes.Equal(b, body) {
		t.Errorf("moved file: %d bytes, %v", len(b), err)
	}
}

// TestCorruptDownloadFails flips a bit of a download on its way: the
// object's checksum (stored by Put) no longer matches, and the read fails
// at its end rather than return the damaged bytes as complete.
func TestCorruptDownloadFails(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	s := newStore(t, proxy.URL, bucket, "inbox")
	if err := s.Put(ctx, "4NUV7KB58/f.xml", strings.NewReader("<NoShowReport/>")); err != nil {
		t.Fatal(err)
	}
	proxy.CorruptObjectReads(true)
	rd, err := s.Open(ctx, "4NUV7KB58/f.xml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	if err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("read %q, error %v; want a checksum error", got, err)
	}
	t.Log(err)
	if got, want := string(got), "<NoShowReport/>"; got == want {
		t.Fatalf("the proxy did not corrupt the download")
	}
	proxy.CorruptObjectReads(false)
	rd, err = s.Open(ctx, "4NUV7KB58/f.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if got, err := io.ReadAll(rd); err != nil || string(got) != "<NoShowReport/>" {
		t.Errorf("clean read = %q, %v", got, err)
	}
}

// TestMoveCopiesServerSide checks that archiving within one service is a
// CopyObject and a DeleteObject (no download, no upload), and that a Store
// of another endpoint gets a streamed copy.
func TestMoveCopiesServerSide(t *testing.T) {
	srv := s3test.Start(t)
	proxy := srv.Proxy(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	inbox := newStore(t, proxy.URL, bucket, "inbox")
	archive := newStore(t, proxy.URL, bucket, "archive")
	srv.PutRaw(t, bucket, "inbox/4NUV7KB58/a b+c.xml", "payload")
	before := proxy.Requests()
	if err := storage.Move(ctx, inbox, archive, "4NUV7KB58/a b+c.xml"); err != nil {
		t.Fatal(err)
	}
	if n := proxy.Requests() - before; n != 2 {
		t.Errorf("Move took %d requests, want 2 (CopyObject, DeleteObject)", n)
	}
	if got := string(srv.Get(t, bucket, "archive/4NUV7KB58/a b+c.xml")); got != "payload" {
		t.Errorf("archived %q", got)
	}
	if keys := srv.Keys(t, bucket, "inbox/"); len(keys) != 0 {
		t.Errorf("inbox still holds %q", keys)
	}

	// Under a new name (a second upload's archived copy, a.xml.2): still a
	// server-side copy.
	srv.PutRaw(t, bucket, "inbox/4NUV7KB58/a.xml", "second")
	before = proxy.Requests()
	if err := storage.MoveAs(ctx, inbox, archive, "4NUV7KB58/a.xml", "4NUV7KB58/a.xml.2"); err != nil {
		t.Fatal(err)
	}
	if n := proxy.Requests() - before; n != 2 {
		t.Errorf("MoveAs to a new name took %d requests, want 2 (CopyObject, DeleteObject)", n)
	}
	if got := string(srv.Get(t, bucket, "archive/4NUV7KB58/a.xml.2")); got != "second" {
		t.Errorf("archived under the new name: %q", got)
	}

	// Another endpoint (the server direct, not through the proxy): streamed.
	other := newStore(t, srv.Endpoint, bucket, "elsewhere")
	if ok, err := archive.CopyTo(ctx, other, "4NUV7KB58/a b+c.xml", "4NUV7KB58/a b+c.xml"); ok || err != nil {
		t.Errorf("CopyTo another endpoint = %v, %v; want false, nil", ok, err)
	}
	if err := storage.Move(ctx, archive, other, "4NUV7KB58/a b+c.xml"); err != nil {
		t.Fatal(err)
	}
	if got := string(srv.Get(t, bucket, "elsewhere/4NUV7KB58/a b+c.xml")); got != "payload" {
		t.Errorf("moved %q", got)
	}
}

// TestMoveBetweenLocalAndS3 moves a file from a folder to S3 and back.
func TestMoveBetweenLocalAndS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	s := newStore(t, srv.Endpoint, bucket, "archive")
	local, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Put(ctx, "S7KQ2LMX4/f.xml", strings.NewReader("<f/>")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := storage.Move(ctx, local, s, "S7KQ2LMX4/f.xml"); err != nil {
			t.Fatalf("Move to S3 #%d: %v", i+1, err)
		}
	}
	if got := string(srv.Get(t, bucket, "archive/S7KQ2LMX4/f.xml")); got != "<f/>" {
		t.Errorf("in S3: %q", got)
	}
	if err := storage.Move(ctx, s, local, "S7KQ2LMX4/f.xml"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(local.Root(), "S7KQ2LMX4", "f.xml")); err != nil || string(b) != "<f/>" {
		t.Errorf("back in the folder: %q, %v", b, err)
	}
	if keys := srv.Keys(t, bucket, ""); len(keys) != 0 {
		t.Errorf("bucket still holds %q", keys)
	}
}

// TestLargeObjectStreams writes and reads a 50 MB object and checks that
// neither holds it in memory: the bytes allocated while doing each stay far
// below its size.
func TestLargeObjectStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 100 MB")
	}
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	spoolDir := t.TempDir()
	s := newStore(t, srv.Endpoint, bucket, "inbox", func(p *bdts3.Params) { p.SpoolDir = spoolDir })
	const size = 50 << 20
	const limit = 16 << 20
	allocated := func(f func()) uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		before := m.TotalAlloc
		f()
		runtime.ReadMemStats(&m)
		t.Logf("allocated %d", m.TotalAlloc-before)
		return m.TotalAlloc - before
	}
	sent := sha256.New()
	if n := allocated(func() {
		body := io.TeeReader(io.LimitReader(rand.NewChaCha8([32]byte{1}), size), sent)
		if err := s.Put(ctx, "4NUV7KB58/big.xml", body); err != nil {
			t.Fatal(err)
		}
	}); n > limit {
		t.Errorf("Put of %d bytes allocated %d bytes", size, n)
	}
	if ents, _ := os.ReadDir(spoolDir); len(ents) != 0 {
		t.Errorf("Put left %d spool files", len(ents))
	}
	received := sha256.New()
	var read int64
	if n := allocated(func() {
		rd, err := s.Open(ctx, "4NUV7KB58/big.xml")
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		if read, err = io.CopyBuffer(received, rd, make([]byte, 32<<10)); err != nil {
			t.Fatal(err)
		}
	}); n > limit {
		t.Errorf("reading %d bytes allocated %d bytes", size, n)
	}
	if read != size || !bytes.Equal(sent.Sum(nil), received.Sum(nil)) {
		t.Errorf("read %d bytes (want %d); same SHA-256: %v", read, size, bytes.Equal(sent.Sum(nil), received.Sum(nil)))
	}
}

func TestParseLocation(t *testing.T) {
	for _, c := range []struct{ loc, bucket, prefix string }{
		{"s3://bdt", "bdt", ""},
		{"s3://bdt/", "bdt", ""},
		{"s3://bdt/inbox", "bdt", "inbox"},
		{"s3://bdt/sms/inbox/", "bdt", "sms/inbox"},
	} {
		b, p, err := bdts3.ParseLocation(c.loc)
		if err != nil || b != c.bucket || p != c.prefix {
			t.Errorf("ParseLocation(%q) = %q, %q, %v; want %q, %q", c.loc, b, p, err, c.bucket, c.prefix)
		}
	}
	for _, loc := range []string{"s3://", "s3:///inbox", "s3://127.0.0.1:7070/bdt", "s3://key:secret@bdt/inbox", "s3://bdt/inbox?region=x", "s3://bdt/inbox#x", "file:///tmp"} {
		if b, p, err := bdts3.ParseLocation(loc); err == nil {
			t.Errorf("ParseLocation(%q) = %q, %q, want an error", loc, b, p)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	ctx := context.Background()
	for _, p := range []bdts3.Params{
		{Bucket: "", Region: "eu-west-2"},
		{Bucket: "a/b", Region: "eu-west-2"},
		{Bucket: "bdt", Prefix: "inbox/../outbox", Region: "eu-west-2"},
		{Bucket: "bdt", Prefix: "in//box", Region: "eu-west-2"},
		{Bucket: "bdt", Endpoint: "127.0.0.1:7070", Region: "eu-west-2"},
		{Bucket: "bdt", Endpoint: "ftp://127.0.0.1:7070", Region: "eu-west-2"},
	} {
		if _, err := bdts3.New(ctx, p); err == nil {
			t.Errorf("New(%+v) succeeded", p)
		}
	}
}

// clearAWSEnv points the SDK's default chain at nothing of this machine's.
func clearAWSEnv(t *testing.T) {
	for _, kv := range s3test.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_DEFAULT_REGION", "")
}

// TestOpenLocation opens s3:// locations through storage.Open, with the
// credentials and region of the SDK's default chain (the environment).
func TestOpenLocation(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	clearAWSEnv(t)
	ctx := context.Background()
	st, err := storage.Open(ctx, "s3://"+bucket+"/sms/inbox/", storage.Options{S3Endpoint: srv.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*bdts3.Store); !ok || st.String() != "s3://"+bucket+"/sms/inbox" {
		t.Fatalf("Open = %T %s", st, st)
	}
	if err := st.Put(ctx, "4NUV7KB58/a.xml", strings.NewReader("<a/>")); err != nil {
		t.Fatal(err)
	}
	if got := string(srv.Get(t, bucket, "sms/inbox/4NUV7KB58/a.xml")); got != "<a/>" {
		t.Errorf("stored %q", got)
	}
	if objs, _, err := st.List(ctx, ""); err != nil || len(objs) != 1 {
		t.Errorf("List = %v, %v", objs, err)
	}

	// Wrong credentials from the chain: the first request says so.
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	st, err = storage.Open(ctx, "s3://"+bucket+"/sms/inbox", storage.Options{S3Endpoint: srv.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.List(ctx, ""); err == nil {
		t.Error("List with a wrong secret succeeded")
	}

	// No region anywhere and no endpoint: refused before any request.
	t.Setenv("AWS_REGION", "")
	if _, err := storage.Open(ctx, "s3://"+bucket+"/inbox", storage.Options{}); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("Open without a region = %v, want an error naming AWS_REGION", err)
	}
	for _, loc := range []string{"s3://", "s3://127.0.0.1:7070/bdt", "s3://bdt/../etc"} {
		if _, err := storage.Open(ctx, loc, storage.Options{S3Endpoint: srv.Endpoint}); err == nil {
			t.Errorf("Open(%q) succeeded", loc)
		}
	}
}
