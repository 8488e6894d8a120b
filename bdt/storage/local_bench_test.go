package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"bdt/bdt/storage"
)

// BenchmarkLocalListSponsor lists one sponsor's folder of an inbox holding
// 200 sponsors of 100 files each: the cost of one sponsor's queue.
func BenchmarkLocalListSponsor(b *testing.B) {
	dir := b.TempDir()
	for s := 0; s < 200; s++ {
		folder := filepath.Join(dir, fmt.Sprintf("SPON%05d", s))
		os.MkdirAll(folder, 0o750)
		for i := 0; i < 100; i++ {
			os.WriteFile(filepath.Join(folder, fmt.Sprintf("f%04d.xml", i)), nil, 0o600)
		}
	}
	l, err := storage.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		objs, _, err := l.List(context.Background(), "SPON00100/")
		if err != nil || len(objs) != 100 {
			b.Fatalf("List = %d objects, %v", len(objs), err)
		}
	}
}
