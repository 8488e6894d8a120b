package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/bdt/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTemp)
}
