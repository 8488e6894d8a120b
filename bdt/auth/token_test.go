package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"bdt/bdt/auth"
	"bdt/bdt/store"
	"bdt/rules"
)

// A token is shown once, kept as its SHA-256, names its user until revoked,
// and is refused for a user who may no longer use SMS.
func TestTokens(t *testing.T) {
	drivers(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		s := open()
		c := start()
		a := newService(s, c)
		token, id, err := a.CreateToken(ctx, "tnowak02", "records system")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "bdt_"))
		if !strings.HasPrefix(token, "bdt_") || err != nil || len(raw) != 32 {
			t.Fatalf("token %d: not bdt_ and 256 bits in base64url (%v)", id, err)
		}
		if other, _, err := a.CreateToken(ctx, "tnowak02", ""); err != nil || other == token {
			t.Fatalf("a second token: same %v, %v", other == token, err)
		}
		if _, _, err := a.CreateToken(ctx, "nosuch", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateToken for no user: %v", err)
		}
		stored, err := s.Token(ctx, sha(token))
		if err != nil || stored == nil || stored.ID != id {
			t.Fatalf("the store does not hold the token's SHA-256: %+v, %v", stored, err)
		}

		c.Advance(time.Minute)
		p, err := a.Token(ctx, token)
		if err != nil || p.User.ID != "tnowak02" || p.Sponsor.Licence != licence || p.TokenID != id || p.CSRFOK("") {
			t.Fatalf("Token: %+v, %v", p, err)
		}
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		ts, err := s.TokenList(ctx, store.TokenListParams{User: "tnowak02"})
		if err != nil || len(ts) != 2 || !ts[0].LastUsed.Equal(c.Now()) || !ts[1].LastUsed.IsZero() {
			t.Errorf("tokens after a use: %+v, %v; want the first used now", ts, err)
		}
		if _, err := a.Token(ctx, token+"x"); !errors.Is(err, auth.ErrNoToken) {
			t.Errorf("a made-up token: %v", err)
		}
		if err := a.RevokeToken(ctx, id, "REVOKED01"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking under another licence: %v; want ErrNotFound", err)
		}
		if _, err := a.Token(ctx, token); err != nil {
			t.Errorf("the token after a refused revocation: %v", err)
		}
		if err := a.RevokeToken(ctx, id, licence); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Token(ctx, token); !errors.Is(err, auth.ErrNoToken) {
			t.Errorf("a revoked token: %v; want ErrNoToken", err)
		}

		for user, want := range map[string]rules.SignInOutcome{
			"gone01":   rules.SignInNotActive,
			"revoked1": rules.SignInNoAccess,
			"expired1": rules.SignInNoAccess,
		} {
			token, _, err := a.CreateToken(ctx, user, "")
			if err != nil {
				t.Fatal(err)
			}
			var ae *auth.AccessError
			if _, err := a.Token(ctx, token); !errors.As(err, &ae) || ae.Outcome != want {
				t.Errorf("token of %s: %v; want %s", user, err, want)
			}
		}
	})
}
