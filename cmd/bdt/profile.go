package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile starts a CPU profile into the file named by BDT_CPUPROFILE,
// for engineers measuring where a run's time goes:
//
//	BDT_CPUPROFILE=/tmp/run.pprof bdt run ...
//	go tool pprof -top /tmp/run.pprof
//
// It returns the function that stops the profile; without the variable it
// does nothing.
func startProfile() func() {
	path := os.Getenv("BDT_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bdt: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bdt: cpu profile:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
