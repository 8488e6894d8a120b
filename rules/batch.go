package rules

import (
	"hash/maphash"
	"math/bits"
)

// Batch evaluates the records of one file in order and adds the one rule
// that needs to see the whole file, R.RECORD.DUPLICATE: a certificate appears
// at most once per operation in a file. The first record that names it
// stands; every later one is rejected, naming the record of the first.
//
// "Per operation" means per kind of operation: an activity report counts
// once per activity type (a no-show and a STUDENT_DID_NOT_ENROL activity
// record are the same operation), so one file may both withdraw an earlier
// report on a CAS and report a new event on it; each other operation (fee
// update, note, CoS withdrawal, CoS transfer) counts once.
//
// A record claims its certificates as soon as it is seen, even when it is
// rejected for another reason: it appears in the file, and the outcome of a
// later record does not depend on whether an earlier one happened to be
// applied. The sponsor fixes the first record rather than adding another.
//
// Batch keeps only which certificates the file has named. The caller reloads
// State from the register after each accepted record, inside the file's
// transaction, so that later records see the effects of earlier ones.
// The zero Batch is ready to use. A Batch is not safe for concurrent use:
// one file is evaluated by one goroutine, record after record.
type Batch struct {
	// first holds the record that first named each (operation, number).
	// A file may name a million certificates, so the usual pair, an
	// operation and a certificate number of 14 letters and digits, is
	// packed into 96 bits in a compact table (16 bytes a pair, nothing for
	// the collector to scan); anything else is kept as strings in other.
	first [keyParts]keyTable
	other map[batchKey]int
	ops   map[string]uint32 // operation names, numbered from 1
	// set, when not nil, keeps the pairs instead (NewBatchWith).
	set SeenSet
}

// SeenSet keeps, for R.RECORD.DUPLICATE, the first record of a file that
// named each (operation, certificate number) pair. A Batch keeps its own
// in memory, 16 bytes a pair: 16 MB for a million-record file, more with
// the collector's headroom. NewBatchWith gives it another, kept elsewhere
// (bdt/runner keeps the pairs of a large file on disk).
type SeenSet interface {
	// Seen returns the first record recorded for (op, cert) and true; or
	// records index as it and returns index and false.
	Seen(op, cert string, index int) (first int, seen bool)
	// Lookup returns the first record recorded for (op, cert), if any,
	// recording nothing.
	Lookup(op, cert string) (first int, ok bool)
}

// NewBatchWith returns an empty Batch that keeps its pairs in s, which must
// be empty too.
func NewBatchWith(s SeenSet) *Batch { return &Batch{set: s} }

type batchKey struct {
	op   string
	cert string
}

// packedKey is an operation's number (12 bits) and a certificate number of
// 14 characters 0-9 or A-Z (six bits each: 60 bits in lo, 24 in hi).
type packedKey struct {
	lo uint64
	hi uint32
}

// maxOps is how many operation names are packed; more (never seen in
// practice) are kept as strings.
const maxOps = 1<<8 - 1

// pack packs op and cert when cert has the usual form (ok false otherwise).
// It is one-to-one: distinct pairs never share a key.
func (b *Batch) pack(op, cert string) (packedKey, bool) { return b.packAs(op, cert, true) }

// packAs is pack; without add, an operation not yet numbered does not pack.
func (b *Batch) packAs(op, cert string, add bool) (packedKey, bool) {
	if len(cert) != 14 {
		return packedKey{}, false
	}
	var k packedKey
	for i := 0; i < 14; i++ {
		c := cert[i]
		var v uint64
		switch {
		case c >= '0' && c <= '9':
			v = uint64(c - '0')
		case c >= 'A' && c <= 'Z':
			v = uint64(c-'A') + 10
		default:
			return packedKey{}, false
		}
		if i < 10 {
			k.lo |= v << (6 * i)
		} else {
			k.hi |= uint32(v) << (6 * (i - 10))
		}
	}
	n, ok := b.ops[op]
	if !ok {
		if !add || len(b.ops) >= maxOps {
			return packedKey{}, false
		}
		n = uint32(len(b.ops) + 1)
		b.ops[op] = n
	}
	k.hi |= n << 24
	return k, true
}

// seen returns the record that first named (op, cert), or records index as
// that record.
func (b *Batch) seen(op, cert string, index int) (int, bool) {
	if b.set != nil {
		return b.set.Seen(op, cert, index)
	}
	if k, ok := b.pack(op, cert); ok && index >= 0 && index < 1<<32-1 {
		h := k.hash()
		return b.first[h%keyParts].seen(k, h, index)
	}
	k := batchKey{op, cert}
	if i, ok := b.other[k]; ok {
		return i, true
	}
	b.other[k] = index
	return index, false
}

// keyParts is how many tables share the packed keys (by hash), so that a
// table that grows copies a small part of them, never all at once.
const keyParts = 256

// keyTable is a set of packed keys with a record index each: open
// addressing with linear probing over three parallel arrays, grown by half
// when three quarters full. Keys are placed by a hash keyed per process
// (keySeed): an unkeyed hash can be inverted, and a file of certificate
// numbers crafted to share a slot made every insertion probe every key
// before it (issue 17: 100,000 records, 47 s instead of 3 s).
type keyTable struct {
	lo  []uint64
	hi  []uint32
	val []uint32 // record index + 1; 0: empty slot
	n   int
}

// keySeed keys the hash of packed keys, drawn afresh by each process. What
// the table answers never depends on it, only where it keeps a key.
var keySeed = maphash.MakeSeed()

func (k packedKey) hash() uint64 { return maphash.Comparable(keySeed, k) }

func (t *keyTable) seen(k packedKey, h uint64, index int) (int, bool) {
	if 4*(t.n+1) > 3*len(t.val) {
		t.grow()
	}
	slot, _ := bits.Mul64(h, uint64(len(t.val)))
	for i := int(slot); ; i = (i + 1) % len(t.val) {
		switch {
		case t.val[i] == 0:
			t.lo[i], t.hi[i], t.val[i] = k.lo, k.hi, uint32(index+1)
			t.n++
			return index, false
		case t.lo[i] == k.lo && t.hi[i] == k.hi:
			return int(t.val[i] - 1), true
		}
	}
}

// lookup returns the index recorded for k, if any.
func (t *keyTable) lookup(k packedKey, h uint64) (int, bool) {
	if len(t.val) == 0 {
		return 0, false
	}
	slot, _ := bits.Mul64(h, uint64(len(t.val)))
	for i := int(slot); ; i = (i + 1) % len(t.val) {
		switch {
		case t.val[i] == 0:
			return 0, false
		case t.lo[i] == k.lo && t.hi[i] == k.hi:
			return int(t.val[i] - 1), true
		}
	}
}

func (t *keyTable) grow() {
	old := *t
	size := max(16, len(t.val)*3/2)
	*t = keyTable{lo: make([]uint64, size), hi: make([]uint32, size), val: make([]uint32, size)}
	for i, v := range old.val {
		if v != 0 {
			k := packedKey{old.lo[i], old.hi[i]}
			t.seen(k, k.hash(), int(v-1))
		}
	}
}

// Duplicate reports whether Evaluate would refuse op, the record at index,
// under R.RECORD.DUPLICATE alone: an earlier record of the file named one of
// its certificates for the same operation. Such a decision reads nothing of
// the register state, so a caller may leave the state unread. Duplicate
// changes nothing in b.
func (b *Batch) Duplicate(op Op, index int) bool {
	op, ok := Value(op)
	if !ok {
		return false
	}
	name, dup := op.Name(), false
	forCerts(op, func(n string) bool {
		i, ok := b.lookup(name, n, index)
		dup = ok && i != index
		return !dup
	})
	return dup
}

// oneCertOp is an operation on one certificate, which it names without
// the slice CertNumbers returns.
type oneCertOp interface {
	oneCert() string
}

// forCerts calls f with each number op.CertNumbers returns, in order, until
// f returns false; for an operation on one certificate without asking for
// the slice (R.RECORD.DUPLICATE looks at every record's numbers twice).
func forCerts(op Op, f func(string) bool) {
	if o, ok := op.(oneCertOp); ok {
		f(o.oneCert())
		return
	}
	for _, n := range op.CertNumbers() {
		if !f(n) {
			return
		}
	}
}

// lookup is seen without recording anything.
func (b *Batch) lookup(op, cert string, index int) (int, bool) {
	if b.set != nil {
		return b.set.Lookup(op, cert)
	}
	if k, ok := b.packAs(op, cert, false); ok && index >= 0 && index < 1<<32-1 {
		h := k.hash()
		return b.first[h%keyParts].lookup(k, h)
	}
	// Not packed: in other if seen (an operation not yet numbered has
	// packed nothing, and a key that would pack is never in other).
	i, ok := b.other[batchKey{op, cert}]
	return i, ok
}

// NewBatch returns an empty Batch for one file.
func NewBatch() *Batch { return &Batch{} }

// Evaluate decides op as the record at index (1-based, in file order) of the
// file: R.RECORD.DUPLICATE first, then the package-level Evaluate.
func (b *Batch) Evaluate(a Actor, op Op, st State, index int) Decision {
	if b.ops == nil {
		b.other, b.ops = map[batchKey]int{}, map[string]uint32{}
	}
	var fs []Finding
	if o, ok := Value(op); ok {
		fs = b.duplicates(o, index)
	}
	if len(fs) > 0 {
		return Decision{Findings: fs}
	}
	return Evaluate(a, op, st)
}

// duplicates records the certificates op names as named by the record at
// index, and returns an R.RECORD.DUPLICATE finding for each an earlier
// record named for the same operation.
func (b *Batch) duplicates(op Op, index int) []Finding {
	name, r := op.Name(), op.ref()
	var fs []Finding
	forCerts(op, func(n string) bool {
		if i, ok := b.seen(name, n, index); ok && i != index {
			fs = append(fs, NewFinding(RRecordDuplicate, r.field,
				"%s %s already appears in record %d of this file for the same operation. A certificate is taken once per operation in a file, so this later record is not applied.",
				r.noun, Show(n), i))
		}
		return true
	})
	return fs
}
