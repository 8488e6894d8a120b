package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"bdt/bdt/store"
	"bdt/rules"
)

// testAccounts is store.Accounts: passwords and their lockout, sessions,
// API tokens.
func testAccounts(t *testing.T, loaded func(*testing.T) store.Store) {
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, loaded(t)) })
	t.Run("AttemptsRace", func(t *testing.T) { testAttemptsRace(t, loaded(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, loaded(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, loaded(t)) })
}

// accountsNow is the instant the account cases start at; their times are
// values, never the machine's clock.
var accountsNow = time.Date(2026, 12, 7, 9, 0, 0, 123456789, time.UTC)

// digest is the SHA-256 of s, as the store keeps secrets.
func digest(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func credential(t *testing.T, s store.Store, user string) *store.Credential {
	t.Helper()
	c, err := s.Credential(context.Background(), user)
	if err != nil {
		t.Fatalf("Credential(%s): %v", user, err)
	}
	return c
}

func testCredentials(t *testing.T, s store.Store) {
	ctx := context.Background()
	if c := credential(t, s, uniL1); c != nil {
		t.Fatalf("Credential before any password: %+v", c)
	}
	if err := s.CredentialSet(ctx, store.CredentialSetParams{User: "NOSUCHUSER", Hash: "$argon2id$x", Now: accountsNow}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CredentialSet of a user not in the register: %v; want ErrNotFound", err)
	}
	if err := s.CredentialUnlock(ctx, uniL1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CredentialUnlock without a password: %v; want ErrNotFound", err)
	}
	if ok, err := s.CredentialAttempt(ctx, store.CredentialAttemptParams{User: uniL1, To: rules.Lockout{Failed: 1}}); ok || err != nil {
		t.Errorf("CredentialAttempt without a password: %v, %v; want false", ok, err)
	}
	set := store.CredentialSetParams{User: uniL1, Hash: "$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$aGFzaA", MustChange: true, Now: accountsNow}
	if err := s.CredentialSet(ctx, set); err != nil {
		t.Fatal(err)
	}
	same(t, "credential", credential(t, s, uniL1), &store.Credential{User: uniL1, Hash: set.Hash, MustChange: true, Changed: accountsNow})

	// Attempts: a compare and swap on the lockout read.
	locked := rules.Lockout{Failed: 3, LockedUntil: accountsNow.Add(rules.LockoutDuration)}
	steps := []struct {
		from, to rules.Lockout
		want     bool
	}{
		{rules.Lockout{}, rules.Lockout{Failed: 1}, true},
		{rules.Lockout{}, rules.Lockout{Failed: 1}, false}, // decided on a lockout no longer there
		{rules.Lockout{Failed: 1}, rules.Lockout{Failed: 2}, true},
		{rules.Lockout{Failed: 2}, locked, true},
		{rules.Lockout{Failed: 2}, locked, false},
		{rules.Lockout{Failed: 3, LockedUntil: accountsNow.Add(rules.LockoutDuration - time.Nanosecond)}, rules.Lockout{Failed: 1}, false},
	}
	for i, st := range steps {
		ok, err := s.CredentialAttempt(ctx, store.CredentialAttemptParams{User: uniL1, From: st.from, To: st.to})
		if err != nil || ok != st.want {
			t.Fatalf("attempt %d from %+v: %v, %v; want %v", i, st.from, ok, err, st.want)
		}
	}
	if got := credential(t, s, uniL1).Lockout; !got.LockedUntil.Equal(locked.LockedUntil) || got.Failed != 3 {
		t.Errorf("lockout after three attempts: %+v; want %+v", got, locked)
	}
	if err := s.CredentialUnlock(ctx, uniL1); err != nil {
		t.Fatal(err)
	}
	if got := credential(t, s, uniL1).Lockout; got != (rules.Lockout{}) {
		t.Errorf("lockout after CredentialUnlock: %+v", got)
	}

	// A new password clears the lockout and ends the user's other sessions.
	if ok, err := s.CredentialAttempt(ctx, store.CredentialAttemptParams{User: uniL1, To: locked}); !ok || err != nil {
		t.Fatalf("attempt: %v, %v", ok, err)
	}
	for _, id := range []string{"kept", "ended"} {
		if err := s.SessionCreate(ctx, store.SessionCreateParams{Hash: digest(id), User: uniL1, CSRF: digest("csrf " + id), Now: accountsNow}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SessionCreate(ctx, store.SessionCreateParams{Hash: digest("other user"), User: empL1, CSRF: digest("csrf"), Now: accountsNow}); err != nil {
		t.Fatal(err)
	}
	later := accountsNow.Add(time.Hour)
	set2 := store.CredentialSetParams{User: uniL1, Hash: "$argon2id$v=19$m=65536,t=2,p=2$bmV3$bmV3", Now: later, KeepSession: digest("kept")}
	if err := s.CredentialSet(ctx, set2); err != nil {
		t.Fatal(err)
	}
	same(t, "credential after a new password", credential(t, s, uniL1), &store.Credential{User: uniL1, Hash: set2.Hash, Changed: later})
	for id, want := range map[string]bool{"kept": true, "ended": false, "other user": true} {
		if got := session(t, s, id) != nil; got != want {
			t.Errorf("session %q after a new password: present %v, want %v", id, got, want)
		}
	}
	// An operator's password (KeepSession nil) ends them all.
	if err := s.CredentialSet(ctx, store.CredentialSetParams{User: uniL1, Hash: set.Hash, MustChange: true, Now: later}); err != nil {
		t.Fatal(err)
	}
	if session(t, s, "kept") != nil {
		t.Error("a session outlived an operator's new password")
	}
}

// testAttemptsRace: attempts racing on one account, each reading the
// lockout, deciding with rules.Lockout.Attempt and recording by
// CredentialAttempt (reading again when another was recorded first), are
// let through exactly rules.SignInAttempts times, however they interleave:
// none passes as a fourth.
func testAttemptsRace(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CredentialSet(ctx, store.CredentialSetParams{User: empL1, Hash: "$argon2id$x", Now: accountsNow}); err != nil {
		t.Fatal(err)
	}
	const racers = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		checked int
		errs    []error
	)
	start := make(chan struct{})
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				c, err := s.Credential(ctx, empL1)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				next, ok := c.Lockout.Attempt(accountsNow)
				if !ok {
					return // locked
				}
				swapped, err := s.CredentialAttempt(ctx, store.CredentialAttemptParams{User: empL1, From: c.Lockout, To: next})
				if err != nil || swapped {
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else {
						checked++
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("racing attempts: %v", errs)
	}
	if checked != rules.SignInAttempts {
		t.Errorf("%d racing attempts let through %d; want %d", racers, checked, rules.SignInAttempts)
	}
	if got := credential(t, s, empL1).Lockout; got.Failed != rules.SignInAttempts || !got.Locked(accountsNow) {
		t.Errorf("lockout after the race: %+v; want locked after %d", got, rules.SignInAttempts)
	}
}

func session(t *testing.T, s store.Store, id string) *store.Session {
	t.Helper()
	got, err := s.Session(context.Background(), digest(id))
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	return got
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	create := store.SessionCreateParams{Hash: digest("session"), User: uniL1, CSRF: digest("csrf"), Now: accountsNow}
	if err := s.SessionCreate(ctx, create); err != nil {
		t.Fatal(err)
	}
	same(t, "session", session(t, s, "session"), &store.Session{Hash: create.Hash, User: uniL1, CSRF: create.CSRF, Created: accountsNow, LastSeen: accountsNow})
	if err := s.SessionCreate(ctx, create); !errors.Is(err, store.ErrExists) {
		t.Errorf("SessionCreate of a hash already there: %v; want ErrExists", err)
	}
	if err := s.SessionCreate(ctx, store.SessionCreateParams{Hash: digest("x"), User: "NOSUCHUSER", CSRF: digest("c"), Now: accountsNow}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionCreate for a user not in the register: %v; want ErrNotFound", err)
	}
	if session(t, s, "no such session") != nil {
		t.Error("a session that was never made was found")
	}
	later := accountsNow.Add(19 * time.Minute)
	for _, at := range []time.Time{later, accountsNow} { // an earlier touch (a slower replica) does not go back
		if ok, err := s.SessionTouch(ctx, store.SessionTouchParams{Hash: create.Hash, Now: at}); !ok || err != nil {
			t.Fatalf("SessionTouch: %v, %v", ok, err)
		}
	}
	if got := session(t, s, "session"); !got.LastSeen.Equal(later) || !got.Created.Equal(accountsNow) {
		t.Errorf("session after touches: created %v, last seen %v; want %v, %v", got.Created, got.LastSeen, accountsNow, later)
	}
	if ok, err := s.SessionTouch(ctx, store.SessionTouchParams{Hash: digest("no such session"), Now: later}); ok || err != nil {
		t.Errorf("SessionTouch of no session: %v, %v; want false", ok, err)
	}
	for range 2 { // the second time, nothing to end: no error
		if err := s.SessionDelete(ctx, create.Hash); err != nil {
			t.Fatal(err)
		}
	}
	if session(t, s, "session") != nil {
		t.Error("the session outlived SessionDelete")
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	if ts, err := s.TokenList(ctx, store.TokenListParams{}); err != nil || len(ts) != 0 {
		t.Fatalf("TokenList of none: %v, %v", ts, err)
	}
	mk := func(user, name, secret string) int64 {
		t.Helper()
		id, err := s.TokenCreate(ctx, store.TokenCreateParams{User: user, Name: name, Hash: digest(secret), Now: accountsNow})
		if err != nil {
			t.Fatalf("TokenCreate: %v", err)
		}
		return id
	}
	a := mk(uniL1, "student records system", "secret a")
	b := mk(empL1, "", "secret b")
	c := mk(uniL1, "second", "secret c")
	if a == b || b == c || a == c || a <= 0 {
		t.Fatalf("token ids %d, %d, %d", a, b, c)
	}
	if _, err := s.TokenCreate(ctx, store.TokenCreateParams{User: empL1, Hash: digest("secret a"), Now: accountsNow}); !errors.Is(err, store.ErrExists) {
		t.Errorf("TokenCreate of a hash already there: %v; want ErrExists", err)
	}
	if _, err := s.TokenCreate(ctx, store.TokenCreateParams{User: "NOSUCHUSER", Hash: digest("d"), Now: accountsNow}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenCreate for a user not in the register: %v; want ErrNotFound", err)
	}
	tokA := store.Token{ID: a, User: uniL1, Sponsor: uni, Name: "student records system", Created: accountsNow}
	tokB := store.Token{ID: b, User: empL1, Sponsor: employer, Created: accountsNow}
	tokC := store.Token{ID: c, User: uniL1, Sponsor: uni, Name: "second", Created: accountsNow}
	list := func(p store.TokenListParams) []store.Token {
		t.Helper()
		ts, err := s.TokenList(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	same(t, "all tokens", list(store.TokenListParams{}), []store.Token{tokA, tokB, tokC})
	same(t, "a user's tokens", list(store.TokenListParams{User: empL1}), []store.Token{tokB})
	same(t, "a sponsor's tokens", list(store.TokenListParams{Sponsor: uni}), []store.Token{tokA, tokC})
	if ts := list(store.TokenListParams{User: empL1, Sponsor: uni}); len(ts) != 0 {
		t.Errorf("a user's tokens under another sponsor: %v", ts)
	}

	got, err := s.Token(ctx, digest("secret a"))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "token by hash", got, &tokA)
	if got, err := s.Token(ctx, digest("no such token")); got != nil || err != nil {
		t.Errorf("Token of no token: %v, %v", got, err)
	}
	used := accountsNow.Add(time.Minute)
	if err := s.TokenTouch(ctx, a, used); err != nil {
		t.Fatal(err)
	}

	revoked := accountsNow.Add(time.Hour)
	if err := s.TokenRevoke(ctx, store.TokenRevokeParams{ID: a, Sponsor: employer, Now: revoked}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenRevoke of another sponsor's token: %v; want ErrNotFound", err)
	}
	if err := s.TokenRevoke(ctx, store.TokenRevokeParams{ID: c + b + a, Now: revoked}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenRevoke of no token: %v; want ErrNotFound", err)
	}
	if err := s.TokenRevoke(ctx, store.TokenRevokeParams{ID: a, Sponsor: uni, Now: revoked}); err != nil {
		t.Fatal(err)
	}
	if err := s.TokenRevoke(ctx, store.TokenRevokeParams{ID: a, Now: revoked.Add(time.Hour)}); err != nil {
		t.Errorf("TokenRevoke of a revoked token: %v", err)
	}
	tokA.LastUsed, tokA.Revoked = used, revoked
	got, err = s.Token(ctx, digest("secret a"))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "revoked token", got, &tokA)
	same(t, "tokens after a revocation", list(store.TokenListParams{Sponsor: uni}), []store.Token{tokA, tokC})
	if ts := list(store.TokenListParams{}); len(ts) != 3 {
		t.Errorf("all tokens after a revocation: %v", ts)
	}
}
