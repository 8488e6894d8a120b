// Package runner is the main job of bdt: it takes every pending file of the
// inbox, validates and decodes it as it streams, decides every record with the
// rules engine, applies the accepted ones to the register in one transaction
// per file together with the file's ledger entry, writes the three reports to
// the outbox and moves the file to the archive.
//
// Data flows one way: source → size check → streaming parse and XSD
// validation → decode → rules → register change (one transaction per file) →
// reports → ledger marks the file done → source archives it. A crash between
// any two steps is recovered by the next run from the ledger: a file whose
// transaction committed is never applied again, its reports are rewritten
// from the stored outcomes and its archiving repeated.
package runner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/schema"
)

// DefaultMaxSize is the size limit of an uploaded file (F.SIZE).
const DefaultMaxSize = 100 << 20

// Config is what a Runner works with.
type Config struct {
	Store   store.Store
	Inbox   storage.Storage
	Outbox  storage.Storage
	Archive storage.Storage

	// Now returns the processing time the rules use; it is called once per
	// run. Pass a fixed time for reproducible reports.
	Now func() time.Time
	// Clock is the wall clock for the ledger's received/started/finished
	// times (operators' data; never in reports). Defaults to time.Now.
	Clock func() time.Time

	DryRun    bool  // decide everything, write reports marked as a dry run, change nothing
	Workers   int   // files of different sponsors processed in parallel (default 1)
	MaxSize   int64 // F.SIZE limit in bytes (default DefaultMaxSize)
	MaxErrors int   // cap on schema errors reported per file (default 1000)

	// Observer hears about progress; nil for none.
	Observer Observer
}

// Observer hears what a run does: a terminal progress display, a JSON log.
// Its methods are called from several goroutines when Workers > 1.
type Observer interface {
	// FileStarted is called when a file starts; declared is -1 until the header is read.
	FileStarted(key string, size int64)
	// RecordsDone reports progress through a file's records.
	RecordsDone(key string, done, declared int)
	// FileDone is called once per file with its outcome (or the error that stopped it).
	FileDone(r FileResult)
	// Skipped is called for an inbox entry that is not processed, and why.
	Skipped(key, reason string)
}

// FileResult is what became of one inbox file in this run.
type FileResult struct {
	Key       string
	Entry     *ledger.File // the ledger entry (in a dry run, never stored)
	Recovered bool         // finished from an earlier run's committed state
	Err       error        // an infrastructure failure: the file stays pending
	Elapsed   time.Duration
}

// Summary is what a run did.
type Summary struct {
	Files   []FileResult
	Skipped int
}

// Failed reports how many files could not be processed for an infrastructure reason.
func (s *Summary) Failed() int {
	n := 0
	for _, f := range s.Files {
		if f.Err != nil {
			n++
		}
	}
	return n
}

// Runner processes inbox files.
type Runner struct {
	cfg Config
	v   *schema.Validator
}

// New returns a Runner for cfg.
func New(cfg Config) *Runner {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Runner{cfg: cfg, v: schema.Default()}
}

// pending is an inbox file waiting to be processed, with what orders it.
type pending struct {
	obj       storage.Object
	licence   string // sponsor folder
	name      string
	createdAt string // header CreatedAt, normalised to UTC RFC 3339 when it parses
	fileID    string
}

// Run processes every pending file of the inbox, then returns. The error is
// non-nil only when the run could not start (the inbox cannot be listed);
// a file that fails is reported in its FileResult and left pending.
func (r *Runner) Run(ctx context.Context) (*Summary, error) {
	now := r.cfg.Now().UTC()
	objs, skipped, err := r.cfg.Inbox.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("runner: list inbox: %w", err)
	}
	sum := &Summary{}
	for _, s := range skipped {
		r.cfg.Observer.Skipped(s.Key, s.Reason)
		sum.Skipped++
	}
	queues := map[string][]*pending{}
	for _, o := range objs {
		licence, name, ok := strings.Cut(o.Key, "/")
		if !ok || strings.Contains(name, "/") {
			r.cfg.Observer.Skipped(o.Key, "not in a sponsor folder (inbox/<licence>/<file>)")
			sum.Skipped++
			continue
		}
		p := &pending{obj: o, licence: licence, name: name}
		p.createdAt, p.fileID = r.peekHeader(ctx, o.Key)
		queues[licence] = append(queues[licence], p)
	}
	if !r.cfg.DryRun {
		if err := r.sweepArchived(ctx, objs); err != nil {
			return nil, err
		}
	}
	licences := make([]string, 0, len(queues))
	for l, q := range queues {
		licences = append(licences, l)
		// One sponsor's files strictly in order of creation timestamp, then file id.
		sort.SliceStable(q, func(i, j int) bool {
			a, b := q[i], q[j]
			if a.createdAt != b.createdAt {
				return a.createdAt < b.createdAt
			}
			if a.fileID != b.fileID {
				return a.fileID < b.fileID
			}
			return a.obj.Key < b.obj.Key
		})
	}
	sort.Strings(licences)

	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < r.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range work {
				for _, p := range queues[l] {
					if ctx.Err() != nil {
						return
					}
					res := r.processFile(ctx, p, now)
					r.cfg.Observer.FileDone(res)
					mu.Lock()
					sum.Files = append(sum.Files, res)
					mu.Unlock()
				}
			}
		}()
	}
	for _, l := range licences {
		select {
		case work <- l:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	sort.SliceStable(sum.Files, func(i, j int) bool { return sum.Files[i].Key < sum.Files[j].Key })
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, nil
}

// sweepArchived marks as archived the ledger entries whose file left the
// inbox after their transaction committed (a crash between the move and
// the mark), so they do not look pending for ever.
func (r *Runner) sweepArchived(ctx context.Context, inbox []storage.Object) error {
	present := map[string]bool{}
	for _, o := range inbox {
		present[o.Key] = true
	}
	files, err := r.cfg.Store.FileList(ctx, store.FileListParams{Unarchived: true})
	if err != nil {
		return fmt.Errorf("runner: read ledger: %w", err)
	}
	for _, f := range files {
		if !f.Done() || present[f.Key] {
			continue
		}
		if !f.ReportsWritten {
			continue // its reports are still due; keep it visible
		}
		f.Archived = true
		if err := r.update(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// update stores f's ledger row in a transaction of its own.
func (r *Runner) update(ctx context.Context, f *ledger.File) error {
	tx, err := r.cfg.Store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if f.ID == 0 {
		err = tx.FileInsert(ctx, f)
	} else {
		err = tx.FileUpdate(ctx, f)
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}

type nopObserver struct{}

func (nopObserver) FileStarted(string, int64)    {}
func (nopObserver) RecordsDone(string, int, int) {}
func (nopObserver) FileDone(FileResult)          {}
func (nopObserver) Skipped(string, string)       {}

// errStop aborts a validation stream from a handler without being an
// infrastructure failure.
var errStop = errors.New("runner: stop")
