// Package migration reads a driver's embedded, numbered schema migrations:
// files NNN_name.sql, applied in order of NNN. A migration is never edited
// once released; a change to the schema is a new file. Each driver applies
// them in its own way (SQLite in one IMMEDIATE transaction, PostgreSQL under
// an advisory lock) and records them in schema_migrations.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"bdt/bdt/store"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string // file name
	SQL     string
}

// Load returns the migrations matching glob in fsys (e.g. "migrations/*.sql"),
// in order. Their versions must be 1, 2, 3… without gaps; driver names the
// driver in errors.
func Load(fsys fs.FS, glob, driver string) ([]Migration, error) {
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, name := range names { // fs.Glob sorts
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("%s: migration %s: name is not NNN_name.sql", driver, base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s: migration %s: want version %d", driver, m.Name, i+1)
		}
	}
	return out, nil
}

// Latest returns the newest version among ms, 0 for none.
func Latest(ms []Migration) int {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Set is a driver's embedded migrations.
type Set struct {
	FS     fs.FS
	Glob   string // the migration files in FS, e.g. "migrations/*.sql"
	Driver string // names the driver in errors
}

// Load returns the migrations of the set in order (1, 2, 3… without gaps).
func (s Set) Load() ([]Migration, error) {
	return Load(s.FS, s.Glob, s.Driver)
}

// Version returns the newest version of the set: the schema version a
// binary holding it knows. It is 0 when the migrations do not load.
func (s Set) Version() int {
	ms, err := s.Load()
	if err != nil {
		return 0
	}
	return Latest(ms)
}

// Pending returns the migrations of ms that a database at schema version
// have lacks. A database newer than ms is refused with
// store.ErrSchemaTooNew; where names it in the error ("postgres", "sqlite:
// FILE").
func Pending(ms []Migration, have int, where string) ([]Migration, error) {
	if known := Latest(ms); have > known {
		return nil, fmt.Errorf("%s: schema version %d is newer than this bdt, which knows up to version %d: "+
			"a newer bdt migrated this database; run that version (or newer): %w", where, have, known, store.ErrSchemaTooNew)
	}
	return ms[have:], nil
}
