package export_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/action"
	"bdt/bdt/export"
	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/storetest"
	"bdt/rules"
	"bdt/schema"
)

var update = flag.Bool("update", false, "rewrite the golden exports in testdata")

// The licences and users of storetest.Fixture, and one user more.
const (
	uni      = "4NUV7KB58"
	employer = "NTMHWM0V3"
	scottish = "S7KQ2LMX4"
	uniL1    = "uni.admin"
	uniL2    = "uni.intl01"
	empL1    = "emp.hr"
	scotL1   = "scot.admin" // added: a user of the suspended licence
)

var now = time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)

// register returns a SQLite register holding storetest.Fixture, with its
// Level 2 user of uni made Active and a Level 1 user for the suspended
// licence, edited by edit when given.
func newRegister(t *testing.T, edit func(f *register.Fixture)) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := storetest.Fixture()
	for i := range f.Users {
		if f.Users[i].ID == uniL2 {
			f.Users[i].Status = rules.UserActive
		}
	}
	f.Users = append(f.Users, rules.User{ID: scotL1, Sponsor: scottish, Name: "S", Level: rules.Level1, Status: rules.UserActive})
	if edit != nil {
		edit(f)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := f.Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// valid fails t unless doc is valid against the XSD of format name, read
// by libxml2 through schema.
func valid(t *testing.T, doc []byte, name string) {
	t.Helper()
	res, err := schema.Default().Validate(bytes.NewReader(doc), nil, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() || res.Format.Name != name {
		t.Fatalf("export validated as %q with issues %v; want a valid %s\n%s", res.Format.Name, res.Issues, name, doc)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to accept):\n%s", path, got)
	}
}

func TestWrite(t *testing.T) {
	st := newRegister(t, nil)
	for _, tc := range []struct {
		name, golden, user string
		p                  export.Params
		count              int
	}{
		{"every CAS", "cas.xml", uniL1, export.Params{Kind: rules.CAS}, 2},
		{"CAS since, boundary included", "cas-since.xml", uniL1, export.Params{Kind: rules.CAS, Since: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}, 1},
		{"Level 2: only their own", "cas-level2.xml", uniL2, export.Params{Kind: rules.CAS}, 1},
		{"every CoS", "cos.xml", empL1, export.Params{Kind: rules.CoS}, 2},
		{"nothing changed since", "cos-none.xml", empL1, export.Params{Kind: rules.CoS, Since: now}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			sum, fs, err := export.Write(context.Background(), &buf, st, action.Who{User: tc.user, Now: now}, tc.p)
			if err != nil || len(fs) > 0 {
				t.Fatalf("Write: %v, %v", fs, err)
			}
			if sum.Count != tc.count {
				t.Errorf("count %d; want %d", sum.Count, tc.count)
			}
			valid(t, buf.Bytes(), export.FormatName(tc.p.Kind))
			golden(t, tc.golden, buf.Bytes())
		})
	}
}

func TestWriteRefused(t *testing.T) {
	st := newRegister(t, func(f *register.Fixture) {
		f.Sponsors[1].Status = rules.LicenceRevoked // employer
	})
	for _, tc := range []struct {
		name, user string
		kind       rules.CertKind
		want       rules.RuleID
	}{
		{"suspended licence", scotL1, rules.CAS, rules.FLicenceSuspended},
		{"revoked licence", empL1, rules.CoS, rules.FLicenceAccess},
		{"no Worker route", uniL1, rules.CoS, rules.FRoute},
		{"unknown user", "nobody", rules.CAS, rules.FUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, fs, err := export.Write(context.Background(), &buf, st, action.Who{User: tc.user, Now: now}, export.Params{Kind: tc.kind})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].Rule != tc.want {
				t.Fatalf("findings %+v; want one %s", fs, tc.want)
			}
			if buf.Len() != 0 {
				t.Fatalf("a refused export wrote %d bytes", buf.Len())
			}
		})
	}
}

// TestCutShortIsInvalid checks that the XSD tells a whole export from one
// cut short: without its count, an export is not valid.
func TestCutShortIsInvalid(t *testing.T) {
	st := newRegister(t, nil)
	var buf bytes.Buffer
	if _, _, err := export.Write(context.Background(), &buf, st, action.Who{User: uniL1, Now: now}, export.Params{Kind: rules.CAS}); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	i, j := strings.Index(doc, "  <RecordCount>"), strings.Index(doc, "</CASExport>")
	if i < 0 || j < i {
		t.Fatalf("no count before the end:\n%s", doc)
	}
	res, err := schema.Default().Validate(strings.NewReader(doc[:i]+doc[j:]), nil, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid() {
		t.Fatal("an export without its count is valid")
	}
}
