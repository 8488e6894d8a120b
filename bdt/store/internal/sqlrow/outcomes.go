package sqlrow

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"bdt/bdt/ledger"
	"bdt/bdt/store/jsonrows"
)

// ScanOutcomes yields the outcomes of file fileID in rows, each row one
// chunk (OutcomeChunkColumn, as EncodeOutcomes writes it) in order of its
// first record, as it reads them; after an error, which it yields, it
// stops. It checks that the records come in order, each once. The caller
// closes rows.
func ScanOutcomes(rows Rows, fileID int64) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		last := 0
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				yield(ledger.Outcome{}, fmt.Errorf("read outcomes: %w", err))
				return
			}
			stop := false
			err := jsonrows.Parse(text, outcomeWidth, func(v []jsonrows.Value) error {
				o := ledger.Outcome{Index: int(v[0].N), Line: int(v[1].N), Reference: v[2].S, Cert: v[3].S,
					Status: ledger.RecordStatus(v[4].S), ConfRef: v[5].S}
				if o.Index <= last {
					return fmt.Errorf("record %d after record %d", o.Index, last)
				}
				last = o.Index
				var err error
				if o.Findings, err = parseFindings([]byte(v[6].S)); err != nil {
					return fmt.Errorf("record %d: %w", o.Index, err)
				}
				if !yield(o, nil) {
					stop = true
					return errStop
				}
				return nil
			})
			if stop {
				return
			}
			if err != nil {
				yield(ledger.Outcome{}, fmt.Errorf("read outcomes of file %d: %w", fileID, err))
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ledger.Outcome{}, fmt.Errorf("read outcomes: %w", err))
		}
	}
}

var errStop = errors.New("stop")

// FindingsJSON returns the findings of an outcome as a JSON array, or ""
// for none.
func FindingsJSON(fs []ledger.Finding) (string, error) {
	if len(fs) == 0 {
		return "", nil
	}
	b, err := json.Marshal(fs)
	return string(b), err
}

// Record outcomes are kept in chunks, a row of table ledger_outcome
// (file, first, rows) for up to OutcomeChunk records of a file in a row:
// rows is a JSON array with one array per record, [idx, line, reference,
// cert, status, conf_ref, findings], findings the FindingsJSON text ("" for
// none). A row per record cost more to write and to read back than all the
// rest of the ledger; a chunk is one value for the database to store, and
// SQL still reads it record by record (json_each, json_array_elements: the
// view ledger_record does).
const (
	// OutcomeChunk is the most records in a chunk.
	OutcomeChunk = 512
	// OutcomeChunkColumn is the column of ledger_outcome that ScanOutcomes
	// reads.
	OutcomeChunkColumn = "rows"
	outcomeWidth       = 7
)

// OutcomeOrder follows, in one transaction, the last record index whose
// outcome was added for each file, so that a driver refuses an outcome out
// of order across calls of OutcomeInsert (EncodeOutcomes checks within one).
type OutcomeOrder map[int64]int

// Next checks that outs (in order) come after the outcomes added before
// for file fileID, and records them.
func (o OutcomeOrder) Next(fileID int64, outs []ledger.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	if last, ok := o[fileID]; ok && outs[0].Index <= last {
		return fmt.Errorf("outcome of record %d after record %d", outs[0].Index, last)
	}
	o[fileID] = outs[len(outs)-1].Index
	return nil
}

// EncodeOutcomes returns the rows value of a chunk of outs (at most
// OutcomeChunk, in order of index).
func EncodeOutcomes(outs []ledger.Outcome) (string, error) {
	if len(outs) > OutcomeChunk {
		return "", fmt.Errorf("%d outcomes in a chunk of at most %d", len(outs), OutcomeChunk)
	}
	var w jsonrows.Writer
	for i, o := range outs {
		if i > 0 && o.Index <= outs[i-1].Index {
			return "", fmt.Errorf("outcome of record %d after record %d", o.Index, outs[i-1].Index)
		}
		findings, err := FindingsJSON(o.Findings)
		if err != nil {
			return "", err
		}
		w.BeginRow()
		w.Int(int64(o.Index))
		w.Int(int64(o.Line))
		w.Str(o.Reference)
		w.Str(o.Cert)
		w.Str(string(o.Status))
		w.Str(o.ConfRef)
		w.Str(findings)
		w.EndRow()
	}
	return w.String(), nil
}

// parseFindings decodes the findings of an outcome from FindingsJSON's
// text; empty text (or NULL) is none.
func parseFindings(b []byte) ([]ledger.Finding, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var fs []ledger.Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	return fs, nil
}

// Outcomes streams the outcomes of file fileID: it runs query, which
// selects OutcomeChunkColumn from ledger_outcome in order of first, when the
// caller iterates, and yields what ScanOutcomes reads as it reads it; close
// closes the rows. Its errors begin with driver.
func Outcomes[R Rows](driver string, fileID int64, query func() (R, error), close func(R) error) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		rows, err := query()
		if err != nil {
			yield(ledger.Outcome{}, fmt.Errorf("%s: read outcomes: %w", driver, err))
			return
		}
		defer close(rows)
		for o, err := range ScanOutcomes(rows, fileID) {
			if err != nil {
				err = fmt.Errorf("%s: %w", driver, err)
			}
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

// Insert checks outs against the outcomes added before (Next), then
// encodes them in chunks of up to OutcomeChunk (EncodeOutcomes) and calls
// insert with each chunk's first record index and rows value, in order. It
// stops at the first error.
func (o OutcomeOrder) Insert(fileID int64, outs []ledger.Outcome, insert func(first int, rows string) error) error {
	if err := o.Next(fileID, outs); err != nil {
		return err
	}
	for len(outs) > 0 {
		n := min(len(outs), OutcomeChunk)
		rows, err := EncodeOutcomes(outs[:n])
		if err != nil {
			return err
		}
		if err := insert(outs[0].Index, rows); err != nil {
			return err
		}
		outs = outs[n:]
	}
	return nil
}
