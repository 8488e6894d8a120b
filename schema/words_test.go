package schema

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestTypeWords checks that every simple type of every embedded XSD, and
// every built-in type they name, has words: a noun and what a value must
// be, with no regular expression and no XSD type name in them.
func TestTypeWords(t *testing.T) {
	xsds, err := readXSDs(files)
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`<xs:simpleType name="([^"]+)"`)
	builtin := regexp.MustCompile(`(?:type|base)="(xs:[A-Za-z]+)"`)
	regexChars := regexp.MustCompile(`[\[\]{}\\|^$*]|\(\?`)
	keys := map[string]string{} // type key → the file naming it
	for _, f := range xsds {
		for _, m := range named.FindAllStringSubmatch(string(f.data), -1) {
			keys[m[1]] = f.name
		}
		for _, m := range builtin.FindAllStringSubmatch(string(f.data), -1) {
			keys[m[1]] = f.name
		}
	}
	if len(keys) < 30 {
		t.Fatalf("only %d types found in %d XSDs", len(keys), len(xsds))
	}
	entries, _ := fs.ReadDir(files, "xsd")
	all := &vocab{elem: map[string]string{}, types: map[string]simpleType{}}
	for _, e := range entries {
		v := readVocab("xsd/"+e.Name(), xsds)
		for k, st := range v.types {
			all.types[k] = st
		}
	}
	for key, file := range keys {
		noun, must := all.words(key)
		if _, ok := typeWords[key]; !ok || noun == "" || must == "" {
			t.Errorf("%s (%s): noun %q, must %q; give it words in typeWords", key, file, noun, must)
			continue
		}
		for _, w := range []string{noun, must} {
			if regexChars.MatchString(w) || strings.Contains(w, "xs:") {
				t.Errorf("%s: %q reads like a pattern or a type", key, w)
			}
			for other := range keys {
				if len(other) > 4 && strings.Contains(w, strings.TrimPrefix(other, "xs:")) && !strings.HasPrefix(other, "xs:") {
					t.Errorf("%s: %q names the type %s", key, w, other)
				}
			}
		}
	}
	for key := range typeWords {
		if _, ok := keys[key]; !ok {
			t.Errorf("typeWords has %s, which no embedded XSD names", key)
		}
	}
}

// TestWordsFromFacets checks the words made of an XSD's own facets.
func TestWordsFromFacets(t *testing.T) {
	v := Default()
	_, voc := v.schemaOf(mustFormat(t, "studentactivity-v1"))
	for _, tc := range []struct{ key, must string }{
		{"Reference", "text of 1 to 64 characters"},
		{"Text", "text of 1 to 4000 characters"},
		{"StudentActivityType", "one of STUDENT_DID_NOT_ENROL, STUDENT_DISCONTINUED, STUDENT_ABSENT, STUDENT_SUSPENDED, STUDENT_EARLY_COMPLETION, STUDENT_SPONSORSHIP_WITHDRAWN, STUDENT_PREVIOUS_NOTIFICATION_WITHDRAWN or STUDENT_OTHER_CHANGE"},
		{"Amount", typeWords["Amount"].must},
		{"xs:date", typeWords["xs:date"].must},
	} {
		if _, must := voc.words(tc.key); must != tc.must {
			t.Errorf("%s: %q, want %q", tc.key, must, tc.must)
		}
	}
	if got := voc.elem["EventDate"]; got != "xs:date" {
		t.Errorf("EventDate's type %q, want xs:date", got)
	}
}

func mustFormat(t *testing.T, name string) Format {
	t.Helper()
	for _, f := range Formats() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no format %s", name)
	return Format{}
}
