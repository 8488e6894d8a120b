package runner_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bdt/bdt/gen"
	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/schema"
)

// benchData is a generated data set with its register loaded into a
// template SQLite file, made once per test binary and shared.
type benchData struct {
	dir, template string
	m             *gen.Manifest
}

var (
	benchMu   sync.Mutex
	benchSets = map[string]*benchData{}
)

// benchSet generates cfg (once) under a temporary directory and imports its
// register into a template database. top is the top-level benchmark, which
// runs once (or the test): the data set lives until it ends.
func benchSet(b, top testing.TB, name string, cfg gen.Config) *benchData {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchSets[name]; d != nil {
		return d
	}
	dir, err := os.MkdirTemp("", "bdt-bench-*")
	if err != nil {
		b.Fatal(err)
	}
	top.Cleanup(func() {
		os.RemoveAll(dir)
		benchMu.Lock()
		delete(benchSets, name)
		benchMu.Unlock()
	})
	m, err := gen.Generate(cfg, dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	tmpl := filepath.Join(dir, "template.db")
	st, err := open.Open(ctx, "sqlite:"+tmpl)
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, m.Register))
	if err != nil {
		b.Fatal(err)
	}
	fx, err := register.Decode(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := fx.Import(ctx, tx); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	d := &benchData{dir: dir, template: tmpl, m: m}
	benchSets[name] = d
	return d
}

// freshRun copies d's register and inbox into a new temporary folder and
// opens them: the store and the inbox, outbox and archive of one run.
func freshRun(tb testing.TB, d *benchData) (store.Store, map[string]storage.Storage) {
	tb.Helper()
	work := tb.TempDir()
	copyFile(tb, d.template, filepath.Join(work, "bdt.db"))
	for _, f := range d.m.Files {
		copyFile(tb, filepath.Join(d.dir, "inbox", f.Key), filepath.Join(work, "inbox", f.Key))
	}
	st, err := open.Open(context.Background(), "sqlite:"+filepath.Join(work, "bdt.db"))
	if err != nil {
		tb.Fatal(err)
	}
	locs := map[string]storage.Storage{}
	for _, name := range []string{"inbox", "outbox", "archive"} {
		if locs[name], err = storage.NewLocal(filepath.Join(work, name)); err != nil {
			tb.Fatal(err)
		}
	}
	return st, locs
}

func copyFile(b testing.TB, src, dst string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		b.Fatal(err)
	}
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
}

// BenchmarkRunFile runs whole files end to end through the runner on the
// embedded SQLite register: validate, decode, rules, register changes,
// ledger, commit, the three reports, archive. Each iteration starts from a
// fresh copy of the register. records/s counts the records of every file.
func BenchmarkRunFile(b *testing.B) {
	top := b
	for _, bc := range []struct {
		name    string
		cfg     gen.Config
		workers int
	}{
		{"feeupdate-20k", gen.Config{Seed: 1, Sponsors: 1, Records: 20000, Formats: []string{"feeupdate-v2"}, Invalid: 0.1, Warnings: 0.02}, 1},
		{"studentactivity-20k", gen.Config{Seed: 1, Sponsors: 1, Records: 20000, Formats: []string{"studentactivity-v1"}, Invalid: 0.1, Warnings: 0.02}, 1},
		{"feeupdate-8x2500/workers-1", gen.Config{Seed: 1, Sponsors: 8, Records: 2500, Formats: []string{"feeupdate-v2"}, Invalid: 0.1, Warnings: 0.02}, 1},
		{"feeupdate-8x2500/workers-2", gen.Config{Seed: 1, Sponsors: 8, Records: 2500, Formats: []string{"feeupdate-v2"}, Invalid: 0.1, Warnings: 0.02}, 2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := benchSet(b, top, bc.cfg.Formats[0]+"-"+itoa(bc.cfg.Sponsors)+"x"+itoa(bc.cfg.Records), bc.cfg)
			now, _ := time.Parse(time.RFC3339, d.m.Now)
			ctx := context.Background()
			records := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st, locs := freshRun(b, d)
				b.StartTimer()
				sum, err := runner.New(runner.Config{Store: st, Inbox: locs["inbox"], Outbox: locs["outbox"],
					Archive: locs["archive"], Now: func() time.Time { return now }, Workers: bc.workers,
					Limits: runner.Limits{SchemaErrors: benchSchemaErrors}}).Run(ctx)
				b.StopTimer()
				if err != nil || sum.Failed() > 0 || len(sum.Files) != len(d.m.Files) {
					b.Fatalf("run: %v, %d of %d files failed", err, sum.Failed(), len(sum.Files))
				}
				for j, f := range sum.Files {
					if f.Entry.Accepted != d.m.Files[j].Accepted() {
						b.Fatalf("%s: %d accepted; want %d", f.Key, f.Entry.Accepted, d.m.Files[j].Accepted())
					}
					records += f.Entry.Read
				}
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// benchSchemaErrors is the scope of BenchmarkRunFile's schema errors:
// bdt run's default (the files are valid, so it changes no outcome).
var benchSchemaErrors = schema.RecordScope

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}
