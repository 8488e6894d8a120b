// Package replay runs a sample scenario through a scratch register and
// compares the reports with golden copies. A scenario is a folder holding
// register.xml (the register fixture), inbox/<licence>/*.xml (the files),
// golden/ (the expected outbox) and optionally scenario.json.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/schema"
)

// DefaultNow is the processing time of a scenario that names none.
var DefaultNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// Scenario is the optional scenario.json of a scenario folder.
type Scenario struct {
	Description string `json:"description"`
	Now         string `json:"now"`      // RFC 3339 processing time
	MaxSize     int64  `json:"max_size"` // F.SIZE limit, bytes
	MaxErrors   int    `json:"max_errors"`
	// SchemaErrors is bdt run's --schema-errors: "record" (the default)
	// or "file".
	SchemaErrors string `json:"schema_errors"`
}

// Limits returns the runner's limits the scenario sets: the size limit,
// the cap on schema errors, and what a schema error inside one record
// rejects (the record, as bdt run's default, unless it says "file").
func (sc Scenario) Limits() (runner.Limits, error) {
	l := runner.Limits{MaxSize: sc.MaxSize, MaxErrors: sc.MaxErrors, SchemaErrors: schema.RecordScope}
	if sc.SchemaErrors != "" {
		var err error
		if l.SchemaErrors, err = schema.ParseScope(sc.SchemaErrors); err != nil {
			return l, fmt.Errorf("scenario.json: schema_errors: %w", err)
		}
	}
	return l, nil
}

// Options tune a replay.
type Options struct {
	Now    time.Time // overrides the scenario's processing time when not zero
	Update bool      // rewrite golden/ with the reports produced
}

// Result is what a replay found.
type Result struct {
	Dir     string
	Files   int      // inbox files processed
	Reports int      // reports produced
	Diffs   []string // one unified diff (or a line) per differing report
	Updated bool
}

// ErrNotScenario is returned for a folder that has no inbox/.
var ErrNotScenario = errors.New("not a replay scenario (no inbox/ folder)")

// Run replays the scenario in dir.
func Run(ctx context.Context, dir string, opt Options) (*Result, error) {
	res := &Result{Dir: dir}
	if fi, err := os.Stat(filepath.Join(dir, "inbox")); err != nil || !fi.IsDir() {
		return nil, ErrNotScenario
	}
	var sc Scenario
	if b, err := os.ReadFile(filepath.Join(dir, "scenario.json")); err == nil {
		if err := json.Unmarshal(b, &sc); err != nil {
			return nil, fmt.Errorf("%s/scenario.json: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	now := DefaultNow
	if sc.Now != "" {
		t, err := time.Parse(time.RFC3339, sc.Now)
		if err != nil {
			return nil, fmt.Errorf("%s/scenario.json: now: %w", dir, err)
		}
		now = t
	}
	if !opt.Now.IsZero() {
		now = opt.Now
	}

	tmp, err := os.MkdirTemp("", "bdt-replay-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(tmp, "register.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := loadRegister(ctx, st, filepath.Join(dir, "register.xml")); err != nil {
		return nil, err
	}
	// The inbox is copied: archiving must never move the scenario's own files.
	if err := copyTree(filepath.Join(dir, "inbox"), filepath.Join(tmp, "inbox")); err != nil {
		return nil, err
	}
	var inbox, outbox, archive storage.Storage
	for _, l := range []struct {
		name string
		dst  *storage.Storage
	}{{"inbox", &inbox}, {"outbox", &outbox}, {"archive", &archive}} {
		if *l.dst, err = storage.NewLocal(filepath.Join(tmp, l.name)); err != nil {
			return nil, err
		}
	}
	limits, err := sc.Limits()
	if err != nil {
		return nil, err
	}
	sum, err := runner.New(runner.Config{
		Store: st, Inbox: inbox, Outbox: outbox, Archive: archive,
		Now: func() time.Time { return now }, Limits: limits,
	}).Run(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range sum.Files {
		if f.Err != nil {
			return nil, fmt.Errorf("%s: %w", f.Key, f.Err)
		}
	}
	res.Files = len(sum.Files)

	got, err := readTree(filepath.Join(tmp, "outbox"))
	if err != nil {
		return nil, err
	}
	res.Reports = len(got)
	goldenDir := filepath.Join(dir, "golden")
	if opt.Update {
		if err := os.RemoveAll(goldenDir); err != nil {
			return nil, err
		}
		for name, b := range got {
			p := filepath.Join(goldenDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return nil, err
			}
		}
		res.Updated = true
		return res, nil
	}
	want, err := readTree(goldenDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	res.Diffs = compare(want, got)
	return res, nil
}

// compare returns a unified diff for every report that differs, is missing
// or is unexpected, in name order.
func compare(want, got map[string][]byte) []string {
	names := map[string]bool{}
	for n := range want {
		names[n] = true
	}
	for n := range got {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var diffs []string
	for _, n := range sorted {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			diffs = append(diffs, fmt.Sprintf("missing report %s (in golden/, not produced)\n", n))
		case !inWant:
			diffs = append(diffs, fmt.Sprintf("unexpected report %s (produced, not in golden/)\n", n))
		case !bytes.Equal(w, g):
			diffs = append(diffs, udiff.Unified("golden/"+n, "got/"+n, string(w), string(g)))
		}
	}
	return diffs
}

// loadRegister validates the fixture against its XSD and imports it in one transaction.
func loadRegister(ctx context.Context, st store.Store, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	res, err := schema.Default().Validate(bytes.NewReader(b), nil, schema.Options{})
	if err != nil {
		return err
	}
	if !res.Valid() {
		return fmt.Errorf("%s:%v", path, res.Issues[0])
	}
	fx, err := register.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fx.Import(ctx, tx); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return tx.Commit(ctx)
}

// copyTree copies the regular files under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// readTree reads every regular file under dir, keyed by slash path.
func readTree(dir string) (map[string][]byte, error) {
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
	return out, err
}
