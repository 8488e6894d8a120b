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
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/rules"
	"bdt/schema"
)

// DefaultMaxSize is the size limit of an uploaded file (F.SIZE).
const DefaultMaxSize = 100 << 20

// DefaultLeaseTTL is how long a sponsor's queue stays claimed by a process
// that stopped renewing its lease (a crashed one).
const DefaultLeaseTTL = 60 * time.Second

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

	DryRun  bool // decide everything, write reports marked as a dry run, change nothing
	Workers int  // files of different sponsors processed in parallel (default 1)
	Limits

	// Observer hears about progress; nil for none.
	Observer Observer

	Leasing

	// Stop, when closed, stops the run from starting another file; the file
	// in hand is finished. Cancelling the context instead rolls it back.
	Stop <-chan struct{}
}

// Limits bound what is read of one file (Config).
type Limits struct {
	MaxSize   int64 // F.SIZE limit in bytes (default DefaultMaxSize)
	MaxErrors int   // cap on schema errors reported per file (default 1000)
	// SchemaErrors is what a schema error wholly inside one record rejects:
	// the whole file (schema.FileScope, the zero value: F.SCHEMA) or that
	// record alone (schema.RecordScope: R.SCHEMA, bdt run's default).
	SchemaErrors schema.Scope
	// DiskDuplicatesOver is the file size over which the pairs that
	// R.RECORD.DUPLICATE checks are kept on disk, not in memory (default
	// DefaultDiskDuplicatesOver, ~250,000 records; negative: never).
	DiskDuplicatesOver int64
}

// Leasing is how a run shares the inbox with other bdt processes (Config):
// Owner names this process in leases (default: host, pid and a random
// suffix); LeaseTTL is how long a lease lasts unrenewed (default 60s).
type Leasing struct {
	Owner    string
	LeaseTTL time.Duration
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

	// Findings counts the findings reported on the file, by rule id.
	Findings map[rules.RuleID]int

	gone bool // the file left the inbox before it was opened (another process took it)
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
	if cfg.DiskDuplicatesOver == 0 {
		cfg.DiskDuplicatesOver = DefaultDiskDuplicatesOver
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		var b [4]byte
		rand.Read(b[:])
		cfg.Owner = fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	return &Runner{cfg: cfg, v: schema.Default()}
}

// update stores f's ledger row in a transaction of its own.
func (r *Runner) update(ctx context.Context, f *ledger.File) error {
	tx, err := r.cfg.Store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if f.ID == 0 {
		err = tx.FileInsert(ctx, f)
	} else {
		err = tx.FileUpdate(ctx, f)
	}
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

type nopObserver struct{}

func (nopObserver) FileStarted(string, int64)    {}
func (nopObserver) RecordsDone(string, int, int) {}
func (nopObserver) FileDone(FileResult)          {}
func (nopObserver) Skipped(string, string)       {}
