package postgres_test

import (
	"context"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/bdt/store/storetest"
)

// openTemp opens a store on a new schema of the test server.
func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTemp)
}
