package postgres

import (
	"context"
	"embed"
	"fmt"

	schemamig "bdt/bdt/store/migration"
)

// migrationFiles holds the numbered migrations, NNN_name.sql (see
// bdt/store/migration).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations are the driver's schema migrations.
var migrations = schemamig.Set{FS: migrationFiles, Glob: "migrations/*.sql", Driver: "postgres"}

// SchemaVersion returns the newest schema version this binary knows.
func SchemaVersion() int { return migrations.Version() }

// migrate brings the schema up to the newest version (when apply is set) in
// one transaction holding an advisory lock of the schema, so replicas
// starting at once serialise and all but the first find the work done. DDL
// is transactional in PostgreSQL: a migration that fails leaves nothing
// behind. It returns the version the database had before, and refuses a
// newer schema than this binary knows.
func (s *Store) migrate(ctx context.Context, apply bool) (int, error) {
	ms, err := migrations.Load()
	if err != nil {
		return 0, err
	}
	t, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	// One lock per schema: registers in different schemas of one database
	// (tests, or several environments) migrate independently.
	if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('bdt migrate ' || current_schema(), 0))`); err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := t.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	var have int
	if err := t.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	pending, err := schemamig.Pending(ms, have, "postgres")
	if err != nil {
		return have, err
	}
	if len(pending) > 0 && !apply {
		return have, fmt.Errorf("postgres: schema version %d, this bdt needs %d: %w", have, len(ms), ErrSchemaTooOld)
	}
	for _, m := range pending {
		if _, err := t.Exec(ctx, m.SQL); err != nil {
			return have, fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		if _, err := t.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return have, fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	if err := t.Commit(ctx); err != nil {
		return have, fmt.Errorf("postgres: migrate: %w", err)
	}
	return have, nil
}

// Migrate applies the migrations the database lacks (OpenWith has already,
// unless Params.NoMigrate) and returns the schema versions before and after.
func (s *Store) Migrate(ctx context.Context) (from, to int, err error) {
	from, err = s.migrate(ctx, true)
	if err != nil {
		return from, from, err
	}
	to, err = s.SchemaVersion(ctx)
	return from, to, err
}

// SchemaVersion returns the schema version of the database: the newest
// migration applied to it.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}
