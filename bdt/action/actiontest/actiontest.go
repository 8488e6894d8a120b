// Package actiontest gives tests of one-at-a-time actions a real register:
// a fresh SQLite file holding the sample register (samples/register.xml),
// and a way to dump a whole register to compare it before and after.
package actiontest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
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

// NewRegister creates a SQLite register in t.TempDir(), imports the sample
// register into it, and returns its DSN and the store, open (it is closed
// when the test ends).
func NewRegister(t testing.TB) (dsn string, st store.Store) {
	t.Helper()
	ctx := context.Background()
	dsn = "sqlite:" + filepath.Join(t.TempDir(), "register.db")
	st, err := open.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := Sample(t).Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return dsn, st
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
