package storage_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/storage"
)

// modeOf returns the permission bits of p.
func modeOf(t *testing.T, p string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestLocalModes: what Put creates follows the umask, or the modes given
// whatever the umask; folders that were there keep theirs.
func TestLocalModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	for _, c := range []struct {
		modes             storage.Modes
		wantFile, wantDir fs.FileMode
	}{
		{storage.Modes{}, 0o640, 0o750},
		{storage.Modes{File: 0o604, Dir: 0o705}, 0o604, 0o705},
	} {
		root := filepath.Join(t.TempDir(), "outbox", "new")
		s, err := storage.NewLocalModes(root, c.modes)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(context.Background(), "4NUV7KB58/deep/r.xml", strings.NewReader("<r/>")); err != nil {
			t.Fatal(err)
		}
		if m := modeOf(t, filepath.Join(root, "4NUV7KB58", "deep", "r.xml")); m != c.wantFile {
			t.Errorf("%+v: file mode %o, want %o", c.modes, m, c.wantFile)
		}
		for _, d := range []string{filepath.Dir(root), root, filepath.Join(root, "4NUV7KB58"), filepath.Join(root, "4NUV7KB58", "deep")} {
			if m := modeOf(t, d); m != c.wantDir {
				t.Errorf("%+v: folder %s mode %o, want %o", c.modes, d, m, c.wantDir)
			}
		}
	}
	// A folder that exists keeps its mode.
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "4NUV7KB58"), 0o711)
	os.Chmod(filepath.Join(root, "4NUV7KB58"), 0o711)
	s, _ := storage.NewLocalModes(root, storage.Modes{Dir: 0o755})
	if err := s.Put(context.Background(), "4NUV7KB58/r.xml", strings.NewReader("<r/>")); err != nil {
		t.Fatal(err)
	}
	if m := modeOf(t, filepath.Join(root, "4NUV7KB58")); m != 0o711 {
		t.Errorf("an existing folder's mode became %o", m)
	}
}

// TestLocalStaging: Put writes its temporary files in the staging folder,
// never in the key's folder; a temporary file a crashed writer left there
// is removed by the next NewLocal once stale, a recent one is not.
func TestLocalStaging(t *testing.T) {
	root := t.TempDir()
	s, err := storage.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	// A reader that looks at the sponsor's folder while Put is writing.
	seen := &peekReader{dir: filepath.Join(root, "4NUV7KB58"), r: strings.NewReader(strings.Repeat("x", 1<<16))}
	os.MkdirAll(seen.dir, 0o755)
	if err := s.Put(context.Background(), "4NUV7KB58/r.xml", seen); err != nil {
		t.Fatal(err)
	}
	if seen.peeks < 2 {
		t.Fatal("the folder was never looked at during the write")
	}
	for _, n := range seen.names {
		t.Errorf("the sponsor's folder showed %q while the report was written", n)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "4NUV7KB58"))
	if len(ents) != 1 || ents[0].Name() != "r.xml" {
		t.Errorf("the sponsor's folder holds %v, want r.xml alone", ents)
	}

	stage := filepath.Join(root, ".bdt", "tmp")
	stale, fresh := filepath.Join(stage, ".bdt-tmp-stale"), filepath.Join(stage, ".bdt-tmp-fresh")
	os.WriteFile(stale, []byte("half"), 0o600)
	os.WriteFile(fresh, []byte("half"), 0o600)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	if _, err := storage.NewLocal(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent temporary file (a writer at work) was removed: %v", err)
	}
	objs, _, err := s.List(context.Background(), "")
	if err != nil || len(objs) != 1 || objs[0].Key != "4NUV7KB58/r.xml" {
		t.Errorf("List = %v, %v; want the report alone", objs, err)
	}
}

// peekReader lists dir at every Read, keeping the names other than
// r.xml that it sees there.
type peekReader struct {
	dir   string
	r     *strings.Reader
	peeks int
	names []string
}

func (p *peekReader) Read(b []byte) (int, error) {
	p.peeks++
	ents, _ := os.ReadDir(p.dir)
	for _, e := range ents {
		if e.Name() != "r.xml" {
			p.names = append(p.names, e.Name())
		}
	}
	if len(b) > 4096 {
		b = b[:4096]
	}
	return p.r.Read(b)
}
