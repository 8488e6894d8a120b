// Package rules is the one rules engine of bdt: the rule catalogue
// (Catalogue, Lookup, NewFinding, SizeFinding), the file, actor and view checks (CheckFile,
// CheckActor, CheckViewAccess), and the decision on every operation on the register
// (Evaluate, EvaluateAction, and Batch for the records of one file), whether
// it comes from a record of a bulk file or from a one-at-a-time action.
//
// The package is pure: it does no I/O, reads no clock (the processing time
// comes in Actor.Now; UKDate turns it into the UK date without the time-zone
// database) and keeps no state that changes between calls, so the same
// inputs always give the same decision.
//
// # How to add an operation
//
// An operation is one type that implements Op, in ops.go: what it names
// (CertNumbers, TargetUser), what the engine reads to decide it
// (ReadsActivity; ReadsBrief when the certificate's Brief is enough: false
// unless a test shows it, see TestBriefDecidesFeeUpdates), its name for R.RECORD.DUPLICATE and for an action's
// source (Name), what its confirmation says (Summary), the routes an action
// needs (routes), how it speaks of its certificates (ref), and its rule
// (evaluate, in engine.go or, with the operation, a file of its own such
// as feeupdate.go and activity.go, with its rule ids in
// the catalogue). A type that lacks one of these does not compile as an
// Op, and nothing else in bdt switches on the kinds of operation: the
// runner, bdt/action and the stores work through these methods. An
// operation that makes the register changes there are (AddReport, SetFees,
// SetNote, SetStatus, SetOwner, MarkReportWithdrawn) needs nothing more. A
// new kind of change is a type that implements Change, plus a method of
// Applier, which every store driver then must implement (its statement)
// to compile. What reads a new operation from a bulk file (bdt/decode) or
// a command line (cmd/bdt) is up to those.
//
// # Decisions where RULES.md and the seeds are silent
//
//   - Order of the file checks: F.KIND, F.CHANNEL, F.SPONSOR, F.USER,
//     F.LICENCE.ACCESS, each stopping the checks, then F.ROUTE and
//     F.LICENCE.SUSPENDED together. F.CHANNEL comes first so that nobody
//     learns whether another licence exists; F.USER before the licence
//     checks so that nothing about the licence is told to a non-user. An
//     unknown licence status has no access.
//   - A file uploaded through the portal or the API (FileHeader.Submitter)
//     must name its uploader as its SMS user: otherwise F.USER, at F.USER's
//     place in the order, and the file is never processed as the user it
//     names. RULES.md's F.USER ("the submitting user …") is read with the
//     uploader as the submitting user; no new id. The message names both
//     users: the uploader is signed in to the licence, so nothing is told
//     to someone outside it.
//   - One-at-a-time actions: CheckActor applies F.SPONSOR, F.USER,
//     F.LICENCE.ACCESS and F.ROUTE, not F.LICENCE.SUSPENDED: of what seed
//     003 ("Access to SMS") bars a suspended or dormant licence from, bdt
//     does creating and assigning nothing, bulk fee updates only in files
//     (CheckFile), and viewing and exporting only through CheckViewAccess.
//     Reporting activity, an individual fee update, a sponsor note, a
//     withdrawal and a transfer are not in the seed's list (reporting
//     duties go on while suspended), so they are allowed. EvaluateAction =
//     CheckActor with the operation's routes, then Evaluate.
//   - Viewing and exporting (CheckViewAccess, CheckView): the seed's
//     "viewing single or batches of CAS/CoS" is every place bdt shows or
//     exports a certificate, one or many; F.LICENCE.SUSPENDED is the rule
//     (its scope widened) rather than a new id, since it is the same
//     licence status and the same seed sentence. The check comes after
//     F.LICENCE.ACCESS and F.ROUTE and before any certificate is read, so
//     a suspended licence learns nothing about which certificates exist.
//   - Listing certificates (a search by the person's details, an export):
//     CheckViewAccess decides, and ListingOwner says whose certificates a
//     listing holds: every certificate of the sponsor for a Level 1 user,
//     only those the user owns for a Level 2 user, the same reach as
//     R.CERT.OWNER's. A listing never names another sponsor's certificates
//     and never tells that they exist: no finding, just absent.
//   - R.ACTIVITY.ABSENCE binds WORKER_ABSENT only; the student's "absent
//     without permission (missed expected contact points)" has no length.
//     An absence lasts from the first day of absence to the event date,
//     both counted when they are working days of the sponsor's nation
//     (AbsenceWorkingDays); "more than 10 consecutive working days" is at
//     least 11 of them. A first day after the event is this rule's alone
//     (not also R.ACTIVITY.DATE's). R.ACTIVITY.LATE still counts from the
//     event date, not from the first day of absence.
//   - R.CAS.WITHDRAW: seed 002 names only the WITHDRAWN status ("You have
//     used the 'Manage live CAS' function"), and calls a CAS with status
//     ASSIGNED live; so, as for a CoS (R.COS.WITHDRAW, seed 001 guide 3),
//     only an ASSIGNED CAS can be withdrawn. WORK IN PROGRESS and READY TO
//     GO are not live yet; USED, EXPIRED, OBSOLETE, CANCELLED and WITHDRAWN
//     are no longer live (a used CAS: report the student's activity
//     instead). The withdrawal keeps who, when and the reason in the status
//     history; nothing is returned to the allocation. WithdrawCAS and
//     WithdrawCoS share one rule function (withdraw) and differ only in
//     their kind and rule id. No BDT file kind carries a withdrawal: it is a
//     one-at-a-time action (bdt cas withdraw, bdt cos withdraw).
//   - Evaluate re-checks only who acts (sponsor present, user an Active Level
//     1 or 2 user of it); licence access and route are file- or action-level.
//   - R.CERT.FOUND and R.CERT.OWNER: the noun of the message ("CAS", "CoS")
//     comes from the operation, never the register. A certificate of the
//     wrong kind for the operation (a CAS in a CoS withdrawal) is not found.
//     For a Level 2 user both rules give the same message.
//   - Withdrawal of sponsorship (R.ACTIVITY.WITHDRAWAL.ADDRESS) is the two
//     *_SPONSORSHIP_WITHDRAWN types only; see IsSponsorshipWithdrawal.
//   - R.ACTIVITY.DATE: a STUDENT_EARLY_COMPLETION may carry a future event
//     date (sponsorship is due to end), but not one after the course end date.
//     A first day of absence, when given, obeys the same bounds as the event.
//   - R.ACTIVITY.PREVIOUS withdraws the most recently recorded standing report
//     with that event date (and a confirmation reference); it has no
//     reporting deadline, so R.ACTIVITY.LATE does not apply to it.
//   - R.ACTIVITY.LATE: late when more than 10 working days of the sponsor's
//     nation (England and Wales when not set) lie in (event, report date].
//   - Activity reports do not change a certificate's status.
//   - Fee updates: see ParseMoney for the amount format and Money.String for
//     the canonical form ("1234.50"); blank typed amounts are "not given".
//   - Notes: an appended note goes on a new line; an empty note is refused;
//     the mode must be given.
//   - R.RECORD.DUPLICATE: an activity report counts once per activity type,
//     every other operation once; a rejected record still claims its
//     certificates. See Batch. Batch places the pairs it keeps by a hash
//     keyed with a seed drawn once per process (hash/maphash), the one
//     random thing in the package: an unkeyed hash can be inverted, and
//     certificate numbers crafted to share a slot made the table quadratic.
//     The seed changes only where a pair is kept, never which record is
//     first or any decision; the tests run with whatever seed they draw.
//   - Confirmation references: ConfirmationRef, from the source and the
//     certificate numbers.
//   - R.SCHEMA (a record rule the pipeline decides, not this package):
//     a validity error wholly inside one record element. What libxml2
//     raises while a record element is open, except while that element
//     itself starts, is inside it; after an unexpected element libxml2
//     skips the rest of that record and its end pops it, so the next
//     records are validated as before (schema's TestRecordScope checks
//     each kind). These stay F.SCHEMA, rejecting the file: the root, the
//     header and everything in it, an element among the records that is
//     no record (libxml2 then skips the rest of the root: later records
//     go unvalidated), a record where none may be (before the header),
//     an attribute on a record element (checked as the element starts),
//     and no record at all. A value the XSD accepts but the engine cannot
//     read (a five-digit year) is R.SCHEMA too. With --schema-errors=file
//     every schema error is F.SCHEMA, as before. A bad amount in a file
//     is R.SCHEMA on its record; R.FEE.AMOUNT stays the rule of the
//     one-at-a-time fee action, where no XSD comes first.
//   - Signing in (signin.go, for the portal): seed 003's rules are not
//     findings of a file, so they have no catalogue id (no A. family):
//     CheckPassword answers with the unmet requirements in words, a
//     sign-in with a SignInOutcome. "Not contain your user name or User
//     ID" is checked for the id, without regard to case (a password is
//     case-sensitive, but the id in another case is as guessable); the
//     user's name is not checked. The seed says both "try logging in again
//     after 20 minutes" and "wait for 30 minutes"; the lock lasts 30
//     (LockoutDuration), the longer. Lockout.Attempt counts an attempt
//     before its password is checked, so that racing attempts are counted
//     one by one; a correct password clears the count. A wrong password is
//     decided before anything about the user or the licence is told; the
//     unknown id, the id without a password, the wrong password and the
//     locked account share the seed's one message (SignInOutcome.Message).
//     A suspended or dormant licence signs in (its limits are those of what
//     it does); a session or a token asks CheckAccount again at every use.
//   - Files a user may follow in the portal and the API (listing.go): seed
//     003 limits a Level 2 user to their own certificates and says nothing
//     of files; bdt gives them the same reach over files: the files they
//     uploaded, and of files that came by another channel (the operator's
//     folder or bucket) those whose header names them. A file a colleague
//     uploaded naming them is not theirs (it was refused with F.USER). A
//     Level 1 user sees every file of the licence.
package rules
