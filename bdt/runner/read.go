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
	"bdt/rules"
	"bdt/schema"
)

// read is the stage that reads the claimed file p into e inside tx: a file
// over the size limit is refused unread; any other is streamed through the
// validator, its records decided and applied as they complete (read.stream),
// and its findings given. It returns the record findings by rule id when the
// records' decisions stand (recordsDecided).
func (r *Runner) read(ctx context.Context, tx store.Tx, p *pending, e *ledger.File, now time.Time) (map[rules.RuleID]int, error) {
	if p.obj.Size > r.cfg.MaxSize {
		return nil, r.refuseOversize(ctx, p, e)
	}
	s := &fileScope{ctx: ctx, r: r, tx: tx, e: e, now: now}
	return s.stream(p)
}

// refuseOversize gives e, a file over the size limit, its F.SIZE finding
// and its hash, without parsing it.
func (r *Runner) refuseOversize(ctx context.Context, p *pending, e *ledger.File) error {
	sum, err := r.hashObject(ctx, p.obj.Key)
	if err != nil {
		return err
	}
	e.SHA256 = sum
	e.FileFindings = []ledger.Finding{rules.SizeFinding(p.obj.Size, r.cfg.MaxSize)}
	return nil
}

// stream streams the file through the validator, which hands its header and
// records to a fileHandler, and hashes every byte on the way. When every
// record is decided it gives the file its findings.
func (s *fileScope) stream(p *pending) (map[rules.RuleID]int, error) {
	r, e := s.r, s.e
	rd, err := r.cfg.Inbox.Open(s.ctx, p.obj.Key)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer rd.Close()
	hasher := sha256.New()
	tee := io.TeeReader(rd, hasher)

	if r.cfg.DryRun {
		// The ledger row exists only inside tx, so outcomes have a file to belong to.
		if err := s.tx.FileInsert(s.ctx, e); err != nil {
			return nil, err
		}
	}
	h := &fileHandler{s: s, batch: rules.NewBatch()}
	var seen *diskSeen // the batch's pairs, when on disk
	if over := r.cfg.DiskDuplicatesOver; over >= 0 && p.obj.Size > over {
		if seen, err = newDiskSeen(s.ctx, int(p.obj.Size/200)); err != nil { // a record is 200 bytes and more
			return nil, err
		}
		defer seen.Close()
		h.batch = rules.NewBatchWith(seen)
	}
	defer h.stopDecider()
	result, err := r.v.Validate(tee, h, schema.Options{MaxErrors: r.cfg.MaxErrors, MaxSize: r.cfg.MaxSize, BDTFiles: true,
		SchemaErrors: r.cfg.SchemaErrors})
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if h.err != nil {
		return nil, h.err
	}
	// The validator may stop early (unknown kind, not well-formed): read the
	// rest so the SHA-256 covers every byte.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	e.SHA256 = hex.EncodeToString(hasher.Sum(nil))
	if result.Format.Kind != "" {
		e.Kind, e.Version = result.Format.Kind, result.Format.Version
	}
	e.Read = result.Records
	counts, err := h.finishDecisions()
	if err != nil {
		return nil, err
	}
	if seen != nil {
		if err := seen.Err(); err != nil {
			return nil, err // the duplicates may have been misjudged
		}
	}
	if err := h.flushOutcomes(); err != nil {
		return nil, err
	}
	e.Truncated = result.Truncated
	findings, inRecords := h.fileFindings(result)
	if e.FileFindings, err = s.sameContent(findings); err != nil {
		return nil, err
	}
	if !recordsDecided(e) {
		// The records' outcomes are dropped: their R.SCHEMA findings are
		// reported with the file's.
		e.FileFindings = append(e.FileFindings, inRecords...)
		return nil, nil
	}
	return counts, nil
}
