package runner

import (
	"errors"

	"bdt/bdt/decode"
	"bdt/bdt/ledger"
	"bdt/rules"
	"bdt/schema"
)

// fileHandler receives the header and records of one file from the
// validator: it gives the header to the header stage and each record,
// decoded, to the file's decider, a batch at a time.
type fileHandler struct {
	s        *fileScope
	batch    *rules.Batch // the file's R.RECORD.DUPLICATE pairs, for the decider
	head     *header      // nil until the header is read
	rejected bool         // a file rule failed: records are counted, not decided
	invalid  bool         // a record is not valid: the file will be rejected

	findings []ledger.Finding  // the file findings of the header and of undecodable records
	who      map[int][2]string // reference and certificate of records with schema issues
	pending  []pendingRecord   // decoded records not handed to the decider yet
	dec      *decider          // nil until the first batch is handed over
	err      error             // an infrastructure failure inside a handler
}

var _ schema.Handler = (*fileHandler)(nil)

// pendingRecord is a decoded record waiting to be decided, or one that
// R.SCHEMA rejects (schema: its findings, already placed; d then has no Op).
type pendingRecord struct {
	rec    *schema.Record
	d      decode.Record
	schema []rules.Finding
	names  []string // d.Op.CertNumbers(), once the decider holds the record
}

// Header implements schema.Handler.
func (h *fileHandler) Header(hd *schema.Header) error {
	head, findings, rejected, err := h.s.readHeader(hd)
	if err != nil {
		h.err = err
		return err
	}
	h.head, h.findings, h.rejected = head, findings, rejected
	return nil
}

// Record implements schema.Handler.
func (h *fileHandler) Record(rec *schema.Record) error {
	if err := h.s.ctx.Err(); err != nil {
		h.err = err
		return err
	}
	if len(rec.Issues) > 0 {
		for _, is := range rec.Issues {
			if is.Rule != rules.RSchema {
				h.invalid = true // an issue that rejects the file
			}
		}
		// Keep who the record is about, for the schema errors' report rows.
		if h.who == nil {
			h.who = map[int][2]string{}
		}
		if len(h.who) < 10000 {
			ref, cert := decode.Who(rec)
			h.who[rec.Index] = [2]string{ref, cert}
		}
	}
	if h.rejected || h.invalid || h.head == nil {
		return nil
	}
	if err := h.dec.failed(); err != nil {
		return err
	}
	p := pendingRecord{rec: rec}
	if rec.SchemaRejected() {
		// Rejected alone (R.SCHEMA): not decoded, decided as it is.
		p.d.Reference, p.d.Cert = decode.Who(rec)
		for _, is := range rec.Issues {
			p.schema = append(p.schema, is.Finding)
		}
	} else if d, err := decode.Decode(h.head.format, rec); err == nil {
		p.d = d
	} else {
		var fe *decode.FieldError
		if !errors.As(err, &fe) {
			h.err = err
			return err
		}
		// The XSD let a value through that the engine cannot read (an
		// xs:date whose year has five digits or a sign): the record cannot
		// be decided. Under schema.RecordScope it is rejected alone; else
		// the file must not pass as if it had not been there.
		f := fe.Finding(h.head.format, rec, h.s.r.cfg.SchemaErrors)
		if f.Rule != rules.RSchema {
			h.invalid = true
			h.findings = append(h.findings, f)
			return nil
		}
		p.d.Reference, p.d.Cert = decode.Who(rec)
		p.schema = []rules.Finding{f}
	}
	h.pending = append(h.pending, p)
	if len(h.pending) >= decideBatch {
		h.handOver()
	}
	return nil
}

// handOver gives the pending records to the decider, starting it if need
// be, and takes an empty batch to fill.
func (h *fileHandler) handOver() {
	if len(h.pending) == 0 {
		return
	}
	if h.dec == nil {
		h.dec = startDecider(h.s, h.head, h.batch)
	}
	h.pending = h.dec.give(h.pending)
}

// finishDecisions hands over the last records and waits until every record
// is decided. It returns the record findings by rule id.
func (h *fileHandler) finishDecisions() (map[rules.RuleID]int, error) {
	h.handOver()
	if h.dec == nil {
		return nil, nil
	}
	return h.dec.finish()
}

// stopDecider lets the decider finish what it was given and waits for it.
// It may be called more than once.
func (h *fileHandler) stopDecider() {
	if h.dec != nil {
		h.dec.finish()
	}
}

// flushOutcomes writes the outcomes not written yet to the ledger, once
// the decider has ended.
func (h *fileHandler) flushOutcomes() error {
	if h.dec == nil {
		return nil
	}
	return h.dec.out.flush()
}

// fileFindings returns the file's findings once the validator is done: its
// schema issues, then those of the header and of undecodable records. The
// R.SCHEMA issues, which the records' outcomes hold, come apart (inRecords).
func (h *fileHandler) fileFindings(result *schema.Result) (findings, inRecords []ledger.Finding) {
	issues := result.Issues
	if is, ok := result.CountIssue(); ok {
		issues = append(issues, is)
	}
	for _, is := range issues {
		f, who := is.Finding, h.who[is.Record]
		f.Reference, f.Cert = who[0], who[1]
		if f.Rule == rules.RSchema {
			inRecords = append(inRecords, f)
			continue
		}
		findings = append(findings, f)
	}
	return append(findings, h.findings...), inRecords
}
