package runner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"bdt/bdt/storage"
	"bdt/bdt/store"
)

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

// stopping reports whether Config.Stop has been closed.
func (r *Runner) stopping() bool {
	select {
	case <-r.cfg.Stop:
		return true
	default:
		return false
	}
}
