package runner

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Failpoints let the crash tests kill the process at a chosen step, the way
// a power cut or an OOM kill would: BDT_FAILPOINT=NAME[:N] sends SIGKILL to
// the process itself the N-th time (default the first) it reaches NAME.
// Unset, a failpoint costs one comparison. The names:
//
//	record         after a record was applied inside the file's transaction
//	before-commit  the file's transaction is complete but not committed
//	after-commit   committed; no report written yet
//	after-reports  reports written; the ledger does not know yet
//	after-mark     the ledger knows the reports are written; not archived
//	after-archive  the file is in the archive; the ledger does not know yet
var failpoint = parseFailpoint(os.Getenv("BDT_FAILPOINT"))

type failpointSpec struct {
	name string
	at   int
	mu   sync.Mutex
	hits int
}

func parseFailpoint(s string) *failpointSpec {
	if s == "" {
		return nil
	}
	name, n, _ := strings.Cut(s, ":")
	at, err := strconv.Atoi(n)
	if err != nil || at < 1 {
		at = 1
	}
	return &failpointSpec{name: name, at: at}
}

// fail kills the process if the failpoint name is armed and due.
func fail(name string) {
	fp := failpoint
	if fp == nil || fp.name != name {
		return
	}
	fp.mu.Lock()
	fp.hits++
	due := fp.hits == fp.at
	fp.mu.Unlock()
	if due {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never return: the signal is on its way
	}
}
