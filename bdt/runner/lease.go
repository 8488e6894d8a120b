package runner

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bdt/bdt/store"
)

// sponsorLease names the lease of a sponsor's queue.
func sponsorLease(licence string) string { return "sponsor:" + licence }

// leaseParams are the parameters that take or renew the lease of licence's
// queue for this process.
func (r *Runner) leaseParams(licence string) store.LeaseParams {
	return store.LeaseParams{Name: sponsorLease(licence), Owner: r.cfg.Owner, TTL: r.cfg.LeaseTTL}
}

// leaseSponsor takes the lease of licence's queue (held false when another
// live process holds it), renewed until release is called, which gives it
// back.
func (r *Runner) leaseSponsor(ctx context.Context, licence string) (release func(), held bool, err error) {
	lease := sponsorLease(licence)
	ok, err := r.cfg.Store.LeaseAcquire(ctx, r.leaseParams(licence))
	if err == nil && !ok {
		ok, err = r.takeOverDead(ctx, lease)
	}
	if err != nil || !ok {
		return nil, false, err
	}
	stop := r.renew(ctx, lease)
	return func() {
		stop()
		// A fresh context: release even when the run is being cancelled.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		r.cfg.Store.LeaseRelease(rctx, lease, r.cfg.Owner)
		cancel()
	}, true, nil
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
