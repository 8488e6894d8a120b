package auth

import (
	"context"
	"fmt"

	"bdt/bdt/store"
)

// tokenPrefix starts every API token, so that a token pasted where it
// should not be is recognised (by secret scanners too).
const tokenPrefix = "bdt_"

// CreateToken makes an API token for user, named name, and returns it (the
// only time it is ever shown) and its id. It is 256 random bits in
// base64url after tokenPrefix; the store keeps its SHA-256. A user not in
// the register is store.ErrNotFound.
func (s *Service) CreateToken(ctx context.Context, user, name string) (token string, id int64, err error) {
	t, _, err := secret(32)
	if err != nil {
		return "", 0, err
	}
	token = tokenPrefix + t
	id, err = s.store.TokenCreate(ctx, store.TokenCreateParams{User: user, Name: name, Hash: digest(token), Now: s.clock()})
	if err != nil {
		return "", 0, err
	}
	return token, id, nil
}

// RevokeToken revokes token id now; sponsor, when given, must be its
// user's licence (store.ErrNotFound otherwise, as for no token).
func (s *Service) RevokeToken(ctx context.Context, id int64, sponsor string) error {
	return s.store.TokenRevoke(ctx, store.TokenRevokeParams{ID: id, Sponsor: sponsor, Now: s.clock()})
}

// Token returns who the bearer of an API token is, and records its use (in
// the background, as Session does):
// ErrNoToken for no such token or a revoked one, an *AccessError when its
// user may no longer use SMS (not Active, or the licence revoked or
// expired). The token is looked up by its SHA-256, which tells nothing of
// it by its timing.
func (s *Service) Token(ctx context.Context, bearer string) (*Principal, error) {
	t, err := s.store.Token(ctx, digest(bearer))
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, ErrNoToken
	}
	if !t.Revoked.IsZero() {
		return nil, fmt.Errorf("%w: token %d was revoked", ErrNoToken, t.ID)
	}
	p, err := s.principal(ctx, t.User)
	if err != nil {
		return nil, err
	}
	p.TokenID = t.ID
	s.activity.token(t.ID, s.clock())
	return p, nil
}
