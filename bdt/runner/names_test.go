package runner

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBaseName(t *testing.T) {
	long := strings.Repeat("x", 250) + ".xml"
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"a.xml", 1, "a"},
		{"a.xml", 2, "a.xml.2"},
		{"a.2.xml", 1, "a.2.xml.1"},
		{"a", 1, "a.1"},
		{"a.XML", 1, "a.XML.1"},
		{".xml", 1, ".xml.1"},
		{"v1.0.xml", 1, "v1.0.xml.1"},
		{"a.b.xml", 1, "a.b"},
		{"2026.xml", 1, "2026"},
		{long, 1, strings.Repeat("x", maxPlainName-hashedHex) + "~" + "d3f3cbd4ba9b9fe3ba3ed18d4e9b3b8c.1"},
	}
	for _, tt := range tests {
		got := baseName(tt.name, tt.n)
		if tt.name == long {
			// The hash is checked by shape: the test needs not repeat SHA-256.
			if len(got) != maxPlainName+1+2 || !strings.HasPrefix(got, strings.Repeat("x", maxPlainName-hashedHex)+"~") || !strings.HasSuffix(got, ".1") {
				t.Errorf("baseName(%d-byte name, 1) = %q; want %d bytes of x, ~, 32 hex digits, .1", len(tt.name), got, maxPlainName-hashedHex)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("baseName(%q, %d) = %q; want %q", tt.name, tt.n, got, tt.want)
		}
	}
}

// TestBaseNameFits: every base leaves a report name within 255 bytes, and a
// long name is never cut inside a character.
func TestBaseNameFits(t *testing.T) {
	for _, name := range []string{strings.Repeat("é", 127) + ".xml", strings.Repeat("a", 255), strings.Repeat("a", 199) + "€" + strings.Repeat("b", 60)} {
		got := baseName(name, 1<<62)
		if len(got+".summary.html") > 255 || !utf8.ValidString(got) {
			t.Errorf("baseName(%d bytes) = %q (%d bytes); want a valid name of at most %d", len(name), got, len(got), 255-len(".summary.html"))
		}
	}
}

// FuzzBaseNameDistinct: two different (name, upload number) pairs never
// share a base, and every base fits.
func FuzzBaseNameDistinct(f *testing.F) {
	f.Add("a.xml", 2, "a.2.xml", 1)
	f.Add("a", 1, "a.xml", 1)
	f.Add("a.XML", 1, "a.XML.xml", 1)
	f.Add("a.xml.2.xml", 1, "a.xml", 2)
	f.Add(strings.Repeat("x", 250), 1, strings.Repeat("x", 251), 1)
	f.Fuzz(func(t *testing.T, a string, n int, b string, m int) {
		if n < 1 || m < 1 || len(a) > 255 || len(b) > 255 || a == "" || b == "" {
			return
		}
		ba, bb := baseName(a, n), baseName(b, m)
		if len(ba+".summary.html") > 255 {
			t.Errorf("baseName(%q, %d) = %q: too long", a, n, ba)
		}
		if (a != b || n != m) && ba == bb {
			t.Errorf("baseName(%q, %d) = baseName(%q, %d) = %q", a, n, b, m, ba)
		}
	})
}
