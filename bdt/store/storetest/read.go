package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"bdt/bdt/store"
	"bdt/rules"
)

func testMissing(t *testing.T, s store.Store) {
	ctx := context.Background()
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			if got, err := r.Sponsor(ctx, "ZZZZZZZZZ"); got != nil || err != nil {
				t.Errorf("Sponsor(absent) = %v, %v; want nil, nil", got, err)
			}
			if got, err := r.User(ctx, "nobody"); got != nil || err != nil {
				t.Errorf("User(absent) = %v, %v; want nil, nil", got, err)
			}
			for _, numbers := range [][]string{nil, {"CAS99999999999"}, {"CAS99999999999", casUsed, "COS99999999999"}} {
				got, err := r.Certificates(ctx, numbers...)
				if err != nil || got == nil {
					t.Fatalf("Certificates(%v) = %v, %v; want a map, nil", numbers, got, err)
				}
				var keys, want []string
				for k := range got {
					keys = append(keys, k)
				}
				if slices.Contains(numbers, casUsed) {
					want = []string{casUsed}
				}
				if !slices.Equal(keys, want) {
					t.Errorf("Certificates(%v) has %v; want %v", numbers, keys, want)
				}
			}
			if got, err := r.UserList(ctx, store.UserListParams{Sponsor: "ZZZZZZZZZ"}); len(got) != 0 || err != nil {
				t.Errorf("UserList(absent sponsor) = %v, %v; want none", got, err)
			}
			if got, err := r.CertificateList(ctx, store.CertificateListParams{Sponsor: "ZZZZZZZZZ"}); len(got) != 0 || err != nil {
				t.Errorf("CertificateList(absent sponsor) = %v, %v; want none", got, err)
			}
		})
	}
}

func testReadBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := Fixture()
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			for i := range f.Sponsors {
				want := &f.Sponsors[i]
				got, err := r.Sponsor(ctx, want.Licence)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "Sponsor "+want.Licence, got, want)
			}
			for i := range f.Users {
				want := &f.Users[i]
				got, err := r.User(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "User "+want.ID, got, want)
			}
			var numbers []string
			want := map[string]*rules.Certificate{}
			for i := range f.Certificates {
				c := &f.Certificates[i]
				numbers = append(numbers, c.Number)
				want[c.Number] = c
				one, err := r.Certificates(ctx, c.Number)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "Certificates("+c.Number+")", one, map[string]*rules.Certificate{c.Number: c})
			}
			got, err := r.Certificates(ctx, numbers...)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "Certificates(all)", got, want)
			for _, p := range []store.CertificatesForRulesParams{{}, {Activity: true}, {Brief: true}, {Activity: true, Brief: true}} {
				// With Brief only the briefs compare: a driver may read
				// no more (Activity overrides Brief).
				brief := p.Brief && !p.Activity
				lite := map[string]*rules.Certificate{}
				for n, c := range want {
					cc := *c
					cc.StatusHistory, cc.FeeHistory = nil, nil
					if !p.Activity {
						cc.Activity = nil
					}
					if brief {
						cc = *rules.Brief(c)
					}
					lite[n] = &cc
				}
				briefs := func(m map[string]*rules.Certificate) map[string]*rules.Certificate {
					if !brief {
						return m
					}
					out := map[string]*rules.Certificate{}
					for n, c := range m {
						out[n] = rules.Brief(c)
					}
					return out
				}
				p.Numbers = append(numbers, "CAS99999999999")
				what := fmt.Sprintf("(all, activity %v, brief %v)", p.Activity, p.Brief)
				got, err := r.CertificatesForRules(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				same(t, "CertificatesForRules"+what, briefs(got), lite)
				if sp, ok := r.(store.CertificatesForRulesSplitter); ok {
					decode, err := sp.CertificatesForRulesSplit(ctx, p)
					if err != nil {
						t.Fatal(err)
					}
					got, err := decode()
					if err != nil {
						t.Fatal(err)
					}
					same(t, "CertificatesForRulesSplit"+what, briefs(got), lite)
				}
				if got, err := r.CertificatesForRules(ctx, store.CertificatesForRulesParams{}); err != nil || got == nil || len(got) != 0 {
					t.Errorf("CertificatesForRules(none) = %v, %v; want an empty map", got, err)
				}
			}
		})
	}
}

func testInsertRefused(t *testing.T, loaded func(*testing.T) store.Store) {
	f := Fixture()
	newCert := func(edit func(c *rules.Certificate)) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			c := Fixture().Certificates[1]
			c.Number = "CAS26000009999"
			edit(&c)
			return tx.CertificateInsert(ctx, &c)
		}
	}
	tests := []struct {
		name   string
		insert func(ctx context.Context, tx store.Tx) error
		want   error
	}{
		{"existing sponsor", func(ctx context.Context, tx store.Tx) error {
			s := f.Sponsors[0]
			s.Name = "Another name"
			return tx.SponsorInsert(ctx, &s)
		}, store.ErrExists},
		{"existing user", func(ctx context.Context, tx store.Tx) error {
			u := f.Users[0]
			u.Level = rules.Level2
			return tx.UserInsert(ctx, &u)
		}, store.ErrExists},
		{"user of absent sponsor", func(ctx context.Context, tx store.Tx) error {
			return tx.UserInsert(ctx, &rules.User{ID: "new.user", Sponsor: "ZZZZZZZZZ", Name: "New", Level: rules.Level1, Status: rules.UserActive})
		}, store.ErrNotFound},
		{"existing certificate", func(ctx context.Context, tx store.Tx) error {
			c := f.Certificates[0]
			c.Note = "replaced?"
			return tx.CertificateInsert(ctx, &c)
		}, store.ErrExists},
		{"certificate of absent sponsor", newCert(func(c *rules.Certificate) { c.Sponsor = "ZZZZZZZZZ"; c.CreatedBy, c.Owner = "", "" }), store.ErrNotFound},
		{"certificate owned by absent user", newCert(func(c *rules.Certificate) { c.Owner = "nobody" }), store.ErrNotFound},
		{"certificate created by absent user", newCert(func(c *rules.Certificate) { c.CreatedBy = "nobody" }), store.ErrNotFound},
		{"certificate owned by another sponsor's user", newCert(func(c *rules.Certificate) { c.Owner = empL1 }), store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := loaded(t)
			before := export(t, s)
			ctx := context.Background()
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.insert(ctx, tx)
			if !errors.Is(err, tt.want) {
				t.Errorf("insert = %v; want %v", err, tt.want)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			same(t, "register after the refused insert", export(t, s), before)
		})
	}
}
