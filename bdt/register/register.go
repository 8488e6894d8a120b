// Package register reads and writes the sponsor register fixture: an XML
// document (format register-v1, schema/xsd/register-v1.xsd) holding a whole
// register — sponsors, SMS users, CAS and CoS with their histories — and
// loads it into, or dumps it from, a register store.
//
// The fixture is how a scratch register is made for samples and tests
// (`bdt register import`) and how a register is inspected (`bdt register
// export`). Encode writes canonical XML, so import followed by export gives
// back the same bytes.
package register

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"bdt/bdt/store"
	"bdt/rules"
)

// Namespace is the target namespace of the register fixture (register-v1).
const Namespace = "urn:uk:gov:ukvi:sms:bdt:register:v1"

// Fixture is a whole register.
type Fixture struct {
	Sponsors     []rules.Sponsor
	Users        []rules.User
	Certificates []rules.Certificate
}

// Sort puts the fixture in canonical order: sponsors by licence, users by
// id, certificates by number, each sponsor's routes in the order STUDENT,
// WORKER, TEMPORARY_WORKER. Histories keep their order.
func (f *Fixture) Sort() {
	slices.SortStableFunc(f.Sponsors, func(a, b rules.Sponsor) int { return cmp.Compare(a.Licence, b.Licence) })
	for i := range f.Sponsors {
		slices.SortStableFunc(f.Sponsors[i].Routes, func(a, b rules.Route) int { return cmp.Compare(routeRank(a), routeRank(b)) })
	}
	slices.SortStableFunc(f.Users, func(a, b rules.User) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(f.Certificates, func(a, b rules.Certificate) int { return cmp.Compare(a.Number, b.Number) })
}

// routeRank orders routes as rules declares them; unknown routes last.
func routeRank(r rules.Route) int {
	switch r {
	case rules.RouteStudent:
		return 1
	case rules.RouteWorker:
		return 2
	case rules.RouteTemporaryWorker:
		return 3
	}
	return 4
}

// Import inserts the whole fixture in tx: sponsors, then users, then
// certificates. It refuses (store.ErrExists) any id the register already
// holds; the caller rolls tx back and nothing is loaded.
func (f *Fixture) Import(ctx context.Context, tx store.Tx) error {
	for i := range f.Sponsors {
		if err := tx.SponsorInsert(ctx, &f.Sponsors[i]); err != nil {
			return fmt.Errorf("register: import: %w", err)
		}
	}
	for i := range f.Users {
		if err := tx.UserInsert(ctx, &f.Users[i]); err != nil {
			return fmt.Errorf("register: import: %w", err)
		}
	}
	for i := range f.Certificates {
		if err := tx.CertificateInsert(ctx, &f.Certificates[i]); err != nil {
			return fmt.Errorf("register: import: %w", err)
		}
	}
	return nil
}

// Export reads the whole register r holds, in canonical order.
func Export(ctx context.Context, r store.Reader) (*Fixture, error) {
	sponsors, err := r.SponsorList(ctx)
	if err != nil {
		return nil, fmt.Errorf("register: export: %w", err)
	}
	users, err := r.UserList(ctx, store.UserListParams{})
	if err != nil {
		return nil, fmt.Errorf("register: export: %w", err)
	}
	certs, err := r.CertificateList(ctx, store.CertificateListParams{})
	if err != nil {
		return nil, fmt.Errorf("register: export: %w", err)
	}
	f := &Fixture{
		Sponsors:     deref(sponsors),
		Users:        deref(users),
		Certificates: deref(certs),
	}
	f.Sort()
	return f, nil
}

func deref[T any](ps []*T) []T {
	if ps == nil {
		return nil
	}
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}
