package schema

import (
	"fmt"
	"strconv"
	"strings"
)

var reMallocTotal = lazyRE(`(?m)^<(total|system) type="(fast|rest|mmap|current)" (?:count="\d+" )?size="(\d+)"/>$`)

// heapInUse reads malloc_info(3) XML: the memory the arenas hold from the
// system, less their free chunks, plus mmapped chunks.
func heapInUse(xml string) (int64, error) {
	// The totals over every arena follow the last per-arena section.
	if i := strings.LastIndex(xml, "</heap>"); i >= 0 {
		xml = xml[i:]
	}
	var current, free, mmap int64
	seen := 0
	for _, m := range reMallocTotal().FindAllStringSubmatch(xml, -1) {
		n, err := strconv.ParseInt(m[3], 10, 64)
		if err != nil {
			return 0, err
		}
		switch m[1] + "/" + m[2] {
		case "system/current":
			current = n
		case "total/fast", "total/rest":
			free += n
		case "total/mmap":
			mmap = n
		default:
			continue
		}
		seen++
	}
	if seen < 4 {
		return 0, fmt.Errorf("unexpected malloc_info output")
	}
	return current - free + mmap, nil
}
