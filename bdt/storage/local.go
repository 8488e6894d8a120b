package storage

import (
	"context"
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

// List walks the folder. Symbolic links, special files and names that are
// not safe keys are skipped and reported; temporary files of Put are ignored.
func (l *Local) List(ctx context.Context, prefix string) ([]Object, []Skipped, error) {
	var objs []Object
	var skipped []Skipped
	err := filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p == l.root {
			return nil
		}
		rel, _ := filepath.Rel(l.root, p)
		key := filepath.ToSlash(rel)
		if d.Type()&fs.ModeSymlink != 0 {
			skipped = append(skipped, Skipped{Key: fmt.Sprintf("%q", key), Reason: "is a symbolic link"})
			return nil
		}
		if d.IsDir() {
			if CheckKey(key) != nil {
				skipped = append(skipped, Skipped{Key: fmt.Sprintf("%q", key), Reason: "folder name is not a safe key"})
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".bdt-tmp-") {
			return nil
		}
		if !d.Type().IsRegular() {
			skipped = append(skipped, Skipped{Key: fmt.Sprintf("%q", key), Reason: "is not a regular file"})
			return nil
		}
		if err := CheckKey(key); err != nil {
			skipped = append(skipped, Skipped{Key: fmt.Sprintf("%q", key), Reason: err.(*KeyError).Reason})
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile
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

// Open opens key for reading. It refuses a key whose file is a symbolic link.
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
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &KeyError{Key: key, Reason: "not a regular file"}
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
