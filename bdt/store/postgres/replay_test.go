package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/register"
	"bdt/bdt/replay"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
)

// Every sample scenario, replayed on PostgreSQL, produces exactly the golden
// reports that bdt replay checks on SQLite: the drivers decide the same.
func TestReplayScenarios(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("../../../samples/*/inbox")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no sample scenarios (%v)", err)
	}
	for _, inbox := range dirs {
		dir := filepath.Dir(inbox)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			replayOnPostgres(t, dir)
		})
	}
}

func replayOnPostgres(t *testing.T, dir string) {
	ctx := context.Background()
	var sc replay.Scenario
	if b, err := os.ReadFile(filepath.Join(dir, "scenario.json")); err == nil {
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatal(err)
		}
	}
	now := replay.DefaultNow
	if sc.Now != "" {
		var err error
		if now, err = time.Parse(time.RFC3339, sc.Now); err != nil {
			t.Fatal(err)
		}
	}
	st, err := postgres.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := os.ReadFile(filepath.Join(dir, "register.xml"))
	if err != nil {
		t.Fatal(err)
	}
	fx, err := register.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var boxes [3]*storage.Local
	for i, name := range []string{"inbox", "outbox", "archive"} {
		if boxes[i], err = storage.NewLocal(filepath.Join(tmp, name)); err != nil {
			t.Fatal(err)
		}
	}
	inputs := readTree(t, filepath.Join(dir, "inbox"))
	for key, body := range inputs {
		if err := boxes[0].Put(ctx, key, bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	limits, err := sc.Limits()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := runner.New(runner.Config{Store: st, Inbox: boxes[0], Outbox: boxes[1], Archive: boxes[2],
		Now: func() time.Time { return now }, Limits: limits}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Err != nil {
			t.Fatalf("%s: %v", f.Key, f.Err)
		}
	}
	if len(sum.Files) != len(inputs) {
		t.Errorf("%d files processed of %d", len(sum.Files), len(inputs))
	}
	got, want := readTree(t, filepath.Join(tmp, "outbox")), readTree(t, filepath.Join(dir, "golden"))
	if len(want) == 0 {
		t.Fatal("no golden reports")
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("missing report %s", name)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from the golden copy:\n%s", name, firstDiff(string(w), string(g)))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected report %s", name)
		}
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  golden %s\n  got    %s", i+1, a, b)
		}
	}
	return "(same lines)"
}

// readTree reads every regular file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
