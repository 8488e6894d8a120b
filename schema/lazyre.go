package schema

import (
	"regexp"
	"sync"
)

// lazyREs are every regular expression of the package, for the test that
// compiles them all (TestRegexpsCompile): one that does not compile must
// fail a test, not a first message read in production.
var lazyREs []func() *regexp.Regexp

// lazyRE returns a regular expression compiled when first used rather than
// at start-up: package initialisers run before every bdt command, and the
// package's ~35 expressions (libxml2's messages, the encoding declaration)
// cost 2–3 ms of a command's start whether or not it reads a message.
func lazyRE(src string) func() *regexp.Regexp {
	re := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(src) })
	lazyREs = append(lazyREs, re)
	return re
}
