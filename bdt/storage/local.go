package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bdt/bdt/failpoint"
)

// Local is a Storage in a folder of the local file system.
type Local struct {
	root  string // absolute, symlinks resolved
	modes Modes
}

var _ Storage = (*Local)(nil)

// Modes are the permissions a Local gives the files and folders it creates.
// A zero mode follows the process umask, as any program's files do: 0666
// and 0777 masked, so 0644 and 0755 under the usual umask 022. A mode given
// is set exactly, whatever the umask. Folders that exist are left as they
// are.
type Modes struct {
	File fs.FileMode
	Dir  fs.FileMode
}

// stagingDir is the folder, at the root of a Local, where Put writes its
// temporary files before renaming them into place: beside the sponsors'
// folders, never in one, so that a sponsor never sees a half-written
// report, even one a crash left behind.
const stagingDir = ".bdt/tmp"

// tempPrefix begins the name of every temporary file of Put.
const tempPrefix = ".bdt-tmp-"

// staleTemp is how old a temporary file of Put must be for NewLocal to
// remove it: no Put takes that long without writing, so its writer died.
const staleTemp = time.Hour

// NewLocal returns the Storage rooted at dir, creating dir if needed, with
// modes following the umask (NewLocalModes).
func NewLocal(dir string) (*Local, error) { return NewLocalModes(dir, Modes{}) }

// NewLocalModes returns the Storage rooted at dir, creating dir if needed,
// that creates files and folders with modes. It removes the temporary files
// that crashed writers left in its staging folder.
func NewLocalModes(dir string, modes Modes) (*Local, error) {
	if dir == "" {
		return nil, fmt.Errorf("storage: empty folder path")
	}
	if err := mkdirAll(dir, modes.Dir); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	l := &Local{root: abs, modes: modes}
	l.removeStale(time.Now())
	return l, nil
}

// removeStale removes the temporary files in the staging folder last
// written before now minus staleTemp.
func (l *Local) removeStale(now time.Time) {
	dir := filepath.Join(l.root, filepath.FromSlash(stagingDir))
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), tempPrefix) && now.Sub(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// mkdirAll creates dir and any parents missing, with mode (0 for 0777
// under the umask), like os.MkdirAll; a mode given is set on each folder
// it creates, whatever the umask.
func mkdirAll(dir string, mode fs.FileMode) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent, mode); err != nil {
			return err
		}
	}
	perm := mode
	if perm == 0 {
		perm = 0o777
	}
	err := os.Mkdir(dir, perm)
	if errors.Is(err, fs.ErrExist) {
		return nil // made meanwhile by someone else
	}
	if err == nil && mode != 0 {
		err = os.Chmod(dir, mode)
	}
	return err
}

// Root returns the folder's absolute path.
func (l *Local) Root() string { return l.root }

func (l *Local) String() string { return l.root }

func (l *Local) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// List walks the folder, from the deepest folder the prefix names, and
// enters only the folders that can hold keys starting with the prefix (a
// sponsor's queue walks only that sponsor's folder). Symbolic links, special
// files, files with more than one hard link and names that are not safe keys
// are skipped and reported; temporary files of Put are ignored.
func (l *Local) List(ctx context.Context, prefix string) ([]Object, []Skipped, error) {
	start, skipped, ok, err := l.walkStart(prefix)
	if err != nil || !ok {
		return nil, skipped, err
	}
	var objs []Object
	err = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir // the folder vanished meanwhile
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p == start {
			return nil // checked by walkStart
		}
		rel, _ := filepath.Rel(l.root, p)
		key := filepath.ToSlash(rel)
		skip := func(reason string) { skipped = append(skipped, Skipped{Key: fmt.Sprintf("%q", key), Reason: reason}) }
		if d.IsDir() {
			if !strings.HasPrefix(key+"/", prefix) {
				return fs.SkipDir // nothing in it can start with the prefix
			}
			if CheckKey(key) != nil {
				skip("folder name is not a safe key")
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			skip("is a symbolic link")
			return nil
		}
		if !d.Type().IsRegular() {
			skip("is not a regular file")
			return nil
		}
		if err := CheckKey(key); err != nil {
			skip(err.(*KeyError).Reason)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile
		}
		if reason := refuseFile(info); reason != "" {
			skip(reason)
			return nil
		}
		objs = append(objs, Object{Key: key, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("storage: list %s: %w", l.root, err)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	return objs, skipped, nil
}

// walkStart returns the folder List walks for prefix: the deepest folder
// the prefix names in full ("4NUV7KB58/" and "4NUV7KB58/fe" both start at
// 4NUV7KB58), found without following a symbolic link. ok is false when
// nothing can be under the prefix: the folder is missing, is not a folder,
// or its name is not a safe key; a symbolic link on the way is reported
// in skipped, as the whole walk would report it. The folder's own root
// must be there: a missing root is an error whatever the prefix.
func (l *Local) walkStart(prefix string) (start string, skipped []Skipped, ok bool, err error) {
	if _, err := os.Stat(l.root); err != nil {
		return "", nil, false, fmt.Errorf("storage: list %s: %w", l.root, err)
	}
	i := strings.LastIndex(prefix, "/")
	if i < 0 {
		return l.root, nil, true, nil
	}
	dir := prefix[:i]
	if CheckKey(dir) != nil {
		return "", nil, false, nil
	}
	p := l.root
	segs := strings.Split(dir, "/")
	for i, seg := range segs {
		p = filepath.Join(p, seg)
		fi, err := os.Lstat(p)
		if err != nil {
			return "", nil, false, nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", []Skipped{{Key: fmt.Sprintf("%q", strings.Join(segs[:i+1], "/")), Reason: "is a symbolic link"}}, false, nil
		}
		if !fi.IsDir() {
			return "", nil, false, nil
		}
	}
	return p, nil, true, nil
}

// refuseFile says why a regular file is not listed or opened, or "" when it
// may be. A file with more than one hard link may be another file of this
// machine linked into the folder (the register's database, say): its
// contents are not the folder's to read or archive.
func refuseFile(fi fs.FileInfo) string {
	if n := linkCount(fi); n > 1 {
		return fmt.Sprintf("has %d hard links (a file linked into the folder from elsewhere)", n)
	}
	return ""
}

// Open opens key for reading. It refuses a key whose file is a symbolic
// link, not a regular file, or has more than one hard link.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(p)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &KeyError{Key: key, Reason: "not a regular file"}
	}
	// O_NONBLOCK: an entry swapped for a FIFO after the Lstat above must
	// not block the open; the Stat of what was opened then refuses it.
	f, err := os.OpenFile(p, os.O_RDONLY|noFollow|nonBlock, 0)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	fi, err = f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &KeyError{Key: key, Reason: "not a regular file"}
	}
	if reason := refuseFile(fi); reason != "" {
		f.Close()
		return nil, &KeyError{Key: key, Reason: reason}
	}
	return f, nil
}

// Put writes r to a temporary file in the staging folder, syncs it and
// renames it into place, so the object is complete or absent. When the
// key's folder is on another file system than the staging folder (a
// sponsor's folder mounted on its own), the temporary file is copied to
// one beside the key and renamed from there.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := mkdirAll(dir, l.modes.Dir); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	stage := filepath.Join(l.root, filepath.FromSlash(stagingDir))
	if err := os.MkdirAll(stage, 0o700); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp, err := l.writeTemp(stage, key, r)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	failpoint.Hit("before-rename")
	err = os.Rename(tmp, p)
	if errors.Is(err, syscall.EXDEV) {
		err = l.renameAcross(tmp, dir, key, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// renameAcross moves the temporary file tmp to p on another file system: a
// copy to a temporary file in p's folder dir, renamed into place; tmp is
// removed.
func (l *Local) renameAcross(tmp, dir, key, p string) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	near, err := l.writeTemp(dir, key, f)
	f.Close()
	if err != nil {
		return err
	}
	if err := os.Rename(near, p); err != nil {
		os.Remove(near)
		return err
	}
	return os.Remove(tmp)
}

// writeTemp writes r to a new temporary file in dir, with the file mode of
// l, synced and closed, and returns its path. On error nothing is left.
func (l *Local) writeTemp(dir, key string, r io.Reader) (string, error) {
	perm := l.modes.File
	if perm == 0 {
		perm = 0o666 // under the umask, as os.Create
	}
	var tmp *os.File
	var err error
	for range 100 {
		name := filepath.Join(dir, tempPrefix+strconv.FormatUint(rand.Uint64(), 36))
		tmp, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if l.modes.File != 0 {
		if err := tmp.Chmod(l.modes.File); err != nil {
			return fail(err)
		}
	}
	if _, err := io.Copy(tmp, r); err != nil {
		return fail(fmt.Errorf("write %s: %w", key, err))
	}
	if err := tmp.Sync(); err != nil {
		return fail(fmt.Errorf("sync %s: %w", key, err))
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("close %s: %w", key, err)
	}
	return tmp.Name(), nil
}

// Delete removes key; a missing key is not an error.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}
