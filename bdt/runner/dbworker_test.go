package runner

import (
	"errors"
	"testing"
	"time"

	"bdt/rules"
)

// TestDBWorkerOrderAndFailure checks that a dbWorker runs its jobs in the
// order given, that after a failure it runs none and every later read
// returns that first failure (never blocks), and that close reports it.
func TestDBWorkerOrderAndFailure(t *testing.T) {
	w := newDBWorker()
	var ran []int
	for i := range 3 {
		w.do(func() error { ran = append(ran, i); return nil })
	}
	r1 := w.read(func() (func() (map[string]*rules.Certificate, error), error) {
		ran = append(ran, 3)
		return func() (map[string]*rules.Certificate, error) {
			return map[string]*rules.Certificate{"CAS1": {Number: "CAS1"}}, nil
		}, nil
	})
	certs, err := r1.wait()
	if err != nil || certs["CAS1"] == nil {
		t.Fatalf("read = %v, %v", certs, err)
	}
	boom := errors.New("disk full")
	w.do(func() error { ran = append(ran, 4); return boom })
	w.do(func() error { ran = append(ran, 5); return nil })
	r2 := w.read(func() (func() (map[string]*rules.Certificate, error), error) { ran = append(ran, 6); return nil, nil })
	done := make(chan error, 1)
	go func() { _, err := r2.wait(); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, boom) {
			t.Errorf("read after the failure = %v; want the failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a read queued after a failure blocks")
	}
	if err := w.close(); !errors.Is(err, boom) {
		t.Errorf("close = %v; want the first failure", err)
	}
	if want := []int{0, 1, 2, 3, 4}; len(ran) != len(want) {
		t.Errorf("ran %v; want %v (nothing after the failure)", ran, want)
	} else {
		for i := range want {
			if ran[i] != want[i] {
				t.Errorf("ran %v; want %v", ran, want)
				break
			}
		}
	}
}

// TestDBWorkerReadFailure checks that a failed read is the worker's
// failure: it stops what comes after.
func TestDBWorkerReadFailure(t *testing.T) {
	w := newDBWorker()
	boom := errors.New("database is locked")
	r := w.read(func() (func() (map[string]*rules.Certificate, error), error) { return nil, boom })
	after := false
	w.do(func() error { after = true; return nil })
	if _, err := r.wait(); !errors.Is(err, boom) {
		t.Errorf("read = %v", err)
	}
	if err := w.close(); !errors.Is(err, boom) || after {
		t.Errorf("close = %v, ran after: %v", err, after)
	}
}
