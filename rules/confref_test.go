package rules

import (
	"crypto/sha256"
	"encoding/base32"
	"io"
	"strings"
	"testing"
)

// confRefByHasher is ConfirmationRef as it was first written (a hasher fed
// piece by piece, the whole digest encoded): the reference the ledger and
// every report already hold, which the allocation-free form must keep.
func confRefByHasher(source string, certs ...string) string {
	h := sha256.New()
	io.WriteString(h, source)
	for _, c := range certs {
		h.Write([]byte{0})
		io.WriteString(h, c)
	}
	return "BDT-" + base32.StdEncoding.EncodeToString(h.Sum(nil))[:12]
}

// TestConfirmationRefSameAsHasher checks ConfirmationRef against the first
// form on sources and certificates short and long (past the stack buffer).
func TestConfirmationRefSameAsHasher(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		source string
		certs  []string
	}{
		{"", nil},
		{"file:JBG5VWFSX/F1#1", []string{"CAS0000000001"}},
		{"file:JBG5VWFSX/F1#2", []string{"CAS0000000001", "COS0000000002"}},
		{"action:u1", []string{"", ""}},
		{long, []string{"CAS1"}},
		{"s", []string{long, long}},
		{"é\x00\xff", []string{"\x00"}},
	}
	for _, c := range cases {
		if got, want := ConfirmationRef(c.source, c.certs...), confRefByHasher(c.source, c.certs...); got != want {
			t.Errorf("ConfirmationRef(%q, %q) = %s, want %s", c.source, c.certs, got, want)
		}
	}
}

// TestConfirmationRefAllocations bounds ConfirmationRef's allocations on a
// record's usual source: the returned string only.
func TestConfirmationRefAllocations(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_ = ConfirmationRef("file:JBG5VWFSX/F1#123456", "CAS0000000001")
	})
	if n > 1 {
		t.Errorf("ConfirmationRef: %v allocations, want at most 1", n)
	}
}
