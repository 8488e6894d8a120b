package schema

/*
#include "bdtxml.h"
*/
import "C"

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"bdt/rules"
)

// DefaultMaxErrors is the cap on issues when Options.MaxErrors is 0.
const DefaultMaxErrors = 1000

// inputRead is the size of the validator's reads of its input.
const inputRead = 64 << 10

// Options tune one validation.
type Options struct {
	// MaxErrors caps the issues reported; 0 means DefaultMaxErrors. Past the
	// cap, validation goes on to the end but Result.Truncated is set.
	MaxErrors int
	// MaxSize is the most bytes the input may hold; 0 means no limit. On the
	// first byte past it, reading stops and the result is one F.SIZE issue.
	MaxSize int64
	// BDTFiles takes only BDT file kinds (the formats with records): a
	// register fixture or a result report is refused (F.KIND) unread.
	BDTFiles bool
	// Concurrent calls Handler.Record on a goroutine of the validator's
	// own, while the parser reads on (at most a few dozen records ahead),
	// so that on two cores the handler's work and the building of the
	// records' nodes overlap parsing. The calls are still one at a time, in
	// document order, and all made before Validate returns; a Record is
	// the handler's to keep. After a handler error the Result is what it
	// would be without Concurrent; a handler's panic is raised again in the
	// goroutine that called Validate. Header is called as without it.
	Concurrent bool
	// SchemaErrors says what a schema error wholly inside one record
	// rejects: the whole file (FileScope, the zero value: F.SCHEMA, as
	// every other validity issue) or the record alone (RecordScope: its
	// issue is R.SCHEMA, which bdt run and bdt validate use by default).
	SchemaErrors Scope
	// Transient says the handler keeps no Record, nor anything it points
	// to, past its Record call: every record's nodes are then decoded into
	// the same memory, not allocated for each (bdt validate, which only
	// looks). Strings taken from the nodes stay valid.
	Transient bool
}

// Scope is what a schema error inside one record rejects (Options).
type Scope int

// The scopes of Options.SchemaErrors, named as --schema-errors takes them.
const (
	FileScope   Scope = iota // the whole file (F.SCHEMA)
	RecordScope              // the record alone (R.SCHEMA)
)

// scopeNames are the names of the scopes, by value.
var scopeNames = [...]string{FileScope: "file", RecordScope: "record"}

// String returns "record" or "file".
func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// ParseScope returns the scope named "record" or "file".
func ParseScope(name string) (Scope, error) {
	for i, n := range scopeNames {
		if n == name {
			return Scope(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a scope of schema errors: record or file", name)
}

// Handler receives the header and the records of a document as the
// validator reads them.
type Handler interface {
	// Header is called once, when the Header element (a child of the root)
	// completes, before any record. It is not called for a file without one.
	Header(*Header) error
	// Record is called as each record element completes, while the rest of
	// the file is still being read. Issues found later in the file, such as
	// a parser error, can still make the file invalid: the caller decides
	// on the whole Result.
	Record(*Record) error
}

// Header is the header of a BDT file.
type Header struct {
	Format      Format
	Line        int    // line of the Header start tag
	Licence     string // SponsorLicenceNumber
	UserID      string // SMSUserId
	FileID      string // the element Format.FileIDElement names
	CreatedAt   string
	RecordCount int // -1 if absent or not a non-negative number
	Node        *Node
}

// Record is one record element of a BDT file.
type Record struct {
	Index int // 1-based
	Line  int // line of the record's start tag
	Node  *Node
	// Issues are the schema issues inside this record (up to the cap on
	// the file's issues). Under RecordScope, a record with a validity error
	// wholly inside it has at least one R.SCHEMA issue even past the cap:
	// then one that says so.
	Issues []Issue
}

// SchemaRejected reports whether rec is rejected on its own by R.SCHEMA.
func (rec *Record) SchemaRejected() bool {
	for _, is := range rec.Issues {
		if is.Rule == rules.RSchema {
			return true
		}
	}
	return false
}

// Node is an element: its local name, the line of its start tag, and either
// its children or, for a leaf, its text with leading and trailing XML white
// space (space, tab, CR, LF) removed. Attributes are not kept.
type Node struct {
	Name     string
	Line     int
	Text     string
	Children []*Node
}

// Child returns the first child called name (a local name), or nil.
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Value returns the text of the first child called name and whether there
// is such a child.
func (n *Node) Value(name string) (string, bool) {
	c := n.Child(name)
	if c == nil {
		return "", false
	}
	return c.Text, true
}

// LineOf returns the line of the first child called name, or the line of
// n itself when it has none.
func (n *Node) LineOf(name string) int {
	if c := n.Child(name); c != nil {
		return c.Line
	}
	return n.Line
}

// Result is the outcome of validating one document.
type Result struct {
	Format    Format  // zero if the kind is unknown (F.KIND) or was never found
	Header    *Header // the header as read; nil if none
	Records   int     // record elements read to their end
	Issues    []Issue // in the order found, at most Options.MaxErrors
	Truncated bool    // more issues were found than Issues holds

	complete bool // the parser read the document to its end
}

// Valid reports whether the document has no issue.
func (r *Result) Valid() bool { return len(r.Issues) == 0 && !r.Truncated }

// Complete reports whether the document was parsed to its end: it is
// well-formed, of a known kind and within the size limit (it may still be
// schema-invalid).
func (r *Result) Complete() bool { return r.complete }

// CountIssue checks rule F.COUNT: the header's RecordCount equals the
// records present. It reports an issue only when the document was parsed to
// its end (Complete) and the header has a RecordCount.
func (r *Result) CountIssue() (Issue, bool) {
	if !r.complete || r.Header == nil || r.Header.RecordCount < 0 || r.Header.RecordCount == r.Records {
		return Issue{}, false
	}
	return newIssue(rules.FCount, r.Header.Node.LineOf("RecordCount"), 0, "/"+r.Format.Root+"/Header/RecordCount",
		fmt.Sprintf("the header declares %d record%s but the file holds %d",
			r.Header.RecordCount, plural(r.Header.RecordCount), r.Records)), true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Issue is one thing wrong with a document: the finding (an error) of
// F.SIZE, F.WELLFORMED, F.KIND, F.SCHEMA or R.SCHEMA (F.COUNT from
// CountIssue), its Field the element its Path ends in. R.SCHEMA (under
// RecordScope) is a validity error wholly inside record Record: it rejects
// that record alone.
//
// Line is 0 when the issue is about the whole file. Column is 0 when
// unknown. libxml2 gives none for validity errors: theirs is the parser's
// column when it raised the error, which is just past the end tag for a bad
// value or a missing child, and at the start tag's '>' for an unexpected
// element. Record is the 1-based record a validity issue falls in; 0 in the
// header, outside any record, and for every parser issue (once the markup
// is broken, the record an error is detected in is a guess; Path still
// shows where the parser was).
type Issue struct {
	rules.Finding
	Parser bool // a well-formedness (parser) error rather than a validity error
}

// newIssue returns the issue of rule at line and col, about the element at
// path ("" for none).
func newIssue(rule rules.RuleID, line, col int, path, msg string) Issue {
	f := rules.NewFinding(rule, pathField(path), "%s", msg)
	f.Line, f.Column, f.Path = line, col, path
	return Issue{Finding: f}
}

// parserIssue returns the F.WELLFORMED issue of a parser error at line and
// col, inside the element at path ("" for none).
func parserIssue(line, col int, path, msg string) Issue {
	is := newIssue(rules.FWellformed, line, col, path, msg)
	is.Parser = true
	return is
}

// Error returns the issue as LINE:COL: RULE: message.
func (is Issue) Error() string {
	return fmt.Sprintf("%d:%d: %s: %s", is.Line, is.Column, is.Rule, is.Message)
}

// String is Error.
func (is Issue) String() string { return is.Error() }

// Validator holds one compiled XSD per format. It is safe for concurrent
// use: each Validate call has its own libxml2 parser and validation context
// over the shared, read-only compiled schemas.
type Validator struct {
	formats  []Format
	compiled map[string]*compiled // by format name; the map is read-only
}

// compiled is the XSD of one format, compiled when first needed (Default)
// or at once (New).
type compiled struct {
	once   sync.Once
	file   string
	xsds   []xsdFile // until compiled
	schema *C.xmlSchema
	types  *vocab
	err    error
}

func (c *compiled) get() (*C.xmlSchema, *vocab, error) {
	c.once.Do(func() {
		c.schema, c.err = compileSchema(c.file, c.xsds)
		if c.err == nil {
			c.types = readVocab(c.file, c.xsds)
		}
		c.xsds = nil
	})
	return c.schema, c.types, c.err
}

var (
	defaultOnce sync.Once
	defaultV    *Validator
)

// Default returns the validator for every format in the catalogue whose XSD
// is embedded. Each XSD is compiled once, when a file of its format is
// first validated (a process validating one kind compiles one schema, not
// all: a few milliseconds each); Validate panics if an embedded XSD does
// not compile: that is a defect of the build, not of any input.
func Default() *Validator {
	defaultOnce.Do(func() {
		var present []Format
		for _, f := range Formats() {
			if _, err := fs.Stat(files, f.File); err == nil {
				present = append(present, f)
			}
		}
		xsds, err := readXSDs(files)
		if err != nil {
			panic(err)
		}
		v := &Validator{compiled: map[string]*compiled{}}
		for _, f := range present {
			v.formats = append(v.formats, f)
			v.compiled[f.Name] = &compiled{file: f.File, xsds: xsds}
		}
		defaultV = v
	})
	return defaultV
}

// New compiles the XSD of each format from fsys. An xs:include or xs:import
// is served from the .xsd files of fsys by base name; nothing else is read.
func New(fsys fs.FS, formats []Format) (*Validator, error) {
	xsds, err := readXSDs(fsys)
	if err != nil {
		return nil, err
	}
	v := &Validator{compiled: map[string]*compiled{}}
	var errs []error
	for _, f := range formats {
		c := &compiled{file: f.File, xsds: xsds}
		if _, _, err := c.get(); err != nil {
			errs = append(errs, err)
			continue
		}
		v.formats = append(v.formats, f)
		v.compiled[f.Name] = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return v, nil
}

// readXSDs reads every .xsd file of fsys.
func readXSDs(fsys fs.FS) ([]xsdFile, error) {
	var xsds []xsdFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".xsd" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		xsds = append(xsds, xsdFile{name: p, data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return xsds, nil
}

// schemaOf returns the compiled XSD of format f and its vocab.
func (v *Validator) schemaOf(f Format) (*C.xmlSchema, *vocab) {
	s, types, err := v.compiled[f.Name].get()
	if err != nil {
		panic(err) // only Default compiles late, and its XSDs are the build's
	}
	return s, types
}

// Formats returns the formats v validates.
func (v *Validator) Formats() []Format { return append([]Format(nil), v.formats...) }

// Validate reads the document from r once, streaming, and checks it against
// the XSD of its kind and version, which the root element's namespace
// names. Records are handed to h (which may be nil) as they complete.
//
// Everything wrong with the document is an Issue in the Result. The error
// is non-nil only when reading r fails or h returns an error (which is
// returned as is); the Result then says what was read before.
func (v *Validator) Validate(r io.Reader, h Handler, opt Options) (*Result, error) {
	maxErrors := opt.MaxErrors
	if maxErrors <= 0 {
		maxErrors = DefaultMaxErrors
	}
	// Reads of the input are inputRead bytes, not libxml2's 4096 (the
	// guard hands libxml2 the same reads either way): a system call per
	// 4 KiB of a file cost as much as the guard's scan.
	src := &limitReader{r: bufio.NewReaderSize(r, inputRead), max: opt.MaxSize}
	res := &Result{}

	prefix, sn, err := sniff(src)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			res.Issues = []Issue{sizeIssue(opt.MaxSize)}
			return res, nil
		}
		return res, fmt.Errorf("schema: reading input: %w", err)
	}
	// What libxml2 will read goes through the guard (see guard.go), which
	// must read the characters as libxml2 does: refuse the encodings in
	// which it could not.
	wide, be, refuse := detectEncoding(prefix)
	if refuse != "" {
		res.Issues = []Issue{parserIssue(1, 1, "", "the file is in "+refuse+", which bdt does not read: BDT files are XML in UTF-8")}
		return res, nil
	}
	if kind, ok := binaryKind(prefix); ok {
		res.Issues = []Issue{parserIssue(1, 1, "", "the file is "+kind+", not XML: upload the XML file itself")}
		return res, nil
	}
	if enc, ok := declaredEncoding(prefix, wide, be); ok && !encodingAccepted(enc, wide, be) {
		msg := fmt.Sprintf("the XML declaration names the encoding %q, which bdt does not read: BDT files are UTF-8 (UTF-16, US-ASCII, ISO-8859-n and windows-125n are also read)", strings.ToValidUTF8(enc, "?"))
		if wide {
			msg = fmt.Sprintf("the file is in UTF-16 but its XML declaration names the encoding %q", strings.ToValidUTF8(enc, "?"))
		}
		res.Issues = []Issue{parserIssue(1, 1, "", msg)}
		return res, nil
	}
	// The guard reads ahead of libxml2 on a goroutine of its own (ahead.go).
	pre := bytes.NewReader(prefix)
	ra := newReadAhead(newGuard(io.MultiReader(pre, src), wide, be), pre)
	defer ra.Close()
	in := io.Reader(ra)

	switch sn.status {
	case sniffDoctype:
		res.Issues = []Issue{parserIssue(sn.line, sn.col, "", msgDoctype)}
		return res, nil
	case sniffTooLong:
		res.Issues = []Issue{newIssue(rules.FKind, 0, 0, "",
			fmt.Sprintf("the root element does not start, or its start tag does not end, within the first %d KiB of the file", sniffLimit>>10))}
		return res, nil
	case sniffJunk:
		// Not even a start tag where the root should be: let libxml2 say
		// what is wrong, in its own words, with its line.
		blank := len(bytes.Trim(bytes.TrimPrefix(prefix, []byte("\xEF\xBB\xBF")), " \t\r\n")) == 0
		return v.parseUnknown(in, res, maxErrors, opt.MaxSize, blank)
	}

	kind := func(msg string) (*Result, error) {
		res.Issues = []Issue{newIssue(rules.FKind, sn.line, sn.col, "/"+sn.local, msg)}
		return res, nil
	}
	var f Format
	ok := false
	for _, g := range v.formats {
		if g.Namespace == sn.ns {
			f, ok = g, true
		}
	}
	switch {
	case !ok:
		if g, known := ByNamespace(sn.ns); known && sn.ns != "" {
			return kind(fmt.Sprintf("%s files are not accepted here: this build has no schema for them", g.Name))
		}
		return kind(v.kindMessage(sn))
	case f.Root != sn.local:
		return kind(fmt.Sprintf("the root element of a %s file is %s, not %s", f.Name, f.Root, sn.local))
	}
	if opt.BDTFiles && f.Record == "" {
		var names []string
		for _, g := range v.formats {
			if g.Record != "" {
				names = append(names, g.Name)
			}
		}
		return kind(fmt.Sprintf("the root element %s names a %s document, not a BDT file: the files processed are %s",
			sn.local, f.Name, strings.Join(names, ", ")))
	}
	res.Format = f
	schema, types := v.schemaOf(f)
	return v.parse(in, schema, types, f, h, res, maxErrors, opt)
}

func (v *Validator) kindMessage(sn sniffed) string {
	var known []string
	for _, f := range v.formats {
		if f.Record != "" {
			known = append(known, f.Namespace)
		}
	}
	if len(known) == 0 {
		return fmt.Sprintf("the root element %s in namespace %q names no known file kind", sn.local, sn.ns)
	}
	if sn.ns == "" {
		return fmt.Sprintf("the root element %s has no namespace, so it names no BDT file kind (expected a namespace such as %s)",
			sn.local, known[0])
	}
	return fmt.Sprintf("the root element %s is in namespace %q, which names no known BDT file kind or version (known: %s)",
		sn.local, sn.ns, strings.Join(known, ", "))
}

// sizeIssue is the F.SIZE issue of an input that went past max bytes.
func sizeIssue(max int64) Issue {
	return Issue{Finding: rules.SizeFinding(-1, max)}
}

// msgDoctype is the F.WELLFORMED message of a DOCTYPE declaration.
const msgDoctype = "a DOCTYPE declaration is not allowed: BDT files have no DTD and no entities"

// parse runs libxml2 over in with schema attached.
func (v *Validator) parse(in io.Reader, schema *C.xmlSchema, types *vocab, f Format, h Handler,
	res *Result, maxErrors int, opt Options) (*Result, error) {
	maxSize := opt.MaxSize
	d, err := openDoc(in, schema, f.Record, h != nil && f.Record != "", maxErrors)
	if err != nil {
		return v.failed(res, err, maxSize)
	}
	defer d.close()
	d.scope = opt.SchemaErrors
	var w *recWorker
	if opt.Concurrent && h != nil && f.Record != "" {
		w = newRecWorker(h, opt.Transient)
		defer w.abort()
	}

	dec := decoder{names: map[string]string{}}
	recDec := &dec // the header's nodes are kept (Result.Header)
	if opt.Transient {
		recDec = &decoder{names: dec.names, reuse: true}
	}
	drained, attached := 0, 0
	for {
		ev := d.next()
		drained = d.collect(res, drained, types)
		switch ev {
		case evHeader:
			hd := newHeader(f, dec.decode(d.buf()))
			res.Header = hd
			if h != nil {
				if err := h.Header(hd); err != nil {
					return res, err
				}
			}
			continue
		case evRecord:
			if w != nil {
				var issues []Issue
				idx := d.record()
				issues, attached = d.recordIssues(res.Issues, idx, attached, f)
				if w.add(d.buf(), idx, issues, len(res.Issues)) {
					continue
				}
				// The handler failed: read no further.
				return res, w.finish(res)
			}
			n := recDec.decode(d.buf())
			rec := &Record{Index: d.record(), Line: n.Line, Node: n}
			rec.Issues, attached = d.recordIssues(res.Issues, rec.Index, attached, f)
			if err := h.Record(rec); err != nil {
				res.Records = rec.Index
				return res, err
			}
			continue
		}
		if w != nil {
			if err := w.finish(res); err != nil {
				return res, err
			}
		}

		res.Records = int(d.st.wdone)
		res.Truncated = d.st.truncated != 0
		if d.feed.err != nil {
			return v.failed(res, d.feed.err, maxSize)
		}
		if d.st.oom != 0 {
			return res, errors.New("schema: out of memory in libxml2")
		}
		switch ev {
		case evFatal:
			if d.st.nparser == 0 {
				res.add(parserIssue(int(C.bdt_parser_line(d.st)), 0, "", "the XML parser stopped: the file is not well-formed"), maxErrors)
			}
		case evDoctype:
			res.add(parserIssue(0, 0, "", msgDoctype), maxErrors)
		default:
			res.complete = true
			// Cross-check libxml2's own verdict: a validity error that somehow
			// bypassed the handler must not pass as valid.
			if C.bdt_is_valid(d.st) != 1 && d.st.nvalidity == 0 {
				res.add(newIssue(rules.FSchema, 0, 0, "", "the file is not valid against "+f.Name+".xsd"), maxErrors)
			}
		}
		return res, nil
	}
}

// parseUnknown runs libxml2 without a schema over a file whose root element
// could not be found, to report the parser's own error. blank says the
// input is empty or white space only (libxml2's push parser then speaks of
// "extra content", which would puzzle anyone).
func (v *Validator) parseUnknown(in io.Reader, res *Result, maxErrors int, maxSize int64, blank bool) (*Result, error) {
	d, err := openDoc(in, nil, "", false, maxErrors)
	if err != nil {
		return v.failed(res, err, maxSize)
	}
	defer d.close()
	ev := d.next()
	for ev == evHeader {
		ev = d.next()
	}
	d.collect(res, 0, nil)
	res.Truncated = d.st.truncated != 0
	if d.feed.err != nil {
		return v.failed(res, d.feed.err, maxSize)
	}
	if blank && len(res.Issues) > 0 && res.Issues[0].Parser {
		res.Issues[0].Message = "the file is empty"
	}
	if ev == evDoctype {
		res.add(parserIssue(0, 0, "", msgDoctype), maxErrors)
	}
	if len(res.Issues) == 0 && !res.Truncated {
		res.Issues = []Issue{newIssue(rules.FKind, 0, 0, "", "the root element of the file could not be identified")}
	}
	return res, nil
}

// failed turns a read failure into the F.SIZE issue, the guard's issue or
// the returned error.
func (v *Validator) failed(res *Result, err error, maxSize int64) (*Result, error) {
	var ge *guardError
	if errors.As(err, &ge) {
		res.complete = false
		res.Issues = append(res.Issues, ge.is) // even past the cap: it says why the rest was not read
		return res, nil
	}
	if errors.Is(err, errTooLarge) {
		res.Issues = []Issue{sizeIssue(maxSize)}
		res.Truncated = false
		res.complete = false
		return res, nil
	}
	return res, fmt.Errorf("schema: reading input: %w", err)
}

// add appends is unless the cap is reached.
func (r *Result) add(is Issue, maxErrors int) {
	if len(r.Issues) >= maxErrors {
		r.Truncated = true
		return
	}
	r.Issues = append(r.Issues, is)
}

// recordIssues returns the issues of record idx, the one bdt_next returned,
// of a file of format f. Issues come in document order, so those of records
// up to idx lie before the first issue of a later record; from is where the
// previous record's search stopped. Under RecordScope, a record with a
// validity error none of whose issues was kept (past the cap) gets one
// R.SCHEMA issue that says so.
func (d *doc) recordIssues(all []Issue, idx, from int, f Format) ([]Issue, int) {
	var out []Issue
	i := from
	scoped := false
	for ; i < len(all); i++ {
		if all[i].Record > idx {
			break
		}
		if all[i].Record == idx {
			out = append(out, all[i])
			scoped = scoped || all[i].Rule == rules.RSchema
		}
	}
	if d.scope == RecordScope && !scoped && d.bad() > 0 {
		path := fmt.Sprintf("/%s/%s[%d]", f.Root, f.Record, idx)
		is := newIssue(rules.RSchema, d.bufLine(), 0, path, msgPastCap(f.Record))
		is.Record = idx
		out = append(out, is)
	}
	return out, i
}

// collect converts the issues libxml2 raised since index from.
func (d *doc) collect(res *Result, from int, types *vocab) int {
	raw := d.rawIssues(from)
	for i := range raw {
		r := &raw[i]
		path, msg := "", ""
		if r.path != nil {
			path = C.GoString(r.path)
		}
		if r.msg != nil {
			msg = C.GoString(r.msg)
		}
		var is Issue
		if r.parser != 0 {
			msg = parserMessage(msg)
			if r.code == C.XML_ERR_DOCUMENT_END && path != "" {
				msg = truncatedMessage(path) // elements still open at the end
			}
			is = parserIssue(int(r.line), int(r.col), path, msg)
		} else {
			rule := rules.FSchema
			if r.scoped != 0 && d.scope == RecordScope {
				rule = rules.RSchema
			}
			is = newIssue(rule, int(r.line), int(r.col), path, validityMessage(msg, types))
			is.Record = int(r.record)
		}
		res.Issues = append(res.Issues, is)
	}
	return from + len(raw)
}

func newHeader(f Format, n *Node) *Header {
	h := &Header{Format: f, Line: n.Line, Node: n, RecordCount: -1}
	h.Licence, _ = n.Value("SponsorLicenceNumber")
	h.UserID, _ = n.Value("SMSUserId")
	if f.FileIDElement != "" {
		h.FileID, _ = n.Value(f.FileIDElement)
	}
	h.CreatedAt, _ = n.Value("CreatedAt")
	if s, ok := n.Value("RecordCount"); ok {
		if c, err := strconv.Atoi(s); err == nil && c >= 0 {
			h.RecordCount = c
		}
	}
	return h
}

// errTooLarge is what limitReader returns past Options.MaxSize.
var errTooLarge = errors.New("input larger than the size limit")

// limitReader fails with errTooLarge on the first byte past max (max 0:
// no limit).
type limitReader struct {
	r    io.Reader
	max  int64
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.over {
		return 0, errTooLarge
	}
	if l.max > 0 {
		if rem := l.max - l.n + 1; int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	if l.max > 0 && l.n > l.max {
		l.over = true
		return 0, errTooLarge
	}
	return k, err
}
