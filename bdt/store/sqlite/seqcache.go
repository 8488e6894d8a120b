package sqlite

// histTable names one of the three history tables.
type histTable uint8

const (
	histStatus histTable = iota
	histFees
	histActivity
)

// seqCache remembers, inside one read-write transaction, the last seq of
// the histories of the certificates the transaction has read or written
// (those it read: a read for the rules reads only some, -1 for the rest), so
// that appending to a history needs no look-up of it. While the transaction
// is open, only its own statements write to the register (SQLite has one
// writer at a time, and a transaction begins IMMEDIATE), and every history
// row it adds goes through the driver, which keeps the cache up to date: what
// the cache holds stays true until the transaction ends.
//
// It holds the certificates of the last seqCacheMax to 2 × seqCacheMax it
// was told of, in two generations: when the newer is full, the older is
// dropped and the newer becomes the older. The runner reads a batch's
// certificates before it applies the batch before it, a few hundred apart:
// those just read are always still known when their changes come (a cache
// emptied whole when full forgot them once in every 32 batches, and their
// changes were applied one at a time, each with a look-up of its history).
type seqCache struct {
	m, old map[string][3]int64
}

const seqCacheMax = 8192

func newSeqCache() *seqCache { return &seqCache{m: map[string][3]int64{}} }

// lookup returns what the cache holds of number.
func (s *seqCache) lookup(number string) ([3]int64, bool) {
	if v, ok := s.m[number]; ok {
		return v, true
	}
	v, ok := s.old[number]
	return v, ok
}

// set stores v for number in the newer generation, turning the
// generations when it is full.
func (s *seqCache) set(number string, v [3]int64) {
	if _, ok := s.m[number]; !ok && len(s.m) >= seqCacheMax {
		s.old, s.m = s.m, s.old
		if s.m == nil {
			s.m = make(map[string][3]int64, seqCacheMax)
		}
		clear(s.m)
	}
	s.m[number] = v
}

// get returns the last seq of number's history in table (0: none) and
// whether it is known.
func (s *seqCache) get(table histTable, number string) (int64, bool) {
	if s == nil {
		return 0, false
	}
	v, ok := s.lookup(number)
	return v[table], ok && v[table] >= 0
}

// remember records the last seq of each of number's histories (-1: not
// known), keeping what it knew of those not given.
func (s *seqCache) remember(number string, seqs [3]int64) {
	if s == nil {
		return
	}
	old, ok := s.lookup(number)
	for i, v := range seqs {
		if v < 0 && ok {
			seqs[i] = old[i]
		}
	}
	s.set(number, seqs)
}

// appended records that a row with seq was added to number's history in
// table, when that history's last seq is known.
func (s *seqCache) appended(table histTable, number string, seq int64) {
	if s == nil {
		return
	}
	if v, ok := s.lookup(number); ok && v[table] >= 0 {
		v[table] = seq
		s.set(number, v)
	}
}
