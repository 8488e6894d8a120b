package schema

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// Read-ahead: the guard (guard.go) reads the input on a goroutine of its
// own, ahead of libxml2, so that on two cores its scan costs the parser no
// time. libxml2 sees exactly what it would see reading through the guard
// itself: the producer makes the reads libxml2 makes (aheadRead bytes at a
// time) and keeps each one's outcome, and the consumer hands the outcomes
// out in order, data first, then the error (a guard's refusal, the size
// limit, a failed read) at the point where it came. Only how far the
// underlying reader has been read differs: at most aheadChunks chunks ahead.
const (
	// aheadRead is the size of libxml2's reads (bdt_next asks for 4096
	// bytes each time after the first four: BDT_PUSH_READ).
	aheadRead = 4096
	// aheadChunk is the bytes of one chunk handed from producer to consumer.
	aheadChunk = 64 << 10
	// aheadChunks is the chunks in circulation: one being read by libxml2,
	// the others filled or being filled.
	aheadChunks = 3
)

// chunk is the outcome of consecutive reads: their data end to end, where
// each ends, and the error that ended the input (nil: more follows).
type chunk struct {
	buf  []byte
	ends []int
	err  error
}

// readAhead is an io.Reader over r that reads r on its own goroutine.
// While pre (the part of r read before, during sniffing) has bytes left,
// it reads r directly: those reads are libxml2's own, of whatever size it
// asks. From then on each Read returns the outcome of one producer's read
// (data, or 0 and the error), or the first part of it when p is shorter.
// Close stops the goroutine and waits for it: no read of r is in progress
// once Close returns.
type readAhead struct {
	r   io.Reader
	pre *bytes.Reader

	once    sync.Once
	started bool
	full    chan *chunk
	free    chan *chunk
	stop    chan struct{}
	done    chan struct{}

	cur  *chunk
	ri   int // the current result in cur
	off  int // bytes of cur.buf handed out
	end  error
	used []*chunk // read, not yet handed back
}

func newReadAhead(r io.Reader, pre *bytes.Reader) *readAhead {
	return &readAhead{r: r, pre: pre}
}

func (a *readAhead) Read(p []byte) (int, error) {
	if !a.started {
		if a.pre != nil && a.pre.Len() > 0 {
			return a.r.Read(p)
		}
		a.start()
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if a.end != nil {
			return 0, a.end
		}
		if a.cur != nil && a.ri < len(a.cur.ends) {
			n := copy(p, a.cur.buf[a.off:a.cur.ends[a.ri]])
			a.off += n
			if a.off == a.cur.ends[a.ri] {
				a.ri++
			}
			return n, nil
		}
		if a.cur != nil {
			if a.cur.err != nil {
				a.end = a.cur.err
				continue
			}
			a.used = append(a.used, a.cur)
		}
		a.cur, a.ri, a.off = <-a.full, 0, 0
		// Chunks read go back to the producer together, when the last one
		// filled has been taken: it wakes once for them all, not once for
		// each (a wake-up costs this goroutine a system call), and has
		// them filled long before this one is read.
		if len(a.full) == 0 {
			for _, c := range a.used {
				a.free <- c // never blocks: the channel holds every chunk
			}
			a.used = a.used[:0]
		}
	}
}

func (a *readAhead) start() {
	a.started = true
	a.full = make(chan *chunk, aheadChunks)
	a.free = make(chan *chunk, aheadChunks)
	a.stop = make(chan struct{})
	a.done = make(chan struct{})
	for i := 0; i < aheadChunks; i++ {
		a.free <- &chunk{buf: make([]byte, 0, aheadChunk)}
	}
	go a.produce()
}

// produce fills chunks until the input ends or Close is called.
func (a *readAhead) produce() {
	defer close(a.done)
	empty := 0
	for {
		var c *chunk
		select {
		case c = <-a.free:
		case <-a.stop:
			return
		}
		c.buf, c.ends, c.err = c.buf[:0], c.ends[:0], nil
		for c.err == nil && cap(c.buf)-len(c.buf) >= aheadRead {
			k, err := a.read(c.buf[len(c.buf) : len(c.buf)+aheadRead])
			switch {
			case k > 0:
				// As bdtGoRead did: an error that comes with data comes
				// back on the next read.
				empty = 0
				c.buf = c.buf[:len(c.buf)+k]
				c.ends = append(c.ends, len(c.buf))
			case err != nil:
				c.err = err
			default:
				if empty++; empty > 100 {
					c.err = errNoProgress
				}
			}
		}
		select {
		case a.full <- c:
		case <-a.stop:
			return
		}
		if c.err != nil {
			return
		}
	}
}

// read reads r once, turning a panic into an error as bdtGoRead does.
func (a *readAhead) read(p []byte) (k int, err error) {
	defer func() {
		if v := recover(); v != nil {
			k, err = 0, fmt.Errorf("schema: input reader panicked: %v", v)
		}
	}()
	k, err = a.r.Read(p)
	if k < 0 || k > len(p) {
		return 0, fmt.Errorf("schema: input reader returned %d bytes for a buffer of %d", k, len(p))
	}
	return k, err
}

// Close stops the producer and waits until it has returned.
func (a *readAhead) Close() {
	a.once.Do(func() {
		if a.started {
			close(a.stop)
			<-a.done
		}
	})
}
