package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/storage"
	"bdt/bdt/storage/storagetest"
)

func TestLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		s, err := storage.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestLocalSkipsSymlinksAndOddNames(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.xml")
	os.WriteFile(outside, []byte("<secret/>"), 0o600)
	os.MkdirAll(filepath.Join(dir, "4NUV7KB58"), 0o750)
	os.WriteFile(filepath.Join(dir, "4NUV7KB58", "ok.xml"), []byte("<ok/>"), 0o600)
	if err := os.Symlink(outside, filepath.Join(dir, "4NUV7KB58", "link.xml")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "4NUV7KB58", "new\nline.xml"), []byte("<x/>"), 0o600)
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs, skipped, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "4NUV7KB58/ok.xml" {
		t.Errorf("List = %v, want only ok.xml", objs)
	}
	if len(skipped) != 2 {
		t.Errorf("skipped = %v, want the link and the odd name", skipped)
	}
	if _, err := s.Open(context.Background(), "4NUV7KB58/link.xml"); err == nil {
		t.Error("Open followed a symbolic link")
	}
}

func TestOpenLocation(t *testing.T) {
	dir := t.TempDir()
	for _, loc := range []string{dir, "file://" + dir} {
		if _, err := storage.Open(context.Background(), loc, storage.Options{}); err != nil {
			t.Errorf("Open(%q): %v", loc, err)
		}
	}
	if _, err := storage.Open(context.Background(), "ftp://example/x", storage.Options{}); err == nil {
		t.Error("Open(ftp://) succeeded")
	}
	// This test binary does not link package s3 in, so s3:// is unknown.
	if _, err := storage.Open(context.Background(), "s3://bucket/inbox", storage.Options{}); err == nil {
		t.Error("Open(s3://) succeeded without package s3")
	}
}

func TestLocalOpenRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "4NUV7KB58"), 0o750)
	if err := syscall.Mkfifo(filepath.Join(dir, "4NUV7KB58", "pipe.xml"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Open(context.Background(), "4NUV7KB58/pipe.xml"); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Open of a FIFO succeeded")
		}
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("Open of a FIFO blocked")
	}
}

// TestLocalRefusesHardLinks: a file linked into the folder from elsewhere
// (ln bdt.db inbox/<licence>/db.xml) is skipped by List and refused by Open,
// as a symbolic link is; once the other link is gone the file is listed.
func TestLocalRefusesHardLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inbox", "4NUV7KB58"), 0o750)
	secret := filepath.Join(dir, "bdt.db")
	os.WriteFile(secret, []byte("the register"), 0o600)
	linked := filepath.Join(dir, "inbox", "4NUV7KB58", "db.xml")
	if err := os.Link(secret, linked); err != nil {
		t.Skip("no hard links here:", err)
	}
	os.WriteFile(filepath.Join(dir, "inbox", "4NUV7KB58", "ok.xml"), []byte("<ok/>"), 0o600)
	s, err := storage.NewLocal(filepath.Join(dir, "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, prefix := range []string{"", "4NUV7KB58/"} {
		objs, skipped, err := s.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 1 || objs[0].Key != "4NUV7KB58/ok.xml" {
			t.Errorf("List(%q) = %v, want only ok.xml", prefix, objs)
		}
		if len(skipped) != 1 || skipped[0].Key != `"4NUV7KB58/db.xml"` || !strings.Contains(skipped[0].Reason, "2 hard links") {
			t.Errorf("List(%q) skipped %v, want db.xml for its 2 hard links", prefix, skipped)
		}
	}
	var ke *storage.KeyError
	if r, err := s.Open(ctx, "4NUV7KB58/db.xml"); !errors.As(err, &ke) {
		if r != nil {
			r.Close()
		}
		t.Errorf("Open of a hard link: %v, want a KeyError", err)
	}
	if err := storage.Move(ctx, s, mustLocal(t, filepath.Join(dir, "archive")), "4NUV7KB58/db.xml"); err == nil {
		t.Error("Move of a hard link succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "archive", "4NUV7KB58", "db.xml")); err == nil {
		t.Error("the hard link was copied to the archive")
	}
	os.Remove(secret)
	if objs, skipped, _ := s.List(ctx, ""); len(objs) != 2 || len(skipped) != 0 {
		t.Errorf("with one link left: List = %v, skipped %v", objs, skipped)
	}
}

// TestLocalListWalksOnlyThePrefix: a listing with a sponsor's prefix never
// enters another sponsor's folder (what is wrong there is not reported), and
// a sponsor folder that is a symbolic link is reported, not followed.
func TestLocalListWalksOnlyThePrefix(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.xml"), []byte("<secret/>"), 0o600)
	os.MkdirAll(filepath.Join(dir, "4NUV7KB58"), 0o750)
	os.MkdirAll(filepath.Join(dir, "NTMHWM0V3"), 0o750)
	os.WriteFile(filepath.Join(dir, "4NUV7KB58", "ok.xml"), []byte("<ok/>"), 0o600)
	os.WriteFile(filepath.Join(dir, "NTMHWM0V3", "new\nline.xml"), []byte("<x/>"), 0o600)
	if err := os.Symlink(outside, filepath.Join(dir, "LINKED")); err != nil {
		t.Fatal(err)
	}
	s := mustLocal(t, dir)
	ctx := context.Background()
	_, all, _ := s.List(ctx, "")
	if len(all) != 2 {
		t.Fatalf("the whole walk skipped %v, want the odd name and the link", all)
	}
	objs, skipped, err := s.List(ctx, "4NUV7KB58/")
	if err != nil || len(objs) != 1 || len(skipped) != 0 {
		t.Errorf("List(4NUV7KB58/) = %v, skipped %v, %v: want ok.xml alone, nothing of NTMHWM0V3's", objs, skipped, err)
	}
	// Within the folder, only subfolders whose names can start a key with
	// the prefix are entered.
	os.MkdirAll(filepath.Join(dir, "NTMHWM0V3", "fees", "x"), 0o750)
	os.WriteFile(filepath.Join(dir, "NTMHWM0V3", "fees", "x", "a.xml"), []byte("<x/>"), 0o600)
	os.MkdirAll(filepath.Join(dir, "NTMHWM0V3", "other\nname"), 0o750)
	objs, skipped, err = s.List(ctx, "NTMHWM0V3/fe")
	if err != nil || len(objs) != 1 || objs[0].Key != "NTMHWM0V3/fees/x/a.xml" || len(skipped) != 0 {
		t.Errorf("List(NTMHWM0V3/fe) = %v, skipped %v, %v: want fees/x/a.xml alone", objs, skipped, err)
	}
	objs, skipped, err = s.List(ctx, "LINKED/")
	if err != nil || len(objs) != 0 || len(skipped) != 1 || skipped[0].Reason != "is a symbolic link" {
		t.Errorf("List(LINKED/) = %v, skipped %v, %v: want the link reported, not followed", objs, skipped, err)
	}
	for _, prefix := range []string{"missing/", "4NUV7KB58/ok.xml/", "../", "a//b/"} {
		if objs, _, err := s.List(ctx, prefix); err != nil || len(objs) != 0 {
			t.Errorf("List(%q) = %v, %v; want nothing", prefix, objs, err)
		}
	}
}

func mustLocal(t *testing.T, dir string) *storage.Local {
	t.Helper()
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLocalListMissingRoot: a folder whose root has gone is an error for
// any prefix, so that a check that lists a prefix (bdt serve's /readyz)
// sees it without walking anything.
func TestLocalListMissingRoot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inbox")
	s := mustLocal(t, dir)
	os.RemoveAll(dir)
	for _, prefix := range []string{"", "readyz-probe/"} {
		if _, _, err := s.List(context.Background(), prefix); err == nil {
			t.Errorf("List(%q) of a folder that has gone succeeded", prefix)
		}
	}
}
