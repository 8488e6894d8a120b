// Package auth is who a sponsor's SMS user is, for the portal and the API:
// passwords (argon2id), sign-in with seed 003's lockout, sessions with
// their idle limit, and API tokens. The rules it applies are bdt/rules'
// (CheckPassword, Lockout, DecideSignIn, CheckAccount, SessionExpired);
// what it keeps is in the store (store.Accounts), so that any replica on
// one database answers any request; the time is its Clock's.
//
// No secret is kept or returned twice: a password is kept as its argon2id
// hash, a session id and an API token as their SHA-256, and a token is
// returned once, by CreateToken. Nothing here logs.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"bdt/bdt/store"
	"bdt/rules"
)

// Store is what a Service needs of the register store.
type Store interface {
	User(ctx context.Context, id string) (*rules.User, error)
	Sponsor(ctx context.Context, licence string) (*rules.Sponsor, error)
	store.Accounts
}

// Service signs users in and tells who a session or a token is.
type Service struct {
	store   Store
	clock   func() time.Time
	argon   Argon2
	hashing chan struct{} // MaxHashing slots

	activity *activity // sessions' and tokens' last use, written off the request's path

	dummyOnce sync.Once
	dummy     string // a hash verified for unknown ids, so that they cost one verification too
	dummyErr  error
}

// Params configures New.
type Params struct {
	Store Store
	Clock func() time.Time // nil: time.Now
	// Argon2 is the cost new hashes are made at; zero: DefaultArgon2.
	// Only tests set it, to run quicker.
	Argon2 Argon2
}

// New returns a Service.
func New(p Params) *Service {
	if p.Clock == nil {
		p.Clock = time.Now
	}
	if p.Argon2 == (Argon2{}) {
		p.Argon2 = DefaultArgon2
	}
	return &Service{store: p.Store, clock: p.Clock, argon: p.Argon2, hashing: make(chan struct{}, MaxHashing), activity: newActivity(p.Store)}
}

// Flush waits until the last use of every session and token that this
// Service has seen is written to the store (they are written in the
// background: see activity), or ctx ends. bdt serve calls it when it
// stops; tests call it before reading the store.
func (s *Service) Flush(ctx context.Context) error { return s.activity.flush(ctx) }

// Errors of a Service; test them with errors.Is.
var (
	// ErrNoSession: no session has the id, or it ended (signed out, idle
	// past rules.SessionIdleLimit, or ended by a new password).
	ErrNoSession = errors.New("auth: not signed in")
	// ErrNoToken: no token is the bearer, or it was revoked.
	ErrNoToken = errors.New("auth: no such API token")
	// ErrWrongPassword: the current password given to ChangePassword is
	// wrong, or the account is locked.
	ErrWrongPassword = errors.New("auth: " + rules.SignInWrongPassword.Message())
)

// AccessError is a session or a token of a user who may no longer use SMS
// (rules.CheckAccount): not Active, or of a revoked or expired licence.
type AccessError struct {
	User    string
	Outcome rules.SignInOutcome
}

func (e *AccessError) Error() string {
	return fmt.Sprintf("auth: user %s: %s", e.User, e.Outcome.Message())
}

// PasswordError is a new password that does not meet seed 003's standard:
// the requirements it does not meet, in words (rules.CheckPassword).
type PasswordError struct {
	Unmet []string
}

func (e *PasswordError) Error() string {
	return "the password must " + strings.Join(e.Unmet, "; must ")
}

// Principal is who a session or a token is.
type Principal struct {
	User    *rules.User
	Sponsor *rules.Sponsor
	// MustChange: a session signed in with a password an operator set; it
	// may do nothing but ChangePassword.
	MustChange bool
	// CSRF is the session's form token (a session's only), for CSRFOK.
	CSRF string
	// TokenID is the API token's id (a token's only).
	TokenID int64
}

// CSRFOK reports whether token is the session's form token, comparing in
// constant time. A Principal of an API token has none, and takes none.
func (p *Principal) CSRFOK(token string) bool {
	return p.CSRF != "" && subtle.ConstantTimeCompare([]byte(token), []byte(p.CSRF)) == 1
}

// SignIn is the result of Service.SignIn.
type SignIn struct {
	Outcome rules.SignInOutcome // show Outcome.Message()
	// Session is the new session's id, for the user's cookie, when
	// Outcome.SignedIn(); it is kept nowhere else. CSRF is its form token.
	Session string
	CSRF    string
}

// secret returns n random bytes in base64url, and their SHA-256.
func secret(n int) (string, []byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: random: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, digest(s), nil
}

// digest is the SHA-256 of a session id or a token, as the store keeps it.
func digest(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// hash and verify run argon2id in one of the Service's slots.
func (s *Service) slot(ctx context.Context) (func(), error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Service) hash(ctx context.Context, password string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(password, s.argon)
}

// verify checks password against encoded, or against the dummy hash when
// encoded is "" (an unknown id, an account without a password, a locked
// one), so that every sign-in costs one verification.
func (s *Service) verify(ctx context.Context, encoded, password string) (bool, error) {
	if encoded == "" {
		s.dummyOnce.Do(func() { s.dummy, s.dummyErr = hashPassword("not a password of anyone", s.argon) })
		if s.dummyErr != nil {
			return false, s.dummyErr
		}
	}
	release, err := s.slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	if encoded == "" {
		_, err := verifyPassword(s.dummy, password)
		return false, err
	}
	return verifyPassword(encoded, password)
}

// attempt is one attempt at user's password, counted by its lockout
// (rules.Lockout.Attempt, recorded by compare and swap, again on a lost
// race) before the password is checked and cleared when it is right. It
// returns the outcome for the password alone (SignInOK, SignInNoPassword,
// SignInWrongPassword or SignInLocked) and the credential read.
func (s *Service) attempt(ctx context.Context, user, password string) (rules.SignInOutcome, *store.Credential, error) {
	for range 100 { // each lost race means another attempt was counted: the lock comes soon
		c, err := s.store.Credential(ctx, user)
		if err != nil {
			return "", nil, err
		}
		if c == nil {
			_, err := s.verify(ctx, "", password)
			return rules.SignInNoPassword, nil, err
		}
		next, ok := c.Lockout.Attempt(s.clock())
		if !ok {
			_, err := s.verify(ctx, "", password)
			return rules.SignInLocked, c, err
		}
		swapped, err := s.store.CredentialAttempt(ctx, store.CredentialAttemptParams{User: user, From: c.Lockout, To: next})
		if err != nil {
			return "", nil, err
		}
		if !swapped {
			continue
		}
		good, err := s.verify(ctx, c.Hash, password)
		if err != nil {
			return "", nil, err
		}
		if !good {
			return rules.SignInWrongPassword, c, nil
		}
		return rules.SignInOK, c, s.store.CredentialUnlock(ctx, user)
	}
	return "", nil, fmt.Errorf("auth: sign-in of %s: too many racing attempts", user)
}

// account reads what rules.CheckAccount and rules.DecideSignIn read of
// user id.
func (s *Service) account(ctx context.Context, id string) (rules.Account, error) {
	u, err := s.store.User(ctx, id)
	if err != nil || u == nil {
		return rules.Account{}, err
	}
	sp, err := s.store.Sponsor(ctx, u.Sponsor)
	return rules.Account{User: u, Sponsor: sp}, err
}

// SignIn signs user in with password: seed 003's lockout, then the
// password, then the account (rules.DecideSignIn). When the outcome signs
// the user in, it starts a session. An unknown id costs one argon2id
// verification, as a known one does (a dummy hash is verified), so that
// the time of a sign-in, which that verification makes, does not tell ids
// apart; its outcome has the same message as a wrong password's or a
// locked account's. The error is a failure of the store, never a refusal.
func (s *Service) SignIn(ctx context.Context, user, password string) (SignIn, error) {
	a, err := s.account(ctx, user)
	if err != nil {
		return SignIn{}, err
	}
	if a.User == nil {
		_, err := s.verify(ctx, "", password)
		return SignIn{Outcome: rules.SignInUnknownUser}, err
	}
	o, c, err := s.attempt(ctx, user, password)
	if err != nil {
		return SignIn{}, err
	}
	if o != rules.SignInOK {
		return SignIn{Outcome: o}, nil
	}
	a.MustChange = c.MustChange
	res := SignIn{Outcome: rules.DecideSignIn(a, true)}
	if !res.Outcome.SignedIn() {
		return res, nil
	}
	id, h, err := secret(32)
	if err != nil {
		return SignIn{}, err
	}
	csrf, _, err := secret(32)
	if err != nil {
		return SignIn{}, err
	}
	if err := s.store.SessionCreate(ctx, store.SessionCreateParams{Hash: h, User: user, CSRF: []byte(csrf), Now: s.clock()}); err != nil {
		return SignIn{}, err
	}
	res.Session, res.CSRF = id, csrf
	return res, nil
}

// Session returns who the session id is, and records the activity (in the
// background, so that the request only reads: see activity): ErrNoSession
// when there is no such session or it has been idle rules.SessionIdleLimit
// (it is then ended), an *AccessError when its user may no longer use SMS
// (it is ended too).
func (s *Service) Session(ctx context.Context, id string) (*Principal, error) {
	h := digest(id)
	sess, err := s.store.Session(ctx, h)
	if err != nil {
		return nil, err
	}
	if sess == nil {
		return nil, ErrNoSession
	}
	now := s.clock()
	if rules.SessionExpired(s.activity.lastSeen(h, sess.LastSeen), now) {
		return nil, errors.Join(ErrNoSession, s.store.SessionDelete(ctx, h))
	}
	p, err := s.principal(ctx, sess.User)
	if err != nil {
		var ae *AccessError
		if errors.As(err, &ae) {
			return nil, errors.Join(err, s.store.SessionDelete(ctx, h))
		}
		return nil, err
	}
	c, err := s.store.Credential(ctx, sess.User)
	if err != nil {
		return nil, err
	}
	p.MustChange = c == nil || c.MustChange
	p.CSRF = string(sess.CSRF)
	s.activity.session(h, now)
	return p, nil
}

// principal is user, if rules.CheckAccount lets them use SMS.
func (s *Service) principal(ctx context.Context, user string) (*Principal, error) {
	a, err := s.account(ctx, user)
	if err != nil {
		return nil, err
	}
	if o := rules.CheckAccount(a); o != rules.SignInOK {
		return nil, &AccessError{User: user, Outcome: o}
	}
	return &Principal{User: a.User, Sponsor: a.Sponsor}, nil
}

// SignOut ends the session id; one that does not exist is no error.
func (s *Service) SignOut(ctx context.Context, id string) error {
	return s.store.SessionDelete(ctx, digest(id))
}

// ChangePassword is a signed-in user's change of password (the first
// sign-in's after an operator set it, or any later): current must be the
// password (a wrong one counts towards the lockout, and is ErrWrongPassword,
// as is any attempt while locked), next must meet the standard
// (*PasswordError, before current is checked) and differ from current. The
// must-change mark is cleared and the user's other sessions end; this one
// goes on.
func (s *Service) ChangePassword(ctx context.Context, session, current, next string) error {
	p, err := s.Session(ctx, session)
	if err != nil {
		return err
	}
	unmet := rules.CheckPassword(next, p.User.ID)
	if next == current {
		unmet = append(unmet, "be different from your current password")
	}
	if len(unmet) > 0 {
		return &PasswordError{Unmet: unmet}
	}
	o, _, err := s.attempt(ctx, p.User.ID, current)
	if err != nil {
		return err
	}
	if o != rules.SignInOK {
		return ErrWrongPassword
	}
	return s.setPassword(ctx, p.User.ID, next, false, digest(session))
}

// SetPassword is an operator's password for user (`bdt users set-password`):
// it must meet the standard (*PasswordError); the user must change it at
// the next sign-in, and every session of the user ends. A user not in the
// register is store.ErrNotFound.
func (s *Service) SetPassword(ctx context.Context, user, password string) error {
	if unmet := rules.CheckPassword(password, user); len(unmet) > 0 {
		return &PasswordError{Unmet: unmet}
	}
	return s.setPassword(ctx, user, password, true, nil)
}

func (s *Service) setPassword(ctx context.Context, user, password string, mustChange bool, keep []byte) error {
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.CredentialSet(ctx, store.CredentialSetParams{User: user, Hash: h, MustChange: mustChange, Now: s.clock(), KeepSession: keep})
}

// Unlock clears user's lockout (`bdt users unlock`). A user without a
// password is store.ErrNotFound.
func (s *Service) Unlock(ctx context.Context, user string) error {
	return s.store.CredentialUnlock(ctx, user)
}
