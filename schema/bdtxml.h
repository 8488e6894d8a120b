/*
 * bdtxml.h: the small C layer between package schema and libxml2.
 *
 * One bdt_state drives one libxml2 push parser over one document; no tree is
 * built. bdt_next pulls the input from Go (bdtGoRead, through a
 * runtime/cgo.Handle) and feeds it to xmlParseChunk; the compiled XSD is
 * plugged into the parser's SAX callbacks (xmlSchemaSAXPlug, as xmllint
 * --sax --schema does), and our own SAX callbacks under the plug serialise
 * the header and every record into a compact buffer as they complete.
 * bdt_next returns to Go once captures are queued; Go hands them out one
 * by one (doc.next) without a call for each.
 *
 * Errors (parser and validity alike) are collected in C by one structured
 * error handler, each with the element path and record index of the parser's
 * position when libxml2 raised it: a stack kept by wrappers in front of the
 * plug's startElementNs/endElementNs callbacks.
 */
#ifndef BDT_XML_H
#define BDT_XML_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

/* Events returned by bdt_next. */
enum {
	BDT_EV_END = 0,     /* the document ended, the parser content with it */
	BDT_EV_HEADER = 1,  /* the Header element completed; its subtree is at obuf */
	BDT_EV_RECORD = 2,  /* a record element completed; its subtree is at obuf */
	BDT_EV_FATAL = 3,   /* the parser failed (not well-formed), or the input did */
	BDT_EV_DOCTYPE = 4, /* a DOCTYPE was met (refused; never expected here) */
	BDT_EV_READY = 5    /* captures are queued in ready[rhead..rtail), for Go to hand out */
};

/* Buffer entry tags, see bdt_next. */
enum { BDT_TAG_START = 'S', BDT_TAG_TEXT = 'T', BDT_TAG_END = 'E' };

/* bdt_issue is one error raised by libxml2. */
typedef struct {
	int line;    /* xmlError.line */
	int col;     /* xmlError.int2, or the parser's column when it is on that line */
	int record;  /* 1-based record index of the parser's position, 0 outside records */
	int parser;  /* 1 for a well-formedness (parser, namespace, encoding, I/O) error */
	int scoped;  /* 1 for a validity error wholly inside record `record` (see bdt_scoped) */
	int domain;  /* xmlError.domain */
	int code;    /* xmlError.code */
	char *path;  /* element path of the parser's position (malloc'd) */
	char *msg;   /* libxml2's message (malloc'd) */
} bdt_issue;

typedef struct {
	const xmlChar *name;
	int n;
} bdt_kid;

#define BDT_KIDS 16

/* bdt_frame is one open element on the parser side. */
typedef struct {
	const xmlChar *name; /* local name, interned in the parser's dictionary */
	int idx;             /* 1-based index among same-named siblings; 0 unknown */
	int record;          /* record index if this is a record element, else 0 */
	int nkids;
	bdt_kid kids[BDT_KIDS];
} bdt_frame;

/* bdt_ready is one capture completed by the push parser. */
typedef struct bdt_ready {
	int kind;   /* BDT_EV_HEADER or BDT_EV_RECORD */
	int record; /* record index */
	size_t off, len;
	int nissues; /* issues raised before record+2 started, or by the end of
	              * the piece parsed it completed in; -1 not yet */
	int bad;     /* scoped validity errors raised inside it, stored or not */
} bdt_ready;

typedef struct bdt_state {
	/* configuration */
	uintptr_t io;       /* cgo.Handle of the Go input */
	char *record_name;  /* local name of record elements; "" for none */
	int capture_records;
	int max_errors;

	/* libxml2 objects */
	xmlParserCtxtPtr ctxt;    /* the push parser */
	xmlSchemaSAXPlugPtr plug; /* the schema's SAX plug, NULL without a schema */
	xmlSchemaValidCtxtPtr vctxt;
	startElementNsSAX2Func orig_start;
	endElementNsSAX2Func orig_end;
	/* the SAX text callbacks under ours (see bdt_text), and the others
	 * ours run before so that pending text keeps its place */
	charactersSAXFunc orig_chars;
	ignorableWhitespaceSAXFunc orig_ws;
	cdataBlockSAXFunc orig_cdata;
	commentSAXFunc orig_comment;
	processingInstructionSAXFunc orig_pi;
	referenceSAXFunc orig_ref;
	const char *open_error; /* why bdt_open failed, or NULL */

	/* open elements, records started (for error paths) */
	bdt_frame *stack;
	int depth, stack_cap;
	int precords;

	/* text pending for the callbacks under ours (see bdt_text) */
	void *tctx;
	int tkind;
	unsigned char *tbuf;
	size_t tlen, tcap;
	int ttype;   /* the text node open (1 text, 2 CDATA, 0 none) */
	size_t trun; /* and its length so far (see bdt_text_limit) */

	/* input read from Go, fed to xmlParseChunk in pieces */
	char *ibuf;
	int ilen, ioff;
	int eof;         /* the input ended (read returned 0) */
	int final_ev;    /* the event that ends the document, once known; -1 before */
	int doctype;     /* a DOCTYPE was met (the parser was stopped) */
	int start_line;  /* the line of the start tag being handled */
	int starting;    /* inside the start callbacks of the element on top */
	struct bdt_ready *ready; /* captures completed, not yet returned */
	int rhead, rtail, rcap;

	/* captures */
	int wrecords;      /* record elements started (the index of the last) */
	int wdone;         /* record elements completed */
	int rec_open;      /* inside a record element */
	int header_done;
	int capturing, cap_depth, cap_kind;
	unsigned char *buf;
	size_t blen, bcap;
	size_t rec_off;  /* where the capture in progress starts in buf */
	int cap_record;  /* its record index */
	int cap_bad;     /* scoped validity errors raised inside it so far */
	/* what doc.next (Go) handed out last from ready: the capture, and its
	 * record index; bdt_next sets them back to none */
	const unsigned char *obuf;
	size_t olen;
	int orecord;
	int oissues; /* the issues that go with it: those before record+2 */
	int obad;    /* its scoped validity errors, stored or not (past max_errors) */

	/* errors */
	bdt_issue *issues;
	int nissues, icap;
	int nparser, nvalidity; /* errors raised, stored or not */
	int truncated;
	int io_failed; /* the Go read callback failed: later errors are its echo */
	int oom;
} bdt_state;

void bdt_init(void);

/* bdt_libxml_version is the version of the libxml2 linked in, as libxml2
 * writes it (xmlParserVersion: "20914" for 2.9.14). */
const char *bdt_libxml_version(void);
bdt_state *bdt_open(uintptr_t io, xmlSchemaPtr schema, const char *record_name,
                    int capture_records, int max_errors);
int bdt_next(bdt_state *s);
int bdt_is_valid(bdt_state *s);
int bdt_parser_line(bdt_state *s);
void bdt_close(bdt_state *s);

/* bdt_file is one embedded XSD the entity loader may serve while compiling. */
typedef struct {
	const char *name; /* path in the embedded FS, e.g. "xsd/common.xsd" */
	const char *data;
	int len;
} bdt_file;

xmlSchemaPtr bdt_compile(const char *name, const char *data, int len,
                         const bdt_file *files, int nfiles, char **errors);

char *bdt_malloc_info(void);

#endif
