package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"bdt/bdt/intake"
	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	bdts3 "bdt/bdt/storage/s3"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/rules"
)

const (
	licence = "4NUV7KB58"
	user    = "uni.admin"
)

var now = time.Date(2026, 12, 7, 14, 25, 0, 0, time.FixedZone("CET", 3600))

// inboxes are the storage backends an upload is tested on: a folder and
// an S3 bucket (versitygw; skipped where it is not installed, unless CI).
// start returns a function giving a new, empty inbox on the backend.
var inboxes = []struct {
	name  string
	start func(t *testing.T) func(t *testing.T) storage.Storage
}{
	{"folder", func(*testing.T) func(t *testing.T) storage.Storage {
		return func(t *testing.T) storage.Storage {
			s, err := storage.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
	{"s3", func(t *testing.T) func(t *testing.T) storage.Storage {
		srv := s3test.Start(t)
		bucket := srv.Bucket(t)
		return func(t *testing.T) storage.Storage {
			s, err := bdts3.New(context.Background(), bdts3.Params{
				Bucket: bucket, Prefix: t.Name(), Endpoint: srv.Endpoint, PathStyle: true,
				Region: s3test.Region, Credentials: s3test.Credentials(), MaxBackoff: 10 * time.Millisecond,
				SpoolDir: t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
}

// openStore returns a new SQLite register.
func openStore(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// keys lists the inbox.
func keys(t *testing.T, in storage.Storage) []string {
	t.Helper()
	objs, skipped, err := in.List(context.Background(), "")
	if err != nil || len(skipped) > 0 {
		t.Fatalf("List: %v %v", skipped, err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

// leftNothing checks that the inbox and the ledger are empty.
func leftNothing(t *testing.T, s store.Store, in storage.Storage) {
	t.Helper()
	if k := keys(t, in); len(k) != 0 {
		t.Errorf("inbox holds %q; want nothing", k)
	}
	fs, err := s.FileList(context.Background(), store.FileListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Errorf("ledger holds %d entries; want none", len(fs))
	}
}

var keyPattern = regexp.MustCompile(`^4NUV7KB58/upload-20261207T132500Z-[0-9a-f]{12}\.xml$`)

func TestReceive(t *testing.T) {
	for _, ib := range inboxes {
		t.Run(ib.name, func(t *testing.T) {
			inbox := ib.start(t)
			t.Run("accepted", func(t *testing.T) { testAccepted(t, openStore(t), inbox(t)) })
			t.Run("over the limit", func(t *testing.T) { testTooLarge(t, openStore(t), inbox(t)) })
			t.Run("failing body", func(t *testing.T) { testFailingBody(t, openStore(t), inbox(t)) })
		})
	}
}

func testAccepted(t *testing.T, s store.Store, in storage.Storage) {
	ctx := context.Background()
	body := []byte(strings.Repeat("<x/>", 250)) // exactly the limit
	e, err := intake.Receive(ctx, intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		ClientName: "../../etc/passwd\x00 ‘mine’.xml", Body: bytes.NewReader(body), MaxSize: int64(len(body)), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !keyPattern.MatchString(e.Key) || e.Name != strings.TrimPrefix(e.Key, licence+"/") {
		t.Errorf("key %q, name %q; want LICENCE/upload-UTC-HEX.xml and its name", e.Key, e.Name)
	}
	sum := sha256.Sum256(body)
	if e.Size != int64(len(body)) || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("size %d, sha %s; want %d, %x", e.Size, e.SHA256, len(body), sum)
	}
	got, err := s.File(ctx, e.ID)
	if err != nil || got == nil {
		t.Fatalf("File(%d) = %v, %v", e.ID, got, err)
	}
	want := ledger.File{ID: e.ID, Licence: licence, Key: e.Key, Name: e.Name, Submitter: user,
		ClientName: "../../etc/passwd\x00 ‘mine’.xml", Status: ledger.Received, Declared: -1,
		ReceivedAt: now.UTC(), FileFindings: []ledger.Finding{}}
	if got.Licence != want.Licence || got.Key != want.Key || got.Name != want.Name || got.Submitter != want.Submitter ||
		got.ClientName != want.ClientName || got.Status != want.Status || got.Declared != want.Declared ||
		!got.ReceivedAt.Equal(want.ReceivedAt) || got.SHA256 != "" || got.Size != 0 {
		t.Errorf("entry\n%+v\nwant\n%+v (size and hash left to the run)", got, want)
	}
	if k := keys(t, in); len(k) != 1 || k[0] != e.Key {
		t.Fatalf("inbox holds %q; want %s", k, e.Key)
	}
	rd, err := in.Open(ctx, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(rd)
	rd.Close()
	if err != nil || !bytes.Equal(stored, body) {
		t.Errorf("stored %d bytes (%v); want the %d of the body", len(stored), err, len(body))
	}

	// A second upload at the same instant gets a key of its own.
	e2, err := intake.Receive(ctx, intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		Body: bytes.NewReader(body), MaxSize: 1 << 20, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if e2.Key == e.Key || !keyPattern.MatchString(e2.Key) || e2.ClientName != "" {
		t.Errorf("second upload: key %q (first %q), client name %q", e2.Key, e.Key, e2.ClientName)
	}
}

func testTooLarge(t *testing.T, s store.Store, in storage.Storage) {
	body := io.LimitReader(rand.NewChaCha8([32]byte{7}), 3<<20) // past the limit after it has streamed a while
	_, err := intake.Receive(context.Background(), intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		ClientName: "big.xml", Body: body, MaxSize: 2 << 20, Now: now})
	if !errors.Is(err, intake.ErrTooLarge) {
		t.Fatalf("Receive = %v; want ErrTooLarge", err)
	}
	var tl *intake.TooLargeError
	if !errors.As(err, &tl) || tl.Finding().Rule != rules.FSize || tl.Finding().Message != rules.SizeFinding(-1, 2<<20).Message {
		t.Errorf("error %v; want the F.SIZE finding of the limit", err)
	}
	leftNothing(t, s, in)
}

// failingReader gives n bytes, then fails: a client gone part way.
type failingReader struct{ n int }

var errGone = errors.New("client went away")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errGone
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func testFailingBody(t *testing.T, s store.Store, in storage.Storage) {
	_, err := intake.Receive(context.Background(), intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		Body: &failingReader{n: 1 << 20}, MaxSize: 2 << 20, Now: now})
	if !errors.Is(err, errGone) || errors.Is(err, intake.ErrTooLarge) {
		t.Fatalf("Receive = %v; want the body's error", err)
	}
	leftNothing(t, s, in)
}

// TestReceiveRefused: parameters that cannot make an upload store nothing.
func TestReceiveRefused(t *testing.T) {
	s := openStore(t)
	in, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]intake.ReceiveParams{
		"no user":            {Licence: licence},
		"no limit":           {Licence: licence, User: user, MaxSize: -1},
		"no licence":         {User: user},
		"a path for licence": {Licence: "../x", User: user},
		"nested licence":     {Licence: "a/b", User: user},
	} {
		p.Store, p.Inbox, p.Body, p.Now = s, in, strings.NewReader("<x/>"), now
		if p.MaxSize == 0 {
			p.MaxSize = 100
		}
		if _, err := intake.Receive(context.Background(), p); err == nil {
			t.Errorf("%s: Receive succeeded", name)
		}
	}
	leftNothing(t, s, in)
}

// TestReceiveStreams uploads 100 MB to a folder and checks that the body is
// never held in memory: the bytes allocated stay far below its size.
func TestReceiveStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100 MB")
	}
	s := openStore(t)
	in, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const size = 100 << 20
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.TotalAlloc
	e, err := intake.Receive(context.Background(), intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		Body: io.LimitReader(rand.NewChaCha8([32]byte{1}), size), MaxSize: size, Now: now})
	runtime.ReadMemStats(&m)
	if err != nil {
		t.Fatal(err)
	}
	if e.Size != size {
		t.Errorf("size %d; want %d", e.Size, size)
	}
	if n := m.TotalAlloc - before; n > 8<<20 {
		t.Errorf("an upload of %d bytes allocated %d bytes", size, n)
	} else {
		t.Logf("an upload of %d bytes allocated %d bytes", size, n)
	}
}

// TestReceiveOneByteOver: a body one byte over the limit is refused (one
// exactly at the limit is accepted: testAccepted).
func TestReceiveOneByteOver(t *testing.T) {
	s := openStore(t)
	in, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = intake.Receive(context.Background(), intake.ReceiveParams{Store: s, Inbox: in, Licence: licence, User: user,
		Body: strings.NewReader(strings.Repeat("x", 101)), MaxSize: 100, Now: now})
	if !errors.Is(err, intake.ErrTooLarge) {
		t.Fatalf("Receive of 101 bytes, limit 100 = %v; want ErrTooLarge", err)
	}
	leftNothing(t, s, in)
}
