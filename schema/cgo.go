package schema

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include "bdtxml.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"
)

// initOnce initialises libxml2 once per process: xmlInitParser and the
// entity loader that refuses everything but the embedded XSDs.
var initOnce sync.Once

func initLibxml() { initOnce.Do(func() { C.bdt_init() }) }

// compileMu serialises schema compilation: the entity loader's table of
// embedded files is process-wide while a compile runs.
var compileMu sync.Mutex

// xsdFile is one XSD the loader may serve during a compile.
type xsdFile struct {
	name string
	data []byte
}

// compileSchema compiles the XSD main (one of files) with includes resolved
// from files only. The result lives as long as the process.
func compileSchema(main string, files []xsdFile) (*C.xmlSchema, error) {
	initLibxml()
	mi := -1
	for i, f := range files {
		if f.name == main {
			mi = i
		}
	}
	if mi < 0 {
		return nil, fmt.Errorf("schema: %s: no such file", main)
	}
	if len(files[mi].data) == 0 {
		return nil, fmt.Errorf("schema: %s: empty file", main)
	}

	compileMu.Lock()
	defer compileMu.Unlock()
	cfiles := unsafe.Slice((*C.bdt_file)(C.calloc(C.size_t(len(files)), C.sizeof_bdt_file)), len(files))
	defer func() {
		for i := range cfiles {
			C.free(unsafe.Pointer(cfiles[i].name))
			C.free(unsafe.Pointer(cfiles[i].data))
		}
		C.free(unsafe.Pointer(&cfiles[0]))
	}()
	for i, f := range files {
		cfiles[i].name = C.CString(f.name)
		cfiles[i].data = (*C.char)(C.CBytes(f.data))
		cfiles[i].len = C.int(len(f.data))
	}
	var cerr *C.char
	s := C.bdt_compile(cfiles[mi].name, cfiles[mi].data, cfiles[mi].len, &cfiles[0], C.int(len(files)), &cerr)
	msg := ""
	if cerr != nil {
		msg = C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
	}
	if s == nil {
		return nil, fmt.Errorf("schema: %s does not compile:\n%s", main, strings.TrimRight(msg, "\n"))
	}
	return s, nil
}

// feed is the Go side of one document's input: libxml2 pulls from it
// through bdtGoRead.
type feed struct {
	r     io.Reader
	err   error // the first read error other than io.EOF
	empty int   // consecutive (0, nil) reads
}

// errNoProgress stops a reader that keeps returning (0, nil).
var errNoProgress = errors.New("reader returns no data and no error")

//export bdtGoRead
func bdtGoRead(h C.uintptr_t, buf *C.char, n C.int) (ret C.int) {
	f := cgo.Handle(h).Value().(*feed)
	if f.err != nil {
		return -1
	}
	if n <= 0 {
		return 0
	}
	defer func() {
		if p := recover(); p != nil {
			f.err = fmt.Errorf("schema: input reader panicked: %v", p)
			ret = -1
		}
	}()
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	for {
		k, err := f.r.Read(p)
		if k > 0 {
			f.empty = 0
			return C.int(k) // an error with data comes back on the next call
		}
		switch {
		case err == io.EOF:
			return 0
		case err != nil:
			f.err = err
			return -1
		}
		if f.empty++; f.empty > 100 {
			f.err = errNoProgress
			return -1
		}
	}
}

// Events of doc.next (and bdt_next).
const (
	evEnd     = C.BDT_EV_END     // the document ended
	evHeader  = C.BDT_EV_HEADER  // the Header completed; buf holds it
	evRecord  = C.BDT_EV_RECORD  // a record completed; buf holds it
	evFatal   = C.BDT_EV_FATAL   // the parser failed (or the input did)
	evDoctype = C.BDT_EV_DOCTYPE // a DOCTYPE node was read
	evReady   = C.BDT_EV_READY   // captures are queued (bdt_next only; doc.next hands them out)
)

// doc is one document being parsed by libxml2.
type doc struct {
	st     *C.bdt_state
	handle cgo.Handle
	feed   *feed
	scope  Scope // what a validity error inside one record rejects
	calls  int   // calls of bdt_next (TestNextBatchesRecords)
}

// openDoc starts a parser over r, validating against schema (nil: parse
// only). recordName is the local name of record elements ("" none);
// captureRecords asks for every record's subtree.
func openDoc(r io.Reader, schema *C.xmlSchema, recordName string, captureRecords bool, maxErrors int) (*doc, error) {
	initLibxml()
	d := &doc{feed: &feed{r: r}}
	d.handle = cgo.NewHandle(d.feed)
	crec := C.CString(recordName)
	defer C.free(unsafe.Pointer(crec))
	capture := C.int(0)
	if captureRecords {
		capture = 1
	}
	d.st = C.bdt_open(C.uintptr_t(d.handle), schema, crec, capture, C.int(maxErrors))
	if d.st == nil {
		d.handle.Delete()
		return nil, errors.New("schema: out of memory")
	}
	if d.st.open_error != nil {
		msg := C.GoString(d.st.open_error)
		d.close()
		if d.feed.err != nil {
			return nil, d.feed.err
		}
		return nil, fmt.Errorf("schema: %s", msg)
	}
	return d, nil
}

// next returns the next event: a capture (evHeader, evRecord; buf, record,
// bad and rawIssues then describe it) or the event that ends the document.
// bdt_next parses until captures are queued, a read's worth of input at
// most, and next hands them out one a call as bdt_next once did itself:
// one call into C for every dozen records or so, not one for each.
func (d *doc) next() int {
	s := d.st
	if s.rhead >= s.rtail {
		d.calls++
		if ev := int(C.bdt_next(s)); ev != evReady {
			return ev
		}
	}
	r := &unsafe.Slice(s.ready, s.rtail)[s.rhead]
	s.rhead++
	s.obuf = (*C.uchar)(unsafe.Add(unsafe.Pointer(s.buf), r.off))
	s.olen = r.len
	s.orecord = r.record
	s.oissues = r.nissues // set when the piece it completed in was parsed
	s.obad = r.bad
	return int(r.kind)
}

// buf returns the subtree next handed out; valid until the next call.
func (d *doc) buf() []byte {
	if d.st.olen == 0 || d.st.obuf == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(d.st.obuf)), int(d.st.olen))
}

// record returns the index of the record next handed out.
func (d *doc) record() int { return int(d.st.orecord) }

// bufLine returns the line of the start tag of the subtree next handed
// out, 0 for none.
func (d *doc) bufLine() int {
	if b := d.buf(); len(b) >= 9 && b[0] == C.BDT_TAG_START {
		return le32(b[1:])
	}
	return 0
}

// bad returns how many validity errors lie wholly inside the record next
// handed out, counting those past the cap on stored issues.
func (d *doc) bad() int { return int(d.st.obad) }

// rawIssues returns the issues collected in C from index from on, up to
// those that go with what next returned last.
func (d *doc) rawIssues(from int) []C.bdt_issue {
	n := int(d.st.oissues)
	if from >= n {
		return nil
	}
	return unsafe.Slice(d.st.issues, n)[from:n]
}

func (d *doc) close() {
	if d.st != nil {
		C.bdt_close(d.st)
		d.st = nil
	}
	d.handle.Delete()
}

// cHeapInUse returns the bytes the C heap (every malloc arena) holds in
// use, from malloc_info(3): what libxml2 and this package's C code have
// allocated and not freed, blind to the Go heap. Tests use it to find leaks.
func cHeapInUse() (int64, error) {
	p := C.bdt_malloc_info()
	if p == nil {
		return 0, errors.New("malloc_info failed")
	}
	defer C.free(unsafe.Pointer(p))
	return heapInUse(C.GoString(p))
}
