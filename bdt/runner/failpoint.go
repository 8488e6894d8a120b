package runner

import "bdt/bdt/failpoint"

// fail is where the crash tests kill the process (package bdt/failpoint:
// BDT_FAILPOINT=NAME[:N]). The names of a file's life:
//
//	record         after a record was applied inside the file's transaction
//	before-commit  the file's transaction is complete but not committed
//	after-commit   committed; no report written yet
//	after-reports  reports written; the ledger does not know yet
//	after-mark     the ledger knows the reports are written; not archived
//	after-archive  the file is in the archive; the ledger does not know yet
var fail = failpoint.Hit
