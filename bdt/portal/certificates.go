package portal

import (
	"context"

	"bdt/bdt/action"
	"bdt/bdt/auth"
	"bdt/rules"
)

// certificate is the one-at-a-time view of certificate number (a CAS or a
// CoS) for p, as bdt cas show and bdt cos show give it (action.Show as p's
// user, for p's licence). It returns the view when p may see it; nothing
// at all (no view, no findings, no error) when the certificate does not
// exist, is another sponsor's, or is not a Level 2 user's own (R.CERT.FOUND
// or R.CERT.OWNER: answered as missing, alike); and the findings when
// another rule refuses (a suspended or dormant licence may not view,
// F.LICENCE.SUSPENDED). The error is a failure of the store.
func (s *Server) certificate(ctx context.Context, p *auth.Principal, number string) (*action.View, []rules.Finding, error) {
	w := action.Who{User: p.User.ID, Sponsor: p.Sponsor.Licence, Now: s.cfg.Clock()}
	c, fs, err := action.Show(ctx, s.cfg.Store, w, "", number)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		for _, f := range fs {
			if f.Rule == rules.RCertFound || f.Rule == rules.RCertOwner {
				return nil, nil, nil
			}
		}
		return nil, fs, nil
	}
	return action.NewView(c), nil, nil
}
