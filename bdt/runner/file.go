package runner

import (
	"context"
	"errors"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/rules"
)

// A file's life, one stage a file, in the order it is lived:
//
//	claim.go      the ledger's memory of the file (recovery) and this run's claim
//	read.go       the bytes: the size check, the validator stream and its hash
//	records.go    the validator's handler: the header and each record, decoded
//	header.go     the header: the file rules
//	duplicate.go  F.DUPLICATE: by file id (from the header) and by content
//	decider.go    the records' decisions, a batch at a time, on a goroutine of their own
//	dbworker.go   the decider's statements on the file's transaction
//	outcome.go    each decision's outcome, counted and written to the ledger
//	verdict.go    whether the records stand; the file's status and counts
//	commit.go     the fenced commit of the file's transaction
//	reports.go    the three reports in the outbox (a dry run's end)
//	archive.go    the reports marked written and the file moved to the archive

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
			res.Findings = countFindings(e, recordFindings)
		}
	}()
	r.cfg.Observer.FileStarted(p.obj.Key, p.obj.Size)

	entry, committed, err := r.claim(ctx, p, now)
	switch {
	case err != nil:
		res.Err = err
		return res
	case committed != nil:
		res.Entry, res.Recovered = committed, true
		res.Err = r.finish(ctx, committed)
		return res
	}
	res.Entry = entry

	tx, err := r.cfg.Store.Begin(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	defer tx.Rollback(ctx)
	if recordFindings, err = r.read(ctx, tx, p, entry, now); err != nil {
		res.Err = err
		return res
	}
	entry.FinishedAt = r.cfg.Clock().UTC()
	settle(entry)
	if r.cfg.DryRun {
		// Everything was decided inside tx; write the reports from it and
		// throw it away.
		res.Err = r.writeReports(ctx, tx, entry)
		return res
	}
	if res.Err = r.commit(ctx, tx, entry); res.Err != nil {
		return res
	}
	res.Err = r.finish(ctx, entry)
	return res
}

// countFindings counts the findings reported on a decided file, by rule id:
// its file findings and its records' (counts).
func countFindings(e *ledger.File, counts map[rules.RuleID]int) map[rules.RuleID]int {
	n := map[rules.RuleID]int{}
	for _, f := range e.FileFindings {
		n[f.Rule]++
	}
	for id, c := range counts {
		n[id] += c
	}
	return n
}

// fileScope is what the stages deciding one file work in: the file's
// transaction, its ledger entry and the processing time.
type fileScope struct {
	ctx context.Context
	r   *Runner
	tx  store.Tx
	e   *ledger.File
	now time.Time
}
