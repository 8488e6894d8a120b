package sqlite

import (
	"strconv"
	"testing"
)

// TestSeqCacheKeepsTheLatest: the cache is bounded, and whatever it was told
// of among the last seqCacheMax certificates it still knows, across the
// turns of its generations; what it was told later wins.
func TestSeqCacheKeepsTheLatest(t *testing.T) {
	s := newSeqCache()
	const total = 3*seqCacheMax + 100
	for i := range total {
		n := "C" + strconv.Itoa(i)
		s.remember(n, [3]int64{-1, int64(i), -1})
		if i%7 == 0 {
			s.appended(histFees, n, int64(i)+1)
		}
		for _, back := range []int{0, 1, 255, 512, seqCacheMax - 1} {
			j := i - back
			if j < 0 {
				continue
			}
			want := int64(j)
			if j%7 == 0 {
				want++
			}
			if got, ok := s.get(histFees, "C"+strconv.Itoa(j)); !ok || got != want {
				t.Fatalf("after %d certificates, the one %d before: %d, %v; want %d", i+1, back, got, ok, want)
			}
			if _, ok := s.get(histStatus, "C"+strconv.Itoa(j)); ok {
				t.Fatalf("a status seq not read is known")
			}
		}
		if len(s.m)+len(s.old) > 2*seqCacheMax {
			t.Fatalf("%d certificates held; at most %d", len(s.m)+len(s.old), 2*seqCacheMax)
		}
	}
}
