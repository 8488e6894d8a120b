package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Local is a Storage in a folder of the local file system.
type Local struct {
	root string // absolute, symlinks resolved
}

var _ Storage = (*Local)(nil)

// NewLocal returns the Storage rooted at dir, creating dir if needed.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, fmt.Errorf("storage: empty folder path")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Local{root: abs}, nil
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
		if strings.HasPrefix(d.Name(), ".bdt-tmp-") {
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

// Put writes r to a temporary file in the key's folder, syncs it and renames
// it into place, so the object is complete or absent.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".bdt-tmp-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		return fmt.Errorf("storage: write %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("storage: sync %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	done = true
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
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
