package rules

// Batch evaluates the records of one file in order and adds the one rule
// that needs to see the whole file, R.RECORD.DUPLICATE: a certificate appears
// at most once per operation in a file. The first record that names it
// stands; every later one is rejected, naming the record of the first.
//
// "Per operation" means per kind of operation: an activity report counts
// once per activity type (a no-show and a STUDENT_DID_NOT_ENROL activity
// record are the same operation), so one file may both withdraw an earlier
// report on a CAS and report a new event on it; each other operation (fee
// update, note, CoS withdrawal, CoS transfer) counts once.
//
// A record claims its certificates as soon as it is seen, even when it is
// rejected for another reason: it appears in the file, and the outcome of a
// later record does not depend on whether an earlier one happened to be
// applied. The sponsor fixes the first record rather than adding another.
//
// Batch keeps only which certificates the file has named. The caller reloads
// State from the register after each accepted record, inside the file's
// transaction, so that later records see the effects of earlier ones.
// The zero Batch is ready to use. A Batch is not safe for concurrent use:
// one file is evaluated by one goroutine, record after record.
type Batch struct {
	first map[batchKey]int
}

type batchKey struct {
	op   string
	cert string
}

// NewBatch returns an empty Batch for one file.
func NewBatch() *Batch { return &Batch{} }

// Evaluate decides op as the record at index (1-based, in file order) of the
// file: R.RECORD.DUPLICATE first, then the package-level Evaluate.
func (b *Batch) Evaluate(a Actor, op Op, st State, index int) Decision {
	if b.first == nil {
		b.first = map[batchKey]int{}
	}
	op = deref(op)
	name, r, certs := opKey(op)
	var fs []Finding
	for _, n := range certs {
		k := batchKey{name, n}
		if i, ok := b.first[k]; ok && i != index {
			fs = append(fs, NewFinding(RRecordDuplicate, r.field,
				"%s %s already appears in record %d of this file for the same operation. A certificate is taken once per operation in a file, so this later record is not applied.",
				r.noun, show(n), i))
			continue
		}
		b.first[k] = index
	}
	if len(fs) > 0 {
		return Decision{Findings: fs}
	}
	return Evaluate(a, op, st)
}

// opKey names op's kind of operation for R.RECORD.DUPLICATE, how it speaks
// of its certificates, and the numbers it names.
func opKey(op Op) (string, certRef, []string) {
	switch o := op.(type) {
	case ReportActivity:
		k, _ := ActivityKind(o.Type)
		return "activity:" + string(o.Type), refFor(k), []string{o.Cert}
	case UpdateFees:
		return "fees", refFor(CAS), []string{o.Cert}
	case AddNote:
		return "note", refFor(o.Kind), []string{o.Cert}
	case WithdrawCoS:
		return "withdraw", refFor(CoS), []string{o.Cert}
	case TransferCoS:
		return "transfer", refFor(CoS), o.Certs
	}
	return "", certRef{}, nil // Evaluate panics on an unknown operation
}
