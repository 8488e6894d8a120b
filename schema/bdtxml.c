/* bdtxml.c: see bdtxml.h. */
#include "bdtxml.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>

#include "_cgo_export.h"

/*
 * Every libxml2 callback (SAX, errors, input) runs synchronously inside one
 * of the entry points below, on the calling thread; bdt_cur names the state
 * that call works for. A goroutine may move between threads between cgo
 * calls, never during one, so each entry point sets it again.
 */
static __thread bdt_state *bdt_cur;

static void bdt_on_error(void *data, xmlErrorPtr e);

static void bdt_silent(void *ctx, const char *msg, ...) {
	(void)ctx;
	(void)msg;
}

static void bdt_enter(bdt_state *s) {
	bdt_cur = s;
	xmlSetStructuredErrorFunc(s, bdt_on_error);
	xmlSetGenericErrorFunc(NULL, bdt_silent);
}

static void bdt_leave(void) {
	bdt_cur = NULL;
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
}

/* ---------------------------------------------------------------- loader */

/*
 * While bdt_compile runs, the loader serves the embedded XSDs by base name
 * to the thread running it; at any other time, on any other thread, and for
 * anything else, it refuses: no file, no network, no DTD, no external entity
 * is ever read through libxml2 in this process.
 */
static const bdt_file *bdt_files;
static int bdt_nfiles;
/* Set on the thread running bdt_compile, for its duration: schemas are
 * compiled when first needed (package schema's Default), possibly while
 * other threads parse documents, which must never be served a file. */
static __thread int bdt_compiling;

static const char *bdt_base(const char *p) {
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

static xmlParserInputPtr bdt_loader(const char *URL, const char *ID, xmlParserCtxtPtr ctxt) {
	(void)ID;
	if (!bdt_compiling || URL == NULL || bdt_files == NULL || strstr(URL, "://") != NULL || URL[0] == '/')
		return NULL;
	const char *want = bdt_base(URL);
	for (int i = 0; i < bdt_nfiles; i++) {
		if (strcmp(bdt_base(bdt_files[i].name), want) != 0)
			continue;
		xmlParserInputBufferPtr buf = xmlParserInputBufferCreateMem(
			bdt_files[i].data, bdt_files[i].len, XML_CHAR_ENCODING_NONE);
		if (buf == NULL)
			return NULL;
		xmlParserInputPtr in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
		if (in == NULL) {
			xmlFreeParserInputBuffer(buf);
			return NULL;
		}
		in->filename = (const char *)xmlStrdup((const xmlChar *)bdt_files[i].name);
		return in;
	}
	return NULL;
}

void bdt_init(void) {
	xmlInitParser();
	xmlSetExternalEntityLoader(bdt_loader);
}

const char *bdt_libxml_version(void) { return xmlParserVersion; }

/* --------------------------------------------------------------- compile */

typedef struct {
	char *s;
	size_t len, cap;
	const char *name;
} bdt_msgs;

static void bdt_msgs_add(bdt_msgs *m, const char *s) {
	size_t n = strlen(s);
	if (m->len + n + 1 > m->cap) {
		size_t c = m->cap ? m->cap * 2 : 256;
		while (c < m->len + n + 1)
			c *= 2;
		char *p = realloc(m->s, c);
		if (p == NULL)
			return;
		m->s = p;
		m->cap = c;
	}
	memcpy(m->s + m->len, s, n + 1);
	m->len += n;
}

static void bdt_on_compile_error(void *data, xmlErrorPtr e) {
	bdt_msgs *m = data;
	char head[512];
	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	const char *file = e->file;
	if (file == NULL || strcmp(file, "in_memory_buffer") == 0)
		file = m->name;
	snprintf(head, sizeof head, "%s:%d: ", file ? file : "?", e->line);
	bdt_msgs_add(m, head);
	bdt_msgs_add(m, e->message ? e->message : "error\n");
	if (m->len > 0 && m->s[m->len - 1] != '\n')
		bdt_msgs_add(m, "\n");
}

xmlSchemaPtr bdt_compile(const char *name, const char *data, int len,
                         const bdt_file *files, int nfiles, char **errors) {
	bdt_msgs m = {0};
	m.name = name;
	bdt_files = files;
	bdt_nfiles = nfiles;
	bdt_compiling = 1;
	xmlSetStructuredErrorFunc(&m, bdt_on_compile_error);
	xmlSetGenericErrorFunc(NULL, bdt_silent);

	xmlSchemaPtr schema = NULL;
	xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewMemParserCtxt(data, len);
	if (pctxt != NULL) {
		xmlSchemaSetParserStructuredErrors(pctxt, bdt_on_compile_error, &m);
		schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	} else {
		bdt_msgs_add(&m, "cannot create a schema parser context\n");
	}

	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	bdt_compiling = 0;
	bdt_files = NULL;
	bdt_nfiles = 0;
	if (schema == NULL && m.len == 0)
		bdt_msgs_add(&m, "the schema could not be compiled\n");
	*errors = m.s;
	return schema;
}

/* ------------------------------------------------------- parser position */

static int bdt_grow(void **p, int *cap, int need, size_t size) {
	if (need <= *cap)
		return 1;
	int c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, (size_t)c * size);
	if (q == NULL)
		return 0;
	*p = q;
	*cap = c;
	return 1;
}

static void bdt_push(bdt_state *s, const xmlChar *name) {
	s->start_line = (s->ctxt && s->ctxt->input) ? s->ctxt->input->line : 0;
	if (!bdt_grow((void **)&s->stack, &s->stack_cap, s->depth + 1, sizeof(bdt_frame))) {
		s->oom = 1;
		s->depth++; /* keep the count right; frames beyond the array are unnamed */
		return;
	}
	bdt_frame *f = &s->stack[s->depth];
	f->name = name;
	f->idx = 1;
	f->record = 0;
	f->nkids = 0;
	if (s->depth > 0 && s->depth - 1 < s->stack_cap) {
		bdt_frame *p = &s->stack[s->depth - 1];
		int i;
		f->idx = 0;
		for (i = 0; i < p->nkids; i++) {
			if (p->kids[i].name == name || xmlStrEqual(p->kids[i].name, name)) {
				f->idx = ++p->kids[i].n;
				break;
			}
		}
		if (i == p->nkids && p->nkids < BDT_KIDS) {
			p->kids[p->nkids].name = name;
			p->kids[p->nkids].n = 1;
			p->nkids++;
			f->idx = 1;
		}
		if (s->depth == 1 && s->record_name[0] != '\0' &&
		    xmlStrEqual(name, (const xmlChar *)s->record_name))
			f->record = ++s->precords;
	}
	s->depth++;
}

/* -------------------------------------------------------------- text */

/*
 * libxml2 hands text to SAX in pieces: one per input chunk it is fed,
 * one per character or entity reference. The schema plug keeps an
 * element's value by appending each piece with xmlStrncat, which measures
 * the value so far every time: quadratic in the pieces, minutes for a few
 * megabytes of "&#65;". bdt_text gathers consecutive pieces of one kind and
 * hands them on at once, before the next element, comment, processing
 * instruction or reference and at the end of the document, and whenever
 * BDT_TEXT_FLUSH bytes are waiting (so the memory held stays small). The
 * buffer is NUL-terminated: SAX2 interns a short text in the parser's
 * dictionary when the byte after it is '<' or a quote, and the dictionary
 * slows down with every distinct string (see guard.go).
 */
#define BDT_TEXT_FLUSH (1 << 20)

enum { BDT_TEXT_CHARS = 1, BDT_TEXT_WS = 2, BDT_TEXT_CDATA = 3 };


/*
 * bdt_raise reports a parser error of libxml2's own (which the push
 * parser, building no tree, does not raise itself) as libxml2 raises it:
 * at the parser's position, then stops the parser.
 */
static void bdt_raise(bdt_state *s, int code, int level, const char *msg) {
	xmlError e;
	memset(&e, 0, sizeof e);
	e.domain = XML_FROM_PARSER;
	e.code = code;
	e.level = level;
	e.message = (char *)msg;
	if (s->ctxt != NULL && s->ctxt->input != NULL) {
		e.line = s->ctxt->input->line;
		e.int2 = s->ctxt->input->col;
	}
	bdt_on_error(s, &e);
	if (s->ctxt != NULL) {
		if (level == XML_ERR_FATAL)
			s->ctxt->wellFormed = 0;
		s->ctxt->errNo = code;
		xmlStopParser(s->ctxt);
	}
}

/*
 * bdt_text_limit applies, for the push parser, the limit libxml2's tree
 * builder (xmlSAX2Characters) puts on one text node: an append that takes
 * it past XML_MAX_TEXT_LENGTH bytes fails ("huge text node") and stops the
 * parser. A text node is a run of text (or of CDATA) between two other
 * nodes; trun is the length of the one open.
 */
static void bdt_text_limit(bdt_state *s, int kind, int len) {
	int type = kind == BDT_TEXT_CDATA ? 2 : 1;
	if (s->ttype != type) {
		s->ttype = type;
		s->trun = 0;
	}
	if (s->trun > 0 && s->trun + (size_t)len > XML_MAX_TEXT_LENGTH &&
	    (s->ctxt->options & XML_PARSE_HUGE) == 0) {
		bdt_raise(s, XML_ERR_NO_MEMORY, XML_ERR_ERROR, "xmlSAX2Characters: huge text node");
		return;
	}
	s->trun += (size_t)len;
}

static void bdt_flush_text(bdt_state *s) {
	if (s == NULL || s->tlen == 0)
		return;
	int len = (int)s->tlen;
	s->tlen = 0;
	s->tbuf[len] = '\0';
	bdt_text_limit(s, s->tkind, len);
	switch (s->tkind) {
	case BDT_TEXT_CHARS:
		s->orig_chars(s->tctx, s->tbuf, len);
		break;
	case BDT_TEXT_WS:
		s->orig_ws(s->tctx, s->tbuf, len);
		break;
	case BDT_TEXT_CDATA:
		s->orig_cdata(s->tctx, s->tbuf, len);
		break;
	}
}

static void bdt_text(void *ctx, int kind, const xmlChar *ch, int len) {
	bdt_state *s = bdt_cur;
	if (s == NULL || len <= 0)
		return;
	if (s->tlen > 0 && (s->tkind != kind || s->tctx != ctx))
		bdt_flush_text(s);
	if (ctx != s->ctxt->userData) {
		/* A nested parser context (an entity's text): never held, as
		 * the context dies with the entity. */
		switch (kind) {
		case BDT_TEXT_CHARS:
			s->orig_chars(ctx, ch, len);
			break;
		case BDT_TEXT_WS:
			s->orig_ws(ctx, ch, len);
			break;
		case BDT_TEXT_CDATA:
			s->orig_cdata(ctx, ch, len);
			break;
		}
		return;
	}
	if (s->tlen + (size_t)len + 1 > s->tcap) {
		size_t c = s->tcap ? s->tcap : 256;
		while (c < s->tlen + (size_t)len + 1)
			c *= 2;
		unsigned char *p = realloc(s->tbuf, c);
		if (p == NULL) {
			s->oom = 1;
			xmlStopParser(s->ctxt);
			return;
		}
		s->tbuf = p;
		s->tcap = c;
	}
	memcpy(s->tbuf + s->tlen, ch, (size_t)len);
	s->tlen += (size_t)len;
	s->tctx = ctx;
	s->tkind = kind;
	if (s->tlen >= BDT_TEXT_FLUSH)
		bdt_flush_text(s);
}

static void bdt_chars(void *ctx, const xmlChar *ch, int len) { bdt_text(ctx, BDT_TEXT_CHARS, ch, len); }
static void bdt_ws(void *ctx, const xmlChar *ch, int len) { bdt_text(ctx, BDT_TEXT_WS, ch, len); }
static void bdt_cdata(void *ctx, const xmlChar *ch, int len) { bdt_text(ctx, BDT_TEXT_CDATA, ch, len); }

static void bdt_comment(void *ctx, const xmlChar *value) {
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	bdt_flush_text(s);
	s->ttype = 0;
	s->orig_comment(ctx, value);
}

static void bdt_pi(void *ctx, const xmlChar *target, const xmlChar *data) {
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	bdt_flush_text(s);
	s->ttype = 0;
	s->orig_pi(ctx, target, data);
}

static void bdt_ref(void *ctx, const xmlChar *name) {
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	bdt_flush_text(s);
	s->ttype = 0;
	s->orig_ref(ctx, name);
}

/*
 * No entity is ever looked up: only the five predefined ones exist. A
 * DOCTYPE never reaches libxml2 (package schema refuses it first); should
 * one ever get through, its entities are undefined references, never
 * expanded, and no nested parser context (in which libxml2 parses an
 * entity's text, and which would outlive text held by bdt_text) is made.
 */
static xmlEntityPtr bdt_get_entity(void *ctx, const xmlChar *name) {
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

static xmlEntityPtr bdt_get_pentity(void *ctx, const xmlChar *name) {
	(void)ctx;
	(void)name;
	return NULL;
}

static void bdt_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	bdt_flush_text(s);
	s->ttype = 0;
	bdt_push(s, localname);
	/* The depth limit of libxml2's tree builder (nodePush), which the push
	 * parser without a tree does not apply. */
	if (s->depth - 1 > (int)xmlParserMaxDepth &&
	    (s->ctxt->options & XML_PARSE_HUGE) == 0) {
		char msg[96];
		snprintf(msg, sizeof msg, "Excessive depth in document: %d use XML_PARSE_HUGE option\n",
		         (int)xmlParserMaxDepth);
		bdt_raise(s, XML_ERR_INTERNAL_ERROR, XML_ERR_FATAL, msg);
	}
	s->starting = 1;
	s->orig_start(ctx, localname, prefix, URI, nb_namespaces, namespaces,
	              nb_attributes, nb_defaulted, attributes);
	s->starting = 0;
}

static void bdt_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *URI) {
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	bdt_flush_text(s);
	s->ttype = 0;
	/* Validation of the element's content runs here, while it is still on top. */
	s->orig_end(ctx, localname, prefix, URI);
	if (s->depth > 0)
		s->depth--;
}

/* bdt_path renders the open elements as /Root/Record[3]/Leaf. */
static char *bdt_path(bdt_state *s) {
	size_t cap = 128, len = 0;
	char *p = malloc(cap);
	if (p == NULL)
		return NULL;
	p[0] = '\0';
	int n = s->depth < s->stack_cap ? s->depth : s->stack_cap;
	for (int i = 0; i < n; i++) {
		bdt_frame *f = &s->stack[i];
		char idx[24] = "";
		if (f->record > 0)
			snprintf(idx, sizeof idx, "[%d]", f->record);
		else if (f->idx > 1)
			snprintf(idx, sizeof idx, "[%d]", f->idx);
		size_t need = len + 1 + strlen((const char *)f->name) + strlen(idx) + 1;
		if (need > 4096)
			break; /* absurdly deep or long names: the path stays a prefix */
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			char *q = realloc(p, cap);
			if (q == NULL)
				break;
			p = q;
		}
		len += (size_t)sprintf(p + len, "/%s%s", (const char *)f->name, idx);
	}
	return p;
}

/* ---------------------------------------------------------------- errors */

static int bdt_is_validity(int domain) {
	return domain == XML_FROM_SCHEMASV || domain == XML_FROM_SCHEMASP ||
	       domain == XML_FROM_VALID || domain == XML_FROM_RELAXNGV;
}

/*
 * bdt_message copies a libxml2 message, shortening every quoted value
 * longer than 120 bytes to its first 100 (on a UTF-8 boundary) and "...":
 * values are quoted whole, and a value may be megabytes long.
 */
static char *bdt_message(const char *m) {
	size_t n = strlen(m), o = 0;
	char *out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		if (m[i] != '\'') {
			out[o++] = m[i++];
			continue;
		}
		const char *end = strchr(m + i + 1, '\'');
		size_t len = end ? (size_t)(end - (m + i + 1)) : n - i - 1;
		out[o++] = m[i++];
		if (len <= 120) { /* shortening must save more than the 3 bytes it adds */
			memcpy(out + o, m + i, len);
			o += len;
		} else {
			size_t keep = 100;
			while (keep > 0 && ((unsigned char)m[i + keep] & 0xC0) == 0x80)
				keep--; /* do not cut a UTF-8 sequence */
			memcpy(out + o, m + i, keep);
			o += keep;
			memcpy(out + o, "\xE2\x80\xA6", 3); /* U+2026 */
			o += 3;
		}
		i += len;
		if (end != NULL)
			out[o++] = m[i++]; /* the closing quote */
	}
	out[o] = '\0';
	return out;
}

/*
 * bdt_scoped returns the record a validity error lies wholly inside, or 0:
 * one raised while a record element (depth 1) is open, except while that
 * element itself starts, where what is checked is the record element's
 * place in the root (a record where none may be) and its attributes. Inside
 * a record libxml2 keeps its state per element: after an unexpected child it
 * skips the rest of that element's content (skipDepth), and the record's end
 * pops it, so the records after it are validated as if it were not there
 * (TestRecordScopeLeavesNextRecords).
 */
static int bdt_scoped(bdt_state *s) {
	if (s->depth < 2 || s->stack_cap < 2 || s->stack[1].record == 0)
		return 0;
	if (s->depth == 2 && s->starting)
		return 0;
	return s->stack[1].record;
}

/* bdt_count_bad counts a scoped validity error against record rec: the
 * capture in progress or, once the record's end was captured (the plug
 * validates an element's end after our callback), the capture queued. */
static void bdt_count_bad(bdt_state *s, int rec) {
	if (s->capturing && s->cap_kind == BDT_EV_RECORD && s->cap_record == rec) {
		s->cap_bad++;
		return;
	}
	for (int i = s->rtail - 1; i >= s->rhead; i--) {
		if (s->ready[i].kind == BDT_EV_RECORD && s->ready[i].record == rec) {
			s->ready[i].bad++;
			return;
		}
	}
}

static void bdt_on_error(void *data, xmlErrorPtr e) {
	bdt_state *s = bdt_cur ? bdt_cur : data;
	if (s == NULL || e == NULL)
		return;
	if (e->level == XML_ERR_NONE || e->level == XML_ERR_WARNING)
		return;
	if (s->io_failed)
		return; /* the echo of a failed or refused read: Go reports it */
	int validity = bdt_is_validity(e->domain);
	int scoped = 0;
	if (validity) {
		s->nvalidity++;
		if ((scoped = bdt_scoped(s)) > 0)
			bdt_count_bad(s, scoped);
	} else {
		s->nparser++;
	}
	if (s->nissues >= s->max_errors) {
		s->truncated = 1;
		return;
	}
	if (!bdt_grow((void **)&s->issues, &s->icap, s->nissues + 1, sizeof(bdt_issue))) {
		s->oom = 1;
		return;
	}
	bdt_issue *is = &s->issues[s->nissues++];
	memset(is, 0, sizeof *is);
	is->line = e->line;
	is->col = e->int2;
	is->domain = e->domain;
	is->code = e->code;
	is->parser = !validity;
	is->scoped = scoped > 0;
	if (is->col == 0 && s->ctxt != NULL && s->ctxt->input != NULL &&
	    s->ctxt->input->line == e->line)
		is->col = s->ctxt->input->col;
	if (s->depth >= 2 && s->stack_cap >= 2)
		is->record = s->stack[1].record;
	is->path = bdt_path(s);
	is->msg = bdt_message(e->message ? e->message : "");
}

/* ----------------------------------------------------------------- input */

static int bdt_io_read(void *ctx, char *buf, int len) {
	int n = bdtGoRead((uintptr_t)ctx, buf, len);
	if (n < 0 && bdt_cur != NULL)
		bdt_cur->io_failed = 1;
	return n;
}

/* ---------------------------------------------------------------- parser */

/*
 * bdt_wrap_sax puts the position tracking (bdt_start, bdt_end), the text
 * gathering (bdt_text) and the entity lookups in front of the SAX block the
 * parser calls, which is the schema plug's when a schema is attached.
 */
static void bdt_wrap_sax(bdt_state *s, xmlSAXHandlerPtr sax) {
	s->orig_start = sax->startElementNs;
	s->orig_end = sax->endElementNs;
	sax->startElementNs = bdt_start;
	sax->endElementNs = bdt_end;
	/* Text is gathered (bdt_text); whatever can come between two pieces of
	 * text hands the gathered text on first. (Text left at the end of the
	 * document is outside the root: libxml2 reports it as it reads it.) */
#define BDT_WRAP(field, orig, ours) \
	if (sax->field != NULL) {   \
		s->orig = sax->field;   \
		sax->field = ours;      \
	}
	BDT_WRAP(characters, orig_chars, bdt_chars)
	BDT_WRAP(ignorableWhitespace, orig_ws, bdt_ws)
	BDT_WRAP(cdataBlock, orig_cdata, bdt_cdata)
	BDT_WRAP(comment, orig_comment, bdt_comment)
	BDT_WRAP(processingInstruction, orig_pi, bdt_pi)
	BDT_WRAP(reference, orig_ref, bdt_ref)
#undef BDT_WRAP
	sax->getEntity = bdt_get_entity;
	sax->getParameterEntity = bdt_get_pentity;
}

/*
 * A captured record is cut at BDT_MAX_CAPTURE bytes: no valid record comes
 * near (every field of the XSDs is bounded), and an invalid one must not
 * make memory grow with the file. The Go decoder closes what was cut.
 */
#define BDT_MAX_CAPTURE (1 << 20)

static int bdt_buf_need(bdt_state *s, size_t n) {
	if (s->blen - s->rec_off + n > BDT_MAX_CAPTURE)
		return 0;
	if (s->blen + n <= s->bcap)
		return 1;
	size_t c = s->bcap ? s->bcap : 1024;
	while (c < s->blen + n)
		c *= 2;
	unsigned char *p = realloc(s->buf, c);
	if (p == NULL) {
		s->oom = 1;
		return 0;
	}
	s->buf = p;
	s->bcap = c;
	return 1;
}

static void bdt_put32(unsigned char *p, uint32_t v) {
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Buffer entries: 'S' line:u32 len:u32 name | 'T' len:u32 text | 'E'. */
static void bdt_buf_start(bdt_state *s, const xmlChar *name, int line) {
	size_t n = name ? strlen((const char *)name) : 0;
	if (!bdt_buf_need(s, 9 + n))
		return;
	unsigned char *p = s->buf + s->blen;
	p[0] = BDT_TAG_START;
	bdt_put32(p + 1, (uint32_t)line);
	bdt_put32(p + 5, (uint32_t)n);
	if (n)
		memcpy(p + 9, name, n);
	s->blen += 9 + n;
}

static void bdt_buf_textn(bdt_state *s, const xmlChar *text, size_t n) {
	if (n == 0 || !bdt_buf_need(s, 5 + n))
		return;
	unsigned char *p = s->buf + s->blen;
	p[0] = BDT_TAG_TEXT;
	bdt_put32(p + 1, (uint32_t)n);
	memcpy(p + 5, text, n);
	s->blen += 5 + n;
}

static void bdt_buf_end(bdt_state *s) {
	if (!bdt_buf_need(s, 1))
		return;
	s->buf[s->blen++] = BDT_TAG_END;
}

/*
 * bdt_next reads nodes until the Header or a record element completes (when
 * it is captured), the document ends, or the parser fails. Every element
 * read takes its start line from the queue the parser side filled, in
 * document order, so lines are exact past 65535.
 */
/* bdt_is_valid is the schema validator's own verdict (1: no error). */
int bdt_is_valid(bdt_state *s) {
	return s->vctxt == NULL || xmlSchemaIsValid(s->vctxt) == 1;
}

int bdt_parser_line(bdt_state *s) {
	return (s->ctxt && s->ctxt->input) ? s->ctxt->input->line : 0;
}

void bdt_close(bdt_state *s) {
	if (s == NULL)
		return;
	bdt_enter(s);
	if (s->plug != NULL)
		xmlSchemaSAXUnplug(s->plug); /* gives ctxt its own SAX block back */
	if (s->ctxt != NULL) {
		if (s->ctxt->myDoc != NULL) /* never built: no startDocument */
			xmlFreeDoc(s->ctxt->myDoc);
		xmlFreeParserCtxt(s->ctxt);
	}
	if (s->vctxt != NULL)
		xmlSchemaFreeValidCtxt(s->vctxt);
	bdt_leave();
	for (int i = 0; i < s->nissues; i++) {
		free(s->issues[i].path);
		free(s->issues[i].msg);
	}
	free(s->issues);
	free(s->stack);
	free(s->buf);
	free(s->tbuf);
	free(s->ibuf);
	free(s->ready);
	free(s->record_name);
	free(s);
}

/* bdt_malloc_info returns malloc_info(3) as XML (malloc'd), for the leak test. */
char *bdt_malloc_info(void) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	malloc_info(0, f);
	fclose(f);
	return buf;
}

/* ----------------------------------------------------------- push parser */

/*
 * The push parser: bdt_next reads the input from Go and feeds it to
 * xmlParseChunk in pieces of BDT_PUSH_CHUNK bytes; no tree is built. The
 * schema is plugged into SAX (xmlSchemaSAXPlug, as xmlSchemaValidateStream
 * and xmllint --sax --schema do); the SAX block under the plug is ours
 * (bdt_sax_*), and captures the header and the records into buf as they
 * complete, queued in ready until Go hands them out one by one (doc.next).
 * A piece may complete several records; all the errors raised while
 * parsing it are collected before the first of them is handed out.
 */
#define BDT_PUSH_READ 4096
#define BDT_PUSH_CHUNK 512

static void bdt_ready_add(bdt_state *s, int kind, int record, size_t off, size_t len) {
	if (!bdt_grow((void **)&s->ready, &s->rcap, s->rtail + 1, sizeof(bdt_ready))) {
		s->oom = 1;
		xmlStopParser(s->ctxt);
		return;
	}
	bdt_ready *r = &s->ready[s->rtail++];
	r->kind = kind;
	r->record = record;
	r->off = off;
	r->len = len;
	r->nissues = -1;
	r->bad = kind == BDT_EV_RECORD ? s->cap_bad : 0;
}

/* The element's depth: 0 for the root. bdt_start has pushed it, bdt_end
 * pops it after the callbacks under it have run. */
static int bdt_sax_depth(bdt_state *s) { return s->depth - 1; }

static void bdt_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                          const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces,
                          int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
	(void)ctx;
	(void)prefix;
	(void)URI;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_attributes;
	(void)nb_defaulted;
	(void)attributes;
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	if (s->capturing) {
		bdt_buf_start(s, localname, s->start_line);
		return;
	}
	if (bdt_sax_depth(s) != 1)
		return;
	int kind = 0;
	if (s->record_name[0] != '\0' && xmlStrEqual(localname, (const xmlChar *)s->record_name)) {
		s->wrecords++;
		s->rec_open = 1;
		/* The issues of a record handed out go no further than the
		 * next record's, whatever the size of the pieces parsed. */
		for (int i = s->rhead; i < s->rtail; i++)
			if (s->ready[i].nissues < 0 && s->ready[i].record <= s->wrecords - 2)
				s->ready[i].nissues = s->nissues;
		if (s->capture_records)
			kind = BDT_EV_RECORD;
	} else if (!s->header_done && s->wrecords == 0 && xmlStrEqual(localname, BAD_CAST "Header")) {
		s->header_done = 1;
		kind = BDT_EV_HEADER;
	}
	if (kind == 0)
		return;
	s->rec_off = s->blen;
	s->cap_record = s->wrecords;
	s->cap_bad = 0;
	bdt_buf_start(s, localname, s->start_line);
	s->capturing = 1;
	s->cap_depth = 1;
	s->cap_kind = kind;
}

static void bdt_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *URI) {
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)URI;
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	int depth = bdt_sax_depth(s);
	if (s->rec_open && depth == 1) {
		s->rec_open = 0;
		s->wdone++;
	}
	if (!s->capturing)
		return;
	bdt_buf_end(s);
	if (depth == s->cap_depth) {
		s->capturing = 0;
		bdt_ready_add(s, s->cap_kind, s->cap_record, s->rec_off, s->blen - s->rec_off);
		s->rec_off = s->blen;
	}
}

static void bdt_sax_text(void *ctx, const xmlChar *ch, int len) {
	(void)ctx;
	bdt_state *s = bdt_cur;
	if (s != NULL && s->capturing && len > 0)
		bdt_buf_textn(s, ch, (size_t)len);
}

static void bdt_sax_comment(void *ctx, const xmlChar *value) {
	(void)ctx;
	(void)value;
}

static void bdt_sax_pi(void *ctx, const xmlChar *target, const xmlChar *data) {
	(void)ctx;
	(void)target;
	(void)data;
}

/* A DOCTYPE: refused. The parser stops at once; nothing of it is read. */
static void bdt_sax_subset(void *ctx, const xmlChar *name, const xmlChar *ExternalID,
                           const xmlChar *SystemID) {
	(void)ctx;
	(void)name;
	(void)ExternalID;
	(void)SystemID;
	bdt_state *s = bdt_cur;
	if (s == NULL)
		return;
	s->doctype = 1;
	xmlStopParser(s->ctxt);
}

/* The line of validity errors, as the reader's locator gave it: the
 * parser's current line (the schema validator gives no column). */
static int bdt_locator(void *ctx, const char **file, unsigned long *line) {
	bdt_state *s = ctx;
	if (file != NULL)
		*file = NULL;
	if (line != NULL)
		*line = 0;
	if (s == NULL || s->ctxt == NULL || s->ctxt->input == NULL)
		return -1;
	if (file != NULL)
		*file = s->ctxt->input->filename;
	if (line != NULL)
		*line = (unsigned long)s->ctxt->input->line;
	return 0;
}

static void bdt_open_parser(bdt_state *s, xmlSchemaPtr schema) {
	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = bdt_sax_start;
	sax.endElementNs = bdt_sax_end;
	sax.characters = bdt_sax_text;
	sax.ignorableWhitespace = bdt_sax_text;
	sax.cdataBlock = bdt_sax_text;
	sax.internalSubset = bdt_sax_subset;
	/* (so that the plug passes them on, to bdt_comment and bdt_pi) */
	sax.comment = bdt_sax_comment;
	sax.processingInstruction = bdt_sax_pi;
	sax.getEntity = bdt_get_entity;
	sax.getParameterEntity = bdt_get_pentity;

	s->ibuf = malloc(BDT_PUSH_READ + BDT_PUSH_CHUNK);
	if (s->ibuf == NULL) {
		s->open_error = "out of memory";
		return;
	}
	/* As xmlReaderForIO does: the first four bytes go to the context, to
	 * detect the encoding (UTF-16 from its first bytes). */
	int n = bdt_io_read((void *)s->io, s->ibuf, 4);
	if (n < 0) {
		s->open_error = "reading input failed";
		return;
	}
	if (n == 0)
		s->eof = 1;
	if (n == 4) {
		s->ctxt = xmlCreatePushParserCtxt(&sax, s, s->ibuf, 4, NULL);
	} else {
		s->ctxt = xmlCreatePushParserCtxt(&sax, s, NULL, 0, NULL);
		s->ilen = n; /* fed with the rest */
	}
	if (s->ctxt == NULL) {
		s->open_error = "xmlCreatePushParserCtxt failed";
		return;
	}
	/*
	 * No XML_PARSE_NOENT (entities are never substituted), no DTDLOAD or
	 * DTDATTR (no DTD is ever read), NONET; NOERROR and NOWARNING keep
	 * libxml2 from printing: every error reaches bdt_on_error instead. No
	 * HUGE: libxml2's limits on a name, a text node, a depth stay on.
	 */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	           XML_PARSE_BIG_LINES;
	if (xmlCtxtUseOptions(s->ctxt, opts) != 0) {
		s->open_error = "xmlCtxtUseOptions failed";
		return;
	}
	if (schema != NULL) {
		s->vctxt = xmlSchemaNewValidCtxt(schema);
		if (s->vctxt == NULL) {
			s->open_error = "xmlSchemaNewValidCtxt failed";
			return;
		}
		xmlSchemaSetValidStructuredErrors(s->vctxt, bdt_on_error, s);
		xmlSchemaValidateSetLocator(s->vctxt, bdt_locator, s);
		s->plug = xmlSchemaSAXPlug(s->vctxt, &s->ctxt->sax, &s->ctxt->userData);
		if (s->plug == NULL) {
			s->open_error = "xmlSchemaSAXPlug failed";
			return;
		}
	}
	xmlSAXHandlerPtr h = s->ctxt->sax;
	if (h == NULL || h->initialized != XML_SAX2_MAGIC ||
	    h->startElementNs == NULL || h->endElementNs == NULL) {
		s->open_error = "unexpected SAX handler in the push parser";
		return;
	}
	bdt_wrap_sax(s, h);
}

bdt_state *bdt_open(uintptr_t io, xmlSchemaPtr schema, const char *record_name,
                    int capture_records, int max_errors) {
	bdt_state *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->io = io;
	s->final_ev = -1;
	s->record_name = strdup(record_name ? record_name : "");
	s->capture_records = capture_records;
	s->max_errors = max_errors > 0 ? max_errors : 1;
	if (s->record_name == NULL) {
		s->open_error = "out of memory";
		return s;
	}
	bdt_enter(s);
	bdt_open_parser(s, schema);
	bdt_leave();
	return s;
}

/* bdt_push_check looks at the parser after a call of xmlParseChunk that
 * returned ret: whatever stopped it ends the document. As the reader did,
 * a parser error code stops it even when the document is still called
 * well-formed (a namespace error). */
static void bdt_push_check(bdt_state *s, int ret) {
	if (s->doctype)
		s->final_ev = BDT_EV_DOCTYPE;
	else if (ret != 0 || !s->ctxt->wellFormed || s->oom)
		s->final_ev = BDT_EV_FATAL;
}

/* bdt_push_chunk parses n bytes of ibuf (terminate: the last ones). As
 * the reader did, nothing completed in a piece that fails is handed out:
 * no capture, no record counted (the captures of the pieces before it
 * still are). The issues that go with a capture completed in the piece, if
 * the next record but one has not started, are those raised until its end:
 * where bdt_next used to hand it out. */
static void bdt_push_chunk(bdt_state *s, int n, int terminate) {
	int wdone = s->wdone, rtail = s->rtail;
	int ret = xmlParseChunk(s->ctxt, s->ibuf + s->ioff, n, terminate);
	s->ioff += n;
	bdt_push_check(s, ret);
	if (s->final_ev == BDT_EV_FATAL) {
		s->rtail = rtail;
		s->wdone = wdone;
		return;
	}
	for (int i = rtail; i < s->rtail; i++)
		if (s->ready[i].nissues < 0)
			s->ready[i].nissues = s->nissues;
}

/*
 * bdt_next feeds the parser as xmlTextReader did (xmlTextReaderPushData):
 * reads of BDT_PUSH_READ bytes, parsed in pieces of BDT_PUSH_CHUNK bytes,
 * a shorter piece only after a short read and at the end; a read that fails
 * leaves what is left of the last one unparsed. So the parser meets a
 * broken document, and a refusal of the guard, at the same point.
 *
 * It returns BDT_EV_READY once captures are queued and the last read is
 * parsed (before reading more input: the input is read as far as when each
 * capture was handed out on its own), or the event that ends the document.
 * Go hands the captures out itself (doc.next), so that a record costs no
 * call into C; every one has been handed out when bdt_next is called again.
 */
int bdt_next(bdt_state *s) {
	bdt_enter(s);
	int ev;
	s->rhead = s->rtail = 0;
	s->obuf = NULL;
	s->olen = 0;
	s->oissues = s->nissues;
	s->obad = 0;
	for (;;) {
		if (s->final_ev >= 0) {
			ev = s->rtail > 0 ? BDT_EV_READY : s->final_ev;
			s->oissues = s->nissues;
			break;
		}
		/* Nothing queued: keep only the capture in progress. */
		if (s->rtail == 0) {
			if (s->capturing && s->rec_off > 0) {
				memmove(s->buf, s->buf + s->rec_off, s->blen - s->rec_off);
				s->blen -= s->rec_off;
			} else if (!s->capturing) {
				s->blen = 0;
			}
			s->rec_off = 0;
		}
		int avail = s->ilen - s->ioff;
		if (avail >= BDT_PUSH_CHUNK) {
			bdt_push_chunk(s, BDT_PUSH_CHUNK, 0);
			continue;
		}
		if (s->rtail > 0) {
			ev = BDT_EV_READY;
			break;
		}
		if (s->eof) {
			bdt_push_chunk(s, avail, 1);
			if (s->final_ev < 0)
				s->final_ev = BDT_EV_END;
			continue;
		}
		if (s->ioff > 0) {
			memmove(s->ibuf, s->ibuf + s->ioff, (size_t)avail);
			s->ilen = avail;
			s->ioff = 0;
		}
		int n = bdt_io_read((void *)s->io, s->ibuf + s->ilen, BDT_PUSH_READ);
		if (n < 0) {
			s->final_ev = BDT_EV_FATAL; /* Go reports the read error */
			continue;
		}
		if (n == 0) {
			s->eof = 1;
			continue;
		}
		s->ilen += n;
		if (s->ilen < BDT_PUSH_CHUNK)
			bdt_push_chunk(s, s->ilen, 0);
	}
	bdt_leave();
	return ev;
}
