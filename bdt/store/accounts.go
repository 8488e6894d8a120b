package store

import (
	"context"
	"time"

	"bdt/rules"
)

// Accounts keeps what the portal and the API need to know who a sponsor's
// SMS user is: a password (its argon2id hash) with its lockout, sessions
// and API tokens. Secrets are never stored: a password as its hash, a
// session id and a token as their SHA-256. The callers (bdt/auth) hash;
// the store compares what it is given.
//
// Every instant is the caller's (the params' Now), never the database's:
// the rules that judge them (rules.Lockout, rules.SessionExpired) take the
// time as a value, and tests move an injected clock. Absent things read as
// nil without an error. A method that names a user not in the register
// returns ErrNotFound. Methods whose params give a Sponsor reach only that
// licence's users' tokens: another sponsor's token reads, and is refused,
// exactly like one that does not exist.
type Accounts interface {
	// Credential returns the password of user, or (nil, nil) when none was
	// ever set.
	Credential(ctx context.Context, user string) (*Credential, error)

	// CredentialSet sets a user's password hash and whether it must be
	// changed at the next sign-in, clears its lockout, and ends every
	// session of the user but params.KeepSession, in one transaction.
	CredentialSet(ctx context.Context, params CredentialSetParams) error

	// CredentialAttempt records the lockout of a sign-in attempt
	// (rules.Lockout.Attempt) if, and only if, the stored lockout is still
	// params.From: a compare and swap, atomic across processes on one
	// database. It reports false, changing nothing, when another attempt
	// was recorded first (the caller reads the credential again and
	// decides anew) or when the user has no password.
	CredentialAttempt(ctx context.Context, params CredentialAttemptParams) (bool, error)

	// CredentialUnlock clears the lockout of user (after a correct password,
	// or an operator's `bdt users unlock`), whatever it holds. ErrNotFound
	// when the user has no password.
	CredentialUnlock(ctx context.Context, user string) error

	// SessionCreate adds a session. Its hash must be new (ErrExists).
	SessionCreate(ctx context.Context, params SessionCreateParams) error

	// Session returns the session whose id has SHA-256 hash, or (nil, nil).
	// It does not judge its idleness.
	Session(ctx context.Context, hash []byte) (*Session, error)

	// SessionTouch records activity on the session hash at params.Now (an
	// earlier Now than the stored one changes nothing). It reports false
	// when there is no such session.
	SessionTouch(ctx context.Context, params SessionTouchParams) (bool, error)

	// SessionDelete ends the session hash (sign-out, or idleness found);
	// a session that does not exist is no error.
	SessionDelete(ctx context.Context, hash []byte) error

	// TokenCreate adds an API token for an SMS user and returns its id.
	TokenCreate(ctx context.Context, params TokenCreateParams) (int64, error)

	// TokenList returns the tokens params selects, revoked ones included,
	// ordered by id. A Token never holds the token or its hash.
	TokenList(ctx context.Context, params TokenListParams) ([]Token, error)

	// Token returns the token whose SHA-256 is hash, revoked or not, or
	// (nil, nil).
	Token(ctx context.Context, hash []byte) (*Token, error)

	// TokenTouch records that token id was used at now.
	TokenTouch(ctx context.Context, id int64, now time.Time) error

	// TokenRevoke revokes a token at params.Now. Revoking a revoked token
	// keeps its first revocation and is no error; a token that does not
	// exist (or is another sponsor's, when params.Sponsor is given) is
	// ErrNotFound.
	TokenRevoke(ctx context.Context, params TokenRevokeParams) error
}

// Credential is a user's password as the store keeps it.
type Credential struct {
	User       string
	Hash       string // argon2id in PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
	MustChange bool   // set by an operator: to be changed at the first sign-in
	Lockout    rules.Lockout
	Changed    time.Time // when the password was set
}

// CredentialSetParams sets a password for Accounts.CredentialSet.
type CredentialSetParams struct {
	User        string
	Hash        string // argon2id, PHC string form
	MustChange  bool
	Now         time.Time
	KeepSession []byte // the hash of the session that set it (a user's own change), kept; nil ends them all
}

// CredentialAttemptParams records a sign-in attempt for
// Accounts.CredentialAttempt.
type CredentialAttemptParams struct {
	User string
	From rules.Lockout // the lockout the attempt was decided on, as Credential read it
	To   rules.Lockout // the lockout after it (rules.Lockout.Attempt)
}

// Session is a signed-in user's session as the store keeps it.
type Session struct {
	Hash     []byte // SHA-256 of the session id (the id itself is only in the user's cookie)
	User     string
	CSRF     []byte // the secret the session's forms carry
	Created  time.Time
	LastSeen time.Time
}

// SessionCreateParams adds a session for Accounts.SessionCreate.
type SessionCreateParams struct {
	Hash []byte
	User string
	CSRF []byte
	Now  time.Time
}

// SessionTouchParams records activity for Accounts.SessionTouch.
type SessionTouchParams struct {
	Hash []byte
	Now  time.Time
}

// Token is an API token as Accounts lists it: never the token or its hash.
type Token struct {
	ID       int64
	User     string
	Sponsor  string // the user's licence
	Name     string
	Created  time.Time
	LastUsed time.Time // zero when never used
	Revoked  time.Time // zero while it is good
}

// TokenCreateParams adds a token for Accounts.TokenCreate.
type TokenCreateParams struct {
	User string
	Name string
	Hash []byte // SHA-256 of the token; unique (ErrExists)
	Now  time.Time
}

// TokenListParams selects tokens for Accounts.TokenList.
type TokenListParams struct {
	User    string // only this user's; "" for any
	Sponsor string // only this licence's users'; "" for any
}

// TokenRevokeParams revokes a token for Accounts.TokenRevoke.
type TokenRevokeParams struct {
	ID      int64
	Sponsor string // only if it is a token of this licence's user; "" for any
	Now     time.Time
}
