package action

import (
	"context"
	"fmt"

	"bdt/bdt/store"
	"bdt/rules"
)

// Scope is what a listing of certificates may read: one sponsor's
// certificates of one kind, and for a Level 2 user only their own.
type Scope struct {
	Sponsor string         // the acting user's licence
	Kind    rules.CertKind // CAS or CoS
	Owner   string         // the acting user's id for a Level 2 user; "" for a Level 1 user
}

// Listing loads who acts (w) and decides whether they may list certificates
// of kind k, search or export them (rules.CheckViewAccess: a suspended or
// dormant licence cannot, a revoked or expired one has no access). It
// returns the scope of what they may list (rules.ListingOwner for a Level 2
// user), or the findings that refuse it.
func Listing(ctx context.Context, r store.Reader, w Who, k rules.CertKind) (Scope, []rules.Finding, error) {
	a, fs, err := actor(ctx, r, w)
	if err != nil || len(fs) > 0 {
		return Scope{}, fs, err
	}
	if fs := rules.CheckViewAccess(a, k); len(fs) > 0 {
		return Scope{}, fs, nil
	}
	return Scope{Sponsor: a.Sponsor.Licence, Kind: k, Owner: rules.ListingOwner(a)}, nil, nil
}

// SearchLimit is the most certificates one page of a search returns, as on
// the SMS screens ("you can only view a maximum of 100 results on a
// search", seed 001 guide 5): a longer search is refined, or paged.
const SearchLimit = 100

// Page is one page of a search: the certificates in number order, and
// whether more match after the last of them (then search again with After
// set to its number).
type Page struct {
	Certificates []*rules.Certificate
	More         bool
}

// Search finds the certificates of kind k that match the details p gives,
// among those w may list (Listing): p's Sponsor, Kind and Owner are the
// scope's, whatever the caller set, so that another sponsor's certificates
// (and, for a Level 2 user, another user's) are never returned. A page
// holds at most p.Limit certificates, and never more than SearchLimit (a
// Limit of 0 is SearchLimit).
func Search(ctx context.Context, r store.Reader, w Who, k rules.CertKind, p store.CertificateSearchParams) (Page, []rules.Finding, error) {
	sc, fs, err := Listing(ctx, r, w, k)
	if err != nil || len(fs) > 0 {
		return Page{}, fs, err
	}
	p.Sponsor, p.Kind, p.Owner = sc.Sponsor, sc.Kind, sc.Owner
	if p.Limit <= 0 || p.Limit > SearchLimit {
		p.Limit = SearchLimit
	}
	limit := p.Limit
	p.Limit++ // one more tells whether there are more
	list, err := r.CertificateSearch(ctx, p)
	if err != nil {
		return Page{}, nil, fmt.Errorf("action: %w", err)
	}
	if len(list) > limit {
		return Page{Certificates: list[:limit], More: true}, nil, nil
	}
	return Page{Certificates: list}, nil, nil
}
