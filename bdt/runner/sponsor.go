package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"bdt/bdt/storage"
	"bdt/bdt/store"
)

// processSponsor works through one sponsor's queue in order, holding the
// sponsor's lease. It returns the files' results and how many inbox entries
// it skipped.
func (r *Runner) processSponsor(ctx context.Context, licence string, now time.Time) ([]FileResult, int) {
	if !r.cfg.DryRun {
		release, held, err := r.leaseSponsor(ctx, licence)
		if err != nil {
			// A lease that cannot be read or taken (the database locked or
			// gone) fails the sponsor's folder, reported like a file's failure.
			res := FileResult{Key: licence + "/", Err: fmt.Errorf("lease: %w", err)}
			r.cfg.Observer.FileDone(res)
			return []FileResult{res}, 0
		}
		if !held {
			r.cfg.Observer.Skipped(licence+"/", "another bdt process is working on this sponsor's files")
			return nil, 1
		}
		defer release()
	}
	queue, err := r.sponsorQueue(ctx, licence)
	if err != nil {
		return []FileResult{{Key: licence + "/", Err: err}}, 0
	}
	var out []FileResult
	for _, p := range queue {
		if ctx.Err() != nil || r.stopping() {
			break
		}
		if !r.cfg.DryRun {
			// Renew before each file: on SQLite the renewals wait while a
			// file's transaction holds the write lock, so a long file can
			// outlast the TTL; renewing here keeps the queue ours.
			ok, err := r.cfg.Store.LeaseAcquire(ctx, r.leaseParams(licence))
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

// sponsorQueue lists the sponsor's inbox files in the order they are
// processed: strictly by creation timestamp, then file id (peekHeader).
// Listed again now that the queue is ours: another process may have
// finished some of these files since the run started.
func (r *Runner) sponsorQueue(ctx context.Context, licence string) ([]*pending, error) {
	objs, _, err := r.cfg.Inbox.List(ctx, licence+"/")
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
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
			return nil, err
		}
	}
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
	return queue, nil
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
