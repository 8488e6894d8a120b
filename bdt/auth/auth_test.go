package auth_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bdt/bdt/auth"
	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/bdt/store/sqlite"
	"bdt/rules"
)

// quick is the argon2id cost of these tests but TestDefaultCost's: the
// rules are the same at any cost.
var quick = auth.Argon2{Time: 1, Memory: 256, Threads: 1}

const (
	password = "Correct#Horse7"
	licence  = "4NUV7KB58"
)

// clock is the tests' injected time, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// drivers runs test against a register in a new SQLite file and in a new
// PostgreSQL schema (skipped without BDT_TEST_POSTGRES, failed so in CI).
// open opens the register again (another replica's connection).
func drivers(t *testing.T, test func(t *testing.T, open func() store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "register.db")
		test(t, opener(t, func() (store.Store, error) { return sqlite.Open(context.Background(), path) }))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		test(t, opener(t, func() (store.Store, error) { return postgres.Open(context.Background(), dsn) }))
	})
}

// opener returns a func that opens the register (closed when t ends),
// the first time loading its sponsors and users.
func opener(t *testing.T, open func() (store.Store, error)) func() store.Store {
	var once sync.Once
	return func() store.Store {
		t.Helper()
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		once.Do(func() { register(t, s) })
		return s
	}
}

// register loads a sponsor of each licence status that matters and its users.
func register(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, sp := range []rules.Sponsor{
		{Licence: licence, Name: "University of Wessex", Status: rules.LicenceARated, Routes: []rules.Route{rules.RouteStudent}},
		{Licence: "REVOKED01", Name: "Revoked Ltd", Status: rules.LicenceRevoked, Routes: []rules.Route{rules.RouteWorker}},
		{Licence: "EXPIRED01", Name: "Expired Ltd", Status: rules.LicenceExpired, Routes: []rules.Route{rules.RouteWorker}},
	} {
		sp.Nation = "ENGLAND_AND_WALES"
		if err := tx.SponsorInsert(ctx, &sp); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []rules.User{
		{ID: "jsmith01", Sponsor: licence, Name: "J Smith", Level: rules.Level1, Status: rules.UserActive},
		{ID: "tnowak02", Sponsor: licence, Name: "T Nowak", Level: rules.Level2, Status: rules.UserActive},
		{ID: "gone01", Sponsor: licence, Name: "Gone", Level: rules.Level2, Status: rules.UserDeactivatedBySponsor},
		{ID: "revoked1", Sponsor: "REVOKED01", Name: "R", Level: rules.Level1, Status: rules.UserActive},
		{ID: "expired1", Sponsor: "EXPIRED01", Name: "E", Level: rules.Level1, Status: rules.UserActive},
	} {
		if err := tx.UserInsert(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func newService(s store.Store, c *clock) *auth.Service {
	return auth.New(auth.Params{Store: s, Clock: c.Now, Argon2: quick})
}

func start() *clock { return &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)} }

func signIn(t *testing.T, a *auth.Service, user, pw string, want rules.SignInOutcome) auth.SignIn {
	t.Helper()
	res, err := a.SignIn(context.Background(), user, pw)
	if err != nil {
		t.Fatalf("SignIn(%s): %v", user, err)
	}
	if res.Outcome != want {
		t.Fatalf("SignIn(%s) = %s, want %s", user, res.Outcome, want)
	}
	if res.Outcome.SignedIn() != (res.Session != "" && res.CSRF != "") {
		t.Fatalf("SignIn(%s) = %s with session %v", user, res.Outcome, res.Session != "")
	}
	return res
}

// withPassword returns a Service on s, on a clock of its own, with
// jsmith01's password set by an operator.
func withPassword(t *testing.T, s store.Store) (*auth.Service, *clock) {
	t.Helper()
	c := start()
	a := newService(s, c)
	if err := a.SetPassword(context.Background(), "jsmith01", password); err != nil {
		t.Fatal(err)
	}
	return a, c
}

// lockOut makes three wrong attempts at jsmith01's password: each is
// checked, and the account is then locked.
func lockOut(t *testing.T, a *auth.Service) {
	t.Helper()
	for range 3 {
		signIn(t, a, "jsmith01", "Wrong#Password1", rules.SignInWrongPassword)
	}
	signIn(t, a, "jsmith01", password, rules.SignInLocked)
}

// The first sign-in with an operator's password must change it; then the
// new one signs in and the old one no longer does.
func TestFirstSignInAndChange(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		c := start()
		a := newService(open(), c)
		var pe *auth.PasswordError
		if err := a.SetPassword(ctx, "jsmith01", "short1#A"); !errors.As(err, &pe) || len(pe.Unmet) != 1 {
			t.Fatalf("SetPassword of a short password: %v", err)
		}
		if err := a.SetPassword(ctx, "nosuch", password); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetPassword of no user: %v", err)
		}
		if err := a.SetPassword(ctx, "jsmith01", password); err != nil {
			t.Fatal(err)
		}
		first := signIn(t, a, "jsmith01", password, rules.SignInMustChange)
		p, err := a.Session(ctx, first.Session)
		if err != nil || !p.MustChange || p.User.ID != "jsmith01" || p.Sponsor.Licence != licence || !p.CSRFOK(first.CSRF) || p.CSRFOK("") || p.CSRFOK(first.Session) {
			t.Fatalf("Session after the first sign-in: %+v, %v", p, err)
		}
		other := signIn(t, a, "jsmith01", password, rules.SignInMustChange) // a second browser

		next := "New!Password42"
		if err := a.ChangePassword(ctx, first.Session, password, "jsmith01#Abc1"); !errors.As(err, &pe) || !strings.Contains(pe.Error(), "user ID") {
			t.Errorf("ChangePassword to a password containing the id: %v", err)
		}
		if err := a.ChangePassword(ctx, first.Session, password, password); !errors.As(err, &pe) || !strings.Contains(pe.Error(), "different") {
			t.Errorf("ChangePassword to the same password: %v", err)
		}
		if err := a.ChangePassword(ctx, first.Session, "Wrong#Password1", next); !errors.Is(err, auth.ErrWrongPassword) {
			t.Errorf("ChangePassword with a wrong current password: %v", err)
		}
		if err := a.ChangePassword(ctx, first.Session, password, next); err != nil {
			t.Fatal(err)
		}
		if p, err := a.Session(ctx, first.Session); err != nil || p.MustChange {
			t.Errorf("the session that changed the password: %+v, %v; want it going on, free", p, err)
		}
		if _, err := a.Session(ctx, other.Session); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("another session after a change of password: %v; want ended", err)
		}
		signIn(t, a, "jsmith01", password, rules.SignInWrongPassword)
		signIn(t, a, "jsmith01", next, rules.SignInOK) // the wrong attempt before does not stay counted

		// An operator's new password ends every session and must be changed.
		if err := a.SetPassword(ctx, "jsmith01", password); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Session(ctx, first.Session); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("a session after an operator's password: %v; want ended", err)
		}
		signIn(t, a, "jsmith01", password, rules.SignInMustChange)
	})
}

// Three wrong attempts lock for 30 minutes, the right password included;
// the answer is the same as for an id that does not exist.
func TestLockout(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		a, c := withPassword(t, open())
		lockOut(t, a)
		locked := signIn(t, a, "jsmith01", password, rules.SignInLocked)
		unknown := signIn(t, a, "nosuch01", password, rules.SignInUnknownUser)
		if locked.Outcome.Message() != unknown.Outcome.Message() {
			t.Errorf("locked and unknown answer differently: %q, %q", locked.Outcome.Message(), unknown.Outcome.Message())
		}
		c.Advance(29*time.Minute + 59*time.Second)
		signIn(t, a, "jsmith01", password, rules.SignInLocked)
		c.Advance(time.Second)
		signIn(t, a, "jsmith01", password, rules.SignInMustChange)

		// An operator unlocks at once.
		lockOut(t, a)
		if err := a.Unlock(ctx, "jsmith01"); err != nil {
			t.Fatal(err)
		}
		signIn(t, a, "jsmith01", password, rules.SignInMustChange)
		if err := a.Unlock(ctx, "tnowak02"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Unlock of a user without a password: %v", err)
		}
		signIn(t, a, "tnowak02", password, rules.SignInNoPassword)
	})
}

// Wrong passwords racing from two replicas on one database lock the account
// after exactly three: none is checked as a fourth.
func TestLockoutReplicas(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		c := start()
		replicas := []*auth.Service{newService(open(), c), newService(open(), c)}
		if err := replicas[0].SetPassword(ctx, "jsmith01", password); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		got := map[rules.SignInOutcome]int{}
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := replicas[i%2].SignIn(ctx, "jsmith01", "Wrong#Password1")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				}
				got[res.Outcome]++
			}()
		}
		wg.Wait()
		if got[rules.SignInWrongPassword] != 3 || got[rules.SignInLocked] != 7 {
			t.Errorf("10 racing wrong attempts: %v; want 3 checked, 7 refused as locked", got)
		}
		signIn(t, replicas[1], "jsmith01", password, rules.SignInLocked)
	})
}

// A user not Active, or of a revoked or expired licence, is refused after
// the right password; the wrong password tells nothing of either.
func TestAccountRefused(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		a := newService(open(), start())
		for user, want := range map[string]rules.SignInOutcome{
			"gone01":   rules.SignInNotActive,
			"revoked1": rules.SignInNoAccess,
			"expired1": rules.SignInNoAccess,
		} {
			if err := a.SetPassword(ctx, user, password); err != nil {
				t.Fatal(err)
			}
			signIn(t, a, user, "Wrong#Password1", rules.SignInWrongPassword)
			signIn(t, a, user, password, want)
		}
	})
}

// A session ends after 20 minutes without activity, and at sign-out.
func TestSessionIdle(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		a, c := withPassword(t, open())
		res := signIn(t, a, "jsmith01", password, rules.SignInMustChange)
		for range 3 { // each use moves the idle limit on
			c.Advance(19*time.Minute + 59*time.Second)
			if _, err := a.Session(ctx, res.Session); err != nil {
				t.Fatalf("session used after 19:59 idle: %v", err)
			}
		}
		c.Advance(20 * time.Minute)
		if _, err := a.Session(ctx, res.Session); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("session after 20:00 idle: %v; want ErrNoSession", err)
		}
		c.Advance(-time.Hour) // ended for good, not merely judged idle
		if _, err := a.Session(ctx, res.Session); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("an idle session came back: %v", err)
		}

		res = signIn(t, a, "jsmith01", password, rules.SignInMustChange)
		if err := a.SignOut(ctx, res.Session); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Session(ctx, res.Session); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("session after sign-out: %v", err)
		}
		if _, err := a.Session(ctx, "made up"); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("a made-up session: %v", err)
		}
		if err := a.SignOut(ctx, "made up"); err != nil {
			t.Errorf("SignOut of no session: %v", err)
		}
	})
}

// A session of a user since deactivated is refused and ended. The store
// has no way to deactivate a user, so the session is made in the store for
// a deactivated user, as one made before the deactivation would be.
func TestSessionAccountRefused(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		s := open()
		c := start()
		a := newService(s, c)
		if err := s.SessionCreate(ctx, store.SessionCreateParams{Hash: sha("gone session"), User: "gone01", CSRF: []byte("c"), Now: c.Now()}); err != nil {
			t.Fatal(err)
		}
		var ae *auth.AccessError
		if _, err := a.Session(ctx, "gone session"); !errors.As(err, &ae) || ae.Outcome != rules.SignInNotActive {
			t.Fatalf("session of a deactivated user: %v; want an AccessError", err)
		}
		if sess, err := s.Session(ctx, sha("gone session")); sess != nil || err != nil {
			t.Errorf("the refused session was not ended: %v, %v", sess, err)
		}
	})
}

func sha(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// A signed-in request only reads: the use of a session or a token is
// written in the background (auth.Service.Flush waits for it), so on
// SQLite, where a run holds the one write lock from a file's first record
// to its commit, Session and Token answer while that lock is held instead
// of waiting for it (up to the 30 s busy timeout, then failing, as they
// did when they wrote the use first). The use is written once the lock is
// free, and another replica's Service then judges idleness from it.
func TestActivityDoesNotWaitForWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "register.db")
	open := opener(t, func() (store.Store, error) { return sqlite.Open(ctx, path) })
	s := open()
	a, c := withPassword(t, s)
	res := signIn(t, a, "jsmith01", password, rules.SignInMustChange)
	token, _, err := a.CreateToken(ctx, "jsmith01", "")
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(10 * time.Minute)

	tx, err := s.Begin(ctx) // a run's file in hand: the write lock held
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 2)
	go func() {
		_, err := a.Session(ctx, res.Session)
		errc <- err
		_, err = a.Token(ctx, token)
		errc <- err
	}()
	for range 2 {
		if err := <-errc; err != nil {
			t.Errorf("while a write transaction is open: %v", err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Another replica, 19:59 after the use (29:59 after the sign-in).
	b := newService(open(), &clock{now: c.Now().Add(19*time.Minute + 59*time.Second)})
	if _, err := b.Session(ctx, res.Session); err != nil {
		t.Errorf("another replica, 19:59 after the session's last use: %v (the use was not written)", err)
	}
	ts, err := s.TokenList(ctx, store.TokenListParams{User: "jsmith01"})
	if err != nil || len(ts) != 1 || !ts[0].LastUsed.Equal(c.Now()) {
		t.Errorf("token after its use: %+v, %v; want last used %v", ts, err, c.Now())
	}
}
