/* valgrind harness for the C layer (see run.sh): drives bdtxml.c the way
 * package schema does, with a stdio read callback in place of Go's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bdtxml.h"

int bdtGoRead(uintptr_t h, char *buf, int n) {
	FILE *f = (FILE *)h;
	size_t k = fread(buf, 1, (size_t)n, f);
	if (k == 0 && ferror(f)) return -1;
	return (int)k;
}

static char *slurp(const char *p, int *len) {
	FILE *f = fopen(p, "rb"); if (!f) { perror(p); exit(2); }
	fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
	char *b = malloc(n + 1); fread(b, 1, n, f); fclose(f); *len = (int)n; return b;
}

int main(int argc, char **argv) {
	/* argv[1]: xsd dir; argv[2]: main xsd name; argv[3..]: documents */
	bdt_init();
	const char *names[] = {"common.xsd", argv[2]};
	bdt_file files[2];
	for (int i = 0; i < 2; i++) {
		char p[4096]; snprintf(p, sizeof p, "%s/%s", argv[1], names[i]);
		int len; files[i].data = slurp(p, &len); files[i].len = len;
		char *nm = malloc(strlen(names[i]) + 5); sprintf(nm, "xsd/%s", names[i]); files[i].name = nm;
	}
	char *errs = NULL;
	xmlSchemaPtr schema = bdt_compile(files[1].name, files[1].data, files[1].len, files, 2, &errs);
	if (!schema) { fprintf(stderr, "compile: %s\n", errs); return 1; }
	free(errs);
	for (int round = 0; round < 3; round++)
	for (int a = 3; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		bdt_state *s = bdt_open((uintptr_t)f, round == 2 ? NULL : schema, "CASFeeUpdate", round == 0, 5);
		int ev, n = 0;
		if (s->open_error == NULL)
			while ((ev = bdt_next(s)) == BDT_EV_HEADER || ev == BDT_EV_RECORD) n++;
		if (round == 0) printf("%s: %d events, %d issues, valid %d\n", argv[a], n, s->nissues, bdt_is_valid(s));
		bdt_close(s);
		fclose(f);
	}
	xmlSchemaFree(schema);
	for (int i = 0; i < 2; i++) { free((void *)files[i].data); free((void *)files[i].name); }
	xmlCleanupParser();
	return 0;
}
