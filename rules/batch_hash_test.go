package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// Issue 17: the duplicate table placed keys by an unkeyed, invertible hash,
// so numbers could be crafted to share one slot and every insertion probed
// every key before it. The numbers in collidingFile were crafted against
// that hash (unkeyedHash, the attacker's model): for the first operation of
// a file, all of them fell in one part and in slot 0 of it, whatever its
// size. cmd/bdt's hostile suite sends them through bdt run.

// collidingFile holds certificate numbers crafted against unkeyedHash, one
// a line (rewrite with go test ./rules -run TestCollidingNumbers -update).
const collidingFile = "testdata/colliding-cas.txt"

// collidingCount is how many numbers collidingFile holds.
const collidingCount = 20000

// unkeyedHash is packedKey.hash before issue 17.
func unkeyedHash(k packedKey) uint64 {
	h := k.lo*0x9e3779b97f4a7c15 ^ uint64(k.hi)*0xc2b2ae3d27d4eb4f
	h ^= h >> 29
	return h * 0xbf58476d1ce4e5b9
}

// inverse returns the multiplicative inverse of the odd a modulo 2^64.
func inverse(a uint64) uint64 {
	x := a
	for i := 0; i < 6; i++ {
		x *= 2 - a*x
	}
	return x
}

// craftColliding inverts unkeyedHash: for hash values 0, 256, 512... (part
// 0, top bits 0: slot 0 in a table of any size up to 2^24) it computes the
// key, and keeps those that are 14 letters and digits ending in "0000", with
// operation number 1.
func craftColliding(n int) []string {
	hi := uint32(1) << 24 // characters 10-13 "0000", operation 1
	i1, i3 := inverse(0x9e3779b97f4a7c15), inverse(0xbf58476d1ce4e5b9)
	var out []string
	for m := uint64(0); len(out) < n; m++ {
		x := (m << 8) * i3
		x ^= x>>29 ^ x>>58
		lo := (x ^ uint64(hi)*0xc2b2ae3d27d4eb4f) * i1
		if lo>>60 != 0 {
			continue
		}
		b := []byte("00000000000000")
		ok := true
		for i := 0; i < 10 && ok; i++ {
			switch v := lo >> (6 * i) & 63; {
			case v < 10:
				b[i] = byte('0' + v)
			case v < 36:
				b[i] = byte('A' + v - 10)
			default:
				ok = false
			}
		}
		if ok {
			out = append(out, string(b))
		}
	}
	return out
}

func readColliding(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(collidingFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCollidingNumbers checks that collidingFile still attacks the unkeyed
// hash: every number packs, and all share part and slot under it.
func TestCollidingNumbers(t *testing.T) {
	if *update {
		if err := os.WriteFile(collidingFile, []byte(strings.Join(craftColliding(collidingCount), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	certs := readColliding(t)
	if len(certs) != collidingCount {
		t.Fatalf("%d numbers, want %d", len(certs), collidingCount)
	}
	b := &Batch{ops: map[string]uint32{}}
	for _, c := range certs {
		k, ok := b.pack("fees", c)
		if !ok {
			t.Fatalf("%q does not pack", c)
		}
		if h := unkeyedHash(k); h%keyParts != 0 || h>>40 != 0 {
			t.Fatalf("%q: unkeyed hash %#x, not part 0 and slot 0", c, h)
		}
	}
}

// longestRun returns the longest run of occupied slots in b's tables: the
// most probes one lookup can take.
func longestRun(b *Batch) int {
	longest := 0
	for _, t := range b.first {
		run := 0
		for i := 0; i < 2*len(t.val); i++ { // twice round: a run may wrap
			if t.val[i%len(t.val)] == 0 {
				run = 0
				continue
			}
			run++
			longest = max(longest, min(run, t.n))
		}
	}
	return longest
}

// TestBatchCollidingNumbers: the crafted numbers, which all shared one slot
// under the unkeyed hash (a run of 20,000: 200 million probes to insert
// them), spread over the table like any others, and duplicates among them
// are still found.
func TestBatchCollidingNumbers(t *testing.T) {
	certs := readColliding(t)
	b := NewBatch()
	b.other, b.ops = map[batchKey]int{}, map[string]uint32{}
	for i, c := range certs {
		if j, dup := b.seen("fees", c, i+1); dup {
			t.Fatalf("%q: taken by record %d", c, j)
		}
	}
	// With a random hash the longest run at a load of at most 3/4 is a
	// few dozen; the attack made it every key.
	if run := longestRun(b); run > 200 {
		t.Errorf("longest run of occupied slots %d (of %d keys): the numbers still collide", run, len(certs))
	}
	for i, c := range certs {
		if j, dup := b.seen("fees", c, len(certs)+i+1); !dup || j != i+1 {
			t.Fatalf("%q again: %d %v, want record %d", c, j, dup, i+1)
		}
	}
}

// BenchmarkBatchSeen records a million certificate numbers, as for a file
// of a million records.
func BenchmarkBatchSeen(b *testing.B) {
	const n = 1 << 20
	certs := make([]string, n)
	for i := range certs {
		certs[i] = fmt.Sprintf("CAS%011d", i)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bt := NewBatch()
		bt.other, bt.ops = map[batchKey]int{}, map[string]uint32{}
		for j, c := range certs {
			bt.seen("fees", c, j+1)
		}
	}
}

var (
	collidingOnce sync.Once
	colliding     []string
)

// FuzzBatchSeen drives R.RECORD.DUPLICATE's table with pairs chosen by the
// input, most of them numbers crafted to collide under the table's former
// hash, and checks it against a map: seen names the first record of each
// pair, lookup records nothing, and no run of occupied slots is longer than
// the keys spread over the table's parts allow (under the former hash the
// crafted numbers made one run of every key).
func FuzzBatchSeen(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 0, 2, 0, 0, 1})
	f.Add(bytes.Repeat([]byte{0, 0, 7, 1, 0, 7, 4, 1, 2, 8, 0, 7, 12, 0, 7}, 20))
	var crafted []byte // 300 crafted numbers, for one operation
	for i := 0; i < 300; i++ {
		crafted = append(crafted, 0, byte(i>>8), byte(i))
	}
	f.Add(crafted)
	f.Fuzz(func(t *testing.T, data []byte) {
		collidingOnce.Do(func() { colliding = readColliding(t) })
		ops := []string{"fees", "note", "activity:STUDENT_NO_SHOW"}
		b := NewBatch()
		b.other, b.ops = map[batchKey]int{}, map[string]uint32{}
		want := map[batchKey]int{}
		n := 0
		for i := 0; i+3 <= len(data); i += 3 {
			op := ops[int(data[i]&3)%len(ops)]
			sel := int(data[i+1])<<8 | int(data[i+2])
			var cert string
			switch data[i] >> 2 & 3 {
			case 0, 1:
				cert = colliding[sel%len(colliding)]
			case 2:
				cert = fmt.Sprintf("CAS%011d", sel)
			default: // not packed: kept as strings
				cert = fmt.Sprintf("cas-%d", sel)
			}
			index := i/3 + 1
			k := batchKey{op, cert}
			first, ok := want[k]
			if got, gotOK := b.lookup(op, cert, index); gotOK != ok || (ok && got != first) {
				t.Fatalf("lookup(%s, %s) = %d %v, want %d %v", op, cert, got, gotOK, first, ok)
			}
			if !ok {
				want[k], first = index, index
				n++
			}
			if got, dup := b.seen(op, cert, index); dup != ok || got != first {
				t.Fatalf("seen(%s, %s, %d) = %d %v, want %d %v", op, cert, index, got, dup, first, ok)
			}
		}
		if run, bound := longestRun(b), 16+n/8; run > bound {
			t.Fatalf("a run of %d occupied slots for %d keys (bound %d): the keys collide", run, n, bound)
		}
	})
}
