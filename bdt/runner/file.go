package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync/atomic"
	"time"

	"bdt/bdt/decode"
	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/rules"
	"bdt/schema"
)

// errLeaseLost stops a file whose sponsor lease ran out before its commit:
// another process may have taken the queue over, so the work is dropped and
// the file left for whoever holds the lease.
var errLeaseLost = errors.New("the sponsor's lease ran out before the commit; the file is left pending")

// outcomeBatch is how many record outcomes are buffered before they are
// written to the ledger.
const outcomeBatch = 512

// processFile takes one inbox file from wherever an earlier run left it to
// archived, or leaves it pending with an error.
func (r *Runner) processFile(ctx context.Context, p *pending, now time.Time) (res FileResult) {
	start := r.cfg.Clock()
	res.Key = p.obj.Key
	var recordFindings map[rules.RuleID]int
	defer func() {
		res.Elapsed = r.cfg.Clock().Sub(start)
		if errors.Is(res.Err, storage.ErrNotFound) {
			res.Err, res.gone = nil, true // another process took the file meanwhile
		}
		if e := res.Entry; e != nil && res.Err == nil && !res.Recovered {
			res.Findings = map[rules.RuleID]int{}
			for _, f := range e.FileFindings {
				res.Findings[f.Rule]++
			}
			for id, n := range recordFindings {
				res.Findings[id] += n
			}
		}
	}()
	r.cfg.Observer.FileStarted(p.obj.Key, p.obj.Size)

	var entry *ledger.File
	if !r.cfg.DryRun {
		prev, err := r.cfg.Store.FileList(ctx, store.FileListParams{Licence: p.licence, Key: p.obj.Key, Unarchived: true})
		if err != nil {
			res.Err = fmt.Errorf("read ledger: %w", err)
			return res
		}
		for _, f := range prev {
			if !f.Done() {
				entry = f // an earlier run claimed it and did not commit: start again
				continue
			}
			// An earlier run committed this key. Same bytes: finish its
			// reports and archiving. Other bytes: a new upload replaced the
			// file under the same name after the earlier one was applied.
			sum, err := r.hashObject(ctx, p.obj.Key)
			if err != nil {
				res.Err = err
				return res
			}
			if sum == f.SHA256 {
				res.Entry, res.Recovered = f, true
				res.Err = r.finish(ctx, f)
				return res
			}
			f.Archived = true
			if err := r.update(ctx, f); err != nil {
				res.Err = err
				return res
			}
		}
	}
	if entry == nil {
		entry = &ledger.File{Licence: p.licence, Key: p.obj.Key, Name: p.name, Declared: -1}
	}
	entry.Size = p.obj.Size
	entry.Status = ledger.Processing
	entry.ReceivedAt = p.obj.ModTime.UTC()
	entry.StartedAt = r.cfg.Clock().UTC()
	entry.ProcessedAt = now
	if !r.cfg.DryRun {
		if err := r.update(ctx, entry); err != nil {
			res.Err = fmt.Errorf("claim: %w", err)
			return res
		}
	}
	res.Entry = entry

	tx, err := r.cfg.Store.Begin(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	defer tx.Rollback()

	var keepOutcomes bool
	if p.obj.Size > r.cfg.MaxSize {
		sum, err := r.hashObject(ctx, p.obj.Key)
		if err != nil {
			res.Err = err
			return res
		}
		entry.SHA256 = sum
		entry.FileFindings = []ledger.Finding{rules.SizeFinding(p.obj.Size, r.cfg.MaxSize)}
	} else {
		keepOutcomes, recordFindings, err = r.decideFile(ctx, tx, p, entry, now)
		if err != nil {
			res.Err = err
			return res
		}
	}
	entry.FinishedAt = r.cfg.Clock().UTC()
	settle(entry, keepOutcomes)

	if r.cfg.DryRun {
		// Everything was decided inside tx; write the reports from it and
		// throw it away.
		if err := r.writeReports(ctx, tx, entry, keepOutcomes); err != nil {
			res.Err = err
		}
		return res
	}
	if !keepOutcomes {
		// A rejected file applies nothing: drop whatever its records did.
		if err := tx.Rollback(); err != nil {
			res.Err = err
			return res
		}
		if tx, err = r.cfg.Store.Begin(ctx); err != nil {
			res.Err = err
			return res
		}
		defer tx.Rollback()
	}
	if err := tx.FileUpdate(ctx, entry); err != nil {
		res.Err = err
		return res
	}
	// Fencing: commit only while this process still holds the sponsor's
	// lease; the check locks it until the transaction ends.
	if held, err := tx.LeaseHeld(ctx, "sponsor:"+p.licence, r.cfg.Owner); err != nil {
		res.Err = err
		return res
	} else if !held {
		res.Err = errLeaseLost
		return res
	}
	fail("before-commit")
	if err := tx.Commit(); err != nil {
		res.Err = fmt.Errorf("commit: %w", err)
		return res
	}
	fail("after-commit")
	res.Err = r.finish(ctx, entry)
	return res
}

// settle sets a decided file's status and counts from its findings.
func settle(e *ledger.File, keepOutcomes bool) {
	switch {
	case e.DuplicateOf != 0:
		e.Status = ledger.Duplicate
	case !keepOutcomes:
		e.Status = ledger.Rejected
	case e.Rejected == 0:
		e.Status = ledger.Accepted
	case e.Accepted == 0:
		e.Status = ledger.Rejected
	default:
		e.Status = ledger.PartiallyAccepted
	}
	if !keepOutcomes {
		e.Accepted, e.Rejected, e.Warnings = 0, e.Read, 0
	}
}

// finish writes the reports of a committed file (unless written already)
// and archives it.
func (r *Runner) finish(ctx context.Context, e *ledger.File) error {
	if !e.ReportsWritten {
		if err := r.writeReports(ctx, r.cfg.Store, e, hasOutcomes(e)); err != nil {
			return err
		}
		fail("after-reports")
		e.ReportsWritten = true
		if err := r.update(ctx, e); err != nil {
			return err
		}
		fail("after-mark")
	}
	if !e.Archived {
		if err := storage.Move(ctx, r.cfg.Inbox, r.cfg.Archive, e.Key); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		fail("after-archive")
		e.Archived = true
		if err := r.update(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// hasOutcomes reports whether a committed file's records were decided (and
// so have outcomes in the ledger): not when a file rule rejected it.
func hasOutcomes(e *ledger.File) bool {
	if e.Status == ledger.Duplicate {
		return false
	}
	for _, f := range e.FileFindings {
		if f.Severity == rules.Error {
			return false
		}
	}
	return true
}

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

// decideFile streams the file through the validator, deciding and applying
// each record inside tx as it completes. It reports whether the record
// outcomes stand (false when a file rule rejected the file, whose records'
// effects must then be discarded).
func (r *Runner) decideFile(ctx context.Context, tx store.Tx, p *pending, e *ledger.File, now time.Time) (keep bool, counts map[rules.RuleID]int, err error) {
	rd, err := r.cfg.Inbox.Open(ctx, p.obj.Key)
	if err != nil {
		return false, nil, fmt.Errorf("open: %w", err)
	}
	defer rd.Close()
	hasher := sha256.New()
	tee := io.TeeReader(rd, hasher)

	if r.cfg.DryRun {
		// The ledger row exists only inside tx, so outcomes have a file to belong to.
		if err := tx.FileInsert(ctx, e); err != nil {
			return false, nil, err
		}
	}
	h := &fileHandler{ctx: ctx, r: r, tx: tx, e: e, now: now, batch: rules.NewBatch(), hasher: hasher}
	if over := r.cfg.DiskDuplicatesOver; over >= 0 && p.obj.Size > over {
		ds, err := newDiskSeen(ctx, int(p.obj.Size/200)) // a record is 200 bytes and more
		if err != nil {
			return false, nil, err
		}
		defer ds.Close()
		h.batch, h.seen = rules.NewBatchWith(ds), ds
	}
	defer h.stopDecider()
	result, err := r.v.Validate(tee, h, schema.Options{MaxErrors: r.cfg.MaxErrors, MaxSize: r.cfg.MaxSize, BDTFiles: true})
	if err != nil {
		return false, nil, fmt.Errorf("read: %w", err)
	}
	if h.err != nil {
		return false, nil, h.err
	}
	// The validator may stop early (unknown kind, not well-formed): read the
	// rest so the SHA-256 covers every byte.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return false, nil, fmt.Errorf("read: %w", err)
	}
	e.SHA256 = hex.EncodeToString(hasher.Sum(nil))
	if result.Format.Kind != "" {
		e.Kind, e.Version = result.Format.Kind, result.Format.Version
	}
	e.Read = result.Records
	if err := h.finishDecisions(); err != nil {
		return false, nil, err
	}
	if h.seen != nil {
		if err := h.seen.Err(); err != nil {
			return false, nil, err // the duplicates may have been misjudged
		}
	}
	if err := h.flush(); err != nil {
		return false, nil, err
	}

	issues := result.Issues
	if is, ok := result.CountIssue(); ok {
		issues = append(issues, is)
	}
	var findings []ledger.Finding
	for _, is := range issues {
		f, who := is.Finding, h.invalid[is.Record]
		f.Reference, f.Cert = who[0], who[1]
		findings = append(findings, f)
	}
	e.Truncated = result.Truncated
	findings = append(findings, h.fileFindings...)
	// A file-id duplicate that also has the same bytes is said to be the
	// same content: the clearer message for a plain re-upload.
	if e.DuplicateOf != 0 {
		if dup, err := tx.File(ctx, e.DuplicateOf); err != nil {
			return false, nil, err
		} else if dup != nil && dup.SHA256 == e.SHA256 {
			for i, f := range findings {
				if f.Rule == rules.FDuplicate {
					nf := duplicateFinding(dup, "has exactly the same content as")
					nf.Field, nf.Line, nf.Path = f.Field, f.Line, f.Path
					findings[i] = nf
				}
			}
		}
	}
	// The same bytes as a file already applied: a duplicate, whatever else is wrong.
	if e.DuplicateOf == 0 {
		dup, err := tx.FileDuplicate(ctx, store.FileDuplicateParams{Licence: e.Licence, SHA256: e.SHA256, Exclude: e.ID})
		if err != nil {
			return false, nil, err
		}
		if dup != nil {
			e.DuplicateOf = dup.ID
			findings = []ledger.Finding{duplicateFinding(dup, "has exactly the same content as")}
		}
	}
	e.FileFindings = findings
	for _, f := range findings {
		if f.Severity == rules.Error {
			return false, nil, nil
		}
	}
	return true, h.counts, nil
}

func duplicateFinding(dup *ledger.File, how string) ledger.Finding {
	return rules.NewFinding(rules.FDuplicate, "",
		"This file %s %s (file id %s), processed %s with status %s; nothing in it was applied again. To send corrections, use a new file id.",
		how, dup.Name, dup.FileID, dup.ProcessedAt.UTC().Format(time.RFC3339), dup.Status)
}

// fileHandler receives the header and records of one file from the validator.
type fileHandler struct {
	ctx    context.Context
	r      *Runner
	tx     store.Tx
	e      *ledger.File
	now    time.Time
	batch  *rules.Batch
	seen   *diskSeen // batch's pairs, when on disk
	hasher hash.Hash

	format       schema.Format
	headerSeen   bool
	rejected     bool // a file rule failed: records are counted, not decided
	schemaBad    bool // a schema error: the file will be rejected
	sponsor      *rules.Sponsor
	user         *rules.User
	fileFindings []ledger.Finding
	outcomes     []ledger.Outcome
	pending      []pendingRecord // decoded records not handed to the decider yet

	// The decider: a goroutine that decides batches of records while the
	// validator reads on, and its dbWorker, which applies them while the
	// decider goes on. Until the decider ends, it alone uses batch, counts,
	// outcomes and e's counts from the first batch on, and the worker alone
	// uses tx.
	db         *dbWorker
	batches    chan []pendingRecord
	free       chan []pendingRecord // batches decided, for reuse
	decided    chan struct{}        // closed when the decider ends
	decideErr  error                // why the decider stopped; read after decided is closed
	decideStop atomic.Bool          // the decider failed: stop reading
	counts     map[rules.RuleID]int // record findings by rule id
	invalid    map[int][2]string    // reference and certificate of records with schema issues
	err        error                // an infrastructure failure inside a handler
}

var _ schema.Handler = (*fileHandler)(nil)

func (h *fileHandler) Header(hd *schema.Header) error {
	h.headerSeen = true
	h.format = hd.Format
	e := h.e
	e.Kind, e.Version = hd.Format.Kind, hd.Format.Version
	e.FileID, e.HeaderLicence, e.UserID, e.CreatedAt = hd.FileID, hd.Licence, hd.UserID, hd.CreatedAt
	e.Declared = hd.RecordCount
	fail := func(err error) error { h.err = err; return err }

	fh := rules.FileHeader{Kind: rules.FileKind(hd.Format.Kind), Licence: hd.Licence, FolderLicence: e.Licence, UserID: hd.UserID, FileID: hd.FileID}
	var err error
	if hd.Licence == e.Licence { // never look up another sponsor's licence
		if h.sponsor, err = h.tx.Sponsor(h.ctx, hd.Licence); err != nil {
			return fail(err)
		}
		if hd.UserID != "" {
			if h.user, err = h.tx.User(h.ctx, hd.UserID); err != nil {
				return fail(err)
			}
		}
	}
	for _, f := range rules.CheckFile(fh, h.sponsor, h.user) {
		h.fileFindings = append(h.fileFindings, decode.AtHeader(hd, f))
		if f.Severity == rules.Error {
			h.rejected = true
		}
	}
	if !h.rejected && hd.FileID != "" {
		dup, err := h.tx.FileDuplicate(h.ctx, store.FileDuplicateParams{Licence: e.Licence, FileID: hd.FileID, Exclude: e.ID})
		if err != nil {
			return fail(err)
		}
		if dup != nil {
			e.DuplicateOf = dup.ID
			df := duplicateFinding(dup, "has the same file id as")
			df.Field = hd.Format.FileIDElement
			h.fileFindings = []ledger.Finding{decode.AtHeader(hd, df)}
			h.rejected = true
		}
	}
	return nil
}

func (h *fileHandler) Record(rec *schema.Record) error {
	if err := h.ctx.Err(); err != nil {
		h.err = err
		return err
	}
	if len(rec.Issues) > 0 {
		h.schemaBad = true
		// Keep who the record is about, for the schema errors' report rows.
		if h.invalid == nil {
			h.invalid = map[int][2]string{}
		}
		if len(h.invalid) < 10000 {
			ref, cert := decode.Who(rec)
			h.invalid[rec.Index] = [2]string{ref, cert}
		}
	}
	if h.rejected || h.schemaBad || !h.headerSeen {
		return nil
	}
	d, err := decode.Decode(h.format, rec)
	if err != nil {
		var fe *decode.FieldError
		if errors.As(err, &fe) {
			// The XSD let a value through that the engine cannot read (an
			// xs:date whose year has five digits or a sign): the record
			// cannot be decided, and the file must not pass as if it had
			// not been there. Its records were not decided before either.
			h.schemaBad = true
			h.fileFindings = append(h.fileFindings, fe.Finding(h.format, rec))
			return nil
		}
		h.err = err
		return err
	}
	if h.decideStop.Load() {
		return h.decideErr // written before decideStop was set
	}
	h.pending = append(h.pending, pendingRecord{rec: rec, d: d})
	if len(h.pending) >= decideBatch {
		h.handOver()
	}
	return nil
}

// handOver gives the pending records to the decider, starting it if need
// be, and takes an empty batch to fill.
func (h *fileHandler) handOver() {
	if len(h.pending) == 0 {
		return
	}
	if h.batches == nil {
		h.batches = make(chan []pendingRecord, 1)
		h.free = make(chan []pendingRecord, 3)
		h.decided = make(chan struct{})
		go h.decider()
	}
	h.batches <- h.pending
	select {
	case b := <-h.free:
		h.pending = b
	default:
		h.pending = make([]pendingRecord, 0, decideBatch)
	}
}

// decider decides the batches it is given, in order, and queues their
// statements on a dbWorker. The certificates of the next batch are read
// while a batch is decided, when the next batch is there already: that read
// is queued before this batch's changes, so the certificates this batch
// changes are read again when the next batch names them. After a failure
// it only drains the batches.
func (h *fileHandler) decider() {
	defer close(h.decided)
	h.db = newDBWorker()
	defer func() {
		if err := h.db.close(); err != nil && h.decideErr == nil {
			h.decideErr = err
			h.decideStop.Store(true)
		}
		h.db = nil // flush from now on runs on the caller's goroutine
	}()
	read := func(b []pendingRecord, early bool) *certsRead {
		var p store.CertificatesForRulesParams
		for _, r := range b {
			p.Numbers = append(p.Numbers, opCerts(r.d.Op)...)
			p.Activity = p.Activity || rules.ReadsActivity(r.d.Op)
		}
		r := h.readForRules(p)
		r.early = early
		return r
	}
	var changed map[string]bool // what the batch before changed; nil: anything
	b, ok := <-h.batches
	var cur *certsRead
	if ok {
		cur = read(b, false)
	}
	for ok {
		var next []pendingRecord
		var nextRead *certsRead
		have, more := false, true
		if h.decideErr == nil {
			select {
			case next, more = <-h.batches:
				have = true
				if more {
					nextRead = read(next, true)
				}
			default:
			}
		}
		if h.decideErr == nil {
			stale := map[string]bool{}
			if cur.early {
				for n := range changed {
					stale[n] = true
				}
			}
			var err error
			if changed, err = h.decideBatch(b, cur, stale, cur.early && changed == nil); err != nil {
				h.decideErr = err
				h.decideStop.Store(true)
			}
		}
		clear(b)
		select {
		case h.free <- b[:0]:
		default:
		}
		if !have {
			next, more = <-h.batches
			if more && h.decideErr == nil {
				nextRead = read(next, false)
			}
		}
		b, ok, cur = next, more, nextRead
	}
}

// finishDecisions hands over the last records and waits until every record
// is decided.
func (h *fileHandler) finishDecisions() error {
	h.handOver()
	h.stopDecider()
	return h.decideErr
}

// stopDecider lets the decider finish what it was given and waits for it.
// It may be called more than once.
func (h *fileHandler) stopDecider() {
	if h.batches == nil {
		return
	}
	if h.decided != nil {
		select {
		case <-h.decided:
		default:
			close(h.batches)
			<-h.decided
		}
	}
}

// decideBatch is how many decoded records wait before they are decided
// together: their certificates are read from the register in one call.
const decideBatch = 256

// pendingRecord is a decoded record waiting to be decided.
type pendingRecord struct {
	rec *schema.Record
	d   decode.Record
}

// decideBatch decides a batch of records, in file order, and queues their
// changes. The certificates they name come from read; those in stale (or
// all, with allStale) may have been changed since it was made, as may those
// an earlier record of the batch changes: a record naming one reads it
// again, after the changes queued before it, so every record sees exactly
// what a read of its own would show. It returns the certificates the
// batch changes (nil: it made a change of unknown reach).
func (h *fileHandler) decideBatch(batch []pendingRecord, read *certsRead, stale map[string]bool, allStale bool) (map[string]bool, error) {
	cache, err := read.wait()
	if err != nil {
		return nil, err
	}
	if allStale {
		clear(cache)
		for _, p := range batch {
			for _, n := range opCerts(p.d.Op) {
				stale[n] = true
			}
		}
	}
	changedCerts := map[string]bool{}
	unknownReach := false
	// The changes of accepted records are applied together, in order: at
	// the end of the batch, or before a record reads a certificate again.
	var queued []rules.Change
	var queuedRecs []int
	applyQueued := func() {
		if len(queued) == 0 {
			return
		}
		changes, recs := queued, queuedRecs
		queued, queuedRecs = nil, nil
		h.db.do(func() error {
			if err := h.tx.Apply(h.ctx, changes...); err != nil {
				if len(recs) == 1 {
					return fmt.Errorf("record %d: apply: %w", recs[0], err)
				}
				return fmt.Errorf("records %d to %d: apply: %w", recs[0], recs[len(recs)-1], err)
			}
			for range recs {
				fail("record")
			}
			return nil
		})
	}
	for i, p := range batch {
		names := opCerts(p.d.Op)
		certs := make(map[string]*rules.Certificate, len(names))
		fresh := false
		for _, n := range names {
			if stale[n] {
				fresh = true
			}
		}
		switch {
		case fresh && h.batch.Duplicate(p.d.Op, p.rec.Index):
			// Refused as a repeat without a look at the register: no
			// need to apply what is queued and read again.
		case fresh:
			applyQueued()
			again := h.readForRules(store.CertificatesForRulesParams{Numbers: names, Activity: rules.ReadsActivity(p.d.Op)})
			if certs, err = again.wait(); err != nil {
				return nil, err
			}
		default:
			for _, n := range names {
				if c := cache[n]; c != nil {
					certs[n] = c
				}
			}
		}
		changed, err := h.decide(p.rec, p.d, certs)
		if err != nil {
			return nil, err
		}
		if len(changed) > 0 {
			queued = append(queued, changed...)
			queuedRecs = append(queuedRecs, p.rec.Index)
		}
		for _, ch := range changed {
			if n, ok := changedCert(ch); ok {
				stale[n] = true
				changedCerts[n] = true
			} else {
				unknownReach = true
				clear(cache) // a change of unknown reach: read everything again
				for _, q := range batch[i+1:] {
					for _, n := range opCerts(q.d.Op) {
						stale[n] = true
					}
				}
			}
		}
	}
	applyQueued()
	if unknownReach {
		return nil, nil
	}
	return changedCerts, nil
}

// changedCert returns the certificate a register change is made to.
func changedCert(ch rules.Change) (string, bool) {
	switch c := ch.(type) {
	case rules.AddReport:
		return c.Cert, true
	case rules.MarkReportWithdrawn:
		return c.Cert, true
	case rules.SetFees:
		return c.Cert, true
	case rules.SetNote:
		return c.Cert, true
	case rules.SetStatus:
		return c.Cert, true
	case rules.SetOwner:
		return c.Cert, true
	}
	return "", false
}

// decide decides one record against certs (the register's certificates it
// names) and records its outcome. It returns the changes to make when the
// record is accepted; the caller applies them.
func (h *fileHandler) decide(rec *schema.Record, d decode.Record, certs map[string]*rules.Certificate) ([]rules.Change, error) {
	actor := rules.Actor{Sponsor: h.sponsor, User: h.user, Now: h.now,
		Source: fmt.Sprintf("file:%s/%s#%d", h.e.Licence, h.e.FileID, rec.Index)}
	dec := h.batch.Evaluate(actor, d.Op, rules.State{Certs: certs}, rec.Index)
	out := ledger.Outcome{Index: rec.Index, Line: rec.Line, Reference: d.Reference, Cert: d.Cert}
	for _, f := range dec.Findings {
		if h.counts == nil {
			h.counts = map[rules.RuleID]int{}
		}
		h.counts[f.Rule]++
		out.Findings = append(out.Findings, decode.AtRecord(h.format, rec, f))
	}
	var changed []rules.Change
	if dec.Accepted() {
		changed = dec.Changes
		out.Status, out.ConfRef = ledger.RecordAccepted, dec.Ref
		h.e.Accepted++
		for _, f := range dec.Findings {
			if f.Severity == rules.Warning {
				h.e.Warnings++
			}
		}
	} else {
		out.Status = ledger.RecordRejected
		h.e.Rejected++
	}
	h.outcomes = append(h.outcomes, out)
	if len(h.outcomes) >= outcomeBatch {
		if err := h.flush(); err != nil {
			return nil, err
		}
		h.r.cfg.Observer.RecordsDone(h.e.Key, rec.Index, h.e.Declared)
	}
	return changed, nil
}

// flush writes the outcomes decided so far to the ledger: on the dbWorker
// while the decider runs (queued behind the records' changes), else at once.
func (h *fileHandler) flush() error {
	if len(h.outcomes) == 0 {
		return nil
	}
	outs, id := h.outcomes, h.e.ID
	h.outcomes = make([]ledger.Outcome, 0, outcomeBatch)
	insert := func() error {
		if err := h.tx.OutcomeInsert(h.ctx, id, outs...); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		return nil
	}
	if h.db != nil {
		h.db.do(insert)
		return nil
	}
	return insert()
}

// opCerts lists the certificate numbers an operation names.
func opCerts(op rules.Op) []string {
	switch o := op.(type) {
	case rules.ReportActivity:
		return []string{o.Cert}
	case rules.UpdateFees:
		return []string{o.Cert}
	case rules.AddNote:
		return []string{o.Cert}
	case rules.WithdrawCoS:
		return []string{o.Cert}
	case rules.TransferCoS:
		return o.Certs
	}
	return nil
}
