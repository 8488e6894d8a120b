// Package storagetest is the test suite every Storage implementation must
// pass: the local folder and S3 run the same cases.
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"bdt/bdt/storage"
)

// Run runs the suite. open returns a fresh, empty Storage each time it is called.
func Run(t *testing.T, open func(t *testing.T) storage.Storage) {
	ctx := context.Background()
	t.Run("PutOpenList", func(t *testing.T) {
		s := open(t)
		put(t, s, "4NUV7KB58/b.xml", "bee")
		put(t, s, "4NUV7KB58/a.xml", "a")
		put(t, s, "NTMHWM0V3/c.xml", "sea")
		objs, skipped, err := s.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(skipped) != 0 {
			t.Errorf("skipped %v", skipped)
		}
		var keys []string
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		if got, want := strings.Join(keys, ","), "4NUV7KB58/a.xml,4NUV7KB58/b.xml,NTMHWM0V3/c.xml"; got != want {
			t.Errorf("List = %s, want %s", got, want)
		}
		if objs[1].Size != 3 {
			t.Errorf("size of b.xml = %d, want 3", objs[1].Size)
		}
		for _, o := range objs {
			if o.ModTime.IsZero() {
				t.Errorf("%s has no modification time", o.Key)
			}
		}
		objs, _, _ = s.List(ctx, "NTMHWM0V3/")
		if len(objs) != 1 || objs[0].Key != "NTMHWM0V3/c.xml" {
			t.Errorf("List(prefix) = %v", objs)
		}
		if got := get(t, s, "4NUV7KB58/b.xml"); got != "bee" {
			t.Errorf("Open = %q", got)
		}
	})
	t.Run("PutReplaces", func(t *testing.T) {
		s := open(t)
		put(t, s, "x/r.xml", "first version, longer")
		put(t, s, "x/r.xml", "second")
		if got := get(t, s, "x/r.xml"); got != "second" {
			t.Errorf("after replace = %q", got)
		}
	})
	t.Run("FailedPutLeavesNothing", func(t *testing.T) {
		s := open(t)
		err := s.Put(ctx, "x/partial.xml", io.MultiReader(strings.NewReader("half"), errReader{}))
		if err == nil {
			t.Fatal("Put with a failing reader succeeded")
		}
		objs, _, _ := s.List(ctx, "")
		if len(objs) != 0 {
			t.Errorf("a failed Put left %v", objs)
		}
	})
	t.Run("FailedPutKeepsTheOldVersion", func(t *testing.T) {
		s := open(t)
		put(t, s, "x/r.xml", "complete old version")
		err := s.Put(ctx, "x/r.xml", io.MultiReader(strings.NewReader("new but"), errReader{}))
		if err == nil {
			t.Fatal("Put with a failing reader succeeded")
		}
		if got := get(t, s, "x/r.xml"); got != "complete old version" {
			t.Errorf("after a failed replace = %q", got)
		}
	})
	t.Run("ListPrefixIsAFolder", func(t *testing.T) {
		s := open(t)
		put(t, s, "AB/x.xml", "x")
		put(t, s, "ABC/y.xml", "y")
		put(t, s, "A/z.xml", "z")
		objs, _, err := s.List(ctx, "AB/")
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 1 || objs[0].Key != "AB/x.xml" {
			t.Errorf("List(AB/) = %v, want only AB/x.xml", objs)
		}
		if objs, _, _ := s.List(ctx, "nobody/"); len(objs) != 0 {
			t.Errorf("List(nobody/) = %v", objs)
		}
	})
	t.Run("ListPrefixIsAString", func(t *testing.T) {
		// A prefix is any start of a key, not only a folder: it may end
		// inside a name, or name folders several levels deep.
		s := open(t)
		for _, k := range []string{"AB/fees-1.xml", "AB/fees-2.xml", "AB/other.xml", "ABC/fees.xml", "AB/x/y/deep.xml", "AB/x/z.xml"} {
			put(t, s, k, "x")
		}
		for prefix, want := range map[string]string{
			"AB/fees":        "AB/fees-1.xml,AB/fees-2.xml",
			"AB":             "AB/fees-1.xml,AB/fees-2.xml,AB/other.xml,AB/x/y/deep.xml,AB/x/z.xml,ABC/fees.xml",
			"AB/x/y/":        "AB/x/y/deep.xml",
			"AB/x/":          "AB/x/y/deep.xml,AB/x/z.xml",
			"AB/nope/":       "",
			"AB/fees-1.xml/": "",
		} {
			objs, skipped, err := s.List(ctx, prefix)
			if err != nil {
				t.Fatalf("List(%q): %v", prefix, err)
			}
			var keys []string
			for _, o := range objs {
				keys = append(keys, o.Key)
			}
			if got := strings.Join(keys, ","); got != want || len(skipped) != 0 {
				t.Errorf("List(%q) = %s, skipped %v; want %s", prefix, got, skipped, want)
			}
		}
	})
	t.Run("EmptyObject", func(t *testing.T) {
		s := open(t)
		put(t, s, "e/empty.xml", "")
		objs, _, err := s.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 1 || objs[0].Key != "e/empty.xml" || objs[0].Size != 0 {
			t.Errorf("List = %v, want e/empty.xml of size 0", objs)
		}
		if got := get(t, s, "e/empty.xml"); got != "" {
			t.Errorf("Open = %q", got)
		}
	})
	t.Run("OddButSafeNames", func(t *testing.T) {
		// Names sponsors' systems produce: spaces, punctuation that URLs
		// escape, non-ASCII letters.
		names := []string{
			"4NUV7KB58/fees 2026-11 (final).xml",
			"4NUV7KB58/a+b=c&d%20e;f,g@h.xml",
			"4NUV7KB58/étudiants–ŁÓDŹ 日本.xml",
			"4NUV7KB58/~tilde's #1!.xml",
		}
		src, dst := open(t), open(t)
		for i, k := range names {
			put(t, src, k, fmt.Sprint("body ", i))
		}
		objs, skipped, err := src.List(ctx, "4NUV7KB58/")
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != len(names) || len(skipped) != 0 {
			t.Fatalf("List = %v, skipped %v; want the %d names", objs, skipped, len(names))
		}
		for i, k := range names {
			if got, want := get(t, src, k), fmt.Sprint("body ", i); got != want {
				t.Errorf("Open(%q) = %q, want %q", k, got, want)
			}
			if err := storage.Move(ctx, src, dst, k); err != nil {
				t.Errorf("Move(%q): %v", k, err)
			}
			if got, want := get(t, dst, k), fmt.Sprint("body ", i); got != want {
				t.Errorf("moved %q = %q, want %q", k, got, want)
			}
		}
		if objs, _, _ := src.List(ctx, ""); len(objs) != 0 {
			t.Errorf("source still holds %v", objs)
		}
	})
	t.Run("OpenMissing", func(t *testing.T) {
		s := open(t)
		_, err := s.Open(ctx, "nope/missing.xml")
		if !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Open(missing) error = %v, want ErrNotFound", err)
		}
	})
	t.Run("DeleteIsIdempotent", func(t *testing.T) {
		s := open(t)
		put(t, s, "d/x.xml", "x")
		for i := 0; i < 2; i++ {
			if err := s.Delete(ctx, "d/x.xml"); err != nil {
				t.Fatalf("Delete #%d: %v", i+1, err)
			}
		}
		objs, _, _ := s.List(ctx, "")
		if len(objs) != 0 {
			t.Errorf("after Delete: %v", objs)
		}
	})
	t.Run("UnsafeKeysRefused", func(t *testing.T) {
		s := open(t)
		for _, k := range []string{"../escape.xml", "a/../../b.xml", "/abs.xml", "a//b.xml", "a/./b.xml", "new\nline.xml", "nul\x00.xml", "bad\xffutf8.xml", `back\slash.xml`, ""} {
			if err := s.Put(ctx, k, strings.NewReader("x")); err == nil {
				t.Errorf("Put(%q) succeeded", k)
			}
			if _, err := s.Open(ctx, k); err == nil {
				t.Errorf("Open(%q) succeeded", k)
			}
			if err := s.Delete(ctx, k); err == nil {
				t.Errorf("Delete(%q) succeeded", k)
			}
		}
	})
	t.Run("MoveIsRepeatable", func(t *testing.T) {
		src, dst := open(t), open(t)
		put(t, src, "m/f.xml", "payload")
		for i := 0; i < 2; i++ {
			if err := storage.Move(ctx, src, dst, "m/f.xml"); err != nil {
				t.Fatalf("Move #%d: %v", i+1, err)
			}
		}
		if got := get(t, dst, "m/f.xml"); got != "payload" {
			t.Errorf("moved content = %q", got)
		}
		if objs, _, _ := src.List(ctx, ""); len(objs) != 0 {
			t.Errorf("source still holds %v", objs)
		}
		// Moving a key that is in neither place is a repeat of a move
		// whose every trace is gone: nothing to do.
		if err := storage.Move(ctx, src, dst, "m/never.xml"); err != nil {
			t.Errorf("Move(never written): %v", err)
		}
	})
	t.Run("MoveAsRenames", func(t *testing.T) {
		src, dst := open(t), open(t)
		put(t, src, "m/a.xml", "second upload")
		for i := 0; i < 2; i++ { // repeatable, as Move is
			if err := storage.MoveAs(ctx, src, dst, "m/a.xml", "m/a.xml.2"); err != nil {
				t.Fatalf("MoveAs #%d: %v", i+1, err)
			}
		}
		if got := get(t, dst, "m/a.xml.2"); got != "second upload" {
			t.Errorf("moved content = %q", got)
		}
		if objs, _, _ := dst.List(ctx, "m/"); len(objs) != 1 || objs[0].Key != "m/a.xml.2" {
			t.Errorf("destination holds %v; want only m/a.xml.2", objs)
		}
		if objs, _, _ := src.List(ctx, ""); len(objs) != 0 {
			t.Errorf("source still holds %v", objs)
		}
	})
	t.Run("LargeStreams", func(t *testing.T) {
		s := open(t)
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
		if err := s.Put(ctx, "big/f.xml", bytes.NewReader(big)); err != nil {
			t.Fatal(err)
		}
		if got := get(t, s, "big/f.xml"); got != string(big) {
			t.Errorf("1 MiB round trip differs (len %d)", len(got))
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func put(t *testing.T, s storage.Storage, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
}

func get(t *testing.T, s storage.Storage, key string) string {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b)
}
