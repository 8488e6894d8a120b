package gen_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"bdt/bdt/gen"
	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/rules"
	"bdt/schema"
)

// small is a data set with every format, several sponsors and every
// category of record.
var small = gen.Config{Seed: 7, Sponsors: 3, Records: 150, Files: 2, Invalid: 0.2, Warnings: 0.05}

func generate(t *testing.T, cfg gen.Config) (string, *gen.Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := gen.Generate(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// readTree returns every file under dir by its relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The same configuration gives the same bytes; another seed does not.
func TestDeterministic(t *testing.T) {
	a, _ := generate(t, small)
	b, _ := generate(t, small)
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != 2+3*5*2 {
		t.Fatalf("%d files written; want register, manifest and 30 uploads", len(ta))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	other := small
	other.Seed++
	c, _ := generate(t, other)
	tc := readTree(t, c)
	if bytes.Equal(ta["register.xml"], tc["register.xml"]) {
		t.Error("another seed gives the same register")
	}
}

// Every file is valid against its XSD: the register fixture, and each
// upload without schema-invalid records. The fixture is canonical: decoded
// and encoded again, it gives the same bytes (what `bdt register export`
// writes after an import).
func TestValidAgainstXSDs(t *testing.T) {
	dir, m := generate(t, small)
	v := schema.Default()
	check := func(rel, format string, records int) {
		f, err := os.Open(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := v.Validate(f, nil, schema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Valid() || res.Format.Name != format {
			t.Errorf("%s: format %q, issues %v; want a valid %s file", rel, res.Format.Name, res.Issues, format)
		}
		if records > 0 && res.Records != records {
			t.Errorf("%s: %d records; want %d", rel, res.Records, records)
		}
	}
	check(m.Register, "register-v1", 0)
	formats := map[string]bool{}
	for _, f := range m.Files {
		check("inbox/"+f.Key, f.Format, f.Records)
		formats[f.Format] = true
	}
	if len(formats) != len(gen.Kinds) {
		t.Errorf("formats written: %v; want every one of %v", formats, gen.Kinds)
	}

	raw, err := os.ReadFile(filepath.Join(dir, m.Register))
	if err != nil {
		t.Fatal(err)
	}
	fx, err := register.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := fx.Encode(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again.Bytes()) {
		t.Error("the register fixture is not canonical: decoding and encoding it changes it")
	}
	// Users in every status, certificates in every status.
	seen := map[string]bool{}
	for _, u := range fx.Users {
		seen[string(u.Status)] = true
	}
	for _, c := range fx.Certificates {
		seen[string(c.Kind)+":"+string(c.Status)] = true
	}
	for _, want := range []string{"ACTIVE", "REQUESTED", "REFUSED", "DEACTIVATED_BY_SPONSOR", "DEACTIVATED_BY_UKVI",
		"CAS:WORK_IN_PROGRESS", "CAS:READY_TO_GO", "CAS:ASSIGNED", "CAS:WITHDRAWN", "CAS:OBSOLETE", "CAS:USED",
		"CAS:EXPIRED", "CAS:CANCELLED", "COS:ASSIGNED", "COS:USED", "COS:WITHDRAWN", "COS:CANCELLED"} {
		if !seen[want] {
			t.Errorf("no %s in the register", want)
		}
	}
}

// Processing the files gives exactly what the manifest says: the share of
// invalid records asked for is rejected, each by the rule planned, the
// share of warnings is accepted with that warning, everything else is
// accepted.
func TestOutcomesAsPlanned(t *testing.T) {
	cfg := small
	cfg.Invalid, cfg.Warnings = 0.3, 0.1
	dir, m := generate(t, cfg)
	st := process(t, dir, m, 2)
	ctx := context.Background()
	files, err := st.FileList(ctx, storeAll)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*ledger.File{}
	for _, f := range files {
		byKey[f.Key] = f
	}
	catsSeen := map[rules.RuleID]bool{}
	for _, fi := range m.Files {
		if want := int(cfg.Invalid*float64(cfg.Records) + 0.5); fi.Invalid != want {
			t.Errorf("%s: %d invalid records planned; want %d", fi.Key, fi.Invalid, want)
		}
		if want := int(cfg.Warnings*float64(cfg.Records) + 0.5); fi.Warnings != want {
			t.Errorf("%s: %d warnings planned; want %d", fi.Key, fi.Warnings, want)
		}
		e := byKey[fi.Key]
		if e == nil {
			t.Fatalf("%s: not in the ledger", fi.Key)
		}
		if e.Status != ledger.PartiallyAccepted || e.Read != fi.Records || e.Accepted != fi.Accepted() ||
			e.Rejected != fi.Rejected() || e.Warnings != fi.Warnings {
			t.Errorf("%s: %s, read %d, accepted %d, rejected %d, warnings %d; want PARTIALLY_ACCEPTED, %d, %d, %d, %d",
				fi.Key, e.Status, e.Read, e.Accepted, e.Rejected, e.Warnings, fi.Records, fi.Accepted(), fi.Rejected(), fi.Warnings)
		}
		got := map[rules.RuleID]int{}
		for o, err := range st.Outcomes(ctx, e.ID) {
			if err != nil {
				t.Fatal(err)
			}
			var ids []rules.RuleID
			for _, f := range o.Findings {
				if !slices.Contains(ids, f.Rule) {
					ids = append(ids, f.Rule)
				}
			}
			for _, id := range ids {
				got[id]++
			}
			if o.Status == ledger.RecordRejected && len(ids) != 1 {
				t.Errorf("%s record %d: rejected by %v; want one rule", fi.Key, o.Index, ids)
			}
		}
		for id, n := range fi.Rules {
			catsSeen[id] = true
			if got[id] != n {
				t.Errorf("%s: %d records with %s; want %d", fi.Key, got[id], id, n)
			}
		}
		for id, n := range got {
			if fi.Rules[id] == 0 {
				t.Errorf("%s: %d records with %s, which was not planned", fi.Key, n, id)
			}
		}
	}
	for _, id := range []rules.RuleID{rules.RFeeAssigned, rules.RActivityUsed, rules.RCertFound, rules.RRecordDuplicate,
		rules.RFeePresent, rules.RIdentity, rules.RActivityDate, rules.RActivityWithdrawalAddress,
		rules.RFeeExceeds, rules.RActivityLate} {
		if !catsSeen[id] {
			t.Errorf("no record planned for %s", id)
		}
	}
}

// A share of schema-invalid records makes each file invalid against its XSD
// in exactly that many records, and bdt run rejects it whole (F.SCHEMA).
func TestSchemaInvalid(t *testing.T) {
	cfg := gen.Config{Seed: 3, Sponsors: 1, Records: 400, Invalid: 0.1, SchemaInvalid: 0.01,
		Formats: []string{"feeupdate-v2", "workeractivity-v1"}}
	dir, m := generate(t, cfg)
	v := schema.Default()
	for _, fi := range m.Files {
		if fi.SchemaInvalid != 4 {
			t.Errorf("%s: %d schema-invalid records planned; want 4", fi.Key, fi.SchemaInvalid)
		}
		f, err := os.Open(filepath.Join(dir, "inbox", fi.Key))
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Validate(f, nil, schema.Options{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		recs := map[int]bool{}
		for _, is := range res.Issues {
			if is.Rule != rules.FSchema || is.Record == 0 {
				t.Errorf("%s: unexpected issue %v", fi.Key, is)
			}
			recs[is.Record] = true
		}
		if len(recs) != fi.SchemaInvalid {
			t.Errorf("%s: %d records with schema issues; want %d", fi.Key, len(recs), fi.SchemaInvalid)
		}
	}
	st := process(t, dir, m, 1)
	files, err := st.FileList(context.Background(), storeAll)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range files {
		if e.Status != ledger.Rejected || e.Accepted != 0 {
			t.Errorf("%s: %s with %d accepted; want REJECTED", e.Key, e.Status, e.Accepted)
		}
	}
}

// Sizes outside the limits are refused.
func TestConfigRefused(t *testing.T) {
	for _, cfg := range []gen.Config{
		{Sponsors: 0, Records: 10},
		{Sponsors: 1, Records: 0},
		{Sponsors: 1, Records: 10, Invalid: 0.7, Warnings: 0.5},
		{Sponsors: 1, Records: 10, Formats: []string{"register-v1"}},
	} {
		if _, err := gen.Generate(cfg, t.TempDir()); err == nil {
			t.Errorf("%+v: generated", cfg)
		}
	}
	if _, err := gen.ParseFormats([]string{"feeupdate,bogus"}); err == nil {
		t.Error("an unknown kind was accepted")
	}
	got, err := gen.ParseFormats([]string{"feeupdate", "noshow,feeupdate-v1"})
	if err != nil || !slices.Equal(got, []string{"feeupdate-v2", "noshow-v1", "feeupdate-v1"}) {
		t.Errorf("ParseFormats = %v, %v", got, err)
	}
}

var storeAll = store.FileListParams{}

// process imports the register of dir into a fresh SQLite register and runs
// every upload through the runner with the manifest's processing time.
func process(t *testing.T, dir string, m *gen.Manifest, workers int) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := os.Open(filepath.Join(dir, m.Register))
	if err != nil {
		t.Fatal(err)
	}
	fx, err := register.Decode(f)
	f.Close()
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
	now, err := time.Parse(time.RFC3339, m.Now)
	if err != nil {
		t.Fatal(err)
	}
	locs := map[string]storage.Storage{}
	for _, name := range []string{"inbox", "outbox", "archive"} {
		l, err := storage.NewLocal(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		locs[name] = l
	}
	sum, err := runner.New(runner.Config{Store: st, Inbox: locs["inbox"], Outbox: locs["outbox"], Archive: locs["archive"],
		Now: func() time.Time { return now }, Workers: workers}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != len(m.Files) || sum.Failed() > 0 {
		t.Fatalf("%d files processed, %d failed; want %d processed", len(sum.Files), sum.Failed(), len(m.Files))
	}
	return st
}
