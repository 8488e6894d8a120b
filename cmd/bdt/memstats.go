package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// reportMemory writes the process's own memory accounting to w when the
// environment asks for it (BDT_MEMSTATS=1), for the memory tests and the
// benchmark script:
//
//	bdt: memstats peak-rss-kib=38172 file-rss-kib=31932 peak-anon-kib=6240
//
// peak-rss is the kernel's high-water mark (VmHWM). file-rss is what is
// resident of mapped files at exit — chiefly bdt's own code, which some
// machines (this project's CI among them) map in whole at start, so that a
// 40 MB binary alone shows ~32 MB of RSS whatever it does. peak-anon is
// peak-rss less file-rss: the memory the work itself took (heap, stacks,
// libxml2's and SQLite's buffers), which is what must stay flat as files grow.
func reportMemory(w io.Writer) {
	if os.Getenv("BDT_MEMSTATS") == "" {
		return
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	var hwm, file int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			hwm = n
		case "RssFile":
			file = n
		}
	}
	fmt.Fprintf(w, "bdt: memstats peak-rss-kib=%d file-rss-kib=%d peak-anon-kib=%d\n", hwm, file, hwm-file)
}
