package main

// This file turns a failure to write bdt's data folder (the register's
// folder, an outbox or archive folder) into one clear line: which folder,
// who owns it, and the two ways out. In a container the usual cause is a
// volume owned by the host's user while bdt runs as uid 10001, which SQLite
// would report as "unable to open database file".

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"bdt/bdt/store/open"
)

// registerFolderError returns the clear error when the folder of the SQLite
// register dsn cannot be written by this process, or nil (a PostgreSQL
// register, a folder that can be written, a cause that is something else).
func registerFolderError(dsn string) error {
	p, err := open.Parse(dsn)
	if err != nil || p.Driver != "sqlite" {
		return nil
	}
	return folderError(filepath.Dir(p.Path))
}

// locationFolderError is folderError for a storage location that is a
// local folder (a path or file://), nil for any other.
func locationFolderError(loc string) error {
	if scheme, _, ok := strings.Cut(loc, "://"); ok {
		if scheme != "file" {
			return nil
		}
		loc = strings.TrimPrefix(loc, "file://")
	}
	return folderError(loc)
}

// folderError returns the clear error when files cannot be created in dir
// (or, if dir is missing, in the nearest folder above it that exists), or
// nil when they can. It tries: permissions, ACLs, read-only mounts and
// root's privileges all decide at once.
func folderError(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for {
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return nil
		}
		abs = parent
	}
	f, err := os.CreateTemp(abs, ".bdt-probe-*")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		return nil
	}
	if errors.Is(err, syscall.EROFS) {
		return exitWith(exitUsage, "cannot write %s: it is on a read-only file system; give bdt a writable folder (a volume)", abs)
	}
	if !errors.Is(err, fs.ErrPermission) {
		return nil
	}
	fi, statErr := os.Stat(abs)
	st, ok := fi.Sys().(*syscall.Stat_t)
	if statErr != nil || !ok {
		return exitWith(exitUsage, "cannot write %s: %v", abs, err)
	}
	me := os.Geteuid()
	return exitWith(exitUsage, "cannot write %s: owned by uid %d (mode %04o), and bdt runs as uid %d; "+
		"run bdt as uid %d (docker run --user %d) or give the folder to uid %d (chown -R %d %s)",
		abs, st.Uid, fi.Mode().Perm(), me, st.Uid, st.Uid, me, me, abs)
}
