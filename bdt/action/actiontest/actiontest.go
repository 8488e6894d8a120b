// Package actiontest gives tests of one-at-a-time actions a real register:
// a fresh SQLite file holding the sample register (samples/register.xml),
// and a way to dump a whole register to compare it before and after.
package actiontest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/rules"
)

// SamplePath returns the path of the sample register, samples/register.xml
// at the root of the module.
func SamplePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "samples", "register.xml")
}

// Sample returns the sample register, decoded.
func Sample(t testing.TB) *register.Fixture {
	t.Helper()
	f, err := os.Open(SamplePath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx, err := register.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// NewRegister creates a SQLite register in t.TempDir() holding the sample
// register, and returns its DSN and the store, open (it is closed when the
// test ends). The sample is imported once per process; later registers are
// copies of that database file.
func NewRegister(t testing.TB) (dsn string, st store.Store) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "register.db")
	template.Lock()
	if template.files == nil {
		importSample(t, path)
		template.files = map[string][]byte{}
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(path + suffix)
			if err == nil {
				template.files[suffix] = b
			} else if !errors.Is(err, fs.ErrNotExist) {
				template.Unlock()
				t.Fatal(err)
			}
		}
	} else {
		for suffix, b := range template.files {
			if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
				template.Unlock()
				t.Fatal(err)
			}
		}
	}
	template.Unlock()
	dsn = "sqlite:" + path
	st, err := open.Existing(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return dsn, st
}

// template holds the files of a database with the sample imported.
var template struct {
	sync.Mutex
	files map[string][]byte // by suffix: "" the database, "-wal" its log
}

// importSample creates the register path and imports the sample into it.
func importSample(t testing.TB, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := Sample(t).Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// Dump returns the whole register r holds as canonical register XML: equal
// dumps are equal registers.
func Dump(t testing.TB, r store.Reader) string {
	t.Helper()
	f, err := register.Export(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Unchanged fails t when the register r holds is no longer before (a Dump).
func Unchanged(t testing.TB, r store.Reader, before string) {
	t.Helper()
	if after := Dump(t, r); after != before {
		t.Errorf("the register changed:\n%s", firstDifference(before, after))
	}
}

// firstDifference describes where two dumps first differ, line by line.
func firstDifference(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + strconv.Itoa(i+1) + ":\n  before: " + string(x) + "\n  after:  " + string(y)
		}
	}
	return "(no line differs)"
}

// Cert reads certificate n from r, failing t when it is not in the register.
func Cert(t testing.TB, r store.Reader, n string) *rules.Certificate {
	t.Helper()
	cs, err := r.Certificates(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if cs[n] == nil {
		t.Fatalf("%s is not in the register", n)
	}
	return cs[n]
}
