package runner

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"

	_ "github.com/mattn/go-sqlite3" // the driver of the temporary database

	"bdt/rules"
)

// DefaultDiskDuplicatesOver is the file size from which the runner keeps a
// file's R.RECORD.DUPLICATE pairs on disk (Config.DiskDuplicatesOver).
const DefaultDiskDuplicatesOver = 64 << 20

// diskSeen is a rules.SeenSet kept in a private, temporary on-disk SQLite
// database (an empty file name: SQLite deletes it when its connection
// closes), so that the pairs of a file of a million records take a few MB,
// not the 20–40 MB they take in memory. Most pairs are new: a Bloom filter
// (10 bits a pair, ~1% false positives) answers those without the
// database, and new pairs are written 256 at a time in one statement. Only
// a real repeat, or a false positive, reads the database.
//
// It has no error to return from Seen: the first failure is kept, Seen and
// Lookup answer "not seen" from then on, and Err must be checked before the
// file's transaction commits.
type diskSeen struct {
	db      *sql.DB
	conn    *sql.Conn // the one connection: the database is private to it
	lookup  *sql.Stmt
	bloom   bloom
	pending map[string]int // pairs not written yet
	rows    []any          // the pending pairs as the INSERT's arguments
	mu      sync.Mutex
	err     error
}

var _ rules.SeenSet = (*diskSeen)(nil)

// seenFlush is how many new pairs are written in one statement.
const seenFlush = 256

// newDiskSeen returns an empty set sized for about n pairs.
func newDiskSeen(ctx context.Context, n int) (*diskSeen, error) {
	db, err := sql.Open("sqlite3", "")
	if err != nil {
		return nil, fmt.Errorf("duplicates on disk: %w", err)
	}
	d := &diskSeen{db: db, bloom: newBloom(n), pending: make(map[string]int, seenFlush)}
	if d.conn, err = db.Conn(ctx); err == nil {
		_, err = d.conn.ExecContext(ctx, `PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
			CREATE TABLE seen (k TEXT PRIMARY KEY, first INTEGER NOT NULL) WITHOUT ROWID`)
	}
	if err == nil {
		d.lookup, err = d.conn.PrepareContext(ctx, `SELECT first FROM seen WHERE k = ?`)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("duplicates on disk: %w", err)
	}
	return d, nil
}

func seenKey(op, cert string) string { return op + "\x00" + cert }

// Seen implements rules.SeenSet.
func (d *diskSeen) Seen(op, cert string, index int) (int, bool) {
	k := seenKey(op, cert)
	if first, ok := d.find(k); ok {
		return first, true
	}
	if d.Err() != nil {
		return index, false
	}
	d.bloom.add(k)
	d.pending[k] = index
	d.rows = append(d.rows, k, index)
	if len(d.pending) >= seenFlush {
		d.flush()
	}
	return index, false
}

// Lookup implements rules.SeenSet.
func (d *diskSeen) Lookup(op, cert string) (int, bool) {
	return d.find(seenKey(op, cert))
}

// find returns the first record of key k, if any.
func (d *diskSeen) find(k string) (int, bool) {
	if d.Err() != nil {
		return 0, false
	}
	if first, ok := d.pending[k]; ok {
		return first, true
	}
	if !d.bloom.has(k) {
		return 0, false
	}
	var first int
	switch err := d.lookup.QueryRow(k).Scan(&first); err {
	case nil:
		return first, true
	case sql.ErrNoRows: // a false positive
	default:
		d.fail(err)
	}
	return 0, false
}

// flush writes the pending pairs.
func (d *diskSeen) flush() {
	if len(d.pending) == 0 || d.Err() != nil {
		return
	}
	q := `INSERT INTO seen (k, first) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", len(d.pending)), ", ")
	if _, err := d.conn.ExecContext(context.Background(), q, d.rows...); err != nil {
		d.fail(err)
		return
	}
	clear(d.pending)
	d.rows = d.rows[:0]
}

func (d *diskSeen) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = fmt.Errorf("duplicates on disk: %w", err)
	}
}

// Err returns the first failure: the answers given since are not to be
// trusted, and the file must not commit.
func (d *diskSeen) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close deletes the database.
func (d *diskSeen) Close() error {
	if d.lookup != nil {
		d.lookup.Close()
	}
	if d.conn != nil {
		d.conn.Close()
	}
	return d.db.Close()
}

// bloom is a Bloom filter of strings: 10 bits and 7 probes a key for about
// n keys (~1% false positives), derived from two hashes of the key.
type bloom struct {
	bits []uint64
	seed maphash.Seed
}

func newBloom(n int) bloom {
	words := max(1<<12, (n*10+63)/64) // at least 32 KiB
	return bloom{bits: make([]uint64, words), seed: maphash.MakeSeed()}
}

func (b *bloom) probes(k string, f func(bit uint64)) {
	h := maphash.String(b.seed, k)
	h1, h2 := h, h>>32|h<<32|1
	m := uint64(len(b.bits)) * 64
	for i := uint64(0); i < 7; i++ {
		f((h1 + i*h2) % m)
	}
}

func (b *bloom) add(k string) {
	b.probes(k, func(bit uint64) { b.bits[bit/64] |= 1 << (bit % 64) })
}

func (b *bloom) has(k string) bool {
	all := true
	b.probes(k, func(bit uint64) { all = all && b.bits[bit/64]&(1<<(bit%64)) != 0 })
	return all
}
