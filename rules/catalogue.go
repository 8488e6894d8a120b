package rules

import "fmt"

// Rule is one entry of the rule catalogue (RULES.md).
type Rule struct {
	ID       RuleID   `json:"id"`
	Severity Severity `json:"severity"`
	Scope    string   `json:"scope"` // "file" or "record"
	Summary  string   `json:"summary"`
	Source   string   `json:"source"`
}

// Rule scopes.
const (
	ScopeFile   = "file"
	ScopeRecord = "record"
)

// File rules: an error rejects the whole file.
const (
	FSize             RuleID = "F.SIZE"
	FWellformed       RuleID = "F.WELLFORMED"
	FKind             RuleID = "F.KIND"
	FSchema           RuleID = "F.SCHEMA"
	FCount            RuleID = "F.COUNT"
	FSponsor          RuleID = "F.SPONSOR"
	FChannel          RuleID = "F.CHANNEL"
	FLicenceAccess    RuleID = "F.LICENCE.ACCESS"
	FLicenceSuspended RuleID = "F.LICENCE.SUSPENDED"
	FRoute            RuleID = "F.ROUTE"
	FUser             RuleID = "F.USER"
	FDuplicate        RuleID = "F.DUPLICATE"
)

// Record rules: an error rejects the record (or the one-at-a-time action).
const (
	RCertFound                 RuleID = "R.CERT.FOUND"
	RCertOwner                 RuleID = "R.CERT.OWNER"
	RRecordDuplicate           RuleID = "R.RECORD.DUPLICATE"
	RIdentity                  RuleID = "R.IDENTITY"
	RActivityUsed              RuleID = "R.ACTIVITY.USED"
	RActivityKind              RuleID = "R.ACTIVITY.KIND"
	RActivityDate              RuleID = "R.ACTIVITY.DATE"
	RActivityWithdrawalAddress RuleID = "R.ACTIVITY.WITHDRAWAL.ADDRESS"
	RActivityEarlyCompletion   RuleID = "R.ACTIVITY.EARLY.COMPLETION"
	RActivityPrevious          RuleID = "R.ACTIVITY.PREVIOUS"
	RActivityAbsence           RuleID = "R.ACTIVITY.ABSENCE"
	RActivityLate              RuleID = "R.ACTIVITY.LATE"
	RFeeAssigned               RuleID = "R.FEE.ASSIGNED"
	RFeePresent                RuleID = "R.FEE.PRESENT"
	RFeeAmount                 RuleID = "R.FEE.AMOUNT"
	RFeeExceeds                RuleID = "R.FEE.EXCEEDS"
	RNoteStatus                RuleID = "R.NOTE.STATUS"
	RCosWithdraw               RuleID = "R.COS.WITHDRAW"
	RCasWithdraw               RuleID = "R.CAS.WITHDRAW"
	RCosTransfer               RuleID = "R.COS.TRANSFER"
)

// catalogue is every rule in RULES.md order. It is never modified; Catalogue
// hands out copies.
var catalogue = [...]Rule{
	{FSize, Error, ScopeFile, "A file over the configured size limit is refused before it is parsed.", "design"},
	{FWellformed, Error, ScopeFile, "The file is well-formed XML; a DOCTYPE, DTD or entity declaration is refused outright.", "design"},
	{FKind, Error, ScopeFile, "The root element and namespace name a known file kind and schema version.", "design"},
	{FSchema, Error, ScopeFile, "The file is valid against the XSD of its kind and version.", "design; real BDT is XSD-validated"},
	{FCount, Error, ScopeFile, "The record count in the header equals the number of records present.", "design (ISO 20022 AM18)"},
	{FSponsor, Error, ScopeFile, "The sponsor licence number is a licence in the register.", "003"},
	{FChannel, Error, ScopeFile, "A file in one sponsor's inbox names that sponsor's licence and no other.", "design (security)"},
	{FLicenceAccess, Error, ScopeFile, "A revoked or expired licence has no access: none of its files is applied.", "003 \"Access to SMS\""},
	{FLicenceSuspended, Error, ScopeFile, "A suspended or dormant licence cannot provide bulk fee updates, nor view or export single or batches of CAS/CoS; its other files and actions go on.", "003"},
	{FRoute, Error, ScopeFile, "Student files need the Student route; worker activity needs a Worker or Temporary Worker route.", "003"},
	{FUser, Error, ScopeFile, "The submitting user exists, belongs to the sponsor, is Active, and is Level 1 or Level 2.", "003"},
	{FDuplicate, Error, ScopeFile, "A file already processed (same sponsor and file id, or same content) is not applied again.", "design (ISO 20022 DU01)"},

	{RCertFound, Error, ScopeRecord, "The CAS or CoS exists and is the sponsor's; another sponsor's is reported as missing.", "003 troubleshooting"},
	{RCertOwner, Error, ScopeRecord, "A Level 2 user acts only on the CAS/CoS they created and assigned or that were transferred to them.", "000, 002, 003"},
	{RRecordDuplicate, Error, ScopeRecord, "One certificate appears at most once per operation in a file; later repeats are rejected.", "design"},
	{RIdentity, Error, ScopeRecord, "A family name or date of birth given in a record matches the certificate.", "design"},
	{RActivityUsed, Error, ScopeRecord, "Activity, including a no-show, is reported only against a USED certificate.", "000 step 3 note; 003 troubleshooting"},
	{RActivityKind, Error, ScopeRecord, "Student activity types apply to a CAS, worker activity types to a CoS.", "000, 002"},
	{RActivityDate, Error, ScopeRecord, "The event date is not in the future (except a due early completion) nor before the certificate was assigned.", "design"},
	{RActivityWithdrawalAddress, Error, ScopeRecord, "Reporting withdrawal of sponsorship gives the person's last residential address.", "000 step 6 note"},
	{RActivityEarlyCompletion, Error, ScopeRecord, "An early completion gives the earlier completion date, before the course end date on the CAS.", "002 step 6 note"},
	{RActivityPrevious, Error, ScopeRecord, "\"Previous notification withdrawn\" names the date of a standing earlier report and gives the reason.", "002 \"How to withdraw a previously reported student activity\""},
	{RActivityAbsence, Error, ScopeRecord, "A worker's absence without permission gives the first day of absence, not after the event date, and has lasted more than 10 consecutive working days of the sponsor's nation by the event date.", "004 \"Key function 2: reporting changes and events\""},
	{RActivityLate, Warning, ScopeRecord, "The report arrives more than 10 working days after the event; it is applied and flagged.", "004; published guidance"},
	{RFeeAssigned, Error, ScopeRecord, "Fee details change only on a CAS with status ASSIGNED.", "002 \"How to provide individual fee updates\""},
	{RFeePresent, Error, ScopeRecord, "A fee update changes at least one \"paid to date\" field.", "vendor documentation of the real BDT"},
	{RFeeAmount, Error, ScopeRecord, "Amounts are pounds sterling written 1234 or 1234.99, never negative.", "002 step 5; 003"},
	{RFeeExceeds, Warning, ScopeRecord, "Course fees paid to date exceed the first-year course fee.", "design"},
	{RNoteStatus, Error, ScopeRecord, "A sponsor note goes on an ASSIGNED or EXPIRED CAS, or an ASSIGNED CoS; it replaces or is appended.", "002; 000 guide 2"},
	{RCosWithdraw, Error, ScopeRecord, "Only an ASSIGNED CoS can be withdrawn; it is not returned to the allocation.", "001 guide 3"},
	{RCasWithdraw, Error, ScopeRecord, "Only a live (ASSIGNED) CAS can be withdrawn, and it becomes WITHDRAWN; WORK IN PROGRESS and READY TO GO are not yet live, USED, EXPIRED, OBSOLETE, CANCELLED and WITHDRAWN no longer are.", "002 \"CAS status\"; 002 \"How to provide individual fee updates\""},
	{RCosTransfer, Error, ScopeRecord, "CoS ownership transfers only to an Active Level 1 or Level 2 user of the same sponsor.", "001 guides 1, 2"},
}

// byID indexes catalogue; built once at start-up and never modified.
var byID = func() map[RuleID]int {
	m := make(map[RuleID]int, len(catalogue))
	for i, r := range catalogue {
		m[r.ID] = i
	}
	return m
}()

// Catalogue returns every rule in RULES.md order. The slice is a fresh copy.
func Catalogue() []Rule {
	out := make([]Rule, len(catalogue))
	copy(out, catalogue[:])
	return out
}

// Lookup returns the rule with the given id.
func Lookup(id RuleID) (Rule, bool) {
	i, ok := byID[id]
	if !ok {
		return Rule{}, false
	}
	return catalogue[i], true
}

// NewFinding returns a finding of rule id about field ("" for the whole
// record or file), with the rule's severity from the catalogue and the
// message fmt.Sprintf(format, args...). It panics on an id that is not in the catalogue: that is a
// programming error, never bad input.
func NewFinding(id RuleID, field, format string, args ...any) Finding {
	r, ok := Lookup(id)
	if !ok {
		panic(fmt.Sprintf("rules: NewFinding: unknown rule id %q", id))
	}
	return Finding{Rule: id, Severity: r.Severity, Field: field, Message: fmt.Sprintf(format, args...)}
}
