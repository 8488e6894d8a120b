//go:build !linux

package s3test

import "os/exec"

// dieWithParent does nothing where the kernel cannot kill a child with its
// parent; Start's cleanup still stops the server at the end of the test.
func dieWithParent(cmd *exec.Cmd) {}
