package rules

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown is the most characters of a value given by the sponsor that a
// message repeats.
const maxShown = 40

// Show returns a value given by the sponsor or a user (a certificate
// number, a user id, an amount) for a message: as it is when it is short
// and made only of letters, digits and . _ - / characters, otherwise quoted
// with Go escapes and cut to maxShown characters, so a message never
// carries control characters or an unbounded echo of the input.
func Show(s string) string {
	if s == "" {
		return `""`
	}
	plain := utf8.RuneCountInString(s) <= maxShown
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-/", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	if utf8.RuneCountInString(s) > maxShown {
		rs := []rune(s)
		return strconv.Quote(string(rs[:maxShown])) + "…"
	}
	return strconv.Quote(s)
}

// sameName reports whether two family names match, ignoring letter case and
// all white space (R.IDENTITY).
func sameName(a, b string) bool {
	return strings.EqualFold(stripSpace(a), stripSpace(b))
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// blank reports whether s is empty or only white space.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
