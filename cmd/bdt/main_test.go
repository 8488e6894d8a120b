package main

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them, and
// removes the bdt binary the process tests built (sharedBinary).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if sharedBin != "" {
			os.RemoveAll(filepath.Dir(sharedBin))
		}
		os.Exit(code)
	}))
}
