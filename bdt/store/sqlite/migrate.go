package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"time"

	"bdt/bdt/store/internal/sqlrow"
	schemamig "bdt/bdt/store/migration"
)

// migrationFiles holds the numbered migrations, NNN_name.sql (see
// bdt/store/migration).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations are the driver's schema migrations.
var migrations = schemamig.Set{FS: migrationFiles, Glob: "migrations/*.sql", Driver: "sqlite"}

// SchemaVersion returns the newest schema version this binary knows.
func SchemaVersion() int { return migrations.Version() }

// migrate brings the database up to the newest schema version in one
// IMMEDIATE transaction, so two processes opening a new file at once
// serialise and the second finds the work done. It refuses a database whose
// version is newer than this binary knows. A database already up to date
// is found so by a read, which takes no lock: opening the store (for
// `bdt files list`, say) does not wait for a file's write transaction.
func migrate(ctx context.Context, db *sql.DB, file string) error {
	ms, err := migrations.Load()
	if err != nil {
		return err
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err == nil {
		pending, err := schemamig.Pending(ms, have, "sqlite: "+file)
		if err != nil || len(pending) == 0 {
			return err
		}
	} // else no schema_migrations yet: a new file
	// Foreign keys are off while migrations run, so that one may build a
	// table again under its name (SQLite's procedure for a change ALTER
	// TABLE cannot make: migration 008); foreign_key_check below refuses
	// to commit what they would have refused. The pragma is a no-op inside
	// a transaction, hence a connection of its own, set back (or dropped)
	// before it returns to the pool.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	defer closeMigrationConn(conn)
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	t, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	defer t.Rollback()
	if _, err := t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	if err := t.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	pending, err := schemamig.Pending(ms, have, "sqlite: "+file)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if _, err := t.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: %s: migration %s: %w", file, m.Name, err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, sqlrow.FormatTime(time.Now())); err != nil {
			return fmt.Errorf("sqlite: %s: migration %s: %w", file, m.Name, err)
		}
	}
	if err := foreignKeyCheck(ctx, t); err != nil {
		return fmt.Errorf("sqlite: %s: migrate: %w", file, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: migrate: %w", file, err)
	}
	return nil
}

// foreignKeyCheck returns an error naming the first row of the database
// that breaks a foreign key, if any.
func foreignKeyCheck(ctx context.Context, t *sql.Tx) error {
	rows, err := t.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("row %d of %s refers to a missing row of %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// closeMigrationConn turns foreign keys back on for conn and returns it to
// the pool; a connection where that fails is dropped instead.
func closeMigrationConn(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

// SchemaVersion returns the schema version of the database: the newest
// migration applied to it.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.rdb.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return v, nil
}
