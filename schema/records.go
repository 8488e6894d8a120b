package schema

import (
	"sync/atomic"
)

// With Options.Concurrent, records go from the parser to the Handler
// through a recWorker: the parser's goroutine copies each record's compact
// buffer (bdt_next reuses its own) into a batch and reads on; the worker's
// goroutine builds the node trees and calls the handler, one record at a
// time, in order. At most recBatches batches exist, so the parser is never
// more than recBatches*recBatchRecords records ahead of the handler, and
// nothing is kept past the handler's call (the records of a batch, and
// their nodes, are allocated in a few blocks: a record the handler keeps
// keeps its neighbours' memory too).
const (
	recBatchRecords = 512       // records in a batch, at most
	recBatchBytes   = 128 << 10 // a batch is handed over once it holds this much
	recBatches      = 3         // batches in circulation
	recBatchKeep    = 256 << 10 // a batch's buffer larger than this is not reused
)

// recItem is one record of a batch.
type recItem struct {
	index   int     // Record.Index
	end     int     // end of its buffer in recBatch.data
	nissues int     // len(Result.Issues) when the parser handed it over
	issues  []Issue // Record.Issues
}

type recBatch struct {
	data []byte
	recs []recItem
}

type recWorker struct {
	h         Handler
	transient bool // Options.Transient
	started   bool
	in        chan *recBatch
	free      chan *recBatch
	done      chan struct{}
	cur       *recBatch
	stopped   atomic.Bool // the handler failed (or panicked): read no further

	// Written by the worker before done is closed.
	err      error
	errAt    recItem
	panicked bool
	panicVal any
}

func newRecWorker(h Handler, transient bool) *recWorker {
	return &recWorker{h: h, transient: transient}
}

func (w *recWorker) start() {
	w.started = true
	w.in = make(chan *recBatch, recBatches)
	w.free = make(chan *recBatch, recBatches)
	w.done = make(chan struct{})
	for i := 0; i < recBatches; i++ {
		w.free <- &recBatch{}
	}
	go w.run()
}

// add queues a record whose compact buffer is buf (copied). It returns
// false, queuing nothing, once the handler has failed.
func (w *recWorker) add(buf []byte, index int, issues []Issue, nissues int) bool {
	if w.stopped.Load() {
		return false
	}
	if w.cur == nil {
		if !w.started {
			w.start()
		}
		w.cur = <-w.free
	}
	b := w.cur
	b.data = append(b.data, buf...)
	b.recs = append(b.recs, recItem{index: index, end: len(b.data), nissues: nissues, issues: issues})
	if len(b.recs) >= recBatchRecords || len(b.data) >= recBatchBytes {
		w.in <- b
		w.cur = nil
	}
	return true
}

func (w *recWorker) run() {
	defer close(w.done)
	dec := decoder{names: map[string]string{}, slab: 128, reuse: w.transient}
	for b := range w.in {
		if !w.stopped.Load() {
			w.handle(&dec, b)
		}
		for i := range b.recs {
			b.recs[i].issues = nil
		}
		b.recs = b.recs[:0]
		if cap(b.data) > recBatchKeep {
			b.data = nil
		} else {
			b.data = b.data[:0]
		}
		w.free <- b // never blocks: the channel holds every batch
	}
}

func (w *recWorker) handle(dec *decoder, b *recBatch) {
	defer func() {
		if v := recover(); v != nil {
			w.panicked, w.panicVal = true, v
			w.stopped.Store(true)
		}
	}()
	start := 0
	recs := make([]Record, len(b.recs))
	for i, it := range b.recs {
		n := dec.decode(b.data[start:it.end])
		start = it.end
		rec := &recs[i]
		*rec = Record{Index: it.index, Line: n.Line, Node: n, Issues: it.issues}
		if err := w.h.Record(rec); err != nil {
			w.err, w.errAt = err, it
			w.stopped.Store(true)
			return
		}
	}
}

// finish hands over the last batch, waits until the handler has had every
// record, and returns its error: res is then set back to what it was when
// the failing record was handed over, as without Options.Concurrent. A
// handler's panic is raised again here.
func (w *recWorker) finish(res *Result) error {
	if !w.started {
		return nil
	}
	if w.cur != nil {
		if len(w.cur.recs) > 0 && !w.stopped.Load() {
			w.in <- w.cur
		}
		w.cur = nil
	}
	close(w.in)
	<-w.done
	w.started = false
	if w.panicked {
		panic(w.panicVal)
	}
	if w.err != nil {
		res.Records = w.errAt.index
		res.Issues = res.Issues[:w.errAt.nissues]
		res.Truncated = false
		res.complete = false
		return w.err
	}
	return nil
}

// abort stops the worker if finish was not reached (a panic in the parser's
// goroutine): no handler call is made once abort returns.
func (w *recWorker) abort() {
	if !w.started {
		return
	}
	w.stopped.Store(true)
	close(w.in)
	<-w.done
	w.started = false
}
