package sqlrow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bdt/bdt/store"
)

// Accounts implements store.Accounts for a driver's Store, which embeds it
// (NewAccounts): the tables of migration 007 are the same in both drivers,
// and so is every statement, written with PostgreSQL's numbered
// placeholders ($1); SQLite reads them as ?1 (NumberedForSQLite). Instants
// are text (FormatTime), "" for none.
type Accounts struct {
	db AccountsDB
}

// AccountsDB is what Accounts needs of a driver, outside any transaction
// of the register.
type AccountsDB struct {
	// Exec runs a statement and returns the number of rows it changed.
	Exec func(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query; the caller closes the rows (close).
	Query func(ctx context.Context, query string, args ...any) (rows Rows, close func(), err error)
	// InTx runs fn in one read-write transaction, with its own exec,
	// committed when fn returns nil.
	InTx func(ctx context.Context, fn func(exec func(ctx context.Context, query string, args ...any) (int64, error)) error) error
	// Violation tells the constraint violation err is: a unique key
	// (store.ErrExists) or a foreign key (store.ErrNotFound), or neither.
	Violation func(err error) (unique, foreign bool)
}

// NewAccounts returns the Accounts of a driver.
func NewAccounts(db AccountsDB) Accounts { return Accounts{db: db} }

var _ store.Accounts = Accounts{}

// NumberedForSQLite turns the numbered placeholders of a statement ($1)
// into SQLite's (?1), which bind by number in any order. The statements of
// Accounts hold no other $.
func NumberedForSQLite(query string) string { return strings.ReplaceAll(query, "$", "?") }

// optTime is an instant as an optional column holds it: "" for the zero
// time.
func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

// parseOptTime reads what optTime wrote.
func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseTime(s)
}

// violation wraps err as store.ErrExists or store.ErrNotFound when it is
// the violation of a unique or a foreign key, saying what about.
func (a Accounts) violation(err error, what string) error {
	switch unique, foreign := a.db.Violation(err); {
	case unique:
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	case foreign:
		return fmt.Errorf("%s: user %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// queryOne runs query and scans its one row into dest; it reports false
// when there is none.
func (a Accounts) queryOne(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	rows, closeRows, err := a.db.Query(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer closeRows()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Err()
}

// Credential implements store.Accounts.
func (a Accounts) Credential(ctx context.Context, user string) (*store.Credential, error) {
	var c store.Credential
	var locked, changed string
	ok, err := a.queryOne(ctx, `SELECT user_id, hash, must_change, failed, locked_until, changed_at FROM credential WHERE user_id = $1`,
		[]any{user}, &c.User, &c.Hash, &c.MustChange, &c.Lockout.Failed, &locked, &changed)
	if err != nil || !ok {
		return nil, wrapErr(err, "credential of %s", user)
	}
	if c.Lockout.LockedUntil, err = parseOptTime(locked); err != nil {
		return nil, err
	}
	if c.Changed, err = ParseTime(changed); err != nil {
		return nil, err
	}
	return &c, nil
}

// CredentialSet implements store.Accounts.
func (a Accounts) CredentialSet(ctx context.Context, p store.CredentialSetParams) error {
	keep := p.KeepSession
	if keep == nil {
		keep = []byte{} // matches no session: every one ends
	}
	err := a.db.InTx(ctx, func(exec func(context.Context, string, ...any) (int64, error)) error {
		if _, err := exec(ctx, `INSERT INTO credential (user_id, hash, must_change, failed, locked_until, changed_at)
			VALUES ($1, $2, $3, 0, '', $4)
			ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, must_change = excluded.must_change,
				failed = 0, locked_until = '', changed_at = excluded.changed_at`,
			p.User, p.Hash, p.MustChange, FormatTime(p.Now)); err != nil {
			return a.violation(err, "set the password of "+p.User)
		}
		_, err := exec(ctx, `DELETE FROM user_session WHERE user_id = $1 AND hash <> $2`, p.User, keep)
		return wrapErr(err, "end the sessions of %s", p.User)
	})
	return err
}

// CredentialAttempt implements store.Accounts: one UPDATE whose WHERE is
// the lockout read. PostgreSQL re-checks the WHERE of an UPDATE that waited
// for another's row lock against the row that one committed, and SQLite
// runs one write at a time, so of two attempts decided on one lockout only
// the first is recorded.
func (a Accounts) CredentialAttempt(ctx context.Context, p store.CredentialAttemptParams) (bool, error) {
	n, err := a.db.Exec(ctx, `UPDATE credential SET failed = $4, locked_until = $5
		WHERE user_id = $1 AND failed = $2 AND locked_until = $3`,
		p.User, p.From.Failed, optTime(p.From.LockedUntil), p.To.Failed, optTime(p.To.LockedUntil))
	if err != nil {
		return false, wrapErr(err, "record a sign-in attempt of %s", p.User)
	}
	return n == 1, nil
}

// CredentialUnlock implements store.Accounts.
func (a Accounts) CredentialUnlock(ctx context.Context, user string) error {
	n, err := a.db.Exec(ctx, `UPDATE credential SET failed = 0, locked_until = '' WHERE user_id = $1`, user)
	if err != nil {
		return wrapErr(err, "unlock %s", user)
	}
	if n == 0 {
		return fmt.Errorf("unlock %s: no password set: %w", user, store.ErrNotFound)
	}
	return nil
}

// SessionCreate implements store.Accounts.
func (a Accounts) SessionCreate(ctx context.Context, p store.SessionCreateParams) error {
	now := FormatTime(p.Now)
	if _, err := a.db.Exec(ctx, `INSERT INTO user_session (hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)`,
		p.Hash, p.User, p.CSRF, now); err != nil {
		return a.violation(err, "create a session of "+p.User)
	}
	return nil
}

// Session implements store.Accounts.
func (a Accounts) Session(ctx context.Context, hash []byte) (*store.Session, error) {
	var s store.Session
	var created, seen string
	ok, err := a.queryOne(ctx, `SELECT hash, user_id, csrf, created_at, last_seen FROM user_session WHERE hash = $1`,
		[]any{hash}, &s.Hash, &s.User, &s.CSRF, &created, &seen)
	if err != nil || !ok {
		return nil, wrapErr(err, "read a session")
	}
	if s.Created, err = ParseTime(created); err != nil {
		return nil, err
	}
	if s.LastSeen, err = ParseTime(seen); err != nil {
		return nil, err
	}
	return &s, nil
}

// SessionTouch implements store.Accounts.
func (a Accounts) SessionTouch(ctx context.Context, p store.SessionTouchParams) (bool, error) {
	n, err := a.db.Exec(ctx, `UPDATE user_session SET last_seen = CASE WHEN last_seen < $2 THEN $2 ELSE last_seen END WHERE hash = $1`,
		p.Hash, FormatTime(p.Now))
	if err != nil {
		return false, wrapErr(err, "touch a session")
	}
	return n == 1, nil
}

// SessionDelete implements store.Accounts.
func (a Accounts) SessionDelete(ctx context.Context, hash []byte) error {
	_, err := a.db.Exec(ctx, `DELETE FROM user_session WHERE hash = $1`, hash)
	return wrapErr(err, "end a session")
}

// TokenCreate implements store.Accounts.
func (a Accounts) TokenCreate(ctx context.Context, p store.TokenCreateParams) (int64, error) {
	var id int64
	_, err := a.queryOne(ctx, `INSERT INTO api_token (user_id, name, hash, created_at, last_used, revoked_at)
		VALUES ($1, $2, $3, $4, '', '') RETURNING id`, []any{p.User, p.Name, p.Hash, FormatTime(p.Now)}, &id)
	if err != nil {
		return 0, a.violation(err, "create a token for "+p.User)
	}
	return id, nil
}

// tokenSelect reads a Token (scanToken) of api_token t and its user u.
const tokenSelect = `SELECT t.id, t.user_id, u.sponsor, t.name, t.created_at, t.last_used, t.revoked_at
	FROM api_token t JOIN sms_user u ON u.id = t.user_id`

// scanToken reads a row of tokenSelect.
func scanToken(rows Rows) (store.Token, error) {
	var t store.Token
	var created, used, revoked string
	if err := rows.Scan(&t.ID, &t.User, &t.Sponsor, &t.Name, &created, &used, &revoked); err != nil {
		return t, err
	}
	var err error
	if t.Created, err = ParseTime(created); err != nil {
		return t, err
	}
	if t.LastUsed, err = parseOptTime(used); err != nil {
		return t, err
	}
	t.Revoked, err = parseOptTime(revoked)
	return t, err
}

// tokens runs a query of tokenSelect.
func (a Accounts) tokens(ctx context.Context, where string, args ...any) ([]store.Token, error) {
	rows, closeRows, err := a.db.Query(ctx, tokenSelect+" "+where+" ORDER BY t.id", args...)
	if err != nil {
		return nil, wrapErr(err, "read tokens")
	}
	defer closeRows()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, wrapErr(err, "read tokens")
		}
		out = append(out, t)
	}
	return out, wrapErr(rows.Err(), "read tokens")
}

// TokenList implements store.Accounts.
func (a Accounts) TokenList(ctx context.Context, p store.TokenListParams) ([]store.Token, error) {
	return a.tokens(ctx, `WHERE (t.user_id = $1 OR $1 = '') AND (u.sponsor = $2 OR $2 = '')`, p.User, p.Sponsor)
}

// Token implements store.Accounts.
func (a Accounts) Token(ctx context.Context, hash []byte) (*store.Token, error) {
	ts, err := a.tokens(ctx, `WHERE t.hash = $1`, hash)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

// TokenTouch implements store.Accounts.
func (a Accounts) TokenTouch(ctx context.Context, id int64, now time.Time) error {
	_, err := a.db.Exec(ctx, `UPDATE api_token SET last_used = $2 WHERE id = $1`, id, FormatTime(now))
	return wrapErr(err, "record the use of token %d", id)
}

// TokenRevoke implements store.Accounts.
func (a Accounts) TokenRevoke(ctx context.Context, p store.TokenRevokeParams) error {
	n, err := a.db.Exec(ctx, `UPDATE api_token SET revoked_at = CASE WHEN revoked_at = '' THEN $2 ELSE revoked_at END
		WHERE id = $1 AND (user_id IN (SELECT id FROM sms_user WHERE sponsor = $3) OR $3 = '')`,
		p.ID, FormatTime(p.Now), p.Sponsor)
	if err != nil {
		return wrapErr(err, "revoke token %d", p.ID)
	}
	if n == 0 {
		return fmt.Errorf("revoke token %d: %w", p.ID, store.ErrNotFound)
	}
	return nil
}

// wrapErr says what failed, or returns nil for a nil err.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
