package runner

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"bdt/bdt/store"
	"bdt/rules"
)

// decideBatch is how many decoded records wait before they are decided
// together: their certificates are read from the register in one call.
const decideBatch = 256

// decider decides a file's records, a batch at a time and in file order, on
// a goroutine of its own while the validator reads on, and queues their
// changes and outcomes on a dbWorker, which applies them while it goes on.
// Until the decider ends, it alone uses the rules batch and the outcomes,
// and its worker alone uses the transaction.
//
// The certificates of the next batch are read while a batch is decided,
// when the next batch is there already: that read is queued before this
// batch's changes, so the certificates this batch changes are read again
// when the next batch names them. After a failure it only drains the
// batches.
type decider struct {
	s     *fileScope
	head  *header
	batch *rules.Batch
	out   *recorder
	db    *dbWorker

	batches chan []pendingRecord
	free    chan []pendingRecord // batches decided, for reuse
	done    chan struct{}        // closed when the decider ends
	stop    sync.Once            // closes batches
	err     error                // why the decider stopped; read after done is closed
	stopped atomic.Bool          // err is set: the reading should stop
}

// heldBatch is a batch of records in the decider's hands, with the read of
// the certificates they name (nil after a failure: the batch is drained).
type heldBatch struct {
	records []pendingRecord
	read    *certsRead
}

// startDecider starts the decider of the file of s, whose header is head.
func startDecider(s *fileScope, head *header, batch *rules.Batch) *decider {
	db := newDBWorker()
	d := &decider{s: s, head: head, batch: batch, out: &recorder{s: s, head: head, db: db}, db: db,
		batches: make(chan []pendingRecord, 1), free: make(chan []pendingRecord, 3), done: make(chan struct{})}
	go d.run()
	return d
}

// give hands records to the decider and returns an empty batch to fill.
func (d *decider) give(records []pendingRecord) []pendingRecord {
	d.batches <- records
	select {
	case b := <-d.free:
		return b
	default:
		return make([]pendingRecord, 0, decideBatch)
	}
}

// failed returns why the decider stopped, once it has; nil for none (or
// no decider).
func (d *decider) failed() error {
	if d == nil || !d.stopped.Load() {
		return nil
	}
	return d.err // written before stopped was set
}

// finish lets the decider decide what it was given and waits for it to
// end. It returns the record findings by rule id, or why it stopped. It
// may be called more than once.
func (d *decider) finish() (map[rules.RuleID]int, error) {
	d.stop.Do(func() { close(d.batches) })
	<-d.done
	return d.out.counts, d.err
}

// run is the decider's goroutine.
func (d *decider) run() {
	defer close(d.done)
	defer func() {
		if err := d.db.close(); err != nil {
			d.fail(err)
		}
		d.out.db = nil // outcomes are written on the caller's goroutine from now on
	}()
	var changed map[string]bool // what the batch before changed
	for cur := d.receive(); cur != nil; {
		next, taken := d.peek()
		if d.err == nil {
			stale := map[string]bool{}
			if cur.read.early {
				maps.Copy(stale, changed)
			}
			var err error
			if changed, err = d.decideBatch(cur, stale); err != nil {
				d.fail(err)
			}
		}
		clear(cur.records)
		select {
		case d.free <- cur.records[:0]:
		default:
		}
		if !taken {
			next = d.receive()
		}
		cur = next
	}
}

// receive waits for the next batch and queues the read of its
// certificates; nil when there are no more.
func (d *decider) receive() *heldBatch {
	records, ok := <-d.batches
	return d.hold(records, ok, false)
}

// peek takes the next batch if it is there already (taken; nil when there
// are no more), and queues the read of its certificates early: before the
// changes of the batch in hand.
func (d *decider) peek() (next *heldBatch, taken bool) {
	if d.err != nil {
		return nil, false
	}
	select {
	case records, ok := <-d.batches:
		return d.hold(records, ok, true), true
	default:
		return nil, false
	}
}

// hold takes records in hand and queues the read of the certificates they
// name, unless the decider has failed; nil when there are no more (ok
// false).
func (d *decider) hold(records []pendingRecord, ok, early bool) *heldBatch {
	if !ok {
		return nil
	}
	b := &heldBatch{records: records}
	if d.err == nil {
		p := store.CertificatesForRulesParams{Numbers: make([]string, 0, len(records))}
		for i, r := range records {
			if r.d.Op == nil {
				continue // rejected by R.SCHEMA
			}
			records[i].names = r.d.Op.CertNumbers()
			p.Numbers = append(p.Numbers, records[i].names...)
			p.Activity = p.Activity || r.d.Op.ReadsActivity()
		}
		b.read = d.readForRules(p)
		b.read.early = early
	}
	return b
}

// fail stops the decider with err (the first failure is kept).
func (d *decider) fail(err error) {
	if d.err == nil {
		d.err = err
		d.stopped.Store(true)
	}
}

// decideBatch decides a batch of records, in file order, and queues their
// changes. The certificates they name come from its read; those in stale
// may have been changed since it was made, as may those an earlier record
// of the batch changes: a record naming one reads it again, after the
// changes queued before it, so every record sees exactly what a read of
// its own would show. It returns the certificates the batch changes.
func (d *decider) decideBatch(b *heldBatch, stale map[string]bool) (map[string]bool, error) {
	cache, err := b.read.wait()
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	// The changes of accepted records are applied together, in order: at
	// the end of the batch, or before a record reads a certificate again.
	var queued []rules.Change
	var queuedRecs []int
	applyQueued := func() {
		if len(queued) > 0 {
			d.apply(queued, queuedRecs)
			queued, queuedRecs = nil, nil
		}
	}
	own := map[string]*rules.Certificate{} // a record's certificates from the batch's read, cleared for the next
	src := d.sources(len(b.records))
	for _, p := range b.records {
		if p.schema != nil {
			// Rejected by R.SCHEMA: no rule to run, nothing to change.
			if _, err := d.out.record(p, rules.Decision{Findings: p.schema}); err != nil {
				return nil, err
			}
			continue
		}
		names := p.names
		clear(own)
		certs := own
		fresh := false
		for _, n := range names {
			if stale[n] {
				fresh = true
			}
		}
		switch {
		case fresh && d.batch.Duplicate(p.d.Op, p.rec.Index):
			// Refused as a repeat without a look at the register: no
			// need to apply what is queued and read again.
		case fresh:
			applyQueued()
			again := d.readForRules(store.CertificatesForRulesParams{Numbers: names, Activity: p.d.Op.ReadsActivity()})
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
		changes, err := d.decide(p, certs, src.of(p.rec.Index))
		if err != nil {
			return nil, err
		}
		if len(changes) > 0 {
			queued = append(queued, changes...)
			queuedRecs = append(queuedRecs, p.rec.Index)
		}
		for _, ch := range changes {
			n := ch.CertNumber()
			stale[n] = true
			changed[n] = true
		}
	}
	applyQueued()
	return changed, nil
}

// decide decides one record against certs (the register's certificates it
// names) as from source (rules.Actor.Source) and records its outcome. It
// returns the changes to make when the record is accepted; the caller
// applies them.
func (d *decider) decide(p pendingRecord, certs map[string]*rules.Certificate, source string) ([]rules.Change, error) {
	actor := rules.Actor{Sponsor: d.head.sponsor, User: d.head.user, Now: d.s.now, Source: source}
	dec := d.batch.Evaluate(actor, p.d.Op, rules.State{Certs: certs}, p.rec.Index)
	return d.out.record(p, dec)
}

// sources returns the builder of the sources of a batch of n records of the
// file: "file:<licence>/<file id>#<record index>".
func (d *decider) sources(n int) *recordSources {
	e := d.s.e
	s := &recordSources{prefix: "file:" + e.Licence + "/" + e.FileID + "#"}
	s.b.Grow(n * (len(s.prefix) + 7))
	return s
}

// recordSources writes a batch's record sources one after another into one
// buffer, each a part of it: one allocation a batch rather than two a
// record. A strings.Builder never writes over what it has written, so each
// source stays as it was while the next are added.
type recordSources struct {
	prefix string
	b      strings.Builder
}

// of returns the source of the record at index.
func (s *recordSources) of(index int) string {
	start := s.b.Len()
	var digits [20]byte
	s.b.WriteString(s.prefix)
	s.b.Write(strconv.AppendInt(digits[:0], int64(index), 10))
	return s.b.String()[start:]
}

// apply queues the changes of the records recs on the worker.
func (d *decider) apply(changes []rules.Change, recs []int) {
	s := d.s
	d.db.do(func() error {
		if err := s.tx.Apply(s.ctx, changes...); err != nil {
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
