package s3test

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the server when the test process dies
// without stopping it (a test binary killed on timeout), so no server is
// left behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
