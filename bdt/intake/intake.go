// Package intake receives a file uploaded through the sponsor portal or the
// API and stores it in the sponsor's inbox, where a run takes it like a file
// that arrived by any other channel: an upload is just another source.
//
// Receive writes the ledger entry first, as RECEIVED with the signed-in
// user as its submitter, commits it, and only then streams the body into
// the inbox. A run that lists the object therefore always finds its entry
// (the runner's claim takes it over, keeping Submitter, ClientName and
// ReceivedAt), so the submitter of an upload is never taken from the
// file's header: a file naming another user is refused with F.USER. The
// other order would leave a moment in which a run could find the object
// without its entry and believe the header.
//
// A failed upload leaves nothing: storage's Put is atomic (nothing of a
// body cut short, or over the limit, reaches the inbox), Receive deletes
// the object in case a failure came after it was stored, and then the
// entry (store.LedgerTx.FileDelete, only while still RECEIVED). Should the
// object's delete itself fail, the entry is kept, so that a run finding the
// object still knows who uploaded it; the portal then shows an entry stuck
// at RECEIVED, which an operator can see with `bdt files list`.
//
// The size and the SHA-256 are counted as the body streams and returned on
// the entry, but not stored by Receive: the run reads every byte anyway and
// stores both, and a second write by Receive could race a run that has
// already claimed the entry.
package intake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"path"
	"strings"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/rules"
)

// ErrTooLarge is matched (errors.Is) by the error of an upload over the size
// limit; errors.As gives its *TooLargeError, whose Finding is the F.SIZE
// finding to show.
var ErrTooLarge = errors.New("intake: upload over the size limit")

// TooLargeError is Receive's error for a body longer than ReceiveParams.MaxSize.
type TooLargeError struct {
	Limit int64 // the size limit, in bytes
}

// Finding returns the F.SIZE finding of the upload (its size is not known:
// the reading stopped at the limit).
func (e *TooLargeError) Finding() rules.Finding { return rules.SizeFinding(-1, e.Limit) }

func (e *TooLargeError) Error() string { return "intake: " + e.Finding().Message }

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReceiveParams is one upload for Receive.
type ReceiveParams struct {
	Store      store.Store
	Inbox      storage.Storage
	Licence    string // the sponsor folder of the signed-in user's licence
	User       string // the signed-in SMS user: the entry's Submitter
	ClientName string // the file name the client gave, as data; "" for none
	Body       io.Reader
	MaxSize    int64     // the F.SIZE limit in bytes; must be positive
	Now        time.Time // the entry's ReceivedAt
}

// Receive stores the upload p describes in the inbox under a key it
// chooses (KeyFor), after the ledger entry that says who uploaded it (see
// the package comment), and returns that entry, RECEIVED, with the size and
// SHA-256 of the body. A body over p.MaxSize bytes gives an error matching
// ErrTooLarge; that and any other failure (the body's reader, the storage,
// the context) leave neither object nor entry behind.
func Receive(ctx context.Context, p ReceiveParams) (*ledger.File, error) {
	switch {
	case p.Store == nil || p.Inbox == nil || p.Body == nil:
		return nil, errors.New("intake: store, inbox and body are needed")
	case p.User == "":
		return nil, errors.New("intake: an upload needs the user who sends it")
	case p.MaxSize <= 0:
		return nil, errors.New("intake: no size limit")
	}
	key, err := KeyFor(p.Licence, p.Now)
	if err != nil {
		return nil, err
	}
	e := &ledger.File{Licence: p.Licence, Key: key, Name: path.Base(key), Submitter: p.User, ClientName: p.ClientName,
		Status: ledger.Received, ReceivedAt: p.Now.UTC(), Declared: -1}
	if err := inTx(ctx, p.Store, func(tx store.Tx) error { return tx.FileInsert(ctx, e) }); err != nil {
		return nil, fmt.Errorf("intake: %s: record the upload: %w", key, err)
	}
	body := &limitedReader{r: p.Body, left: p.MaxSize, h: sha256.New()}
	if err := p.Inbox.Put(ctx, key, body); err != nil {
		if body.over {
			err = &TooLargeError{Limit: p.MaxSize}
		} else {
			err = fmt.Errorf("intake: %s: store the upload: %w", key, err)
		}
		return nil, errors.Join(err, undo(ctx, p, e))
	}
	e.Size, e.SHA256 = body.n, hex.EncodeToString(body.h.Sum(nil))
	return e, nil
}

// undo removes what Receive stored of a failed upload e: the object (Put is
// atomic, but a failure may come after the object was stored), then, only
// if that succeeded, the entry. It runs even when ctx is cancelled (the
// client went away).
func undo(ctx context.Context, p ReceiveParams, e *ledger.File) error {
	ctx = context.WithoutCancel(ctx)
	if err := p.Inbox.Delete(ctx, e.Key); err != nil {
		return fmt.Errorf("intake: %s: remove the failed upload (its entry is kept): %w", e.Key, err)
	}
	if err := inTx(ctx, p.Store, func(tx store.Tx) error { return tx.FileDelete(ctx, e.ID) }); err != nil {
		return fmt.Errorf("intake: %s: remove the entry of the failed upload: %w", e.Key, err)
	}
	return nil
}

// KeyFor returns a new inbox key for an upload to licence at now:
// LICENCE/upload-20261207T142500Z-<12 lower-case hex digits, random>.xml.
// The client's file name never reaches a key.
func KeyFor(licence string, now time.Time) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("intake: %w", err)
	}
	key := licence + "/upload-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:]) + ".xml"
	if err := storage.CheckKey(key); err != nil || licence == "" || strings.Contains(licence, "/") {
		return "", fmt.Errorf("intake: licence %q is not a sponsor folder", licence)
	}
	return key, nil
}

// inTx runs fn in a transaction of s and commits it.
func inTx(ctx context.Context, s store.Store, fn func(tx store.Tx) error) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// limitedReader reads r, failing once more than left bytes come, and
// counts and hashes what it passes on.
type limitedReader struct {
	r    io.Reader
	left int64
	n    int64
	h    hash.Hash
	over bool
}

// errOver is limitedReader's error past the limit; Receive reports it as a
// TooLargeError.
var errOver = errors.New("over the size limit")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.over {
		return 0, errOver
	}
	if int64(len(p)) > l.left && l.left < math.MaxInt64 {
		p = p[:l.left+1] // one byte past the limit shows it is passed
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		l.over = true
		return 0, errOver
	}
	l.left -= int64(n)
	l.n += int64(n)
	l.h.Write(p[:n])
	return n, err
}
