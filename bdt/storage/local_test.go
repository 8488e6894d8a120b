package storage_test

import (
	"context"
	"os"
	"path/filepath"
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
