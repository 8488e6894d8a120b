// Package storage puts the inbox, outbox and archive behind one small
// interface: a local folder (the default) or an S3 bucket and prefix
// (package bdt/bdt/storage/s3). Keys are slash-separated paths relative to
// the location's root, such as "4NUV7KB58/fees-2026-11.xml".
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
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
	// sorted by key. The prefix is a plain start of a key: it may end
	// inside a name ("4NUV7KB58/fees" lists 4NUV7KB58/fees-1.xml). Objects
	// with unsafe keys are not listed; they are returned in skipped so the
	// caller can report them (only those under the prefix). A listing
	// costs what is under the prefix, not the whole location: the
	// sponsor's folder is all a sponsor's queue reads.
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

// ErrNoLocation is returned (wrapped) by List when the location itself does
// not exist: an S3 bucket that is not there.
var ErrNoLocation = errors.New("storage: location does not exist")

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

// Copier is implemented by a Storage that can copy an object to another
// Storage without streaming it through this process, such as S3's
// server-side CopyObject between two locations of one service. CopyTo
// copies key to dstKey in dst (the same key, or a new name: an archived
// file's unique name); it reports false, having done nothing, when it
// cannot copy to dst; MoveAs then streams the object instead. Like Put,
// the copy is complete or absent. A missing source is reported as
// ErrNotFound.
type Copier interface {
	CopyTo(ctx context.Context, dst Storage, key, dstKey string) (bool, error)
}

// Move copies key from src to dst and then deletes it from src. It is safe
// to repeat after a crash at any point: a key already gone from src but
// present in dst counts as moved. The copy is src's own when src is a Copier
// that can reach dst, and streamed through Open and Put otherwise.
func Move(ctx context.Context, src, dst Storage, key string) error {
	return MoveAs(ctx, src, dst, key, key)
}

// MoveAs is Move to the key dstKey in dst, src's own copy when it can.
func MoveAs(ctx context.Context, src, dst Storage, key, dstKey string) error {
	if c, ok := src.(Copier); ok {
		copied, err := c.CopyTo(ctx, dst, key, dstKey)
		if errors.Is(err, ErrNotFound) {
			return nil // moved by an earlier attempt
		}
		if err != nil {
			return err
		}
		if copied {
			return src.Delete(ctx, key)
		}
	}
	r, err := src.Open(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil // moved by an earlier attempt
	}
	if err != nil {
		return err
	}
	err = dst.Put(ctx, dstKey, r)
	r.Close()
	if err != nil {
		return err
	}
	return src.Delete(ctx, key)
}

// Options are what Open needs to know beyond the location itself.
type Options struct {
	// S3Endpoint is the URL of an S3-compatible server (such as
	// http://127.0.0.1:7070) for s3:// locations; "" for AWS S3, or for the
	// endpoint the SDK's own configuration names (AWS_ENDPOINT_URL_S3).
	// Given an endpoint, buckets are addressed path-style.
	S3Endpoint string
	// Modes are the permissions of the files and folders a local folder
	// creates (zero: the umask's). S3 has none.
	Modes Modes
}

// Opener opens the Storage at a location of one URL scheme.
type Opener func(ctx context.Context, location string, opt Options) (Storage, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes Open hand locations of scheme ("s3" for s3://…) to open.
// Implementations outside this package register themselves when imported
// (package bdt/bdt/storage/s3 registers "s3"), which keeps this package free
// of their dependencies. Registering a scheme twice panics.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if _, dup := openers[scheme]; dup || scheme == "file" {
		panic("storage: Register called twice for scheme " + scheme)
	}
	openers[scheme] = open
}

// Open returns the Storage at location: a folder path, a file:// URL, or a
// URL of a registered scheme such as s3://bucket/prefix (which needs package
// bdt/bdt/storage/s3 linked in).
func Open(ctx context.Context, location string, opt Options) (Storage, error) {
	scheme, _, isURL := strings.Cut(location, "://")
	switch {
	case !isURL:
		return NewLocalModes(location, opt.Modes)
	case scheme == "file":
		return NewLocalModes(strings.TrimPrefix(location, "file://"), opt.Modes)
	}
	openersMu.RLock()
	open := openers[strings.ToLower(scheme)]
	var known []string
	for s := range openers {
		known = append(known, s+"://")
	}
	openersMu.RUnlock()
	if open == nil {
		sort.Strings(known)
		return nil, fmt.Errorf("storage: unsupported location %q (use a folder path or %s)",
			location, strings.Join(append([]string{"file://"}, known...), ", "))
	}
	return open(ctx, location, opt)
}
