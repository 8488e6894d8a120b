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
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

	DryRun    bool  // decide everything, write reports marked as a dry run, change nothing
	Workers   int   // files of different sponsors processed in parallel (default 1)
	MaxSize   int64 // F.SIZE limit in bytes (default DefaultMaxSize)
	MaxErrors int   // cap on schema errors reported per file (default 1000)
	// DiskDuplicatesOver is the file size over which the pairs that
	// R.RECORD.DUPLICATE checks are kept on disk, not in memory (default
	// DefaultDiskDuplicatesOver, ~250,000 records; negative: never).
	DiskDuplicatesOver int64

	// Observer hears about progress; nil for none.
	Observer Observer

	// Owner names this process in leases (default: host, pid and a random
	// suffix); LeaseTTL is how long a lease lasts unrenewed (default 60s).
	Owner    string
	LeaseTTL time.Duration

	// Stop, when closed, stops the run from starting another file; the file
	// in hand is finished. Cancelling the context instead rolls it back.
	Stop <-chan struct{}
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
//
// Each sponsor's queue is leased ("sponsor:<licence>") for the time it is
// worked on, so that several bdt processes on one database share the inbox:
// a queue another process holds is skipped and left to it.
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
	seen := map[string]bool{}
	var licences []string
	for _, o := range objs {
		licence, name, ok := strings.Cut(o.Key, "/")
		if !ok || strings.Contains(name, "/") {
			r.cfg.Observer.Skipped(o.Key, "not in a sponsor folder (inbox/<licence>/<file>)")
			sum.Skipped++
			continue
		}
		if !seen[licence] {
			seen[licence] = true
			licences = append(licences, licence)
		}
	}
	if !r.cfg.DryRun {
		// Sponsors with a committed file still to finish, whatever the inbox shows.
		open, err := r.cfg.Store.FileList(ctx, store.FileListParams{Unarchived: true})
		if err != nil {
			return nil, fmt.Errorf("runner: read ledger: %w", err)
		}
		for _, f := range open {
			if !seen[f.Licence] {
				seen[f.Licence] = true
				licences = append(licences, f.Licence)
			}
		}
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
				res, skip := r.processSponsor(ctx, l, now)
				mu.Lock()
				sum.Files = append(sum.Files, res...)
				sum.Skipped += skip
				mu.Unlock()
			}
		}()
	}
	for _, l := range licences {
		if r.stopping() {
			break
		}
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

// processSponsor works through one sponsor's queue in order, holding the
// sponsor's lease. It returns the files' results and how many inbox entries
// it skipped.
func (r *Runner) processSponsor(ctx context.Context, licence string, now time.Time) ([]FileResult, int) {
	lease := "sponsor:" + licence
	if !r.cfg.DryRun {
		// A lease that cannot be read or taken (the database locked or
		// gone) fails the sponsor's folder, reported like a file's failure.
		failed := func(err error) ([]FileResult, int) {
			res := FileResult{Key: licence + "/", Err: fmt.Errorf("lease: %w", err)}
			r.cfg.Observer.FileDone(res)
			return []FileResult{res}, 0
		}
		ok, err := r.cfg.Store.LeaseAcquire(ctx, store.LeaseParams{Name: lease, Owner: r.cfg.Owner, TTL: r.cfg.LeaseTTL})
		if err != nil {
			return failed(err)
		}
		if !ok {
			ok, err = r.takeOverDead(ctx, lease)
			if err != nil {
				return failed(err)
			}
		}
		if !ok {
			r.cfg.Observer.Skipped(licence+"/", "another bdt process is working on this sponsor's files")
			return nil, 1
		}
		stop := r.renew(ctx, lease)
		defer func() {
			stop()
			// A fresh context: release even when the run is being cancelled.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			r.cfg.Store.LeaseRelease(rctx, lease, r.cfg.Owner)
			cancel()
		}()
	}
	// List again now that the queue is ours: another process may have
	// finished some of these files since the run started.
	objs, _, err := r.cfg.Inbox.List(ctx, licence+"/")
	if err != nil {
		return []FileResult{{Key: licence + "/", Err: fmt.Errorf("list inbox: %w", err)}}, 0
	}
	var queue []*pending
	for _, o := range objs {
		_, name, _ := strings.Cut(o.Key, "/")
		if strings.Contains(name, "/") {
			continue // reported by Run
		}
		p := &pending{obj: o, licence: licence, name: name}
		p.createdAt, p.fileID = r.peekHeader(ctx, o.Key)
		queue = append(queue, p)
	}
	if !r.cfg.DryRun {
		if err := r.sweepArchived(ctx, licence, objs); err != nil {
			return []FileResult{{Key: licence + "/", Err: err}}, 0
		}
	}
	// One sponsor's files strictly in order of creation timestamp, then file id.
	sort.SliceStable(queue, func(i, j int) bool {
		a, b := queue[i], queue[j]
		if a.createdAt != b.createdAt {
			return a.createdAt < b.createdAt
		}
		if a.fileID != b.fileID {
			return a.fileID < b.fileID
		}
		return a.obj.Key < b.obj.Key
	})
	var out []FileResult
	for _, p := range queue {
		if ctx.Err() != nil || r.stopping() {
			break
		}
		if !r.cfg.DryRun {
			// Renew before each file: on SQLite the renewals wait while a
			// file's transaction holds the write lock, so a long file can
			// outlast the TTL; renewing here keeps the queue ours.
			ok, err := r.cfg.Store.LeaseAcquire(ctx, store.LeaseParams{Name: lease, Owner: r.cfg.Owner, TTL: r.cfg.LeaseTTL})
			if err != nil {
				out = append(out, FileResult{Key: p.obj.Key, Err: fmt.Errorf("lease: %w", err)})
				break
			}
			if !ok {
				r.cfg.Observer.Skipped(licence+"/", "another bdt process took this sponsor's files over")
				break
			}
		}
		res := r.processFile(ctx, p, now)
		if res.gone {
			continue
		}
		r.cfg.Observer.FileDone(res)
		out = append(out, res)
	}
	return out, 0
}

// takeOverDead takes the lease from its holder when the holder is a process
// of this host that no longer exists (it crashed or was killed), instead of
// waiting for the lease to expire. Holders on other hosts are left to expire.
func (r *Runner) takeOverDead(ctx context.Context, lease string) (bool, error) {
	holder, err := r.cfg.Store.LeaseOwner(ctx, lease)
	if err != nil || holder == "" || !deadLocalProcess(holder) {
		return false, err
	}
	return r.cfg.Store.LeaseAcquire(ctx, store.LeaseParams{Name: lease, Owner: r.cfg.Owner, TTL: r.cfg.LeaseTTL, Replace: holder})
}

// deadLocalProcess reports whether owner ("host/pid/random", as New makes
// it) names a process of this host that does not exist any more.
func deadLocalProcess(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// stopping reports whether Config.Stop has been closed.
func (r *Runner) stopping() bool {
	select {
	case <-r.cfg.Stop:
		return true
	default:
		return false
	}
}

// renew keeps the lease name renewed until the returned stop is called. A
// renewal that fails is not fatal here: the transaction that commits a file
// checks the lease (fencing), so work done without it is never committed.
func (r *Runner) renew(ctx context.Context, name string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.cfg.Store.LeaseAcquire(ctx, store.LeaseParams{Name: name, Owner: r.cfg.Owner, TTL: r.cfg.LeaseTTL})
			}
		}
	}()
	return func() { cancel(); <-done }
}

// sweepArchived marks as archived the ledger entries of licence whose file
// left the inbox after their transaction committed (a crash between the
// move and the mark), so they do not look pending for ever.
func (r *Runner) sweepArchived(ctx context.Context, licence string, inbox []storage.Object) error {
	present := map[string]bool{}
	for _, o := range inbox {
		present[o.Key] = true
	}
	files, err := r.cfg.Store.FileList(ctx, store.FileListParams{Licence: licence, Unarchived: true})
	if err != nil {
		return fmt.Errorf("read ledger: %w", err)
	}
	for _, f := range files {
		if !f.Done() || present[f.Key] || !f.ReportsWritten {
			continue // still due: its reports, or the file itself
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
