-- 007: accounts for the portal and the API (store.Accounts): SMS users'
-- passwords with their lockout, sessions and API tokens. No secret is kept:
-- a password as its argon2id hash (PHC string form), a session id and a
-- token as their SHA-256. Instants are text as in 001 (sqlrow.FormatTime),
-- '' for none, so that a lockout compares as it was read (the compare and
-- swap of CredentialAttempt), and both drivers run the same statements.
-- IF NOT EXISTS: a database a test put back to an earlier version is
-- migrated again.
CREATE TABLE IF NOT EXISTS credential (
    user_id      text PRIMARY KEY REFERENCES sms_user (id),
    hash         text NOT NULL,
    must_change  boolean NOT NULL,
    failed       integer NOT NULL DEFAULT 0,  -- attempts since the last success or lock (rules.Lockout)
    locked_until text NOT NULL DEFAULT '',
    changed_at   text NOT NULL
);

CREATE TABLE IF NOT EXISTS user_session (
    hash       bytea PRIMARY KEY,             -- SHA-256 of the session id
    user_id    text NOT NULL REFERENCES sms_user (id),
    csrf       bytea NOT NULL,                -- the secret of the session's forms
    created_at text NOT NULL,
    last_seen  text NOT NULL
);
CREATE INDEX IF NOT EXISTS user_session_user ON user_session (user_id);

CREATE TABLE IF NOT EXISTS api_token (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL REFERENCES sms_user (id),
    name       text NOT NULL,
    hash       bytea NOT NULL UNIQUE,         -- SHA-256 of the token
    created_at text NOT NULL,
    last_used  text NOT NULL DEFAULT '',
    revoked_at text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS api_token_user ON api_token (user_id);
