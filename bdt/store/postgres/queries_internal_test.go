package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/rules"
)

// counter counts the statements sent to the server, alone or in batches.
type counter struct{ n atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) { c.n.Add(1) }
func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}
func (c *counter) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// Reads of a set of certificates, and writes of a set of outcomes, take a
// fixed number of statements whatever the size of the set: never one per
// certificate or per outcome.
func TestStatementsPerSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &counter{}
	s, err := OpenWith(ctx, Params{DSN: pgtest.DSN(t), tracer: c})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 600
	f := &register.Fixture{Sponsors: []rules.Sponsor{{Licence: "4NUV7KB58", Name: "U", Status: rules.LicenceARated, Nation: "ENGLAND_AND_WALES"}}}
	var numbers []string
	for i := range n {
		num := fmt.Sprintf("CAS%011d", i)
		numbers = append(numbers, num)
		f.Certificates = append(f.Certificates, rules.Certificate{Number: num, Kind: rules.CAS, Sponsor: "4NUV7KB58", Status: rules.StatusUsed,
			StatusHistory: []rules.StatusChange{{Status: rules.StatusUsed}, {Status: rules.StatusUsed}},
			FeeHistory:    []rules.FeeChange{{Ref: "F"}},
			Activity:      []rules.ActivityReport{{Ref: "R" + num, Type: rules.StudentAbsent}}})
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := f.Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	count := func(what string, fn func() error) int64 {
		t.Helper()
		before := c.n.Load()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return c.n.Load() - before
	}
	read := func(numbers []string) func() error {
		return func() error {
			got, err := tx.Certificates(ctx, numbers...)
			if err == nil && len(got) != len(numbers) {
				err = fmt.Errorf("%d certificates read, want %d", len(got), len(numbers))
			}
			return err
		}
	}
	one, all := count("read one", read(numbers[:1])), count("read all", read(numbers))
	if one == 0 || one != all || one > 4 {
		t.Errorf("Certificates: %d statements for 1 certificate, %d for %d; want the same, at most 4", one, all, n)
	}
	list := func() error { _, err := tx.CertificateList(ctx, storeListAll); return err }
	if got := count("list", list); got == 0 || got > 4 {
		t.Errorf("CertificateList of %d: %d statements; want at most 4", n, got)
	}
	fl := &ledger.File{Licence: "4NUV7KB58", Key: "4NUV7KB58/a.xml", Name: "a.xml", Status: ledger.Processing}
	if err := tx.FileInsert(ctx, fl); err != nil {
		t.Fatal(err)
	}
	outs := make([]ledger.Outcome, 5000)
	for i := range outs {
		outs[i] = ledger.Outcome{Index: i + 1, Line: i, Status: ledger.RecordAccepted}
	}
	// One statement a chunk (sent in one round trip).
	if got, want := count("outcomes", func() error { return tx.OutcomeInsert(ctx, fl.ID, outs...) }), int64((len(outs)+sqlrow.OutcomeChunk-1)/sqlrow.OutcomeChunk); got != want {
		t.Errorf("OutcomeInsert of %d: %d statements; want %d", len(outs), got, want)
	}
	// A set of certificates read through the Store: the same few
	// statements, plus the snapshot's begin and end.
	c.n.Store(0)
	if got := count("store read", func() error { _, err := s.Certificates(ctx, numbers...); return err }); got > 6 {
		t.Errorf("Store.Certificates of %d: %d statements; want at most 6", n, got)
	}
}

var storeListAll = store.CertificateListParams{}
