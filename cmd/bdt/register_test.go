package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const registerSample = "../../samples/register.xml"

// registerRun runs bdt with args and returns its exit code, standard output
// and standard error.
func registerRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	outC, errC := make(chan string), make(chan string)
	go func() { b, _ := io.ReadAll(outR); outC <- string(b) }()
	go func() { b, _ := io.ReadAll(errR); errC <- string(b) }()
	defer func() { os.Stdout, os.Stderr = oldOut, oldErr }()
	code = run(args)
	outW.Close()
	errW.Close()
	return code, <-outC, <-errC
}

// registerExportBytes exports the register db to a file and returns it.
func registerExportBytes(t *testing.T, db string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.xml")
	if code, _, stderr := registerRun(t, "register", "export", "--db", db, "-o", out); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRegisterImportExportRoundTrip(t *testing.T) {
	sample, err := os.ReadFile(registerSample)
	if err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(t.TempDir(), "register.db")
	code, stdout, stderr := registerRun(t, "register", "import", "--db", db, registerSample)
	if code != exitOK {
		t.Fatalf("import: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "8 sponsors") {
		t.Errorf("import said %q", stdout)
	}

	// To a file with -o, and to standard output.
	if got := registerExportBytes(t, db); !bytes.Equal(got, sample) {
		t.Errorf("export -o differs from %s (%d bytes; want %d)", registerSample, len(got), len(sample))
	}
	code, stdout, stderr = registerRun(t, "register", "export", "--db", db)
	if code != exitOK || stdout != string(sample) {
		t.Errorf("export to stdout: exit %d, %d bytes, equal %v; stderr %s", code, len(stdout), stdout == string(sample), stderr)
	}
}

func TestRegisterImportRefused(t *testing.T) {
	sample, err := os.ReadFile(registerSample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string { return registerWriteTemp(t, dir, name, text) }
	s := string(sample)
	tests := []struct {
		name string
		file string
		want []string // on stderr
	}{
		{"schema error", write("bad-status.xml", strings.Replace(s, "<Status>A_RATED</Status>", "<Status>TOP_RATED</Status>", 1)),
			[]string{"bad-status.xml:7:", "F.SCHEMA", "TOP_RATED"}},
		{"owner of another sponsor", write("bad-owner.xml", strings.Replace(s, "<Owner>intl.office02</Owner>", "<Owner>squinn</Owner>", 1)),
			[]string{"bad-owner.xml:", "F.SCHEMA", "squinn"}},
		{"not well-formed", write("broken.xml", s[:len(s)/2]), []string{"broken.xml:", "F.WELLFORMED"}},
		{"another kind", "../../samples/schema/valid/noshow-v1.xml", []string{"noshow-v1.xml:1:1: F.KIND", "not a register fixture"}},
		{"another kind, invalid", "../../samples/schema/invalid/cas-13-chars.xml", []string{"cas-13-chars.xml:1:1: F.KIND"}},
		{"unknown kind", write("unknown.xml", `<Register xmlns="urn:example:other"/>`), []string{"unknown.xml:", "F.KIND"}},
	}
	// A register already holding the sample: a refused import leaves it as
	// it was, byte for byte.
	db := "sqlite:" + filepath.Join(dir, "register.db")
	if code, _, stderr := registerRun(t, "register", "import", "--db", db, registerSample); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Into a new database: refused before the database is created.
			fresh := filepath.Join(t.TempDir(), "fresh.db")
			code, _, stderr := registerRun(t, "register", "import", "--db", "sqlite:"+fresh, tt.file)
			if code != exitFailed {
				t.Errorf("exit %d; want %d", code, exitFailed)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				t.Errorf("the refused import created %s (%v)", fresh, err)
			}
		})
	}

	t.Run("again", func(t *testing.T) {
		// The sample plus one new sponsor: the existing ids refuse it all.
		more := strings.Replace(s, "<Sponsors>\n", `<Sponsors>
    <Sponsor>
      <SponsorLicenceNumber>0NEWSP0N5</SponsorLicenceNumber>
      <Name>New Sponsor</Name>
      <Status>A_RATED</Status>
      <Nation>SCOTLAND</Nation>
    </Sponsor>
`, 1)
		code, _, stderr := registerRun(t, "register", "import", "--db", db, write("more.xml", more))
		if code != exitFailed || !strings.Contains(stderr, "already in the register") {
			t.Errorf("exit %d, stderr %s; want %d and already in the register", code, stderr, exitFailed)
		}
		if got := registerExportBytes(t, db); !bytes.Equal(got, sample) {
			t.Error("the register changed after a refused import")
		}
	})
}

func TestRegisterExportErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"database missing", []string{"register", "export", "--db", "sqlite:" + missing}, exitUsage, "missing.db does not exist; create it first: bdt register import"},
		{"postgres unreachable", []string{"register", "export", "--db", "postgres://u:secret@127.0.0.1:1/bdt"}, exitFailed, "postgres: connect to 127.0.0.1:1/bdt"},
		{"unwritable output", []string{"register", "export", "--db", "sqlite:" + filepath.Join(dir, "empty.db"),
			"-o", filepath.Join(dir, "no", "such", "dir", "out.xml")}, exitUsage, "out.xml"},
	}
	// An empty register exports as an empty fixture.
	if code, _, stderr := registerRun(t, "register", "import", "--db", "sqlite:"+filepath.Join(dir, "empty.db"),
		registerWriteTemp(t, dir, "empty.xml", `<Register xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1"/>`)); code != exitOK {
		t.Fatalf("import of an empty fixture: exit %d: %s", code, stderr)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := registerRun(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			if strings.Contains(stderr, "secret") {
				t.Errorf("stderr shows the password: %s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q; want nothing", stdout)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("export created %s", missing)
	}
	code, stdout, _ := registerRun(t, "register", "export", "--db", "sqlite:"+filepath.Join(dir, "empty.db"))
	if want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Register xmlns=\"urn:uk:gov:ukvi:sms:bdt:register:v1\"></Register>\n"; code != exitOK || stdout != want {
		t.Errorf("export of an empty register: exit %d, %q", code, stdout)
	}
}

func registerWriteTemp(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
