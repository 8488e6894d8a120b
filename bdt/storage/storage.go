// Package storage puts the inbox, outbox and archive behind one small
// interface: a local folder (the default) or, later, an S3 bucket and prefix.
// Keys are slash-separated paths relative to the location's root, such as
// "4NUV7KB58/fees-2026-11.xml".
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Object is one stored file.
type Object struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Storage is a place files are listed, read, written and removed.
type Storage interface {
	// List returns every object whose key starts with prefix ("" for all),
	// sorted by key. Objects with unsafe keys are not listed; they are
	// returned in skipped so the caller can report them.
	List(ctx context.Context, prefix string) (objs []Object, skipped []Skipped, err error)
	// Open opens an object for streaming reads.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores r under key atomically: afterwards the object is complete
	// or absent, never partial.
	Put(ctx context.Context, key string, r io.Reader) error
	// Delete removes key. A missing key is not an error.
	Delete(ctx context.Context, key string) error
	// String names the location for logs and messages.
	String() string
}

// Skipped is an entry List refused to return, and why.
type Skipped struct {
	Key    string // as found, quoted for display
	Reason string
}

// ErrNotFound is returned (wrapped) by Open for a key that does not exist.
var ErrNotFound = errors.New("storage: not found")

// KeyError reports a key that is not a safe relative path.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("storage: unsafe key %q: %s", e.Key, e.Reason) }

// CheckKey reports whether key is a safe relative key: valid UTF-8, no
// control characters, no empty, "." or ".." segments, no leading slash or
// backslash. Keys that fail are never opened, written or archived.
func CheckKey(key string) error {
	bad := func(r string) error { return &KeyError{Key: key, Reason: r} }
	switch {
	case key == "":
		return bad("empty")
	case !utf8.ValidString(key):
		return bad("not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return bad("absolute")
	case strings.ContainsRune(key, '\\'):
		return bad("contains a backslash")
	case len(key) > 1024:
		return bad("longer than 1024 bytes")
	}
	for _, r := range key {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return bad("contains a control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "", ".", "..":
			return bad("has an empty, '.' or '..' segment")
		}
	}
	return nil
}

// Move copies key from src to dst and then deletes it from src. It is safe
// to repeat after a crash at any point: a key already gone from src but
// present in dst counts as moved.
func Move(ctx context.Context, src, dst Storage, key string) error {
	r, err := src.Open(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil // moved by an earlier attempt
	}
	if err != nil {
		return err
	}
	err = dst.Put(ctx, key, r)
	r.Close()
	if err != nil {
		return err
	}
	return src.Delete(ctx, key)
}

// Open returns the Storage at location: a folder path or a file:// URL.
func Open(location string) (Storage, error) {
	switch {
	case strings.HasPrefix(location, "file://"):
		return NewLocal(strings.TrimPrefix(location, "file://"))
	case strings.Contains(location, "://"):
		return nil, fmt.Errorf("storage: unsupported location %q (use a folder path or file://)", location)
	default:
		return NewLocal(location)
	}
}
