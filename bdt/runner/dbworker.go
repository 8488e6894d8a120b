package runner

import (
	"sync"

	"bdt/bdt/store"
	"bdt/rules"
)

// dbWorker runs a file's statements on its transaction, in the order they
// are given, on a goroutine of its own, so that the decider goes on with
// the next records while the last ones are applied (SQLite: the statements
// take most of a file's time, the engine and the reads' decoding the rest).
// A store.Tx is not safe for concurrent use: while a dbWorker runs, only it
// uses the transaction. After a statement fails it runs no more, and every
// later result is that first error.
type dbWorker struct {
	jobs chan func(failed error) error
	done chan struct{}
	mu   sync.Mutex
	err  error // the first failure
}

func newDBWorker() *dbWorker {
	w := &dbWorker{jobs: make(chan func(error) error, 64), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var failed error
		for job := range w.jobs {
			if err := job(failed); err != nil && failed == nil {
				failed = err
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// failed returns the first failure, or nil.
func (w *dbWorker) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// do queues job, which runs unless a statement before it failed.
func (w *dbWorker) do(job func() error) {
	w.jobs <- func(failed error) error {
		if failed != nil {
			return nil
		}
		return job()
	}
}

// close runs what is queued and returns the first failure.
func (w *dbWorker) close() error {
	close(w.jobs)
	<-w.done
	return w.failed()
}

// certsRead is a read of certificates queued on a dbWorker.
type certsRead struct {
	res   chan certsResult
	early bool // queued before the changes of the batch before were
}

// certsResult is a read's outcome: the function that decodes what it read
// (run by the reader, not the worker), or the error.
type certsResult struct {
	decode func() (map[string]*rules.Certificate, error)
	err    error
}

// read queues a read of certificates (fn, which returns what decodes its
// result), whose decoded result wait returns.
func (w *dbWorker) read(fn func() (func() (map[string]*rules.Certificate, error), error)) *certsRead {
	r := &certsRead{res: make(chan certsResult, 1)}
	w.jobs <- func(failed error) error {
		if failed != nil {
			r.res <- certsResult{err: failed}
			return nil
		}
		decode, err := fn()
		r.res <- certsResult{decode, err}
		return err
	}
	return r
}

// readForRules queues a read of certificates for the rules on the file's
// transaction. Where the store can (store.CertificatesForRulesSplitter),
// the worker only runs the statement: the decoding is left to wait, on the
// decider's goroutine, while the worker goes on with the statements queued
// behind the read.
func (d *decider) readForRules(p store.CertificatesForRulesParams) *certsRead {
	tx, ctx := d.s.tx, d.s.ctx
	return d.db.read(func() (func() (map[string]*rules.Certificate, error), error) {
		if sp, ok := tx.(store.CertificatesForRulesSplitter); ok {
			return sp.CertificatesForRulesSplit(ctx, p)
		}
		certs, err := tx.CertificatesForRules(ctx, p)
		return func() (map[string]*rules.Certificate, error) { return certs, nil }, err
	})
}

// wait returns what the read read, decoded, or the failure of a statement
// before it.
func (r *certsRead) wait() (map[string]*rules.Certificate, error) {
	res := <-r.res
	if res.err != nil {
		return nil, res.err
	}
	return res.decode()
}
