// Package failpoint lets the crash tests kill the process at a chosen step,
// the way a power cut or an OOM kill would: BDT_FAILPOINT=NAME[:N] sends
// SIGKILL to the process itself the N-th time (default the first) it
// reaches NAME. Unset, a failpoint costs one comparison. The names are
// listed where they are hit: bdt/runner (failpoint.go) for the steps of a
// file's life, bdt/storage for a write (before-rename).
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// armed is the failpoint BDT_FAILPOINT names, or nil.
var armed = parse(os.Getenv("BDT_FAILPOINT"))

type spec struct {
	name string
	at   int
	mu   sync.Mutex
	hits int
}

func parse(s string) *spec {
	if s == "" {
		return nil
	}
	name, n, _ := strings.Cut(s, ":")
	at, err := strconv.Atoi(n)
	if err != nil || at < 1 {
		at = 1
	}
	return &spec{name: name, at: at}
}

// Hit kills the process if the failpoint name is armed and due.
func Hit(name string) {
	fp := armed
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
