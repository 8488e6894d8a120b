package browsertest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: the
// browser and its connection are gone when the test ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
