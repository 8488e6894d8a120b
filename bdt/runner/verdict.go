package runner

import (
	"bdt/bdt/ledger"
	"bdt/rules"
)

// recordsDecided reports whether the record outcomes of a read file stand:
// not when it is a duplicate or a file finding is an error (a file rule, a
// schema error, the size limit). Its records were then not decided, or
// their effects are discarded, and the ledger holds no outcomes for them.
func recordsDecided(e *ledger.File) bool {
	if e.DuplicateOf != 0 {
		return false
	}
	for _, f := range e.FileFindings {
		if f.Severity == rules.Error {
			return false
		}
	}
	return true
}

// settle sets a read file's status and counts from its findings.
func settle(e *ledger.File) {
	decided := recordsDecided(e)
	switch {
	case e.DuplicateOf != 0:
		e.Status = ledger.Duplicate
	case !decided:
		e.Status = ledger.Rejected
	case e.Rejected == 0:
		e.Status = ledger.Accepted
	case e.Accepted == 0:
		e.Status = ledger.Rejected
	default:
		e.Status = ledger.PartiallyAccepted
	}
	if !decided {
		e.Accepted, e.Rejected, e.Warnings = 0, e.Read, 0
	}
}
