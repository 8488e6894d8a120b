package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/bdt/store"
)

// The names a file's reports and archived copy are given. They are chosen so
// that no two files of a sponsor ever share one, and so that they always fit
// a file name (255 bytes) on a folder and an S3 key alike:
//
//   - the first upload of NAME.xml: NAME (reports NAME.result.xml …; archived
//     as NAME.xml), unless NAME itself ends in ".DIGITS";
//   - any other file: its whole name, a dot and its upload number under that
//     name (1 for the first), e.g. a.xml.2 for the second a.xml, a.2.xml.1 for
//     a file named a.2.xml, a.XML.1 for a.XML;
//   - a name longer than maxPlainName bytes: its first bytes, "~", 32 hex
//     digits of its SHA-256, always maxPlainName+1 bytes, then the dot and the
//     upload number.
//
// Only the first form ends in neither ".DIGITS" nor is longer than
// maxPlainName, the second gives back the name by dropping ".DIGITS", and the
// third is longer than any name the others take whole, so two files never
// share a base.

// maxPlainName is the longest file name (in bytes) kept whole in its reports'
// names: with ".", an upload number (at most 20 digits) and
// ".summary.html", the longest report name is 235 bytes, under the 255 of a
// file name on Linux's file systems.
const maxPlainName = 200

// hashedHex is how many hex digits of a long name's SHA-256 its base keeps.
const hashedHex = 32

// baseName returns the base of the names of the n-th file (1 for the first)
// received under name (the inbox file's name, without the sponsor's folder).
func baseName(name string, n int) string {
	if len(name) > maxPlainName {
		sum := sha256.Sum256([]byte(name))
		keep := maxPlainName - hashedHex // leaves room for "~"
		cut := name[:keep]
		for !utf8.ValidString(cut) && len(cut) > keep-utf8.UTFMax {
			cut = cut[:len(cut)-1] // not in the middle of a character
		}
		cut += strings.Repeat("_", keep-len(cut))
		return fmt.Sprintf("%s~%s.%d", cut, hex.EncodeToString(sum[:])[:hashedHex], n)
	}
	if stem, ok := strings.CutSuffix(name, ".xml"); ok && n == 1 && stem != "" && !endsInNumber(stem) {
		return stem
	}
	return fmt.Sprintf("%s.%d", name, n)
}

// endsInNumber reports whether s ends in "." and one or more digits.
func endsInNumber(s string) bool {
	digits := strings.TrimRight(s, "0123456789")
	return len(digits) < len(s) && strings.HasSuffix(digits, ".")
}

// fileNames are the keys under which a file's reports and archived copy are
// written.
type fileNames struct {
	result, errors, summary string // outbox keys
	archive                 string // archive key
}

// names returns the keys of e's reports and archived copy: e's base name
// (baseName) under its sponsor's folder, its upload number counted in the
// ledger rd reads (an entry not yet stored, ID 0, as a dry run's, comes
// after every one that is).
func names(ctx context.Context, rd store.Reader, e *ledger.File) (fileNames, error) {
	same, err := rd.FileList(ctx, store.FileListParams{Licence: e.Licence, Key: e.Key})
	if err != nil {
		return fileNames{}, fmt.Errorf("read ledger: %w", err)
	}
	n := 1
	for _, f := range same {
		if f.ID != e.ID && (f.ID < e.ID || e.ID == 0) {
			n++
		}
	}
	key := e.Licence + "/" + baseName(e.Name, n) + ".xml"
	var fn fileNames
	fn.result, fn.errors, fn.summary = report.Names(key)
	fn.archive = key
	return fn, nil
}

// ReportKeySet are the outbox keys of a file's three reports.
type ReportKeySet struct {
	Result, Errors, Summary string
}

// ReportKeys returns the outbox keys of the reports of e, an entry of the
// ledger rd reads: those the run writes them under (names), once
// e.ReportsWritten.
func ReportKeys(ctx context.Context, rd store.Reader, e *ledger.File) (ReportKeySet, error) {
	fn, err := names(ctx, rd, e)
	if err != nil {
		return ReportKeySet{}, err
	}
	return ReportKeySet{Result: fn.result, Errors: fn.errors, Summary: fn.summary}, nil
}
