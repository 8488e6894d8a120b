package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVBOM opens every error report: UTF-8's byte-order mark, by which Excel
// on Windows, opening the file by double-click, reads it as UTF-8 (without
// it, £ and accented names come out in the local code page).
const CSVBOM = "\ufeff"

// CSVHeader is the first row of every error report, after CSVBOM.
var CSVHeader = []string{"line", "column", "record", "reference", "certificate", "rule", "severity", "field", "path", "message"}

// Neutralise makes a cell safe to open in a spreadsheet: a cell that begins
// with '=', '+', '-', '@', a tab or a carriage return (which a spreadsheet
// could run as a formula) is prefixed with a single quote.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// WriteErrors writes the error report of f to w: CSVBOM, CSVHeader, then
// only the problems, one row each, file findings first and then each record's findings in file
// order, at most MaxFindings of them; when it leaves some out, a last row
// whose only cell is the message (omittedRow) says how many. Every cell is
// neutralised.
func WriteErrors(w io.Writer, f *File) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	row := func(cells ...string) error {
		for i, c := range cells {
			cells[i] = Neutralise(strings.ReplaceAll(c, "\x00", ""))
		}
		return cw.Write(cells)
	}
	if _, err := bw.WriteString(CSVBOM); err != nil {
		return err
	}
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	var c findingCap
	for _, fd := range f.FileFindings {
		if !c.take() {
			continue
		}
		if err := row(itoa(fd.Line), itoa(fd.Column), itoa(fd.Record), fd.Reference, fd.Cert, string(fd.Rule), string(fd.Severity), fd.Field, fd.Path, fd.Message); err != nil {
			return err
		}
	}
	if f.Records != nil {
		for r, err := range f.Records {
			if err != nil {
				return err
			}
			for _, fd := range r.Findings {
				if !c.take() {
					continue
				}
				if err := row(itoa(r.FindingLine(fd)), itoa(fd.Column), itoa(r.Index), r.Reference, r.Cert, string(fd.Rule), string(fd.Severity), fd.Field, fd.Path, fd.Message); err != nil {
					return err
				}
			}
		}
	}
	if c.omitted > 0 {
		if err := row("", "", "", "", "", "", "", "", "", omittedRow(c.omitted)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
