package runner

import (
	"context"
	"fmt"
	"io"
	"iter"
	"sync"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/bdt/store"
)

// writeReports writes the three reports of e to the outbox under its
// sponsor's folder, under names no other file's reports have (names.go),
// reading the record outcomes from rd (the store after commit, or the
// transaction in a dry run). Each report is written
// atomically: it is complete or absent. The outcomes are read once and fed
// to the three reports, which are written at the same time.
func (r *Runner) writeReports(ctx context.Context, rd store.Reader, e *ledger.File) error {
	f := reportFile(e, r.cfg.DryRun)
	if e.DuplicateOf != 0 {
		if dup, err := rd.File(ctx, e.DuplicateOf); err != nil {
			return err
		} else if dup != nil {
			f.DuplicateOf = &report.Earlier{Name: dup.Name, FileID: dup.FileID, Status: dup.Status, ProcessedAt: dup.ProcessedAt}
		}
	}
	fn, err := names(ctx, rd, e)
	if err != nil {
		return err
	}
	writers := []struct {
		key   string
		write func(io.Writer, *report.File) error
	}{
		{fn.result, report.WriteResult},
		{fn.errors, report.WriteErrors},
		{fn.summary, report.WriteSummary},
	}
	var fan *fanOut
	if recordsDecided(e) {
		fan = newFanOut(ctx, rd.Outcomes(ctx, e.ID), len(writers))
		defer fan.wait()
	}
	errs := make([]error, len(writers))
	var wg sync.WaitGroup
	for i, w := range writers {
		fi := *f
		if fan != nil {
			fi.Records = fan.seq(i)
		}
		wg.Go(func() {
			errs[i] = r.put(ctx, w.key, func(out io.Writer) error { return w.write(out, &fi) })
			if fan != nil {
				fan.release(i) // whether or not it read every record
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("write report %s: %w", writers[i].key, err)
		}
	}
	return nil
}

// fanOut reads a stream of outcomes once, in one goroutine, and hands it to
// n readers, each of which sees every outcome in order. The readers take
// batches through small buffered channels, so memory stays bounded: the
// fastest reader waits for the slowest.
type fanOut struct {
	chans    []chan []fanItem
	done     []chan struct{}
	released []sync.Once
	finished chan struct{}
}

type fanItem struct {
	o   ledger.Outcome
	err error
}

// fanBatch is how many outcomes go to the readers at a time.
const fanBatch = 256

func newFanOut(ctx context.Context, src iter.Seq2[ledger.Outcome, error], n int) *fanOut {
	f := &fanOut{chans: make([]chan []fanItem, n), done: make([]chan struct{}, n),
		released: make([]sync.Once, n), finished: make(chan struct{})}
	for i := range f.chans {
		f.chans[i] = make(chan []fanItem, 2)
		f.done[i] = make(chan struct{})
	}
	go func() {
		defer close(f.finished)
		gone := make([]bool, n)
		send := func(b []fanItem) bool {
			alive := false
			for i, c := range f.chans {
				if gone[i] {
					continue
				}
				select {
				case c <- b:
					alive = true
				case <-f.done[i]:
					gone[i] = true
				}
			}
			return alive
		}
		defer func() {
			for _, c := range f.chans {
				close(c)
			}
		}()
		batch := make([]fanItem, 0, fanBatch)
		for o, err := range src {
			batch = append(batch, fanItem{o, err})
			if len(batch) == fanBatch || err != nil {
				if !send(batch) {
					return
				}
				batch = make([]fanItem, 0, fanBatch)
			}
			if err != nil {
				return
			}
		}
		if len(batch) > 0 {
			send(batch)
		}
	}()
	return f
}

// seq is reader i's view of the stream; it can be ranged over once.
func (f *fanOut) seq(i int) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		for b := range f.chans[i] {
			for _, it := range b {
				if !yield(it.o, it.err) {
					f.release(i)
					return
				}
			}
		}
	}
}

// release tells the reader i will read no more.
func (f *fanOut) release(i int) { f.released[i].Do(func() { close(f.done[i]) }) }

// wait returns once the source is no longer read.
func (f *fanOut) wait() {
	for i := range f.done {
		f.release(i)
	}
	<-f.finished
}

// put streams what write produces into the outbox under key.
func (r *Runner) put(ctx context.Context, key string, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	err := r.cfg.Outbox.Put(ctx, key, pr)
	pr.CloseWithError(err) // unblock the writer if Put stopped early
	return err
}

// reportFile turns a ledger entry into what the reports say of the file.
func reportFile(e *ledger.File, dryRun bool) *report.File {
	return &report.File{
		Name: e.Name, Licence: e.Licence, Kind: e.Kind, Version: e.Version, FileID: e.FileID,
		SHA256: e.SHA256, Size: e.Size, ProcessedAt: e.ProcessedAt, DryRun: dryRun, Status: e.Status,
		Counts:       report.Counts{Declared: e.Declared, Read: e.Read, Accepted: e.Accepted, Rejected: e.Rejected, Warnings: e.Warnings},
		FileFindings: e.FileFindings, Truncated: e.Truncated,
	}
}
