// Command rsslaunch runs a command and prints its peak resident set size in
// KiB on the last line of standard error, like GNU time's %M.
//
// The memory test of bdt validate runs bdt through it rather than directly:
// Go starts children with vfork (CLONE_VM), and Linux then charges the
// parent's peak RSS to the child's ru_maxrss, so a child of a large test
// process (the race detector's, say) reports the parent's peak. Started from
// this small launcher, the child's figure is its own, plus at most this
// launcher's few MiB.
//
//	rsslaunch COMMAND [ARG...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rsslaunch COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		fmt.Fprintln(os.Stderr, "rsslaunch:", err)
		os.Exit(2)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "rsslaunch: no rusage")
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "maxrss-kib %d\n", ru.Maxrss)
	os.Exit(cmd.ProcessState.ExitCode())
}
