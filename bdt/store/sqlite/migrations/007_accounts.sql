-- 007: accounts for the portal and the API (store.Accounts): SMS users'
-- passwords with their lockout, sessions and API tokens. No secret is kept:
-- a password as its argon2id hash (PHC string form), a session id and a
-- token as their SHA-256. Instants are text as in 001 (sqlrow.FormatTime),
-- '' for none, so that a lockout compares as it was read (the compare and
-- swap of CredentialAttempt). IF NOT EXISTS: a database a test put back to
-- an earlier version is migrated again.
CREATE TABLE IF NOT EXISTS credential (
    user_id      TEXT PRIMARY KEY REFERENCES sms_user (id),
    hash         TEXT NOT NULL,
    must_change  INTEGER NOT NULL CHECK (must_change IN (0, 1)),
    failed       INTEGER NOT NULL DEFAULT 0,  -- attempts since the last success or lock (rules.Lockout)
    locked_until TEXT NOT NULL DEFAULT '',
    changed_at   TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS user_session (
    hash       BLOB PRIMARY KEY,              -- SHA-256 of the session id
    user_id    TEXT NOT NULL REFERENCES sms_user (id),
    csrf       BLOB NOT NULL,                 -- the secret of the session's forms
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS user_session_user ON user_session (user_id);

CREATE TABLE IF NOT EXISTS api_token (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES sms_user (id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,          -- SHA-256 of the token
    created_at TEXT NOT NULL,
    last_used  TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS api_token_user ON api_token (user_id);
