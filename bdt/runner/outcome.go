package runner

import (
	"fmt"

	"bdt/bdt/decode"
	"bdt/bdt/ledger"
	"bdt/rules"
)

// outcomeBatch is how many record outcomes are buffered before they are
// written to the ledger.
const outcomeBatch = 512

// recorder turns the decisions on a file's records into their outcomes:
// the ledger entry's counts, the record findings by rule, and the outcome
// rows, written to the ledger a batch at a time.
type recorder struct {
	s        *fileScope
	head     *header
	outcomes []ledger.Outcome
	counts   map[rules.RuleID]int // record findings by rule id
	db       *dbWorker            // the decider's, while it runs: writes are queued behind its changes
}

// record records the outcome of decision dec on record p. It returns the
// changes to make when the record is accepted.
func (o *recorder) record(p pendingRecord, dec rules.Decision) ([]rules.Change, error) {
	rec, e, format := p.rec, o.s.e, o.head.format
	out := ledger.Outcome{Index: rec.Index, Line: rec.Line, Reference: p.d.Reference, Cert: p.d.Cert}
	for _, f := range dec.Findings {
		if o.counts == nil {
			o.counts = map[rules.RuleID]int{}
		}
		o.counts[f.Rule]++
		if p.schema == nil { // the validator placed those of R.SCHEMA
			f = decode.AtRecord(format, rec, f)
		}
		out.Findings = append(out.Findings, f)
	}
	var changes []rules.Change
	if dec.Accepted() {
		changes = dec.Changes
		out.Status, out.ConfRef = ledger.RecordAccepted, dec.Ref
		e.Accepted++
		for _, f := range dec.Findings {
			if f.Severity == rules.Warning {
				e.Warnings++
			}
		}
	} else {
		out.Status = ledger.RecordRejected
		e.Rejected++
	}
	o.outcomes = append(o.outcomes, out)
	if len(o.outcomes) >= outcomeBatch {
		if err := o.flush(); err != nil {
			return nil, err
		}
		o.s.r.cfg.Observer.RecordsDone(e.Key, rec.Index, e.Declared)
	}
	return changes, nil
}

// flush writes the outcomes recorded so far to the ledger: on the dbWorker
// while the decider runs (queued behind the records' changes), else at once.
func (o *recorder) flush() error {
	if len(o.outcomes) == 0 {
		return nil
	}
	s, outs, id := o.s, o.outcomes, o.s.e.ID
	o.outcomes = make([]ledger.Outcome, 0, outcomeBatch)
	insert := func() error {
		if err := s.tx.OutcomeInsert(s.ctx, id, outs...); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		return nil
	}
	if o.db != nil {
		o.db.do(insert)
		return nil
	}
	return insert()
}
