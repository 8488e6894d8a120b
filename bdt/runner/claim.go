package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// claim is the first stage of a file: what the ledger remembers of it, then
// this run's claim. It returns the entry to decide p under, stored as
// processing (in a dry run, never stored); or, when an earlier run
// committed these very bytes, that run's entry, of which only finishing is
// left. An upload's entry (RECEIVED, bdt/intake) is the one claimed: it
// keeps its Submitter, ClientName and ReceivedAt, and a dry run decides
// under a copy of those.
func (r *Runner) claim(ctx context.Context, p *pending, now time.Time) (entry, committed *ledger.File, err error) {
	if !r.cfg.DryRun {
		if entry, committed, err = r.recoverEntry(ctx, p); err != nil || committed != nil {
			return nil, committed, err
		}
	} else if entry, err = r.uploadEntry(ctx, p); err != nil {
		return nil, nil, err
	}
	if entry == nil {
		entry = &ledger.File{Licence: p.licence, Key: p.obj.Key, Name: p.name, Declared: -1}
	}
	if entry.Submitter == "" { // an upload was received when bdt/intake wrote its entry, claimed or not since
		entry.ReceivedAt = p.obj.ModTime.UTC()
	}
	entry.Size = p.obj.Size
	entry.Status = ledger.Processing
	entry.StartedAt = r.cfg.Clock().UTC()
	entry.ProcessedAt = now
	if !r.cfg.DryRun {
		if err := r.update(ctx, entry); err != nil {
			return nil, nil, fmt.Errorf("claim: %w", err)
		}
	}
	return entry, nil, nil
}

// recoverEntry reads what earlier runs left of p's key in the ledger: an
// entry claimed and not committed (started again: returned as unfinished),
// or a committed one. A committed entry of the same bytes is returned as
// committed; one of other bytes was replaced by a new upload under the same
// name after it was applied, and is marked archived.
func (r *Runner) recoverEntry(ctx context.Context, p *pending) (unfinished, committed *ledger.File, err error) {
	prev, err := r.cfg.Store.FileList(ctx, store.FileListParams{Licence: p.licence, Key: p.obj.Key, Unarchived: true})
	if err != nil {
		return nil, nil, fmt.Errorf("read ledger: %w", err)
	}
	for _, f := range prev {
		if !f.Done() {
			unfinished = f
			continue
		}
		sum, err := r.hashObject(ctx, p.obj.Key)
		if err != nil {
			return nil, nil, err
		}
		if sum == f.SHA256 {
			return nil, f, nil
		}
		f.Archived = true
		if err := r.update(ctx, f); err != nil {
			return nil, nil, err
		}
	}
	return unfinished, nil, nil
}

// uploadEntry returns, for a dry run, a new entry for p that carries what
// an upload's entry (RECEIVED) of p's key holds of its upload, or nil when
// p has none. Nothing is stored.
func (r *Runner) uploadEntry(ctx context.Context, p *pending) (*ledger.File, error) {
	prev, err := r.cfg.Store.FileList(ctx, store.FileListParams{Licence: p.licence, Key: p.obj.Key, Status: ledger.Received})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	if len(prev) == 0 {
		return nil, nil
	}
	u := prev[len(prev)-1]
	return &ledger.File{Licence: p.licence, Key: p.obj.Key, Name: p.name, Declared: -1,
		Submitter: u.Submitter, ClientName: u.ClientName, Status: ledger.Received, ReceivedAt: u.ReceivedAt}, nil
}

// hashObject returns the SHA-256 of the inbox file key, in hex.
func (r *Runner) hashObject(ctx context.Context, key string) (string, error) {
	rd, err := r.cfg.Inbox.Open(ctx, key)
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	defer rd.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rd); err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
