package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/gen"
	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
	"bdt/rules"
)

// benchRegister is a register of one sponsor with 20,000 CAS (a generated
// fee update's), loaded once into a template database file.
var (
	benchOnce  sync.Once
	benchTmpl  string
	benchCerts []string // the ASSIGNED CAS a fee update may change
	benchErr   error
)

const benchRecords = 20000

func benchTemplate(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bdt-sqlite-bench-*")
		if err != nil {
			benchErr = err
			return
		}
		m, err := gen.Generate(gen.Config{Seed: 1, Sponsors: 1, Records: benchRecords, Formats: []string{"feeupdate-v2"}}, dir)
		if err != nil {
			benchErr = err
			return
		}
		f, err := os.Open(filepath.Join(dir, m.Register))
		if err != nil {
			benchErr = err
			return
		}
		fx, err := register.Decode(f)
		f.Close()
		if err != nil {
			benchErr = err
			return
		}
		for _, c := range fx.Certificates {
			if c.Status == rules.StatusAssigned && c.Kind == rules.CAS && len(benchCerts) < benchRecords {
				benchCerts = append(benchCerts, c.Number)
			}
		}
		benchTmpl = filepath.Join(dir, "template.db")
		s, err := sqlite.Open(context.Background(), benchTmpl)
		if err != nil {
			benchErr = err
			return
		}
		defer s.Close()
		benchErr = load(s, fx)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchTmpl
}

func load(s store.Store, fx *register.Fixture) error {
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fx.Import(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// benchStore opens a fresh copy of the template register.
func benchStore(b *testing.B) store.Store {
	b.Helper()
	src := benchTemplate(b)
	dst := filepath.Join(b.TempDir(), "register.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), dst)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// cancellable is the kind of context the runner passes: one that can be
// cancelled (by a signal).
func cancellable(b *testing.B) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

// benchTx begins a transaction on a fresh copy of the template register,
// under a context like the runner's; it is rolled back at the end of b.
func benchTx(b *testing.B) (context.Context, store.Tx) {
	b.Helper()
	s := benchStore(b)
	ctx := cancellable(b)
	tx, err := s.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tx.Rollback(ctx) })
	return ctx, tx
}

// BenchmarkCertificates reads certificates with their histories inside a
// transaction: one at a time (a record's own read) and 256 at a time (the
// runner's batches).
func BenchmarkCertificates(b *testing.B) {
	reads := []struct {
		name string
		read func(ctx context.Context, tx store.Tx, numbers []string) (map[string]*rules.Certificate, error)
	}{
		{"full", func(ctx context.Context, tx store.Tx, numbers []string) (map[string]*rules.Certificate, error) {
			return tx.Certificates(ctx, numbers...)
		}},
		{"for-rules", func(ctx context.Context, tx store.Tx, numbers []string) (map[string]*rules.Certificate, error) {
			return tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: numbers})
		}},
		{"for-rules-activity", func(ctx context.Context, tx store.Tx, numbers []string) (map[string]*rules.Certificate, error) {
			return tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: numbers, Activity: true})
		}},
	}
	for _, rd := range reads {
		for _, n := range []int{1, 256} {
			benchCertificates(b, rd.name, n, rd.read)
		}
	}
}

func benchCertificates(b *testing.B, name string, n int, read func(ctx context.Context, tx store.Tx, numbers []string) (map[string]*rules.Certificate, error)) {
	{
		b.Run(fmt.Sprintf("%s/batch-%d", name, n), func(b *testing.B) {
			ctx, tx := benchTx(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				from := (i * n) % (len(benchCerts) - n)
				got, err := read(ctx, tx, benchCerts[from:from+n])
				if err != nil || len(got) != n {
					b.Fatalf("%d certificates, %v", len(got), err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "certs/s")
		})
	}
}

// BenchmarkApply applies accepted fee updates (a fee change: the new fees
// and a history entry) and activity reports, one record's changes per call,
// in one transaction, after reading the certificates 256 at a time (not
// timed), as the runner does.
func BenchmarkApply(b *testing.B) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	paid := rules.Money(500000)
	for _, kind := range []string{"fees", "report"} {
		b.Run(kind, func(b *testing.B) {
			ctx, tx := benchTx(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := benchCerts[i%len(benchCerts)]
				if i%256 == 0 {
					b.StopTimer()
					from := i % len(benchCerts)
					if _, err := tx.Certificates(ctx, benchCerts[from:min(from+256, len(benchCerts))]...); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				ref := rules.ConfirmationRef(fmt.Sprintf("bench#%d", i), n)
				var ch rules.Change
				if kind == "fees" {
					ch = rules.SetFees{Cert: n, Change: rules.FeeChange{At: now, By: "u000.admin", Ref: ref,
						Before: rules.Fees{}, After: rules.Fees{CourseFeesPaid: &paid}}}
				} else {
					ch = rules.AddReport{Cert: n, Report: rules.ActivityReport{Ref: ref, Type: rules.StudentAbsent,
						EventDate: rules.UKDate(now).AddDays(-3), Details: "Missed contact points", ReportedAt: now,
						ReportedBy: "u000.admin", Source: fmt.Sprintf("file:X/Y#%d", i)}}
				}
				if err := tx.Apply(ctx, ch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "changes/s")
		})
	}
}

// BenchmarkOutcomeInsert writes record outcomes to the ledger in the
// runner's batches of 512, one in ten with a finding.
func BenchmarkOutcomeInsert(b *testing.B) {
	ctx, tx := benchTx(b)
	f := &ledger.File{Licence: "BENCH0001", Key: "BENCH0001/f.xml", Name: "f.xml", Status: ledger.Processing}
	if err := tx.FileInsert(ctx, f); err != nil {
		b.Fatal(err)
	}
	const batch = 512
	outs := make([]ledger.Outcome, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range outs {
			idx := i*batch + j + 1
			o := ledger.Outcome{Index: idx, Line: 10 * idx, Reference: "R1234567", Cert: benchCerts[idx%len(benchCerts)],
				Status: ledger.RecordAccepted, ConfRef: "BDT-ABCDEFGHIJKL"}
			if j%10 == 0 {
				o.Status, o.ConfRef = ledger.RecordRejected, ""
				o.Findings = []ledger.Finding{{Rule: "R.FEE.ASSIGNED", Severity: "error", Line: 10*idx + 2,
					Path:    fmt.Sprintf("/FeeUpdate/CASFeeUpdate[%d]", idx),
					Message: "Fee details can be changed only on a CAS with status ASSIGNED; CAS CAS90000000100 has status USED."}}
			}
			outs[j] = o
		}
		if err := tx.OutcomeInsert(ctx, f.ID, outs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "outcomes/s")
}

// BenchmarkApplyBatch applies accepted fee updates as the runner does: the
// changes of 256 records in one call (runs of multi-row statements), after
// reading their certificates for the rules (not timed).
func BenchmarkApplyBatch(b *testing.B) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	const batch = 256
	ctx, tx := benchTx(b)
	changes := make([]rules.Change, batch)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		from := (i * batch) % (len(benchCerts) - batch)
		numbers := benchCerts[from : from+batch]
		if _, err := tx.CertificatesForRules(ctx, store.CertificatesForRulesParams{Numbers: numbers}); err != nil {
			b.Fatal(err)
		}
		for j, n := range numbers {
			paid, first := rules.Money(500000+i), rules.Money(900000)
			yes := j%2 == 0
			changes[j] = rules.SetFees{Cert: n, Change: rules.FeeChange{At: now, By: "u000.admin", Ref: rules.ConfirmationRef(fmt.Sprintf("bench#%d", j), n),
				Before: rules.Fees{CourseFeesFirstYear: &first}, After: rules.Fees{CourseFeesFirstYear: &first, CourseFeesPaid: &paid, IncludesAccommodation: &yes}}}
		}
		b.StartTimer()
		if err := tx.Apply(ctx, changes...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "changes/s")
}

// reportCPU reports the process's CPU time an op (user and system, cpu-ns/op)
// from now until the function it returns is called: on a shared machine,
// less noisy than the wall time. The untimed parts of the loop count too.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var r syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &r)
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}
